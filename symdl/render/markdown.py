"""Markdown in the lecture's own style, a format of the activation blocks: a heading per activation,
formulas in ``$$`` blocks, "미분 계산" as a line of its own."""

from __future__ import annotations

from collections.abc import Iterable

from symdl.render import table
from symdl.render.activation import Rule, blocks, document, written
from symdl.render.notation import DEFAULT_STYLE, Style

_MARKDOWN: dict[str, Rule] = {
    "heading": lambda b, s: f"# {b.text}" if b.level == 1 else b.text,
    "math": lambda b, s: f"$$\n{b.text}\n$$" if b.role == "working" else f"$${b.text}$$",
    "text": lambda b, s: b.text,
    "plot": lambda b, s: None,
    "table": lambda b, s: f"# {b.text}\n\n{table.markdown(list(b.names), s)}",
}


def section(name: str, style: Style = DEFAULT_STYLE) -> str:
    return "\n\n".join(written(blocks(name, style), _MARKDOWN, style))


def markdown(names: Iterable[str], style: Style = DEFAULT_STYLE, with_table: bool = True) -> str:
    """Every activation, then the comparison table."""
    parts = ["\n\n".join(written(part, _MARKDOWN, style)) for part in document(names, style, with_table)]
    return "\n\n".join(parts).rstrip("\n") + "\n"
