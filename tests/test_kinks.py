"""Kinks: the derivative takes PyTorch's autograd value where it is undefined."""

from __future__ import annotations

import pytest
from sympy import Rational, nsimplify

import symdl
from symdl.catalog import x

SELU_LAMBDA_ALPHA = 1.7580993408473766  # lambda * alpha, as PyTorch's SELU backward gives at 0

# (name, point, value PyTorch's autograd gives there), from PyTorch's backward kernels / docs.
PYTORCH = [
    ("relu", 0, 0),
    ("leaky_relu", 0, Rational(1, 100)),
    ("prelu", 0, Rational(1, 4)),
    ("elu", 0, 1),
    ("selu", 0, SELU_LAMBDA_ALPHA),
    ("celu", 0, 1),
    ("hardtanh", -1, 0),
    ("hardtanh", 1, 0),
    ("relu6", 0, 0),
    ("relu6", 6, 0),
    ("hardsigmoid", -3, 0),
    ("hardsigmoid", 3, 0),
    ("hardswish", -3, 0),
    ("hardswish", 3, 1),
    ("softshrink", Rational(-1, 2), 0),
    ("softshrink", Rational(1, 2), 0),
    ("hardshrink", Rational(-1, 2), 0),
    ("hardshrink", Rational(1, 2), 0),
]


@pytest.mark.parametrize("name, point, value", PYTORCH, ids=[f"{n}@{p}" for n, p, _ in PYTORCH])
def test_value_at_breakpoint_is_pytorchs(name, point, value):
    d = symdl.derive(name)
    at = {float(b.at.subs(d.valuemap)): b for b in d.breakpoints}
    assert float(point) in at, f"{name}: no breakpoint at {point}"
    used = at[float(point)].slope.subs(d.valuemap)
    assert float(used) == pytest.approx(float(value), rel=1e-15, abs=0)
    # The derivative expression itself gives the same value there.
    assert float(d.derivative.subs(d.valuemap).subs(x, point)) == pytest.approx(float(value), rel=1e-15, abs=0)


def test_elu_slope_at_zero_is_alpha_symbolically():
    b = symdl.derive("elu").breakpoints[0]
    assert b.slope == symdl.activation("elu").expr.free_symbols.difference({x}).pop()


@pytest.mark.parametrize(
    "name, kinks",
    [("relu", [0]), ("leaky_relu", [0]), ("selu", [0]), ("elu", []), ("celu", []), ("softsign", []),
     ("hardtanh", [-1, 1]), ("relu6", [0, 6]), ("hardswish", [-3, 3]), ("binary_step", [0]), ("sigmoid", []),
     ("gelu", [])],
)  # fmt: skip
def test_kinks_are_exactly_where_the_derivative_is_undefined(name, kinks):
    d = symdl.derive(name)
    assert [nsimplify(k.at.subs(d.valuemap)) for k in d.kinks] == kinks


def test_elu_with_other_alpha_has_a_kink():
    d = symdl.derive("elu", {"alpha": "0.5"})
    assert [k.at for k in d.kinks] == [0]
    k = d.kinks[0]
    assert (k.left_slope.subs(d.valuemap), k.right_slope, k.slope.subs(d.valuemap)) == (
        Rational(1, 2),
        1,
        Rational(1, 2),
    )


def test_discontinuities_are_reported():
    for name in ("binary_step", "hardshrink", "threshold"):
        assert all(not k.continuous for k in symdl.derive(name).kinks)
