"""Every command × every kind of bad input a user could type: one line on stderr, exit status 2, nothing on
standard output, and every file in the working directory (and the output targets) exactly as it was.

Where a kind of input has no way into a command (``show`` writes no file), the matrix says so in words, and
``test_the_matrix_is_complete`` keeps every command × kind either tried or explained.  Then the writer itself
(``symdl.files``): what a target may be, the permissions it keeps, and nothing half-written on an error.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from conftest import run_symdl

from symdl.errors import BadOutput
from symdl.files import writable_target, write_whole

COMMANDS = ("show", "derive", "latex", "check", "forward", "backward")
HUGE = "9" * 5000  # past Python's 4,300-digit limit of int(str)
LECTURE = (Path(__file__).resolve().parent.parent / "examples" / "lecture01.toml").read_text(encoding="utf-8")


def spec(x_row: str) -> str:
    """The lecture's network with its X line replaced (the file a user edits)."""
    lines = LECTURE.splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith("X = "))
    return "\n".join([*lines[:at], f"X = {x_row}", *lines[at + 1 :]]) + "\n"


# kind -> command -> (arguments, text the one line must contain), or a string: why the kind cannot reach it.
# "{spec}" is a network spec file written from SPECS[kind]; "{fifo}", "{dir}", "{device}" are made per test.
NO_FILE = "writes no file: its output goes to standard output only"
MATRIX: dict[str, dict[str, tuple[tuple[str, ...], str] | str]] = {
    "unknown name": {
        "show": (("show", "sigmod"), "did you mean sigmoid?"),
        "derive": (("derive", "x*sigmod(x)"), "unknown function 'sigmod'"),
        "latex": (("latex", "sigmod"), "sigmod"),
        "check": (("check", "--only", "relu,sigmod"), "sigmod"),
        "forward": (("forward", "--hidden-activation", "sigmod"), "sigmod"),
        "backward": (("backward", "--loss", "msee"), "msee"),
    },
    "malformed option": {
        "show": (("show", "elu", "-p", "alpha"), "write NAME=VALUE"),
        "derive": (("derive", "max(a*x, x)", "-p", "a=abc"), "expected a number"),
        "latex": (("latex", "--define", "x*2"), "write NAME=EXPR"),
        "check": (("check", "--define", "=x"), "write NAME=EXPR"),
        "forward": (("forward", "{spec}"), "expected a number"),
        "backward": (("backward", "--target", "1, zero"), "expected a number"),
    },
    "non-ASCII digit": {
        "show": (("show", "elu", "-p", "alpha=\u09e6.\u09eb"), "not ASCII"),  # Bengali 0.5
        "derive": (("derive", "x*\u09ea"), "position 3"),  # a Bengali 4 that looks like 8
        "latex": (("latex", "--define", "f=x*\uff18"), "FULLWIDTH DIGIT EIGHT"),
        "check": (("check", "--define", "f=x*\u0664"), "ARABIC-INDIC DIGIT FOUR"),
        "forward": (("forward", "{spec}"), "not ASCII"),
        "backward": (("backward", "--learning-rate", "\u09e6.\u09e7"), "not ASCII"),
    },
    "huge literal": {
        "show": (("show", "elu", "-p", f"alpha={HUGE}"), "5000 significant digits"),
        "derive": (("derive", "max(a*x, x)", "-p", f"a={HUGE}"), "5000 significant digits"),
        "latex": (("latex", "--define", "f=x*" + "7" * 60), "60 significant digits"),
        "check": (("check", "--define", "f=x*" + "1" * 999), "longer than"),
        "forward": (("forward", "{spec}"), "5000 significant digits"),
        "backward": (("backward", "--learning-rate", HUGE), "5000 significant digits"),
    },
    "beyond float64": {
        "show": (("show", "elu", "-p", "alpha=1e400"), "beyond float64's range"),
        "derive": (("derive", "x*9**9**9"), "beyond float64's range"),
        "latex": (("latex", "--define", "f=x*1e-400"), "float64 rounds it to 0"),
        "check": (("check", "--define", "f=(2*x)**(9**9)"), "beyond float64's range"),
        "forward": (("forward", "{spec}"), "beyond float64's range"),
        "backward": (("backward", "--learning-rate", "1e400"), "beyond float64's range"),
    },
    "not finite": {
        "show": (("show", "elu", "-p", "alpha=nan"), "expected a number"),
        "derive": (("derive", "x/(x-x)"), "division by zero"),
        "latex": (("latex", "--define", "f=x*log(0)"), "not a finite number"),
        "check": (("check", "--define", "f=x/(x-x)"), "division by zero"),
        "forward": (("forward", "{spec}"), "finite number"),
        "backward": (("backward", "--learning-rate", "inf"), "expected a number"),
    },
    "output is a FIFO": {
        "show": NO_FILE,
        "derive": NO_FILE,
        "latex": (("latex", "sigmoid", "-o", "{fifo}"), "FIFO"),
        "check": NO_FILE,
        "forward": NO_FILE,
        "backward": (("backward", "--graph", "{fifo}.pdf"), "FIFO"),
    },
    "output is a directory": {
        "show": NO_FILE,
        "derive": NO_FILE,
        "latex": (("latex", "sigmoid", "-o", "{dir}"), "directory"),
        "check": NO_FILE,
        "forward": NO_FILE,
        "backward": (("backward", "--graph", "{dir}.pdf"), "directory"),
    },
    "output is a device": {
        "show": NO_FILE,
        "derive": NO_FILE,
        "latex": (("latex", "sigmoid", "-o", "{device}"), "character device"),
        "check": NO_FILE,
        "forward": NO_FILE,
        "backward": (("backward", "--graph", "{device}"), "character device"),
    },
    "empty": {
        "show": (("show", ""), "unknown activation"),
        "derive": (("derive", "  "), "empty expression"),
        "latex": (("latex", ""), "unknown activation"),
        "check": (("check", "--only", ","), "names no activation"),
        "forward": (("forward", "--define", ""), "write NAME=EXPR"),
        "backward": (("backward", "--target", ""), "target"),
    },
}
SPECS = {
    "malformed option": spec('[1, "two", 1]'),
    "non-ASCII digit": spec('["\u09e7", 2, 1]'),
    "huge literal": spec(f'[1, "{HUGE}", 1]'),
    "beyond float64": spec("[1, 1e400, 1]"),
    "not finite": spec("[1, nan, 1]"),
}
CASES = [
    pytest.param(kind, command, *case, id=f"{command}-{kind.replace(' ', '-')}")
    for kind, row in MATRIX.items()
    for command, case in row.items()
    if not isinstance(case, str)
]


def test_the_matrix_is_complete():
    for kind, row in MATRIX.items():
        assert tuple(row) == COMMANDS, kind
        assert all(isinstance(case, tuple) or case == NO_FILE for case in row.values())
    assert {kind for kind, row in MATRIX.items() for args, _ in _tried(row) if "{spec}" in args} == set(SPECS)


def _tried(row: dict) -> list[tuple[tuple[str, ...], str]]:
    return [case for case in row.values() if isinstance(case, tuple)]


def _snapshot(folder: Path) -> dict[str, tuple]:
    """Every entry under FOLDER: its kind, permission bits and (for a file) contents."""
    found = {}
    for path in sorted(folder.rglob("*")):
        info = path.lstat()
        contents = path.read_bytes() if stat.S_ISREG(info.st_mode) else None
        found[str(path.relative_to(folder))] = (stat.S_IFMT(info.st_mode), stat.S_IMODE(info.st_mode), contents)
    return found


def _device(place: Path) -> Path:
    """A character device at PLACE: a node of its own where this process may make one (root), else a link to
    /dev/full, which a process that is not root cannot replace (so a regression cannot harm the real one)."""
    if os.geteuid() == 0:
        os.mknod(place, 0o666 | stat.S_IFCHR, os.makedev(1, 7))
    else:
        place.symlink_to("/dev/full")
    return place


@pytest.mark.parametrize("kind, command, args, says", CASES)
def test_bad_input_is_one_line_exit_2_and_no_file_changes(capsys, tmp_path, monkeypatch, kind, command, args, says):
    monkeypatch.chdir(tmp_path)
    os.mkfifo(tmp_path / "pipe")
    os.mkfifo(tmp_path / "pipe.pdf")
    (tmp_path / "folder").mkdir()
    (tmp_path / "folder.pdf").mkdir()
    (tmp_path / "existing.tex").write_text("kept\n", encoding="utf-8")
    device = _device(tmp_path / ("full.svg" if command == "backward" else "full"))
    places = {"{fifo}": "pipe", "{dir}": "folder", "{device}": device.name, "{spec}": "net.toml"}
    if kind in SPECS:
        (tmp_path / "net.toml").write_text(SPECS[kind], encoding="utf-8")
    before, device_before = _snapshot(tmp_path), device.stat()
    arguments = [_place(arg, places) for arg in args]

    code, out, err = run_symdl(capsys, *arguments)

    assert (code, out) == (2, ""), err
    assert len(err.splitlines()) == 1 and err.startswith("symdl: "), err
    assert says in err and "Traceback" not in err and "internal error" not in err
    assert _snapshot(tmp_path) == before
    after = device.stat()  # through the link, if it is one: the device itself
    assert (stat.S_ISCHR(after.st_mode), after.st_rdev) == (True, device_before.st_rdev)


def _place(arg: str, places: dict[str, str]) -> str:
    for key, value in places.items():
        arg = arg.replace(key, value)
    return arg


@pytest.mark.parametrize(
    "args", [("forward", ""), ("forward", "--hidden-activation", ""), ("backward", "--output-activation", "")]
)
def test_an_empty_name_for_a_pass_is_refused(capsys, args):
    code, out, err = run_symdl(capsys, *args)
    assert (code, out, len(err.splitlines())) == (2, "", 1)


def test_a_bare_5000_digit_integer_in_a_spec_is_one_line(capsys, tmp_path):
    (tmp_path / "net.toml").write_text(spec(f"[1, {HUGE}, 1]"), encoding="utf-8")
    code, out, err = run_symdl(capsys, "forward", tmp_path / "net.toml")
    assert (code, out, len(err.splitlines())) == (2, "", 1) and "internal error" not in err


# The writer: what a target may be.


def _text(value: str):
    return lambda handle: handle.write(value)


def test_a_new_file_gets_the_users_mode(tmp_path):
    umask = os.umask(0o022)
    try:
        write_whole(tmp_path / "new.tex", _text("x"))
    finally:
        os.umask(umask)
    assert stat.S_IMODE((tmp_path / "new.tex").stat().st_mode) == 0o644
    assert [p.name for p in tmp_path.iterdir()] == ["new.tex"]


@pytest.mark.parametrize("mode", [0o600, 0o640, 0o755])
def test_an_existing_file_keeps_its_permissions(tmp_path, mode):
    target = tmp_path / "slides.tex"
    target.write_text("old", encoding="utf-8")
    target.chmod(mode)
    write_whole(target, _text("new"))
    assert target.read_text(encoding="utf-8") == "new"
    assert stat.S_IMODE(target.stat().st_mode) == mode
    assert [p.name for p in tmp_path.iterdir()] == ["slides.tex"]


def test_a_symbolic_link_is_followed_and_stays_a_link(tmp_path):
    real = tmp_path / "real.tex"
    real.write_text("old", encoding="utf-8")
    real.chmod(0o600)
    link = tmp_path / "link.tex"
    link.symlink_to("real.tex")
    assert write_whole(link, _text("new")) == link
    assert link.is_symlink() and os.readlink(link) == "real.tex"
    assert real.read_text(encoding="utf-8") == "new" and stat.S_IMODE(real.stat().st_mode) == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link.tex", "real.tex"]


@pytest.mark.parametrize(
    "make, says",
    [
        pytest.param(lambda p: p.symlink_to(p.parent / "missing.tex"), "which does not exist", id="dangling-link"),
        pytest.param(lambda p: p.mkdir(), "it is a directory", id="directory"),
        pytest.param(lambda p: os.mkfifo(p), "it is a FIFO", id="fifo"),
        pytest.param(
            lambda p: (p.parent / "d").mkdir() or p.symlink_to("d"),
            r"out.tex \(a symbolic link to .*/d\): it is a directory",
            id="link-to-directory",
        ),
        pytest.param(
            lambda p: p.write_text("old", encoding="utf-8") or p.chmod(0o444),
            "read-only",
            id="read-only",
            marks=pytest.mark.skipif(os.geteuid() == 0, reason="root may write a read-only file"),
        ),
    ],
)
def test_a_target_that_is_not_a_writable_regular_file_is_refused(tmp_path, make, says):
    target = tmp_path / "out.tex"
    make(target)
    before = _snapshot(tmp_path)
    with pytest.raises(BadOutput, match=says) as refused:
        write_whole(target, _text("new"))
    assert "\n" not in str(refused.value)
    assert _snapshot(tmp_path) == before


def test_nothing_half_written_when_writing_fails(tmp_path):
    target = tmp_path / "out.tex"
    target.write_text("old", encoding="utf-8")

    def fails_half_way(handle):
        handle.write("half")
        raise RuntimeError("the figure could not be drawn")

    with pytest.raises(RuntimeError):
        write_whole(target, fails_half_way)
    assert target.read_text(encoding="utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["out.tex"]  # no temporary file left behind


def test_a_missing_directory_is_one_bad_output_line(tmp_path):
    with pytest.raises(BadOutput, match="cannot write"):
        write_whole(tmp_path / "missing" / "out.tex", _text("x"))
    assert list(tmp_path.iterdir()) == []


def test_dash_is_standard_output(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert writable_target("-") == Path("-")
    code, out, err = run_symdl(capsys, "latex", "relu", "-o", "-")
    assert (code, err) == (0, "") and r"\operatorname{ReLU}" in out
    assert list(tmp_path.iterdir()) == []  # no file named '-'


def test_latex_writes_through_a_link_and_keeps_the_mode(capsys, tmp_path):
    real = tmp_path / "lecture.tex"
    real.write_text("old", encoding="utf-8")
    real.chmod(0o600)
    (tmp_path / "current.tex").symlink_to("lecture.tex")
    code, _, err = run_symdl(capsys, "latex", "relu", "-o", tmp_path / "current.tex")
    assert (code, err) == (0, "")
    assert r"\operatorname{ReLU}" in real.read_text(encoding="utf-8")
    assert (tmp_path / "current.tex").is_symlink() and stat.S_IMODE(real.stat().st_mode) == 0o600
