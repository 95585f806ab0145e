"""What the forward and the backward board are made of, and how they are written out.

A board is a list of blocks (a heading, display math, a line of text with ``$..$``), formatted as a LaTeX body or
as Markdown.  The names it writes (``x_1``, ``w^{(1)}_{11}``, ``Z^{(2)}``, ``h_j``) are the network's, by layer.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sympy import Symbol

from symdl.render import templates
from symdl.render.printer import subscript

if TYPE_CHECKING:  # the record Names reads; only the board views compute a pass
    from symdl.network.forward import Forward


@dataclass(frozen=True)
class Board:
    """How the working is written: decimals as in the lecture (0.5) or fractions (``exact``), and the language."""

    exact: bool = False
    lang: str = "en"


BOARD = Board()  # decimals as in the lecture, English


@dataclass(frozen=True)
class Block:
    """One piece of a document: a heading (level 1 or 2), display math, a line of text (with $..$), a plot
    (``text`` its activation's name), a table (``names`` its activations), or a fact of a derivation
    (``value`` the fact itself, written by each format: pretty-printed, LaTeX, JSON).  ``role`` says what a piece is
    for (definition, derivative, jacobian, working, note, ...) so a format can lay it out, as Beamer does."""

    kind: str  # "heading" | "math" | "text" | "plot" | "table" | "fact"
    text: str
    level: int = 0
    role: str = ""
    names: tuple[str, ...] = ()
    value: Any = None  # what a block shows, for a format that writes it itself (a SymPy expression, a record)


# --------------------------------------------------------------------------- names


def layer_sup(number: int) -> str:
    """``^{(2)}``: the layer of a name."""
    return f"^{{({number})}}"


def indices(*numbers: int) -> str:
    """``_{11}``, ``_{1,12}`` where an index has two digits."""
    return subscript(("," if any(i >= 10 for i in numbers) else "").join(str(i) for i in numbers))


class Names:
    """The LaTeX of every symbol of the general form, and of the matrices and units by layer."""

    def __init__(self, result: Forward) -> None:
        self.layers = len(result.network.layers)
        self.symbols: dict[Symbol, str] = {}
        for symbol, (kind, layer, row, col) in result.symbols.items():
            name = self.unit(kind, layer, col) if kind != "w" else f"w{layer_sup(layer)}{indices(row, col)}"
            self.symbols[symbol] = name

    def unit(self, kind: str, layer: int, j: int | str) -> str:
        """x_i, z^{(l)}_j, h_j (one hidden layer) or h^{(l)}_j, y_k, b^{(l)}_j."""
        index = indices(j) if isinstance(j, int) else f"_{j}"
        if kind in ("x", "y") or (kind == "h" and self.layers == 2):
            return f"{kind}{index}"
        return f"{kind}{layer_sup(layer)}{index}"

    def matrix(self, kind: str, layer: int) -> str:
        """X, W^{(1)}, B^{(1)}, Z^{(1)}, H^{(1)}, Y; the input of layer 1 is X."""
        if kind == "H" and layer == 0:
            return "X"
        if kind == "H" and layer == self.layers:
            return "Y"
        return f"{kind}{layer_sup(layer)}"


def activation_name(act: Any) -> str:
    """sigmoid ($\\sigma$); $\\operatorname{ReLU}$ alone where the symbol already says the name."""
    plain = act.name.replace("_", "").lower()
    if plain in act.tex.replace("_", "").lower():
        return f"${act.tex}$"
    return f"{act.name.replace('_', ' ')} (${act.tex}$)"


def aligned(lines: Iterable[str]) -> str:
    return r"\begin{aligned} " + " \\\\\n".join(lines) + r" \end{aligned}"


# --------------------------------------------------------------------------- the formats


class ByRole:
    """A format that writes the blocks carrying a value (``Block.value``) by their role: its method ``_ROLE``
    gets the value.  A block without a value, or of a role the format does not write, adds nothing."""

    def write(self, block: Block) -> Any:
        method = getattr(self, "_" + block.role, None) if block.role.isidentifier() else None
        return None if method is None or block.value is None else method(block.value)

    def lines(self, items: Iterable[Block]) -> str:
        """The text of every block (each method returns its lines), one per line."""
        return "\n".join(line for block in items for line in self.write(block) or ())

    def entries(self, items: Iterable[Block]) -> dict[str, Any]:
        """JSON-ready: every block's method adds its entries to ``self.out``."""
        self.out: dict[str, Any] = {}
        for block in items:
            self.write(block)
        return self.out


# each kind of block as it is written in LaTeX (math by the templates' \symdlshow) and in Markdown
_LATEX: dict[str, Callable[[Block], str]] = {
    "heading": lambda block: rf"\{'section' if block.level == 1 else 'subsection'}*{{{block.text}}}",
    "math": lambda block: rf"\symdlshow{{{block.text}}}",
    "text": lambda block: rf"\noindent {block.text}" + "\n",
}
_MARKDOWN: dict[str, Callable[[Block], str]] = {
    "heading": lambda block: f"{'#' * block.level} {block.text}",
    "math": lambda block: f"$$\n{block.text}\n$$",
    "text": lambda block: block.text,
}


def as_latex(items: Iterable[Block]) -> str:
    """Blocks as a LaTeX body: starred (sub)sections, display math, paragraphs."""
    return "\n".join(_LATEX[block.kind](block) for block in items) + "\n"


def as_markdown(items: Iterable[Block]) -> str:
    """Blocks as Markdown: ``#`` headings, ``$$`` math, paragraphs."""
    return "\n\n".join(_MARKDOWN[block.kind](block) for block in items) + "\n"


def as_document(items: Iterable[Block], title: str, lang: str) -> str:
    """Blocks as a compilable article (the templates' standalone document)."""
    return templates.filled(templates.STANDALONE, title, as_latex(items), lang)
