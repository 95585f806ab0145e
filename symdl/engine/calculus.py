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

Everything is cached: ``derive`` is called freely by every view; and on disk (``symdl.cache``), keyed by
the declaration, so the next run reads what this one found.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache, cached_property
from typing import Any

from sympy import Expr, Symbol, diff, latex, oo, simplify

import symdl.cache as disk
from symdl.budget import NOT_IN_TIME, USER_SECONDS, OutOfTime, budget, guarded, in_child, unbounded
from symdl.catalog import CATALOGUE, Activation, activation, i, x
from symdl.engine.output import NOT_FOUND, scalar_output_form, vector_output_form, y, ys
from symdl.engine.properties import Properties, properties, vector_properties
from symdl.engine.readable import readable
from symdl.engine.regions import Region, as_conditions, grouped, regions, value_at
from symdl.engine.vector import jacobian
from symdl.errors import NotFound

# On a user's expression the readable-form search and the output form each get at most this share of
# the budget, so that the facts shown after them still have time.
SHARE = 3 / 7

MAX_ORDER = 4  # continuity is checked up to this derivative at each breakpoint


@dataclass(frozen=True)
class Breakpoint:
    """A point where two branches meet, analysed at the derivation's parameter values."""

    at: Expr
    value: Expr  # f(at): the branch selected there
    left: Expr  # lim f(x), x -> at-
    right: Expr  # lim f(x), x -> at+
    left_slope: Expr  # lim f'(x), x -> at-
    right_slope: Expr  # lim f'(x), x -> at+
    slope: Expr  # f'(at) as symdl uses it: the slope of the branch selected there (PyTorch's? engine.conventions)
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
        return self._core("regions")

    @cached_property
    def slopes(self) -> tuple[Expr, ...]:
        """f' on each region, in its most readable form (on a user's expression that runs out of time, as
        ``sympy.diff`` gives it: the same function, not simplified, and ``not_in_time`` says so)."""
        found = self._optional("slopes", SHARE)
        return tuple(diff(r.expr, x) for r in self.regions) if found is None else found

    @cached_property
    def derivative(self) -> Expr:
        """Symbolic in the parameters; for a vector function the Jacobian entry (i, j)."""
        if self.activation.is_vector:
            with unbounded():  # vector functions are declarations
                return jacobian(self.activation)
        return _join(self.regions, self.slopes)

    @cached_property
    def breakpoints(self) -> tuple[Breakpoint, ...]:
        """Where branches meet; on a user's expression ``OutOfTime`` if not found in time."""
        return self._core("breakpoints")

    @cached_property
    def _output(self) -> tuple[Expr | None, str]:
        if self.activation.is_vector:
            return self._declared("_output")
        self.breakpoints  # noqa: B018 - nothing is shown without them: they come before the optional facts
        found = self._optional("_output", SHARE)
        return (None, self.notes.get(WHAT["_output"], NOT_FOUND)) if found is None else found

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
            return self._declared("properties")
        return self._optional("properties")

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
        if self.activation.is_vector:
            form = vector_output_form(self.activation, self.derivative)
            return form, "" if form is not None else NOT_FOUND
        return scalar_output_form(self.regions, self.slopes, self.valuemap)

    def _find_properties(self) -> Properties:
        if self.activation.is_vector:
            return vector_properties(self.activation, self.valuemap)
        return properties(self.regions, self.slopes, self.breakpoints, self.valuemap)

    def _declared(self, fact: str) -> Any:
        """A fact of a vector function (a declaration): derived with no budget, kept on disk."""
        known, value = self._recalled(fact)
        if known:
            return value
        with unbounded():
            value = getattr(self, f"_find_{fact}")()
        self._keep({fact: value})
        return value

    def _core(self, fact: str) -> Any:
        """A fact nothing else can be shown without: ``OutOfTime`` (one line from the CLI) if not in time."""
        known, value = self._recalled(fact)
        if known:
            return value
        if self.is_declared:
            with unbounded():
                value = getattr(self, f"_find_{fact}")()
            self._keep({fact: value})
            return value
        try:
            return self._in_child(fact)
        except OutOfTime:
            _DERIVED.pop((self.activation, self.values), None)
            raise OutOfTime(f"{self.activation.name}: {WHAT[fact]}") from None

    def _optional(self, fact: str, share: float = 1.0) -> Any:
        """A fact, or None with the reason in ``notes[WHAT[fact]]`` (not found in time, or not found and why)."""
        what = WHAT[fact]
        known, value = self._recalled(fact)
        if known:
            return value
        if self.is_declared:
            try:
                with unbounded():
                    value = getattr(self, f"_find_{fact}")()
            except NotFound as reason:
                self._note(fact, str(reason))
                return None
            self._keep({fact: value})
            return value
        try:
            return self._in_child(fact, share)
        except OutOfTime:
            self.__dict__.setdefault("_notes", {})[what] = NOT_IN_TIME  # never kept: it depends on the clock
            _DERIVED.pop((self.activation, self.values), None)  # the next ``derive`` tries again
        except NotFound as reason:
            self._note(fact, str(reason))
        return None

    def _in_child(self, fact: str, share: float = 1.0) -> Any:
        with budget(USER_SECONDS * share):
            found, computed, notes = guarded(WHAT[fact], _find, self, fact)
        for name, value in computed.items():
            self.__dict__.setdefault(name, value)
        self.__dict__.setdefault("_notes", {}).update(notes)
        self._keep({**computed, fact: found}, notes)
        return found

    # On disk (``symdl.cache``): each fact is looked up there before it is derived, and each fact found, or
    # proved not to exist (``NotFound``: its reason), is written there.  What ran out of time never is.

    @cached_property
    def _stored(self) -> disk.Entry | None:
        return disk.load("derivation", self.key, RECORDS)

    @property
    def key(self) -> tuple[Any, ...]:
        """Everything a derivation depends on: the definition, the parameters with their defaults, the values
        (its entry on disk is found by these: two names for one function share it)."""
        act = self.activation
        return act.definition, tuple((p.symbol, p.default) for p in act.parameters), self.values

    def _recalled(self, fact: str) -> tuple[bool, Any]:
        """(True, the fact) as a run before found it, (True, None) with its note where it proved there is
        none; (False, None) where it is not on disk, or not to be believed (then nothing stored is)."""
        entry = self._stored
        if entry is None:
            return False, None
        try:
            if fact in entry:
                return True, entry.get(fact)
            if _WHY + fact in entry:
                why = entry.get(_WHY + fact)
                if not isinstance(why, str) or not why or why == NOT_IN_TIME:
                    raise LookupError(f"{fact}: not a reason")
                self.__dict__.setdefault("_notes", {})[WHAT[fact]] = why
                return True, None
        except LookupError:
            self.__dict__["_stored"] = None  # a value that does not decode: nothing in the entry is believed
        return False, None

    def _note(self, fact: str, why: str) -> None:
        self.__dict__.setdefault("_notes", {})[WHAT[fact]] = why
        self._keep({}, {WHAT[fact]: why})

    def _keep(self, facts: Mapping[str, Any], notes: Mapping[str, str] | None = None) -> None:
        """Write FACTS found and the NOTES of facts proved not to exist; nothing from a guarded child (its
        parent keeps what it sends back), and nothing once a fact ran out of time (a derivative that ran out is
        ``sympy.diff``'s, and the facts found from it are not the ones found with time)."""
        if in_child() or self.not_in_time:  # after a fact ran out, what follows may lean on its stand-in
            return
        reasons = {fact: why for fact, what in WHAT.items() for why in [(notes or {}).get(what)] if why}
        values = {**facts, **{_WHY + fact: why for fact, why in reasons.items() if why != NOT_IN_TIME}}
        if values:
            disk.store("derivation", self.key, values, RECORDS)

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
RECORDS = (Region, Breakpoint, Properties)  # the records a derivation's facts are made of, rebuilt from disk
_WHY = "why "  # a stored fact's name after this: why it does not exist


# What each fact is called where it is reported (``notes`` keys, one-line errors).
READABLE = "the readable form of the derivative"
PROPERTIES = "the properties"
WHAT = {
    "regions": "its branches",
    "slopes": READABLE,
    "breakpoints": "its breakpoints",
    "_output": "the output form",
    "properties": PROPERTIES,
}


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
        f_left, f_right = value_at(regs[left].expr, x, at, "-"), value_at(regs[right].expr, x, at, "+")
        f_at = value_at(regs[owner].expr, x, at)
        d_left, d_right = value_at(slopes[left], x, at, "-"), value_at(slopes[right], x, at, "+")
        continuous = _same(f_left, f_at, values) and _same(f_right, f_at, values)
        found.append(
            Breakpoint(
                at=at,
                value=f_at,
                left=f_left,
                right=f_right,
                left_slope=d_left,
                right_slope=d_right,
                slope=value_at(slopes[owner], x, at),
                continuous=continuous,
                differentiable=continuous and _same(d_left, d_right, values),
                order=_order(regs[left].expr, regs[right].expr, at, values) if continuous else -1,
            )
        )
    return tuple(found)


def _order(left: Expr, right: Expr, at: Expr, values: Mapping[Symbol, Expr]) -> int:
    for order in range(1, MAX_ORDER + 1):
        if not _same(value_at(diff(left, x, order), x, at, "-"), value_at(diff(right, x, order), x, at, "+"), values):
            return order - 1
    return MAX_ORDER


__all__ = [
    "Breakpoint",
    "Derivation",
    "derivative",
    "derive",
    "output_form",
    "y",
    "ys",
]
