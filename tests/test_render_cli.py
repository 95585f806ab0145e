"""``symdl latex``: the real command, the files it writes, and one-line errors with exit status 2."""

from __future__ import annotations

import os
import stat

import pytest

from symdl.catalog import CATALOGUE
from symdl.render.formats import render
from symdl.render.notation import Style
from tests.conftest import run_symdl


def test_snippet_on_stdout(capsys):
    code, out, err = run_symdl(capsys, "latex", "sigmoid", "tanh")
    assert (code, err) == (0, "")
    assert r"\[ \sigma(x) = \frac{1}{1 + e^{-x}} \]" in out
    assert r"\[ \tanh'(x) = 1 - \tanh^2 x \]" in out


def test_options_reach_the_renderer(capsys):
    options = ("--format", "markdown", "--lang", "ko", "--variable", "z", "--cdot")
    code, out, _ = run_symdl(capsys, "latex", "leaky_relu", *options)
    assert code == 0
    assert out == render(["leaky_relu"], "markdown", Style(variable="z", cdot=True, lang="ko"))
    assert r"$$\operatorname{LeakyReLU}(z) = \max(0.01 \cdot z, z)$$" in out


def test_all_writes_the_file_atomically(capsys, tmp_path):
    target = tmp_path / "deck.tex"
    code, out, err = run_symdl(capsys, "latex", "--all", "--format", "beamer", "--lang", "ko", "-o", str(target))
    assert (code, out, err) == (0, "", "")
    text = target.read_text(encoding="utf-8")
    assert text == render([a.name for a in CATALOGUE], "beamer", Style(lang="ko"))
    assert text.index("Sigmoid") < text.index("Softmax") < text.index("GELU")  # the lecture's order first
    assert sorted(p.name for p in tmp_path.iterdir()) == ["deck.tex"]  # no temporary file left
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(target.stat().st_mode) == 0o666 & ~umask


def test_table_only(capsys):
    code, out, _ = run_symdl(capsys, "latex", "relu", "sigmoid", "--table", "--format", "markdown")
    assert code == 0 and out.startswith("| name | $f(x)$ | $f'(x)$ |")


@pytest.mark.parametrize(
    "args, message",
    [
        (("latex",), "give activation names, --define NAME=EXPR or --all"),
        (("latex", "relu", "--all"), "not names with --all"),
        (("latex", "sigmod"), "did you mean sigmoid?"),
        (("latex", "relu", "--format", "docx"), "Invalid value for '--format'"),
        (("latex", "relu", "--lang", "fr"), "Invalid value for '--lang'"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(capsys, args, message):
    code, out, err = run_symdl(capsys, *args)
    assert (code, out) == (2, "")
    assert len(err.strip().splitlines()) == 1 and message in err and "Traceback" not in err


def test_bad_input_writes_no_file(capsys, tmp_path):
    target = tmp_path / "out.tex"
    code, _, err = run_symdl(capsys, "latex", "relu", "sigmod", "-o", str(target))
    assert code == 2 and "sigmod" in err
    assert list(tmp_path.iterdir()) == []


def test_unwritable_target_is_one_line(capsys, tmp_path):
    code, _, err = run_symdl(capsys, "latex", "relu", "-o", str(tmp_path / "missing" / "out.tex"))
    assert code == 2 and len(err.strip().splitlines()) == 1 and "cannot write" in err
