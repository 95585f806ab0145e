"""Beamer, a format of the activation blocks: one frame per activation (definition, derivative, worked
derivation, a slot for its plot), then the comparison table, eight activations to a frame.

The plot slot shows ``figures/NAME.pdf`` when that file exists (the figures module writes it), and a
labelled box otherwise, so the deck compiles before any plot is made.
"""

from __future__ import annotations

from collections.abc import Iterable

from symdl.render import table, templates
from symdl.render.activation import blocks, canonical, document
from symdl.render.blocks import Block
from symdl.render.notation import DEFAULT_STYLE, Style
from symdl.render.words import words

ROWS_PER_FRAME = 8
# the height a formula may take beside the plot, by its role; the worked derivation's across the frame
HEIGHT = {"definition": 0.12, "derivative": 0.17, "jacobian": 0.13}
WORKING_HEIGHT = {False: 0.42, True: 0.38}  # by whether a Jacobian matrix sits above it
# the widths of the formulas' column and the plot's (whose height templates.MACROS bounds)
FORMULA_WIDTH, PLOT_WIDTH = 0.6, 0.38


def frame(name: str, style: Style = DEFAULT_STYLE) -> str:
    """One activation's frame, titled as in the lecture ("활성화 함수의 종류 - Sigmoid")."""
    return _frame(blocks(name, style))


def _frame(part: list[Block]) -> str:
    """Definition and derivative beside the plot slot; the worked derivation below, across the frame."""
    title = next(b.text for b in part if b.kind == "heading" and b.level == 1)
    formulas = [
        rf"\symdlfit{{{HEIGHT[b.role]}\textheight}}{{{b.text}}}" for b in part if b.kind == "math" and b.role in HEIGHT
    ]
    plot = next(b for b in part if b.kind == "plot")
    working_title = next(b.text for b in part if b.kind == "heading" and b.role == "working")
    working = next(b.text for b in part if b.kind == "math" and b.role == "working")
    height = WORKING_HEIGHT[any(b.role == "jacobian" for b in part)]
    notes = [b.text for b in part if b.role == "note"]
    return "\n".join(
        [
            rf"\begin{{frame}}[t]{{{title}}}",
            r"\begin{columns}[T,onlytextwidth]",
            rf"\begin{{column}}{{{FORMULA_WIDTH}\textwidth}}",
            *formulas,
            r"\end{column}",
            rf"\begin{{column}}{{{PLOT_WIDTH}\textwidth}}",
            rf"\symdlplot{{{plot.text}}}{{{plot.role}}}",
            r"\end{column}",
            r"\end{columns}",
            r"\smallskip",  # a matrix (softmax's Jacobian) otherwise touches the heading below it
            rf"{{\small\textbf{{{working_title}}}\par}}",
            rf"\symdlfit{{{height}\textheight}}{{{working}}}",
            *([r"{\tiny " + " ".join(notes) + r"\par}"] if notes else []),
            r"\end{frame}",
        ]
    )


def table_frames(names: Iterable[str], style: Style = DEFAULT_STYLE) -> str:
    """The comparison table: formulas and properties on separate frames, eight rows each."""
    said = words(style.lang)
    names = canonical(names)
    frames = []
    for start in range(0, len(names), ROWS_PER_FRAME):
        found = table.rows(names[start : start + ROWS_PER_FRAME], style)
        for columns in (table.FORMULAS, table.PROPERTIES):
            said_legend = table.legend(found, style, columns)
            frames.append(
                "\n".join(
                    [
                        rf"\begin{{frame}}{{{said['table']}}}",
                        r"\begin{adjustbox}{max width=\linewidth,max totalheight=0.78\textheight,center}",
                        table.tabular(found, style, columns, long=False),
                        r"\end{adjustbox}",
                        rf"{{\tiny {said_legend}\par}}" if said_legend else "",
                        r"\end{frame}",
                    ]
                )
            )
    return "\n\n".join(frames)


def deck(names: Iterable[str], style: Style = DEFAULT_STYLE, with_table: bool = True) -> str:
    """A compilable Beamer deck."""
    body = [
        table_frames(part[0].names, style) if part[0].kind == "table" else _frame(part)
        for part in document(names, style, with_table)
    ]
    return templates.filled(templates.BEAMER, words(style.lang)["title"], "\n\n".join(body), style.lang)


def table_deck(names: Iterable[str], style: Style = DEFAULT_STYLE) -> str:
    """A compilable Beamer deck holding only the comparison table."""
    return templates.filled(templates.BEAMER, words(style.lang)["table"], table_frames(names, style), style.lang)
