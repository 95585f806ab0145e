"""The last stage of the lecture's flow: one step of gradient descent, ``W ← W − η ∂L/∂W``, and what it did.

The step is taken exactly and in float64, and the loss is computed before and after it.  Where the loss
went up (η too large: the lecture's network overshoots at η = 0.1) the step says so, with the first
η/2^k that lowers it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import mpmath
import numpy as np
from sympy import Expr, ImmutableMatrix

from symdl.errors import BadNetwork
from symdl.network.exact import DIGITS, Evaluator, floats
from symdl.network.float64 import float_weights, numeric_loss
from symdl.network.forward import EXACT, Arithmetic, layer_by_layer
from symdl.network.losses import exact_loss
from symdl.network.spec import Network

HALVINGS = 30  # if the step does not lower the loss, η/2, η/4, ... are tried this many times


@dataclass(frozen=True, eq=False)
class Update:
    """One step of gradient descent, W ← W − η ∂L/∂W, and the loss before and after it."""

    learning_rate: Expr
    weights: tuple[tuple[ImmutableMatrix, ImmutableMatrix], ...]  # (W, B) of every layer after the step, exact
    numeric: tuple[tuple[np.ndarray, np.ndarray], ...]  # the same in float64
    loss_before: Expr
    loss_after: Expr  # exact
    before: float  # the exact losses, correctly rounded
    after: float
    numeric_before: float
    numeric_after: float
    first_order: float  # −η ‖∇L‖², the change the gradient predicts for a small step
    smaller_rate: Expr | None = None  # where the loss went up: the first η/2^k that lowers it (float64)

    @property
    def decreased(self) -> bool:
        return self.after < self.before


def gradient_step(
    network: Network,
    exact: Sequence[ImmutableMatrix],
    numeric: Sequence[np.ndarray],
    before: Expr,
    before_numeric: float,
    evaluate: Evaluator,
) -> Update:
    """The step with the gradients W1, B1, W2, B2, ... (exact, and by float64 backpropagation) from the
    loss ``before`` (exact) and ``before_numeric`` (float64)."""
    eta = network.learning_rate
    stepped = []
    stepped_numeric = []
    for number, layer in enumerate(network.layers, start=1):
        dw, db = exact[2 * number - 2], exact[2 * number - 1]
        stepped.append((ImmutableMatrix(layer.weights - eta * dw), ImmutableMatrix(layer.bias - eta * db)))
        ndw, ndb = numeric[2 * number - 2], numeric[2 * number - 1]
        with np.errstate(over="ignore", invalid="ignore"):  # a step beyond float64: inf, reported by the views
            stepped_numeric.append((floats(layer.weights) - float(eta) * ndw, floats(layer.bias) - float(eta) * ndb))
    before_value = float(evaluate(before))
    try:
        after = _loss_after(network, stepped, evaluate)
        after_value = float(evaluate(after))
    except BadNetwork as error:  # a step so large that the new loss is beyond every number
        raise BadNetwork(f"{network.where()}the loss after one step of η = {eta}: {error}") from None
    with mpmath.workdps(DIGITS + 20):  # ‖∇L‖² and the change it predicts, never overflowing float64 on the way
        first_order = float(-evaluate(eta) * mpmath.fsum(evaluate(e) ** 2 for g in exact for e in g))
    smaller = None
    if not after_value < before_value:
        weights = float_weights(network)
        for k in range(1, HALVINGS + 1):
            rate = eta / 2**k
            with np.errstate(over="ignore", invalid="ignore"):
                moved = [
                    (w - float(rate) * numeric[2 * q], b - float(rate) * numeric[2 * q + 1])
                    for q, (w, b) in enumerate(weights)
                ]
            if numeric_loss(network, moved) < before_numeric:
                smaller = rate
                break
    return Update(
        eta,
        tuple(stepped),
        tuple(stepped_numeric),
        before,
        after,
        before_value,
        after_value,
        before_numeric,
        numeric_loss(network, stepped_numeric),
        first_order,
        smaller,
    )


def _loss_after(network: Network, weights: list[tuple[ImmutableMatrix, ImmutableMatrix]], evaluate: Evaluator) -> Expr:
    """L at the new weights: in closed form where they are rational (the identity and ReLU networks), else
    from the exact new weights at ``DIGITS`` + 20 digits (a closed form with σ of σ's helps no one)."""
    rational = all(e.is_Rational for w, b in weights for e in (*w, *b))
    arithmetic = EXACT if rational else _rounded(evaluate)
    outputs = layer_by_layer(network.layers, network.inputs, arithmetic, weights)[-1][1]
    return exact_loss(network.loss, outputs, network.target)


def _rounded(evaluate: Evaluator) -> Arithmetic:
    """The exact arithmetic with W, B and every H rounded to ``DIGITS`` + 20 digits as they are used."""
    return Arithmetic(
        lambda h, w, b: EXACT.affine(h, evaluate.floats(w), evaluate.floats(b)),
        lambda layer, z: evaluate.floats(EXACT.activate(layer, z)),
        evaluate.floats,
    )


__all__ = ["HALVINGS", "Update", "gradient_step"]
