"""The output formats of ``symdl latex``, by name: each renders the activations, or only their table."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from symdl.render import beamer, document, markdown, table
from symdl.render.notation import DEFAULT_STYLE, Style

Render = Callable[[list[str], Style], str]

# format -> (everything, only the comparison table)
FORMATS: dict[str, tuple[Render, Render]] = {
    "snippet": (document.snippet, table.latex),
    "standalone": (document.standalone, document.table_document),
    "beamer": (beamer.deck, beamer.table_deck),
    "markdown": (markdown.markdown, table.markdown),
}


def render(names: Iterable[str], fmt: str = "snippet", style: Style = DEFAULT_STYLE, only_table: bool = False) -> str:
    """The text of one format for the named activations (catalogue names or aliases)."""
    everything, table_only = FORMATS[fmt]
    return (table_only if only_table else everything)(list(names), style)
