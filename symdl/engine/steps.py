"""The worked derivation ("미분 계산"): a chain of equalities from the definition to f'(x) in its own terms.

Each chain starts from the definition as written (``d/dx`` of it), applies the differentiation rule its
shape calls for (the rules are data: ``symdl.engine.rules.RULES`` maps a shape to the rule), simplifies, and, where the
engine found an output form g with f' = g(f), rewrites the result in terms of f and finally names f:
σ(x)(1 − σ(x)).  Every consecutive pair of lines is verified equal before the chain is returned
(``verify``): symbolically by SymPy where it can, otherwise at 40 digits at seven points inside the
region; each step records which check it passed.  A piecewise function is worked branch by branch on
the regions of ``symdl.engine.regions``; where a branch ends at a kink the derivation's breakpoints say which
slope is used there.  Nothing here is typed per activation: steps are built from the declaration.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, fields
from functools import cache
from itertools import pairwise
from typing import Any

from sympy import (
    Derivative,
    Expr,
    Indexed,
    Mul,
    Piecewise,
    Pow,
    S,
    Symbol,
    UnevaluatedExpr,
    latex,
    oo,
    simplify,
)

import symdl.cache as disk
from symdl.budget import USER_SECONDS, budget, guarded, unbounded
from symdl.catalog import Activation, i, x
from symdl.engine.calculus import RECORDS, Breakpoint, Derivation, derive, y, ys
from symdl.engine.cases import (
    Case,
    as_cases,
    derivative_cases,
    open_at_kinks,
    output_branch,
    own_terms,
    rightmost_first,
    shown_breakpoint,
    shown_region,
)
from symdl.engine.naming import Output, in_own_terms, named, unnamed, written
from symdl.engine.readable import readable
from symdl.engine.regions import Region
from symdl.engine.rules import RULES, derivative_of, quotient_split, shape, variable_of
from symdl.engine.vector import drop_index_guards, sum_over_k
from symdl.engine.verify import how_equal
from symdl.errors import DerivationError


@dataclass(frozen=True)
class Step:
    """One line of a worked derivation: the expression, the rule that gives it, and how it was checked."""

    expr: Expr
    rule: str  # why it equals the line before: "definition", "power", "chain", "quotient", ...
    powers: bool = False  # print negative powers as powers, (1 + e^{-x})^{-1}, not as fractions
    check: str = ""  # "sympy" (simplify proved it) or "40 digits"; "" on the first line


@dataclass(frozen=True)
class Branch:
    """The derivative worked on some regions of x, where the function is one expression."""

    where: tuple[Region, ...]  # open at kinks: there the slope is the breakpoint's
    steps: tuple[Step, ...]


@dataclass(frozen=True)
class Working:
    """The worked derivation of one activation."""

    derivation: Derivation
    shown: tuple[Symbol, ...]  # parameters written as their values
    cases: Step | None  # the definition written as cases, when it is max/min/|x| or a multiple of cases
    branches: tuple[Branch, ...]
    kinks: tuple[Breakpoint, ...]
    joins: tuple[Breakpoint, ...] = ()  # differentiable at these values, not for every parameter value (ELU)

    @property
    def activation(self) -> Activation:
        return self.derivation.activation

    def _repr_latex_(self) -> str:
        lines = []
        for branch in self.branches:
            if len(self.branches) > 1:
                where = r" \text{ or } ".join(latex(r.condition(x)) for r in branch.where)
                lines.append(rf"&\text{{if }} {where}:")
            lines += [rf"&= {latex(s.expr)}" for s in branch.steps]
        return "$\\displaystyle \\begin{aligned}" + r" \\ ".join(lines) + r"\end{aligned}$"


# --------------------------------------------------------------------------- chains


def chain(branch: Expr, act: Activation, g: Expr | None, check: Callable[[Expr, Expr], str]) -> tuple[Step, ...]:
    """The verified steps from d/dx of ``branch`` to its derivative, then to g(f) and to f named."""
    shown = written(branch)
    var = variable_of(shown)
    rule = shape(shown, var)
    powers = rule == "power" and shown.exp.is_negative if isinstance(shown, Pow) else False
    steps = [Step(Derivative(shown, var), "definition", powers=powers)]
    if rule:
        steps.append(Step(RULES[rule](shown, var), rule, powers=powers))
    split = quotient_split(shown, var) if rule == "quotient" and g is not None else None
    slope = derivative_of(shown, var)
    if split is not None:
        steps.append(Step(split, "split"))
    else:
        steps.append(Step(slope, "simplify"))
    if g is not None and g.has(y, ys):
        own = _own_output(act)
        if own in Mul.make_args(g):
            rest = readable(slope / shown, reference=(shown,))
            steps.append(Step(Mul(UnevaluatedExpr(shown), UnevaluatedExpr(rest), evaluate=False), "factor"))
        steps.append(Step(_substitute_output(g, act, UnevaluatedExpr(shown)), "output"))
        steps.append(Step(in_own_terms(g, act), "name"))
    checked = [steps[0]]
    for before, after in pairwise(steps):
        checked.append(Step(after.expr, after.rule, after.powers, check(before.expr, after.expr)))
    return tuple(checked)


def _own_output(act: Activation) -> Expr:
    return ys[i] if act.is_vector else y


def _substitute_output(g: Expr, act: Activation, shown: Expr) -> Expr:
    """g with the output written out: y (1 - y) as 1/(1 + e^{-x}) (1 - 1/(1 + e^{-x}))."""
    if not act.is_vector:
        return g.subs(y, shown)
    component = shown.args[0] if isinstance(shown, UnevaluatedExpr) else shown
    return g.replace(
        lambda e: isinstance(e, Indexed) and e.base == ys,
        lambda e: UnevaluatedExpr(component.subs(i, e.indices[0])),
    )


# --------------------------------------------------------------------------- verification


def evaluated(expr: Expr, act: Activation, branch: Expr) -> Expr:
    """A step as plain SymPy: the named output replaced by the branch, derivatives and sums done."""
    expr = S(expr)
    expr = expr.replace(
        lambda e: isinstance(e, Output),
        lambda e: branch.subs(i, e.args[0]) if act.is_vector else branch.subs(x, e.args[0]),
    )
    done = expr.doit()
    while done != expr:  # d/dx_j of a sum leaves a sum of Kronecker deltas to do
        expr, done = done, done.doit()
    return drop_index_guards(done)


def verify(
    before: Expr, after: Expr, act: Activation, branch: Expr, region: Region, values: Mapping[Symbol, Expr]
) -> str:
    """How ``before`` = ``after`` on ``region`` was proved ("sympy" or "40 digits"); DerivationError if not equal."""
    a, b = evaluated(before, act, branch), evaluated(after, act, branch)
    how = how_equal(a, b, region.interval(values), values, vector=act.is_vector)
    if how is None:
        raise DerivationError(
            f"{act.name}: the worked derivation has a step that does not follow: {before} is not equal to {after}"
        )
    return how


# --------------------------------------------------------------------------- working


def working(
    act: str | Activation, params: Mapping[str | Symbol, Any] | None = None, shown: Iterable[Symbol] = ()
) -> Working:
    """The worked derivation of ``act``; parameters in ``shown`` are written as their values."""
    d = derive(act, params)
    shown = tuple(sorted(set(shown) & set(d.valuemap), key=lambda s: s.name))
    if d.is_declared:
        with unbounded():
            return _working(d, shown)
    d.breakpoints, d.output_form  # noqa: B018 - each under its own budget first (the form may be not found)
    if (d, shown) not in _USERS:

        def work() -> Working:
            with budget(USER_SECONDS):  # a user's expression: every simplification of every step under one budget
                return guarded(f"{d.activation.name}: the worked derivation", _worked, d, shown)

        _USERS[d, shown] = _remembered(d, shown, work)
    return _USERS[d, shown]


_USERS: dict[tuple[Derivation, tuple[Symbol, ...]], Working] = {}  # user expressions' workings, found in time


# On disk (``symdl.cache``): a worked derivation by its derivation's key and the parameters shown as values.
_RECORDS = (*RECORDS, Step, Branch)
_WORKING_FIELDS = tuple(f.name for f in fields(Working) if f.name != "derivation")


@cache
def _working(d: Derivation, shown: tuple[Symbol, ...]) -> Working:
    """A declaration's worked derivation: from disk, else worked here and kept."""
    return _remembered(d, shown, lambda: _worked(d, shown))


def _remembered(d: Derivation, shown: tuple[Symbol, ...], work: Callable[[], Working]) -> Working:
    """``work()``, or the worked derivation a run before found; kept only if every fact it was worked from
    was found in time (as it will be worked again)."""
    kept = disk.remembered(
        "working",
        (*d.key, shown),
        lambda: {name: getattr(w, name) for w in [work()] for name in _WORKING_FIELDS},
        _RECORDS,
        {"Output": named(d.activation)},
        keep=lambda: not d.not_in_time,
        valid=lambda value: isinstance(value, dict) and set(value) == set(_WORKING_FIELDS),
    )
    return Working(d, **kept)


def _worked(d: Derivation, shown: tuple[Symbol, ...]) -> Working:
    act, values = d.activation, d.valuemap
    sub = {s: values[s] for s in shown}
    g = d.output_form.subs(sub) if d.output_form is not None else None
    if act.is_vector:
        definition = sum_over_k(act.definition.subs(sub))
        region = Region(-oo, oo, False, False, definition)
        steps = chain(definition, act, g, _checker(act, definition, region, values))
        return Working(d, shown, None, (Branch((region,), steps),), ())
    kinks = d.kinks
    branches = []
    for expr, where in rightmost_first(open_at_kinks(d.regions, kinks)):
        branch = expr.subs(sub)
        first = where[0]
        g_here = output_branch(g, first, branch, values) if g is not None else None
        steps = chain(branch, act, g_here, _checker(act, branch, first, values))
        branches.append(Branch(tuple(shown_region(r, sub) for r in where), steps))
    joins = tuple(
        shown_breakpoint(b, sub)
        for b in d.breakpoints
        if b.differentiable and simplify((b.left_slope - b.right_slope).subs(sub)) != 0
    )
    shown_kinks = tuple(shown_breakpoint(b, sub) for b in kinks)
    return Working(d, shown, _cases_step(d, sub), tuple(branches), shown_kinks, joins)


def _checker(
    act: Activation, branch: Expr, region: Region, values: Mapping[Symbol, Expr]
) -> Callable[[Expr, Expr], str]:
    return lambda before, after: verify(before, after, act, branch, region, values)


def _cases_step(d: Derivation, sub: Mapping[Symbol, Expr]) -> Step | None:
    """The definition as cases, checked region by region at exact points; None if it is written as cases."""
    cases = as_cases(d, sub)
    if cases is None or isinstance(d.activation.definition, Piecewise):
        return None
    values = d.valuemap
    definition = d.activation.definition.subs(values)
    for r in d.regions:
        lo, hi = r.lo.subs(values), r.hi.subs(values)
        points = [lo] if r.is_point else [r.sample(values)]
        if not r.is_point and lo != -oo and hi != oo:
            points += [lo + (hi - lo) / 4, hi - (hi - lo) / 4]
        for point in points:
            if simplify(definition.subs(x, point) - r.expr.subs(values).subs(x, point)) != 0:
                raise DerivationError(f"{d.activation.name}: its cases disagree with its definition at x = {point}")
    return Step(cases, "cases", check="exact points")


__all__ = [
    "RULES",
    "Branch",
    "Case",
    "Output",
    "Step",
    "Working",
    "as_cases",
    "derivative_cases",
    "in_own_terms",
    "named",
    "own_terms",
    "unnamed",
    "verify",
    "working",
    "written",
]
