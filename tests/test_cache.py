"""The derivation cache (``symdl.cache``): what is read back is what was derived, a warm command prints the
same bytes as a cold one, and an entry that is missing, broken, from another version or naming anything not
on the list is derived afresh without a word; --no-cache and SYMDL_NO_CACHE write nothing; two processes
writing one entry at once leave it whole.

Each test here has a cache directory of its own (``tmp_path``), apart from the session's."""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from sympy import (
    AccumBounds,
    Basic,
    Float,
    Indexed,
    IndexedBase,
    Integer,
    Interval,
    Piecewise,
    Rational,
    S,
    Symbol,
    Union,
    exp,
    pi,
    srepr,
)

from symdl import cache
from symdl.catalog import CATALOGUE, Activation, activation, x
from symdl.engine.calculus import Derivation, derive

NAMES = [a.name for a in CATALOGUE]
FINDERS = ("_find_regions", "_find_slopes", "_find_breakpoints", "_find__output", "_find_properties")


@pytest.fixture
def directory(tmp_path, monkeypatch) -> Path:
    """An empty cache directory of the test's own, the cache on."""
    place = tmp_path / "cache"
    monkeypatch.setenv("SYMDL_CACHE_DIR", str(place))
    monkeypatch.delenv("SYMDL_NO_CACHE", raising=False)
    monkeypatch.setattr(cache, "_enabled", True)
    return place


def fingerprint(value) -> object:
    """A value exactly: SymPy objects by ``srepr`` (symbols with their assumptions), records field by field."""
    if isinstance(value, Basic):
        return srepr(value)
    if dataclasses.is_dataclass(value):
        return {f.name: fingerprint(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, tuple | list):
        return [fingerprint(v) for v in value]
    return value


def facts(d: Derivation) -> dict[str, object]:
    return {name: fingerprint(getattr(d, name)) for name in (*Derivation.FACTS, "slopes", "notes")}


def fresh(name: str) -> Derivation:
    """A new derivation of NAME at its defaults (``derive`` keeps one per process: this one starts empty)."""
    act = activation(name)
    return Derivation(act, tuple(sorted(act.params.items(), key=lambda kv: kv[0].name)))


def forbid_deriving(monkeypatch) -> None:
    """From here on, a fact that is not read from the cache fails the test."""

    def refuse(self, *args):
        raise AssertionError(f"{self.activation.name}: derived, not read from the cache")

    for finder in FINDERS:
        monkeypatch.setattr(Derivation, finder, refuse)


def entries(place: Path) -> list[Path]:
    return sorted(p for p in place.rglob("*") if p.is_file()) if place.exists() else []


def derivation_entry(place: Path) -> Path:
    (path,) = [p for p in entries(place) if p.parent.name == "derivation"]
    return path


# --------------------------------------------------------------------------- what is read back


@pytest.mark.parametrize("name", NAMES)
def test_every_catalogue_derivation_reads_back_as_it_was_derived(directory, monkeypatch, name):
    computed = fresh(name)
    expected = facts(computed)
    assert derivation_entry(directory).exists()
    forbid_deriving(monkeypatch)
    loaded = fresh(name)
    assert facts(loaded) == expected
    for fact in ("regions", "slopes", "breakpoints", "_output", "properties"):
        assert getattr(loaded, fact) == getattr(computed, fact), fact


def test_values_read_back_exactly(directory):
    alpha = Symbol("alpha", positive=True)
    xs = IndexedBase("x", real=True)
    i = Symbol("i", integer=True, positive=True)
    value = (
        Float("0.16997120747991262153", 40),
        Rational(-3, 7),
        Integer(10) ** 60 + 1,
        alpha * exp(-x) / (1 + exp(-x)) ** 2,
        Piecewise((x, x > alpha), (alpha * (exp(x) - 1), True)),
        Union(Interval(-1, 0), Interval.Lopen(2, pi)),
        S.true,
        AccumBounds(-1, 1),
        Indexed(xs, i),
        "a reason",
        None,
        3,
    )
    found = cache.remembered("test", ("values",), lambda: value)
    again = cache.remembered("test", ("values",), lambda: pytest.fail("read back, not computed"))
    assert again == found == value
    assert fingerprint(again) == fingerprint(value)
    assert again[0]._prec == value[0]._prec


def test_names_for_one_function_share_an_entry(directory):
    """Two declarations with one definition and parameters share what was derived for them: your own
    activation (derived under the time budget) and the catalogue's."""
    mine = Activation("mysigmoid", 1 / (1 + exp(-x)), tex="s")
    first = derive(mine).output_form
    stored = entries(directory)
    assert first is not None and stored
    assert fresh("sigmoid").output_form == first
    assert entries(directory) == stored  # nothing new: sigmoid's entry is mysigmoid's


# --------------------------------------------------------------------------- warm prints what cold printed


COMMANDS = [
    ["show", "sigmoid"],
    ["show", "gelu"],
    ["show", "softmax", "--json"],
    ["show", "hardtanh", "--json"],
    ["show", "elu", "--param", "alpha=0.2"],
    ["latex", "sigmoid", "softmax", "elu", "gelu", "relu"],
    ["latex", "selu", "leaky_relu", "--format", "beamer", "--lang", "ko"],
]


def run_in_fresh_process(place: Path, commands: list[list[str]], *flags: str, **environment: str) -> list[str]:
    """Each command's standard output, all in one new interpreter (nothing derived before it)."""
    script = textwrap.dedent(
        """
        import contextlib, io, json, sys
        from symdl.cli import main
        outputs = []
        for args in json.loads(sys.argv[1]):
            out = io.StringIO()
            with contextlib.redirect_stdout(out):
                try:
                    main(args)
                except SystemExit as done:
                    assert not done.code, (args, done.code)
            outputs.append(out.getvalue())
        json.dump(outputs, sys.__stdout__)
        """
    )
    given = json.dumps([[*flags, *c] for c in commands])
    env = {**os.environ, "SYMDL_CACHE_DIR": str(place), **environment}
    env.pop("SYMDL_NO_CACHE", None) if "SYMDL_NO_CACHE" not in environment else None
    done = subprocess.run(
        [sys.executable, "-c", script, given], capture_output=True, text=True, timeout=900, check=False, env=env
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout)


@pytest.mark.slow
def test_warm_output_is_byte_identical_to_cold(tmp_path):
    place = tmp_path / "cache"
    cold = run_in_fresh_process(place, COMMANDS)
    written = entries(place)
    assert {p.parent.name for p in written} >= {"derivation", "working", "regions", "lecture"}
    warm = run_in_fresh_process(place, COMMANDS)
    assert warm == cold
    assert entries(place) == written  # the warm run read what the cold one wrote, and derived nothing new
    afresh = run_in_fresh_process(tmp_path / "unused", COMMANDS, "--no-cache")
    assert afresh == cold
    assert not (tmp_path / "unused").exists()


def test_symdl_no_cache_writes_nothing(tmp_path):
    place = tmp_path / "cache"
    run_in_fresh_process(place, [["show", "relu"]], SYMDL_NO_CACHE="1")
    assert not place.exists()


def test_the_library_switch_writes_nothing(directory):
    with cache.bypassed():
        assert not cache.enabled() and os.environ["SYMDL_NO_CACHE"] == "1"
        assert fresh("softsign").properties is not None
    assert cache.enabled() and "SYMDL_NO_CACHE" not in os.environ
    assert entries(directory) == []
    previous = cache.set_enabled(False)
    try:
        assert fresh("softsign").output_form is not None
    finally:
        cache.set_enabled(previous)
    assert entries(directory) == []


# --------------------------------------------------------------------------- never trusted blindly


def stored_then(directory: Path, monkeypatch, spoil) -> tuple[dict[str, object], Path]:
    """ELU derived and stored, then its entry spoiled by SPOIL(path); the facts as first derived, the entry."""
    expected = facts(fresh("elu"))
    path = derivation_entry(directory)
    spoil(path)
    return expected, path


def rederived(expected: dict[str, object], path: Path) -> None:
    again = fresh("elu")
    assert facts(again) == expected
    stored = json.loads(path.read_text(encoding="utf-8"))  # written anew, whole
    assert set(stored) == {"identity", "values"}


def _edited(path: Path, change) -> None:
    data = json.loads(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(json.dumps(data), encoding="utf-8")


@pytest.mark.parametrize(
    "spoil",
    [
        pytest.param(lambda p: p.write_bytes(b"\x00\xff not json"), id="corrupt"),
        pytest.param(lambda p: p.write_bytes(p.read_bytes()[: len(p.read_bytes()) // 2]), id="truncated"),
        pytest.param(lambda p: p.write_text("[]", encoding="utf-8"), id="not-an-entry"),
        pytest.param(lambda p: p.write_text("", encoding="utf-8"), id="empty"),
        pytest.param(
            lambda p: _edited(p, lambda d: d.update(identity=d["identity"].replace("sympy ", "sympy 0.0+"))),
            id="another-sympy",
        ),
        pytest.param(
            lambda p: _edited(p, lambda d: d.update(identity=d["identity"].replace("schema ", "schema 0+"))),
            id="another-schema",
        ),
    ],
)
def test_a_spoilt_entry_is_derived_afresh_without_a_word(directory, monkeypatch, capsys, spoil):
    expected, path = stored_then(directory, monkeypatch, spoil)
    rederived(expected, path)
    assert capsys.readouterr() == ("", "")


def _rename_classes(data, old: str, new: str) -> None:
    if isinstance(data, dict):
        if data.get("n") == old:
            data["n"] = new
        for value in data.values():
            _rename_classes(value, old, new)
    elif isinstance(data, list):
        for value in data:
            _rename_classes(value, old, new)


@pytest.mark.parametrize("name", ["os.system", "eval", "Function", "Symbol", "NoSuchClass", "__import__"])
def test_an_entry_naming_a_class_not_on_the_list_is_refused(directory, monkeypatch, capsys, name):
    expected, path = stored_then(
        directory, monkeypatch, lambda p: _edited(p, lambda d: _rename_classes(d, "exp", name))
    )
    assert f'"n": "{name}"' in path.read_text(encoding="utf-8")
    rederived(expected, path)
    assert f'"{name}"' not in path.read_text(encoding="utf-8")
    assert capsys.readouterr() == ("", "")


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda v: v.update(record="Popen"), id="record"),
        pytest.param(lambda v: v["fields"].update(expr={"expr": {"c": "os"}}), id="constant"),
        pytest.param(lambda v: v["fields"].update(lo_closed={"expr": {"s": 99}}), id="symbol"),
        pytest.param(lambda v: v["fields"].update(extra=True), id="field"),
    ],
)
def test_an_entry_naming_anything_else_not_on_the_list_is_refused(directory, monkeypatch, change):
    def spoil(path: Path) -> None:
        _edited(path, lambda d: change(d["values"]["regions"]["value"]["tuple"][0]))

    expected, path = stored_then(directory, monkeypatch, spoil)
    rederived(expected, path)


def test_a_symbol_with_an_unknown_assumption_is_refused(directory):
    cache.store("test", ("symbol",), {"value": Symbol("alpha", positive=True)})
    (path,) = entries(directory)
    _edited(path, lambda d: d["values"]["value"]["symbols"][0][1].update({"os.system": True}))
    entry = cache.load("test", ("symbol",))
    with pytest.raises(LookupError):
        entry.get("value")


def test_an_entry_filed_under_another_identity_is_not_believed(directory):
    """An entry copied over another's file (or a hash that collides) records its own identity: refused."""
    cache.remembered("test", ("a",), lambda: Integer(1))
    cache.remembered("test", ("b",), lambda: Integer(2))
    by_part = {json.loads(json.loads(p.read_text(encoding="utf-8"))["identity"])[2][0]: p for p in entries(directory)}
    by_part["b"].write_bytes(by_part["a"].read_bytes())
    assert cache.remembered("test", ("b",), lambda: Integer(2)) == Integer(2)
    assert cache.remembered("test", ("a",), lambda: pytest.fail("a's entry is whole")) == Integer(1)


def test_an_unwritable_directory_is_not_written_and_says_nothing(tmp_path, monkeypatch, capsys):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory", encoding="utf-8")
    monkeypatch.setenv("SYMDL_CACHE_DIR", str(blocker / "cache"))
    monkeypatch.delenv("SYMDL_NO_CACHE", raising=False)
    assert facts(fresh("celu"))["output_form"] is not None
    assert cache.store("test", ("x",), {"value": x}) is False
    assert blocker.read_text(encoding="utf-8") == "not a directory"
    assert capsys.readouterr() == ("", "")


def test_a_value_with_no_encoding_is_left_out(directory):
    from sympy import Dummy

    assert cache.store("test", ("dummy",), {"value": Dummy("t") + 1}) is False
    assert entries(directory) == []
    assert cache.remembered("test", ("object",), lambda: object) is object  # computed, and nothing written
    assert entries(directory) == []


def test_what_ran_out_of_time_is_never_kept(directory, monkeypatch):
    """A user's expression whose properties ran out of its budget: its breakpoints are kept, not the properties
    nor the "not found within the time limit"; the next run with time derives them."""
    import itertools

    import symdl.budget
    from symdl.budget import NOT_IN_TIME

    act = Activation("late_cached", x / (1 + exp(-x)) + x / 3, tex="f")
    d = Derivation(act, ())
    d.breakpoints  # noqa: B018 - found with time, kept
    ticks = itertools.count(0, 10**6)
    monkeypatch.setattr(symdl.budget, "clock", lambda: float(next(ticks)))
    assert d.properties is None and d.notes["the properties"] == NOT_IN_TIME
    text = derivation_entry(directory).read_text(encoding="utf-8")
    assert "breakpoints" in text and "properties" not in text and NOT_IN_TIME not in text
    monkeypatch.setattr(symdl.budget, "clock", time.monotonic)
    monkeypatch.setattr(symdl.engine.calculus, "USER_SECONDS", 600.0)  # ample on any machine: not a test of load
    again = Derivation(act, ())
    monkeypatch.setattr(Derivation, "_find_breakpoints", lambda self: pytest.fail("breakpoints derived again"))
    assert again.breakpoints == d.breakpoints
    assert again.properties is not None and again.not_in_time == ()


# --------------------------------------------------------------------------- two writers at once


WRITER = """
import sys
from sympy import Symbol, exp, Rational
from symdl import cache
x = Symbol("x", real=True)
value = sum(Rational(k, 7) * exp(-k * x) for k in range(1, 80))
seen = 0
for n in range(int(sys.argv[1])):
    cache.store("race", ("one entry",), {"value": value, "writer " + sys.argv[2]: n})
    entry = cache.load("race", ("one entry",))
    if entry is not None:
        assert entry.get("value") == value
        seen += 1
print(seen)
"""


def test_two_processes_writing_one_entry_at_once_leave_it_whole(directory):
    env = {**os.environ, "SYMDL_CACHE_DIR": str(directory)}
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, "40", str(k)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env
        )
        for k in range(3)
    ]
    results = [w.communicate(timeout=600) for w in writers]
    for writer, (out, err) in zip(writers, results, strict=True):
        assert writer.returncode == 0, err.decode()[-2000:]
        assert int(out) == 40  # every read found a whole entry
    (path,) = entries(directory)  # one entry, no temporary file left beside it
    stored = json.loads(path.read_text(encoding="utf-8"))
    assert cache.decode(stored["values"]["value"]) == sum(Rational(k, 7) * exp(-k * x) for k in range(1, 80))
    assert {f"writer {k}" for k in range(3)} <= set(stored["values"])  # a write keeps what the entry held


# --------------------------------------------------------------------------- where


def test_the_directory_is_the_platforms_unless_given(monkeypatch, tmp_path):
    import platformdirs

    monkeypatch.delenv("SYMDL_CACHE_DIR", raising=False)
    assert cache.directory() == Path(platformdirs.user_cache_dir("symdl"))
    monkeypatch.setenv("SYMDL_CACHE_DIR", str(tmp_path))
    assert cache.directory() == tmp_path


def test_no_user_cache_directory_means_no_cache_and_no_word(monkeypatch, tmp_path, capsys):
    """Without platformdirs (or anywhere to put a cache) every value is computed, and nothing is said."""
    monkeypatch.delenv("SYMDL_CACHE_DIR", raising=False)
    monkeypatch.delenv("SYMDL_NO_CACHE", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))  # should anything be written after all, it is written here
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.setitem(sys.modules, "platformdirs", None)  # ``import platformdirs`` raises ImportError
    assert cache.remembered("test", ("no home",), lambda: Integer(5)) == Integer(5)
    assert cache.remembered("test", ("no home",), lambda: Integer(6)) == Integer(6)  # nothing was kept
    assert cache.load("test", ("no home",)) is None
    assert list(tmp_path.iterdir()) == []
    assert capsys.readouterr() == ("", "")


def test_the_test_session_never_uses_the_users_cache():
    import platformdirs

    given = os.environ.get("SYMDL_CACHE_DIR", "")
    assert given and Path(given) != Path(platformdirs.user_cache_dir("symdl"))
    assert "symdl-test-cache-" in given
