"""The piecewise shape of a scalar definition: regions of x and the branch used on each.

Every non-smooth construct a declaration may use (``Maximum``/``Minimum``,
``Abs``, ``Piecewise``, ``Heaviside``, ``sign``) is rewritten to one
``Piecewise``; its conditions are solved for x, which cuts the real line at
breakpoints.  Each open interval between breakpoints and each breakpoint
itself is assigned the branch whose condition holds there (the first true
condition, as autograd would select it), and neighbours with the same branch
are merged.  Branch expressions and breakpoints stay symbolic in the
parameters; parameter *values* are only used to order the breakpoints and to
decide which condition holds.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from itertools import pairwise

from sympy import (
    And,
    Eq,
    Expr,
    Interval,
    Or,
    Piecewise,
    Rational,
    S,
    Symbol,
    limit,
    nan,
    oo,
    piecewise_fold,
    solve,
    zoo,
)
from sympy.core.relational import Relational
from sympy.logic.boolalg import Boolean, BooleanAtom

import symdl.cache as disk
from symdl.errors import DerivationError


@dataclass(frozen=True)
class Region:
    """An interval of x (ends symbolic in the parameters) and the branch used on it."""

    lo: Expr
    hi: Expr
    lo_closed: bool
    hi_closed: bool
    expr: Expr

    @property
    def is_point(self) -> bool:
        return self.lo == self.hi

    def condition(self, var: Symbol) -> Boolean:
        """The region as a condition on ``var``, e.g. ``x > 0`` or ``(x > -1) & (x < 1)``."""
        if self.is_point:
            return Eq(var, self.lo)
        parts = []
        if self.lo != -oo:
            parts.append(var >= self.lo if self.lo_closed else var > self.lo)
        if self.hi != oo:
            parts.append(var <= self.hi if self.hi_closed else var < self.hi)
        return And(*parts) if parts else S.true

    def interval(self, values: Mapping[Symbol, Expr]) -> Interval:
        lo, hi = self.lo.subs(values), self.hi.subs(values)
        return Interval(lo, hi, not self.lo_closed, not self.hi_closed)

    def sample(self, values: Mapping[Symbol, Expr]) -> Expr:
        """An exact point inside the region (at the given parameter values)."""
        lo, hi = self.lo.subs(values), self.hi.subs(values)
        return lo if self.is_point else _midpoint(lo, hi)


def as_piecewise(expr: Expr) -> Expr:
    """``expr`` with every non-smooth construct rewritten into one folded ``Piecewise``."""
    from sympy import Abs, Heaviside, Max, Min, sign

    from symdl.primitives import Maximum, Minimum

    kinds = (Maximum, Minimum, Abs, Heaviside, sign, Max, Min)
    if not expr.has(*kinds):
        return piecewise_fold(expr)
    return piecewise_fold(expr.rewrite(Piecewise))


@cache
def _regions(expr: Expr, var: Symbol, values: tuple[tuple[Symbol, Expr], ...]) -> tuple[Region, ...]:
    """Kept on disk (``symdl.cache``): the printer asks for the regions of every piecewise expression it writes."""
    return disk.remembered("regions", (expr, var, values), lambda: _found(expr, var, values), (Region,))


def _found(expr: Expr, var: Symbol, values: tuple[tuple[Symbol, Expr], ...]) -> tuple[Region, ...]:
    valuemap = dict(values)
    pw = as_piecewise(expr)
    if not isinstance(pw, Piecewise):
        return (Region(-oo, oo, False, False, pw),)
    thresholds = _thresholds(pw, var)
    numeric: dict[Expr, Expr] = {}
    for t in thresholds:
        tv = t.subs(valuemap)
        if not (tv.is_real and tv.is_finite):
            raise DerivationError(f"breakpoint {t} is not a real number at {valuemap}")
        numeric.setdefault(tv, t)  # the first symbolic threshold with this value names it
    points = sorted(numeric, key=lambda v: float(v))
    cuts: list[tuple[Expr, Expr]] = [(-oo, -oo)] + [(numeric[p], p) for p in points] + [(oo, oo)]
    pieces: list[Region] = []
    for (lo_sym, lo_val), (hi_sym, hi_val) in pairwise(cuts):
        inside = _midpoint(lo_val, hi_val)
        pieces.append(Region(lo_sym, hi_sym, False, False, _branch(pw, var, inside, valuemap)))
        if hi_val != oo:
            pieces.append(Region(hi_sym, hi_sym, True, True, _branch(pw, var, hi_val, valuemap)))
    return tuple(_merge(pieces))


def regions(expr: Expr, var: Symbol, values: Mapping[Symbol, Expr]) -> tuple[Region, ...]:
    """The regions of ``expr`` in ``var``, left to right, at the given parameter values."""
    return _regions(expr, var, tuple(sorted(values.items(), key=lambda kv: kv[0].name)))


def _thresholds(pw: Piecewise, var: Symbol) -> list[Expr]:
    found: list[Expr] = []
    for _, cond in pw.args:
        for rel in cond.atoms(Relational):
            if var not in rel.free_symbols:
                continue
            for r in solve(rel.lhs - rel.rhs, var):
                if r not in found and r.is_real is not False:
                    found.append(r)
    return found


def _midpoint(lo: Expr, hi: Expr) -> Expr:
    """An exact point strictly between lo and hi (either may be infinite)."""
    if lo == -oo and hi == oo:
        return Rational(1, 3)
    if lo == -oo:
        return hi - 1
    if hi == oo:
        return lo + 1
    return (lo + hi) / 2


def _branch(pw: Piecewise, var: Symbol, point: Expr, values: Mapping[Symbol, Expr]) -> Expr:
    for branch, cond in pw.args:
        truth = cond.subs(var, point).subs(values)
        if not isinstance(truth, BooleanAtom):
            truth = truth.simplify()
        if truth == S.true:
            return branch
        if truth != S.false:
            raise DerivationError(f"cannot decide whether {cond} holds at {var} = {point}")
    raise DerivationError(f"no branch of {pw} holds at {var} = {point}")


def _merge(pieces: list[Region]) -> list[Region]:
    merged: list[Region] = []
    for piece in pieces:
        if merged and merged[-1].expr == piece.expr:
            last = merged.pop()
            piece = Region(last.lo, piece.hi, last.lo_closed, piece.hi_closed, piece.expr)
        merged.append(piece)
    return merged


def grouped(pairs: Iterable[tuple[Region, Expr]]) -> list[tuple[Expr, list[Region]]]:
    """Regions that carry the same expression, together, in order of first appearance."""
    groups: list[tuple[Expr, list[Region]]] = []
    for region, expr in pairs:
        for value, where in groups:
            if value == expr:
                where.append(region)
                break
        else:
            groups.append((expr, [region]))
    return groups


def as_conditions(pieces: list[tuple[Expr, list[Region]]], var: Symbol) -> Piecewise:
    """A ``Piecewise`` from (expression, regions) pairs; the last pair becomes 'otherwise'."""
    args = []
    for n, (expr, where) in enumerate(pieces):
        cond = S.true if n == len(pieces) - 1 else Or(*(r.condition(var) for r in where))
        args.append((expr, cond))
    return Piecewise(*args)


def value_at(expr: Expr, var: Symbol, point: Expr, side: str | None = None) -> Expr:
    """expr at var = point: by substitution, by a one-sided limit (side "+" or "-") where that fails."""
    value = expr.subs(var, point)
    if value.has(nan, zoo, oo, -oo) and side:
        value = limit(expr, var, point, side)
    return value
