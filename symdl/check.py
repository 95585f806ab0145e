"""The cross-check engine: every compiled function against its mathematics.

For each activation (scalar ones on the grid below; vector ones on random
vectors):
- compiled f  vs the definition evaluated by mpmath, in float64 and float32;
- compiled f' vs the symbolic derivative evaluated by mpmath, likewise;
- the symbolic derivative vs a central difference of the definition at 50 digits;
- the output form g(f(x)) vs f'(x), at 50 digits;
- the kink values of the compiled f' vs the convention the derivation records.

Accuracy is judged by backward stability: |computed - exact| <= 4 (1 + kappa) ulp(exact),
kappa = |x g'(x) / g(x)| the function's own condition number, ulp in the
input's precision; where |exact| is below ``TINY`` (deep underflow) an
absolute error up to ``TINY`` is correct.  The mpmath reference raises its
precision until two precisions agree, so it does not share the cancellation
of the naive formula it evaluates (1 + erf(x) at x = -26 needs 300 digits).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache

import mpmath
import numpy as np
from sympy import Expr, Piecewise, Symbol, diff, lambdify

from symdl.calculus import derive, y
from symdl.catalog import Activation, x
from symdl.regions import as_piecewise, regions

DIGITS = 50
TINY = {np.dtype(np.float64): 1e-300, np.dtype(np.float32): 5e-31}  # ~4.5e7 x the smallest normal


def grid() -> np.ndarray:
    """20,001 points evenly over [-50, 50], plus 2,000 log-spaced |x| in [1e-300, 700], both signs."""
    logs = np.logspace(-300, np.log10(700), 2000)
    return np.concatenate([np.linspace(-50, 50, 20001), logs, -logs])


# --------------------------------------------------------------------------- reference values


def mp_callable(expr: Expr, values: Mapping[Symbol, Expr]) -> Callable:
    """mpmath function of x for an expression as written (SymPy's own lambdify, Piecewise rewrite)."""
    return lambdify(x, as_piecewise(expr.subs(values)).rewrite(Piecewise), modules="mpmath")


_BELOW_FLOATS = mpmath.mpf(10) ** -320


def exact(f: Callable, t: float, digits: int = DIGITS, magnitude: Callable | None = None) -> mpmath.mpf:
    """f(t) to ``digits`` correct digits.

    Working precision must cover both the digits wanted and the value's own
    smallness: in ``log(exp(x) + 1)`` at x = -245 the term e^x ~ 1e-107 is
    absorbed by the 1 at 60 digits and at 90 alike, so agreement of two
    precisions proves nothing unless both resolve the value's magnitude.  The
    magnitude comes from ``magnitude`` (any cheap estimate, e.g. a stable form)
    or from a first evaluation; then two precisions 30 digits apart must agree.
    A value below 1e-320 at 400 digits is beneath every float: it is 0.
    """
    point = mpmath.mpf(t)
    with mpmath.workdps(30):
        guess = (magnitude or f)(point)
    if guess == 0 and magnitude is not None:
        with mpmath.workdps(digits + 30):
            if f(point) == 0:
                return mpmath.mpf(0)
    scale = 0 if guess == 0 else max(0, -int(mpmath.floor(mpmath.log10(abs(guess)))))
    if scale > 330:
        with mpmath.workdps(400):
            if abs(f(point)) < _BELOW_FLOATS:
                return mpmath.mpf(0)
    dps = digits + 15 + min(scale, 330)
    while dps <= 4000:
        with mpmath.workdps(dps):
            low = f(point)
        with mpmath.workdps(dps + 30):
            high = f(point)
        if high != 0 and abs(high - low) <= abs(high) * mpmath.mpf(10) ** -digits:
            resolved = -int(mpmath.floor(mpmath.log10(abs(high))))
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


def reference(expr: Expr, values: Mapping[Symbol, Expr], points: np.ndarray) -> Reference:
    """Exact g and kappa = |x g'/g| at each point.

    The values are mpmath's evaluation of the expression as written; the stable
    form only suggests the precision to start at.  kappa, a tolerance factor and
    not a value under test, is taken from the stable forms of g and g' at 30 digits.
    """
    from symdl.numeric import mpmath_function

    g = mp_callable(expr, values)
    scale = mpmath_function(expr, values)
    slope = mpmath_function(_piecewise_diff(expr, values), values)
    hi, lo, kappa = (np.empty(len(points)) for _ in range(3))
    for n, t in enumerate(points):
        value = exact(g, float(t), magnitude=scale)
        hi[n] = float(value)
        lo[n] = float(value - mpmath.mpf(hi[n])) if np.isfinite(hi[n]) else 0.0
        if abs(value) < TINY[np.dtype(np.float64)]:
            kappa[n] = 0.0  # deep underflow: the absolute tolerance applies, kappa is not used
        else:
            with mpmath.workdps(30):
                point = mpmath.mpf(float(t))
                kappa[n] = float(abs(point * slope(point) / value))
    return Reference(points, hi, lo, kappa)


def _piecewise_diff(expr: Expr, values: Mapping[Symbol, Expr]) -> Expr:
    """d/dx of an expression, branch by branch (a breakpoint takes its own branch's slope)."""
    regs = regions(expr, x, values)
    if len(regs) == 1:
        return diff(regs[0].expr, x)
    return Piecewise(*((diff(r.expr, x), r.condition(x)) for r in regs[:-1]), (diff(regs[-1].expr, x), True))


# --------------------------------------------------------------------------- accuracy


@dataclass(frozen=True)
class Accuracy:
    """Worst case of one compiled function on one dtype."""

    function: str
    dtype: str
    max_ulp: float  # largest error in ulps of the exact value (where that is above TINY)
    worst_ratio: float  # largest error / allowed error; <= 1 passes
    worst_x: float
    nonfinite: int  # NaN or inf outputs for finite input with a finite exact value
    points: int

    @property
    def passed(self) -> bool:
        return self.worst_ratio <= 1 and self.nonfinite == 0


def accuracy(name: str, compiled: Callable, ref: Reference, dtype: np.dtype) -> Accuracy:
    """Compare a compiled function with a reference at the reference's points (already in ``dtype``)."""
    dtype = np.dtype(dtype)
    with np.errstate(all="ignore"):
        got = np.asarray(compiled(ref.points.astype(dtype)), dtype=np.float64)
        exact_in_dtype = np.abs(ref.hi).astype(dtype)
        ulp = np.spacing(exact_in_dtype).astype(np.float64)
        error = np.abs((got - ref.hi) - ref.lo)
        allowed = 4 * (1 + ref.kappa) * ulp
        tiny = np.abs(ref.hi) < TINY[dtype]
        allowed = np.where(tiny, np.maximum(allowed, TINY[dtype]), allowed)
        representable = np.abs(ref.hi) <= float(np.finfo(dtype).max)
        nonfinite = ~np.isfinite(got) & representable
        ratio = np.where(representable & ~nonfinite, error / allowed, 0.0)
        ulps = np.where(representable & ~tiny & ~nonfinite, error / ulp, 0.0)
    worst = int(np.argmax(ratio))
    return Accuracy(
        name,
        dtype.name,
        float(ulps.max()),
        float(ratio[worst]),
        float(ref.points[worst]),
        int(nonfinite.sum()),
        len(ref.points),
    )


def points_in(dtype: np.dtype, points: np.ndarray) -> np.ndarray:
    """The grid as the dtype holds it (float32 rounds the points), back in float64, distinct."""
    return np.unique(points.astype(dtype).astype(np.float64))


# --------------------------------------------------------------------------- the report


@dataclass(frozen=True)
class Check:
    name: str
    passed: bool
    detail: str


@dataclass(frozen=True)
class Report:
    """All checks of one activation."""

    activation: str
    accuracy: tuple[Accuracy, ...] = ()
    checks: tuple[Check, ...] = field(default=())

    @property
    def passed(self) -> bool:
        return all(a.passed for a in self.accuracy) and all(c.passed for c in self.checks)


@cache
def _reference_for(act: Activation, derivative: bool, dtype: str) -> Reference:
    expr = derive(act).derivative if derivative else act.definition
    return reference(expr, act.params, points_in(np.dtype(dtype), grid()))


def check_accuracy(act: Activation, dtypes: Iterable[str] = ("float64", "float32")) -> list[Accuracy]:
    from symdl.numeric import numpy_function

    results = []
    for derivative in (False, True):
        compiled = numpy_function(act, derivative=derivative)
        for dtype in dtypes:
            results.append(accuracy(compiled.name, compiled, _reference_for(act, derivative, dtype), np.dtype(dtype)))
    return results


_ = y
