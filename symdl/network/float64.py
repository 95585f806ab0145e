"""Backpropagation in NumPy float64 on the whole batch, and central finite differences of the float64 loss.

The two independent numeric routes to the gradients: backpropagation with symdl's compiled derivatives
(``symdl.numpy_function(..., derivative=True)``), from the float64 Z and H of the forward pass, and
central differences of the loss, one parameter at a time.  At a kink (ReLU at exactly 0) differences
straddle it and mean nothing, so they are skipped and ``finite_differences`` says why.  Overflow is
computed through (inf, NaN) without a warning: ``symdl.network.backward`` reports where it happened.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from symdl.engine.calculus import derive
from symdl.network.exact import Evaluator, floats
from symdl.network.forward import FLOAT64, Forward, layer_by_layer
from symdl.network.losses import OutputDelta, numpy_delta, numpy_gradient, numpy_loss
from symdl.network.spec import Layer, Network
from symdl.numeric.compile import numpy_function

Weights = list[tuple[np.ndarray, np.ndarray]]  # (W, B) of every layer in float64
FD_BATCH = 256  # parameters moved together in one batch of finite differences (memory: 2 · 256 networks)


def float_weights(network: Network) -> Weights:
    """(W, B) of every layer, each entry correctly rounded to float64."""
    return [(floats(layer.weights), floats(layer.bias)) for layer in network.layers]


def numeric_loss(network: Network, weights: Weights, rounded: tuple[np.ndarray, np.ndarray] | None = None) -> float:
    """L in float64: the mean over the examples of the loss of each; ``rounded``: X and T in float64."""
    inputs, target = rounded if rounded is not None else (floats(network.inputs), floats(network.target))
    outputs = layer_by_layer(network.layers, inputs, FLOAT64, weights)[-1][1]
    with np.errstate(over="ignore", invalid="ignore"):
        return float(np.mean(numpy_loss(network.loss)(outputs, target)))


def slope_function(layer: Layer) -> Callable[[np.ndarray], np.ndarray]:
    """f' in float64 from symdl's compiled derivative (a vector f: the Jacobian along the last axis)."""
    if layer.is_identity:
        return np.ones_like
    f = numpy_function(layer.activation, derivative=True)
    params = {s.name: float(v) for s, v in layer.values} if layer.activation.parameters else {}
    return lambda z: np.asarray(f(z, **params), dtype=np.float64)


def _slope(layer: Layer, z: np.ndarray) -> np.ndarray:
    with np.errstate(over="ignore", invalid="ignore"):
        return slope_function(layer)(z)


def backprop(
    network: Network, passes: list[tuple[np.ndarray, np.ndarray]], rule: OutputDelta
) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """δ of every layer and the gradients (W1, B1, ...) by float64 backpropagation on the whole batch,
    from the float64 (Z, H) of every layer of the forward pass."""
    with np.errstate(over="ignore", invalid="ignore"):
        return _backprop(network, passes, rule)


def _backprop(
    network: Network, passes: list[tuple[np.ndarray, np.ndarray]], rule: OutputDelta
) -> tuple[list[np.ndarray], list[np.ndarray]]:
    weights = float_weights(network)
    m = network.inputs.rows
    target = floats(network.target)
    last = network.layers[-1]
    z, out = passes[-1]
    fused = numpy_delta(rule, dict(last.values))
    if fused is not None:  # y − t and its kin, as the engine derived them
        delta = fused(out, target) / m
    else:  # ∂ℓ/∂y composed with f' (or the Jacobian)
        outer = numpy_gradient(network.loss)(out, target)
        slope = _slope(last, z)
        delta = (np.einsum("ri,rij->rj", outer, slope) if last.activation.is_vector else outer * slope) / m
    deltas = [delta]
    for number in range(len(network.layers) - 1, 0, -1):
        layer = network.layers[number - 1]
        back = deltas[0] @ weights[number][0].T
        slope = _slope(layer, passes[number - 1][0])
        deltas.insert(0, np.einsum("ri,rij->rj", back, slope) if layer.activation.is_vector else back * slope)
    inputs = [floats(network.inputs)] + [h for _, h in passes[:-1]]
    gradients = []
    for h, delta in zip(inputs, deltas, strict=True):
        gradients += [h.T @ delta, delta.sum(axis=0, keepdims=True)]
    return deltas, gradients


def finite_differences(network: Network, result: Forward) -> tuple[list[np.ndarray] | None, str]:
    """Central differences of the float64 loss, h = ∛ε · max(1, |θ|) per parameter; None near a kink.

    Every parameter's two moved networks are computed together, as one batch along a leading axis, from
    the layer the parameter is in (the layers before it do not change)."""
    kink = _near_kink(network, result)
    if kink:
        return None, kink
    weights = float_weights(network)
    target = floats(network.target)
    before = [floats(network.inputs)]  # what each layer multiplies, at the unmoved weights
    for layer, (w, b) in zip(network.layers[:-1], weights[:-1], strict=True):
        before.append(FLOAT64.activate(layer, FLOAT64.affine(before[-1], w, b)))
    out = []
    for number in range(len(weights)):
        for part in (0, 1):
            out.append(_differences(network, weights, before[number], target, number, part))
    return out, ""


def _differences(
    network: Network, weights: Weights, before: np.ndarray, target: np.ndarray, number: int, part: int
) -> np.ndarray:
    """∂L/∂θ by central differences for every entry θ of layer ``number``'s W (``part`` 0) or B (1)."""
    base = weights[number][part]
    flat = base.ravel()
    steps = np.cbrt(np.finfo(np.float64).eps) * np.maximum(1.0, np.abs(flat))
    grad = np.empty_like(flat)
    for start in range(0, flat.size, FD_BATCH):
        chosen = np.arange(start, min(start + FD_BATCH, flat.size))
        count = len(chosen)
        moved = np.repeat(flat[None, :], 2 * count, axis=0)
        moved[np.arange(count), chosen] += steps[chosen]
        moved[count + np.arange(count), chosen] -= steps[chosen]
        moved = moved.reshape((2 * count, *base.shape))
        w, b = weights[number]
        z = FLOAT64.affine(before, moved, b) if part == 0 else FLOAT64.affine(before, w, moved)
        h = FLOAT64.activate(network.layers[number], z)
        for layer, (w_after, b_after) in zip(network.layers[number + 1 :], weights[number + 1 :], strict=True):
            h = FLOAT64.activate(layer, FLOAT64.affine(h, w_after, b_after))
        with np.errstate(over="ignore", invalid="ignore"):
            losses = np.mean(numpy_loss(network.loss)(h, target), axis=-1)
            grad[chosen] = (losses[:count] - losses[count:]) / (2 * steps[chosen])
    return grad.reshape(base.shape)


def _near_kink(network: Network, result: Forward) -> str:
    """Why finite differences would straddle a kink ("Z1[1,3] = 0 is at relu's kink"), or ""."""
    evaluate = Evaluator()
    for number, layer in enumerate(network.layers, start=1):
        if layer.is_identity or layer.activation.is_vector:
            continue
        kinks = derive(layer.activation, {s.name: v for s, v in layer.values}).kinks
        z = result.steps[2 * number - 2].exact
        for point in kinks:
            at = float(point.at.subs(dict(layer.values)))
            for r in range(z.rows):
                for c in range(z.cols):
                    value = float(evaluate(z[r, c]))
                    if abs(value - at) <= 1e-4 * (1 + abs(at)):
                        return (
                            f"Z{number}[{r + 1},{c + 1}] = {value:.6g} is at the kink of {layer.activation.name} "
                            f"at {at:g}, where central differences mean nothing; the chain rule uses "
                            f"{layer.activation.name}'({at:g}) = {point.slope.subs(dict(layer.values))}"
                        )
    return ""


__all__ = ["Weights", "backprop", "finite_differences", "float_weights", "numeric_loss", "slope_function"]
