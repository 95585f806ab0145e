"""Hypothesis fuzzing of the expression parser: every input parses to the expression it spells or raises
SymdlError; never another exception, never a side effect.

Two kinds of input: text shaken together from the parser's own alphabet (with look-alike digits and letters
from other scripts), and well-formed expressions built from a small grammar together with their SymPy value,
constructed here from SymPy's own classes, never through the parser.
"""

from __future__ import annotations

import contextlib
import io
import os
from dataclasses import dataclass
from fractions import Fraction

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from sympy import Expr, Ge, Gt, Integer, Le, Lt, Piecewise, Rational, S, exp, pi, tanh

import symdl
from symdl.catalog import x
from symdl.parse import MAX_LENGTH, parse
from symdl.primitives import Maximum, Minimum

# 250 examples a test keeps the file near 10 s; SYMDL_FUZZ_EXAMPLES=5000 for a deeper run.
FUZZ = settings(
    max_examples=int(os.environ.get("SYMDL_FUZZ_EXAMPLES", "250")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
FLOAT64_MAX = Rational(int(1.7976931348623157e308))
NOT_FINITE = (S.ComplexInfinity, S.NaN, S.Infinity, S.NegativeInfinity)


def outcome(text: str) -> Expr | symdl.SymdlError:
    """Parse TEXT, checking on the way that it has no side effect: nothing printed, the catalogue and the
    working directory unchanged.  Any exception but SymdlError fails the test."""
    names, files = symdl.names(), sorted(os.listdir())
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed), contextlib.redirect_stderr(printed):
        try:
            result = parse(text)
        except symdl.SymdlError as error:
            result = error
    assert (printed.getvalue(), symdl.names(), sorted(os.listdir())) == ("", names, files)
    return result


def fits(expr: Expr) -> bool:
    """Finite, and every exact number in it one that float64 can hold (the parser's promise)."""
    return not expr.has(*NOT_FINITE) and all(abs(r) <= FLOAT64_MAX for r in expr.atoms(Rational))


# Random text from the parser's alphabet, with look-alikes: a Bengali four (looks like 8), a fullwidth
# eight, an Arabic-Indic four, a Cyrillic x, a multiplication sign, an ideographic space.
PIECES = [
    *"x+-*/^(),<>.0123456789eE ",
    "**", "<=", ">=", "pi", "exp", "log", "tanh", "sqrt", "abs", "max", "min", "where", "sigmoid", "relu",
    "softplus", "erf", "9**9", "1e400", "1e-400", "0", "(x-x)", "__import__", "'", '"', "_", "lambda",
    "\u09ea", "\uff18", "\u0664", "\u0445", "\u00d7", "\u3000",
]  # fmt: skip


@FUZZ
@given(st.lists(st.sampled_from(PIECES), max_size=24).map("".join))
def test_any_text_parses_or_is_refused_with_one_line(text):
    result = outcome(text)
    if isinstance(result, symdl.SymdlError):
        assert str(result) and "\n" not in str(result)
    else:
        assert isinstance(result, Expr) and text.isascii() and fits(result)


@FUZZ
@given(st.text(max_size=40))
def test_any_unicode_parses_or_is_refused(text):
    result = outcome(text)
    assert isinstance(result, symdl.SymdlError) or (text.isascii() and fits(result))


# Well-formed expressions with the value they spell.


@dataclass(frozen=True)
class Spelled:
    """TEXT as a user types it and VALUE as SymPy builds it; REFUSED if the parser must refuse it (a division
    by zero), OVERSIZED if some part's exact value is beyond what the parser keeps (those are left to the
    tests of refusals: the oracle would have to repeat the parser's own estimate)."""

    text: str
    value: Expr
    refused: bool = False
    oversized: bool = False


def _node(text: str, value: Expr, *parts: Spelled, refused: bool = False) -> Spelled:
    refused = refused or any(p.refused for p in parts) or value.has(*NOT_FINITE)
    oversized = any(p.oversized for p in parts) or (not refused and not _small(value))
    return Spelled(text, S.Zero if refused else value, refused, oversized)


def _small(value: Expr) -> bool:
    """Every exact number in VALUE within float64's range with at most 500 digits (the parser allows 1000)."""
    return fits(value) and all(len(str(abs(r.p))) + len(str(r.q)) <= 500 for r in value.atoms(Rational))


def _number(digits: int, decimals: int, shift: int) -> Spelled:
    """digits / 10**decimals, written with a decimal point, times 10**shift written as an exponent."""
    text = str(digits) if not decimals else f"{digits // 10**decimals}.{digits % 10**decimals:0{decimals}d}"
    value = Fraction(digits, 10**decimals) * Fraction(10) ** shift
    return Spelled(text + (f"e{shift}" if shift else ""), Rational(value.numerator, value.denominator))


NUMBERS = st.builds(_number, st.integers(0, 10**6), st.integers(0, 3), st.integers(-3, 3))
ZEROS = st.sampled_from([Spelled("0", S.Zero), Spelled("(x-x)", S.Zero), Spelled("0.0e3", S.Zero)])  # to divide by
LEAVES = NUMBERS | ZEROS | st.just(Spelled("x", x)) | st.just(Spelled("pi", pi))


def _join(op: str, a: Spelled, b: Spelled) -> Spelled:
    """(a) OP (b): always in parentheses, so the text's grouping is the tree's."""
    text = f"({a.text}){op}({b.text})"
    if (op == "/" and b.value == 0) or (op == "^" and a.value == 0 and b.value.is_negative):
        return _node(text, S.Zero, a, b, refused=True)
    value = {
        "+": lambda: a.value + b.value,
        "-": lambda: a.value - b.value,
        "*": lambda: a.value * b.value,
        "/": lambda: a.value / b.value,
        "^": lambda: a.value**b.value,
    }[op]()
    return _node(text, value, a, b)


def _apply(name: str, a: Spelled) -> Spelled:
    """NAME(a) for the primitives and one catalogue activation, each value from its textbook form."""
    value = {
        "exp": lambda v: exp(v),
        "tanh": lambda v: tanh(v),
        "abs": lambda v: abs(v),
        "sigmoid": lambda v: 1 / (1 + exp(-v)),
        "-": lambda v: -v,
    }[name](a.value)
    return _node(f"-({a.text})" if name == "-" else f"{name}({a.text})", value, a)


def _pair(name: str, a: Spelled, b: Spelled) -> Spelled:
    text = f"{name}({a.text}, {b.text})"
    try:
        value = (Maximum if name == "max" else Minimum)(a.value, b.value)
    except (TypeError, AttributeError):  # numbers SymPy cannot order (1 and tanh(1000)): the parser says so
        return _node(text, S.Zero, a, b, refused=True)
    return _node(text, value, a, b)


_COMPARE = {">": Gt, ">=": Ge, "<": Lt, "<=": Le}


def _where(compare: str, a: Spelled, b: Spelled) -> Spelled:
    value = Piecewise((a.value, _COMPARE[compare](x, 0)), (b.value, True))
    return _node(f"where(x {compare} 0, {a.text}, {b.text})", value, a, b)


SMALL_POWERS = st.integers(-3, 3).map(lambda n: Spelled(f"({n})", Integer(n)))


def _grow(inner: st.SearchStrategy[Spelled]) -> st.SearchStrategy[Spelled]:
    return (
        st.builds(_join, st.sampled_from(["+", "-", "*", "/"]), inner, inner)
        | st.builds(_join, st.just("^"), inner, SMALL_POWERS)
        | st.builds(_apply, st.sampled_from(["exp", "tanh", "abs", "sigmoid", "-"]), inner)
        | st.builds(_pair, st.sampled_from(["max", "min"]), inner, inner)
        | st.builds(_where, st.sampled_from(sorted(_COMPARE)), inner, inner)
    )


EXPRESSIONS = st.recursive(LEAVES, _grow, max_leaves=8)


def _depth(text: str) -> int:
    depth = deepest = 0
    for char in text:
        depth += {"(": 1, ")": -1}.get(char, 0)
        deepest = max(deepest, depth)
    return deepest


@FUZZ
@given(EXPRESSIONS)
def test_a_well_formed_expression_parses_to_what_it_spells(spelled):
    assume(not spelled.oversized and len(spelled.text) <= MAX_LENGTH and _depth(spelled.text) <= 15)
    result = outcome(spelled.text)
    if spelled.refused:
        assert isinstance(result, symdl.SymdlError), f"{spelled.text!r} gave {result}"
        refusals = ("division by zero", "negative power", "not a finite number", "cannot decide")
        assert any(says in str(result) for says in refusals), str(result)
    else:
        assert result == spelled.value, spelled.text


@FUZZ
@given(EXPRESSIONS, st.sampled_from(["\u09ea", "\uff18", "\u0664", "\u0445", "\u00d7"]), st.data())
def test_one_foreign_character_is_refused_at_its_column(spelled, foreign, data):
    at = data.draw(st.integers(0, len(spelled.text)))
    text = spelled.text[:at] + foreign + spelled.text[at:]
    result = outcome(text)
    assert isinstance(result, symdl.SymdlError) and f"position {at + 1} of" in str(result)
