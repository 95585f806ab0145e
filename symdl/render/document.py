"""The LaTeX documents: a snippet for ``\\input`` and a standalone article, with the comparison table."""

from __future__ import annotations

from collections.abc import Iterable

from symdl.catalog import activation
from symdl.render import latex, table, templates
from symdl.render.notation import DEFAULT_STYLE, Style
from symdl.render.words import title, words


def canonical(names: Iterable[str]) -> list[str]:
    return [activation(name).name for name in names]


def snippet(names: Iterable[str], style: Style = DEFAULT_STYLE) -> str:
    """Display math and notes for each activation, for ``\\input`` (needs amsmath)."""
    blocks = ["% symdl: needs \\usepackage{amsmath}"]
    for name in canonical(names):
        lines = [f"% {name}", rf"\[ {latex.definition(name, style)} \]", rf"\[ {latex.derivative(name, style)} \]"]
        if activation(name).is_vector:
            lines.append(rf"\[ {latex.jacobian_matrix(name, style)} \]")
        lines.append(rf"\[ {row_per_line(latex.worked(name, style))} \]")
        lines += [f"{note}\n" for note in latex.notes(name, style)]
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks) + "\n"


def section(name: str, style: Style = DEFAULT_STYLE) -> str:
    """One activation as an article section: definition, derivative, worked derivation, notes."""
    said = words(style.lang)
    parts = [
        rf"\section*{{{said['kind'].format(name=title(activation(name)))}}}",
        rf"\symdlshow{{{latex.definition(name, style)}}}",
        rf"\symdlshow{{{latex.derivative(name, style)}}}",
    ]
    if activation(name).is_vector:
        parts += [said["jacobian"], rf"\symdlshow{{{latex.jacobian_matrix(name, style)}}}"]
    parts += [rf"\subsection*{{{said['working']}}}", rf"\symdlshow{{{row_per_line(latex.worked(name, style))}}}"]
    parts += [f"{note}\n" for note in latex.notes(name, style)]
    return "\n".join(parts)


def table_section(names: Iterable[str], style: Style = DEFAULT_STYLE) -> str:
    """The comparison table on landscape pages (``longtable`` breaks it across them)."""
    said = words(style.lang)
    return "\n".join(
        [
            r"\begin{landscape}",
            rf"\section*{{{said['table']}}}",
            r"{\small\setlength{\tabcolsep}{4pt}\renewcommand{\arraystretch}{1.4}",
            table.latex(canonical(names), style),
            "}",
            r"\end{landscape}",
        ]
    )


def standalone(names: Iterable[str], style: Style = DEFAULT_STYLE, with_table: bool = True) -> str:
    """A compilable article: every activation, then the comparison table."""
    names = canonical(names)
    body = [section(name, style) for name in names]
    if with_table:
        body.append(table_section(names, style))
    return templates.filled(templates.STANDALONE, words(style.lang)["title"], "\n\n".join(body), style.lang)


def table_document(names: Iterable[str], style: Style = DEFAULT_STYLE) -> str:
    """A compilable article holding only the comparison table."""
    text = templates.filled(templates.STANDALONE, words(style.lang)["table"], table_section(names, style), style.lang)
    return text.replace(r"\maketitle", "")


def row_per_line(block: str) -> str:
    """An aligned block with one source line per formula line (readable .tex)."""
    return block.replace(r" \\ ", " \\\\\n")
