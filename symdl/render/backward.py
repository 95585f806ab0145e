"""The whole flow worked as on the board: forward → loss → backward → update, in LaTeX and Markdown.

What a lecturer writes: the loss and its value; the engine's derivation of the output layer's δ
(``symdl.render.delta``); then layer by layer ``∂L/∂W = H_prevᵀ δ``, ``∂L/∂B = 1ᵀ δ`` and
``δ_prev = (δ Wᵀ) ⊙ f'(Z_prev)`` (``symdl.render.gradients``); one weight by the chain rule along its paths
(``symdl.render.paths``); the update and the loss before and after; the check of the three computations.
Everything printed comes from ``symdl.network.backward.Backward``; the views only arrange it.  Exact entries
are printed where they are short (and followed by their value to 4 places where not rational), else only the
value.  The terminal report and JSON are ``symdl.render.backward_text``'s.
"""

from __future__ import annotations

import numpy as np

from symdl.network.backward import Backward
from symdl.render import backward_text
from symdl.render.blocks import BOARD, Block, Board, activation_name, aligned, as_document, as_latex, as_markdown
from symdl.render.delta import delta_steps, loss, output
from symdl.render.gradients import layer_by_layer
from symdl.render.latex import Tex
from symdl.render.numbers import approx, board_sentence, error, floats
from symdl.render.paths import one_weight
from symdl.render.sheet import Sheet
from symdl.render.words import words


def _blocks(sheet: Sheet) -> list[Block]:
    """Every section in the order of the flow, and a note if some exact value was too long to print."""
    out = flow(sheet) + forward(sheet) + loss(sheet) + output(sheet) + layer_by_layer(sheet)
    out += one_weight(sheet) + update(sheet) + check(sheet)
    if sheet.long:
        out.append(Block("text", sheet.said["backward.exact_long"]))
    return out


def flow(sheet: Sheet) -> list[Block]:
    """The heading and the conventions: row vectors, the sizes, each layer's activation."""
    net = sheet.result.network
    sizes = "$" + r" \to ".join(str(s) for s in net.sizes) + "$"
    activations = "; ".join(
        f"{sheet.said['backward.output_layer' if number == len(net.layers) else 'backward.hidden_layer']} "
        f"{activation_name(layer.activation)}"
        for number, layer in enumerate(net.layers, start=1)
    )
    text = sheet.said["backward.flow_text"].format(sizes=sizes, activations=activations)
    return [Block("heading", sheet.said["backward.flow"], 1, role="pass", value=sheet.result), Block("text", text)]


def forward(sheet: Sheet) -> list[Block]:
    """X and every intermediate of the forward pass, exact where short and to 4 places."""
    r, names = sheet.result, sheet.names
    lines = [rf"X &= {sheet.matrix(r.network.inputs)}"]
    for step in r.forward.steps:
        name = step.name
        kind, number = ("H", sheet.layers) if name == "Y" else (name[0], int(name[1:]))
        values = np.array([[float(v) for v in row] for row in step.digits(20).tolist()])
        lines.append(rf"{names.matrix(kind, number)} &{sheet.value(step.exact, values)}")
    outputs = Block("math", aligned(lines), role="outputs", value=r.forward.steps[-1])
    return [Block("heading", sheet.said["backward.forward"], 2), outputs]


def update(sheet: Sheet) -> list[Block]:
    """One step of gradient descent on every W and B, and the loss before and after it."""
    r, said = sheet.result, sheet.said
    u = r.update
    eta = sheet.tex(u.learning_rate)
    out = [Block("heading", said["backward.update"], 2), Block("text", said["backward.update_text"].format(eta=eta))]
    lines = []
    for number, (w_new, b_new) in enumerate(u.weights, start=1):
        layer = r.network.layers[number - 1]
        for kind, old, new in (("W", layer.weights, w_new), ("B", layer.bias, b_new)):
            g = r[f"{kind}{number}"]
            lhs = rf"{kind}^{{({number})}}"
            line = rf"{lhs} &\leftarrow {lhs} - \eta \frac{{\partial L}}{{\partial {lhs}}}"
            if sheet.short(g.exact):
                line += rf" = {sheet.matrix(old)} - {eta} {sheet.matrix(g.exact)}"
            line += f" {sheet.value(new, floats(new))}"
            lines.append(line)
    out.append(Block("math", aligned(lines), role="update", value=u))
    before = sheet.number(u.loss_before, u.before)
    after = rf"\approx {approx(u.after)}"
    if u.loss_after.is_Rational:
        after = f"= {sheet.tex(u.loss_after)} {after}"
    out.append(Block("math", rf"L_{{\text{{before}}}} {before}, \qquad L_{{\text{{after}}}} {after}"))
    first = approx(u.first_order)
    if u.decreased:
        out.append(
            Block("text", said["backward.went_down"].format(drop=f"${approx(u.before - u.after)}$", first=first))
        )
    else:
        out.append(Block("text", said["backward.went_up"].format(rise=f"${approx(u.after - u.before)}$", first=first)))
        if u.smaller_rate is not None:
            out.append(Block("text", said["backward.smaller"].format(eta=sheet.tex(u.smaller_rate))))
    return out


def check(sheet: Sheet) -> list[Block]:
    """Chain rule against direct differentiation, float64 against exact, finite differences against both."""
    c, said = sheet.result.checks, sheet.said
    text = [said["backward.chain"].format(how=said["backward." + c.direct])]
    if c.non_finite:  # no difference to report where float64 overflowed: where it did, instead
        text.append(board_sentence(c.non_finite))
    else:
        text.append(said["backward.numeric"].format(error=f"${error(c.numeric_error)}$"))
    if c.finite_difference_error is None:
        text.append(said["backward.fd_skipped"].format(note=c.note))
    else:
        text.append(said["backward.fd"].format(error=f"${error(c.finite_difference_error)}$"))
    return [Block("heading", said["pass.check"], 2), Block("text", " ".join(text), role="check", value=c)]


# --------------------------------------------------------------------------- the formats


def blocks(result: Backward, board: Board = BOARD) -> list[Block]:
    """The working as blocks (heading, math, text), for any format."""
    return _blocks(Sheet(result, board))


def report(result: Backward, board: Board = BOARD) -> str:
    """The terminal report (``symdl.render.backward_text``, over the same blocks)."""
    return backward_text.terminal(blocks(result, board), board)


def data(result: Backward, board: Board = BOARD) -> dict:
    """JSON-ready (``symdl.render.backward_text``, over the same blocks)."""
    return backward_text.data(blocks(result, board), board)


def body(result: Backward, board: Board = BOARD) -> str:
    """The LaTeX body (for ``\\input``; needs amsmath, amssymb and the ``\\symdlshow`` macro of the templates)."""
    return as_latex(blocks(result, board))


def document(result: Backward, board: Board = BOARD) -> str:
    """A compilable article: the whole flow worked as on the board."""
    return as_document(blocks(result, board), words(board.lang)["backward.title"], board.lang)


def markdown(result: Backward, board: Board = BOARD) -> str:
    """Markdown with ``$$`` blocks."""
    return as_markdown(blocks(result, board))


def worked(result: Backward, board: Board = BOARD) -> Tex:
    """The output layer's δ and the layer-by-layer gradients as one ``aligned`` block (Jupyter shows it)."""
    sheet = Sheet(result, board)
    lines = delta_steps(sheet, result.output.activation)
    for block in layer_by_layer(sheet):
        if block.kind == "math":
            inner = block.text.removeprefix(r"\begin{aligned} ").removesuffix(r" \end{aligned}")
            lines.append(inner)
    return Tex(aligned(lines))


__all__ = ["blocks", "body", "data", "document", "markdown", "report", "worked"]
