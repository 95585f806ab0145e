"""The whole flow of the lecture ("딥러닝 알고리즘의 전체 흐름"): forward → loss → backward → update.

For a network with a target (``symdl.network.forward``: the spec keys ``target``, ``loss``, ``learning_rate``):

- **loss**: ``L = (1/m) Σ_r ℓ(Y_r, T_r)``, the mean over the ``m`` examples (rows of X) of the declared
  loss of one example (``symdl.network.losses``), exactly and in float64;
- **gradients, three ways**
  - *chain rule*, layer by layer as in the lecture, exact: the output layer's ``δ`` from the engine's
    derivation (``losses.through``: cross-entropy through softmax is ``y − t``), then
    ``∂L/∂W = H_prevᵀ δ``, ``∂L/∂B = 1ᵀ δ`` and ``δ_prev = (δ Wᵀ) ⊙ f'(Z_prev)``, with ``f'`` in its
    output form where one exists (σ' = H ⊙ (1 − H)); a vector activation multiplies by its Jacobian;
  - *direct*: ``sympy.diff`` of the loss written out in the parameter symbols (every activation by its
    definition), one parameter at a time, the values put in afterwards; it must equal the chain rule
    (run on small networks: its size grows with every path through the network);
  - *numeric*: NumPy float64 backpropagation on the whole batch, with ``symdl.numpy_function``'s
    derivatives; checked against the exact values and against central finite differences;
- **update**: one step of gradient descent ``W ← W − η ∂L/∂W``, exact and in float64, and the loss
  before and after it.

At a kink (ReLU at exactly 0) the chain rule uses symdl's convention, the derivative's value there
(ReLU'(0) = 0, as PyTorch); finite differences straddle the kink and mean nothing, so they are
skipped and the check says why.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import mpmath
import numpy as np
from sympy import (
    Add,
    And,
    Expr,
    Float,
    ImmutableMatrix,
    Interval,
    KroneckerDelta,
    Mul,
    Or,
    Piecewise,
    Pow,
    Rational,
    S,
    diff,
    exp,
    latex,
    log,
)
from sympy.core.relational import Relational

from symdl.catalog import i, j, n, x
from symdl.engine.calculus import derive, y, ys
from symdl.errors import BadNetwork
from symdl.network.forward import DIGITS, ORDER, Forward, Layer, Network, _floats, equal, forward, numeric_activation
from symdl.network.losses import Loss, OutputDelta, domain, numpy_delta, numpy_gradient, numpy_loss, t, through
from symdl.numeric.compile import numpy_function

NUMERIC_TOLERANCE = 1e-12  # float64 backprop against the exact gradient, relative to each matrix's largest entry
FD_TOLERANCE = 1e-6  # central finite differences against float64 backprop, likewise
DIRECT_LIMIT = 40  # direct differentiation runs by default up to this many parameters (the lecture's has 20)
HALVINGS = 30  # if the step does not lower the loss, η/2, η/4, ... are tried this many times


# --------------------------------------------------------------------------- results


@dataclass(frozen=True, eq=False)
class Delta:
    """δ of one layer, ∂L/∂Z, exact and in float64; for a hidden layer also what it is made of."""

    layer: int
    exact: ImmutableMatrix  # examples × units
    value: np.ndarray  # the exact entries, correctly rounded to float64
    numeric: np.ndarray  # float64 backpropagation
    back: ImmutableMatrix | None = None  # δ_next W_nextᵀ (None for the output layer)
    slope: ImmutableMatrix | None = None  # f'(Z) entry by entry (None for the output layer or a vector f)

    @property
    def name(self) -> str:
        return f"delta{self.layer}"


@dataclass(frozen=True, eq=False)
class Gradient:
    """∂L/∂W or ∂L/∂B of one layer: by the chain rule (exact), directly (exact), float64, finite differences."""

    kind: str  # "W" or "B"
    layer: int
    exact: ImmutableMatrix  # by the chain rule
    value: np.ndarray  # the exact entries, correctly rounded to float64
    numeric: np.ndarray  # float64 backpropagation
    direct: ImmutableMatrix | None = None  # sympy.diff of the expanded loss; None where not computed
    finite_difference: np.ndarray | None = None  # central differences of the float64 loss; None where skipped

    @property
    def name(self) -> str:
        return f"{self.kind}{self.layer}"


@dataclass(frozen=True)
class Checks:
    """How the three computations of the gradients compare."""

    direct: str  # "identical", "simplifies to 0", "equal to 40 digits", "differs" or "not computed"
    numeric_error: float  # largest |float64 − exact| relative to the largest |entry| of its matrix
    numeric_worst: str  # where, e.g. "W1"
    finite_difference_error: float | None  # likewise, finite differences against float64; None if skipped
    finite_difference_worst: str
    note: str = ""  # why something was not computed
    numeric_tolerance: float = NUMERIC_TOLERANCE
    finite_difference_tolerance: float = FD_TOLERANCE

    @property
    def agrees(self) -> bool:
        fd = self.finite_difference_error
        return (
            self.direct in ("identical", "simplifies to 0", "equal to 40 digits", "not computed")
            and self.numeric_error <= self.numeric_tolerance
            and (fd is None or fd <= self.finite_difference_tolerance)
        )

    def __str__(self) -> str:
        direct = {
            "identical": "chain rule and direct differentiation give identical exact gradients",
            "simplifies to 0": "chain rule and direct differentiation agree exactly (their difference simplifies to 0)",
            "equal to 40 digits": "chain rule and direct differentiation agree to 40 digits",
            "differs": "chain rule and direct differentiation DIFFER",
            "not computed": "direct differentiation not computed",
        }[self.direct]
        error, worst = self.numeric_error, self.numeric_worst
        numeric = (
            f"float64 backprop is within {error:.2g} of the exact gradients (relative)"
            if error <= self.numeric_tolerance
            else f"float64 backprop DIFFERS from the exact gradients by {error:.3g} at {worst}"
        )
        fd = self.finite_difference_error
        if fd is None:
            differences = "finite differences skipped"
        elif fd <= self.finite_difference_tolerance:
            differences = f"central finite differences agree within {fd:.2g}"
        else:
            differences = f"central finite differences DIFFER by {fd:.3g} at {self.finite_difference_worst}"
        note = f" ({self.note})" if self.note else ""
        return f"{direct}; {numeric}; {differences}{note}"


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


@dataclass(frozen=True, eq=False)
class Backward:
    """The whole flow of one network: forward pass, loss, δ's, gradients three ways, one update, checks."""

    forward: Forward
    loss: Loss
    target: ImmutableMatrix
    value: Expr  # L, exact
    loss_value: float  # L, the exact value correctly rounded
    loss_numeric: float  # L in float64
    output: OutputDelta  # the engine's δ of the output layer, step by step
    deltas: tuple[Delta, ...]  # layer 1 first
    gradients: tuple[Gradient, ...]  # W1, B1, W2, B2, ...
    update: Update
    checks: Checks

    @property
    def network(self) -> Network:
        return self.forward.network

    def __getitem__(self, name: str) -> Gradient | Delta:
        """``result["W1"]``, ``result["B2"]``, ``result["delta1"]``."""
        for item in (*self.gradients, *self.deltas):
            if item.name == name:
                return item
        names = ", ".join(item.name for item in (*self.gradients, *self.deltas))
        raise KeyError(f"no gradient or delta {name!r}; there are {names}")

    def __iter__(self) -> Iterator[Gradient]:
        return iter(self.gradients)

    def _repr_latex_(self) -> str:
        parts = [rf"L = {latex(self.value)}"]
        for g in self.gradients:
            parts.append(rf"\frac{{\partial L}}{{\partial {g.kind}^{{({g.layer})}}}} = {latex(g.exact, mat_delim='[')}")
        return "$\\displaystyle " + r",\quad ".join(parts) + "$"


# --------------------------------------------------------------------------- the whole flow


def backpropagate(network: Network, direct: bool | None = None) -> Backward:
    """Forward pass, loss, gradients three ways, one update and the checks; see the module docstring.

    ``direct``: differentiate the expanded loss too (default: for networks of at most ``DIRECT_LIMIT``
    parameters).  A network without a target raises ``BadNetwork``.
    """
    if network.target is None:
        raise BadNetwork(
            f"{network._where()}no target; add target = [1, 0] (one entry per output) to the spec, "
            "or pass --target on the command line"
        )
    result = forward(network)
    declared, target = network.loss, network.target
    outputs = result.steps[-1].exact
    evaluate = _Evaluator()
    _check_outputs(network, declared, outputs, evaluate)
    value = exact_loss(declared, outputs, target)
    rule = through(declared, network.layers[-1].activation)

    chain_deltas, backs, slopes = _chain_rule(network, result, rule)
    chain = _gradients(network, result, chain_deltas)
    numeric_deltas, numeric = _numeric(network, result, rule)
    if direct is None:
        direct = _parameter_count(network) <= DIRECT_LIMIT
    directly = _direct(network, result) if direct else None

    delta_values = [evaluate.matrix(d) for d in chain_deltas]
    gradient_values = [evaluate.matrix(g) for g in chain]
    fd, fd_note = _finite_differences(network, result)
    gradients = tuple(
        Gradient(
            "W" if k % 2 == 0 else "B",
            k // 2 + 1,
            chain[k],
            gradient_values[k],
            numeric[k],
            None if directly is None else directly[k],
            None if fd is None else fd[k],
        )
        for k in range(len(chain))
    )
    deltas = tuple(
        Delta(number, chain_deltas[number - 1], delta_values[number - 1], numeric_deltas[number - 1], *extra)
        for number, extra in enumerate(zip(backs, slopes, strict=True), start=1)
    )
    loss_value = float(evaluate(value))
    loss_numeric = float(np.mean(numpy_loss(declared)(result.steps[-1].numeric, _floats(target))))
    checks = _checks(gradients, deltas, directly, fd, fd_note, direct)
    update = _update(network, gradients, value, loss_value, loss_numeric, evaluate)
    return Backward(result, declared, target, value, loss_value, loss_numeric, rule, deltas, gradients, update, checks)


def target_from_text(text: str) -> ImmutableMatrix:
    """A target from the command line: "1, 0" (one example) or "1, 0; 0, 1" (one row per example)."""
    from symdl.catalog import parse_number
    from symdl.errors import BadParameter

    rows = [row.split(",") for row in text.split(";")]
    if any(not entry.strip() for row in rows for entry in row):
        raise BadNetwork(f"--target {text!r}: write numbers separated by commas, rows by ';', e.g. --target '1, 0'")
    if len({len(row) for row in rows}) != 1:
        raise BadNetwork(f"--target {text!r}: every row needs the same number of entries")
    try:
        return ImmutableMatrix([[parse_number(entry.strip(), "--target") for entry in row] for row in rows])
    except BadParameter as error:
        raise BadNetwork(str(error)) from None


def _parameter_count(network: Network) -> int:
    return sum(layer.weights.rows * layer.weights.cols + layer.units for layer in network.layers)


def _check_outputs(network: Network, declared: Loss, outputs: ImmutableMatrix, evaluate: _Evaluator) -> None:
    """The loss must be defined at the network's outputs, and a loss of probabilities compares them with
    predicted probabilities: BCE needs 0 < y < 1, cross-entropy 0 < y <= 1."""
    allowed = domain(declared)
    if declared.targets != "any":
        allowed = allowed.intersect(Interval(0, 1))
    if allowed == S.Reals:
        return
    for r in range(outputs.rows):
        for c in range(outputs.cols):
            number = evaluate(outputs[r, c])
            low = number > allowed.inf if allowed.left_open else number >= allowed.inf
            high = allowed.sup.is_infinite or (number < allowed.sup if allowed.right_open else number <= allowed.sup)
            if not (low and high):
                last = network.layers[-1].activation.name
                raise BadNetwork(
                    f"{network._where()}loss {declared.name} needs every output in {_interval(allowed)}, but "
                    f"Y[{r + 1},{c + 1}] = {mpmath.nstr(number, 6)} (output activation {last}); "
                    f"use --output-activation {declared.pairs_with}"
                )


def _interval(interval: Any) -> str:
    """(0, 1), (0, 1]: an interval as a lecturer writes it."""
    hi = "∞" if interval.sup.is_infinite else str(interval.sup)
    left, right = "(" if interval.left_open else "[", ")" if interval.right_open else "]"
    return f"{left}{interval.inf}, {hi}{right}"


def exact_loss(declared: Loss, outputs: ImmutableMatrix, target: ImmutableMatrix) -> Expr:
    """L = (1/m) Σ_r ℓ(Y_r, T_r) exactly: the declaration with the sum written out for these outputs."""
    written = declared.definition.subs(n, outputs.cols).doit()
    total = S.Zero
    for r in range(outputs.rows):
        fill = {ys[c + 1]: outputs[r, c] for c in range(outputs.cols)}
        fill |= {t[c + 1]: target[r, c] for c in range(outputs.cols)}
        total += written.xreplace(fill)
    return total / outputs.rows


# --------------------------------------------------------------------------- the chain rule, exact


def _chain_rule(
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
    delta = ImmutableMatrix([[_settle(v) / m for v in row] for row in rows])
    deltas, backs, slopes = [delta], [None], [None]
    for number in range(len(layers) - 1, 0, -1):
        layer = layers[number - 1]
        back = ImmutableMatrix(deltas[0] * layers[number].weights.T)
        z, h = result.steps[2 * number - 2].exact, result.steps[2 * number - 1].exact
        if layer.is_identity:
            delta, slope = back, None
        elif layer.activation.is_vector:
            delta, slope = _through_jacobian(layer, back, h), None
        else:
            slope = slope_matrix(layer, z, h)
            delta = ImmutableMatrix(back.multiply_elementwise(slope))
        deltas.insert(0, delta)
        backs.insert(0, back)
        slopes.insert(0, slope)
    return deltas, backs, slopes


def slope_matrix(layer: Layer, z: ImmutableMatrix, h: ImmutableMatrix) -> ImmutableMatrix:
    """f'(Z) entry by entry, exactly: the output form at H where one exists (σ(4)(1 − σ(4))), else f' at Z."""
    d = derive(layer.activation)
    values = dict(layer.values)
    if d.output_form is not None:
        g = d.output_form.subs(values)
        return ImmutableMatrix(h.rows, h.cols, lambda r, c: _settle(g.subs(y, h[r, c])))
    slope = d.derivative.subs(values)
    return ImmutableMatrix(z.rows, z.cols, lambda r, c: _settle(slope.subs(x, z[r, c])))


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
    rows = [ImmutableMatrix(back.row(r) * jacobian_at(layer, list(h.row(r)))) for r in range(h.rows)]
    return ImmutableMatrix([list(row) for row in rows])


def _gradients(network: Network, result: Forward, deltas: list[ImmutableMatrix]) -> list[ImmutableMatrix]:
    """∂L/∂W = H_prevᵀ δ and ∂L/∂B = 1ᵀ δ (the sum over the examples) of every layer: W1, B1, W2, B2, ..."""
    out = []
    ones = ImmutableMatrix.ones(1, network.inputs.rows)
    for number, delta in enumerate(deltas, start=1):
        out += [ImmutableMatrix(result.layer_input(number).T * delta), ImmutableMatrix(ones * delta)]
    return out


def _settle(expr: Expr) -> Expr:
    """A piecewise value whose conditions are numbers, resolved: ReLU'(4) = 1, ELU' at ELU(−2) = α + ELU(−2)."""
    return expr.replace(lambda e: isinstance(e, Piecewise) and not e.free_symbols, _choose)


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
        difference = (condition.lhs - condition.rhs).doit()
        if not difference.is_Rational:
            difference = Rational(str(difference.evalf(DIGITS)))
        return bool(type(condition)(difference, 0))
    raise ValueError(f"cannot decide {condition}")  # pragma: no cover


# --------------------------------------------------------------------------- direct differentiation


def _direct(network: Network, result: Forward) -> list[ImmutableMatrix]:
    """sympy.diff of the loss written out in the parameter symbols, per parameter, with the values put in."""
    symbols = [(g.weights, g.bias) for g in result.general]
    values: dict[Any, Expr] = {}
    for (w, b), layer in zip(symbols, network.layers, strict=True):
        values |= dict(zip(w, layer.weights, strict=True)) | dict(zip(b, layer.bias, strict=True))
    h = network.inputs
    for (w, b), layer in zip(symbols, network.layers, strict=True):
        h = layer.apply(ImmutableMatrix(h * w + ImmutableMatrix.ones(h.rows, 1) * b))
    expanded = exact_loss(network.loss, h, network.target).doit()  # every activation by its definition
    out = []
    for w, b in symbols:
        for m in (w, b):
            out.append(ImmutableMatrix(m.rows, m.cols, lambda r, c, m=m: diff(expanded, m[r, c]).xreplace(values)))
    return out


# --------------------------------------------------------------------------- float64


Weights = list[tuple[np.ndarray, np.ndarray]]


def _float_weights(network: Network) -> Weights:
    return [(_floats(layer.weights), _floats(layer.bias)) for layer in network.layers]


def numeric_forward(
    network: Network, weights: Weights, inputs: np.ndarray | None = None
) -> list[tuple[np.ndarray, np.ndarray]]:
    """(Z, H) of every layer in float64 for these weights, the whole batch at once (X rounded once if given)."""
    h = _floats(network.inputs) if inputs is None else inputs
    out = []
    for layer, (w, b) in zip(network.layers, weights, strict=True):
        z = h @ w + b
        h = numeric_activation(layer)(z)
        out.append((z, h))
    return out


def numeric_loss(network: Network, weights: Weights, rounded: tuple[np.ndarray, np.ndarray] | None = None) -> float:
    """L in float64: the mean over the examples of the loss of each; ``rounded``: X and T in float64."""
    inputs, target = rounded if rounded is not None else (_floats(network.inputs), _floats(network.target))
    outputs = numeric_forward(network, weights, inputs)[-1][1]
    return float(np.mean(numpy_loss(network.loss)(outputs, target)))


def _slope(layer: Layer, z: np.ndarray) -> np.ndarray:
    """f'(Z) in float64 from symdl's compiled derivative (a vector f: the Jacobian along the last axis)."""
    if layer.is_identity:
        return np.ones_like(z)
    params = {s.name: float(v) for s, v in layer.values} if layer.activation.parameters else {}
    return np.asarray(numpy_function(layer.activation, derivative=True)(z, **params), dtype=np.float64)


def _numeric(network: Network, result: Forward, rule: OutputDelta) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """δ of every layer and the gradients (W1, B1, ...) by float64 backpropagation on the whole batch,
    from the float64 Z and H of the forward pass."""
    weights = _float_weights(network)
    passes = [(z.numeric, h.numeric) for z, h in zip(result.steps[::2], result.steps[1::2], strict=True)]
    m = network.inputs.rows
    target = _floats(network.target)
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
    inputs = [_floats(network.inputs)] + [h for _, h in passes[:-1]]
    gradients = []
    for h, delta in zip(inputs, deltas, strict=True):
        gradients += [h.T @ delta, delta.sum(axis=0, keepdims=True)]
    return deltas, gradients


def _finite_differences(network: Network, result: Forward) -> tuple[list[np.ndarray] | None, str]:
    """Central differences of the float64 loss, h = ∛ε · max(1, |θ|) per parameter; None near a kink."""
    kink = _near_kink(network, result)
    if kink:
        return None, kink
    weights = _float_weights(network)
    rounded = (_floats(network.inputs), _floats(network.target))
    out = []
    for number in range(len(weights)):
        for part in (0, 1):
            base = weights[number][part]
            grad = np.zeros_like(base)
            for index in np.ndindex(base.shape):
                step = np.cbrt(np.finfo(np.float64).eps) * max(1.0, abs(base[index]))
                losses = []
                for sign in (1, -1):
                    moved = [(w.copy(), b.copy()) for w, b in weights]
                    moved[number][part][index] += sign * step
                    losses.append(numeric_loss(network, moved, rounded))
                grad[index] = (losses[0] - losses[1]) / (2 * step)
            out.append(grad)
    return out, ""


def _near_kink(network: Network, result: Forward) -> str:
    """Why finite differences would straddle a kink ("Z1[1,3] = 0 is at relu's kink"), or ""."""
    for number, layer in enumerate(network.layers, start=1):
        if layer.is_identity or layer.activation.is_vector:
            continue
        kinks = derive(layer.activation, {s.name: v for s, v in layer.values}).kinks
        z = result.steps[2 * number - 2].exact
        for point in kinks:
            at = float(point.at.subs(dict(layer.values)))
            for r in range(z.rows):
                for c in range(z.cols):
                    value = float(z[r, c].doit().evalf(DIGITS))
                    if abs(value - at) <= 1e-4 * (1 + abs(at)):
                        return (
                            f"Z{number}[{r + 1},{c + 1}] = {value:.6g} is at the kink of {layer.activation.name} "
                            f"at {at:g}, where central differences mean nothing; the chain rule uses "
                            f"{layer.activation.name}'({at:g}) = {point.slope.subs(dict(layer.values))}"
                        )
    return ""


# --------------------------------------------------------------------------- checks and the update


def _relative(a: np.ndarray, b: np.ndarray, floor: float) -> float:
    """max |a − b| over the largest |b| of the matrix (at least ``floor``)."""
    scale = max(float(np.max(np.abs(b))), floor)
    return float(np.max(np.abs(a - b))) / scale if scale > 0 else float(np.max(np.abs(a - b)))


def _checks(
    gradients: tuple[Gradient, ...],
    deltas: tuple[Delta, ...],
    directly: list[ImmutableMatrix] | None,
    fd: list[np.ndarray] | None,
    fd_note: str,
    asked: bool,
) -> Checks:
    largest = max(float(np.max(np.abs(g.value))) for g in gradients)
    floor = 1e-8 * largest  # a matrix of zeros (a dead unit) is judged against the largest gradient
    how = "identical"
    if directly is None:
        how = "not computed"
    else:
        for g in gradients:
            for a, b in zip(g.exact, g.direct, strict=True):
                found = equal(a, b)
                if ORDER.index(found) > ORDER.index(how):
                    how = found
    numeric = [(_relative(q.numeric, q.value, floor), q.name) for q in (*gradients, *deltas)]
    numeric_error, numeric_worst = max(numeric)
    fd_error, fd_worst = None, ""
    if fd is not None:
        fd_error, fd_worst = max((_relative(g.finite_difference, g.numeric, floor), g.name) for g in gradients)
    notes = [fd_note] if fd_note else []
    if directly is None and not asked:
        notes.append(f"direct differentiation runs on networks of at most {DIRECT_LIMIT} parameters")
    return Checks(how, numeric_error, numeric_worst, fd_error, fd_worst, "; ".join(notes))


def _update(
    network: Network,
    gradients: tuple[Gradient, ...],
    before: Expr,
    before_value: float,
    before_numeric: float,
    evaluate: _Evaluator,
) -> Update:
    eta = network.learning_rate
    exact = []
    numeric = []
    for number, layer in enumerate(network.layers, start=1):
        dw, db = gradients[2 * number - 2], gradients[2 * number - 1]
        exact.append((ImmutableMatrix(layer.weights - eta * dw.exact), ImmutableMatrix(layer.bias - eta * db.exact)))
        numeric.append(
            (_floats(layer.weights) - float(eta) * dw.numeric, _floats(layer.bias) - float(eta) * db.numeric)
        )
    after = _loss_after(network, exact, evaluate)
    after_value = float(evaluate(after))
    squared = sum(float(np.sum(g.value**2)) for g in gradients)
    smaller = None
    if not after_value < before_value:
        weights = _float_weights(network)
        for k in range(1, HALVINGS + 1):
            rate = eta / 2**k
            moved = [
                (w - float(rate) * gradients[2 * q].numeric, b - float(rate) * gradients[2 * q + 1].numeric)
                for q, (w, b) in enumerate(weights)
            ]
            if numeric_loss(network, moved) < before_numeric:
                smaller = rate
                break
    return Update(
        eta,
        tuple(exact),
        tuple(numeric),
        before,
        after,
        before_value,
        after_value,
        before_numeric,
        numeric_loss(network, numeric),
        -float(eta) * squared,
        smaller,
    )


def _loss_after(network: Network, weights: list[tuple[ImmutableMatrix, ImmutableMatrix]], evaluate: _Evaluator) -> Expr:
    """L at the new weights: in closed form where they are rational (the identity and ReLU networks), else
    from the exact new weights at ``DIGITS`` + 20 digits (a closed form with σ of σ's helps no one)."""
    rational = all(e.is_Rational for w, b in weights for e in (*w, *b))
    h = network.inputs
    for layer, (w, b) in zip(network.layers, weights, strict=True):
        if not rational:
            w, b = evaluate.floats(w), evaluate.floats(b)
        h = layer.apply(ImmutableMatrix(h * w + ImmutableMatrix.ones(h.rows, 1) * b))
        if not rational:
            h = evaluate.floats(h)
    return exact_loss(network.loss, h, network.target)


# --------------------------------------------------------------------------- exact values as numbers


class _Evaluator:
    """Exact expressions evaluated to ``DIGITS`` digits with mpmath, every shared subexpression once.

    The chain rule's results share their parts (every entry of ∂L/∂W1 holds the same δ's), so a
    memo keyed by the subexpression keeps evaluation linear in the size of the whole, not of each entry.
    """

    def __init__(self) -> None:
        self.memo: dict[Expr, Any] = {}

    def __call__(self, expr: Expr) -> Any:
        with mpmath.workdps(DIGITS + 20):
            return +self._value(S(expr))

    def matrix(self, m: ImmutableMatrix) -> np.ndarray:
        with mpmath.workdps(DIGITS + 20):
            return np.array([[float(self._value(m[r, c])) for c in range(m.cols)] for r in range(m.rows)])

    def floats(self, m: ImmutableMatrix) -> ImmutableMatrix:
        """The entries as SymPy Floats of ``DIGITS`` + 20 digits."""
        with mpmath.workdps(DIGITS + 20):
            return ImmutableMatrix(m.rows, m.cols, lambda r, c: Float(self._value(m[r, c]), DIGITS + 20))

    def _value(self, e: Expr) -> Any:
        hit = self.memo.get(e)
        if hit is not None:
            return hit
        if e.is_Rational:
            value = mpmath.mpf(e.p) / e.q
        elif e.is_Float:
            value = e._to_mpmath(mpmath.mp.prec)
        elif isinstance(e, Add):
            value = mpmath.fsum(self._value(a) for a in e.args)
        elif isinstance(e, Mul):
            value = mpmath.fprod(self._value(a) for a in e.args)
        elif isinstance(e, Pow) and e.exp.is_Integer:
            value = self._value(e.base) ** int(e.exp)
        elif isinstance(e, exp):
            value = mpmath.exp(self._value(e.args[0]))
        elif isinstance(e, log):
            value = mpmath.log(self._value(e.args[0]))
        elif e.args:  # an activation by name (σ(4)), tanh, ...: SymPy at these argument values
            args = [Float(self._value(a), DIGITS + 20) for a in e.args]
            value = mpmath.mpf(str(e.func(*args).evalf(DIGITS + 20)))
        else:  # E, pi, ...
            value = mpmath.mpf(str(e.evalf(DIGITS + 20)))
        self.memo[e] = value
        return value


__all__ = [
    "DIRECT_LIMIT",
    "FD_TOLERANCE",
    "NUMERIC_TOLERANCE",
    "Backward",
    "Checks",
    "Delta",
    "Gradient",
    "Update",
    "backpropagate",
    "equal",
    "exact_loss",
    "jacobian_at",
    "numeric_forward",
    "numeric_loss",
    "slope_matrix",
    "target_from_text",
]
