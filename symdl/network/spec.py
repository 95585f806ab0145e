"""The lecture's network as data: a dense network's spec (TOML), its layers, and an activation kept by name.

Row vectors, as on the lecture's "선형함수" slide: ``Z = X W + B``, ``H = f(Z)``, layer after layer, the
last ``H`` being ``Y``.  A spec is read exactly (the lecture's 0.5 is 1/2) and checked as it is read: every
shape, key, number and name, each problem one line naming the place and the fix.  ``Network.forward()``
hands the network to ``symdl.network.forward``, which reads it only through these records.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from importlib import resources
from pathlib import Path
from typing import Any

from sympy import Expr, ImmutableMatrix, Rational, Symbol

from symdl.catalog import CATALOGUE, Activation, activation, i, n, parse_number, x, xs
from symdl.errors import BadNetwork, BadParameter, UnknownLoss
from symdl.network.applied import Applied, applied
from symdl.network.entries import (
    MAX_EXAMPLES,
    MAX_LAYERS,
    MAX_PARAMETERS,
    MAX_TEXT,
    MAX_UNITS,
    TomlFloat,
    all_fit_float64,
    at_most,
    exact_number,
    known_keys,
    located,
    matrix,
    plain_number,
    shape,
    shown,
)
from symdl.network.forward import Forward, forward
from symdl.network.losses import Loss, loss, target_problem
from symdl.parse import define

LAYER_KEYS = ("W", "B", "activation", "parameters")
TOP_KEYS = ("X", "target", "loss", "learning_rate", "layer", "activations")
DEFAULT_LOSS = "mse"  # the loss when a spec names none (symdl.network.losses)
DEFAULT_LEARNING_RATE = Rational(1, 100)  # η when a spec gives none: the lecture's network's loss goes down with it


# --------------------------------------------------------------------------- the spec


@dataclass(frozen=True)
class Layer:
    """One dense layer: ``Z = H W + B``, ``H' = f(Z)``; weights and bias exact, the activation's parameter values."""

    weights: ImmutableMatrix  # inputs × units
    bias: ImmutableMatrix  # 1 × units
    activation: Activation
    values: tuple[tuple[Symbol, Expr], ...] = ()  # every parameter of the activation, with its value

    def __post_init__(self) -> None:
        object.__setattr__(self, "weights", ImmutableMatrix(self.weights))
        object.__setattr__(self, "bias", ImmutableMatrix(self.bias))
        if not self.values and self.activation.parameters:  # built by hand: the declared defaults
            object.__setattr__(self, "values", _values(self.activation, None))

    @property
    def units(self) -> int:
        return self.weights.cols

    @property
    def is_identity(self) -> bool:
        return self.activation.definition == x

    def apply(self, z: ImmutableMatrix) -> ImmutableMatrix:
        """f(Z) entry by entry (a vector activation row by row), exactly or in symbols."""
        act = self.activation
        if not act.is_vector:
            f = applied(act, self.values)
            return ImmutableMatrix(z.applyfunc(f))
        rows = []
        for r in range(z.rows):
            row = z.row(r)
            replace_ = {xs[k + 1]: row[k] for k in range(z.cols)}
            rows.append(
                [
                    act.definition.subs(dict(self.values)).subs({n: z.cols, i: c + 1}).doit().xreplace(replace_)
                    for c in range(z.cols)
                ]
            )
        return ImmutableMatrix(rows)


@dataclass(frozen=True)
class Network:
    """A dense network: the input ``X`` (one row per example) and its layers; everything exact."""

    inputs: ImmutableMatrix  # X: examples × inputs
    layers: tuple[Layer, ...]
    source: str = ""  # where the spec came from, for messages
    target: ImmutableMatrix | None = None  # T: examples × outputs, what Y should be; needed for the loss
    loss: Loss | str = DEFAULT_LOSS  # a name or alias of symdl.network.losses; kept as the declaration
    learning_rate: Expr | str | int = DEFAULT_LEARNING_RATE  # η of the gradient-descent update, exact
    builtin: bool = False  # the lecture's own network (``lecture_network``), not a spec a user wrote

    @property
    def timed(self) -> bool:
        """Whether its passes run under the time budget: a user's spec or activation does; the lecture's network
        with catalogue activations does not, so its output never depends on the clock."""
        return not (self.builtin and all(layer.activation in CATALOGUE for layer in self.layers))

    def __post_init__(self) -> None:
        object.__setattr__(self, "inputs", ImmutableMatrix(self.inputs))
        object.__setattr__(self, "layers", tuple(self.layers))
        self._training()
        if not self.layers:
            raise BadNetwork(f"{self.where()}no layers; add a [[layer]] table with W, B and activation")
        self._within_limits()
        columns, name = self.inputs.cols, "X"
        for number, layer in enumerate(self.layers, start=1):
            w = layer.weights
            if w.rows != columns:
                raise BadNetwork(
                    f"{self.where()}layer {number}: {name} is {shape(self.inputs.rows, columns)} but W{number} is "
                    f"{shape(w.rows, w.cols)}; W{number} needs {columns} rows, one per column of {name}"
                )
            if layer.bias.shape != (1, w.cols):
                raise BadNetwork(
                    f"{self.where()}layer {number}: B{number} has {layer.bias.cols} entries but W{number} has "
                    f"{w.cols} columns; B{number} needs one entry per column of W{number}"
                )
            columns, name = w.cols, f"H{number}"
        self._check_target()
        for name, m in self._matrices():
            all_fit_float64(m, name, self.where())
        all_fit_float64(ImmutableMatrix([[self.learning_rate]]), "learning_rate", self.where(), whole=True)

    def _within_limits(self) -> None:
        """The sizes symdl computes in seconds (``MAX_UNITS``, ``MAX_LAYERS``, ``MAX_PARAMETERS``, ``MAX_EXAMPLES``)."""
        where = self.where()
        at_most(len(self.layers), MAX_LAYERS, f"{where}the network has {{count}} layers", "layers")
        at_most(self.inputs.rows, MAX_EXAMPLES, f"{where}X has {{count}} rows", "examples (rows of X)")
        at_most(self.inputs.cols, MAX_UNITS, f"{where}X has {{count}} inputs", "units per layer")
        for number, layer in enumerate(self.layers, start=1):
            at_most(layer.units, MAX_UNITS, f"{where}layer {number} has {{count}} units", "units per layer")
        count = sum(layer.weights.rows * layer.weights.cols + layer.units for layer in self.layers)
        at_most(count, MAX_PARAMETERS, f"{where}the network has {{count}} weights and biases", "parameters")
        examples = self.inputs.rows
        if examples > 1:
            at_most(
                count * examples,
                MAX_PARAMETERS,
                f"{where}the network has {count} weights and biases and X {examples} rows, {{count}} together",
                "parameters times examples",
            )

    def _matrices(self) -> Iterator[tuple[str, ImmutableMatrix]]:
        """Every matrix of numbers the spec gives, by name: X, W1, B1, ..., the target."""
        yield "X", self.inputs
        for number, layer in enumerate(self.layers, start=1):
            yield f"W{number}", layer.weights
            yield f"B{number}", layer.bias
        if self.target is not None:
            yield "target", self.target

    def _training(self) -> None:
        """The loss as its declaration, η exact and positive; a target, if any, as an exact matrix."""
        try:
            object.__setattr__(self, "loss", loss(self.loss))
        except UnknownLoss as error:
            raise UnknownLoss(f"{self.where()}{error}") from None
        if not isinstance(self.learning_rate, Expr):
            try:
                rate = parse_number(self.learning_rate, f"{self.where()}learning_rate")
            except BadParameter as error:
                raise BadNetwork(str(error)) from None
            object.__setattr__(self, "learning_rate", rate)
        if not (self.learning_rate.is_Rational and self.learning_rate > 0):
            raise BadNetwork(
                f"{self.where()}learning_rate is {self.learning_rate}; it must be a positive number such as 0.01"
            )
        if self.target is not None:
            object.__setattr__(self, "target", ImmutableMatrix(self.target))

    def _check_target(self) -> None:
        """One target row per example, one entry per output, and a target the loss can take."""
        if self.target is None:
            return
        rows, units = self.inputs.rows, self.layers[-1].units
        if self.target.shape != (rows, units):
            example = "[" + ", ".join(["1"] + ["0"] * (units - 1)) + "]"
            raise BadNetwork(
                f"{self.where()}target is {shape(*self.target.shape)} but Y is {shape(rows, units)}; "
                f"write one row of {units} entries per row of X, e.g. target = {example}"
            )
        for r in range(rows):
            row = list(self.target.row(r))
            problem = target_problem(self.loss, row)
            if problem is not None:
                shown = "[" + ", ".join(str(v) for v in row) + "]"
                raise BadNetwork(f"{self.where()}target row {r + 1} is {shown}: {problem}")

    def where(self) -> str:
        """Where the spec came from, as the start of a message ("lecture01.toml: "), or ""."""
        return f"{self.source}: " if self.source else ""

    # ------------------------------------------------------------------ reading

    @classmethod
    def from_toml(cls, path: str | Path) -> Network:
        """Read a spec (see ``examples/lecture01.toml``); bad input raises ``BadNetwork`` naming the problem."""
        path = Path(path)
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise BadNetwork(f"{path}: no such file; give the path of a network TOML file") from None
        except UnicodeDecodeError:
            raise BadNetwork(f"{path}: not UTF-8 text; save the network spec as UTF-8 TOML") from None
        except OSError as error:
            raise BadNetwork(f"{path}: cannot read it ({error.strerror})") from None
        return cls.from_text(text, str(path))

    @classmethod
    def from_text(cls, text: str, source: str = "") -> Network:
        """A spec from TOML text: floats keep their decimal text, so 0.5 becomes exactly 1/2."""
        where = f"{source}: " if source else ""
        if len(text) > MAX_TEXT:
            raise BadNetwork(
                f"{where}{len(text):,} characters, but a network within symdl's limits (see the README) is written "
                f"in far fewer than {MAX_TEXT:,}; use a smaller network"
            )
        try:
            data = tomllib.loads(text, parse_float=TomlFloat)
        except tomllib.TOMLDecodeError as error:
            raise BadNetwork(f"{where}not valid TOML: {error}; fix the file at that place") from None
        except ValueError:  # tomllib's int() of an integer past Python's 4,300-digit limit
            raise BadNetwork(f"{where}a number in the file is too long to read; write at most 50 digits") from None
        return cls.from_dict(data, source)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], source: str = "") -> Network:
        """A spec from parsed TOML (or Python data): ``X``, a list ``layer`` of {W, B, activation}, ``activations``."""
        where = f"{source}: " if source else ""
        known_keys(data, TOP_KEYS, "", where)
        custom = data.get("activations", {})
        if not isinstance(custom, Mapping):
            raise BadNetwork(f'{where}activations must be a table such as [activations] myact = "x*tanh(x)"')
        for name, text in custom.items():
            _define(name, text, where)
        if "X" not in data:
            raise BadNetwork(f"{where}missing X; write the input as X = [1, 2, 1] (or a list of rows for a batch)")
        inputs = matrix(data["X"], "X", where, row_ok=True)
        raw_layers = data.get("layer")
        if not isinstance(raw_layers, list) or not raw_layers:
            raise BadNetwork(f"{where}no layers; add a [[layer]] table with W, B and activation for each layer")
        at_most(len(raw_layers), MAX_LAYERS, f"{where}the network has {{count}} layers", "layers")
        layers = tuple(_layer(raw, number, where) for number, raw in enumerate(raw_layers, start=1))
        target = matrix(data["target"], "target", where, row_ok=True) if "target" in data else None
        name = data.get("loss", DEFAULT_LOSS)
        if not isinstance(name, str):
            raise BadNetwork(f'{where}loss must be a name such as "mse" or "cross_entropy", got {shown(name)}')
        rate = DEFAULT_LEARNING_RATE
        if "learning_rate" in data:
            rate = exact_number(data["learning_rate"], f"{where}learning_rate")
        return cls(inputs, layers, source, target, name, rate)

    # ------------------------------------------------------------------ variants

    def with_activations(
        self, hidden: str | Activation | None = None, output: str | Activation | None = None
    ) -> Network:
        """The same network with the activation of every hidden layer, or of the output layer, swapped.

        The new activation takes its default parameters.
        """
        layers = list(self.layers)
        if hidden is not None:
            if len(layers) < 2:
                raise BadNetwork(f"{self.where()}this network has no hidden layer; use the output activation instead")
            act = activation(hidden)
            layers[:-1] = [replace(layer, activation=act, values=_values(act, None)) for layer in layers[:-1]]
        if output is not None:
            act = activation(output)
            layers[-1] = replace(layers[-1], activation=act, values=_values(act, None))
        return replace(self, layers=tuple(layers))

    @property
    def sizes(self) -> tuple[int, ...]:
        """Units per layer, the input first: (3, 3, 2) for the lecture's network."""
        return (self.inputs.cols, *(layer.units for layer in self.layers))

    def forward(self) -> Forward:
        """The forward pass three ways (general, exact, numeric), and whether they agree."""
        return forward(self)


def lecture_network() -> Network:
    """The lecture's 3-3-2 network, exactly as on its "선형함수" slide (identity activations)."""
    text = resources.files("symdl").joinpath("data/lecture01.toml").read_text(encoding="utf-8")
    return replace(Network.from_text(text, "lecture01.toml"), builtin=True)


def _define(name: str, text: Any, where: str) -> None:
    if not isinstance(text, str):
        raise BadNetwork(f'{where}activations.{name} must be a formula in x as text, e.g. "x*tanh(softplus(x))"')
    with located(f"{where}activations.{name}"):
        define(name, text)


def _layer(raw: Any, number: int, where: str) -> Layer:
    what = f"layer {number}"
    known_keys(raw, LAYER_KEYS, what, where)
    for key, example in (
        ("W", "W = [[1, 0.5], [-1, 0.5]]"),
        ("B", "B = [1, -0.5]"),
        ("activation", 'activation = "identity" (or any name `symdl list` shows)'),
    ):
        if key not in raw:
            raise BadNetwork(f"{where}{what}: missing {key}; write {example}")
    weights = matrix(raw["W"], f"W{number}", f"{where}{what}: ", row_ok=False)
    bias = matrix(raw["B"], f"B{number}", f"{where}{what}: ", row_ok=True)
    if bias.rows != 1:
        raise BadNetwork(f"{where}{what}: B{number} must be one row, e.g. B = [1, -0.5]; got {bias.rows} rows")
    name = raw["activation"]
    if not isinstance(name, str):
        raise BadNetwork(f'{where}{what}: activation must be a name such as "relu", got {shown(name)}')
    with located(f"{where}{what}"):
        act = activation(name)
        params = raw.get("parameters")
        if params is not None and not isinstance(params, Mapping):
            raise BadNetwork(f"parameters must be a table such as {{ alpha = 0.2 }}, got {shown(params)}")
        values = _values(act, params)
    return Layer(weights, bias, act, values)


def _values(act: Activation, params: Mapping[str, Any] | None) -> tuple[tuple[Symbol, Expr], ...]:
    given = {key: plain_number(value) for key, value in (params or {}).items()}
    return tuple(act.values(given).items())  # in the declaration's order, as Activation.values keeps it


__all__ = [
    "DEFAULT_LEARNING_RATE",
    "DEFAULT_LOSS",
    "MAX_EXAMPLES",
    "MAX_LAYERS",
    "MAX_PARAMETERS",
    "MAX_TEXT",
    "MAX_UNITS",
    "Applied",
    "Layer",
    "Network",
    "applied",
    "lecture_network",
]
