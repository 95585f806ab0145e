"""The output form: g(y) with f'(x) = g(f(x)), found by inverting y = f(x) region by region and verified.

Where there is none, the reason says whether that is proved (``NONE_TWO_SLOPES``: f' takes both signs on
one region, or one value of f has two slopes) or only not found (``NOT_FOUND``, which claims nothing).
For a vector function the Jacobian is written in the outputs, with the sum held as one symbol.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from itertools import pairwise

import mpmath
from sympy import Expr, IndexedBase, Interval, KroneckerDelta, S, Sum, Symbol, limit, oo, simplify

from symdl.catalog import Activation, i, j, x, xs
from symdl.engine.readable import readable
from symdl.engine.regions import Region, as_conditions, grouped, value_at
from symdl.engine.solving import invert, roots
from symdl.engine.verify import how_equal
from symdl.functions import as_mpmath

# The variable output forms are written in: y = f(x).  Vector: y_i = f_i(x).
y = Symbol("y", real=True)
ys = IndexedBase("y", real=True)

# Why a derivation has no output form: proved, or only not found (which claims nothing).
NONE_TWO_SLOPES = "none: f takes some value at two points with different slopes, so f' is not a function of f"
NOT_FOUND = "not found: symdl's inversion of y = f(x) gave no closed form (which does not prove there is none)"


@dataclass(frozen=True)
class _Piece:
    slope: Expr  # g on this piece
    lo: Expr
    hi: Expr
    lo_closed: bool
    hi_closed: bool


def scalar_output_form(
    regs: tuple[Region, ...], slopes: tuple[Expr, ...], values: Mapping[Symbol, Expr]
) -> tuple[Expr | None, str]:
    """g(y) with f'(x) = g(f(x)) on every region, or None and why (``NONE_TWO_SLOPES`` or ``NOT_FOUND``)."""
    pieces = []
    for region, slope in zip(regs, slopes, strict=True):
        piece = _invert_region(region, slope, values)
        if isinstance(piece, str):
            return None, piece
        pieces.append(piece)
    if not _consistent(pieces, values):
        return None, NONE_TWO_SLOPES
    ordered = sorted(pieces, key=lambda p: -_num(p.hi if p.hi != oo else S(10) ** 9, values))
    groups = grouped((Region(p.lo, p.hi, p.lo_closed, p.hi_closed, p.slope), p.slope) for p in ordered)
    # Pieces with an interval image come before single values, which become 'otherwise'.
    groups.sort(key=lambda g: all(r.is_point for r in g[1]))
    if len(groups) == 1:
        return groups[0][0], ""
    return as_conditions(groups, y), ""


def _invert_region(region: Region, slope: Expr, values: Mapping[Symbol, Expr]) -> _Piece | str:
    """The region's piece of g, or why there is none (``NONE_TWO_SLOPES``) or none was found."""
    branch = region.expr
    sample = region.sample(values)
    if not branch.has(x):
        return _Piece(slope, branch, branch, True, True)
    if region.is_point:
        return _Piece(slope.subs(x, region.lo), branch.subs(x, region.lo), branch.subs(x, region.lo), True, True)
    critical = _critical_points(region, slope, values)
    if critical:
        return NONE_TWO_SLOPES if _rises_and_falls(region, slope, critical, values) else NOT_FOUND
    g = _express_in_output(branch, slope, region, values)
    if g is None:
        return NOT_FOUND
    lo_val, hi_val = value_at(branch, x, region.lo, "+"), value_at(branch, x, region.hi, "-")
    if region.lo == -oo:
        lo_val = limit(branch, x, -oo)
    if region.hi == oo:
        hi_val = limit(branch, x, oo)
    increasing = _num(slope.subs(x, sample), values) > 0
    if increasing:
        return _Piece(g, lo_val, hi_val, region.lo_closed, region.hi_closed)
    return _Piece(g, hi_val, lo_val, region.hi_closed, region.lo_closed)


def _critical_points(region: Region, slope: Expr, values: Mapping[Symbol, Expr]) -> list[Expr]:
    """Where f' vanishes inside the region (where y = f(x) is not inverted)."""
    interval = region.interval(values)
    inside = interval.interior if hasattr(interval, "interior") else interval
    return roots(slope.subs(values), x, inside)


def _rises_and_falls(region: Region, slope: Expr, critical: list[Expr], values: Mapping[Symbol, Expr]) -> bool:
    """Whether f' takes both signs on the region (between its zeros, at 40 digits): then f rises and falls
    there, so some value of f is taken with two different slopes and f' is not a function of f."""
    interval = region.interval(values)
    points = sorted(_num(c, {}) for c in critical)
    lo = _num(interval.start, {}) if interval.start != -oo else points[0] - 1
    hi = _num(interval.end, {}) if interval.end != oo else points[-1] + 1
    edges = [lo, *points, hi]
    numeric = as_mpmath(x, slope.subs(values))
    with mpmath.workdps(40):
        signs = {mpmath.sign(numeric(mpmath.mpf(a + b) / 2)) for a, b in pairwise(edges) if a < b}
    return {1, -1} <= signs


def _express_in_output(branch: Expr, slope: Expr, region: Region, values: Mapping[Symbol, Expr]) -> Expr | None:
    """g with slope = g(branch) on the region: direct substitution, else inversion of y = branch."""
    direct = slope.subs(branch, y)
    if not direct.has(x):
        return _verified(readable(direct), branch, slope, region, values)
    for inverse in invert(branch, x, y):
        g = readable(simplify(slope.subs(x, inverse)))
        if g.has(x):
            continue
        verified = _verified(g, branch, slope, region, values)
        if verified is not None:
            return verified
    return None


def _verified(g: Expr, branch: Expr, slope: Expr, region: Region, values: Mapping[Symbol, Expr]) -> Expr | None:
    """g itself if g(branch(x)) = slope(x) on the region (``verify.how_equal``), else None."""
    return g if how_equal(g.subs(y, branch), slope, region.interval(values), values) else None


def _consistent(pieces: list[_Piece], values: Mapping[Symbol, Expr]) -> bool:
    """No output value may come from two pieces that give it different slopes."""
    for n_, a in enumerate(pieces):
        for b in pieces[n_ + 1 :]:
            if a.slope == b.slope:
                continue
            if _overlap(a, b, values):
                return False
    return True


def _overlap(a: _Piece, b: _Piece, values: Mapping[Symbol, Expr]) -> bool:
    ia = Interval(a.lo.subs(values), a.hi.subs(values), not a.lo_closed, not a.hi_closed)
    ib = Interval(b.lo.subs(values), b.hi.subs(values), not b.lo_closed, not b.hi_closed)
    return ia.intersect(ib) != S.EmptySet


def _num(expr: Expr, values: Mapping[Symbol, Expr]) -> float:
    return float(expr.subs(values).evalf(30))


def vector_output_form(act: Activation, jac: Expr) -> Expr | None:
    """Jacobian in terms of the outputs: solve y_i = f_i for x_i with the sum held as one symbol."""
    total = Symbol("S", positive=True)
    sums = list(act.definition.atoms(Sum))
    if len(sums) != 1:
        return None
    component = act.definition.subs(sums[0], total)
    jac_s = jac.replace(lambda e: isinstance(e, Sum), lambda e: total)
    xi = Symbol("x_i", real=True)
    for inverse in invert(component.subs(xs[i], xi), xi, y):
        g = jac_s.subs({xs[i]: inverse.subs(y, ys[i]), xs[j]: inverse.subs(y, ys[j])})
        g = readable(simplify(g))
        if not g.has(total) and not g.has(xs):
            return _kronecker_first(g)
    return None


def _kronecker_first(expr: Expr) -> Expr:
    return expr.replace(lambda e: isinstance(e, KroneckerDelta), lambda e: KroneckerDelta(i, j))


__all__ = ["NONE_TWO_SLOPES", "NOT_FOUND", "scalar_output_form", "vector_output_form", "y", "ys"]
