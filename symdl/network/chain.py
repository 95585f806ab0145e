"""Backpropagation by the chain rule, exactly, layer by layer as in the lecture.

The output layer's ``δ`` comes from the engine's derivation (``symdl.network.losses.through``:
cross-entropy through softmax is ``y − t``); then ``δ_prev = (δ Wᵀ) ⊙ f'(Z_prev)``, with ``f'`` in its
output form where one exists (σ' = H ⊙ (1 − H)), a vector activation multiplying by its Jacobian, and
``∂L/∂W = H_prevᵀ δ``, ``∂L/∂B = 1ᵀ δ``.  At a kink the derivative takes symdl's value there
(ReLU'(0) = 0, as PyTorch).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sympy import And, Expr, ImmutableMatrix, KroneckerDelta, Or, Piecewise, Rational, S
from sympy.core.relational import Relational

from symdl.catalog import i, j, x
from symdl.engine.calculus import derive, y, ys
from symdl.network.exact import DIGITS, Evaluator, elementwise, product
from symdl.network.forward import Forward
from symdl.network.losses import OutputDelta
from symdl.network.spec import Applied, Layer, Network


def chain_rule(
    network: Network, result: Forward, rule: OutputDelta
) -> tuple[list[ImmutableMatrix], list[ImmutableMatrix | None], list[ImmutableMatrix | None]]:
    """δ of every layer (layer 1 first), with δ_next W_nextᵀ and f'(Z) of each hidden layer."""
    layers, m = network.layers, network.inputs.rows
    last = layers[-1]
    z_out, y_out = result.steps[-2].exact, result.steps[-1].exact
    rows = [
        rule.at(list(y_out.row(r)), list(network.target.row(r)), list(z_out.row(r)), dict(last.values))
        for r in range(m)
    ]
    memo: dict[Expr, Expr] = {}
    delta = ImmutableMatrix([[_settle(v, memo) / m for v in row] for row in rows])
    deltas, backs, slopes = [delta], [None], [None]
    for number in range(len(layers) - 1, 0, -1):
        layer = layers[number - 1]
        back = product(deltas[0], layers[number].weights.T)
        z, h = result.steps[2 * number - 2].exact, result.steps[2 * number - 1].exact
        if layer.is_identity:
            delta, slope = back, None
        elif layer.activation.is_vector:
            delta, slope = _through_jacobian(layer, back, h), None
        else:
            slope = slope_matrix(layer, z, h, memo)
            delta = elementwise(back, slope)
        deltas.insert(0, delta)
        backs.insert(0, back)
        slopes.insert(0, slope)
    return deltas, backs, slopes


def slope_matrix(
    layer: Layer, z: ImmutableMatrix, h: ImmutableMatrix, memo: dict[Expr, Expr] | None = None
) -> ImmutableMatrix:
    """f'(Z) entry by entry, exactly: the output form at H where one exists (σ(4)(1 − σ(4))), else f' at Z."""
    d = derive(layer.activation)
    values = dict(layer.values)
    memo = {} if memo is None else memo
    if d.output_form is not None:
        g = d.output_form.subs(values)
        return ImmutableMatrix(h.rows, h.cols, lambda r, c: _settle(g.subs(y, h[r, c]), memo))
    slope = d.derivative.subs(values)
    return ImmutableMatrix(z.rows, z.cols, lambda r, c: _settle(slope.subs(x, z[r, c]), memo))


def jacobian_at(layer: Layer, outputs: Sequence[Expr]) -> ImmutableMatrix:
    """∂y_i/∂z_j of a vector activation at one example's outputs, from its output form y_i(δ_ij − y_j)."""
    form = derive(layer.activation).output_form.subs(dict(layer.values))
    size = len(outputs)
    fill = {ys[q + 1]: outputs[q] for q in range(size)}
    return ImmutableMatrix(
        size,
        size,
        lambda a, b: form.subs({i: a + 1, j: b + 1}).subs(KroneckerDelta(a + 1, b + 1), int(a == b)).xreplace(fill),
    )


def _through_jacobian(layer: Layer, back: ImmutableMatrix, h: ImmutableMatrix) -> ImmutableMatrix:
    rows = [product(back.row(r), jacobian_at(layer, list(h.row(r)))) for r in range(h.rows)]
    return ImmutableMatrix([list(row) for row in rows])


def weight_gradients(network: Network, result: Forward, deltas: list[ImmutableMatrix]) -> list[ImmutableMatrix]:
    """∂L/∂W = H_prevᵀ δ and ∂L/∂B = 1ᵀ δ (the sum over the examples) of every layer: W1, B1, W2, B2, ..."""
    out = []
    ones = ImmutableMatrix.ones(1, network.inputs.rows)
    for number, delta in enumerate(deltas, start=1):
        out += [product(result.layer_input(number).T, delta), product(ones, delta)]
    return out


def _settle(expr: Expr, memo: dict[Expr, Expr] | None = None) -> Expr:
    """A piecewise value whose conditions are numbers, resolved: ReLU'(4) = 1, ELU' at ELU(−2) = α + ELU(−2).

    Every value here is a number; each shared part (a deep network's) is looked at once, and an activation's
    value by name (σ(...), holding the layers before it) is one number, not looked into."""
    memo = {} if memo is None else memo
    hit = memo.get(expr)
    if hit is not None:
        return hit
    if isinstance(expr, Piecewise):
        out = _settle(_choose(expr), memo)
    elif expr.args and isinstance(expr, Expr) and not isinstance(expr, Applied):
        args = [_settle(a, memo) for a in expr.args]
        out = expr if all(a is b for a, b in zip(args, expr.args, strict=True)) else expr.func(*args)
    else:
        out = expr
    memo[expr] = out
    return out


def _choose(expr: Piecewise) -> Expr:
    for value, condition in expr.args:
        if _holds(condition):
            return value
    raise ValueError(f"no branch of {expr} holds")  # pragma: no cover - the last condition is True


def _holds(condition: Any) -> bool:
    if condition in (S.true, S.false):
        return bool(condition)
    if isinstance(condition, And):
        return all(_holds(c) for c in condition.args)
    if isinstance(condition, Or):
        return any(_holds(c) for c in condition.args)
    if isinstance(condition, Relational):
        difference = condition.lhs - condition.rhs
        if not difference.is_Rational:  # to DIGITS digits; a difference below that is taken as 0
            value = Evaluator()(difference)
            difference = S.Zero if abs(value) < Rational(1, 10**DIGITS) else Rational(str(value))
        return bool(type(condition)(difference, 0))
    raise ValueError(f"cannot decide {condition}")  # pragma: no cover


__all__ = ["chain_rule", "jacobian_at", "slope_matrix", "weight_gradients"]
