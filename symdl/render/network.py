"""The forward pass as a lecturer works it on the board, in LaTeX and Markdown.

Layer by layer: the matrices multiplied with their entries visible (``X W^{(1)} = [1\\ 2\\ 1] [...] =
[4\\ 3\\ -2]``), then ``+ B``, then the activation entry by entry, then each neuron on its own line
(``z^{(1)}_1 = 1 \\cdot 1 + 2 \\cdot 1 + 1 \\cdot 1 = 4``); then the general formula in symbols, layer by
layer in the previous layer's named outputs (and put together into one formula where that is short), and the
check that the three computations agree.  A deep network's exact values too long to write out
(``symdl.render.numbers.Writing``) are given by their value to 4 places.  Everything printed comes from
``symdl.network.forward.Forward``; the views only arrange it.  Terminating decimals print as decimals (the
lecture's 0.5), or as fractions with ``exact=True``.  The terminal report and JSON are ``symdl.render.forward_text``'s.
"""

from __future__ import annotations

from sympy import Add, Expr, ImmutableMatrix

from symdl.network.forward import Forward, GeneralLayer
from symdl.render import forward_text
from symdl.render import latex as activation_latex
from symdl.render.blocks import (
    BOARD,
    Block,
    Board,
    Names,
    activation_name,
    aligned,
    as_document,
    as_latex,
    as_markdown,
    layer_sup,
)
from symdl.render.latex import Tex
from symdl.render.notation import Style, notation
from symdl.render.numbers import (
    Pen,
    approx,
    as_factor,
    board_sentence,
    floats,
    forward_decimals,
    general_order,
    is_rational,
    to_float,
)
from symdl.render.printer import LecturePrinter, bracket
from symdl.render.words import words


class _Working:
    """Builds the blocks of one forward pass."""

    def __init__(self, result: Forward, board: Board) -> None:
        self.result = result
        self.board = board
        self.said = words(board.lang)
        self.names = Names(result)
        decimals = () if board.exact else forward_decimals(result)
        self.pen = Pen(LecturePrinter(names=self.names.symbols, decimals=decimals))

    def factor(self, value: Expr) -> str:
        """One factor of a product on the board: bracketed if negative or a sum."""
        return as_factor(value, self.pen.tex(value))

    # ------------------------------------------------------------------ the document

    def blocks(self) -> list[Block]:
        net = self.result.network
        said = self.said
        sizes = r" \to ".join(str(s) for s in net.sizes)
        out = [
            Block("heading", said["forward.heading"], 1, role="pass", value=self.result),
            Block("text", said["forward.convention"].format(sizes=f"${sizes}$")),
        ]
        if net.inputs.rows > 1:
            out.append(Block("text", said["forward.batch"].format(rows=net.inputs.rows)))
        out.append(Block("math", f"X = {self.pen.matrix(net.inputs)}", role="inputs", value=net.inputs))
        for number, layer in enumerate(net.layers, start=1):
            w, b = self.names.matrix("W", number), self.names.matrix("B", number)
            matrices = rf"{w} = {self.pen.matrix(layer.weights)}, \qquad {b} = {self.pen.matrix(layer.bias)}"
            out.append(Block("math", matrices, role="parameters", value=number))
        for number in range(1, len(net.layers) + 1):
            out += self.layer(number)
        out += self.general()
        out += [
            Block("heading", said["pass.check"], 2),
            Block("text", self.check(), role="check", value=self.result.agreement),
        ]
        return out

    def layer(self, number: int) -> list[Block]:
        net, said = self.result.network, self.said
        layer = net.layers[number - 1]
        last = number == len(net.layers)
        inputs = self.result.layer_input(number)
        heading = said["forward.output" if last else "forward.hidden"].format(number=number)
        out = [Block("heading", heading, 2)]
        if layer.is_identity:
            out.append(Block("text", said["forward.identity_output" if last else "forward.identity"]))
        else:
            act = layer.activation
            out.append(Block("text", said["forward.activation"].format(name=activation_name(act))))
            out += [Block("text", note) for note in self.notes(number)]
        out.append(Block("math", aligned(self.matrix_lines(number)), role="layer", value=number))
        out.append(Block("text", said["forward.neurons"]))
        for r in range(inputs.rows):
            if inputs.rows > 1:
                out.append(Block("text", said["forward.example"].format(row=r + 1)))
            out.append(Block("math", aligned(self.neurons(number, r))))
        return out

    def matrix_lines(self, number: int) -> list[str]:
        """H W = [..][..] = [..], Z = H W + B = [..] + [..] = [..], H = f(Z) = [..]: the layer as matrices."""
        result, names = self.result, self.names
        layer = result.network.layers[number - 1]
        z_step, h_step = result.steps[2 * number - 2], result.steps[2 * number - 1]
        inputs, product = result.layer_input(number), result.product(number)
        h_in, w, b = names.matrix("H", number - 1), names.matrix("W", number), names.matrix("B", number)
        z, h = names.matrix("Z", number), names.matrix("H", number)
        if not all(self.pen.writable(e) for m in (inputs, z_step.exact, h_step.exact) for e in m):
            return self.approximate_lines(number)
        if is_rational(inputs) and is_rational(product):  # short entries: one line each
            lines = [
                rf"{h_in} {w} &= {self.pen.matrix(inputs)} {self.pen.matrix(layer.weights)}"
                rf" = {self.pen.matrix(product, inputs)}",
                rf"{z} &= {h_in} {w} + {b} = {self.pen.matrix(product, inputs)} + {self.pen.matrix(layer.bias)}"
                rf" = {self.pen.matrix(z_step.exact, inputs)}",
            ]
        else:  # long entries (σ(4) - σ(3) + 1): each result on its own line
            lines = [
                rf"{h_in} {w} &= {self.pen.matrix(inputs)} {self.pen.matrix(layer.weights)}",
                rf"&= {self.pen.matrix(product, inputs)}",
                rf"{z} &= {h_in} {w} + {b} = {self.pen.matrix(product, inputs)} + {self.pen.matrix(layer.bias)}",
                rf"&= {self.pen.matrix(z_step.exact, inputs)}",
            ]
        if not is_rational(z_step.exact):
            lines.append(rf"&\approx {self.pen.approx(floats(z_step.exact))}")
        lines.append(self.activation_line(number, h, z, z_step.exact, h_step.exact, inputs))
        if not is_rational(h_step.exact) and not layer.is_identity:
            lines.append(rf"&\approx {self.pen.approx(floats(h_step.exact))}")
        return lines

    def approximate_lines(self, number: int) -> list[str]:
        """Z = H W + B ≈ [..], H = f(Z) ≈ [..]: a layer whose exact values are too long to write out."""
        result, names = self.result, self.names
        layer = result.network.layers[number - 1]
        z_step, h_step = result.steps[2 * number - 2], result.steps[2 * number - 1]
        h_in, w, b = names.matrix("H", number - 1), names.matrix("W", number), names.matrix("B", number)
        z, h = names.matrix("Z", number), names.matrix("H", number)
        self.pen.long = True
        lines = [rf"{z} &= {h_in} {w} + {b} \approx {self.pen.approx(floats(z_step.exact))}"]
        f = z if layer.is_identity else f"{layer.activation.tex}({z})"
        lines.append(rf"{h} &= {f} \approx {self.pen.approx(floats(h_step.exact))}")
        return lines

    def activation_line(
        self, number: int, h: str, z: str, z_exact: ImmutableMatrix, h_exact: ImmutableMatrix, inputs: ImmutableMatrix
    ) -> str:
        """H = f(Z) = [f(4) f(3) f(-2)] = [...]; for the identity H = Z = [...]."""
        layer = self.result.network.layers[number - 1]
        act = layer.activation
        if layer.is_identity:
            return rf"{h} &= {z} = {self.pen.matrix(h_exact, inputs)}"
        if act.is_vector:  # its exact entries are long: they are written neuron by neuron
            return rf"{h} &= {act.tex}({z})"
        named = r" \\ ".join(
            " & ".join(f"{act.tex}{bracket(self.pen.tex(z_exact[r, c]))}" for c in range(z_exact.cols))
            for r in range(z_exact.rows)
        )
        line = rf"{h} &= {act.tex}({z}) = \begin{{bmatrix}} {named} \end{{bmatrix}}"
        if is_rational(h_exact):
            line += f" = {self.pen.matrix(h_exact)}"
        return line

    def neurons(self, number: int, row: int) -> list[str]:
        """z_j = h_1 w_1j + ... + b_j = value, then h_j = f(z_j) = its definition there = value."""
        result, names = self.result, self.names
        net = result.network
        layer = net.layers[number - 1]
        last = number == len(net.layers)
        inputs = list(result.layer_input(number).row(row))
        z_exact, h_exact = result.steps[2 * number - 2].exact, result.steps[2 * number - 1].exact
        lines = []
        if all(self.pen.writable(v) for v in inputs):
            shown = [self.factor(v) for v in inputs]
        else:  # values too long to write out: the previous layer's outputs by name
            shown = [names.unit("h", number - 1, i + 1) for i in range(len(inputs))]
        for j in range(layer.units):
            terms = [rf"{v} \cdot {self.factor(layer.weights[i, j])}" for i, v in enumerate(shown)]
            bias = layer.bias[0, j]
            if bias != 0:
                text = self.pen.tex(bias)
                terms.append(f"- {text[1:]}" if text.startswith("-") else f"+ {text}")
            written = " + ".join(t for t in terms if not t.startswith(("+ ", "- ")))
            written += "".join(f" {t}" for t in terms if t.startswith(("+ ", "- ")))
            if self.pen.writable(z_exact[row, j]):
                line = rf"{names.unit('z', number, j + 1)} &= {written} = {self.pen.tex(z_exact[row, j], inputs)}"
            else:
                line = rf"{names.unit('z', number, j + 1)} &= {written}"
            if not z_exact[row, j].is_Rational:
                line += rf" \approx {approx(to_float(z_exact[row, j]))}"
            lines.append(line.replace("+ -", "- "))
        if layer.is_identity:
            return lines
        kind = "y" if last else "h"
        act = layer.activation
        for j in range(layer.units):
            value = h_exact[row, j]
            unit = names.unit(kind, number, j + 1)
            if not self.pen.writable(value) or not self.pen.writable(z_exact[row, j]):
                self.pen.long = True
                z_unit = names.unit("z", number, j + 1)
                line = (
                    rf"{unit} &= {act.tex}({names.matrix('Z', number)})_{{{j + 1}}}"
                    if act.is_vector
                    else (rf"{unit} &= {act.tex}({z_unit})")
                )
            elif act.is_vector:
                line = rf"{unit} &= {act.tex}({names.matrix('Z', number)})_{{{j + 1}}} = {self.pen.tex(value)}"
            else:
                z_value = z_exact[row, j]
                line = rf"{unit} &= {act.tex}{bracket(self.pen.tex(z_value))}"
                definition = self.definition_at(number, z_value)
                if definition is not None:
                    line += f" = {definition}"
                if value.is_Rational:
                    line += f" = {self.pen.tex(value)}"
            if not value.is_Rational:
                line += rf" \approx {approx(to_float(value))}"
            lines.append(line)
        return lines

    def definition_at(self, number: int, z_value: Expr) -> str | None:
        """The definition at one value, parameters written as the catalogue's notation does (λα(e^{-2} - 1))."""
        from symdl.catalog import x

        layer = self.result.network.layers[number - 1]
        w = notation(layer.activation, Style(), dict(layer.values))
        value = layer.activation.definition.subs(w.substitution).subs(x, z_value)
        if value.is_Rational:
            return None
        printer = w.printer()
        printer.decimals = frozenset(self.pen.printer.decimals)
        return printer.doprint(value)

    def notes(self, number: int) -> list[str]:
        """The parameter values used, and where the lecture's own formula differs (as the activation slides say)."""
        layer = self.result.network.layers[number - 1]
        act = layer.activation
        if not act.parameters:
            return []
        w = notation(act, Style(lang=self.board.lang), dict(layer.values))
        values = ", ".join(f"{w(s)} = {activation_latex.number(v)}" for s, v in layer.values)
        out = [self.said["forward.parameters"].format(values=f"${values}$")]
        return out + activation_latex.lecture_notes(act, w)[0]

    # ------------------------------------------------------------------ the general formula and the check

    def general(self) -> list[Block]:
        result, names, said = self.result, self.names, self.said
        kinds = result.symbols
        lines = []
        for number, (g, layer) in enumerate(zip(result.general, result.network.layers, strict=True), start=1):
            last = number == len(result.general)
            kind = "y" if last else "h"
            for j in range(layer.units):
                lhs = names.unit(kind if layer.is_identity else "z", number, j + 1)
                lines.append(f"{lhs} &= {self.pen.tex(general_order(g.pre_activation[0, j], kinds))}")
            if not layer.is_identity:
                lines.append(self.general_activation(number, g, kind))
        out = [
            Block("heading", said["forward.general"], 2),
            Block("text", said["forward.general_text"]),
            Block("math", aligned(lines), role="general", value=result.general),
        ]
        together = result.together()  # None where one formula would be too long (a deep network)
        if together is not None and not any(layer.activation.is_vector for layer in result.network.layers[:-1]):
            out.append(Block("text", said["forward.together"]))
            last = len(result.general)
            kind = "y" if result.network.layers[-1].is_identity else "z"
            z = together
            for k in range(z.cols):
                terms = [self.pen.tex(t) for t in Add.make_args(general_order(z[0, k], kinds))]
                lines = [f"{names.unit(kind, last, k + 1)} &= {terms[0]}"]
                lines += [rf"&\quad - {t[1:]}" if t.startswith("-") else rf"&\quad + {t}" for t in terms[1:]]
                out.append(Block("math", aligned(lines)))
        return out

    def general_activation(self, number: int, g: GeneralLayer, kind: str) -> str:
        act = self.result.network.layers[number - 1].activation
        units = ", ".join(str(j) for j in range(1, g.z.cols + 1))
        lhs = self.names.unit(kind, number, "j")
        z = self.names.unit("z", number, "j")
        rhs = f"{act.tex}(z{layer_sup(number)})_j" if act.is_vector else f"{act.tex}({z})"
        return rf"{lhs} &= {rhs}, \quad j = {units}"

    def check(self) -> str:
        a, said = self.result.agreement, self.said
        if a.non_finite:  # never "the same numbers": where float64 overflowed, and the exact value there
            numeric = board_sentence(a.non_finite)
        elif a.largest_ulps == 0:
            numeric = said["forward.ulps_same"]
        elif a.largest_ulps <= a.tolerance_ulps:
            numeric = said["forward.ulps"].format(ulps=f"{a.largest_ulps:.2g}", tolerance=a.tolerance_ulps)
        else:
            numeric = said["forward.ulps_bad"].format(ulps=f"{a.largest_ulps:.3g}", where=a.worst)
        return f"{numeric} {said['forward.' + a.general]}"


def blocks(result: Forward, board: Board = BOARD) -> list[Block]:
    """The working as blocks (heading, math, text), for any format."""
    return _Working(result, board).blocks()


def report(result: Forward, board: Board = BOARD) -> str:
    """The terminal report (``symdl.render.forward_text``, over the same blocks)."""
    return forward_text.terminal(blocks(result, board), board)


def data(result: Forward, board: Board = BOARD) -> dict:
    """JSON-ready (``symdl.render.forward_text``, over the same blocks)."""
    return forward_text.data(blocks(result, board), board)


def body(result: Forward, board: Board = BOARD) -> str:
    """The LaTeX body (for ``\\input``; needs amsmath and the ``\\symdlshow`` macro of the templates)."""
    return as_latex(blocks(result, board))


def document(result: Forward, board: Board = BOARD) -> str:
    """A compilable article: the forward pass worked as on the board."""
    return as_document(blocks(result, board), words(board.lang)["forward.title"], board.lang)


def markdown(result: Forward, board: Board = BOARD) -> str:
    """Markdown with ``$$`` blocks, headings as in the lecture's notes."""
    return as_markdown(blocks(result, board))


def worked(result: Forward, board: Board = BOARD) -> Tex:
    """The matrix working of every layer as one ``aligned`` block (Jupyter shows it as a formula)."""
    w = _Working(result, board)
    return Tex(aligned(line for number in range(1, len(result.network.layers) + 1) for line in w.matrix_lines(number)))


__all__ = ["blocks", "body", "data", "document", "markdown", "report", "worked"]
