"""The loss and the output layer's δ on the backward board: the loss and its value, then the engine's derivation
of ``δ = ∂ℓ/∂z`` step by step (how cross-entropy through softmax becomes ``y − t``), then each δ with the values
put in, for one example."""

from __future__ import annotations

from typing import Any

from sympy import Add, Expr, KroneckerDelta, Piecewise, S, Symbol

from symdl.catalog import Activation, j, k, n
from symdl.engine.calculus import ys
from symdl.network.losses import gradient, parts, zs
from symdl.network.losses import t as targets
from symdl.render.blocks import Block, activation_name, aligned
from symdl.render.numbers import SHORT, approx, to_float
from symdl.render.printer import LecturePrinter, bracket
from symdl.render.sheet import BackwardPrinter, Sheet


class Filled:
    """A formula with values put in, each printed where it stands (exact if short, else to 4 places):
    ``(y_1 - t_1)^2`` becomes ``(2 - 1)^2``.  Each value is a placeholder symbol printed as its text."""

    def __init__(self, sheet: Sheet) -> None:
        self.sheet = sheet
        self.names: dict[Symbol, str] = {}
        self.approximate = False

    def __call__(self, values: dict[Any, Expr], expr: Expr) -> Expr:
        fill = {}
        for what, value in values.items():
            text = self.sheet.tex(S(value))
            if len(text) > SHORT:
                self.approximate, text = True, approx(to_float(S(value)))
            placeholder = Symbol(f"{getattr(what, 'base', what)}_{len(self.names)}")
            self.names[placeholder] = f"({text})" if text.startswith("-") else text
            fill[what] = placeholder
        return expr.xreplace(fill)

    def printer(self) -> BackwardPrinter:
        return BackwardPrinter(names=self.names, decimals=sorted(self.sheet.printer.decimals))


def loss(sheet: Sheet) -> list[Block]:
    """The loss of one example as declared, the target, and L with the values put in and worked out."""
    r, said = sheet.result, sheet.said
    declared = r.loss
    factor, summand = parts(declared)
    outputs = r.network.layers[-1].units
    front = sheet.tex(factor)
    front = "-" if front == "-1" else ("" if front == "1" else front)
    term = sheet.tex(summand)
    definition = rf"\ell = {declared.tex}(y, t) = {front} \sum_{{k=1}}^{{n}} {bracket(term) if '+' in term else term}"
    name = f"${declared.tex}$"
    out = [
        Block("heading", said["backward.loss"], 2),
        Block("text", said["backward.loss_text"].format(name=name, n=outputs)),
    ]
    out.append(Block("math", definition))
    out.append(Block("math", rf"T = {sheet.matrix(r.target)}"))
    if r.network.inputs.rows > 1:
        out.append(Block("text", said["backward.batch"].format(m=r.network.inputs.rows)))
    worked = " ".join(filter(None, ["L", written_loss(sheet), sheet.number(r.value, r.loss_value)]))
    out.append(Block("math", worked, role="loss", value=r))
    return out


def written_loss(sheet: Sheet) -> str:
    """``= \\frac{1}{2}((2 - 1)^2 + (1 - 0)^2)``: the loss with the values put in, not yet worked out
    (one example; values too long to print are written to 4 places, and then it says ``\\approx``)."""
    r = sheet.result
    outputs = r.forward.steps[-1].exact
    if r.network.inputs.rows > 1:
        return ""
    factor, summand = parts(r.loss)
    filled = Filled(sheet)
    terms = [filled({ys[k]: outputs[0, c], targets[k]: r.target[0, c]}, summand) for c in range(outputs.cols)]
    # (the printer is made after every value is in: it takes the names as they are then)
    written = filled.printer().doprint(Add(*terms, evaluate=False))
    front = LecturePrinter().doprint(factor.subs(n, outputs.cols))  # the mean's 1/n as a fraction
    front = "-" if front == "-1" else ("" if front == "1" else front)
    relation = r"\approx" if filled.approximate else "="
    return f"{relation} {front}{bracket(written) if front and len(terms) > 1 else written}"


def output(sheet: Sheet) -> list[Block]:
    """δ of the output layer: ∂ℓ/∂y, the engine's steps to δ_j, then each δ_j with the values."""
    r, said = sheet.result, sheet.said
    rule = r.output
    layer = sheet.layers
    act = rule.activation
    out = [
        Block("heading", said["backward.output"].format(layer=layer), 2),
        Block("text", said["backward.output_text"].format(activation=activation_name(act))),
    ]
    lines = [rf"\frac{{\partial \ell}}{{\partial y_j}} &= {sheet.tex(gradient(r.loss))}"]
    lines += delta_steps(sheet, act)
    out.append(Block("math", aligned(lines), role="output", value=rule))
    if any(step.expr.has(KroneckerDelta) for step in rule.steps):
        out.append(Block("text", said["backward.kronecker"]))
    m = r.network.inputs.rows
    if m > 1:
        out.append(Block("text", said["backward.output_batch"].format(layer=layer, m=m)))
    out.append(Block("text", said["backward.values"]))
    delta = r.deltas[-1]
    lines = delta_entries(sheet)
    lines.append(rf"\delta^{{({layer})}} &{sheet.value(delta.exact, delta.value)}")
    out.append(Block("math", aligned(lines)))
    return out


def delta_entries(sheet: Sheet) -> list[str]:
    """δ_j with the values put in, for one example: ``\\delta^{(2)}_1 = \\frac{2(2 - 1)}{2} = 1``."""
    r = sheet.result
    rule = r.output
    if r.network.inputs.rows != 1 or rule.uses_sum or rule.result.has(Piecewise):
        return []
    layer = r.network.layers[-1]
    outputs, logits = r.forward.steps[-1].exact, r.forward.steps[-2].exact
    result = rule.result.subs(dict(layer.values))
    lines = []
    for c in range(outputs.cols):
        filled = Filled(sheet)
        fill = {ys[j]: outputs[0, c], targets[j]: r.target[0, c], zs[j]: logits[0, c], n: outputs.cols}
        filled_in = filled(fill, result)
        text = filled.printer().doprint(filled_in)
        relation = r"\approx" if filled.approximate else "="
        value = sheet.number(r.deltas[-1].exact[0, c], float(r.deltas[-1].value[0, c]))
        lines.append(rf"\delta^{{({sheet.layers})}}_{c + 1} &{relation} {text} {value}")
    return lines


def delta_steps(sheet: Sheet, act: Activation) -> list[str]:
    """δ_j = ∂ℓ/∂z_j = the chain rule = ... = the result, each line as the engine derived it."""
    rule = sheet.result.output
    vector = act.is_vector
    if vector:
        chain = r"\sum_i \frac{\partial \ell}{\partial y_i} \frac{\partial y_i}{\partial z_j}"
    else:
        chain = r"\frac{\partial \ell}{\partial y_j} \, f'(z_j)"
    lines = [rf"\delta_j = \frac{{\partial \ell}}{{\partial z_j}} &= {chain}"]
    for step in rule.steps:
        text = chain_product(sheet, step.expr, vector) if step.rule == "chain" else sheet.tex(step.expr)
        if step.rule == "targets":
            text += rf" \quad \text{{({sheet.said['backward.targets_sum']})}}"
        lines.append(f"&= {text}")
    return lines


def chain_product(sheet: Sheet, expr: Expr, vector: bool) -> str:
    """The chain rule's product with each factor as derived: (∂ℓ/∂y_i) · ∂y_i/∂z_j."""
    product = expr.function if vector else expr
    shown = []
    for f in product.args:
        text = sheet.tex(f)
        shown.append(rf"\left({text}\right)" if isinstance(f, Add) or text.startswith("-") else text)
    text = r" \cdot ".join(shown)
    return rf"\sum_i {text}" if vector else text
