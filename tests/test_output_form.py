"""Output forms: g(f(x)) = f'(x), found by the engine, never typed."""

from __future__ import annotations

import mpmath
import pytest
from sympy import KroneckerDelta, Piecewise, Symbol, exp, piecewise_fold, simplify

import symdl
from symdl.catalog import alpha, beta, i, j, lam, x
from symdl.engine.calculus import y, ys
from tests.conftest import SCALAR, activations, mp_function

# No closed-form output form: f is not one-to-one (GELU, SiLU, Mish, Gaussian, hardswish's middle,
# threshold's value re-attained), or y = f(x) has no elementary inverse (tanhshrink).
NONE = {"gelu", "gelu_tanh", "silu", "mish", "gaussian", "hardswish", "tanhshrink", "threshold"}


@pytest.mark.parametrize("act", activations(SCALAR))
def test_output_form_exists_exactly_where_expected(act):
    assert (symdl.output_form(act) is None) == (act.name in NONE)


@pytest.mark.parametrize("act", activations(sorted(set(SCALAR) - NONE)))
def test_output_form_composes_to_the_derivative_numerically(act):
    form = symdl.output_form(act).subs(act.params)
    f = mp_function(act.definition, act)
    df = mp_function(symdl.derivative(act), act)
    g = mp_function(piecewise_fold(form.rewrite(Piecewise)).subs(y, x), act)
    for k in range(201):
        t = mpmath.mpf(-12) + mpmath.mpf(k) * 12 / 100 + mpmath.mpf(1) / 89
        assert abs(g(f(t)) - df(t)) <= mpmath.mpf(10) ** -40 * (1 + abs(df(t))), (t, g(f(t)), df(t))


@pytest.mark.parametrize(
    "name, branch_value",
    [
        ("sigmoid", lambda: y * (1 - y)),
        ("tanh", lambda: 1 - y**2),
        ("softplus", lambda: 1 - exp(-beta * y)),
        ("logsigmoid", lambda: 1 - exp(y)),
    ],
)
def test_textbook_output_forms(name, branch_value):
    assert simplify(symdl.output_form(name) - branch_value()) == 0


t = Symbol("t", positive=True)


@pytest.mark.parametrize(
    "name, below_zero, above_zero",
    [("elu", -t / (1 + t) + alpha, 1), ("selu", -t / (1 + t) + lam * alpha, lam), ("relu", 0, 1)],
)
def test_piecewise_output_forms(name, below_zero, above_zero):
    """ELU: g(y) = y + alpha for y <= 0 (y = -t/(1+t) lies in (-1, 0)), 1 for y > 0; SELU with lambda."""
    g = symdl.output_form(name)
    if name != "relu":
        assert simplify(g.subs(y, -t / (1 + t)) - below_zero) == 0
    assert simplify(g.subs(y, t) - above_zero) == 0
    assert g.subs(y, 0) == (alpha if name == "elu" else lam * alpha if name == "selu" else 0)


def test_vector_output_forms():
    d = KroneckerDelta(i, j)
    assert simplify(symdl.output_form("softmax") - ys[i] * (d - ys[j])) == 0
    assert simplify(symdl.output_form("softmin") - ys[i] * (ys[j] - d)) == 0
    assert simplify(symdl.output_form("log_softmax") - (d - exp(ys[j]))) == 0
