"""Properties of an activation, computed from its regions: range, limits, slopes, shape.

SymPy's ``function_range`` raises NotImplementedError for GELU, SiLU, ELU and
softsign, so the range has its own route: on each region, the candidates for
the extremes are the values (or one-sided limits) at its ends, limits at
+-infinity, and the values at critical points (roots of f' from
``symdl.engine.solving``: exact where SymPy can, certified numbers where it cannot);
the region images are then united.  The same route applied to f' gives
sup |f'| and decides monotonicity.  Definitions used (README):
- monotonic: f' >= 0 on every region and no downward jump ("non-decreasing"),
  "increasing" if moreover f' vanishes on no interval; likewise decreasing;
- zero-centred: f(0) = 0 and f takes both signs;
- continuity: C^k with k the smallest order at which one-sided derivatives
  differ at a breakpoint (-1: discontinuous); no breakpoint means C^infinity.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache

from sympy import (
    Abs,
    Expr,
    FiniteSet,
    Interval,
    S,
    Sum,
    Symbol,
    Union,
    count_ops,
    diff,
    exp,
    oo,
    simplify,
)
from sympy import limit as sympy_limit

from symdl.catalog import Activation, i, n, x
from symdl.engine.regions import Region
from symdl.engine.solving import roots
from symdl.engine.vector import jacobian


@dataclass(frozen=True)
class Properties:
    """Properties at the derivation's parameter values. Exact where SymPy can; else certified Floats."""

    range: Expr  # a SymPy set
    at_zero: Expr  # f(0)
    slope_at_zero: Expr  # f'(0), with the kink convention
    max_slope: Expr  # sup |f'|
    limit_neg: Expr  # lim f(x), x -> -oo
    limit_pos: Expr  # lim f(x), x -> +oo
    monotonic: str  # increasing | non-decreasing | decreasing | non-increasing | constant | no
    zero_centred: bool
    continuity: int | None  # f is C^k; -1: discontinuous; None: C^infinity
    note: str = ""  # how a vector function's properties were taken

    @property
    def continuity_text(self) -> str:
        if self.continuity is None:
            return "C^inf"
        return "discontinuous" if self.continuity < 0 else f"C^{self.continuity}"


@dataclass(frozen=True)
class _Bound:
    value: Expr
    attained: bool


@cache
def limit(expr: Expr, var: Symbol, point: Expr, side: str = "+") -> Expr:
    """``sympy.limit``, cached: the same limits are asked for by several properties."""
    return sympy_limit(expr, var, point, side)


def _float(value: Expr) -> float:
    if value == oo:
        return float("inf")
    if value == -oo:
        return float("-inf")
    return float(value.evalf(30))


def image(expr: Expr, interval: Interval) -> tuple[_Bound, _Bound]:
    """Infimum and supremum of ``expr`` (no free parameters) over ``interval``, and whether attained."""
    if not expr.has(x):
        return _Bound(expr, True), _Bound(expr, True)
    if isinstance(interval, FiniteSet):
        value = expr.subs(x, next(iter(interval)))
        return _Bound(value, True), _Bound(value, True)
    lo, hi = interval.start, interval.end
    candidates = [_end(expr, lo, interval.left_open, "+"), _end(expr, hi, interval.right_open, "-")]
    for point in roots(diff(expr, x), x, Interval.open(lo, hi)):
        candidates.append(_Bound(_value_at(expr, point), True))
    low = min(candidates, key=lambda b: (_float(b.value), not b.attained))
    high = max(candidates, key=lambda b: (_float(b.value), b.attained))
    return low, high


def _end(expr: Expr, end: Expr, is_open: bool, side: str) -> _Bound:
    if end in (oo, -oo):
        return _Bound(limit(expr, x, end), False)
    if is_open:
        value = expr.subs(x, end)
        if value.has(S.NaN, S.ComplexInfinity):
            value = limit(expr, x, end, side)
        return _Bound(value, False)
    return _Bound(expr.subs(x, end), True)


def _value_at(expr: Expr, point: Expr) -> Expr:
    value = expr.subs(x, point)
    return value.evalf(30) if point.is_Float else tidy(value)


def tidy(value: Expr) -> Expr:
    """The shortest of a few exact forms of a number: tanh(log 2) is 3/5."""
    if value.is_Float or value.is_Rational or not value.is_number:
        return value
    forms = [value, simplify(value), simplify(value.rewrite(exp))]
    return min(forms, key=count_ops)


def _as_set(low: _Bound, high: _Bound) -> Expr:
    if _float(low.value) == _float(high.value):
        return FiniteSet(low.value)
    return Interval(low.value, high.value, not low.attained, not high.attained)


def properties(
    regs: tuple[Region, ...],
    slopes: tuple[Expr, ...],
    points: tuple,
    values: Mapping[Symbol, Expr],
) -> Properties:
    """Properties of a scalar activation from its regions, their slopes and its breakpoints."""
    intervals = [r.interval(values) if not r.is_point else FiniteSet(r.lo.subs(values)) for r in regs]
    f_images = [image(r.expr.subs(values), iv) for r, iv in zip(regs, intervals, strict=True)]
    d_images = [image(d.subs(values), iv) for d, iv in zip(slopes, intervals, strict=True)]
    slope_values = [b.slope.subs(values) for b in points]
    zero = next(n_ for n_, iv in enumerate(intervals) if iv.contains(0) == S.true)
    d_low = min([_float(lo.value) for lo, _ in d_images] + [_float(v) for v in slope_values])
    d_high = max([_float(hi.value) for _, hi in d_images] + [_float(v) for v in slope_values])
    rng = Union(*(_as_set(lo, hi) for lo, hi in f_images))
    at_zero = regs[zero].expr.subs(values).subs(x, 0)
    return Properties(
        range=rng,
        at_zero=tidy(at_zero),
        slope_at_zero=tidy(slopes[zero].subs(values).subs(x, 0)),
        max_slope=_max_abs([lo.value for lo, _ in d_images] + [hi.value for _, hi in d_images] + slope_values),
        limit_neg=limit(regs[0].expr.subs(values), x, -oo),
        limit_pos=limit(regs[-1].expr.subs(values), x, oo),
        monotonic=_monotonic(regs, slopes, points, values, d_low, d_high),
        zero_centred=bool(at_zero == 0 and _float(rng.inf) < 0 < _float(rng.sup)),
        continuity=min((b.order for b in points), default=None),
    )


def _max_abs(values: list[Expr]) -> Expr:
    best = max(values, key=lambda v: abs(_float(v)))
    return oo if best in (oo, -oo) else tidy(Abs(best)) if not best.is_Float else abs(best)


def _monotonic(regs, slopes, points, values, d_low: float, d_high: float) -> str:
    def jumps(sign: int) -> bool:
        return all(
            sign * _float((b.value - b.left).subs(values)) >= 0 and sign * _float((b.right - b.value).subs(values)) >= 0
            for b in points
        )

    up = d_low >= 0 and jumps(1)
    down = d_high <= 0 and jumps(-1)
    if up and down:
        return "constant"
    flat = any(not r.is_point and d.subs(values).is_zero for r, d in zip(regs, slopes, strict=True))
    if up:
        return "non-decreasing" if flat else "increasing"
    if down:
        return "non-increasing" if flat else "decreasing"
    return "no"


def vector_properties(act: Activation, values: Mapping[Symbol, Expr]) -> Properties:
    """A vector function's properties, taken on one component as a function of its own input.

    The value and Jacobian at the zero vector are exact for every n; range, limits,
    slopes and shape are those of component 1 for n = 2 with the other input at 0
    (for softmax and its kin the same for every n, by shift invariance).
    """
    definition = act.definition.subs(values)
    at_zero = _at_zero_vector(definition)
    slope_at_zero = _at_zero_vector(jacobian(act).subs(values))
    restricted = _restrict(definition)
    region = Region(-oo, oo, False, False, restricted)
    slope = diff(restricted, x)
    scalar = properties((region,), (slope,), (), {})
    return Properties(
        range=scalar.range,
        at_zero=at_zero,
        slope_at_zero=slope_at_zero,
        max_slope=scalar.max_slope,
        limit_neg=scalar.limit_neg,
        limit_pos=scalar.limit_pos,
        monotonic=scalar.monotonic,
        zero_centred=bool(at_zero == 0 and _float(scalar.range.inf) < 0 < _float(scalar.range.sup)),
        continuity=None,
        note="one component as a function of its own input (n = 2, the other input 0)",
    )


def _at_zero_vector(expr: Expr) -> Expr:
    from sympy import Indexed

    zeroed = expr.replace(lambda e: isinstance(e, Indexed), lambda e: S.Zero)
    return simplify(zeroed.doit())


def _restrict(definition: Expr) -> Expr:
    from sympy import Indexed

    two = definition.replace(lambda e: isinstance(e, Sum), lambda e: e.subs(n, 2).doit()).subs(i, 1)
    return simplify(two.replace(lambda e: isinstance(e, Indexed), lambda e: x if e.indices[0] == 1 else S.Zero))


__all__ = ["Properties", "image", "properties", "vector_properties"]
