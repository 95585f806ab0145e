"""Properties against outside references: papers, PyTorch's docs, independent mpmath computations."""

from __future__ import annotations

import mpmath
import pytest
from sympy import FiniteSet, Interval, Rational, log, oo, pi

import symdl
from symdl.catalog import SELU_ALPHA, SELU_SCALE, n

EXACT_RANGES = {
    "sigmoid": Interval.open(0, 1),
    "tanh": Interval.open(-1, 1),
    "relu": Interval(0, oo),
    "leaky_relu": Interval(-oo, oo),
    "elu": Interval.open(-1, oo),
    "selu": Interval.open(-SELU_SCALE * SELU_ALPHA, oo),
    "celu": Interval.open(-1, oo),
    "softplus": Interval.open(0, oo),
    "logsigmoid": Interval.open(-oo, 0),
    "softsign": Interval.open(-1, 1),
    "hardtanh": Interval(-1, 1),
    "hardsigmoid": Interval(0, 1),
    "relu6": Interval(0, 6),
    "hardswish": Interval(Rational(-3, 8), oo),
    "arctan": Interval.open(-pi / 2, pi / 2),
    "gaussian": Interval.Lopen(0, 1),
    "binary_step": FiniteSet(0, 1),
    "isru": Interval.open(-1, 1),
    "softmax": Interval.open(0, 1),
    "softmin": Interval.open(0, 1),
    "log_softmax": Interval.open(-oo, 0),
}


@pytest.mark.parametrize("name, expected", EXACT_RANGES.items())
def test_exact_ranges(name, expected):
    assert symdl.derive(name).properties.range == expected


def _gelu(t):
    return t * mpmath.ncdf(t)


def _silu(t):
    return t / (1 + mpmath.exp(-t))


def _mish(t):
    return t * mpmath.tanh(mpmath.log1p(mpmath.exp(t)))


def _gelu_tanh(t):
    return t / 2 * (1 + mpmath.tanh(mpmath.sqrt(2 / mpmath.pi) * (t + mpmath.mpf("0.044715") * t**3)))


def _minimum(f, guess):
    """Minimum of f by a root of mpmath's numerical derivative: an oracle independent of symdl."""
    t = mpmath.findroot(lambda s: mpmath.diff(f, s), guess)
    return f(t)


@pytest.mark.parametrize(
    "name, reference",
    [
        ("gelu", lambda: _minimum(_gelu, -0.75)),
        ("gelu_tanh", lambda: _minimum(_gelu_tanh, -0.75)),
        ("silu", lambda: -mpmath.lambertw(1 / mpmath.e).real),  # min x sigma(x) = -W(1/e)
        ("mish", lambda: _minimum(_mish, -1.2)),
    ],
)
def test_minimum_of_non_monotone_activations(name, reference):
    rng = symdl.derive(name).properties.range
    assert rng.sup == oo and not rng.left_open
    assert abs(mpmath.mpf(str(rng.inf.evalf(30))) - reference()) < mpmath.mpf(10) ** -25


@pytest.mark.parametrize(
    "name, reference",
    [
        ("sigmoid", lambda: mpmath.mpf(1) / 4),  # the vanishing-gradient lesson
        ("tanh", lambda: mpmath.mpf(1)),
        ("relu", lambda: mpmath.mpf(1)),
        ("elu", lambda: mpmath.mpf(1)),
        ("selu", lambda: mpmath.mpf(str(SELU_SCALE)) * mpmath.mpf(str(SELU_ALPHA))),
        ("hardsigmoid", lambda: mpmath.mpf(1) / 6),
        ("hardswish", lambda: mpmath.mpf(3) / 2),
        ("gaussian", lambda: mpmath.sqrt(2) * mpmath.exp(-0.5)),
        ("gelu", lambda: -_minimum(lambda s: -mpmath.diff(_gelu, s), 1.4)),
        ("silu", lambda: -_minimum(lambda s: -mpmath.diff(_silu, s), 2.4)),
        ("mish", lambda: -_minimum(lambda s: -mpmath.diff(_mish, s), 1.2)),
    ],
)
def test_sup_abs_slope(name, reference):
    got = symdl.derive(name).properties.max_slope
    assert abs(mpmath.mpf(str(got.evalf(30))) - reference()) < mpmath.mpf(10) ** -20


@pytest.mark.parametrize(
    "name, at_zero, slope_at_zero",
    [
        ("sigmoid", Rational(1, 2), Rational(1, 4)),
        ("tanh", 0, 1),
        ("relu", 0, 0),
        ("softplus", log(2), Rational(1, 2)),
        ("logsigmoid", -log(2), Rational(1, 2)),
        ("gelu", 0, Rational(1, 2)),
        ("silu", 0, Rational(1, 2)),
        ("mish", 0, Rational(3, 5)),  # tanh(log 2) = 3/5
        ("gaussian", 1, 0),
        ("hardsigmoid", Rational(1, 2), Rational(1, 6)),
        ("elu", 0, 1),
        ("softmax", 1 / n, None),
        ("log_softmax", -log(n), None),
    ],
)
def test_value_and_slope_at_zero(name, at_zero, slope_at_zero):
    p = symdl.derive(name).properties
    assert p.at_zero == at_zero
    if slope_at_zero is not None:
        assert p.slope_at_zero == slope_at_zero


@pytest.mark.parametrize(
    "name, lo, hi",
    [("sigmoid", 0, 1), ("tanh", -1, 1), ("elu", -1, oo), ("selu", -SELU_SCALE * SELU_ALPHA, oo),
     ("gelu", 0, oo), ("softplus", 0, oo), ("gaussian", 0, 0), ("arctan", -pi / 2, pi / 2)],
)  # fmt: skip
def test_limits_at_infinity(name, lo, hi):
    p = symdl.derive(name).properties
    assert (p.limit_neg, p.limit_pos) == (lo, hi)


CONTINUITY = {
    "relu": 0, "leaky_relu": 0, "prelu": 0, "selu": 0, "hardswish": 0, "hardtanh": 0, "relu6": 0,
    "elu": 1, "celu": 1, "softsign": 1,
    "binary_step": -1, "hardshrink": -1, "threshold": -1,
    "sigmoid": None, "tanh": None, "gelu": None, "silu": None, "softplus": None, "mish": None,
}  # fmt: skip


@pytest.mark.parametrize("name, order", CONTINUITY.items())
def test_order_of_continuity(name, order):
    """ELU with alpha = 1 is C^1, SELU is C^0 (Clevert et al. 2016; Klambauer et al. 2017); None is C^inf."""
    assert symdl.derive(name).properties.continuity == order


def test_elu_with_other_alpha_is_only_c0():
    assert symdl.derive("elu", {"alpha": "0.5"}).properties.continuity == 0


MONOTONIC = {
    "sigmoid": "increasing", "tanh": "increasing", "elu": "increasing", "softplus": "increasing",
    "leaky_relu": "increasing", "relu": "non-decreasing", "relu6": "non-decreasing",
    "binary_step": "non-decreasing", "hardshrink": "non-decreasing", "hardtanh": "non-decreasing",
    "gelu": "no", "silu": "no", "mish": "no", "gaussian": "no", "hardswish": "no", "threshold": "no",
    "softmin": "decreasing", "softmax": "increasing",
}  # fmt: skip


@pytest.mark.parametrize("name, expected", MONOTONIC.items())
def test_monotonic(name, expected):
    assert symdl.derive(name).properties.monotonic == expected


@pytest.mark.parametrize(
    "name, expected",
    [("tanh", True), ("sigmoid", False), ("relu", False), ("leaky_relu", True), ("elu", True),
     ("softplus", False), ("arctan", True), ("softmax", False)],
)  # fmt: skip
def test_zero_centred(name, expected):
    assert symdl.derive(name).properties.zero_centred is expected


def test_gelu_sup_slope_is_exact():
    """GELU' peaks at x = sqrt(2): Phi(sqrt 2) + sqrt(2) phi(sqrt 2), found exactly."""
    got = symdl.derive("gelu").properties.max_slope
    assert not got.is_Float
    assert abs(float(got) - float(mpmath.ncdf(mpmath.sqrt(2)) + mpmath.sqrt(2) * mpmath.npdf(mpmath.sqrt(2)))) < 1e-15
