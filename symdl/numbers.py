"""Numbers from user text: exact rationals, in ASCII digits, of a stated size, that float64 can hold.

Every number a user gives (``-p``/``--param`` values, a network spec's entries, ``--learning-rate``,
``symdl.define``'s parameter defaults, literals in an expression) comes through ``parse_number`` or
``beyond_float64``; user text never reaches ``sympify``.
"""

from __future__ import annotations

import re
import sys
from typing import Any

from sympy import Expr, Rational, S

from symdl.errors import BadParameter

# Numbers from user text: ASCII digits only, at most MAX_DIGITS significant digits, and a value float64 can hold
# (no larger in magnitude than its largest finite value, and 0 or not rounded to 0: above 2**-1075).
MAX_DIGITS = 50
FLOAT64_MAX = Rational(int(sys.float_info.max))
FLOAT64_ZERO = Rational(1, 2**1075)  # half the smallest subnormal: this and below round to 0
_NUMBER = re.compile(r"\s*([+-]?)([0-9]*)(?:\.([0-9]*))?(?:[eE]([+-]?[0-9]+))?(?:\s*/\s*([0-9]+))?\s*", re.ASCII)


def beyond_float64(value: Expr) -> str | None:
    """Why an exact number cannot be a float64 (too large, or not 0 but rounded to 0), or None if it can."""
    if not value.is_Rational:
        return None
    if abs(value) > FLOAT64_MAX:
        return _TOO_LARGE
    if value != 0 and abs(value) <= FLOAT64_ZERO:
        return _TOO_SMALL
    return None


_TOO_LARGE = "is beyond float64's range (about 1.8e308); write a smaller number"
_TOO_SMALL = "is not 0 but float64 rounds it to 0 (below about 2.5e-324); write 0 or a larger number"


def _shown(raw: Any) -> str:
    """RAW as the user wrote it, cut to one short line: a 5000-digit literal is not echoed back."""
    if isinstance(raw, int) and raw.bit_length() > 200:
        return f"an integer of {len(str(abs(raw))) if raw.bit_length() < 10_000 else 'more than 3000'} digits"
    text = repr(str(raw))
    return text if len(text) <= 40 else f"{text[:24]}...{text[-8:]} ({len(str(raw))} characters)"


def _decimal(whole: str, fraction: str, exponent: str) -> tuple[int, int]:
    """Digits WHOLE.FRACTION times 10**EXPONENT as (significant digits, power of ten), converting at most
    MAX_DIGITS digits to an int; an exponent of six digits or more stands for a power beyond any float64."""
    digits = (whole + fraction).lstrip("0")
    significant = digits.rstrip("0")
    if len(significant) > MAX_DIGITS:
        raise _TooLong(len(significant))
    shift = exponent.lstrip("+-").lstrip("0")
    scale = int(exponent or "0") if len(shift) < 6 else (-1 if exponent.startswith("-") else 1) * 10**100
    return int(significant or "0"), scale - len(fraction) + len(digits) - len(significant)


class _TooLong(Exception):
    """A literal with more significant digits than MAX_DIGITS (its count is the argument)."""


def parse_number(raw: Any, what: str) -> Expr:
    """An exact rational from user text ("0.2", "1/4", "-3", "1e-2") or a Python number.

    User text never reaches ``sympify``: only this pattern is accepted, in ASCII digits, with at most
    ``MAX_DIGITS`` significant digits and a value float64 can hold (``beyond_float64``).
    """
    if isinstance(raw, bool):
        raise BadParameter(f"{what}: expected a number, got {raw!r}")
    if isinstance(raw, float):
        if raw != raw or raw in (float("inf"), float("-inf")):
            raise BadParameter(f"{what}: expected a finite number, got {raw!r}")
        return Rational(repr(raw))
    if isinstance(raw, int) and raw.bit_length() > 1100:  # before any conversion to text or SymPy
        raise BadParameter(f"{what}: {_shown(raw)} {_TOO_LARGE}")
    if isinstance(raw, (int, Rational)):
        number = S(raw)
        if number.is_Integer and len(str(abs(number)).rstrip("0")) > MAX_DIGITS:
            raise BadParameter(f"{what}: {_shown(raw)} has more than {MAX_DIGITS} significant digits; round it")
    else:
        number = _number_from_text(str(raw), what, _shown(raw))
    problem = beyond_float64(number)
    if problem:
        raise BadParameter(f"{what}: {_shown(raw)} {problem}")
    return number


def _number_from_text(text: str, what: str, shown: str) -> Expr:
    """The exact value of TEXT, a decimal or a fraction such as 1/3; a BadParameter naming WHAT and SHOWN if none."""
    match = _NUMBER.fullmatch(text)
    if not match or not (match.group(2) or match.group(3)):
        foreign = next((c for c in text if not c.isascii()), None)
        if foreign is not None:
            raise BadParameter(
                f"{what}: {shown} has {foreign!r}, which is not ASCII; write numbers with the digits 0-9, "
                "e.g. 0.2 or 1/4"
            )
        raise BadParameter(f"{what}: expected a number such as 0.2 or 1/4, got {shown}")
    sign, whole, fraction, exponent, denominator = match.groups()
    try:
        top, power = _decimal(whole, fraction or "", exponent or "")
        bottom, down = _decimal(denominator, "", "") if denominator is not None else (1, 0)
    except _TooLong as error:
        raise BadParameter(
            f"{what}: {shown} has {error.args[0]} significant digits; symdl reads at most {MAX_DIGITS}: round it"
        ) from None
    if bottom == 0:
        raise BadParameter(f"{what}: {shown} divides by zero")
    if top == 0:
        return S.Zero
    power -= down
    magnitude = power + len(str(top)) - len(str(bottom))  # log10 of the value, within 2
    if not -340 < magnitude < 320:  # far outside float64: 10**power is never built
        raise BadParameter(f"{what}: {shown} {_TOO_LARGE if magnitude > 0 else _TOO_SMALL}")
    number = Rational(top, bottom) * Rational(10) ** power
    return -number if sign == "-" else number


__all__ = ["FLOAT64_MAX", "MAX_DIGITS", "beyond_float64", "parse_number"]
