"""Beamer: one frame per activation (definition, derivative, worked derivation, a slot for its plot),
then the comparison table, eight activations to a frame.

The plot slot shows ``figures/NAME.pdf`` when that file exists (the figures module writes it), and a
labelled box otherwise, so the deck compiles before any plot is made.
"""

from __future__ import annotations

from collections.abc import Iterable

from symdl.catalog import activation
from symdl.render import latex, table, templates
from symdl.render.document import canonical, row_per_line
from symdl.render.notation import DEFAULT_STYLE, Style
from symdl.render.words import title, words

ROWS_PER_FRAME = 8


def frame(name: str, style: Style = DEFAULT_STYLE) -> str:
    """One activation's frame, titled as in the lecture ("활성화 함수의 종류 - Sigmoid").

    Definition and derivative beside the plot slot; the worked derivation below, across the frame.
    """
    said = words(style.lang)
    act = activation(name)
    heading = title(act)
    formulas = [
        rf"\symdlfit{{0.12\textheight}}{{{latex.definition(name, style)}}}",
        rf"\symdlfit{{0.17\textheight}}{{{latex.derivative(name, style)}}}",
    ]
    if act.is_vector:
        formulas.append(rf"\symdlfit{{0.13\textheight}}{{{latex.jacobian_matrix(name, style)}}}")
    notes = latex.notes(name, style)
    return "\n".join(
        [
            rf"\begin{{frame}}[t]{{{said['kind'].format(name=heading)}}}",
            r"\begin{columns}[T,onlytextwidth]",
            r"\begin{column}{0.68\textwidth}",
            *formulas,
            r"\end{column}",
            r"\begin{column}{0.3\textwidth}",
            rf"\symdlplot{{{act.name}}}{{{said['plot'].format(name=heading)}}}",
            r"\end{column}",
            r"\end{columns}",
            r"\smallskip",  # a matrix (softmax's Jacobian) otherwise touches the heading below it
            rf"{{\small\textbf{{{said['working']}}}\par}}",
            rf"\symdlfit{{{0.38 if act.is_vector else 0.42}\textheight}}{{{row_per_line(latex.worked(name, style))}}}",
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
    names = canonical(names)
    body = [frame(name, style) for name in names]
    if with_table:
        body.append(table_frames(names, style))
    return templates.filled(templates.BEAMER, words(style.lang)["title"], "\n\n".join(body), style.lang)


def table_deck(names: Iterable[str], style: Style = DEFAULT_STYLE) -> str:
    """A compilable Beamer deck holding only the comparison table."""
    return templates.filled(templates.BEAMER, words(style.lang)["table"], table_frames(names, style), style.lang)
