"""The backward pass layer by layer on the board: from the output back, ``∂L/∂W = H_prevᵀ δ`` and
``∂L/∂B = 1ᵀ δ`` with every factor's shape under it and the values multiplied out, and
``δ_prev = (δ Wᵀ) ⊙ f'(Z_prev)`` with the derivative in terms of the activation's own output where it has one
(``σ' = H ⊙ (1 − H)``), at ``Z`` where it has not, and through the Jacobian for a vector function."""

from __future__ import annotations

from typing import Any

import numpy as np
from sympy import Add, Expr, ImmutableMatrix, Mul, Symbol

from symdl.engine.calculus import derive, y
from symdl.network.backward import Gradient
from symdl.render.blocks import Block, activation_name, aligned
from symdl.render.numbers import floats, is_rational
from symdl.render.printer import LecturePrinter, bracket
from symdl.render.sheet import Sheet


def transpose(name: str) -> str:
    """H^{(1)} -> H^{(1)\\top}, X -> X^\\top."""
    if name.endswith("}") and "^{" in name:
        return name[:-1] + r"\top}"
    return name + r"^\top"


def shape(m: ImmutableMatrix | np.ndarray) -> str:
    rows, cols = m.shape
    return rf"{rows} \times {cols}"


def under(name: str, m: ImmutableMatrix | np.ndarray) -> str:
    return rf"\underbrace{{{name}}}_{{{shape(m)}}}"


def layer_by_layer(sheet: Sheet) -> list[Block]:
    """From the output layer back: each hidden δ, then ∂L/∂W and ∂L/∂B of the layer, shapes under the factors."""
    r, said, names = sheet.result, sheet.said, sheet.names
    out = [
        Block("heading", said["backward.backward"], 2, role="backward", value=(r.deltas, r.gradients)),
        Block("text", said["backward.backward_text"]),
    ]
    for number in range(sheet.layers, 0, -1):
        delta = r.deltas[number - 1]
        if number < sheet.layers:
            out += hidden_delta(sheet, number)
        w, b = r[f"W{number}"], r[f"B{number}"]
        h_in = names.matrix("H", number - 1)
        inputs = r.forward.layer_input(number)
        d = rf"\delta^{{({number})}}"
        ones = ImmutableMatrix.ones(1, inputs.rows)
        lines = [
            product_line(
                sheet,
                rf"\frac{{\partial L}}{{\partial W^{{({number})}}}}",
                [(transpose(h_in), inputs.T), (d, delta.exact)],
                w,
            ),
            product_line(
                sheet,
                rf"\frac{{\partial L}}{{\partial B^{{({number})}}}}",
                [(r"\mathbf{1}^\top", ones), (d, delta.exact)],
                b,
            ),
        ]
        out.append(Block("math", aligned(lines), role="gradients", value=number))
    return out


def product_line(sheet: Sheet, lhs: str, factors: list[tuple[str, ImmutableMatrix]], result: Gradient) -> str:
    """lhs = (names with shapes under them) = [values][values] = [result]."""
    named = " ".join(under(name, m) for name, m in factors)
    line = f"{lhs} &= {named}"
    if all(is_rational(m) or sheet.short(m) for _, m in factors) and result.exact.rows * result.exact.cols <= 16:
        line += " = " + " ".join(sheet.matrix(m) for _, m in factors)
    return f"{line} {sheet.value(result.exact, result.value)}"


def hidden_delta(sheet: Sheet, number: int) -> list[Block]:
    """δ^{(l)} = (δ^{(l+1)} W^{(l+1)ᵀ}) ⊙ f'(Z^{(l)}), the derivative in its output form, the values."""
    r, said, names = sheet.result, sheet.said, sheet.names
    layer = r.network.layers[number - 1]
    act = layer.activation
    delta, after = r.deltas[number - 1], r.deltas[number]
    weights = r.network.layers[number].weights
    d, d_next = rf"\delta^{{({number})}}", rf"\delta^{{({number + 1})}}"
    w_next = transpose(names.matrix("W", number + 1))
    z, h = names.matrix("Z", number), names.matrix("H", number)
    back = rf"{under(d_next, after.exact)} {under(w_next, weights.T)}"
    out = []
    if layer.is_identity:
        lines = [rf"{d} &= ({back}) \odot f'({z}), \quad f' = 1"]
        line = rf"&= {d_next} {w_next}"
        if sheet.short(after.exact):
            line += f" = {sheet.matrix(after.exact)} {sheet.matrix(weights.T)}"
        lines.append(f"{line} {sheet.value(delta.exact, delta.value)}")
        return [Block("math", aligned(lines))]
    if act.is_vector:
        out.append(Block("text", said["backward.jacobian"].format(activation=activation_name(act))))
        lines = [rf"{d}_{{r}} &= ({d_next} {w_next})_{{r}} \, J_{{{act.tex}}}({z}_r)"]
        lines.append(rf"&{sheet.value(delta.exact, delta.value)}")
        return [*out, Block("math", aligned(lines))]
    form = derive(act).output_form
    if form is not None:
        rule = sheet.printer.doprint(form.subs(y, Symbol("h")))
        out.append(Block("text", said["backward.slope"].format(activation=activation_name(act), rule=rule)))
        slope_name = hadamard(form, h)
    else:
        out.append(Block("text", said["backward.slope_z"].format(activation=activation_name(act))))
        slope_name = f"{act.tex}'({z})"
    lines = [rf"{act.tex}'({z}) &= {slope_name}", *sheet.continued(delta.slope, floats(delta.slope))]
    lines.append(rf"{d} &= ({back}) \odot {act.tex}'({z})")
    if sheet.short(delta.back) and sheet.short(delta.slope):
        lines.append(rf"&= {sheet.matrix(delta.back)} \odot {sheet.matrix(delta.slope)}")
    else:
        back_values, slope_values = floats(delta.back), floats(delta.slope)
        lines.append(rf"&\approx {sheet.approx(back_values)} \odot {sheet.approx(slope_values)}")
    lines.append(f"&{sheet.value(delta.exact, delta.value)}")
    return [*out, Block("math", aligned(lines))]


def hadamard(form: Expr, name: str) -> str:
    """g(y) written for a matrix entry by entry: y(1 − y) → H ⊙ (1 − H), 1 − y² → 1 − H ⊙ H."""
    marker = Symbol("MATRIX")
    text = HadamardPrinter(names={marker: name}).doprint(form.subs(y, marker))
    return text


class HadamardPrinter(LecturePrinter):
    """A formula in one matrix, entry by entry: products as ⊙, squares as H ⊙ H."""

    def _print_Mul(self, expr: Mul) -> str:
        coefficient, rest = expr.as_coeff_Mul()
        factors = Mul.make_args(rest)
        if len(factors) < 2:
            return super()._print_Mul(expr)
        parts = [bracket(self._print(f)) if isinstance(f, Add) else self._print(f) for f in factors]
        text = r" \odot ".join(parts)
        if coefficient == -1:
            return f"-{text}"
        return text if coefficient == 1 else f"{self._print(coefficient)} {text}"

    def _print_Pow(self, expr: Any) -> str:
        if expr.exp.is_Integer and expr.exp > 1:
            base = self._print(expr.base)
            return r" \odot ".join([base] * int(expr.exp))
        return super()._print_Pow(expr)
