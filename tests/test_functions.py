"""The table of primitives: every function the parser accepts parses, prints, compiles and evaluates in mpmath.

One test per row of ``symdl.functions.PRIMITIVES``, so a primitive added there is checked here without more
typing: its NumPy form against its mpmath form, and for a primitive the parser accepts, a user's expression
built on it through every stage (parse, LaTeX, ``numpy_function``, ``symdl derive``).
"""

from __future__ import annotations

import mpmath
import numpy as np
import pytest
from conftest import run_symdl
from sympy import Piecewise, lambdify

import symdl
from symdl.catalog import x
from symdl.functions import MPMATH, PARSED, PRIMITIVES
from symdl.parse import FUNCTIONS, BadExpression, parse
from symdl.render.printer import LecturePrinter

# A user's expression on each parser name, real on the whole line (log and sqrt of something positive,
# tan where its argument stays within (-pi/2, pi/2)).  Not log(1 + x^2) or sqrt(1 + x^2): x*x overflows
# at x = 1e200, and the compiler has no rewrite for that yet (left for the hardening issue).
USES = {
    "exp": "exp(x)",
    "log": "log(1 + exp(-x^2))",
    "ln": "ln(1 + exp(x))",
    "sqrt": "sqrt(1 + tanh(x)^2)",
    "abs": "abs(x)",
    "tanh": "tanh(x)",
    "sinh": "sinh(x)",
    "cosh": "cosh(x)",
    "sin": "sin(x)",
    "cos": "cos(x)",
    "tan": "where(x > 1, 0, where(x < -1, 0, tan(x)))",
    "atan": "atan(x)",
    "arctan": "arctan(2*x)",
    "erf": "erf(x)",
    "erfc": "erfc(pi*x)",
    "max": "max(x, 0.5*x)",
    "min": "min(x, 0.5*x)",
}
POINTS = [-3.1, -0.7, 0.3, 1.5, 4.2]

# symdl derive of NAME(x) crashes inside the engine's properties (a periodic function's limits at ±∞ are
# AccumBounds): left for the hardening issue.
ENGINE_GAPS = {"sin", "cos"}


def test_every_parser_name_has_a_use_here():
    assert sorted(USES) == sorted(PARSED)
    assert set(FUNCTIONS) == {name for name, p in PARSED.items() if p.arity == 1}


@pytest.mark.parametrize("record", [p for p in PRIMITIVES if p.numpy is not None and p.arity == 1], ids=lambda p: p.key)
def test_numpy_form_agrees_with_mpmath_form(record):
    """Each row's ufunc and its mpmath function, at points inside every row's domain (erfinv's: (-1, 1))."""
    points = np.array([0.05, 0.3, 0.45, 0.9])
    got = record.ufunc()(points)
    with mpmath.workdps(30):
        for t, value in zip(points, got, strict=True):
            exact = record.mpmath(mpmath.mpf(float(t)))
            assert abs(value - float(exact)) <= 1e-13 * abs(float(exact)), (record.key, t, value, exact)
    assert MPMATH[record.key] is record.mpmath


@pytest.mark.parametrize("name", sorted(USES))
def test_a_parsed_primitive_parses_prints_and_compiles(name):
    record, text = PARSED[name], USES[name]
    expr = parse(text)
    if record.is_class:
        assert expr.atoms(record.function), (name, expr)
    tex = LecturePrinter().doprint(expr)
    assert record.tex is None or record.tex in tex, tex
    act = symdl.define(f"t_{name}", text)
    f = symdl.numpy_function(act)
    df = symdl.numpy_function(act, derivative=True)
    exact = lambdify(x, act.definition.rewrite(Piecewise), modules=[MPMATH, "mpmath"])
    exact_slope = lambdify(x, act.definition.diff(x).rewrite(Piecewise), modules=[MPMATH, "mpmath"])
    with mpmath.workdps(30):
        for t in POINTS:
            value, slope = exact(mpmath.mpf(t)), exact_slope(mpmath.mpf(t))
            assert abs(f(t) - float(value)) <= 1e-12 * max(abs(float(value)), 1e-300), (name, t)
            assert abs(df(t) - float(slope)) <= 1e-12 * max(abs(float(slope)), 1e-300), (name, t)
    assert f(np.float32(0.3)).dtype == np.float32


@pytest.mark.parametrize("name", sorted(USES))
def test_derive_of_each_primitive_answers_or_refuses_in_one_line(capsys, name):
    if name in ENGINE_GAPS:
        pytest.xfail("the engine's properties of a periodic function: the hardening issue")
    text = f"{name}(x, 0)" if PARSED[name].arity == 2 else f"{name}(x)"
    code, _out, err = run_symdl(capsys, "derive", text)
    assert code == 0 or (code == 2 and len(err.strip().splitlines()) == 1 and "internal error" not in err), err
    assert "internal error" not in err


@pytest.mark.parametrize(
    "text, node",
    [
        ("log(x)", "log(x)"),
        ("sqrt(x - 1)", "sqrt(x - 1)"),
        ("x^0.5", "sqrt(x)"),
        ("x^(1/3)", "x**(1/3)"),
        ("tan(x)", "tan(x)"),
        ("2*log(a + x^2)", "log(x**2 - 1)"),  # at a = -1
    ],
)
def test_a_function_outside_its_domain_is_refused_in_one_line(text, node):
    with pytest.raises(BadExpression, match="not a real number for every real x") as refused:
        symdl.define("t_outside", text, {"a": "-1"} if "a +" in text else None)
    assert node in str(refused.value) and "\n" not in str(refused.value)


@pytest.mark.parametrize("text", ["log(1 + exp(x))", "sqrt(x^2 + 1/2)", "where(x > 0, log(x), x)", "2^x"])
def test_inside_its_domain_or_a_branch_is_accepted(text):
    assert symdl.define("t_inside", text).definition == parse(text)


def test_erfc_prints_as_its_record_says():
    assert LecturePrinter().doprint(parse("erfc(pi*x)")) == r"\operatorname{erfc}(\pi x)"


@pytest.mark.parametrize("record", [p for p in PRIMITIVES if p.arity == 1], ids=lambda p: p.key)
def test_the_checker_evaluates_every_record(record):
    """The checker's mpmath reference knows every function the engine may write (erfcinv, LambertW too)."""
    from sympy import Rational

    from symdl.numeric.check import mp_callable

    with mpmath.workdps(30):
        got = mp_callable(record.function(x / 7 + Rational(1, 2)), {})(mpmath.mpf("0.3"))
        assert abs(got - record.mpmath(mpmath.mpf("0.3") / 7 + mpmath.mpf(1) / 2)) < mpmath.mpf(10) ** -25
