"""The derivation engine: everything about an activation that follows from its definition.

For a declaration it derives, never types:
- the derivative (``sympy.diff``, then the most readable equivalent form), at
  a kink the value of the branch autograd selected there (PyTorch's value);
  for vector functions the Jacobian, component (i, j);
- the output form g(y) with f'(x) = g(f(x)), found by inverting y = f(x)
  branch by branch and verified, or None where no closed form exists;
- the breakpoints: where the branches meet, the one-sided values and slopes,
  whether f is continuous and differentiable there, and which slope is used;
- the properties (``symdl.engine.properties``).

Everything is cached: ``derive`` is called freely by every view.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache, cached_property
from itertools import pairwise
from typing import Any, TypeVar

import mpmath
from sympy import (
    Expr,
    IndexedBase,
    KroneckerDelta,
    S,
    Sum,
    Symbol,
    diff,
    latex,
    limit,
    nan,
    oo,
    simplify,
    zoo,
)

from symdl.budget import NOT_IN_TIME, USER_SECONDS, OutOfTime, budget, guarded
from symdl.catalog import CATALOGUE, Activation, activation, i, j, x, xs
from symdl.errors import NotFound
from symdl.engine.properties import Properties, properties, vector_properties
from symdl.engine.readable import readable
from symdl.engine.regions import Region, as_conditions, grouped, regions
from symdl.engine.solving import invert, roots
from symdl.engine.vector import jacobian
from symdl.engine.verify import how_equal
from symdl.functions import as_mpmath

T = TypeVar("T")

# The variable output forms are written in: y = f(x).  Vector: y_i = f_i(x).
y = Symbol("y", real=True)
ys = IndexedBase("y", real=True)

# On a user's expression the readable-form search and the output form each get at most this share of
# the budget, so that the facts shown after them still have time.
SHARE = 3 / 7

MAX_ORDER = 4  # continuity is checked up to this derivative at each breakpoint

# Why a derivation has no output form: proved, or only not found (which claims nothing).
NONE_TWO_SLOPES = "none: f takes some value at two points with different slopes, so f' is not a function of f"
NOT_FOUND = "not found: symdl's inversion of y = f(x) gave no closed form (which does not prove there is none)"


@dataclass(frozen=True)
class Breakpoint:
    """A point where two branches meet, analysed at the derivation's parameter values."""

    at: Expr
    value: Expr  # f(at): the branch selected there
    left: Expr  # lim f(x), x -> at-
    right: Expr  # lim f(x), x -> at+
    left_slope: Expr  # lim f'(x), x -> at-
    right_slope: Expr  # lim f'(x), x -> at+
    slope: Expr  # f'(at) as symdl uses it: the slope of the branch selected there, as autograd does
    continuous: bool
    differentiable: bool
    order: int  # f is C^order at this point (-1: discontinuous)

    @property
    def is_kink(self) -> bool:
        return not self.differentiable


@dataclass(frozen=True)
class Derivation:
    """What the engine derives from one declaration, at given parameter values.

    Each fact is computed on first use and kept: compiling a NumPy function asks for the regions and
    slopes only, never for the roots of f'.  On a user's expression each fact is computed under its own
    time budget; one that runs out is ``None`` (the output form's note says ``NOT_IN_TIME``) and named in
    ``not_in_time``, and the derivation is no longer cached, so the next ``derive`` tries again.
    """

    activation: Activation
    values: tuple[tuple[Symbol, Expr], ...]

    FACTS = ("derivative", "output_form", "output_form_note", "regions", "breakpoints", "properties")

    @cached_property
    def regions(self) -> tuple[Region, ...]:
        """The branches of f and where each holds; on a user's expression ``OutOfTime`` if not found in time."""
        return self._core("regions", "its branches")

    @cached_property
    def slopes(self) -> tuple[Expr, ...]:
        """f' on each region, in its most readable form (on a user's expression that runs out of time, as
        ``sympy.diff`` gives it: the same function, not simplified, and ``not_in_time`` says so)."""
        found = self._optional("slopes", "the readable form of the derivative", SHARE)
        return tuple(diff(r.expr, x) for r in self.regions) if found is None else found

    @cached_property
    def derivative(self) -> Expr:
        """Symbolic in the parameters; for a vector function the Jacobian entry (i, j)."""
        if self.activation.is_vector:
            return jacobian(self.activation)
        return _join(self.regions, self.slopes)

    @cached_property
    def breakpoints(self) -> tuple[Breakpoint, ...]:
        """Where branches meet; on a user's expression ``OutOfTime`` if not found in time."""
        return self._core("breakpoints", "its breakpoints")

    @cached_property
    def _output(self) -> tuple[Expr | None, str]:
        if self.activation.is_vector:
            form = _vector_output_form(self.activation, self.derivative)
            return form, "" if form is not None else NOT_FOUND
        self.breakpoints  # noqa: B018 - nothing is shown without them: they come before the optional facts
        found = self._optional("_output", "the output form", SHARE)
        return (None, self.notes.get("the output form", NOT_FOUND)) if found is None else found

    @property
    def output_form(self) -> Expr | None:
        """g(y), symbolic in the parameters, or None (``output_form_note`` says why)."""
        return self._output[0]

    @property
    def output_form_note(self) -> str:
        """Why there is no output form: NONE_TWO_SLOPES, NOT_FOUND or NOT_IN_TIME ("" where there is one)."""
        return self._output[1]

    @cached_property
    def properties(self) -> Properties | None:
        """None where not found (``notes["the properties"]`` says why: NOT_IN_TIME, or the reason)."""
        if self.activation.is_vector:
            return vector_properties(self.activation, self.valuemap)
        return self._optional("properties", "the properties")

    @property
    def notes(self) -> dict[str, str]:
        """Why each fact asked for so far was not found ("the properties": NOT_IN_TIME, ...)."""
        return dict(self.__dict__.get("_notes", {}))

    @property
    def not_in_time(self) -> tuple[str, ...]:
        """The facts asked for so far that ran out of a user expression's time budget."""
        return tuple(fact for fact, why in self.notes.items() if why == NOT_IN_TIME)

    @property
    def is_declared(self) -> bool:
        """A catalogue declaration: derived by bounded strategies, never under a timer."""
        return self.activation in CATALOGUE

    # Each fact is computed by its ``_find_<fact>``.  On a user's expression that runs in a child process
    # under the time budget (``symdl.budget.guarded``: every symbolic step inside, diff, simplify, limits,
    # solveset, is bounded by one mechanism), and the facts the child computed on the way come back with it.

    def _find_regions(self) -> tuple[Region, ...]:
        return () if self.activation.is_vector else regions(self.activation.definition, x, self.valuemap)

    def _find_slopes(self) -> tuple[Expr, ...]:
        return tuple(_readable_slope(r.expr, self.activation.definition) for r in self.regions)

    def _find_breakpoints(self) -> tuple[Breakpoint, ...]:
        return _breakpoints(self.regions, self.slopes, self.valuemap)

    def _find__output(self) -> tuple[Expr | None, str]:
        return scalar_output_form(self.regions, self.slopes, self.valuemap)

    def _find_properties(self) -> Properties:
        return properties(self.regions, self.slopes, self.breakpoints, self.valuemap)

    def _core(self, fact: str, what: str) -> Any:
        """A fact nothing else can be shown without: ``OutOfTime`` (one line from the CLI) if not in time."""
        if self.is_declared:
            return getattr(self, f"_find_{fact}")()
        try:
            return self._in_child(fact)
        except OutOfTime:
            _DERIVED.pop((self.activation, self.values), None)
            raise OutOfTime(f"{self.activation.name}: {what}") from None

    def _optional(self, fact: str, what: str, share: float = 1.0) -> Any:
        """A fact, or None with the reason in ``notes[what]`` (not found in time, or not found and why)."""
        if self.is_declared:
            try:
                return getattr(self, f"_find_{fact}")()
            except NotFound as reason:
                self.__dict__.setdefault("_notes", {})[what] = str(reason)
                return None
        try:
            return self._in_child(fact, share)
        except OutOfTime:
            self.__dict__.setdefault("_notes", {})[what] = NOT_IN_TIME
            _DERIVED.pop((self.activation, self.values), None)  # the next ``derive`` tries again
        except NotFound as reason:
            self.__dict__.setdefault("_notes", {})[what] = str(reason)
        return None

    def _in_child(self, fact: str, share: float = 1.0) -> Any:
        with budget(USER_SECONDS * share):
            found, computed, notes = guarded(what_of(fact), _find, self, fact)
        for name, value in computed.items():
            self.__dict__.setdefault(name, value)
        self.__dict__.setdefault("_notes", {}).update(notes)
        return found

    @property
    def kinks(self) -> tuple[Breakpoint, ...]:
        return tuple(b for b in self.breakpoints if b.is_kink)

    @property
    def valuemap(self) -> dict[Symbol, Expr]:
        return dict(self.values)

    def _repr_latex_(self) -> str:
        act = self.activation
        var = latex(act.x[i] if act.is_vector else act.x)
        lhs = rf"\frac{{\partial {act.tex}_i}}{{\partial x_j}}" if act.is_vector else rf"{act.tex_grouped}'({var})"
        return f"$\\displaystyle {lhs} = {latex(self.derivative)}$"


# --------------------------------------------------------------------------- API


def derive(act: str | Activation, params: Mapping[str | Symbol, Any] | None = None) -> Derivation:
    """The derivation of an activation; parameter values default to the declared ones."""
    act = activation(act)
    values = act.values(params)
    return _derive(act, tuple(sorted(values.items(), key=lambda kv: kv[0].name)))


def derivative(act: str | Activation) -> Expr:
    """f'(x), derived and simplified; for vector functions the Jacobian entry (i, j)."""
    return derive(act).derivative


def output_form(act: str | Activation) -> Expr | None:
    """g(y) with f'(x) = g(f(x)) in ``Symbol('y')`` (``y[i]``, ``y[j]`` for vectors), or None where there is
    none or none was found (``derive(act).output_form_note`` says which); ``OutOfTime`` where a user's
    expression ran out of its time budget first."""
    d = derive(act)
    if d.output_form_note == NOT_IN_TIME:
        raise OutOfTime("the output form")
    return d.output_form


_FOUND_ON_THE_WAY = ("regions", "slopes", "breakpoints", "_output", "properties")


def what_of(fact: str) -> str:
    return {"_output": "the output form", "slopes": "the derivative"}.get(fact, f"the {fact}")


def _find(d: Derivation, fact: str) -> tuple[Any, dict[str, Any], dict[str, str]]:
    """In a guarded child: the fact, the facts computed on the way, and the notes (sent back whole)."""
    found = getattr(d, f"_find_{fact}")()
    computed = {name: d.__dict__[name] for name in _FOUND_ON_THE_WAY if name in d.__dict__}
    return found, computed, d.notes


_DERIVED: dict[tuple[Activation, tuple[tuple[Symbol, Expr], ...]], Derivation] = {}


def _derive(act: Activation, values: tuple[tuple[Symbol, Expr], ...]) -> Derivation:
    return _DERIVED.setdefault((act, values), Derivation(act, values))


# --------------------------------------------------------------------------- derivative


@cache
def _readable_slope(branch: Expr, definition: Expr) -> Expr:
    return readable(diff(branch, x), reference=(definition,))


def _join(regs: tuple[Region, ...], exprs: tuple[Expr, ...]) -> Expr:
    """One expression from per-region expressions: rightmost region first, the last one 'otherwise'."""
    groups = grouped(reversed(list(zip(regs, exprs, strict=True))))
    if len(groups) == 1:
        return groups[0][0]
    return as_conditions(groups, x)


# --------------------------------------------------------------------------- breakpoints


def _at(expr: Expr, point: Expr, side: str | None = None) -> Expr:
    """expr at x = point: by substitution, by a one-sided limit where that fails."""
    value = expr.subs(x, point)
    if value.has(nan, zoo, oo, -oo) and side:
        value = limit(expr, x, point, side)
    return value


def _same(a: Expr, b: Expr, values: Mapping[Symbol, Expr]) -> bool:
    return simplify((a - b).subs(values)) == 0


def _breakpoints(
    regs: tuple[Region, ...], slopes: tuple[Expr, ...], values: Mapping[Symbol, Expr]
) -> tuple[Breakpoint, ...]:
    points = list(dict.fromkeys(r.hi for r in regs if r.hi != oo))
    found = []
    for at in points:
        left = next(n_ for n_, r in enumerate(regs) if r.hi == at and not r.is_point)
        right = next(n_ for n_, r in enumerate(regs) if r.lo == at and not r.is_point)
        owner = next(
            n_
            for n_, r in enumerate(regs)
            if (r.is_point and r.lo == at) or (r.hi == at and r.hi_closed) or (r.lo == at and r.lo_closed)
        )
        f_left, f_right = _at(regs[left].expr, at, "-"), _at(regs[right].expr, at, "+")
        f_at = _at(regs[owner].expr, at)
        d_left, d_right = _at(slopes[left], at, "-"), _at(slopes[right], at, "+")
        continuous = _same(f_left, f_at, values) and _same(f_right, f_at, values)
        found.append(
            Breakpoint(
                at=at,
                value=f_at,
                left=f_left,
                right=f_right,
                left_slope=d_left,
                right_slope=d_right,
                slope=_at(slopes[owner], at),
                continuous=continuous,
                differentiable=continuous and _same(d_left, d_right, values),
                order=_order(regs[left].expr, regs[right].expr, at, values) if continuous else -1,
            )
        )
    return tuple(found)


def _order(left: Expr, right: Expr, at: Expr, values: Mapping[Symbol, Expr]) -> int:
    for order in range(1, MAX_ORDER + 1):
        if not _same(_at(diff(left, x, order), at, "-"), _at(diff(right, x, order), at, "+"), values):
            return order - 1
    return MAX_ORDER


# --------------------------------------------------------------------------- output form


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
    lo_val, hi_val = _at(branch, region.lo, "+"), _at(branch, region.hi, "-")
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
    from sympy import Interval

    ia = Interval(a.lo.subs(values), a.hi.subs(values), not a.lo_closed, not a.hi_closed)
    ib = Interval(b.lo.subs(values), b.hi.subs(values), not b.lo_closed, not b.hi_closed)
    return ia.intersect(ib) != S.EmptySet


def _num(expr: Expr, values: Mapping[Symbol, Expr]) -> float:
    return float(expr.subs(values).evalf(30))


def _vector_output_form(act: Activation, jac: Expr) -> Expr | None:
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


__all__ = [
    "Breakpoint",
    "Derivation",
    "derivative",
    "derive",
    "output_form",
    "y",
    "ys",
]
