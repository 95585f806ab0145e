"""Shared helpers: the catalogue split into scalar and vector entries, the lecture slide's matrices, mpmath
oracles, the ``symdl`` command run in-process, and documents compiled by a real TeX installation.

The derivation cache (``symdl.cache``) of the whole session is one temporary directory, never the user's own:
the controller makes it before any test runs and hands it to its workers (pytest-xdist) and to every process
a test starts through the environment; each entry is written whole, so workers share it safely."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import mpmath
import pytest
from sympy import Piecewise, Rational, lambdify

import symdl
from symdl.catalog import CATALOGUE, x
from symdl.cli import main

_SESSION_CACHE: list[str] = []  # the directory this process made (the controller's), removed at the end


def pytest_configure(config):
    if hasattr(config, "workerinput"):  # a pytest-xdist worker: the controller's directory is in its environment
        return
    directory = tempfile.mkdtemp(prefix="symdl-test-cache-")
    _SESSION_CACHE.append(directory)
    os.environ["SYMDL_CACHE_DIR"] = directory


def pytest_collection_modifyitems(config, items):
    """The slow tests first (stable otherwise): with -n, a long test that starts last keeps one worker busy
    while the others wait, so the longest go out first."""
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)


def pytest_unconfigure(config):
    while _SESSION_CACHE:
        shutil.rmtree(_SESSION_CACHE.pop(), ignore_errors=True)


SCALAR = [a.name for a in CATALOGUE if not a.is_vector]
VECTOR = [a.name for a in CATALOGUE if a.is_vector]
LECTURE = ["sigmoid", "softmax", "tanh", "relu", "leaky_relu", "prelu", "elu", "selu"]

# The slide's matrices ("선형함수", 딥러닝 강의 01), typed once and exactly: Z1 = X W1 + B1, Z2 = H1 W2 + B2,
# row vectors, each a tuple of rows.  Every other form the tests use is derived from these below.
_HALF = Rational(1, 2)
SLIDE = {
    "X": ((1, 2, 1),),
    "W1": ((1, 1, -1), (1, _HALF, -1), (1, 1, 1)),
    "B1": ((0, 0, 0),),
    "W2": ((1, _HALF), (-1, _HALF), (0, 1)),
    "B2": ((1, -_HALF),),
}


def as_mpf(rows) -> list[list[mpmath.mpf]]:
    """A matrix as lists of mpmath numbers (exact: the slide's entries are dyadic)."""
    return [[mpmath.mpf(v) for v in row] for row in rows]


def as_floats(rows) -> list[list[float]]:
    """A matrix as lists of Python floats, as ``ndarray.tolist()`` gives them."""
    return [[float(v) for v in row] for row in rows]


def printed(rows) -> str:
    """A matrix (or one row) as the text views and TOML write it: ``[[1, 0.5], [-1, 0.5]]``; 1/2 prints as 0.5."""
    if all(not isinstance(row, tuple | list) for row in rows):
        return "[" + ", ".join(str(int(v)) if v == int(v) else repr(float(v)) for v in rows) + "]"
    return "[" + ", ".join(printed(row) for row in rows) + "]"


# The slide as a network spec, one matrix a line (so a test can change one by its printed text), identity
# activations; tests/test_network.py checks it says what examples/lecture01.toml says.
SLIDE_TOML = f"""
X = {printed(SLIDE["X"][0])}
[[layer]]
W = {printed(SLIDE["W1"])}
B = {printed(SLIDE["B1"][0])}
activation = "identity"
[[layer]]
W = {printed(SLIDE["W2"])}
B = {printed(SLIDE["B2"][0])}
activation = "identity"
"""


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


def text_of(pdf: Path) -> str:
    """The PDF's text, by pdftotext, which CI installs with TeX (.ci/run); where TeX compiled the PDF but
    pdftotext is missing, the test fails: the text is what it checks."""
    if not shutil.which("pdftotext"):
        pytest.fail("pdftotext is not installed but TeX is: install poppler-utils (as .ci/run does) to read the PDF")
    return subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
