"""The exact values the compiled functions are judged against: mpmath on the definition as written.

``exact`` evaluates an expression to 50 correct digits, raising mpmath's
precision until two precisions agree; ``reference`` does so at every point of
a grid and keeps each value as a float64 pair (hi + lo) with the condition
number there.  ``symdl.numeric.check`` compares compiled functions with these.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import mpmath
import numpy as np
from sympy import Expr, Piecewise, Symbol, diff

from symdl.catalog import x
from symdl.engine.regions import as_piecewise, regions
from symdl.functions import as_mpmath

DIGITS = 50
TINY = {np.dtype(np.float64): 1e-300, np.dtype(np.float32): 5e-31}  # ~4.5e7 x the smallest normal


def grid() -> np.ndarray:
    """20,001 points evenly over [-50, 50], plus 2,000 log-spaced |x| in [1e-300, 700], both signs."""
    logs = np.geomspace(1e-300, 700.0, 2000)
    return np.concatenate([np.linspace(-50, 50, 20001), logs, -logs])


# --------------------------------------------------------------------------- reference values


def mp_callable(expr: Expr, values: Mapping[Symbol, Expr]) -> Callable:
    """mpmath function of x for an expression as written (SymPy's own lambdify, Piecewise rewrite), each
    function evaluated as its record in ``symdl.functions`` says (mpmath has no erfcinv or LambertW by that name)."""
    return as_mpmath(x, as_piecewise(expr.subs(values)).rewrite(Piecewise), cse=True)  # a repeated term once


_BELOW_FLOATS = mpmath.mpf(10) ** -320


def _decades_below_one(value: mpmath.mpf) -> int:
    """About -log10 |value| (within one), from the binary exponent: no logarithm evaluated."""
    return -int(mpmath.mag(value) * 0.30103)


def exact(
    f: Callable, t: float, digits: int = DIGITS, magnitude: Callable | None = None, floor: float = 0.0
) -> mpmath.mpf:
    """f(t) to ``digits`` correct digits, or, where |f(t)| is below ``floor``, to within ``floor`` * 1e-10.

    Working precision must cover both the digits wanted and the value's own
    smallness: in ``log(exp(x) + 1)`` at x = -245 the term e^x ~ 1e-107 is
    absorbed by the 1 at 60 digits and at 90 alike, so agreement of two
    precisions proves nothing unless both resolve the value's magnitude.  The
    magnitude comes from ``magnitude`` (another form of the same function, e.g.
    the stable form, evaluated at ``digits`` + 15) or from a first evaluation.
    Then the definition at that precision must agree to ``digits`` digits with
    ``magnitude`` (two different forms agreeing are both right: one evaluation
    of the definition, not two), or else two precisions 30 digits apart must
    agree.  The value returned is always the definition's own.
    A zero estimate is not believed (x - tanh x cancels in every form): the
    definition is raised to 80, 200, 450 digits first.  A value below 1e-320
    at 400 digits is beneath every float: it is 0.

    ``floor`` is where a check's tolerance becomes absolute (``TINY``): beneath it
    the definition need only be resolved to ``floor`` * 1e-10, by two precisions
    30 digits apart agreeing that closely, which costs far fewer digits than the
    value's own (1 + erf(x) at x = -26 is 1e-148; float32 needs it only to 5e-41).
    """
    point = mpmath.mpf(t)
    estimate = None  # the other form's value at ``digits`` + 15: the magnitude, and later the confirmation
    if magnitude is not None:
        with mpmath.workdps(digits + 15):
            guess = estimate = magnitude(point)
    else:
        with mpmath.workdps(30):
            guess = f(point)
    for dps in (80, 200, 450):  # a zero is believed only when the definition itself stays 0 at 450 digits
        if guess != 0:
            break
        with mpmath.workdps(dps):
            guess = f(point)
    if guess == 0:
        return mpmath.mpf(0)
    scale = max(0, _decades_below_one(guess))
    if abs(guess) < floor:  # float32's TINY: a few dozen digits settle it; float64's: 1e-300 as below
        close = mpmath.mpf(floor) * mpmath.mpf(10) ** -10
        dps = digits // 2 + _decades_below_one(close)
        if scale <= 330 or dps < 200:
            with mpmath.workdps(dps):
                low = f(point)
            with mpmath.workdps(dps + 30):
                high = f(point)
            if abs(high - low) <= close and abs(high) < floor:
                return high
    if scale > 330:
        with mpmath.workdps(400):
            if abs(f(point)) < _BELOW_FLOATS:
                return mpmath.mpf(0)
    dps = digits + 15 + min(scale, 330)
    while dps <= 4000:
        with mpmath.workdps(dps):
            low = f(point)
        if estimate is not None and low != 0:  # one evaluation of the definition, confirmed by the other form
            agrees = abs(estimate - low) <= abs(low) * mpmath.mpf(10) ** -digits
            if agrees and _decades_below_one(low) <= scale + 5:
                return low
            estimate = None
        with mpmath.workdps(dps + 30):
            high = f(point)
        if high != 0 and abs(high - low) <= abs(high) * mpmath.mpf(10) ** -digits:
            resolved = _decades_below_one(high)
            if resolved <= scale + 5:
                return high
            scale = resolved
        elif high == 0 and low == 0 and dps >= 400:
            return mpmath.mpf(0)
        else:
            scale = max(scale + 60, 2 * scale)
        dps = digits + 15 + scale
    raise ArithmeticError(f"no stable value at x = {t} even at 4000 digits")


@dataclass(frozen=True)
class Reference:
    """Exact values at points, as float64 pairs (hi + lo), with the condition number there."""

    points: np.ndarray
    hi: np.ndarray
    lo: np.ndarray
    kappa: np.ndarray


def reference(expr: Expr, values: Mapping[Symbol, Expr], points: np.ndarray, floor: float = 0.0) -> Reference:
    """Exact g and kappa = |x g'/g| at each point; below ``floor`` (the check's ``TINY``) only to within
    ``floor`` * 1e-10, where kappa is not used (``exact``).

    The values are mpmath's evaluation of the expression as written; the stable
    form only suggests the precision to start at.  kappa, a tolerance factor and
    not a value under test, is taken from the stable forms of g and g' at 30 digits.
    """
    from symdl.numeric.stable import mpmath_function

    g = mp_callable(expr, values)
    scale = mpmath_function(expr, values)
    slope = mpmath_function(_piecewise_diff(expr, values), values)
    hi, lo, kappa = (np.empty(len(points)) for _ in range(3))
    for m, t in enumerate(points):
        value = exact(g, float(t), magnitude=scale, floor=floor)
        hi[m] = float(value)
        lo[m] = float(value - mpmath.mpf(hi[m])) if np.isfinite(hi[m]) else 0.0
        if abs(value) < max(floor, TINY[np.dtype(np.float64)]):
            kappa[m] = 0.0  # deep underflow: the absolute tolerance applies, kappa is not used
        else:
            with mpmath.workdps(30):
                point = mpmath.mpf(float(t))
                kappa[m] = float(abs(point * slope(point) / value))
    return Reference(points, hi, lo, kappa)


def _piecewise_diff(expr: Expr, values: Mapping[Symbol, Expr]) -> Expr:
    """d/dx of an expression, branch by branch (a breakpoint takes its own branch's slope)."""
    regs = regions(expr, x, values)
    if len(regs) == 1:
        return diff(regs[0].expr, x)
    return Piecewise(*((diff(r.expr, x), r.condition(x)) for r in regs[:-1]), (diff(regs[-1].expr, x), True))


def points_in(dtype: np.dtype, points: np.ndarray) -> np.ndarray:
    """The grid as the dtype holds it (float32 rounds the points), back in float64, distinct."""
    return np.unique(points.astype(dtype).astype(np.float64))
