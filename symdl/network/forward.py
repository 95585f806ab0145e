"""The forward pass three ways, one layer recurrence under all of them, and the check that they agree.

Row vectors, as on the lecture's "선형함수" slide: ``Z = H W + B``, ``H = f(Z)``, layer after layer from
``H = X``, the last ``H`` being ``Y`` (``layer_by_layer``, the only place this recurrence is written).
The forward pass is computed

- **general**: every input, weight and bias a symbol (``x_1``, ``w1_11``, ``b1_1``), one example's row,
  each layer written in the previous layer's named outputs (``h1_1``, ...), so the formula grows linearly
  with depth (``Forward.together`` puts the layers into one formula where that stays short);
- **exact**: the spec's numbers as exact rationals (the lecture's 0.5 is 1/2), activations kept by name
  where their value is not rational (σ(4) stays σ(4); ``.doit()`` writes out its definition);
- **numeric**: NumPy float64 with symdl's compiled activations.

``Forward.agreement`` says how they were compared: exact against numeric in units in the last place (where
float64 overflows or gives NaN, that is said instead: never agreement), the general formula with the values
and the previous layer's exact outputs substituted against the exact result, symbolically.

The pass runs under symdl's time budget (``symdl.budget``): a network whose exact pass does not finish in
``SECONDS`` raises ``OutOfTime`` ("not found within the time limit").
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from sympy import Expr, Float, ImmutableMatrix, Symbol, latex

from symdl.budget import budget, guarded, unbounded
from symdl.network.agreement import Agreement, general_vs_exact, largest_ulps, non_finite
from symdl.network.exact import Evaluator, floats, product, tree_size
from symdl.numeric.compile import numpy_function

if TYPE_CHECKING:  # the records this pass reads; symdl.network.spec imports this module for Network.forward()
    from symdl.network.spec import Layer, Network

TOLERANCE_ULPS = 4  # exact and float64 agree if every entry is within this many ulps of its row's scale
TOGETHER = 400  # the layers are put into one formula only where it has at most this many nodes
SECONDS = 5.0  # the time budget of a pass: with starting up and writing the views, an answer within 10 s


# --------------------------------------------------------------------------- one layer after another


@dataclass(frozen=True)
class Arithmetic:
    """How a pass computes: exact (or in symbols) with SymPy matrices, or in NumPy float64.

    A matrix is an ``ImmutableMatrix`` or an ``np.ndarray`` according to the arithmetic.
    """

    affine: Callable[[Any, Any, Any], Any]  # (H, W, B) -> H W + B, B added to every row
    activate: Callable[[Layer, Any], Any]  # (layer, Z) -> f(Z)
    entries: Callable[[ImmutableMatrix], Any]  # an exact matrix (a layer's W or B) in this arithmetic


def _exact_affine(h: ImmutableMatrix, w: ImmutableMatrix, b: ImmutableMatrix) -> ImmutableMatrix:
    return ImmutableMatrix(product(h, w) + ImmutableMatrix.ones(h.rows, 1) * b)


def _float_affine(h: np.ndarray, w: np.ndarray, b: np.ndarray) -> np.ndarray:
    with np.errstate(over="ignore", invalid="ignore"):  # an overflow is reported by the checks, never warned
        return h @ w + b


EXACT = Arithmetic(_exact_affine, lambda layer, z: layer.apply(z), lambda m: m)
FLOAT64 = Arithmetic(_float_affine, lambda layer, z: numeric_activation(layer)(z), floats)


def layer_by_layer(
    layers: Sequence[Layer], inputs: Any, arithmetic: Arithmetic, weights: Sequence[tuple[Any, Any]] | None = None
) -> list[tuple[Any, Any]]:
    """(Z, H) of every layer: ``Z = H W + B``, ``H = f(Z)`` from ``H = inputs`` (X in the arithmetic's kind).

    ``weights``: (W, B) of every layer, in the arithmetic's kind; by default the layers' own.
    """
    if weights is None:
        weights = [(arithmetic.entries(layer.weights), arithmetic.entries(layer.bias)) for layer in layers]
    h, out = inputs, []
    for layer, (w, b) in zip(layers, weights, strict=True):
        z = arithmetic.affine(h, w, b)
        h = arithmetic.activate(layer, z)
        out.append((z, h))
    return out


def numeric_activation(layer: Layer) -> Callable[[np.ndarray], np.ndarray]:
    """The layer's activation in float64: symdl's compiled NumPy function (a vector one along each row)."""
    if layer.is_identity:
        return lambda z: z
    f = numpy_function(layer.activation)
    params = {s.name: float(v) for s, v in layer.values}

    def activate(z: np.ndarray) -> np.ndarray:
        with np.errstate(over="ignore", invalid="ignore"):  # inf or NaN in Z after an overflow: reported, not warned
            return np.asarray(f(z, **params), dtype=np.float64)

    return activate


# --------------------------------------------------------------------------- the forward pass


@dataclass(frozen=True, eq=False)
class Intermediate:
    """One matrix of the forward pass (Z1, H1, ..., Y) in its three forms."""

    name: str
    general: ImmutableMatrix  # one example's row in x_i (or the previous layer's h{l-1}_i), w{l}_{ij}, b{l}_j
    exact: ImmutableMatrix  # examples × units
    numeric: np.ndarray  # examples × units, float64

    def digits(self, count: int = 15) -> ImmutableMatrix:
        """The exact values to ``count`` significant digits."""
        evaluate = Evaluator()
        return ImmutableMatrix(self.exact.applyfunc(lambda e: Float(evaluate(e), count)))


@dataclass(frozen=True)
class GeneralLayer:
    """One layer in symbols: its input row (x_i or the previous h_i), W, B, z_j and h_j (or y_j)."""

    inputs: ImmutableMatrix  # 1 × inputs
    weights: ImmutableMatrix  # inputs × units, w{l}_{ij}
    bias: ImmutableMatrix  # 1 × units, b{l}_j
    z: ImmutableMatrix  # 1 × units: z{l}_j
    h: ImmutableMatrix  # 1 × units: h{l}_j, or y_j for the output layer
    pre_activation: ImmutableMatrix  # inputs · weights + bias, in this layer's symbols
    activated: ImmutableMatrix  # f(z), in the symbols z{l}_j


@dataclass(frozen=True, eq=False)
class Forward:
    """The forward pass of a network: every intermediate (Z1, H1, ..., Y) general, exact and numeric."""

    network: Network
    steps: tuple[Intermediate, ...]
    general: tuple[GeneralLayer, ...]
    agreement: Agreement

    def __getitem__(self, name: str) -> Intermediate:
        for step in self.steps:
            if step.name == name:
                return step
        raise KeyError(f"no intermediate {name!r}; there are {', '.join(s.name for s in self.steps)}")

    def __getattr__(self, name: str) -> Intermediate:
        if re.fullmatch(r"[ZH]\d+|Y", name):
            try:
                return self[name]
            except KeyError:
                pass
        raise AttributeError(name)

    def __iter__(self) -> Iterator[Intermediate]:
        return iter(self.steps)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(step.name for step in self.steps)

    def layer_input(self, number: int) -> ImmutableMatrix:
        """What layer ``number`` (from 1) multiplies, exactly: X for the first, else the previous H."""
        return self.network.inputs if number == 1 else self.steps[2 * number - 3].exact

    def product(self, number: int) -> ImmutableMatrix:
        """H W of layer ``number`` before its bias is added, exactly (X W1 for the first)."""
        return product(self.layer_input(number), self.network.layers[number - 1].weights)

    @property
    def symbols(self) -> dict[Symbol, tuple[str, int, int, int]]:
        """Every symbol of the general form: (kind, layer, row, column); x_i is ("x", 0, 1, i)."""
        out: dict[Symbol, tuple[str, int, int, int]] = {}
        for number, g in enumerate(self.general, start=1):
            if number == 1:
                out |= {s: ("x", 0, 1, c + 1) for c, s in enumerate(g.inputs)}
            out |= {
                g.weights[r, c]: ("w", number, r + 1, c + 1)
                for r in range(g.weights.rows)
                for c in range(g.weights.cols)
            }
            out |= {s: ("b", number, 1, c + 1) for c, s in enumerate(g.bias)}
            out |= {s: ("z", number, 1, c + 1) for c, s in enumerate(g.z)}
            kind = "y" if number == len(self.general) else "h"
            out |= {s: (kind, number, 1, c + 1) for c, s in enumerate(g.h)}
        return out

    def together(self, limit: int = TOGETHER) -> ImmutableMatrix | None:
        """The last layer's Z (Y for an identity output) in x_i, w and b alone, the layers put into each other;
        None where that formula would have more than ``limit`` nodes (it grows exponentially with depth)."""
        previous: dict[Symbol, Expr] = {}
        memo: dict[Any, int] = {}
        for number, g in enumerate(self.general, start=1):
            z = ImmutableMatrix(g.pre_activation.xreplace(previous))
            if any(tree_size(e, memo) > limit for e in z):
                return None
            if number == len(self.general):
                return z
            h = ImmutableMatrix(g.activated.xreplace(dict(zip(g.z, z, strict=True))))
            previous = dict(zip(g.h, h, strict=True))
        return None  # pragma: no cover - a network has a layer

    def _repr_latex_(self) -> str:
        parts = [f"{_tex_name(step.name)} = {latex(step.exact, mat_delim='[')}" for step in self.steps]
        return "$\\displaystyle " + r",\quad ".join(parts) + "$"


def _tex_name(name: str) -> str:
    return name if name == "Y" else f"{name[0]}^{{({name[1:]})}}"


def forward(network: Network) -> Forward:
    """The forward pass three ways; see the module docstring.  ``OutOfTime`` if not done within the budget."""
    for layer in network.layers:  # compiled here: kept for every later pass (the guarded child's work is not)
        numeric_activation(layer)
    with budget(SECONDS) if network.timed else unbounded():
        return guarded(f"{network.where()}the exact forward pass", _forward, network)


def _forward(network: Network) -> Forward:
    general = _general(network)
    exact = _exact(network)
    numeric = _numeric(network)
    names = _names(len(network.layers))
    named = _named(general)
    steps = tuple(Intermediate(name, named[k], exact[k], numeric[k]) for k, name in enumerate(names))
    agreement = Agreement(
        *largest_ulps(network, steps), TOLERANCE_ULPS, general_vs_exact(network, general, steps), non_finite(steps)
    )
    return Forward(network, steps, general, agreement)


def _names(layers: int) -> list[str]:
    names = []
    for number in range(1, layers + 1):
        names += [f"Z{number}", "Y" if number == layers else f"H{number}"]
    return names


def _general(network: Network) -> tuple[GeneralLayer, ...]:
    """Each layer in symbols: z{l}_j = sum_i h{l-1}_i w{l}_{ij} + b{l}_j, h{l}_j = f(z{l}_j)."""
    wide = max(network.sizes) >= 10  # w1_1,12 rather than w1_112
    sep = "," if wide else ""
    inputs = ImmutableMatrix([[Symbol(f"x_{c}", real=True) for c in range(1, network.inputs.cols + 1)]])
    out = []
    for number, layer in enumerate(network.layers, start=1):
        w = ImmutableMatrix(
            layer.weights.rows,
            layer.weights.cols,
            lambda r, c, number=number: Symbol(f"w{number}_{r + 1}{sep}{c + 1}", real=True),
        )
        b = ImmutableMatrix([[Symbol(f"b{number}_{c}", real=True) for c in range(1, layer.units + 1)]])
        z = ImmutableMatrix([[Symbol(f"z{number}_{c}", real=True) for c in range(1, layer.units + 1)]])
        last = number == len(network.layers)
        h = ImmutableMatrix(
            [[Symbol(f"y_{c}" if last else f"h{number}_{c}", real=True) for c in range(1, layer.units + 1)]]
        )
        out.append(GeneralLayer(inputs, w, b, z, h, EXACT.affine(inputs, w, b), EXACT.activate(layer, z)))
        inputs = h
    return tuple(out)


def _named(general: tuple[GeneralLayer, ...]) -> list[ImmutableMatrix]:
    """Z1, H1, ..., Y, each in its own layer's symbols: Z_l in the previous layer's named outputs (x_i for
    the first), w and b; H_l = f(Z_l) in the same symbols.  Linear in depth; ``Forward.together`` composes."""
    out: list[ImmutableMatrix] = []
    for g in general:
        z = g.pre_activation
        out += [z, ImmutableMatrix(g.activated.xreplace(dict(zip(g.z, z, strict=True))))]
    return out


def _exact(network: Network) -> list[ImmutableMatrix]:
    return [m for pass_ in layer_by_layer(network.layers, network.inputs, EXACT) for m in pass_]


def _numeric(network: Network) -> list[np.ndarray]:
    return [m for pass_ in layer_by_layer(network.layers, floats(network.inputs), FLOAT64) for m in pass_]


__all__ = [
    "EXACT",
    "FLOAT64",
    "SECONDS",
    "TOLERANCE_ULPS",
    "Agreement",
    "Arithmetic",
    "Forward",
    "GeneralLayer",
    "Intermediate",
    "forward",
    "layer_by_layer",
    "numeric_activation",
]
