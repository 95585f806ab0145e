"""Your own activation, compiled: what a lecturer might type meets the catalogue's numeric floors.

Each probe is typed twice: as the text a user gives ``symdl.define``, and here as a SymPy expression of
SymPy's own functions (softplus written log(1 + e^x), sigmoid 1/(1 + e^-x)).  The oracle is that
expression evaluated by mpmath, f' and f'' by SymPy's ``diff`` of it, never symdl's stable forms or
derivation, to 50 digits: two precisions 40 digits apart must agree that far, from 60 digits plus 2
per decade away from 1 (more where they do not), and a zero is believed only at |x| digits more.

On a grid from the smallest to the largest magnitudes of each dtype (float64: 1e-300 ... 1e300;
float32: 1e-38 ... 3e38), f and f' are, as ``symdl check`` asks of the catalogue,
within 4 (1 + kappa) ulp of the exact value (kappa = |x g'/g|, ulp in the input's dtype), or within
TINY of it where it underflows; inf exactly where the exact value is beyond the float range; no
warning, no NaN, and the input's dtype kept.  Where symdl cannot meet the floor, the test expects the
one-line refusal and says why.
"""

from __future__ import annotations

import warnings

import mpmath
import numpy as np
import pytest
from sympy import Expr, Piecewise, Rational, Symbol, cosh, diff, erf, exp, lambdify, log, sqrt, tanh

import symdl
from symdl.errors import DerivationError
from symdl.numeric.check import TINY

x = Symbol("x", real=True)

# name: (what the user types, the same function written here)
PROBES = {
    "mish": ("x*tanh(softplus(x))", x * tanh(log(1 + exp(x)))),
    "quick_gelu": ("x*sigmoid(1.702*x)", x / (1 + exp(-Rational(1702, 1000) * x))),
    "isru": ("x/sqrt(1+x^2)", x / sqrt(1 + x**2)),
    "softsign_sqrt": ("x/(1+sqrt(1+x^2))", x / (1 + sqrt(1 + x**2))),
    "hyperbolic": ("sqrt(1+x^2)-1", sqrt(1 + x**2) - 1),
    "hypot": ("sqrt(1+x^2)", sqrt(1 + x**2)),
    "log1p_square": ("log(1+x^2)", log(1 + x**2)),
    "log_cosh": ("log(cosh(x))", log(cosh(x))),
    "log_sum_exp": ("log(exp(x)+exp(-x))", log(exp(x) + exp(-x))),
    "x_erf": ("x*erf(x)", x * erf(x)),
    "tanh_x2": ("tanh(x)*x^2", tanh(x) * x**2),
    "softsign_right": ("where(x>0, x, x/(1+abs(x)))", Piecewise((x, x > 0), (x / (1 - x), True))),  # |x| = -x there
    "bump": ("x/(1+x^2)", x / (1 + x**2)),
    "gauss": ("exp(-x^2)", exp(-(x**2))),
    "cube": ("x^3", x**3),
    "sqrt_one_exp": ("sqrt(1+exp(x))", sqrt(1 + exp(x))),
}

# What symdl refuses, in one line, and why that is the honest answer.
REFUSED = {
    # log(1 + u^2) has a primitive that never overflows (log1p_sq: log1p(u^2), and 2 log|u| where u^2
    # would overflow), but here u = x^2 itself overflows past |x| = 1.3e154, where log(1 + x^4) ~ 4 log|x|
    # is still a float below 2840; no primitive takes x and gives log(1 + x^4), so f at 1e300 would be inf.
    "quartic_log": ("log(1+x^4)", "cannot evaluate near -inf (limit oo)"),
}

MAGNITUDES = {  # each side of 0, and 0; 1.4e154 is where x^2 overflows, 750 where e^-x underflows
    np.dtype(np.float64): [
        *(1e-300, 1e-100, 1e-8, 1e-4, 0.01, 0.1, 0.5, 0.7321, 1.0, 2.468, 5.0, 13.0, 30.0, 50.0, 300.0),
        *(700.0, 750.0, 1e10, 1e154, 1.4e154, 1e300),
    ],
    np.dtype(np.float32): [
        *(1e-38, 1e-20, 1e-8, 0.01, 0.5, 0.7321, 1.0, 2.468, 5.0, 13.0, 50.0, 100.0, 1e10, 1e20, 3e38),
    ],
}


def grid(dtype: np.dtype) -> np.ndarray:
    mags = np.array(MAGNITUDES[dtype], dtype=dtype)
    return np.concatenate([-mags[::-1], np.zeros(1, dtype), mags])


_SETTLED: dict[tuple[str, float], mpmath.mpf] = {}  # the slope of f is the value of f': computed once


def exact(g: Expr, t: float) -> mpmath.mpf:
    key = (str(g), t)
    if key not in _SETTLED:
        _SETTLED[key] = settled(lambdify(x, g, "mpmath"), t)
    return _SETTLED[key]


def settled(g, t: float) -> mpmath.mpf:
    """g(t) to 50 digits: two precisions 40 digits apart agree.

    They start at 60 digits, plus 2 per decade below 1 (sqrt(1 + x^2) - 1 at 1e-100 is 5e-201) and 1
    per decade above, plus the digits of e^-|x| up to |x| = 800 (in mish' at x = -300 the 1 of
    log(1 + e^x) absorbs e^x ~ 1e-130 at 65 and 105 digits alike, and the two agree on a wrong value;
    beyond 800, what e^-|x| could change is below every float).
    A zero is believed only at |x| digits more (1 - tanh(x)^2 written in e^x is exactly 0 at 200
    digits for x = 300, and 1e-260 at 400); a value below 1e-330 is 0 to every float."""
    decades = float(mpmath.log10(abs(t))) if t else 0.0
    dps = int(60 + (-2 * decades if decades < 0 else decades) + (0.44 * abs(t) if abs(t) <= 800 else 0))
    zeros_at = dps + int(min(abs(t), 800))
    while dps <= 4000:
        with mpmath.workdps(dps):
            low = g(mpmath.mpf(t))
        with mpmath.workdps(dps + 40):
            high = g(mpmath.mpf(t))
            if high == 0 and low == 0 and dps < zeros_at:
                dps = zeros_at
                continue
            if abs(high) < mpmath.mpf(10) ** -330 and abs(low) < mpmath.mpf(10) ** -330:
                return mpmath.mpf(0)
            if abs(high - low) <= abs(high) * mpmath.mpf(10) ** -50:
                return high
        dps *= 2
    raise AssertionError(f"the oracle does not settle at x = {t}")


def ulp(value: float, dtype: np.dtype) -> float:
    """The spacing of the dtype's floats at |value| (at the largest float, the spacing below it)."""
    top = dtype.type(np.finfo(dtype).max)
    magnitude = dtype.type(abs(value))
    return float(top - np.nextafter(top, dtype.type(0))) if magnitude == top else float(np.spacing(magnitude))


def floor_misses(got: np.ndarray, points: np.ndarray, truth: list, slopes: list, dtype: np.dtype) -> list[str]:
    """Each point where ``got`` misses 4 (1 + kappa) ulp (TINY where the exact value underflows)."""
    misses = []
    biggest = float(np.finfo(dtype).max)
    for t, value, e, d in zip(points, got, truth, slopes, strict=True):
        e_float = float(e)
        if abs(e) > biggest:
            if value != np.copysign(np.inf, e_float):
                misses.append(f"f({t:g}) = {value!r}, exact {mpmath.nstr(e, 5)} is beyond the floats: inf")
            continue
        error = abs(mpmath.mpf(float(value)) - e) if np.isfinite(value) else mpmath.inf
        if abs(e) < TINY[dtype]:
            allowed = mpmath.mpf(TINY[dtype])
        else:
            kappa = abs(mpmath.mpf(float(t)) * d / e)
            allowed = 4 * (1 + kappa) * mpmath.mpf(ulp(e_float, dtype))
        if not error <= allowed:
            ratio = mpmath.nstr(error / allowed, 3)
            misses.append(f"f({t:g}) = {value!r}, exact {mpmath.nstr(e, 17)}: {ratio} x the floor")
    return misses


@pytest.mark.parametrize("derivative", [False, True], ids=["f", "f'"])
@pytest.mark.parametrize("name", sorted(PROBES))
def test_a_custom_activation_meets_the_floor(name, derivative):
    text, written = PROBES[name]
    act = symdl.define(f"probe_{name}", text)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no RuntimeWarning, whatever the input
        compiled = symdl.numpy_function(act, derivative=derivative)
        g = diff(written, x) if derivative else written
        misses = []
        for dtype in MAGNITUDES:
            points = grid(dtype)
            got = compiled(points)
            assert got.dtype == dtype and got.shape == points.shape
            assert not np.isnan(got).any(), points[np.isnan(got)]
            truth = [exact(g, float(t)) for t in points]
            slopes = [exact(diff(g, x), float(t)) for t in points]
            misses += [f"{dtype}: {m}" for m in floor_misses(got, points, truth, slopes, dtype)]
        scalar = compiled(np.float32(0.5))
        assert isinstance(scalar, np.float32)
    assert not misses, "\n".join(misses)


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_what_cannot_meet_the_floor_is_refused_in_one_line(name):
    text, message = REFUSED[name]
    act = symdl.define(f"probe_{name}", text)
    with pytest.raises(DerivationError, match=message.replace("(", r"\(").replace(")", r"\)")) as refused:
        symdl.numpy_function(act)
    assert "\n" not in str(refused.value)
