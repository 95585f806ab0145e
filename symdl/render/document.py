"""The LaTeX formats of the activation blocks: a snippet for ``\\input`` and a standalone article, with the
comparison table on landscape pages."""

from __future__ import annotations

from collections.abc import Iterable

from symdl.render import table, templates
from symdl.render.activation import Rule, blocks, canonical, document, written
from symdl.render.notation import DEFAULT_STYLE, Style
from symdl.render.words import words

# each block as the article writes it (None: not in the article)
_ARTICLE: dict[str, Rule] = {
    "heading": lambda b, s: rf"\{'section' if b.level == 1 else 'subsection'}*{{{b.text}}}",
    "math": lambda b, s: rf"\symdlshow{{{b.text}}}",
    "text": lambda b, s: f"{b.text}\n" if b.role == "note" else b.text,
    "plot": lambda b, s: rf"\symdlfigure{{{b.text}}}",  # figures/NAME.pdf where it exists (symdl plot)
    "table": lambda b, s: table_section(b.names, s),
}
# each block as the snippet writes it: display math and notes, the activation's name as a comment
_SNIPPET: dict[str, Rule] = {
    "heading": lambda b, s: f"% {b.names[0]}" if b.role == "activation" else None,
    "math": lambda b, s: rf"\[ {b.text} \]",
    "text": lambda b, s: f"{b.text}\n" if b.role == "note" else None,
    "plot": lambda b, s: None,
}


def snippet(names: Iterable[str], style: Style = DEFAULT_STYLE) -> str:
    """Display math and notes for each activation, for ``\\input`` (needs amsmath)."""
    parts = document(names, style, with_table=False)
    lines = ["\n".join(written(part, _SNIPPET, style)) for part in parts]
    return "\n\n".join(["% symdl: needs \\usepackage{amsmath}", *lines]) + "\n"


def section(name: str, style: Style = DEFAULT_STYLE) -> str:
    """One activation as an article section: definition, derivative, worked derivation, notes."""
    return "\n".join(written(blocks(name, style), _ARTICLE, style))


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
    body = ["\n".join(written(part, _ARTICLE, style)) for part in document(names, style, with_table)]
    return templates.filled(templates.STANDALONE, words(style.lang)["title"], "\n\n".join(body), style.lang)


def table_document(names: Iterable[str], style: Style = DEFAULT_STYLE) -> str:
    """A compilable article holding only the comparison table."""
    text = templates.filled(templates.STANDALONE, words(style.lang)["table"], table_section(names, style), style.lang)
    return text.replace(r"\maketitle", "")
