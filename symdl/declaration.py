"""What a declaration is: an ``Activation`` (name, definition, LaTeX name, aliases, parameters with exact
defaults, constraints, the lecture's form), its ``Param`` and ``Constraint`` records, and the variables
every definition is written in.  The declarations themselves are ``symdl.catalog``'s.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from sympy import Expr, Gt, Indexed, IndexedBase, Le, Rational, S, Symbol, symbols
from sympy.core.numbers import Number
from sympy.core.relational import Relational

from symdl.errors import BadParameter
from symdl.numbers import parse_number

# The variable every scalar definition is written in.
x = Symbol("x", real=True)

# Vector functions: component i of x = (x_1, ..., x_n); j is the summation
# index, as on the lecture's softmax slide.
xs = IndexedBase("x", real=True)
i, j, k = symbols("i j k", integer=True, positive=True)
n = Symbol("n", integer=True, positive=True)


@dataclass(frozen=True)
class Param:
    """A parameter: its symbol, exact default, and how it prints (the values it may take are the
    declaration's ``constraints``)."""

    symbol: Symbol
    default: Expr
    tex: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "default", _exact(self.default, self.symbol.name))

    @property
    def name(self) -> str:
        return self.symbol.name


@dataclass(frozen=True)
class Constraint:
    """A condition on the parameters without which the definition is not the function it names, and why.

    ``holds`` is a SymPy relation in the parameter symbols, written unevaluated where the symbol's
    assumptions would decide it at once (``Gt(alpha, 0, evaluate=False)`` for a positive alpha), so that it
    prints and is checked exactly against the values a user gives.
    """

    holds: Relational
    why: str

    def __post_init__(self) -> None:
        if not isinstance(self.holds, Relational):
            raise TypeError(
                f"constraint {self.holds!r} ({self.why}): write it unevaluated, e.g. Gt(alpha, 0, evaluate=False)"
            )

    @property
    def symbols(self) -> set[Symbol]:
        return self.holds.free_symbols

    def __str__(self) -> str:
        """``alpha <= 1``, ``min_val < max_val``, ``alpha != 0``: the relation as a user types values."""
        return f"{self.holds.lhs} {self.holds.rel_op} {self.holds.rhs}"


def _implied(symbol: Symbol) -> Constraint | None:
    """What a parameter symbol's own assumptions require: SymPy simplifies with them, so a value against
    them would make every derived fact wrong."""
    if symbol.is_positive:
        return Constraint(Gt(symbol, 0, evaluate=False), f"SymPy takes {symbol.name} to be positive")
    if symbol.is_nonnegative:
        return Constraint(Le(0, symbol, evaluate=False), f"SymPy takes {symbol.name} to be non-negative")
    return None


def _exact(number: Any, what: str) -> Expr:
    """An exact SymPy number from an int, a Fraction-like, a decimal string or a SymPy number."""
    if isinstance(number, float):
        raise TypeError(f"{what}: write defaults exactly (a Rational or a decimal string), not the float {number!r}")
    if isinstance(number, str):
        return Rational(number)
    value = S(number)
    if not isinstance(value, Number) and not value.is_number:
        raise TypeError(f"{what}: default must be a number, not {number!r}")
    return value


@dataclass(frozen=True)
class Activation:
    """One declaration: name, definition, the LaTeX name, aliases and parameters.

    ``params`` may be given as ``{symbol: default}`` or ``{symbol: Param(...)}``;
    ``act.params`` is always ``{symbol: exact default}``.  ``constraints`` are what the parameters must meet
    (``Activation.values`` refuses a value that breaks one); what a parameter symbol's assumptions require
    (alpha positive: alpha > 0) is added where not declared.  ``lecture`` is the function as the lecture
    writes it, in x and (some of) the parameters, where that differs from the definition; ``reference``
    names where the standard definition comes from ("Klambauer et al., 2017", "PyTorch").
    """

    name: str
    definition: Expr
    tex: str
    aliases: tuple[str, ...] = ()
    parameters: tuple[Param, ...] = field(default=())
    lecture: Expr | None = None
    reference: tuple[str, ...] = ()
    constraints: tuple[Constraint, ...] = ()

    def __init__(
        self,
        name: str,
        definition: Expr,
        *,
        tex: str,
        aliases: Iterable[str] = (),
        params: Mapping[Symbol, Any] | Iterable[Param] = (),
        lecture: Expr | None = None,
        reference: Iterable[str] = (),
        constraints: Iterable[Constraint] = (),
    ) -> None:
        if isinstance(params, Mapping):
            params = tuple(p if isinstance(p, Param) else Param(s, p) for s, p in params.items())
        object.__setattr__(self, "name", name)
        object.__setattr__(self, "definition", S(definition))
        object.__setattr__(self, "tex", tex)
        object.__setattr__(self, "aliases", tuple(aliases))
        object.__setattr__(self, "parameters", tuple(params))
        object.__setattr__(self, "lecture", None if lecture is None else S(lecture))
        object.__setattr__(self, "reference", tuple(reference))
        for what, expr in (("definition", self.definition), ("lecture's form", self.lecture)):
            if expr is None:
                continue
            unknown = expr.free_symbols - {x, i, n} - {p.symbol for p in self.parameters}
            unknown = {s for s in unknown if not _is_index_part(s)}
            if unknown:
                names = ", ".join(sorted(str(s) for s in unknown))
                raise BadParameter(f"{name}: the {what} uses {names}, which is neither x nor a declared parameter")
        object.__setattr__(self, "constraints", _with_implied(tuple(constraints), self.parameters, name))
        self.check(self.params)  # the defaults themselves must meet every constraint

    # The public API's names (DESIGN.md): act.x, act.expr, act.params.
    @property
    def expr(self) -> Expr:
        return self.definition

    @cached_property
    def is_vector(self) -> bool:
        return self.definition.has(xs)

    @property
    def x(self) -> Symbol | IndexedBase:
        return xs if self.is_vector else x

    @property
    def params(self) -> dict[Symbol, Expr]:
        return {p.symbol: p.default for p in self.parameters}

    def param(self, name: str) -> Param:
        for p in self.parameters:
            if p.name == name:
                return p
        have = ", ".join(p.name for p in self.parameters) or "no parameters"
        raise BadParameter(f"{self.name} has no parameter {name!r} (it has {have})")

    def values(self, overrides: Mapping[str | Symbol, Any] | None = None) -> dict[Symbol, Expr]:
        """The parameter values to use: the defaults, with ``overrides`` applied and every constraint checked.

        Every path that takes parameter values comes here (``derive``, so ``-p``/``--param``; a network
        spec's ``parameters``; ``symdl.define``'s activations), so a value that breaks a constraint is
        refused once, in one line naming the constraint and the value."""
        values = self.params
        given: dict[Symbol, Any] = {}
        for key, raw in (overrides or {}).items():
            p = self.param(key.name if isinstance(key, Symbol) else str(key))
            values[p.symbol] = parse_number(raw, f"{self.name}: parameter {p.name}")
            given[p.symbol] = raw
        self.check(values, given)
        return values

    def check(self, values: Mapping[Symbol, Expr], given: Mapping[Symbol, Any] | None = None) -> None:
        """``BadParameter`` naming the first constraint that ``values`` break; ``given`` is what the user
        typed for each value (the rest are defaults)."""
        given = {} if given is None else given
        for c in self.constraints:
            if c.holds.subs(values) != S.true:
                involved = [p.symbol for p in self.parameters if p.symbol in c.symbols]
                raise BadParameter(_broken(self.name, c, involved, values, given))

    @property
    def tex_grouped(self) -> str:
        """The name ready for a prime: \\sigma, \\operatorname{ReLU}; (\\log\\sigma) if it is several symbols."""
        single = re.fullmatch(r"\\[A-Za-z]+|\\operatorname\{[^{}]*\}|[A-Za-z]", self.tex)
        return self.tex if single else f"({self.tex})"

    def _repr_latex_(self) -> str:
        from sympy import latex

        return f"$\\displaystyle {self.tex}({latex(self.x)}) = {latex(self.definition)}$"


def _is_index_part(symbol: Any) -> bool:
    return isinstance(symbol, (Indexed, IndexedBase)) or symbol in (j, k)


def _with_implied(declared: tuple[Constraint, ...], parameters: tuple[Param, ...], name: str) -> tuple[Constraint, ...]:
    """The declared constraints, then those the parameter symbols' assumptions imply and no declaration states."""
    symbols = {p.symbol for p in parameters}
    for c in declared:
        if not c.symbols <= symbols:
            unknown = ", ".join(sorted(s.name for s in c.symbols - symbols))
            raise BadParameter(f"{name}: the constraint {c} uses {unknown}, which is not a declared parameter")
    implied = [c for c in map(_implied, (p.symbol for p in parameters)) if c is not None]
    return declared + tuple(c for c in implied if all(c.holds != d.holds for d in declared))


def _broken(
    name: str, c: Constraint, involved: list[Symbol], values: Mapping[Symbol, Expr], given: Mapping[Symbol, Any]
) -> str:
    """One line: which values break which constraint, why it is there, and what to choose."""
    if not given:
        return f"{name}: its default parameters do not meet {c} ({c.why}); declare defaults that do"
    if len(involved) == 1:
        (s,) = involved
        return (
            f"{name}: parameter {s.name}={given.get(s, values[s])} is outside its valid range: it needs {c} "
            f"({c.why}); choose a value with {c}"
        )
    shown = ", ".join(f"{s.name}={given[s]}" if s in given else f"{s.name}={values[s]} (default)" for s in involved)
    return f"{name}: parameters {shown} do not meet {c} ({c.why}); choose values with {c}"


def positive(symbol: Symbol, why: str) -> Constraint:
    """symbol > 0, kept unevaluated (a positive symbol would make it True at once)."""
    return Constraint(Gt(symbol, 0, evaluate=False), why)


# The leak of LeakyReLU, PReLU and RReLU: max(a x, x) is x for x > 0 and a x for x < 0 only while a <= 1.


__all__ = ["Activation", "Constraint", "Param", "i", "j", "k", "n", "positive", "x", "xs"]
