"""One activation as a list of blocks, the one builder every format of ``symdl latex`` writes out.

Heading, definition, derivative (and for a vector function the Jacobian), the worked derivation under its
own heading, a slot for the plot, and the notes; then, for a document of several, the comparison table.
The snippet, the article, the Beamer deck and Markdown (``document``, ``beamer``, ``markdown``) are
formats over these blocks: each decides only how a block is written and laid out.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from symdl.budget import OutOfTime
from symdl.catalog import activation
from symdl.render import latex
from symdl.render.blocks import Block
from symdl.render.notation import DEFAULT_STYLE, Style
from symdl.render.words import title, words

Rule = Callable[[Block, Style], "str | None"]  # how one kind of block is written in one format (None: left out)


def written(part: Iterable[Block], rules: dict[str, Rule], style: Style) -> list[str]:
    """The lines of a list of blocks under one format's rules."""
    return [line for block in part if (line := rules[block.kind](block, style)) is not None]


def canonical(names: Iterable[str]) -> list[str]:
    """Catalogue names for names or aliases, in the order given."""
    return [activation(name).name for name in names]


def row_per_line(block: str) -> str:
    """An aligned block with one source line per formula line (readable .tex)."""
    return block.replace(r" \\ ", " \\\\\n")


def blocks(name: str, style: Style = DEFAULT_STYLE) -> list[Block]:
    """The blocks of one activation, in the order the lecture's slide gives them."""
    said = words(style.lang)
    act = activation(name)
    heading = said["kind"].format(name=title(act))
    out = [
        Block("heading", heading, 1, role="activation", names=(act.name,)),
        Block("math", latex.definition(name, style), role="definition"),
        Block("math", latex.derivative(name, style), role="derivative"),
    ]
    if act.is_vector:
        out += [
            Block("text", said["jacobian"], role="jacobian"),
            Block("math", latex.jacobian_matrix(name, style), role="jacobian"),
        ]
    out += [
        Block("plot", act.name, role=said["plot"].format(name=title(act))),
        Block("heading", said["working"], 2, role="working"),
        _working(name, style),
    ]
    out += [Block("text", note, role="note") for note in latex.notes(name, style)]
    return out


def _working(name: str, style: Style) -> Block:
    """The worked derivation; for a user's expression that ran out of its time budget, a line saying so."""
    try:
        return Block("math", row_per_line(latex.worked(name, style)), role="working")
    except OutOfTime:
        said = words(style.lang)
        return Block("text", f"{said['working']}: {said['not_in_time']}", role="note")


def document(names: Iterable[str], style: Style = DEFAULT_STYLE, with_table: bool = True) -> list[list[Block]]:
    """Every activation's blocks, then (``with_table``) the comparison table as one block of its own."""
    names = canonical(names)
    parts = [blocks(name, style) for name in names]
    if with_table:
        parts.append([Block("table", words(style.lang)["table"], role="table", names=tuple(names))])
    return parts


__all__ = ["Rule", "blocks", "canonical", "document", "row_per_line", "written"]
