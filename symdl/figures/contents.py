"""What the network pictures say: one example's forward pass, layer by layer, as the text they write.

Every value is written as symdl's views write it (``symdl.render.numbers``): a short exact rational as is
(0.5 as the lecture writes it, 1/3; fractions with ``exact``), anything else to 4 places (σ(4) is 0.9820).
Each text has two spellings, for matplotlib (Unicode: "−2", "ℝ³") and for LaTeX ("$-2$", "$\\mathbb{R}^{3}$").
The words are ``symdl.render.words``' ("Input Layer", "입력층").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
from sympy import Expr, ImmutableMatrix

from symdl.errors import BadNetwork, BadParameter
from symdl.figures.tikz import escape
from symdl.network.exact import floats
from symdl.network.forward import Forward
from symdl.network.spec import Layer, Network
from symdl.render.numbers import Plain, approx
from symdl.render.words import words

MAX_NEURONS = 8  # per layer, the inputs too: more and the weights' values no longer fit on a slide
SHORT = 6  # characters: an exact rational longer than this is written to 4 places
_SUPERSCRIPT = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")


@dataclass(frozen=True)
class Shown:
    """A text as the picture writes it, for matplotlib and for LaTeX; a number's value too (else 0)."""

    text: str
    tex: str
    value: float = 0.0


@dataclass(frozen=True)
class Column:
    """One layer of the picture, the inputs being layer 0: its label, its values and, past the inputs, the
    weighted sums, the biases and the weights into it (a row per neuron of the layer before)."""

    number: int
    name: str  # "X", "H1", "Y"
    label: Shown  # "Input Layer ∈ ℝ³"
    values: tuple[Shown, ...]
    sums: tuple[Shown, ...] = ()  # Z
    biases: tuple[Shown, ...] = ()
    weights: tuple[tuple[Shown, ...], ...] = ()
    formulas: tuple[Shown, ...] = ()  # "Σ: Z1 = X W1 + B1", "f: H1 = identity(Z1)"


@dataclass(frozen=True)
class Contents:
    """Everything the three pictures show of one example's forward pass, in the words of LANG."""

    columns: tuple[Column, ...]
    lang: str
    note: Shown | None  # which example, where X has several rows

    def word(self, key: str, **values: object) -> Shown:
        """The picture's word KEY ("diagram.width", ...) in its language."""
        return plain(words(self.lang)[f"diagram.{key}"].format(**values))


def plain(text: str) -> Shown:
    """Words, the same in the figure and (escaped) in LaTeX."""
    return Shown(text, escape(text))


def shown(value: Expr, number: float, exact: bool = False) -> Shown:
    """VALUE as symdl writes it (see the module docstring); NUMBER is its float64 value."""
    if value.is_Rational:
        text = Plain(exact).doprint(value)
        if len(text) <= SHORT:
            return Shown(text.replace("-", "−"), f"${text}$", number)
    tex = approx(number)
    return Shown(_unicode(tex), f"${tex}$", number)


def _unicode(tex: str) -> str:
    """``approx``'s LaTeX as plain text: ``1.235 \\times 10^{-7}`` is ``1.235×10⁻⁷``, ``-\\infty`` is ``−∞``."""
    text = re.sub(r" \\times 10\^\{(-?\d+)\}", lambda m: "×10" + m.group(1).translate(_SUPERSCRIPT), tex)
    return text.replace(r"\infty", "∞").replace(r"\text{NaN}", "NaN").replace("-", "−")


def drawable(net: Network) -> None:
    """One ``BadNetwork`` line for a layer of more than ``MAX_NEURONS`` neurons (the inputs count as one)."""
    for number, units in enumerate(net.sizes):
        if units > MAX_NEURONS:
            which = f"X has {units} inputs" if number == 0 else f"layer {number} has {units} neurons"
            shape = "-".join(str(n) for n in net.sizes)
            raise BadNetwork(
                f"{net.where()}{which}: symdl diagram draws layers of at most {MAX_NEURONS} "
                f"(this network is {shape}; the lecture's is 3-3-2); draw a smaller network"
            )


def content(result: Forward, lang: str = "en", exact: bool = False, example: int = 1) -> Contents:
    """What the pictures of RESULT show for EXAMPLE (a row of X, from 1)."""
    net = result.network
    drawable(net)
    rows, said, last = net.inputs.rows, words(lang), len(net.layers)
    if not 1 <= example <= rows:
        raise BadParameter(f"example {example}: X has {rows} row(s); choose 1 to {rows}")
    r = example - 1

    def row(m: ImmutableMatrix, numeric: np.ndarray | None = None, k: int = r) -> tuple[Shown, ...]:
        """Row K of M (its float64 values NUMERIC, else M's own) as the picture writes it."""
        values = floats(m) if numeric is None else numeric
        return tuple(shown(m[k, c], float(values[k, c]), exact) for c in range(m.cols))

    def label(word: str, units: int) -> Shown:
        space = "ℝ" + str(units).translate(_SUPERSCRIPT)
        return Shown(f"{word} ∈ {space}", rf"{escape(word)} $\in \mathbb{{R}}^{{{units}}}$")

    columns = [Column(0, "X", label(said["diagram.input"], net.inputs.cols), row(net.inputs))]
    previous = "X"
    for number, layer in enumerate(net.layers, start=1):
        z, h = result.steps[2 * number - 2], result.steps[2 * number - 1]
        if number == last:
            word = said["diagram.output"]
        else:
            word = said["diagram.hidden"] if last == 2 else said["diagram.hidden_number"].format(number=number)
        w = layer.weights
        weights = tuple(row(w, k=i) for i in range(w.rows))
        act, given = layer.activation.name, _parameters(layer)
        formulas = (
            Shown(
                f"Σ: {z.name} = {previous} W{number} + B{number}",
                rf"$\Sigma$: ${z.name} = {previous}\,W{number} + B{number}$",
            ),
            Shown(
                f"f: {h.name} = {act}({z.name}){given}",
                rf"$f$: ${h.name} = $ {escape(act)}$({z.name})${escape(given)}",
            ),
        )
        columns.append(
            Column(
                number,
                h.name,
                label(word, layer.units),
                row(h.exact, h.numeric),
                row(z.exact, z.numeric),
                row(layer.bias, k=0),
                weights,
                formulas,
            )
        )
        previous = h.name
    note = plain(said["diagram.example"].format(row=example, rows=rows)) if rows > 1 else None
    return Contents(tuple(columns), lang, note)


def _parameters(layer: Layer) -> str:
    """An activation's parameter values as they follow its formula: ``, alpha = 0.2``; none: ``""``."""
    return "".join(f", {symbol} = {Plain(False).doprint(value)}" for symbol, value in layer.values)


__all__ = ["MAX_NEURONS", "Column", "Contents", "Shown", "content", "drawable", "plain", "shown"]
