"""How things are written: symbols, the left-hand sides f(x) and f'(x), which parameters show their values.

``tex`` is the plain SymPy LaTeX (``symdl show --latex``, JSON); the lecture's notation is ``Notation``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from sympy import Expr, Rational, Symbol
from sympy import latex as sympy_latex

from symdl.catalog import Activation, x
from symdl.engine.lecture import lecture_form
from symdl.engine.naming import named
from symdl.errors import BadParameter
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
