"""Choosing, by measurement, the most accurate of equivalent forms of a branch.

The stable rewriting (``symdl.numeric.stable``) removes the cancellations that have a
standard cure; what is left is the form's own arithmetic.  Mish's derivative
as SymPy writes it, tanh(sp) + x sigma(x) sech^2(sp), subtracts two terms of
similar size near its minimum at x = -2.24, where the function is perfectly
conditioned (kappa ~ 0), and misses the 4-ulp bound by a little; the same
function as one fraction in e^x does not.  So a branch whose stable form is
not comfortably inside the bound on a dense sample of its region (measured
against mpmath: within 85% of 4 (1 + kappa) ulp) is compared with a few
equivalent forms (the exponential rewrite factored, cancelled or put
together, each stable or as is, and as nested products in e^x); the cheapest
of those comfortably inside wins (its emitted operations, transcendental ones
weighed as several: the same choice on every run), else the most accurate.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

import mpmath
import numpy as np
from sympy import (
    Expr,
    Interval,
    Mul,
    Symbol,
    cancel,
    diff,
    exp,
    factor,
    fraction,
    horner,
    oo,
    symbols,
    together,
)

from symdl.catalog import x
from symdl.engine.regions import as_piecewise
from symdl.numeric.codegen import UFUNCS
from symdl.numeric.stable import mpmath_function, stabilize

_MARGIN = 0.85  # a form within 85% of the bound on the (dense) sample is accurate enough
_REWRITES: tuple[Callable[[Expr], Expr], ...] = (
    lambda e: factor(e.rewrite(exp)),
    lambda e: cancel(e.rewrite(exp)),
    lambda e: together(e.rewrite(exp)),
)


def horner_in_exp(expr: Expr) -> Expr | None:
    """A rational function of E = e^x (coefficients in x) as nested products in E: one exponential.

    Mish's derivative is E (4x(E + 1) + ((E + 4) E + 6) E + 4) / ((E + 2) E + 2)^2.
    None if ``expr`` is not rational in e^x.
    """
    e = symbols("E", positive=True)
    num, den = fraction(cancel(expr.rewrite(exp)))

    def in_e(part: Expr) -> Expr | None:
        replaced = part.replace(
            lambda a: isinstance(a, exp) and (a.args[0] / x).is_Integer and a.args[0] / x > 0,
            lambda a: e ** int(a.args[0] / x),
        )
        return None if replaced.has(exp) else replaced

    n, d = in_e(num), in_e(den)
    if n is None or d is None or not (n.has(e) or d.has(e)):
        return None

    def nested(part: Expr) -> Expr:
        factored = factor(part, e)
        return Mul(*(horner(b, wrt=e) ** k for b, k in (f.as_base_exp() for f in Mul.make_args(factored))))

    return (nested(n) / nested(d)).xreplace({e: exp(x)})


# A transcendental ufunc (exp, log1p, tanh, erf, ...; symdl.numeric.codegen.UFUNCS but abs) costs several
# arithmetic passes; weighed so, the emitted lines rank forms as their timings do (mish' in e^x:
# 24 against 53 and 62; 3.5 ms against 6.6 and 7.8 for 2^16 points), but the same way on every run.
_HEAVY = "|".join(name for name, _ in UFUNCS.values() if name != "absolute")
_TRANSCENDENTAL = re.compile(rf"\b({_HEAVY})\(")
_TRANSCENDENTAL_WEIGHT = 8


def _cost(compiled: Callable[[np.ndarray], np.ndarray]) -> int:
    """The tie-break between forms that are all accurate enough: the kernel's lines, weighed."""
    return sum(_TRANSCENDENTAL_WEIGHT if _TRANSCENDENTAL.search(line) else 1 for line in compiled.lines)


def sample(interval: Interval) -> np.ndarray:
    """Points of the interval where forms differ: evenly over [-40, 40] and log-spaced near 0."""
    lo = -40.0 if interval.start == -oo else max(float(interval.start), -40.0)
    hi = 40.0 if interval.end == oo else min(float(interval.end), 40.0)
    logs = np.geomspace(1e-6, 40, 120)
    points = np.concatenate([np.linspace(lo, hi, 2001), logs, -logs])
    inside = [p for p in points if interval.contains(float(p)) and p != 0]
    return np.array(inside)


def score(compiled: Callable[[np.ndarray], np.ndarray], points: np.ndarray, exact: np.ndarray, kappa: np.ndarray):
    """Largest error / (4 (1 + kappa) ulp) over the points; inf if anything is not finite."""
    with np.errstate(all="ignore"):
        got = np.asarray(compiled(points.copy()), dtype=np.float64)
    if got.shape != points.shape or not np.isfinite(got).all():
        return float("inf")
    ulp = np.spacing(np.abs(exact))
    tiny = np.abs(exact) < 1e-300
    allowed = np.where(tiny, 1e-300, 4 * (1 + kappa) * ulp)
    return float(np.max(np.abs(got - exact) / allowed)) if len(points) else 0.0


def best(
    expr: Expr,
    interval: Interval,
    values: Mapping[Symbol, Expr],
    compile_form: Callable[[Expr], Callable[[np.ndarray], np.ndarray]],
) -> Expr:
    """The stable form of ``expr``, or a more accurate equivalent one (see the module docstring)."""
    first = stabilize(expr)
    if not expr.has(x):
        return first
    points = sample(interval)
    if len(points) == 0:
        return first
    value = mpmath_function(expr, values)
    slope = mpmath_function(diff(as_piecewise(expr), x), values)
    with mpmath.workdps(40):
        exact_mp = [value(mpmath.mpf(float(p))) for p in points]
        exact = np.array([float(v) for v in exact_mp])
        kappa = np.array(
            [float(abs(mpmath.mpf(float(p)) * slope(mpmath.mpf(float(p))) / v)) if v != 0 else 0.0
             for p, v in zip(points, exact_mp, strict=True)]
        )  # fmt: skip
    if score(compile_form(first.subs(values)), points, exact, kappa) <= _MARGIN:
        return first
    candidates = [first]
    for rewrite in _REWRITES:
        try:
            candidate = rewrite(expr)
        except (NotImplementedError, ValueError, TypeError):  # pragma: no cover - SymPy gaps
            continue
        candidates += [stabilize(candidate), candidate]
    nested = horner_in_exp(expr)
    if nested is not None:
        candidates.append(nested)
    scored = []
    for form in dict.fromkeys(candidates):
        try:
            compiled = compile_form(form.subs(values))
        except NotImplementedError:
            continue
        scored.append((score(compiled, points, exact, kappa), compiled, form))
    good = [(_cost(compiled), form) for measured, compiled, form in scored if measured <= _MARGIN]
    if good:
        return min(good, key=lambda g: g[0])[1]
    return min(scored, key=lambda s: s[0])[2]


__all__ = ["best", "sample", "score"]
