"""One weight by the chain rule on the backward board: ``∂L/∂w^{(L)}_{11} = δ^{(L)}_1 h_1`` for the last layer, and
for the layer before it the sum over every path from the weight to the loss, with the numbers (one example)."""

from __future__ import annotations

from collections.abc import Sequence

from sympy import Expr, S

from symdl.network.backward import Gradient
from symdl.render.blocks import Block, aligned
from symdl.render.numbers import SHORT, approx, as_factor, to_float
from symdl.render.sheet import Sheet


def one_weight(sheet: Sheet) -> list[Block]:
    """∂L/∂w^{(L)}_{11} = δ^{(L)}_1 h_1 and ∂L/∂w^{(L-1)}_{11} along every path, for one example."""
    r, names = sheet.result, sheet.names
    net = r.network
    if net.inputs.rows != 1 or any(layer.activation.is_vector for layer in net.layers[:-1]):
        return []
    last = sheet.layers
    unit_in = names.unit("x" if last == 1 else "h", last - 1, 1)
    w = rf"w^{{({last})}}_{{11}}"
    z1 = names.unit("z", last, 1)
    numbers = multiplied(sheet, [[r.deltas[-1].exact[0, 0], r.forward.layer_input(last)[0, 0]]])
    lines = [
        rf"\frac{{\partial L}}{{\partial {w}}} &= \frac{{\partial L}}{{\partial {z1}}}"
        rf" \frac{{\partial {z1}}}{{\partial {w}}} = \delta^{{({last})}}_1 {unit_in}"
        f" {numbers} {scalar(sheet, r[f'W{last}'], 0, 0)}"
    ]
    if last >= 2:
        lines += path_lines(sheet, last - 1)
    return [
        Block("heading", sheet.said["backward.one_weight"], 2),
        Block("text", sheet.said["backward.one_weight_text"]),
        Block("math", aligned(lines)),
    ]


def path_lines(sheet: Sheet, number: int) -> list[str]:
    """∂L/∂w^{(l)}_{11} = (Σ_k δ^{(l+1)}_k w^{(l+1)}_{1k}) f'(z^{(l)}_1) h^{(l-1)}_1, with the numbers."""
    r, names = sheet.result, sheet.names
    net = r.network
    layer = net.layers[number - 1]
    d_next, w_next = r.deltas[number].exact, net.layers[number].weights
    unit_in = names.unit("x" if number == 1 else "h", number - 1, 1)
    z1 = names.unit("z", number, 1)
    w = rf"w^{{({number})}}_{{11}}"
    units = net.layers[number].units
    d, v = rf"\delta^{{({number + 1})}}", rf"w^{{({number + 1})}}"
    symbolic = " + ".join(rf"{d}_{k} {v}_{{1{k}}}" for k in range(1, units + 1))
    f = "f'" if layer.is_identity else f"{layer.activation.tex}'"
    slope = S.One if layer.is_identity else r.deltas[number - 1].slope[0, 0]
    paths = [[d_next[0, k], w_next[0, k]] for k in range(units)]
    numbers = multiplied(sheet, paths, [slope, r.forward.layer_input(number)[0, 0]])
    return [
        rf"\frac{{\partial L}}{{\partial {w}}} &= \Bigl(\sum_k {d}_k {v}_{{1k}}\Bigr) {f}({z1}) \, {unit_in}"
        rf" = ({symbolic}) \, {f}({z1}) \, {unit_in}",
        f"&{numbers} {scalar(sheet, r[f'W{number}'], 0, 0)}",
    ]


def multiplied(sheet: Sheet, products: list[list[Expr]], after: Sequence[Expr] = ()) -> str:
    """``= 1 · 4`` or ``= (1 · 1 + 1 · 0.5) · 1 · 1``: a sum of products times more
    factors, each value exact if short, else to 4 places (and then the relation is ``\approx``)."""
    approximate = False

    def factor(value: Expr) -> str:
        nonlocal approximate
        text = sheet.tex(value)
        if len(text) > SHORT:
            approximate, text = True, approx(to_float(value))
        return as_factor(value, text)

    total = " + ".join(r" \cdot ".join(factor(v) for v in product) for product in products)
    if after:
        total = r" \cdot ".join([f"({total})" if len(products) > 1 else total, *(factor(v) for v in after)])
    return rf"\approx {total}" if approximate else f"= {total}"


def scalar(sheet: Sheet, gradient: Gradient, row: int, col: int) -> str:
    value = gradient.exact[row, col]
    if value.is_Rational:
        return f"= {sheet.tex(value)}"
    return rf"\approx {approx(float(gradient.value[row, col]))}"
