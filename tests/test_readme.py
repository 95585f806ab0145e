"""The README's code runs: every ```pycon, ```python and ```bash block of README.md, read from the file at test time.

- ```pycon blocks are doctests: each ``>>>`` line runs and its output must be what the README shows below it.
- ```python blocks run in a fresh namespace and must not raise.
- ```bash blocks: every command that starts with ``symdl`` (also after ``&&``) runs in-process, in a directory
  holding a copy of ``examples/``; it must exit 0, a file it writes (``-o``, ``--graph``, ``> FILE``) must be there
  and not be empty, ``--json`` must print JSON, and a value its comment states (``# Y = [2, 3]``) must be printed.
  ``pip`` and ``python -m pytest`` (installing, testing) and ``python bench/...`` (speed, not correctness) are
  skipped by name; any other command fails the extraction test, so nothing is left out silently.

Each case is named by its README line, e.g. ``test_readme_command[README.md:N symdl forward --hidden-activation relu]``.
"""

from __future__ import annotations

import doctest
import json
import os
import re
import shlex
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from symdl import catalog
from tests.conftest import run_symdl

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
LANGUAGES = ("pycon", "python", "bash")

# Commands of the README not run, and why; a word ending in "/" matches any path under it.
SKIPPED = {
    ("pip", "install"): "installs the package: the test runs in the installed package",
    ("python", "-m", "pytest"): "runs the test suite, of which this test is a part",
    ("python", "bench/"): "a benchmark measures speed, not correctness",
}
# `symdl check` takes minutes on 2 cores as the README writes it (the whole catalogue: ~3 min even with --quick,
# hours with --dense 100000; elu,tanh on the full grid: ~1 min). The test runs each with these arguments added: the
# same command, its report and exit status, on one activation (full grid: relu, ~10 s) or on the coarse grid.
# The case's id says so; SYMDL_README_FULL=1 runs them exactly as written.
CHEAPER = {
    ("check",): ("--only", "relu"),
    ("check", "--quick"): ("--only", "sigmoid"),
    ("check", "--only", "elu,tanh", "--json"): ("--quick",),
    ("check", "--dense", "100000"): ("--only", "relu", "--quick", "--dense", "2000"),  # the last --dense counts
}
FULL = os.environ.get("SYMDL_README_FULL") == "1"


@dataclass(frozen=True)
class Block:
    language: str
    line: int  # of the block's first line of code
    text: str


@dataclass(frozen=True)
class Command:
    line: int
    args: tuple[str, ...]  # after "symdl"
    stdout: str | None  # the file of a "> FILE" redirection
    comment: str


def blocks(text: str) -> list[Block]:
    """The fenced code blocks of a Markdown text."""
    found, lines, at = [], text.splitlines(), 0
    while at < len(lines):
        fence = re.match(r"```(\S*)\s*$", lines[at])
        if fence:
            end = next(i for i in range(at + 1, len(lines)) if lines[i].rstrip() == "```")
            found.append(Block(fence.group(1), at + 2, "\n".join(lines[at + 1 : end]) + "\n"))
            at = end
        at += 1
    return found


def split_comment(line: str) -> tuple[str, str]:
    """A shell line's code and its ``#`` comment (a ``#`` that starts a word outside quotes)."""
    quote = None
    for i, char in enumerate(line):
        if quote:
            quote = None if char == quote else quote
        elif char in "'\"":
            quote = char
        elif char == "#" and (i == 0 or line[i - 1].isspace()):
            return line[:i], line[i + 1 :].strip()
    return line, ""


def skipped(words: list[str]) -> bool:
    return any(
        len(words) >= len(prefix)
        and all(word == p or (p.endswith("/") and word.startswith(p)) for word, p in zip(words, prefix, strict=False))
        for prefix in SKIPPED
    )


def commands(block: Block) -> list[Command]:
    """The ``symdl`` commands of a bash block; anything that is neither run nor in SKIPPED is an error."""
    found = []
    for number, raw in enumerate(block.text.splitlines(), start=block.line):
        code, comment = split_comment(raw)
        lexer = shlex.shlex(code, posix=True, punctuation_chars=True)
        lexer.whitespace_split = True
        words, segments = list(lexer), [[]]
        for word in words:
            if word in ("&&", ";"):
                segments.append([])
            else:
                segments[-1].append(word)
        for words in filter(None, segments):
            if skipped(words):
                continue
            assert words[0] == "symdl", f"README.md:{number}: {words[0]!r} is neither run nor skipped by name"
            stdout = None
            if ">" in words:
                at = words.index(">")
                assert at == len(words) - 2, f"README.md:{number}: only a final '> FILE' is understood"
                stdout, words = words[-1], words[:at]
            assert not set(words) & {"|", "<", ">>", "&", "||"}, f"README.md:{number}: {raw!r} is not understood"
            found.append(Command(number, tuple(words[1:]), stdout, comment))
    return found


BLOCKS = blocks(README.read_text(encoding="utf-8"))
COMMANDS = [c for b in BLOCKS if b.language == "bash" for c in commands(b)]


def cases(language: str) -> list:
    """The blocks of LANGUAGE, each named by its line and its first line of code that is not an import."""
    named = []
    for b in (b for b in BLOCKS if b.language == language):
        code = [line for line in b.text.splitlines() if line and not re.match(r"(>>> )?(import|from) ", line)]
        named.append(pytest.param(b, id=f"README.md:{b.line} {split_comment(code[0])[0].strip()[:50]}"))
    return named


def test_every_block_is_run():
    """Every block is of a language this test runs (a ```text or unlabelled block would escape it)."""
    assert [(b.line, b.language) for b in BLOCKS if b.language not in LANGUAGES] == []
    assert COMMANDS and all(cases(language) for language in LANGUAGES)


@pytest.fixture
def in_checkout(tmp_path, monkeypatch):
    """A working directory like the repository's root: a copy of ``examples/``. The README starts from the plain
    catalogue, and what it defines (``symdl.define``) is forgotten afterwards: other tests' definitions and the
    README's do not meet."""
    shutil.copytree(ROOT / "examples", tmp_path / "examples")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(catalog, "_CUSTOM", {})
    return tmp_path


@pytest.mark.parametrize("block", cases("pycon"))
def test_readme_doctest(block, in_checkout):
    parser = doctest.DocTestParser()  # lineno: doctest's report names README lines
    test = parser.get_doctest(block.text, {"__name__": "README"}, "README", "README.md", block.line - 1)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    report: list[str] = []
    result = runner.run(test, out=report.append)
    assert result.attempted and not result.failed, "".join(report)


@pytest.mark.parametrize("block", cases("python"))
def test_readme_python(block, in_checkout):
    code = compile("\n" * (block.line - 1) + block.text, "README.md", "exec")  # tracebacks name README lines
    exec(code, {"__name__": "README"})


def stated(comment: str) -> list[tuple[str, str]]:
    """The ``NAME = VALUE`` pairs of a comment, VALUE a number or a (nested) bracketed list."""
    pairs = []
    for found in re.finditer(r"(?<![\w/])([A-Za-z][\w/]*) = ", comment):
        rest = comment[found.end() :]
        if rest.startswith("["):
            pairs.append((found.group(1), _bracketed(rest)))
        elif number := re.match(r"-?\d+(?:\.\d+)?(?:/\d+)?", rest):
            pairs.append((found.group(1), number.group()))
    return pairs


def _bracketed(text: str) -> str:
    """The balanced ``[...]`` that TEXT starts with."""
    depth = 0
    for at, char in enumerate(text):
        depth += {"[": 1, "]": -1}.get(char, 0)
        if depth == 0:
            return text[: at + 1]
    return text


def prints(output: str, name: str, value: str) -> bool:
    """``NAME ... = VALUE`` on one line of the output, or VALUE on the next line, which starts with ``=``."""
    pattern = rf"(?<![\w/]){re.escape(name)}(?![\w/])[^\n]*?(?:\n[ \t]*)?=[ \t]*{re.escape(value)}(?![\w.])"
    return re.search(pattern, output) is not None


def command_id(command: Command) -> str:
    redirect = f" > {command.stdout}" if command.stdout else ""
    cheaper = f" [run with {' '.join(CHEAPER[command.args])}]" if command.args in CHEAPER and not FULL else ""
    return f"README.md:{command.line} symdl {shlex.join(command.args)}{redirect}{cheaper}"


@pytest.mark.parametrize("command", [pytest.param(c, id=command_id(c)) for c in COMMANDS])
def test_readme_command(command, in_checkout, capsys):
    args = command.args
    if command.args in CHEAPER and not FULL:
        args += CHEAPER[command.args]  # see CHEAPER: the command as written takes minutes
    code, out, err = run_symdl(capsys, *args)
    assert code == 0, f"symdl {shlex.join(args)} exited {code}:\n{err}"
    written = [command.stdout] if command.stdout else []
    for flag in ("-o", "--output", "--graph"):
        if flag in args:
            written.append(args[args.index(flag) + 1])
    if command.stdout:
        (in_checkout / command.stdout).write_text(out, encoding="utf-8")
    for name in written:
        assert (in_checkout / name).is_file() and (in_checkout / name).stat().st_size > 0, f"{name} not written"
    if "--json" in args:
        json.loads(out)
    missing = [f"{name} = {value}" for name, value in stated(command.comment) if not prints(out, name, value)]
    assert not missing, f"the README says {missing}, symdl {shlex.join(args)} printed:\n{out}"


def test_stated_values_are_read():
    """The comment parser sees what the README states, and the output matcher finds only what is printed."""
    assert stated("MSE against T = [1, 0]: L = 1, dL/dW2 = [[4, 4], [3, 3], [-2, -2]]") == [
        ("T", "[1, 0]"),
        ("L", "1"),
        ("dL/dW2", "[[4, 4], [3, 3], [-2, -2]]"),
    ]
    assert stated("... at other parameter values") == []
    report = "  Y = identity(Z2)  = [2, 3]\n  L  = 10\n  dL/dW2 = H1^T delta2\n      = [[4, 4]]\n"
    assert prints(report, "Y", "[2, 3]") and prints(report, "dL/dW2", "[[4, 4]]")
    assert not prints(report, "Y", "[2, 1]") and not prints(report, "L", "1") and not prints(report, "W2", "[[4, 4]]")
    assert sum(bool(stated(c.comment)) for c in COMMANDS) >= 3  # the README's stated values are seen
