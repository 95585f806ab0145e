"""A network spec's raw values read exactly and checked: matrices, numbers, tables, symdl's size limits.

Each problem is one line naming the place (``layer 2: W2[1,3]``) and the fix; ``symdl.network.spec`` reads a
spec's tables with these.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any

import mpmath
from sympy import Expr, ImmutableMatrix, Rational

from symdl.catalog import parse_number
from symdl.errors import BadNetwork, BadParameter, SymdlError
from symdl.network.exact import fits_float64

# The size of network symdl computes (README, "The lecture's network"): within these every command answers
# within 10 s on a 2-core machine (measured at the limits: sigmoid, tanh, ReLU and softmax networks, every
# view); beyond them a spec is refused at load.  The exact work grows with the parameters times the examples.
MAX_UNITS = 32  # neurons per layer, the inputs counting as layer 0
MAX_LAYERS = 16  # layers with weights (hidden and output)
MAX_PARAMETERS = 1400  # weights and biases together, times the examples: each example is a pass of its own
MAX_EXAMPLES = 8  # rows of X
MAX_TEXT = 1_000_000  # characters of a spec file: one within the limits is far shorter


class TomlFloat(str):
    """A TOML float's own text (``0.5``, ``1_000.5``, ``nan``), so it can be read exactly."""


def known_keys(table: Any, known: tuple[str, ...], what: str, where: str) -> None:
    """Refuse a key symdl does not read (a typo would otherwise be ignored); ``what`` is "layer 2" or "" (the top)."""
    if not isinstance(table, Mapping):
        raise BadNetwork(
            f"{where}{what or 'the spec'} must be a table with the keys {', '.join(known)}, got {shown(table)}"
        )
    for key in table:
        if key not in known:
            place = f"{what}: unknown key {key!r}" if what else f"unknown key {key!r} at the top"
            raise BadNetwork(f"{where}{place}; the keys are {', '.join(known)}")


class located:
    """Re-raise a symdl error with where it happened in front: ``layer 2: unknown activation 'sigmoi'...``."""

    def __init__(self, where: str) -> None:
        self.where = where

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: type | None, error: BaseException | None, _tb: Any) -> None:
        if isinstance(error, SymdlError):  # every symdl error takes its one-line message as its only argument
            raise type(error)(f"{self.where}: {error}") from None


def matrix(raw: Any, name: str, where: str, row_ok: bool) -> ImmutableMatrix:
    """An exact matrix from a list of rows (or, where ``row_ok``, one row written flat)."""
    example = "[1, 2, 1]" if row_ok else "[[1, 0.5], [-1, 0.5]]"
    if not isinstance(raw, list) or not raw:
        raise BadNetwork(f"{where}{name} must be a non-empty list such as {example}, got {shown(raw)}")
    flat = not any(isinstance(entry, list) for entry in raw)
    if flat and row_ok:
        raw = [raw]
    elif flat or not all(isinstance(row, list) for row in raw):
        raise BadNetwork(f"{where}{name} must be a list of rows such as {example}, got {shown(raw)}")
    width = len(raw[0])
    if row_ok:
        at_most(len(raw), MAX_EXAMPLES, f"{where}{name} has {{count}} rows", "examples (rows of X)")
    else:
        at_most(len(raw), MAX_UNITS, f"{where}{name} has {{count}} rows", "units per layer")
    at_most(width, MAX_UNITS, f"{where}{name} has {{count}} columns", "units per layer")
    for r, row in enumerate(raw, start=1):
        if not row:
            raise BadNetwork(f"{where}{name} row {r} is empty; every row needs {width or 'at least one'} entries")
        if len(row) != width:
            raise BadNetwork(
                f"{where}{name} row {r} has {len(row)} entries but row 1 has {width}; every row needs {width}"
            )
    entry = (lambda r, c: f"{name}[{c}]") if len(raw) == 1 and row_ok else (lambda r, c: f"{name}[{r},{c}]")
    return ImmutableMatrix(
        [
            [exact_number(value, f"{where}{entry(r, c)}") for c, value in enumerate(row, start=1)]
            for r, row in enumerate(raw, 1)
        ]
    )


_NOT_FINITE = re.compile(r"^[+-]?(nan|inf(inity)?)$", re.IGNORECASE)


def exact_number(raw: Any, what: str) -> Expr:
    """One exact entry: an int, a TOML float's decimal text, or a string such as "1/2"."""
    text = plain_number(raw)
    if isinstance(text, str) and _NOT_FINITE.match(text.strip()):
        raise BadNetwork(f"{what} is {text.strip()}; every entry must be a finite number")
    if isinstance(text, float) and not math.isfinite(text):
        raise BadNetwork(f"{what} is {text}; every entry must be a finite number")
    if isinstance(text, bool) or not isinstance(text, int | float | str | Rational):
        raise BadNetwork(f"{what}: expected a number such as 0.5 or 1/2, got {shown(raw)}")
    try:
        return parse_number(text, what)
    except BadParameter as error:
        raise BadNetwork(str(error)) from None


def plain_number(raw: Any) -> Any:
    """A TOML float as its text without digit separators (``1_000.5`` is 1000.5); anything else unchanged."""
    return str(raw).replace("_", "") if isinstance(raw, TomlFloat) else raw


def shown(raw: Any) -> str:
    """A TOML value as the user wrote it (``[1, 0.5]``, ``true``), cut to 40 characters."""
    if isinstance(raw, bool):
        text = "true" if raw else "false"
    elif isinstance(raw, TomlFloat):
        text = str(raw)
    elif isinstance(raw, list):
        text = "[" + ", ".join(shown(item) for item in raw) + "]"
    else:
        text = repr(raw)
    return text if len(text) <= 40 else text[:37] + "..."


def shape(rows: int, cols: int) -> str:
    return f"{rows}×{cols}"


def at_most(count: int, limit: int, found: str, what: str) -> None:
    """Refuse a network beyond one of symdl's size limits; ``found`` says where, with ``{count}`` in it."""
    if count > limit:
        raise BadNetwork(
            f"{found.format(count=count)}, but symdl computes networks of at most {limit} {what} "
            "(see the README); use a smaller network"
        )


def all_fit_float64(m: ImmutableMatrix, name: str, where: str, whole: bool = False) -> None:
    """Every entry a number float64 can hold: 1e400 would be inf in the float64 pass (``whole``: a number)."""
    for r in range(m.rows):
        for c in range(m.cols):
            if not fits_float64(m[r, c]):
                place = name if whole else f"{name}[{r + 1},{c + 1}]"
                shown = mpmath.nstr(mpmath.mpf(m[r, c].p) / m[r, c].q, 3)
                raise BadNetwork(
                    f"{where}{place} = {shown} does not fit in float64 (largest about 1.8e+308); use a smaller number"
                )


__all__ = [
    "MAX_EXAMPLES",
    "MAX_LAYERS",
    "MAX_PARAMETERS",
    "MAX_TEXT",
    "MAX_UNITS",
    "TomlFloat",
    "all_fit_float64",
    "at_most",
    "exact_number",
    "known_keys",
    "located",
    "matrix",
    "plain_number",
    "shape",
    "shown",
]
