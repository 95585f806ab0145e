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
from dataclasses import dataclass
from functools import cache
from itertools import pairwise
from typing import Any

from sympy import (
    Derivative,
    Expr,
    Function,
    Indexed,
    Mul,
    Piecewise,
    Pow,
    S,
    Symbol,
    UnevaluatedExpr,
    exp,
    latex,
    oo,
    simplify,
    tanh,
)

from symdl.budget import USER_SECONDS, budget, guarded, unbounded
from symdl.catalog import Activation, i, x
from symdl.engine.calculus import Breakpoint, Derivation, derive, y, ys
from symdl.engine.readable import readable
from symdl.engine.regions import Region, grouped
from symdl.engine.rules import RULES, derivative_of, quotient_split, shape, variable_of
from symdl.engine.vector import drop_index_guards, sum_over_k
from symdl.engine.verify import how_equal
from symdl.errors import DerivationError

# An activation that *is* an elementary function is worked from the definition the lecture gives it:
# tanh x = (e^x - e^-x)/(e^x + e^-x).  SymPy does the rewriting.
WRITTEN: dict[type, Any] = {tanh: exp}


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
class Case:
    """One row of a piecewise derivative: the value, where it holds, and the breakpoints it is used at."""

    expr: Expr
    where: tuple[Region, ...]
    own: Expr | None = None  # the value in terms of the function's own output, e.g. ELU(x) + alpha
    kinks: tuple[Breakpoint, ...] = ()  # non-empty: the points where f' is undefined and this value is used


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


# --------------------------------------------------------------------------- naming f(x)


class Output(Function):
    """The activation's own output written by its name: σ(x), or s_i for a vector function."""

    activation: Activation

    def __reduce_ex__(self, protocol: Any) -> tuple[Any, ...]:
        """Pickled by its activation (its class is made by ``named``), so a worked derivation found in a
        guarded child process comes back whole."""
        return _named_output, (self.activation, self.args)

    def _latex(self, printer: Any) -> str:
        act, arg = self.activation, self.args[0]
        if act.is_vector:
            return f"s_{{{printer._print(arg)}}}"
        plain = unnamed(self)
        return printer._print(plain) if plain is not self else f"{act.tex}({printer._print(arg)})"


@cache
def named(act: Activation) -> type[Output]:
    """The SymPy function that stands for ``act``'s output and prints with its name."""
    # Named "Output" like its base: SymPy's printers dispatch a renamed Function subclass by its own name.
    return type("Output", (Output,), {"activation": act})


def _named_output(act: Activation, args: tuple[Expr, ...]) -> Expr:
    return named(act)(*args)


def _is_applied_function(expr: Expr) -> bool:
    return isinstance(expr, Function) and expr.args == (x,)


def unnamed(expr: Expr) -> Expr:
    """The named output of an activation that is itself a function (tanh) as that function; else ``expr``."""
    if isinstance(expr, Output) and _is_applied_function(expr.activation.definition):
        return expr.activation.definition.subs(x, expr.args[0])
    return expr


def written(expr: Expr) -> Expr:
    """The form a branch is worked from: tanh x as (e^x - e^-x)/(e^x + e^-x), anything else as declared."""
    if _is_applied_function(expr) and type(expr) in WRITTEN:
        return expr.rewrite(WRITTEN[type(expr)])
    return expr


def in_own_terms(g: Expr, act: Activation) -> Expr:
    """An output form g(y) with y replaced by the named output: y (1 - y) becomes σ(x)(1 - σ(x))."""
    out = named(act)
    if act.is_vector:
        return g.replace(lambda e: isinstance(e, Indexed) and e.base == ys, lambda e: out(e.indices[0]))
    return g.subs(y, out(x))


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
        with budget(USER_SECONDS):  # a user's expression: every simplification of every step under one budget
            _USERS[d, shown] = guarded(f"{d.activation.name}: the worked derivation", _working, d, shown)
    return _USERS[d, shown]


_USERS: dict[tuple[Derivation, tuple[Symbol, ...]], Working] = {}  # user expressions' workings, found in time


@cache
def _working(d: Derivation, shown: tuple[Symbol, ...]) -> Working:
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
    for expr, where in _grouped(_open_at_kinks(d.regions, kinks)):
        branch = expr.subs(sub)
        first = where[0]
        g_here = _output_branch(g, first, branch, values) if g is not None else None
        steps = chain(branch, act, g_here, _checker(act, branch, first, values))
        branches.append(Branch(tuple(_shown_region(r, sub) for r in where), steps))
    joins = tuple(
        _shown_breakpoint(b, sub)
        for b in d.breakpoints
        if b.differentiable and simplify((b.left_slope - b.right_slope).subs(sub)) != 0
    )
    shown_kinks = tuple(_shown_breakpoint(b, sub) for b in kinks)
    return Working(d, shown, _cases_step(d, sub), tuple(branches), shown_kinks, joins)


def _checker(
    act: Activation, branch: Expr, region: Region, values: Mapping[Symbol, Expr]
) -> Callable[[Expr, Expr], str]:
    return lambda before, after: verify(before, after, act, branch, region, values)


def _open_at_kinks(regs: tuple[Region, ...], kinks: tuple[Breakpoint, ...]) -> list[Region]:
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


def _grouped(regs: Iterable[Region]) -> list[tuple[Expr, list[Region]]]:
    """Regions with the same expression together, rightmost first (as a lecturer writes cases)."""
    return grouped((r, r.expr) for r in reversed(list(regs)))


def _output_branch(g: Expr, region: Region, branch: Expr, values: Mapping[Symbol, Expr]) -> Expr:
    """The branch of the output form g(y) that holds for y = f(x) on ``region``."""
    return _branch_at(g, y, branch.subs(values).subs(x, region.sample(values)), values)


def _shown_region(r: Region, sub: Mapping[Symbol, Expr]) -> Region:
    return Region(r.lo.subs(sub), r.hi.subs(sub), r.lo_closed, r.hi_closed, r.expr.subs(sub))


def _shown_breakpoint(b: Breakpoint, sub: Mapping[Symbol, Expr]) -> Breakpoint:
    fields = {name: getattr(b, name) for name in b.__dataclass_fields__}
    return Breakpoint(**{k_: (v.subs(sub) if isinstance(v, Expr) else v) for k_, v in fields.items()})


def as_cases(d: Derivation, sub: Mapping[Symbol, Expr]) -> Piecewise | None:
    """The definition as cases on its regions (rightmost first, every condition explicit); None if smooth."""
    if len(d.regions) < 2:
        return None
    groups = _grouped(d.regions)
    return Piecewise(*((expr.subs(sub), _condition(where, sub)) for expr, where in groups))


def _condition(where: Iterable[Region], sub: Mapping[Symbol, Expr]) -> Any:
    from sympy import Or

    return Or(*(_shown_region(r, sub).condition(x) for r in where))


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


# --------------------------------------------------------------------------- the derivative as cases


def derivative_cases(d: Derivation, shown: Iterable[Symbol] = ()) -> tuple[Case, ...]:
    """f' as rows: each value with where it holds, then the kinks with the value used there (PyTorch's)."""
    values = d.valuemap
    sub = {s: values[s] for s in shown}
    kinks = d.kinks
    g = d.output_form
    rows = []
    for _, where in _grouped(_open_at_kinks(d.regions, kinks)):
        slope = _branch_at(d.derivative, x, where[0].sample(values), values)
        own = None
        if g is not None:
            g_here = _output_branch(g, where[0], where[0].expr, values)
            own = in_own_terms(g_here, d.activation).subs(sub) if g_here.has(y) else None
        rows.append(Case(slope.subs(sub), tuple(_shown_region(r, sub) for r in where), own))
    merged: list[Case] = []
    for row in rows:  # neighbours with one value (different branches of f, same slope) share a row
        same = next((m for m, r in enumerate(merged) if r.expr == row.expr and r.own == row.own), None)
        if same is None:
            merged.append(row)
        else:
            merged[same] = Case(row.expr, merged[same].where + row.where, row.own)
    used: dict[Expr, list[Breakpoint]] = {}
    for b in kinks:
        used.setdefault(b.slope.subs(sub), []).append(_shown_breakpoint(b, sub))
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
