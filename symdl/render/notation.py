"""How things are written: symbols, the left-hand sides f(x) and f'(x), which parameters show their values.

``tex`` is the plain SymPy LaTeX (``symdl show --latex``, JSON); the lecture's notation is ``Notation``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache, cached_property

from sympy import Dummy, Expr, Rational, Symbol, simplify, solve
from sympy import latex as sympy_latex
from sympy.logic.boolalg import Boolean

from symdl.catalog import Activation, x
from symdl.engine.regions import Region, regions
from symdl.engine.steps import named
from symdl.engine.verify import how_equal
from symdl.errors import BadParameter, DerivationError
from symdl.render.printer import LecturePrinter, decimal

SHORT = 6  # with --values, a parameter shows its value only if it has at most this many digits

VARIABLES = ("x", "z")
LANGUAGES = ("en", "ko")
PARAMETERS = ("auto", "symbolic", "values")


def symbol_names(act: Activation) -> dict:
    return {p.symbol: p.tex for p in act.parameters if p.tex}


def tex(expr: Expr, act: Activation | None = None) -> str:
    """LaTeX of an expression, with the activation's parameter names."""
    names = symbol_names(act) if act is not None else {}
    return sympy_latex(expr, symbol_names=names)


@dataclass(frozen=True)
class Style:
    """The options of every LaTeX and Markdown view."""

    variable: str = "x"  # x or z
    parameters: str = "auto"  # auto (the lecture's way) | symbolic | values
    cdot: bool = False  # 0.01 \cdot x rather than 0.01x
    lang: str = "en"  # headings in English or Korean

    def __post_init__(self) -> None:
        for value, allowed, what in (
            (self.variable, VARIABLES, "variable"),
            (self.parameters, PARAMETERS, "parameters"),
            (self.lang, LANGUAGES, "language"),
        ):
            if value not in allowed:
                raise BadParameter(f"{what} {value!r} is not one of {', '.join(allowed)}; choose one of them")


DEFAULT_STYLE = Style()


@dataclass(frozen=True)
class Notation:
    """One activation written in one style: its printer, names and left-hand sides."""

    act: Activation
    style: Style
    values: tuple[tuple[Symbol, Expr], ...]  # every parameter's value, in the declaration's order

    @cached_property
    def shown(self) -> tuple[Symbol, ...]:
        """The parameters written as their values: with ``auto``, those the lecture writes as values
        (LeakyReLU's 0.01 in max(0.01x, x)); PReLU's learned slope and all others by name."""
        if self.style.parameters == "symbolic":
            return ()
        lecture = lecture_form(self.act)
        by_value = lecture.by_value if lecture is not None else ()
        return tuple(s for s, v in self.values if _short(v) and (self.style.parameters == "values" or s in by_value))

    @property
    def substitution(self) -> dict[Symbol, Expr]:
        return {s: v for s, v in self.values if s in self.shown}

    @property
    def hidden(self) -> tuple[tuple[Symbol, Expr], ...]:
        """Parameters written by name, with their values (for the note under the formulas)."""
        return tuple((s, v) for s, v in self.values if s not in self.shown)

    def printer(self, powers: bool = False) -> LecturePrinter:
        return LecturePrinter(
            names=symbol_names(self.act),
            variable=self.style.variable,
            cdot=self.style.cdot,
            decimals=[v for _, v in self.values if isinstance(v, Rational)],
            powers=powers,
            values=dict(self.values),
        )

    def __call__(self, expr: Expr, powers: bool = False) -> str:
        return self.printer(powers).doprint(expr)

    @property
    def var(self) -> str:
        return self.style.variable

    @property
    def name(self) -> str:
        """f, as printed: \\sigma, \\operatorname{ReLU}; (\\log\\sigma) where the name is more than one symbol."""
        return self.act.tex_grouped

    def definition_lhs(self) -> str:
        """sigma(x), tanh x, PReLU(x; alpha), s_i = softmax(x)_i."""
        var = self.var
        hidden = ", ".join(self(s) for s, _ in self.hidden)
        args = f"{var}; {hidden}" if hidden else var
        if self.act.is_vector:
            return f"s_i = {self.act.tex}({args})_i"
        if not hidden:
            return self(named(self.act)(x))
        return f"{self.act.tex}({args})"

    def derivative_lhs(self, at: str | None = None, side: str = "") -> str:
        """sigma'(x), ReLU'_-(0); d s_i / d x_j for a vector function."""
        if self.act.is_vector:
            return rf"\frac{{\partial s_i}}{{\partial {self.var}_j}}"
        return f"{self.name}'{'_' + side if side else ''}({at if at is not None else self.var})"


def _short(value: Expr) -> bool:
    """Short enough to write instead of the name: 3, 0.25, 1/3; not SELU's 32-digit constants."""
    if not isinstance(value, Rational):
        return False
    text = decimal(abs(value))
    if text is None:
        return value.q <= 100
    return len(text.replace(".", "").lstrip("0")) <= SHORT


def notation(act: Activation, style: Style, values: dict[Symbol, Expr]) -> Notation:
    order = [p.symbol for p in act.parameters]
    return Notation(act, style, tuple(sorted(values.items(), key=lambda sv: order.index(sv[0]))))


# --------------------------------------------------------------------------- the lecture's own form


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
    """The difference between the lecture's form and the definition; None for an activation without one."""
    if act.lecture is None:
        return None
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
