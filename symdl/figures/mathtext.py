"""symdl's LaTeX as matplotlib's mathtext sets it, for titles and legends drawn without a TeX installation.

Mathtext reads most of what the lecture printer writes; the rest is rewritten by rule (rules as data, tried
in order): ``\\bigl(`` and ``\\lvert`` become plain brackets, ``\\le`` becomes ``\\leq``, ``\\text{if }``
becomes upright letters, named functions get the thin space mathtext omits before them (x tanh y, not
xtanh y), and ``cases`` (which mathtext lacks) becomes a brace before stacked rows.  What still does not
parse is refused (``None``), so a caller can fall back to plain text rather than fail while drawing.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache

from matplotlib.font_manager import FontProperties
from matplotlib.mathtext import MathTextParser

from symdl.figures.style import RC

# (pattern, replacement): LaTeX that mathtext does not know, and what it writes the same way.
REWRITES: tuple[tuple[str, str | Callable[[re.Match[str]], str]], ...] = (
    (r"\\bigl\(", "("),
    (r"\\bigr\)", ")"),
    (r"\\lvert\s*", "|"),
    (r"\s*\\rvert", "|"),
    (r"\\le(?![A-Za-z])", r"\\leq"),
    (r"\\ge(?![A-Za-z])", r"\\geq"),
    (r"\\ne(?![A-Za-z])", r"\\neq"),
    (r"\\text\{([^{}]*)\}", lambda m: _upright(m.group(1))),
    # a named function right after a letter, digit or bracket: mathtext sets them touching
    (r"([A-Za-z0-9})|])\s*(\\(?:tanh|log|exp|min|max|arctan|erf|operatorname)(?![A-Za-z]))", r"\1\\,\2"),
)

_CASES = re.compile(r"\\begin\{cases\}(.*?)\\end\{cases\}", re.DOTALL)


def _upright(text: str) -> str:
    """``\\text{if }`` as mathtext's upright letters, its spaces kept: ``\\mathrm{if}\\ ``."""
    words = [rf"\mathrm{{{word}}}" if word else "" for word in text.split(" ")]
    return r"\ ".join(words)


def _stacked(rows: list[str]) -> str:
    """Rows one above another (mathtext's only stacking is a fraction without its bar)."""
    if len(rows) == 1:
        return rows[0]
    return rf"\genfrac{{}}{{}}{{0}}{{0}}{{{rows[0]}}}{{{_stacked(rows[1:])}}}"


def _cases(match: re.Match[str]) -> str:
    """A brace before the branches, one row each (value, then condition), stacked.  Each cell is padded to
    its column's widest, measured by mathtext itself, so that the centred rows read as left-aligned columns."""
    rows = [[cell.strip() for cell in row.split("&")] for row in match.group(1).split(r"\\")]
    columns = max(len(row) for row in rows)
    rows = [row + [""] * (columns - len(row)) for row in rows]
    widths = [[_width(_rewritten(cell)) for cell in row] for row in rows]
    widest = [max(w[c] for w in widths) for c in range(columns)]
    unit = _width(r"\hspace{1}")
    padded = [
        r"\quad ".join(
            cell + (rf"\hspace{{{(widest[c] - w[c]) / unit:.3f}}}" if widest[c] - w[c] > 1e-9 else "")
            for c, cell in enumerate(row)
        )
        for row, w in zip(rows, widths, strict=True)
    ]
    return rf"\left\{{{_stacked(padded)}\right."


def _rewritten(text: str) -> str:
    for pattern, replacement in REWRITES:
        text = re.sub(pattern, replacement, text)
    return text


def _width(text: str) -> float:
    """The width mathtext gives TEXT (at 10 pt, in the figures' math font); 0 for nothing."""
    if not text:
        return 0.0
    try:
        return _PARSER.parse(f"${text}$", prop=_FONT).width
    except ValueError:  # the whole formula will not parse either, and is refused there
        return 0.0


def _outer_fractions_displayed(text: str) -> str:
    """``\\frac`` as ``\\dfrac`` where it is not inside another fraction: full size, as in a displayed formula,
    while a fraction within a fraction stays small (GELU's sqrt(2) x / 2)."""
    out, depth, inside = [], 0, []  # inside: the brace depths at which an enclosing fraction's arguments close
    k = 0
    while k < len(text):
        if text.startswith(r"\frac", k) and not text[k + 5 : k + 6].isalpha():
            out.append(r"\dfrac" if not inside else r"\frac")
            inside.append(depth)  # its two arguments open at this depth
            k += 5
            continue
        char = text[k]
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if inside and depth == inside[-1] and _closes_second(text, k):
                inside.pop()
        out.append(char)
        k += 1
    return "".join(out)


def _closes_second(text: str, k: int) -> bool:
    """Whether the brace closing at K is followed by no opening brace: a fraction's second argument ended."""
    return text[k + 1 : k + 2] != "{"


_PARSER = MathTextParser("path")
_FONT = FontProperties(size=10, math_fontfamily=RC["mathtext.fontset"])


@cache
def parses(text: str) -> bool:
    """Whether mathtext can set TEXT (a string with ``$...$``)."""
    try:
        _PARSER.parse(text)
    except ValueError:
        return False
    return True


def mathtext(tex: str, display: bool = False) -> str | None:
    """TEX (LaTeX math, without delimiters) as a mathtext string ``$...$``, or None if mathtext cannot set it.
    DISPLAY sets fractions at full size (``\\dfrac``), as a title's formula is set on a slide."""
    text = _CASES.sub(_cases, tex)
    text = _rewritten(text)
    if display:
        text = _outer_fractions_displayed(text)
    text = f"${text}$"
    return text if parses(text) else None


__all__ = ["REWRITES", "mathtext", "parses"]
