"""Shared helpers: the catalogue split into scalar and vector entries, mpmath oracles, the ``symdl`` command
run in-process, and documents compiled by a real TeX installation."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import mpmath
import pytest
from sympy import Piecewise, lambdify

import symdl
from symdl.catalog import CATALOGUE, x
from symdl.cli import main

SCALAR = [a.name for a in CATALOGUE if not a.is_vector]
VECTOR = [a.name for a in CATALOGUE if a.is_vector]
LECTURE = ["sigmoid", "softmax", "tanh", "relu", "leaky_relu", "prelu", "elu", "selu"]


def mp_function(expr, act):
    """An mpmath function of x for a SymPy expression, at the declared parameter values.

    Written with SymPy's own lambdify and Piecewise rewrite, independent of symdl's engine.
    """
    plain = expr.subs(act.params).rewrite(Piecewise)
    return lambdify(x, plain, modules="mpmath")


@pytest.fixture(autouse=True)
def _fifty_digits():
    with mpmath.workdps(50):
        yield


def activations(names):
    return [pytest.param(symdl.activation(n), id=n) for n in names]


def run_symdl(capsys, *args):
    """Run ``symdl ARGS`` in-process: its exit status, standard output and standard error."""
    try:
        main([str(a) for a in args])
        code = 0
    except SystemExit as done:
        code = done.code
    out, err = capsys.readouterr()
    return code, out, err


TEX = shutil.which("latexmk") and shutil.which("pdflatex")


def compile_pdf(tmp_path: Path, name: str, text: str) -> str:
    """Compile ``text`` and return its log; fail with the first TeX error."""
    source = tmp_path / f"{name}.tex"
    source.write_text(text, encoding="utf-8")
    done = subprocess.run(
        ["latexmk", "-pdf", "-interaction=nonstopmode", "-halt-on-error", source.name],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    log = (tmp_path / f"{name}.log").read_text(encoding="utf-8", errors="replace")
    errors = [line for line in log.splitlines() if line.startswith("!")]
    assert done.returncode == 0 and (tmp_path / f"{name}.pdf").stat().st_size > 0, errors[:5] or done.stdout[-2000:]
    return log


def text_of(pdf: Path) -> str | None:
    """The PDF's text (pdftotext, which CI installs with TeX); None where poppler is missing."""
    if not shutil.which("pdftotext"):
        return None
    return subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
