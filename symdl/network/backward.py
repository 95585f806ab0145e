"""The whole flow of the lecture ("딥러닝 알고리즘의 전체 흐름"): forward → loss → backward → update.

For a network with a target (``symdl.network.spec``: the spec keys ``target``, ``loss``, ``learning_rate``):

- **loss**: ``L = (1/m) Σ_r ℓ(Y_r, T_r)``, the mean over the ``m`` examples (rows of X) of the declared
  loss of one example (``symdl.network.losses``), exactly and in float64;
- **gradients, three ways**
  - *chain rule*, layer by layer as in the lecture, exact: the output layer's ``δ`` from the engine's
    derivation (``losses.through``: cross-entropy through softmax is ``y − t``), then
    ``∂L/∂W = H_prevᵀ δ``, ``∂L/∂B = 1ᵀ δ`` and ``δ_prev = (δ Wᵀ) ⊙ f'(Z_prev)``, with ``f'`` in its
    output form where one exists (σ' = H ⊙ (1 − H)); a vector activation multiplies by its Jacobian;
  - *direct*: ``sympy.diff`` of the loss written out in the parameter symbols (every activation by its
    definition), one parameter at a time, the values put in afterwards; it must equal the chain rule
    (run on small, shallow networks: its size grows with every path through the network, and under a
    time budget of its own: where it does not finish, the check says so);
  - *numeric*: NumPy float64 backpropagation on the whole batch, with ``symdl.numpy_function``'s
    derivatives; checked against the exact values and against central finite differences
    (``symdl.network.float64``);
- **update**: one step of gradient descent ``W ← W − η ∂L/∂W``, exact and in float64, and the loss
  before and after it (``symdl.network.update``).

This module runs the flow, differentiates directly and checks the routes against each other; the chain
rule is ``symdl.network.chain``.

At a kink (ReLU at exactly 0) the chain rule uses symdl's convention, the derivative's value there
(ReLU'(0) = 0, as PyTorch); finite differences straddle the kink and mean nothing, so they are
skipped and the check says why.  Where float64 overflows or gives NaN (a loss or gradient beyond its
range), the check says where, never that the routes agree.

The flow runs under symdl's time budget (``symdl.budget``): ``OutOfTime`` where it does not finish.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Any

import mpmath
import numpy as np
from sympy import Expr, ImmutableMatrix, Interval, S, diff, latex

from symdl.budget import NOT_IN_TIME, OutOfTime, budget, guarded, unbounded
from symdl.catalog import parse_number
from symdl.engine.calculus import derive
from symdl.engine.verify import ORDER, equal
from symdl.errors import BadNetwork, BadParameter
from symdl.network.chain import chain_rule, weight_gradients
from symdl.network.checks import FD_TOLERANCE, NUMERIC_TOLERANCE, Checks, compared
from symdl.network.exact import Evaluator, floats
from symdl.network.float64 import backprop, finite_differences, slope_function
from symdl.network.forward import EXACT, SECONDS, Forward, forward, layer_by_layer, numeric_activation
from symdl.network.losses import Loss, OutputDelta, domain, exact_loss, numpy_loss, through
from symdl.network.spec import Network
from symdl.network.update import Update, gradient_step

DIRECT_LIMIT = 40  # direct differentiation runs by default up to this many parameters (the lecture's has 20)
DIRECT_LAYERS = 3  # ... and this many layers (a 1-1-1-1 sigmoid chain: 3 layers 0.7 s, 4 layers 7 s)


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
    parameters and ``DIRECT_LAYERS`` layers).  A network without a target raises ``BadNetwork``; one whose
    flow does not finish within the time budget, ``OutOfTime``.
    """
    if network.target is None:
        raise BadNetwork(
            f"{network.where()}no target; add target = [1, 0] (one entry per output) to the spec, "
            "or pass --target on the command line"
        )
    rule = _prepare(network)
    automatic = direct is None
    if automatic:
        direct = _parameter_count(network) <= DIRECT_LIMIT and len(network.layers) <= DIRECT_LAYERS
    with budget(SECONDS) if network.timed else unbounded():  # the lecture's own network is never timed
        result = guarded(f"{network.where()}backpropagation", _flow, network)
        # The engine's steps are kept as derived (a product left unevaluated), which a copy from the guarded
        # child would not be: the parent's own derivation is the same one, found once.
        result = replace(result, output=rule)
        how, note = "not computed", ""
        if direct:  # in a child of its own: where it does not finish in the rest of the budget, the rest stands
            try:
                directly, how = guarded("direct differentiation", _direct_check, network, result)
                result = replace(
                    result,
                    gradients=tuple(replace(g, direct=d) for g, d in zip(result.gradients, directly, strict=True)),
                )
            except OutOfTime:
                note = f"direct differentiation: {NOT_IN_TIME}"
        elif automatic:
            note = "direct differentiation runs on networks of at most "
            note += f"{DIRECT_LIMIT} parameters and {DIRECT_LAYERS} layers"
    notes = "; ".join(filter(None, [result.checks.note, note]))
    return replace(result, checks=replace(result.checks, direct=how, note=notes))


def _prepare(network: Network) -> OutputDelta:
    """What the flow and its views look up about each activation, found here once (the guarded child that runs
    the flow inherits it; nothing the child finds comes back but its result), and the output layer's δ."""
    for layer in network.layers:
        numeric_activation(layer)
        slope_function(layer)
        if not layer.is_identity:
            d = derive(layer.activation, {s.name: v for s, v in layer.values})
            d.output_form, d.kinks  # noqa: B018 - computed here, once
            derive(layer.activation).output_form  # noqa: B018 - the chain rule's form, at the declared values
    return through(network.loss, network.layers[-1].activation)


def _flow(network: Network) -> Backward:
    """The whole flow but direct differentiation (``backpropagate`` adds it)."""
    result = forward(network)
    declared, target = network.loss, network.target
    outputs = result.steps[-1].exact
    evaluate = Evaluator()
    _check_outputs(network, declared, outputs, evaluate)
    value = exact_loss(declared, outputs, target)
    rule = through(declared, network.layers[-1].activation)

    chain_deltas, backs, slopes = chain_rule(network, result, rule)
    chain = weight_gradients(network, result, chain_deltas)
    numeric_deltas, numeric = _numeric(network, result, rule)

    delta_values = [evaluate.matrix(d) for d in chain_deltas]
    gradient_values = [evaluate.matrix(g) for g in chain]
    fd, fd_note = finite_differences(network, result)
    gradients = tuple(
        Gradient(
            "W" if k % 2 == 0 else "B",
            k // 2 + 1,
            chain[k],
            gradient_values[k],
            numeric[k],
            None,
            None if fd is None else fd[k],
        )
        for k in range(len(chain))
    )
    deltas = tuple(
        Delta(number, chain_deltas[number - 1], delta_values[number - 1], numeric_deltas[number - 1], *extra)
        for number, extra in enumerate(zip(backs, slopes, strict=True), start=1)
    )
    loss_value = float(evaluate(value))
    with np.errstate(over="ignore", invalid="ignore"):
        loss_numeric = float(np.mean(numpy_loss(declared)(result.steps[-1].numeric, floats(target))))
    checks = compared(gradients, deltas, fd, fd_note, result, loss_numeric, evaluate(value))
    update = gradient_step(network, chain, numeric, value, loss_numeric, evaluate)
    return Backward(result, declared, target, value, loss_value, loss_numeric, rule, deltas, gradients, update, checks)


def _direct_check(network: Network, result: Backward) -> tuple[list[ImmutableMatrix], str]:
    """The gradients by ``sympy.diff`` of the written-out loss, and how they equal the chain rule's."""
    directly = _direct(network, result.forward)
    how = "identical"
    for g, d in zip(result.gradients, directly, strict=True):
        for a, b in zip(g.exact, d, strict=True):
            found = equal(a, b)
            if ORDER.index(found) > ORDER.index(how):
                how = found
    return directly, how


def target_from_text(text: str) -> ImmutableMatrix:
    """A target from the command line: "1, 0" (one example) or "1, 0; 0, 1" (one row per example)."""
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


def _check_outputs(network: Network, declared: Loss, outputs: ImmutableMatrix, evaluate: Evaluator) -> None:
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
                    f"{network.where()}loss {declared.name} needs every output in {_interval(allowed)}, but "
                    f"Y[{r + 1},{c + 1}] = {mpmath.nstr(number, 6)} (output activation {last}); "
                    f"use --output-activation {declared.pairs_with}"
                )


def _interval(interval: Any) -> str:
    """(0, 1), (0, 1]: an interval as a lecturer writes it."""
    hi = "∞" if interval.sup.is_infinite else str(interval.sup)
    left, right = "(" if interval.left_open else "[", ")" if interval.right_open else "]"
    return f"{left}{interval.inf}, {hi}{right}"


# --------------------------------------------------------------------------- direct differentiation


def _direct(network: Network, result: Forward) -> list[ImmutableMatrix]:
    """sympy.diff of the loss written out in the parameter symbols, per parameter, with the values put in."""
    symbols = [(g.weights, g.bias) for g in result.general]
    values: dict[Any, Expr] = {}
    for (w, b), layer in zip(symbols, network.layers, strict=True):
        values |= dict(zip(w, layer.weights, strict=True)) | dict(zip(b, layer.bias, strict=True))
    outputs = layer_by_layer(network.layers, network.inputs, EXACT, symbols)[-1][1]
    expanded = exact_loss(network.loss, outputs, network.target).doit()  # every activation by its definition
    out = []
    for w, b in symbols:
        for m in (w, b):
            out.append(ImmutableMatrix(m.rows, m.cols, lambda r, c, m=m: diff(expanded, m[r, c]).xreplace(values)))
    return out


# --------------------------------------------------------------------------- float64


def _numeric(network: Network, result: Forward, rule: OutputDelta) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """δ's and gradients by float64 backpropagation, from the float64 Z and H of the forward pass."""
    passes = [(z.numeric, h.numeric) for z, h in zip(result.steps[::2], result.steps[1::2], strict=True)]
    return backprop(network, passes, rule)


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
    "target_from_text",
]
