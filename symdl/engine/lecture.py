"""How the lecture writes an activation differently from its standard definition, derived from the
declaration's ``lecture=`` form: which parameters it writes as values, fixes, or leaves out.  The views
print the difference (``symdl.render.latex.lecture_notes``); nothing about it is typed per activation.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from sympy import Dummy, Expr, Symbol, simplify, solve
from sympy.logic.boolalg import Boolean

import symdl.cache as disk
from symdl.catalog import Activation, x
from symdl.engine.regions import Region, regions
from symdl.engine.verify import how_equal
from symdl.errors import DerivationError


@dataclass(frozen=True)
class LectureForm:
    """How the lecture's form (``Activation.lecture``) differs from the definition, derived.

    The lecture's form is the definition with the parameters it does not mention set to the values
    that make the two equal as functions of x (found by solving, branch by branch, and verified).  Each
    such parameter is then one of:

    - ``by_value``: the lecture writes the default value where the definition has the parameter (putting
      the parameter back in place of that number gives the definition): LeakyReLU's 0.01;
    - ``omitted``: a factor of the whole definition, set to 1 and so left out: SELU's scale lambda;
    - ``fixed``: any other value the lecture fixes: ELU's alpha = 1, which leaves no trace in e^x - 1.

    ``differs`` are the lecture's branches that are not the definition (with its parameters symbolic), each
    with the condition on x where it holds: ((e^x - 1, x < 0),) for ELU.
    """

    by_value: tuple[Symbol, ...]
    fixed: tuple[tuple[Symbol, Expr], ...]
    omitted: tuple[Symbol, ...]
    differs: tuple[tuple[Expr, Boolean], ...]


@cache
def lecture_form(act: Activation) -> LectureForm | None:
    """The difference between the lecture's form and the definition; None for an activation without one.
    Kept on disk (``symdl.cache``) by the definition, the lecture's form and the parameters."""
    if act.lecture is None:
        return None
    key = (act.definition, act.lecture, tuple((p.symbol, p.default) for p in act.parameters))
    return disk.remembered("lecture", key, lambda: _lecture_form(act), (LectureForm,))


def _lecture_form(act: Activation) -> LectureForm:
    lecture = act.lecture
    pieces = _pieces(act, act.definition, lecture)
    missing = [p.symbol for p in act.parameters if not lecture.has(p.symbol)]
    equations = [e for e in (simplify(defined - written) for _, defined, written in pieces) if e != 0]
    solution = _solve(act, equations, missing)
    if not all(_equal(act, defined.subs(solution), written, region) for region, defined, written in pieces):
        raise DerivationError(f"{act.name}: the lecture's form {lecture} is not the definition at any parameter values")
    by_value, fixed, omitted = [], [], []
    for p in missing:
        value, others = solution[p], {q: v for q, v in solution.items() if q != p}
        if value == act.params[p] and _same_function(act, act.definition.subs(others), lecture.xreplace({value: p})):
            by_value.append(p)
        elif value == 1 and not simplify(act.definition / p).has(p):
            omitted.append(p)
        else:
            fixed.append((p, value))
    differs = tuple(
        (written, region.condition(x))
        for region, defined, written in pieces
        if not _equal(act, defined, written, region, symbolic_only=True)
    )
    return LectureForm(tuple(by_value), tuple(fixed), tuple(omitted), differs)


def _pieces(act: Activation, a: Expr, b: Expr) -> list[tuple[Region, Expr, Expr]]:
    """The regions of x on which both ``a`` and ``b`` are one branch each, with those branches (at a
    breakpoint, their values there)."""
    tag = Dummy("tag")
    out = []
    for region in regions(a * tag + b, x, act.params):
        left, right = region.expr.coeff(tag), region.expr.subs(tag, 0)
        if region.is_point:
            left, right = left.subs(x, region.lo), right.subs(x, region.lo)
        out.append((region, left, right))
    return out


def _solve(act: Activation, equations: list[Expr], unknowns: list[Symbol]) -> dict[Symbol, Expr]:
    """The values of ``unknowns`` that make every equation hold for all x (the defaults first, if they do)."""
    if not unknowns:
        return {}
    found = [
        s
        for s in solve(equations, unknowns, dict=True)
        if set(s) == set(unknowns) and not any(v.has(x) for v in s.values())
    ]
    if not found:
        names = ", ".join(p.name for p in unknowns)
        raise DerivationError(f"{act.name}: no values of {names} make the definition the lecture's form")
    defaults = {p: act.params[p] for p in unknowns}
    return defaults if defaults in found else found[0]


def _equal(act: Activation, a: Expr, b: Expr, region: Region, symbolic_only: bool = False) -> bool:
    if simplify(a - b) == 0:
        return True
    return not symbolic_only and how_equal(a, b, region.interval(act.params), act.params) is not None


def _same_function(act: Activation, a: Expr, b: Expr) -> bool:
    """``a = b`` for every x and every value of the parameters: symbolically (a number check would take the
    parameters at their defaults, where ELU's alpha(e^x - 1) is e^x - 1)."""
    return all(_equal(act, left, right, region, symbolic_only=True) for region, left, right in _pieces(act, a, b))


__all__ = ["LectureForm", "lecture_form"]
