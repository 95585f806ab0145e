"""The comparison table: name, f(x), f'(x), range, continuity, monotonic, f'(0), sup |f'|.

Every cell is computed by the derivation engine (``Derivation.properties`` at PyTorch's defaults,
the derivative and its own-terms form); this module only prints them, as LaTeX or as Markdown.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sympy import Expr, FiniteSet, Float, Interval, Rational, Union, count_ops, oo

from symdl.engine.calculus import derive
from symdl.engine.cases import derivative_cases, own_terms
from symdl.render.conditions import cases
from symdl.render.notation import DEFAULT_STYLE, Notation, Style, notation
from symdl.render.words import title, words

DIGITS = 4  # significant digits of numbers that have no short exact form
COLUMNS = ("name", "f", "df", "range", "continuity", "monotonic", "slope_at_zero", "sup")
FORMULAS = ("name", "f", "df")
PROPERTIES = ("name", "range", "continuity", "monotonic", "slope_at_zero", "sup")


@dataclass(frozen=True)
class Row:
    """One activation's cells: LaTeX math (name, continuity and monotonic are text)."""

    name: str
    f: str
    df: str
    range: str
    continuity: str
    monotonic: str
    slope_at_zero: str
    sup: str
    kink_at_zero: bool


def row(name: str, style: Style = DEFAULT_STYLE) -> Row:
    """The cells of one activation, at its default parameter values."""
    d = derive(name)
    w = notation(d.activation, style, d.valuemap)
    said = words(style.lang)
    p = d.properties
    kink_at_zero = any(b.at.subs(d.valuemap) == 0 for b in d.kinks)
    if p is None:  # a user's expression whose properties ran out of time
        late = said["not_in_time"]
        f, df = w(d.activation.definition.subs(w.substitution)), _derivative_cell(d, w)
        return Row(
            title(d.activation), f, df, rf"\text{{{late}}}", late, late, rf"\text{{{late}}}", rf"\text{{{late}}}", False
        )
    continuity = (
        r"$C^\infty$" if p.continuity is None else said["discontinuous"] if p.continuity < 0 else f"$C^{p.continuity}$"
    )
    return Row(
        name=title(d.activation),
        f=w(d.activation.definition.subs(w.substitution)),
        df=_derivative_cell(d, w),
        range=_set(p.range, w),
        continuity=continuity,
        monotonic=said[p.monotonic],
        slope_at_zero=f"{{{_number(p.slope_at_zero, w)}}}^\\dagger" if kink_at_zero else _number(p.slope_at_zero, w),
        sup=_number(p.max_slope, w),
        kink_at_zero=kink_at_zero,
    )


def _derivative_cell(d, w: Notation) -> str:
    own = own_terms(d, w.shown)
    if own is not None:
        return w(own)
    rows = [r for r in derivative_cases(d, w.shown) if not r.kinks]
    if len(rows) == 1:
        return w(rows[0].expr)
    printer = w.printer()
    return cases((w(r.expr), printer.condition(r.where)) for r in rows)


def _number(value: Expr, w: Notation) -> str:
    """Exact where short (1/4, 0.01, \\pi/2), else 4 significant digits."""
    if value in (oo, -oo):
        return w(value)
    long = isinstance(value, Float) or (isinstance(value, Rational) and value.q > 1000) or count_ops(value) > 4
    if value.is_number and long:
        return f"{float(value):#.{DIGITS}g}".rstrip(".")
    return w(value)


def _set(s: Expr, w: Notation) -> str:
    if isinstance(s, Interval):
        lo = "(" if s.left_open else "["
        hi = ")" if s.right_open else "]"
        return f"{lo}{_number(s.start, w)}, {_number(s.end, w)}{hi}"
    if isinstance(s, FiniteSet):
        return r"\{" + ", ".join(_number(v, w) for v in s) + r"\}"
    if isinstance(s, Union):
        parts = sorted(s.args, key=lambda part: float(part.inf))
        return r" \cup ".join(_set(part, w) for part in parts)
    return w(s)


def rows(names: Iterable[str], style: Style = DEFAULT_STYLE) -> list[Row]:
    from symdl.catalog import activation

    return [row(activation(name).name, style) for name in names]


def _header(style: Style, columns: tuple[str, ...]) -> list[str]:
    said = words(style.lang)
    heads = {"f": "$f(x)$", "df": "$f'(x)$"}
    return [heads.get(c, said.get(c, c)) for c in columns]


def _cell(r: Row, column: str, display: bool = False) -> str:
    """A cell: text as is, formulas in $...$ (\\displaystyle for f and f' in LaTeX, so fractions stay legible)."""
    value = getattr(r, column)
    if column in ("name", "continuity", "monotonic"):
        return value
    if display and column in ("f", "df"):  # in a p-column: scaled down to the column if too wide
        return rf"\adjustbox{{max width=\linewidth,margin=0pt 3pt}}{{$\displaystyle {value}$}}"
    return f"${value}$"


# --------------------------------------------------------------------------- LaTeX


def latex(
    names: Iterable[str], style: Style = DEFAULT_STYLE, columns: tuple[str, ...] = COLUMNS, long: bool = True
) -> str:
    """The table as LaTeX with its legend: a ``longtable`` across pages, or a ``tabular`` (for a slide)."""
    found = rows(names, style)
    return tabular(found, style, columns, long) + "\n\n" + r"{\footnotesize " + legend(found, style, columns) + "}\n"


def tabular(found: list[Row], style: Style, columns: tuple[str, ...] = COLUMNS, long: bool = True) -> str:
    """Only the table; formulas wrap inside their columns of a ``longtable``."""
    widths = {
        "name": "l",
        "f": r">{\raggedright\arraybackslash}p{4.2cm}",
        "df": r">{\raggedright\arraybackslash}p{5.0cm}",
    }
    spec = "".join(widths.get(c, "l") for c in columns) if long else "l" * len(columns)
    header = " & ".join(_header(style, columns)) + r" \\"
    body = "\n".join(" & ".join(_cell(r, c, display=long) for c in columns) + r" \\[3pt]" for r in found)
    environment = "longtable" if long else "tabular"
    head = [r"\toprule", header, r"\midrule"] + ([r"\endhead"] if long else [])
    return "\n".join([rf"\begin{{{environment}}}{{{spec}}}", *head, body, r"\bottomrule", rf"\end{{{environment}}}"])


def legend(found: list[Row], style: Style, columns: tuple[str, ...] = COLUMNS) -> str:
    """What the numbers mean: default parameters, rounding, the dagger of a kink at 0."""
    said = words(style.lang)
    out = [said["table_note"]] if set(columns) & {"range", "slope_at_zero", "sup"} else []
    if "slope_at_zero" in columns and any(r.kink_at_zero for r in found):
        out.append(said["kink_mark"])
    return " ".join(out)


# --------------------------------------------------------------------------- Markdown


def markdown(names: Iterable[str], style: Style = DEFAULT_STYLE, columns: tuple[str, ...] = COLUMNS) -> str:
    """The table as Markdown, cells in ``$...$`` (no ``|`` inside: absolute values print as \\lvert \\rvert)."""
    found = rows(names, style)
    lines = ["| " + " | ".join(_header(style, columns)) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(_cell(r, c) for c in columns) + " |" for r in found]
    return "\n".join(lines) + "\n\n" + legend(found, style, columns) + "\n"
