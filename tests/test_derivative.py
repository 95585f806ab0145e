"""Derivatives: equal to sympy.diff of the definition, symbolically and against mpmath at 50 digits."""

from __future__ import annotations

import mpmath
import pytest
from sympy import (
    KroneckerDelta,
    Matrix,
    Piecewise,
    Rational,
    Symbol,
    diff,
    exp,
    piecewise_fold,
    simplify,
    tanh,
    true,
)

import symdl
from symdl.catalog import alpha, i, j, lam, n, x, xs
from tests.conftest import SCALAR, VECTOR, activations, mp_function

# Exact points that avoid every breakpoint in the catalogue (0, +-1/2, +-1, +-3, 6, 1/10).
POINTS = [Rational(k, 3) + Rational(1, 7) for k in range(-30, 31)]


def branch_at(expr, point, values):
    """The branch of a (possibly piecewise) expression selected at x = point."""
    if not isinstance(expr, Piecewise):
        return expr
    for e, c in expr.args:
        if c.subs(x, point).subs(values) == true:
            return e
    raise AssertionError(f"no branch of {expr} at {point}")


@pytest.mark.parametrize("act", activations(SCALAR))
def test_derivative_equals_diff_branch_by_branch(act):
    """On every region the derived branch minus diff's branch simplifies to 0 (parameters symbolic)."""
    derived = symdl.derivative(act)
    raw = piecewise_fold(diff(act.definition, x).rewrite(Piecewise))
    pairs = {(branch_at(derived, p, act.params), branch_at(raw, p, act.params)) for p in POINTS}
    for ours, sympys in pairs:
        assert simplify(ours - sympys) == 0, (ours, sympys)


@pytest.mark.parametrize("act", activations(SCALAR))
def test_derivative_matches_mpmath_numerical_derivative(act):
    """At 201 points, f' agrees with mpmath's own numerical differentiation of f at 50 digits."""
    f = mp_function(act.definition, act)
    df = mp_function(symdl.derivative(act), act)
    points = [mpmath.mpf(-10) + mpmath.mpf(k) / 10 + mpmath.mpf(1) / 97 for k in range(201)]
    for t in points:
        expected = mpmath.diff(f, t)
        got = df(t)
        assert abs(got - expected) <= mpmath.mpf(10) ** -35 * (1 + abs(expected)), (t, got, expected)


@pytest.mark.parametrize("act", activations(VECTOR))
def test_jacobian_matches_the_explicit_three_vector(act):
    """For n = 3 the derived Jacobian entry (i, j) equals SymPy's jacobian of the explicit vector function."""
    x1, x2, x3 = (Symbol(f"x{m}", real=True) for m in (1, 2, 3))
    explicit = Matrix(
        [act.definition.subs({i: m, n: 3}).doit().subs({xs[1]: x1, xs[2]: x2, xs[3]: x3}) for m in (1, 2, 3)]
    )
    expected = explicit.jacobian([x1, x2, x3])
    derived = symdl.derivative(act)
    for a in range(3):
        for b in range(3):
            entry = derived.subs({i: a + 1, j: b + 1, n: 3}).doit().subs({xs[1]: x1, xs[2]: x2, xs[3]: x3})
            assert simplify(entry - expected[a, b]) == 0


# Golden forms of the lecture's eight, reviewed by eye against a textbook:
# sigma'(x) = e^{-x}/(1+e^{-x})^2, tanh' = 1 - tanh^2, piecewise slopes with the kink on the left branch.
y = Symbol("y", real=True)
GOLDEN = {
    "sigmoid": exp(-x) / (1 + exp(-x)) ** 2,
    "tanh": 1 - tanh(x) ** 2,
    "relu": Piecewise((1, x > 0), (0, True)),
    "leaky_relu": Piecewise((1, x > 0), (alpha, True)),
    "prelu": Piecewise((1, x > 0), (alpha, True)),
    "elu": Piecewise((1, x > 0), (alpha * exp(x), True)),
    "selu": Piecewise((lam, x > 0), (lam * alpha * exp(x), True)),
}


@pytest.mark.parametrize("name, expected", GOLDEN.items())
def test_lecture_derivatives_are_the_textbook_forms(name, expected):
    assert symdl.derivative(name) == expected  # structural equality: the printed form itself


def test_softmax_jacobian_is_s_i_delta_minus_s_j():
    ys = symdl.engine.calculus.ys
    assert simplify(symdl.output_form("softmax") - ys[i] * (KroneckerDelta(i, j) - ys[j])) == 0
    assert symdl.output_form("softmax").has(KroneckerDelta(i, j))
