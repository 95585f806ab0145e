"""The safe expression parser, and ``define``: a user's own activation from text.

User text never reaches ``eval``, ``exec``, ``sympify`` or ``parse_expr``.
This recursive-descent parser accepts only:

- numbers (``2``, ``0.5``, ``1e-2``; kept exact, 0.5 is 1/2) in ASCII digits, as ``symdl.catalog.parse_number``
  reads them (at most 50 significant digits, a value float64 can hold), and ``pi``;
- the variable ``x`` and declared parameter names;
- ``+ - * / ^ **`` and parentheses;
- the primitives with a parser name in ``symdl.functions`` (exp, log, tanh, erf, ...,
  ``max``/``min``: a tie picks the first argument, as autograd does),
  ``where(condition, a, b)`` with one comparison (``< <= > >=``), and any scalar
  catalogue activation by name or alias (``softplus(x)``, ``sigmoid(2*x)``), at
  its default parameters.

Everything else is refused with one line naming the position and the fix: any character that is not ASCII
(``x*৪`` is not 8x), a number the parse itself would make too large to hold (``9**9**9`` is refused from
logarithms before SymPy would compute it exactly; every exact number met along the way must fit float64 and
have at most ``MAX_EXACT_DIGITS`` digits), and a division by zero or anything else not finite (``x/(x-x)``).
``define`` also refuses a function used outside its real domain (``log(x)``,
``sqrt(x)``; ``log(1 + x^2)`` is fine), unless it sits inside a ``where`` branch.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, NoReturn

from sympy import E, Expr, Float, Ge, Gt, Le, Lt, Mul, Piecewise, Rational, S, Symbol, pi

from symdl.catalog import Activation, activation, beyond_float64, parse_number, register, x
from symdl.errors import BadParameter, SymdlError, UnknownActivation
from symdl.functions import PARSED, primitive

MAX_LENGTH = 1000
MAX_DEPTH = 40
MAX_EXACT_DIGITS = 1000  # an exact number met while parsing: digits of numerator and denominator together
_LOG10_MAX = math.log10(1.7976931348623157e308)
_LOG10_ZERO = -1075 * math.log10(2)  # float64 rounds this and below to 0


class BadExpression(SymdlError, ValueError):
    """Text that is not an expression symdl accepts."""


# The functions of one argument, by the name the user writes (symdl.functions.PRIMITIVES has all it knows)
FUNCTIONS: dict[str, Callable[..., Expr]] = {name: p.function for name, p in PARSED.items() if p.arity == 1}
_COMPARE = {"<": Lt, "<=": Le, ">": Gt, ">=": Ge}

_TOKEN = re.compile(
    r"\s*(?:(?P<number>(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?)|(?P<name>[A-Za-z_][A-Za-z_0-9]*)"
    r"|(?P<op>\*\*|<=|>=|[-+*/^(),<>]))",
    re.ASCII,
)
_SPACE = " \t\n\r\f\v"


@dataclass(frozen=True)
class _Token:
    kind: str
    text: str
    at: int


def _tokens(text: str) -> list[_Token]:
    tokens, pos = [], 0
    while pos < len(text):
        if text[pos:].strip(_SPACE) == "":
            break
        match = _TOKEN.match(text, pos)
        if not match:
            at = len(text) - len(text[pos:].lstrip(_SPACE))
            raise BadExpression(f"position {at + 1} of {text!r}: {_unexpected(text[at])}")
        kind = match.lastgroup
        tokens.append(_Token(kind, match.group(kind), match.start(kind)))
        pos = match.end()
    tokens.append(_Token("end", "", len(text)))
    return tokens


def _unexpected(char: str) -> str:
    """Why CHAR cannot start a token: a look-alike digit or letter from another script is named as such."""
    if char.isascii():
        return f"unexpected {char!r}"
    name = unicodedata.name(char, f"U+{ord(char):04X}")
    if char.isdigit():
        return f"{char!r} ({name}) is not an ASCII digit; write numbers with 0-9"
    if char.isalpha():
        return f"{char!r} ({name}) is not an ASCII letter; write names with a-z, A-Z, 0-9 and _"
    return f"{char!r} ({name}) is not ASCII; use ASCII letters, digits and + - * / ^ ( ) , < >"


class _Parser:
    def __init__(self, text: str, parameters: Mapping[str, Symbol]) -> None:
        self.text = text
        self.tokens = _tokens(text)
        self.pos = 0
        self.depth = 0
        self.parameters = parameters

    # helpers
    @property
    def token(self) -> _Token:
        return self.tokens[self.pos]

    def take(self, text: str | None = None) -> _Token:
        token = self.token
        if text is not None and token.text != text:
            found = "the end" if token.kind == "end" else repr(token.text)
            self.fail(f"expected {text!r}, found {found}")
        self.pos += 1
        return token

    def fail(self, message: str, token: _Token | None = None) -> NoReturn:
        at = (token or self.token).at + 1
        raise BadExpression(f"position {at} of {self.text!r}: {message}")

    def nested(self, parse: Callable[[], Any]) -> Any:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            self.fail(f"nested more than {MAX_DEPTH} deep")
        try:
            return parse()
        finally:
            self.depth -= 1

    # grammar
    def expression(self) -> Expr:
        value = self.sum()
        if self.token.kind != "end":
            self.fail(f"unexpected {self.token.text!r}")
        return value

    def sum(self) -> Expr:
        value = self.product()
        while self.token.text in ("+", "-"):
            sign = self.take()
            value = self.exact(value + self.product() if sign.text == "+" else value - self.product(), sign)
        return value

    def product(self) -> Expr:
        value = self.unary()
        while self.token.text in ("*", "/"):
            operator = self.take()
            operand = self.unary()
            if operator.text == "/" and operand == 0:
                self.fail("division by zero: the divisor is 0", operator)
            value = self.exact(value * operand if operator.text == "*" else value / operand, operator)
        return value

    def unary(self) -> Expr:
        if self.token.text in ("+", "-"):
            sign = self.take().text
            operand = self.nested(self.unary)
            return -operand if sign == "-" else operand
        return self.power()

    def power(self) -> Expr:
        base = self.atom()
        if self.token.text in ("^", "**"):
            operator = self.take()
            exponent = self.nested(self.unary)
            self.check_power(base, exponent, operator)
            return self.exact(base**exponent, operator)
        return base

    # numbers the parse makes: each fits float64, with a bounded exact form, and nothing is infinite
    def check_power(self, base: Expr, exponent: Expr, operator: _Token) -> None:
        """Refuse BASE**EXPONENT before SymPy computes it exactly, if its numeric part would not fit (from logs)."""
        if not exponent.is_Rational:
            return  # 2**pi, 2**x: SymPy computes nothing
        if base == 0:
            if exponent < 0:
                self.fail("0 to a negative power divides by zero", operator)
            return
        numbers = [factor for factor in Mul.make_args(base) if factor.is_number]  # (2*x)**n is 2**n * x**n
        sizes = [_size(factor) for factor in numbers]
        magnitude = sum(size[0] for size in sizes if size is not None) * float(exponent)
        digits = sum(size[1] for size in sizes if size is not None) * abs(float(exponent))
        if magnitude > _LOG10_MAX or magnitude <= _LOG10_ZERO:
            problem = "beyond float64's range" if magnitude > 0 else "so small that float64 rounds it to 0"
            self.fail(f"this power is about 10^{magnitude:.4g}, {problem}; write a smaller exponent", operator)
        if digits > MAX_EXACT_DIGITS:
            self.fail(
                f"this power's exact value would have about {digits:.3g} digits; write a smaller exponent", operator
            )

    def built(self, build: Callable[[], Expr], token: _Token) -> Expr:
        """BUILD(), a call or a ``where``, checked by ``exact``; a comparison of numbers SymPy cannot decide
        (max(1, tanh(1000)), I > 0) is one line, not SymPy's TypeError."""
        try:
            value = build()
        except (TypeError, AttributeError):  # SymPy's cache re-raises an undecided comparison as AttributeError
            self.fail("SymPy cannot decide how these numbers compare; write the value of this part instead", token)
        return self.exact(value, token)

    def exact(self, value: Expr, operator: _Token) -> Expr:
        """VALUE, if nothing in it is infinite, a number in it is real, and every exact number in it fits float64
        with a bounded exact form."""
        if value.has(S.ComplexInfinity, S.NaN, S.Infinity, S.NegativeInfinity):
            self.fail("this is not a finite number (it divides by zero or leaves a function's domain)", operator)
        if value.is_number and value.is_extended_real is False:
            shown = str(value) if len(str(value)) <= 40 else "a complex number"
            self.fail(f"this is {shown}, not a real number; an activation's values are real", operator)
        for number in value.atoms(Rational):
            problem = beyond_float64(number)
            if problem:
                self.fail(f"this gives the number {Float(number, 3)}, which {problem}", operator)
            if (number.p.bit_length() + number.q.bit_length()) * math.log10(2) > MAX_EXACT_DIGITS:
                self.fail(f"this gives an exact number of more than {MAX_EXACT_DIGITS} digits", operator)
        return value

    def atom(self) -> Expr:
        token = self.token
        if token.kind == "number":
            self.take()
            try:
                return parse_number(token.text, f"position {token.at + 1} of {self.text!r}")
            except BadParameter as error:
                raise BadExpression(str(error)) from None
        if token.text == "(":
            self.take()
            value = self.nested(self.sum)
            self.take(")")
            return value
        if token.kind == "name":
            self.take()
            if self.token.text == "(":
                return self.call(token)
            return self.name(token)
        found = "the end" if token.kind == "end" else repr(token.text)
        self.fail(f"expected a number, a name or '(', found {found}")

    def name(self, token: _Token) -> Expr:
        if token.text == "x":
            return x
        if token.text == "pi":
            return pi
        if token.text in self.parameters:
            return self.parameters[token.text]
        self.fail(f"unknown name {token.text!r}: use x, pi, or declare it as a parameter", token)

    def arguments(self) -> list[Expr]:
        self.take("(")
        args = [self.nested(self.sum)]
        while self.token.text == ",":
            self.take()
            args.append(self.nested(self.sum))
        self.take(")")
        return args

    def call(self, token: _Token) -> Expr:
        name = token.text
        if name == "where":
            return self.where()
        args = self.arguments()
        if name in PARSED:
            wanted = PARSED[name].arity
            if len(args) != wanted:
                self.fail(f"{name} takes {wanted} argument{'s' if wanted > 1 else ''}, got {len(args)}", token)
            return self.built(lambda: PARSED[name].function(*args), token)
        try:
            act = activation(name)
        except UnknownActivation:
            binary = [n for n, p in PARSED.items() if p.arity > 1]
            known = ", ".join([*sorted(FUNCTIONS), *binary, "where"])
            self.fail(f"unknown function {name!r}: use {known}, or a catalogue activation", token)
        if act.is_vector or len(args) != 1:
            self.fail(f"{name} is not a function of one number here", token)
        return self.built(lambda: act.definition.subs(act.params).subs(x, args[0]), token)

    def where(self) -> Expr:
        token = self.take("(")
        left = self.nested(self.sum)
        if self.token.text not in _COMPARE:
            self.fail("where(condition, a, b) needs a comparison such as x > 0")
        compare = _COMPARE[self.take().text]
        right = self.nested(self.sum)
        self.take(",")
        a = self.nested(self.sum)
        self.take(",")
        b = self.nested(self.sum)
        self.take(")")
        return self.built(lambda: Piecewise((a, compare(left, right)), (b, True)), token)


def parse(text: str, parameters: Mapping[str, Symbol] | None = None) -> Expr:
    """A SymPy expression in ``symdl.catalog.x`` from user text (see the module docstring)."""
    if not isinstance(text, str) or not text.strip():
        raise BadExpression("empty expression: write one in x, e.g. x*tanh(softplus(x))")
    if len(text) > MAX_LENGTH:
        raise BadExpression(f"expression longer than {MAX_LENGTH} characters")
    return _Parser(text, parameters or {}).expression()


_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,40}")


def define(name: str, expression: str, params: Mapping[str, Any] | None = None, tex: str | None = None) -> Activation:
    """A custom activation from text, registered by name so every view and command can use it.

    ``params`` gives each parameter's exact default, e.g. ``{"alpha": "0.1"}``.
    """
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        raise BadExpression(f"name {name!r}: use letters, digits and '_', starting with a letter")
    symbols = {}
    for pname in params or {}:
        if not _NAME.fullmatch(pname) or pname in ("x", "pi") or pname in FUNCTIONS:
            raise BadExpression(f"parameter name {pname!r} is not allowed: choose another")
        symbols[pname] = Symbol(pname, real=True)
    definition = parse(expression, symbols)
    if not definition.has(x):
        raise BadExpression(f"{expression!r} does not depend on x")
    defaults = {symbols[p]: parse_number(v, f"{name}: parameter {p}") for p, v in (params or {}).items()}
    unused = [p for p, s in symbols.items() if not definition.has(s)]
    if unused:
        raise BadExpression(f"parameter {unused[0]!r} does not appear in {expression!r}")
    outside = _outside_domain(definition.subs(defaults))
    if outside is not None:
        what, needs, node = outside
        raise BadExpression(
            f"{expression!r}: {node} is not a real number for every real x ({what} needs {needs}); "
            "an activation must be real on the whole real line"
        )
    tex = tex or rf"\operatorname{{{name}}}".replace("_", r"\_")  # my_act, not my with a subscript
    act = Activation(name, definition, tex=tex, params=defaults)
    return register(act)


def _size(number: Expr) -> tuple[float, float] | None:
    """(log10 |NUMBER|, digits of its exact form) for a number SymPy keeps exact and would raise to a power exactly:
    a rational, pi, E, products and rational powers of them; None for the rest (exp(2)**n stays unevaluated)."""
    if number.is_Rational:
        p, q = abs(number.p), number.q
        return math.log10(p) - math.log10(q), math.log10(p) + math.log10(q)
    if number in (pi, E):
        return math.log10(float(number)), 0.0
    if number.is_Pow and number.exp.is_Rational:
        inner = _size(number.base)
        return None if inner is None else (inner[0] * float(number.exp), inner[1] * abs(float(number.exp)))
    if number.is_Mul:
        sizes = [_size(factor) for factor in number.args]
        return sum(s[0] for s in sizes if s is not None), sum(s[1] for s in sizes if s is not None)
    return None


def _argument(expr: Expr) -> Expr:
    return expr.base if expr.is_Pow else expr.args[0]


def _outside_domain(expr: Expr) -> tuple[str, str, Expr] | None:
    """A function of x whose argument SymPy cannot keep inside its real domain (log(x): x may be <= 0; 1/x:
    x may be 0): what it is, what it needs, and the node.

    A ``where`` branch is not looked into: its condition may keep the argument inside."""
    if isinstance(expr, Piecewise) or not expr.has(x):
        return None
    if expr.is_Pow and expr.exp.is_negative and expr.base.is_nonzero is not True:
        return "a division", "its divisor != 0", expr  # 1/x, exp(1/x), sin(1/x)
    record = primitive(expr)
    if record is not None and record.domain is not None and record.domain(_argument(expr)) is not True:
        power = expr.is_Pow and expr.exp != S.Half
        return ("a power with a non-integer exponent" if power else record.names[0]), record.needs, expr
    for arg in expr.args:
        found = _outside_domain(arg)
        if found is not None:
            return found
    return None


__all__ = ["FUNCTIONS", "BadExpression", "define", "parse"]
