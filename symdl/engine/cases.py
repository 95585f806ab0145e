"""A derivation written as cases: the definition on its regions (rightmost first, every condition explicit),
and f' as rows, each value with where it holds, then the kinks with the value used there."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sympy import Expr, Piecewise, S, Symbol

import symdl.cache as disk
from symdl.catalog import x
from symdl.engine.calculus import RECORDS, Breakpoint, Derivation, y, ys
from symdl.engine.naming import in_own_terms, named
from symdl.engine.regions import Region, grouped
from symdl.errors import DerivationError


@dataclass(frozen=True)
class Case:
    """One row of a piecewise derivative: the value, where it holds, and the breakpoints it is used at."""

    expr: Expr
    where: tuple[Region, ...]
    own: Expr | None = None  # the value in terms of the function's own output, e.g. ELU(x) + alpha
    kinks: tuple[Breakpoint, ...] = ()  # non-empty: the points where f' is undefined and this value is used


def open_at_kinks(regs: tuple[Region, ...], kinks: tuple[Breakpoint, ...]) -> list[Region]:
    """The regions without their kink points (single points are left to the breakpoints)."""
    points = {b.at for b in kinks}
    out = []
    for r in regs:
        if r.is_point:
            continue
        lo_closed = r.lo_closed and r.lo not in points
        hi_closed = r.hi_closed and r.hi not in points
        out.append(Region(r.lo, r.hi, lo_closed, hi_closed, r.expr))
    return out


def rightmost_first(regs: Iterable[Region]) -> list[tuple[Expr, list[Region]]]:
    """Regions with the same expression together, rightmost first (as a lecturer writes cases)."""
    return grouped((r, r.expr) for r in reversed(list(regs)))


def output_branch(g: Expr, region: Region, branch: Expr, values: Mapping[Symbol, Expr]) -> Expr:
    """The branch of the output form g(y) that holds for y = f(x) on ``region``."""
    return _branch_at(g, y, branch.subs(values).subs(x, region.sample(values)), values)


def shown_region(r: Region, sub: Mapping[Symbol, Expr]) -> Region:
    return Region(r.lo.subs(sub), r.hi.subs(sub), r.lo_closed, r.hi_closed, r.expr.subs(sub))


def shown_breakpoint(b: Breakpoint, sub: Mapping[Symbol, Expr]) -> Breakpoint:
    fields = {name: getattr(b, name) for name in b.__dataclass_fields__}
    return Breakpoint(**{k_: (v.subs(sub) if isinstance(v, Expr) else v) for k_, v in fields.items()})


def as_cases(d: Derivation, sub: Mapping[Symbol, Expr]) -> Piecewise | None:
    """The definition as cases on its regions (rightmost first, every condition explicit); None if smooth."""
    if len(d.regions) < 2:
        return None
    groups = rightmost_first(d.regions)
    return Piecewise(*((expr.subs(sub), _condition(where, sub)) for expr, where in groups))


def _condition(where: Iterable[Region], sub: Mapping[Symbol, Expr]) -> Any:
    from sympy import Or

    return Or(*(shown_region(r, sub).condition(x) for r in where))


def derivative_cases(d: Derivation, shown: Iterable[Symbol] = ()) -> tuple[Case, ...]:
    """f' as rows: each value with where it holds, then the kinks with the value used there (PyTorch's).
    Kept on disk (``symdl.cache``) with the derivation, once every fact it rests on was found in time."""
    shown = tuple(shown)
    return disk.remembered(
        "cases",
        (*d.key, shown),
        lambda: _derivative_cases(d, shown),
        (*RECORDS, Case),
        {"Output": named(d.activation)},
        keep=lambda: not d.not_in_time,
    )


def _derivative_cases(d: Derivation, shown: tuple[Symbol, ...]) -> tuple[Case, ...]:
    values = d.valuemap
    sub = {s: values[s] for s in shown}
    kinks = d.kinks
    g = d.output_form
    rows = []
    for _, where in rightmost_first(open_at_kinks(d.regions, kinks)):
        slope = _branch_at(d.derivative, x, where[0].sample(values), values)
        own = None
        if g is not None:
            g_here = output_branch(g, where[0], where[0].expr, values)
            own = in_own_terms(g_here, d.activation).subs(sub) if g_here.has(y) else None
        rows.append(Case(slope.subs(sub), tuple(shown_region(r, sub) for r in where), own))
    merged: list[Case] = []
    for row in rows:  # neighbours with one value (different branches of f, same slope) share a row
        same = next((m for m, r in enumerate(merged) if r.expr == row.expr and r.own == row.own), None)
        if same is None:
            merged.append(row)
        else:
            merged[same] = Case(row.expr, merged[same].where + row.where, row.own)
    used: dict[Expr, list[Breakpoint]] = {}
    for b in kinks:
        used.setdefault(b.slope.subs(sub), []).append(shown_breakpoint(b, sub))
    for slope, points in used.items():
        where = tuple(Region(b.at, b.at, True, True, slope) for b in points)
        merged.append(Case(slope, where, None, tuple(points)))
    return tuple(merged)


def _branch_at(expr: Expr, var: Symbol, point: Expr, values: Mapping[Symbol, Expr]) -> Expr:
    """The branch of ``expr`` (a Piecewise in ``var``, or one expression) that holds at ``var`` = ``point``."""
    if not isinstance(expr, Piecewise):
        return expr
    for e, cond in expr.args:
        if cond.subs(var, point).subs(values) == S.true:
            return e
    raise DerivationError(f"no branch of {expr} holds at {var} = {point}")


def own_terms(d: Derivation, shown: Iterable[Symbol] = ()) -> Expr | None:
    """f' in terms of f for a smooth function (σ(x)(1 - σ(x))), None if piecewise or none exists."""
    if d.output_form is None or isinstance(d.output_form, Piecewise) or not d.output_form.has(y, ys):
        return None
    sub = {s: d.valuemap[s] for s in shown}
    return in_own_terms(d.output_form, d.activation).subs(sub)


__all__ = [
    "Case",
    "as_cases",
    "derivative_cases",
    "open_at_kinks",
    "output_branch",
    "own_terms",
    "rightmost_first",
    "shown_breakpoint",
    "shown_region",
]
