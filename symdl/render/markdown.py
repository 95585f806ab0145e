"""Markdown in the lecture's own style: a heading per activation, formulas in ``$$`` blocks, "미분 계산"."""

from __future__ import annotations

from collections.abc import Iterable

from symdl.catalog import activation
from symdl.render import latex, table
from symdl.render.document import canonical, row_per_line
from symdl.render.notation import DEFAULT_STYLE, Style
from symdl.render.words import title, words


def section(name: str, style: Style = DEFAULT_STYLE) -> str:
    said = words(style.lang)
    act = activation(name)
    parts = [
        f"# {said['kind'].format(name=title(act))}",
        f"$${latex.definition(name, style)}$$",
        f"$${latex.derivative(name, style)}$$",
    ]
    if act.is_vector:
        parts += [said["jacobian"], f"$${latex.jacobian_matrix(name, style)}$$"]
    parts += [said["working"], f"$$\n{row_per_line(latex.worked(name, style))}\n$$"]
    parts += latex.notes(name, style)
    return "\n\n".join(parts)


def markdown(names: Iterable[str], style: Style = DEFAULT_STYLE, with_table: bool = True) -> str:
    """Every activation, then the comparison table."""
    names = canonical(names)
    parts = [section(name, style) for name in names]
    if with_table:
        parts.append(f"# {words(style.lang)['table']}\n\n{table.markdown(names, style)}")
    return "\n\n".join(parts).rstrip("\n") + "\n"
