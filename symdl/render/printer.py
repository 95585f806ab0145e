"""The lecture's LaTeX: SymPy's LaTeX printer with the notation of the slides.

What differs from ``sympy.latex``, and why:
- compact forms the lecture writes: ``e^x``, ``e^{-x}``, ``\\tanh^2 x``, ``x_i``, ``\\delta_{ij}``,
  ``\\max(0, x)``, ``\\sum_j`` for a sum over the whole vector;
- products put numbers and names before bracketed sums (``\\alpha(e^x - 1)``, ``s_i(\\delta_{ij} - s_j)``),
  juxtaposed or joined by ``\\cdot``; a product a rule wrote out keeps its order;
- brackets: ``( )``, ``\\bigl( \\bigr)`` around brackets, ``\\left( \\right)`` around fractions;
- numbers the lecture writes as decimals (its 0.01) print as decimals, other rationals as fractions;
- cases with explicit conditions (``-1 < x < 1``), the variable first.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from sympy import (
    Add,
    Derivative,
    Expr,
    Function,
    Indexed,
    IndexedBase,
    Mul,
    Pow,
    Rational,
    S,
    Sum,
    Symbol,
    UnevaluatedExpr,
    fraction,
)
from sympy.printing.latex import LatexPrinter

from symdl.catalog import n
from symdl.engine.naming import Output, unnamed
from symdl.functions import PRIMITIVES
from symdl.primitives import Maximum, Minimum
from symdl.render.conditions import Conditions

# Functions by SymPy class name: (LaTeX name, whether a simple argument goes without brackets: \tanh x).
FUNCTIONS: dict[str, tuple[str, bool]] = {p.key: (p.tex, p.bare) for p in PRIMITIVES if p.tex is not None}


_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")


def superscript(text: str) -> str:
    """``^2``, ``^x``; braces only where TeX needs them: ``^{-x}``."""
    return f"^{text}" if len(text) == 1 else f"^{{{text}}}"


def subscript(text: str) -> str:
    return f"_{text}" if len(text) == 1 else f"_{{{text}}}"


def bracket(text: str) -> str:
    """Round brackets sized by what they hold: fractions need \\left( \\right), nested brackets \\bigl( \\bigr)."""
    if r"\frac" in text or r"\begin" in text or r"\sum" in text:
        return rf"\left({text}\right)"
    if "(" in text:
        return rf"\bigl({text}\bigr)"
    return f"({text})"


def decimal(number: Rational) -> str | None:
    """The exact decimal of a terminating rational (1/100 -> 0.01), None if it does not terminate."""
    q, twos, fives = number.q, 0, 0
    while q % 2 == 0:
        q, twos = q // 2, twos + 1
    while q % 5 == 0:
        q, fives = q // 5, fives + 1
    if q != 1 or number.is_negative:
        return None
    places = max(twos, fives)
    digits = str(number.p * 10**places // number.q).rjust(places + 1, "0")
    whole, fractional = digits[: len(digits) - places], digits[len(digits) - places :].rstrip("0")
    return f"{whole}.{fractional}" if fractional else whole


def single_fraction(text: str) -> bool:
    """True if ``text`` is one \\frac{..}{..} and nothing else."""
    if not text.startswith(r"\frac{"):
        return False
    depth, groups, position = 0, 0, len(r"\frac")
    for position in range(len(r"\frac"), len(text)):
        depth += {"{": 1, "}": -1}.get(text[position], 0)
        if depth == 0:
            groups += 1
            if groups == 2:
                break
    return groups == 2 and position == len(text) - 1


def _inner(expr: Expr) -> Expr:
    return expr.args[0] if isinstance(expr, UnevaluatedExpr) else expr


def _is_sum(expr: Expr) -> bool:
    return isinstance(_inner(expr), Add)


def _kept(expr: Expr) -> bool:
    """True if ``expr`` is a product or sum a rule wrote out (evaluate=False), so its order is the rule's."""
    return tuple(expr.func(*expr.args).args) != tuple(expr.args)


def _negative(expr: Expr) -> tuple[bool, Expr]:
    """(True, -expr) if ``expr`` is written with a leading minus, without evaluating a kept product."""
    expr = _inner(expr) if isinstance(_inner(expr), Mul) else expr
    if expr.is_Number:
        return (True, -expr) if expr.is_negative else (False, expr)
    if isinstance(expr, Mul) and expr.args[0].is_Number and expr.args[0].is_negative:
        first, rest = -expr.args[0], expr.args[1:]
        factors = rest if first == 1 else (first, *rest)
        return True, factors[0] if len(factors) == 1 else Mul(*factors, evaluate=False)
    return False, expr


def _rank(expr: Expr) -> int:
    """Order of factors in a product: numbers, names and powers, sums, derivatives."""
    if expr.is_Number:
        return 0
    if isinstance(expr, Derivative):
        return 3
    return 2 if _is_sum(expr) else 1


class LecturePrinter(Conditions, LatexPrinter):
    """``sympy.latex`` in the lecture's notation (see the module docstring)."""

    printmethod = "_latex"

    def __init__(
        self,
        *,
        names: dict[Symbol, str] | None = None,
        variable: str = "x",
        cdot: bool = False,
        decimals: Iterable[Rational] = (),
        powers: bool = False,
        values: dict[Symbol, Expr] | None = None,
    ) -> None:
        super().__init__({"symbol_names": names or {}})
        self.variable = variable
        self.cdot = cdot
        self.decimals = frozenset(abs(d) for d in decimals)
        self.powers = powers  # negative powers as powers, (1 + e^{-x})^{-1}, not fractions
        self.values = values or {}  # parameter values: they order the breakpoints of cases

    def _print(self, expr: Any, **kwargs: Any) -> str:
        # These carry their own _latex (SymPy-style brackets); the lecture's forms win.
        if isinstance(expr, Output):
            return self._print_Output(expr)
        if isinstance(expr, (Maximum, Minimum)):
            name = r"\max" if isinstance(expr, Maximum) else r"\min"
            return name + bracket(", ".join(self._print(a) for a in expr.args))
        return super()._print(expr, **kwargs)

    # ------------------------------------------------------------------ atoms

    def _print_Symbol(self, expr: Symbol, style: str = "plain") -> str:
        if expr.name == "x" and expr not in self._settings["symbol_names"]:
            return self.variable
        if expr in self._settings["symbol_names"]:
            return self._settings["symbol_names"][expr]
        text = super()._print_Symbol(expr, style)
        if len(expr.name) > 1 and text == expr.name:  # a word, not a product of letters
            return rf"\mathrm{{{expr.name}}}"
        return text

    def _print_IndexedBase(self, expr: IndexedBase) -> str:
        return self.variable if expr.name == "x" else self._print(expr.label)

    def _print_Indexed(self, expr: Indexed) -> str:
        indices = "".join(self._print(index) for index in expr.indices)
        return self._print(expr.base) + subscript(indices)

    def _print_Rational(self, expr: Rational) -> str:
        if expr.q == 1:
            return str(expr.p)
        if abs(expr) in self.decimals and decimal(abs(expr)) is not None:
            return ("-" if expr < 0 else "") + decimal(abs(expr))
        sign = "-" if expr < 0 else ""
        return rf"{sign}\frac{{{abs(expr.p)}}}{{{expr.q}}}"

    def _print_Integer(self, expr: Any) -> str:
        return str(expr.p)

    def _print_Infinity(self, expr: Any) -> str:
        return r"\infty"

    def _print_NegativeInfinity(self, expr: Any) -> str:
        return r"-\infty"

    def _print_KroneckerDelta(self, expr: Any, exp: Any = None) -> str:
        text = r"\delta" + subscript("".join(self._print(a) for a in expr.args))
        return text if exp is None else f"{text}{superscript(self._print(exp))}"

    def _print_UnevaluatedExpr(self, expr: UnevaluatedExpr) -> str:
        return self._print(expr.args[0])

    # ------------------------------------------------------------------ functions

    def _print_ExpBase(self, expr: Any, exp: Any = None) -> str:
        return "e" + superscript(self._print(expr.args[0]))

    def _print_Function(self, expr: Function, exp: Any = None) -> str:
        rule = FUNCTIONS.get(type(expr).__name__)
        if rule is None:
            return super()._print_Function(expr, exp)
        name, bare = rule
        power = "" if exp is None else superscript(exp if isinstance(exp, str) else self._print(exp))
        arg = expr.args[0]
        text = self._print(arg)
        if bare and (isinstance(arg, (Symbol, Indexed)) or (arg.is_Integer and arg >= 0)):
            return f"{name}{power} {text}"
        return f"{name}{power}{bracket(text)}"

    def _print_Abs(self, expr: Any, exp: Any = None) -> str:
        text = rf"\lvert {self._print(expr.args[0])} \rvert"
        return text if exp is None else f"{text}{superscript(self._print(exp))}"

    def _print_Output(self, expr: Any) -> str:
        act, arg = expr.activation, expr.args[0]
        if act.is_vector:
            return "s" + subscript(self._print(arg))
        plain = unnamed(expr)
        return self._print(plain) if plain is not expr else f"{act.tex}({self._print(arg)})"

    def _print_Sum(self, expr: Sum) -> str:
        (index, lo, hi), body = expr.limits[0], expr.function
        limits = (
            subscript(self._print(index))
            if (lo, hi) == (1, n)
            else f"_{{{self._print(index)} = {self._print(lo)}}}^{{{self._print(hi)}}}"
        )
        text = self._print(body)
        return rf"\sum{limits} {bracket(text) if _is_sum(body) else text}"

    def _print_Derivative(self, expr: Derivative) -> str:
        body, (var, _count) = expr.expr, expr.variable_count[0]
        if isinstance(var, Indexed):
            operator = rf"\frac{{\partial}}{{\partial {self._print(var)}}}"
        else:
            operator = rf"\frac{{d}}{{d{self._print(var)}}}"
        text = self._print(body)
        if isinstance(_inner(body), (Add, Mul)) and not single_fraction(text):
            text = bracket(text)
        return f"{operator}{text}" if text.startswith(("(", "\\")) else f"{operator} {text}"

    # ------------------------------------------------------------------ arithmetic

    def _print_Add(self, expr: Add, order: Any = None) -> str:
        terms = list(expr.args) if _kept(expr) else sorted(self._as_ordered_terms(expr, order=order), key=_term_rank)
        out = ""
        for m, term in enumerate(terms):
            negative, magnitude = _negative(term)
            text = self._print(magnitude)
            if negative and (_is_sum(magnitude) or _negative(magnitude)[0]):
                text = bracket(text)
            if m == 0:
                out = f"-{text}" if negative else text
            else:
                out += f" - {text}" if negative else f" + {text}"
        return out

    def _print_Mul(self, expr: Mul) -> str:
        kept = _kept(expr)
        negative, magnitude = _negative(expr)
        if negative:
            text = self._print(magnitude)
            return f"-{bracket(text) if _is_sum(magnitude) or text.startswith('-') else text}"
        factors = list(expr.args)
        if not kept:
            coefficient, rest = expr.as_coeff_Mul()
            if not coefficient.is_Integer and coefficient in self.decimals and decimal(coefficient):
                return self._product([coefficient, *sorted(rest.as_ordered_factors(), key=_rank)])
            factors = sorted(expr.as_ordered_factors(), key=_rank)
        numerator, denominator = self._split(factors, kept)
        if denominator and not self.powers:
            top = self._product(numerator, kept) if numerator else "1"
            return rf"\frac{{{top}}}{{{self._product(denominator)}}}"
        return self._product(factors, kept)

    def _split(self, factors: list[Expr], kept: bool) -> tuple[list[Expr], list[Expr]]:
        """Numerator and denominator factors; a kept product splits only its explicit 1/v factors."""
        if not kept:
            numerator, denominator = fraction(Mul(*factors), exact=True)
            if denominator == 1:
                return factors, []
            return sorted(numerator.as_ordered_factors(), key=_rank), denominator.as_ordered_factors()
        top, bottom = [], []
        for f in factors:
            if isinstance(f, Pow) and f.exp.is_negative and f.exp.is_Rational:
                bottom.append(f.base if f.exp == -1 else Pow(f.base, -f.exp, evaluate=False))
            else:
                top.append(f)
        return [f for f in top if f != 1], bottom

    def _product(self, factors: list[Expr], kept: bool = False) -> str:
        """Factors side by side; sums bracketed (unless alone), a kept product's factors joined by \\cdot."""
        parts: list[str] = []
        for m, factor in enumerate(factors):
            negative, _ = _negative(factor)
            text = self._print(factor)
            if len(factors) > 1 and (_is_sum(factor) or (negative and m > 0)):
                text = bracket(text)
            if parts:
                composite = kept and (_is_product(factors[m - 1]) or _is_product(factor))
                parts.append(r" \cdot " if composite else self._separator(parts[-1], text))
            parts.append(text)
        return "".join(parts)

    def _separator(self, left: str, right: str) -> str:
        if self.cdot:
            return r" \cdot "
        if _NUMBER.match(left) and right[:1].isdigit():
            return r" \cdot "
        if left.startswith(r"\frac") and right.startswith(r"\frac"):
            return r" \cdot "
        if right.startswith(("(", r"\left(", r"\bigl(")):
            return ""
        if _NUMBER.match(left) and not right.startswith(r"\frac"):
            return ""
        return " "

    def _print_Pow(self, expr: Pow) -> str:
        base, power = expr.base, expr.exp
        if power.is_Rational and power.is_negative and not self.powers:
            return self._print_Mul(Mul(S.One, expr, evaluate=False))
        if power == S.Half:
            return rf"\sqrt{{{self._print(base)}}}"
        exponent = f"{power.p}/{power.q}" if power.is_Rational and not power.is_Integer else self._print(power)
        base = unnamed(base)
        if isinstance(base, Function) and type(base).__name__ in FUNCTIONS and power.is_Integer and power > 0:
            return self._print_Function(base, exp=exponent)
        text = self._print(base)
        if not _is_atom(base):
            text = bracket(text)
        return text + superscript(exponent)


# The table's rule wins where SymPy's printer has one of its own (_print_log, _print_LambertW).
for _key in FUNCTIONS:
    setattr(LecturePrinter, f"_print_{_key}", LecturePrinter._print_Function)


def _is_product(expr: Expr) -> bool:
    """A factor that is itself a product or fraction: in a rule's product it is set off by \\cdot."""
    inner = _inner(expr)
    if isinstance(inner, Mul):
        negative, magnitude = _negative(inner)
        if negative:
            return _is_product(magnitude)
        return not all(isinstance(f, Symbol) or f.is_Number for f in inner.args)
    return isinstance(inner, Pow) and inner.exp.is_negative


def _term_rank(term: Expr) -> tuple[bool, bool]:
    """Order of terms in a sum: positive before negative; the function's own output first (ELU(x) + alpha)."""
    own = term.has(Output) or term.has(UnevaluatedExpr)
    return (_negative(term)[0], not own)


def _is_atom(expr: Expr) -> bool:
    if isinstance(expr, (Symbol, Indexed)) or (expr.is_Integer and expr >= 0):
        return True
    return isinstance(expr, (Function, UnevaluatedExpr)) and not isinstance(_inner(expr), (Add, Mul, Pow))
