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

The sample's points are 0.04 apart, and a form's error between them is as random as its
roundings: GELU-tanh's derivative measured 0.54 of the bound at the points near its minimum
and 1.31 between them (x = -1.583), where 1/cosh(u)^2 (3.7 ulp) was amplified by the
cancellation of its two terms.  So the sample is refined where a form comes close: around
the (at most 24) points where the stable form spends most of the bound, beyond a third of
the margin, ``_REFINE`` more points in the cells on either side (seeded: the same points
on every run), and every form is scored on both.  (Mish's derivative so moved from its nested
form in e^x, 0.99 of the bound on the refined sample, to the fraction in e^x, 0.68.)  The rewrites
in e^x are tried only where the exponents are linear in x (``_linear_exponents``).

The compiler's careful fallback (a kernel that fails at the extremes,
``symdl.numeric.compile``) measures ``far``: also out to the largest floats,
every form made safe from growth (``symdl.numeric.stable.balanced``) and compiled
with balanced products, and one more candidate, the numerator spread over the
denominator: (1 - x^2)/(1 + x^2)^2 is 1/h^4 - x*x/h^4, where 1 - x^2 alone overflows.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

import mpmath
import numpy as np
from sympy import (
    Add,
    Expr,
    Interval,
    Mul,
    Symbol,
    cancel,
    diff,
    exp,
    expand,
    factor,
    fraction,
    horner,
    oo,
    symbols,
    together,
)

from symdl.catalog import x
from symdl.engine.regions import as_piecewise
from symdl.errors import DerivationError
from symdl.numeric.codegen import UFUNCS
from symdl.numeric.stable import balanced, mpmath_function, stabilize

_MARGIN = 0.85  # a form within 85% of the bound on the (dense) sample is accurate enough
# Measured far, a reference value that 40 and 80 digits disagree on is computed at 700: a difference that
# cancels loses as many digits as its terms exceed its value, and a value that is still a float (above
# 1e-308) next to terms up to 1e370 keeps 20 digits; a value below the floats is 0 to the kernel anyway.
_FAR_DIGITS = 700
_REWRITES: tuple[Callable[[Expr], Expr], ...] = (
    lambda e: factor(e.rewrite(exp)),
    lambda e: cancel(e.rewrite(exp)),
    lambda e: together(e.rewrite(exp)),
)


def _linear_exponents(expr: Expr) -> bool:
    """Whether every exponential of ``expr`` written in e^x has an exponent of degree <= 1 in x: the
    class the rewrites are for (Mish', SiLU': rational in e^x).  Beyond it (GELU-tanh's e^(c (x + a x^3)))
    ``factor`` runs for minutes and the forms in e^x only cancel more."""
    try:
        written = expr.rewrite(exp)
    except (NotImplementedError, ValueError, TypeError):  # pragma: no cover - SymPy gaps
        return False
    for node in written.atoms(exp):
        power = node.args[0]
        if power.has(x) and not (power.is_polynomial(x) and power.as_poly(x).degree() <= 1):
            return False
    return True


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


def spread(expr: Expr) -> Expr:
    """The numerator's terms each over the denominator: (1 - x^2)/d is 1/d - x^2/d."""
    num, den = fraction(factor(expr))
    return Add(*(term / den for term in Add.make_args(expand(num))))


def sample(interval: Interval, far: bool = False) -> np.ndarray:
    """Points of the interval where forms differ: evenly over [-40, 40] and log-spaced near 0
    (``far``: and log-spaced from 40 to the largest floats)."""
    lo = -40.0 if interval.start == -oo else max(float(interval.start), -40.0)
    hi = 40.0 if interval.end == oo else min(float(interval.end), 40.0)
    logs = np.geomspace(1e-6, 40, 120)
    fars = np.geomspace(40, 1e308, 80)[1:] if far else np.array([])
    points = np.concatenate([np.linspace(lo, hi, 2001), logs, -logs, fars, -fars])
    return points[inside(interval, points) & (points != 0)]


def inside(interval: Interval, points: np.ndarray) -> np.ndarray:
    """``interval.contains(p)`` for every point, as a mask: compared in floats, and exactly (by SymPy)
    at the few points within an ulp or two of an end, where an irrational end's rounding could decide."""
    mask = np.ones(points.shape, dtype=bool)
    near = np.zeros(points.shape, dtype=bool)
    for end, is_open, strict, loose in (
        (interval.start, interval.left_open, np.greater, np.greater_equal),
        (interval.end, interval.right_open, np.less, np.less_equal),
    ):
        if end in (-oo, oo):
            continue
        at = float(end)
        mask &= (strict if is_open else loose)(points, at)
        near |= np.abs(points - at) <= 4 * np.spacing(abs(at))
    for k in np.flatnonzero(near):
        mask[k] = bool(interval.contains(float(points[k])))
    return mask


def _agree(a: mpmath.mpf, b: mpmath.mpf) -> bool:
    return abs(a - b) <= abs(a) * mpmath.mpf(10) ** -25 and (a != 0 or b == 0)


def ratios(compiled: Callable[[np.ndarray], np.ndarray], points: np.ndarray, exact: np.ndarray, kappa: np.ndarray):
    """Error / (4 (1 + kappa) ulp) at each point; inf everywhere if anything is not finite."""
    with np.errstate(all="ignore"):
        got = np.asarray(compiled(points.copy()), dtype=np.float64)
    if got.shape != points.shape or not np.isfinite(got).all():
        return np.full(points.shape, np.inf)
    with np.errstate(over="ignore"):  # the ulp of the largest floats; kappa far out (exp(-x^2): 2e600)
        ulp = np.spacing(np.abs(exact))
        tiny = np.abs(exact) < 1e-300
        allowed = np.where(tiny, 1e-300, 4 * (1 + kappa) * ulp)
    return np.abs(got - exact) / allowed


def score(compiled: Callable[[np.ndarray], np.ndarray], points: np.ndarray, exact: np.ndarray, kappa: np.ndarray):
    """Largest error / (4 (1 + kappa) ulp) over the points; inf if anything is not finite."""
    return float(np.max(ratios(compiled, points, exact, kappa))) if len(points) else 0.0


# Refinement (the module docstring): around the _WORST sample points (|x| <= 40) where the stable form's
# error exceeds _CLOSE of the margin, _REFINE random points in the cells on either side, drawn with _SEED.
_CLOSE = 1 / 3
_WORST = 24
_REFINE = 48
_SEED = 14


def refined(points: np.ndarray, measured: np.ndarray, interval: Interval) -> np.ndarray:
    """New points in the cells beside the sample points where ``measured`` (ratios) is largest."""
    order = np.argsort(points)
    ordered, ratio = points[order], measured[order]
    candidates = np.flatnonzero((ratio > _CLOSE * _MARGIN) & (np.abs(ordered) <= 40))
    worst = candidates[np.argsort(-ratio[candidates], kind="stable")[:_WORST]]
    rng = np.random.default_rng(_SEED)
    new = []
    for k in np.sort(worst):
        lo = ordered[k - 1] if k > 0 else ordered[k]
        hi = ordered[k + 1] if k + 1 < len(ordered) else ordered[k]
        new.append(rng.uniform(lo, hi, _REFINE))
    if not new:
        return np.array([])
    extra = np.unique(np.concatenate(new))
    return extra[inside(interval, extra) & (extra != 0) & ~np.isin(extra, points)]


def _reference(points: np.ndarray, value: Callable, slope: Callable, far: bool):
    """(points, exact values, kappa) at 40 digits (``far``: 700 where 80 disagree), without the points
    whose exact value is beyond the floats."""
    with mpmath.workdps(40):
        exact_mp = [value(mpmath.mpf(float(p))) for p in points]
        slopes = [slope(mpmath.mpf(float(p))) for p in points]
    if far:  # even a stable form may cancel (1 - tanh^2 written in e^x, far out): where 80 digits disagree, 700
        with mpmath.workdps(80):
            unsettled = [n for n, p in enumerate(points) if not _agree(value(mpmath.mpf(float(p))), exact_mp[n])]
        with mpmath.workdps(_FAR_DIGITS):
            for n in unsettled:
                exact_mp[n], slopes[n] = value(mpmath.mpf(float(points[n]))), slope(mpmath.mpf(float(points[n])))
    with mpmath.workdps(40):
        truth = np.array([float(v) for v in exact_mp])
        kappa = np.array(
            [float(abs(mpmath.mpf(float(p)) * d / v)) if v != 0 else 0.0
             for p, v, d in zip(points, exact_mp, slopes, strict=True)]
        )  # fmt: skip
    finite = np.isfinite(truth)  # far out, x^3 is beyond the floats: inf is right there, nothing to score
    return points[finite], truth[finite], kappa[finite]


def best(
    expr: Expr,
    interval: Interval,
    values: Mapping[Symbol, Expr],
    compile_form: Callable[[Expr], Callable[[np.ndarray], np.ndarray]],
    far: bool = False,
) -> Expr:
    """The stable form of ``expr``, or a more accurate equivalent one (see the module docstring;
    ``far``: the careful fallback's measurement, with ``compile_form`` compiling balanced products)."""
    readies = (balanced, lambda e: balanced(e, divisors=False)) if far else (lambda e: e,)
    first = readies[0](stabilize(expr))
    if not expr.has(x) or not isinstance(interval, Interval):  # a point (a kink's own value): nothing to measure
        return first
    points = sample(interval, far)
    if len(points) == 0:
        return first
    value = mpmath_function(expr, values)
    slope = mpmath_function(diff(as_piecewise(expr), x), values)
    points, truth, kappa = _reference(points, value, slope, far)
    compiled_first = compile_form(first.subs(values))
    extra = refined(points, ratios(compiled_first, points, truth, kappa), interval)
    if len(extra):
        more = _reference(extra, value, slope, far)
        points, truth, kappa = (np.concatenate(pair) for pair in zip((points, truth, kappa), more, strict=True))
    if score(compiled_first, points, truth, kappa) <= _MARGIN:
        return first
    candidates = [first, *(ready(stabilize(expr)) for ready in readies[1:])]
    for rewrite in (_REWRITES if _linear_exponents(expr) else ()) + ((spread,) if far else ()):
        try:
            candidate = rewrite(expr)
        except (NotImplementedError, ValueError, TypeError):  # pragma: no cover - SymPy gaps
            continue
        candidates += [ready(form) for form in (stabilize(candidate), candidate) for ready in readies]
    nested = horner_in_exp(expr)
    if nested is not None:
        candidates += [ready(nested) for ready in readies]
    scored = []
    for form in dict.fromkeys(candidates):
        try:
            compiled = compile_form(form.subs(values))
        except NotImplementedError:
            continue
        scored.append((score(compiled, points, truth, kappa), compiled, form))
    good = [(_cost(compiled), form) for measured, compiled, form in scored if measured <= _MARGIN]
    if good:
        return min(good, key=lambda g: g[0])[1]
    measured, _, form = min(scored, key=lambda s: s[0])
    if far and measured > 1:  # the fallback promises the bound everywhere, or nothing
        raise DerivationError(f"{expr}: no form is within 4 (1 + kappa) ulp both near 0 and far out")
    return form


__all__ = ["best", "ratios", "refined", "sample", "score"]
