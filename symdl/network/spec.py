"""The lecture's network as data: a dense network's spec (TOML), its layers, and an activation kept by name.

Row vectors, as on the lecture's "선형함수" slide: ``Z = X W + B``, ``H = f(Z)``, layer after layer, the
last ``H`` being ``Y``.  A spec is read exactly (the lecture's 0.5 is 1/2) and checked as it is read: every
shape, key, number and name, each problem one line naming the place and the fix.  ``Network.forward()``
hands the network to ``symdl.network.forward``, which reads it only through these records.
"""

from __future__ import annotations

import math
import re
import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import mpmath
from sympy import Expr, Float, Function, ImmutableMatrix, Rational, Symbol

from symdl.catalog import CATALOGUE, Activation, activation, i, n, parse_number, x, xs
from symdl.errors import BadNetwork, BadParameter, SymdlError, UnknownLoss
from symdl.network.exact import DIGITS, Evaluator, fits_float64
from symdl.network.forward import Forward, forward
from symdl.network.losses import Loss, loss, target_problem
from symdl.parse import define

# The size of network symdl computes (README, "The lecture's network"): within these every command answers
# within 10 s on a 2-core machine (measured at the limits: sigmoid, tanh, ReLU and softmax networks, every
# view); beyond them a spec is refused at load.  The exact work grows with the parameters times the examples.
MAX_UNITS = 32  # neurons per layer, the inputs counting as layer 0
MAX_LAYERS = 16  # layers with weights (hidden and output)
MAX_PARAMETERS = 1400  # weights and biases together, times the examples: each example is a pass of its own
MAX_EXAMPLES = 8  # rows of X
MAX_TEXT = 1_000_000  # characters of a spec file: one within the limits is far shorter

LAYER_KEYS = ("W", "B", "activation", "parameters")
TOP_KEYS = ("X", "target", "loss", "learning_rate", "layer", "activations")
DEFAULT_LOSS = "mse"  # the loss when a spec names none (symdl.network.losses)
DEFAULT_LEARNING_RATE = Rational(1, 100)  # η when a spec gives none: the lecture's network's loss goes down with it


# --------------------------------------------------------------------------- an activation applied, kept by name


class Applied(Function):
    """An activation applied to one number or formula, written by its name: σ(4), not 1/(1 + e^{-4}).

    Its value is the activation's definition at the argument (``doit``); where that value is rational
    (ReLU(−2) = 0) or the definition is itself a named function (tanh(4)) the value is used directly.  Only a
    single number is worked out so: an argument that holds the previous layer's values (σ(σ(4) − σ(3) + 1))
    stays by name, since SymPy would evaluate it by walking every path back through the network.
    """

    activation: Activation
    values: tuple[tuple[Symbol, Expr], ...] = ()

    @classmethod
    def eval(cls, arg: Expr) -> Expr | None:
        definition = cls.activation.definition
        if definition == x:
            return arg
        if not arg.is_Number:
            return None
        try:
            value = cls._value(arg)
        except OverflowError:  # exp(1e400): beyond what mpmath computes; kept by name, and said when evaluated
            return None
        if isinstance(definition, Function) and definition.args == (x,):
            return value  # tanh(4): SymPy's own function, printed alike
        return value if _short(value) else None

    @classmethod
    def _value(cls, arg: Expr) -> Expr:
        return cls.activation.definition.subs(dict(cls.values)).subs(x, arg)

    def doit(self, deep: bool = True, **hints: Any) -> Expr:
        arg = self.args[0].doit(deep=deep, **hints) if deep else self.args[0]
        value = self._value(arg)
        return value.doit(deep=deep, **hints) if deep else value

    def _eval_evalf(self, prec: int) -> Expr:
        """The argument as a number first, every shared part of it once (``Evaluator``: SymPy's own evalf would
        walk every path back through the network), then the definition at that number; kept on the node, as
        SymPy's printers evaluate every term of a sum to order it."""
        kept = self.__dict__.setdefault("_evalf", {})
        if prec not in kept:
            digits = mpmath.libmp.prec_to_dps(prec)
            arg = self.args[0]
            if not arg.is_Number:
                arg = Float(Evaluator()(arg), max(digits, DIGITS) + 20)
            try:
                kept[prec] = self._value(arg).doit().evalf(digits)
            except OverflowError:  # e^(1e400): no number; left as it is (symdl's Evaluator says so)
                kept[prec] = None
        return kept[prec]

    def _eval_is_real(self) -> bool:
        # Every argument in a network is real (numbers, or symbols declared real), and an activation is real and
        # finite on the whole real line (``define`` refuses any other): said at once, SymPy's assumption system
        # does not walk the argument, which in a deep network holds every path back through it.
        return True

    _eval_is_extended_real = _eval_is_finite = _eval_is_complex = _eval_is_real

    @property
    def is_number(self) -> bool:
        """Kept on the node: SymPy asks it of every sum it builds, and would walk the whole argument each time."""
        known = self.__dict__.get("_is_number")
        if known is None:
            known = self.__dict__["_is_number"] = bool(self.args[0].is_number)
        return known

    def __reduce_ex__(self, protocol: Any) -> tuple[Any, ...]:
        """Pickled as (activation, parameter values, argument): its class is made per activation, at run time."""
        return (_rebuilt, (self.activation, self.values, self.args[0]))

    def _latex(self, printer: Any) -> str:
        arg = printer._print(self.args[0])
        sized = r"\frac" in arg or r"\begin" in arg  # brackets as tall as what they hold
        return f"{self.activation.tex}\\left({arg}\\right)" if sized else f"{self.activation.tex}({arg})"

    def _sympystr(self, printer: Any) -> str:
        return f"{self.activation.name}({printer._print(self.args[0])})"


def _short(value: Expr) -> bool:
    """A rational short enough to write instead of the name: 0, -0.02, 11/24; not SELU(4)'s 32 digits."""
    return value.is_Rational and max(len(str(abs(value.p))), len(str(value.q))) <= 6


@cache
def applied(act: Activation, values: tuple[tuple[Symbol, Expr], ...] = ()) -> type[Applied]:
    """The SymPy function that applies ``act`` at these parameter values and prints with its name."""
    # Named "Applied" like its base: SymPy's printers dispatch a Function subclass by its class name.
    return type("Applied", (Applied,), {"activation": act, "values": values})


def _rebuilt(act: Activation, values: tuple[tuple[Symbol, Expr], ...], arg: Expr) -> Expr:
    return applied(act, values)(arg)


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
                    f"{self.where()}layer {number}: {name} is {_shape(self.inputs.rows, columns)} but W{number} is "
                    f"{_shape(w.rows, w.cols)}; W{number} needs {columns} rows, one per column of {name}"
                )
            if layer.bias.shape != (1, w.cols):
                raise BadNetwork(
                    f"{self.where()}layer {number}: B{number} has {layer.bias.cols} entries but W{number} has "
                    f"{w.cols} columns; B{number} needs one entry per column of W{number}"
                )
            columns, name = w.cols, f"H{number}"
        self._check_target()
        for name, m in self._matrices():
            _fits_float64(m, name, self.where())
        _fits_float64(ImmutableMatrix([[self.learning_rate]]), "learning_rate", self.where(), whole=True)

    def _within_limits(self) -> None:
        """The sizes symdl computes in seconds (``MAX_UNITS``, ``MAX_LAYERS``, ``MAX_PARAMETERS``, ``MAX_EXAMPLES``)."""
        where = self.where()
        _at_most(len(self.layers), MAX_LAYERS, f"{where}the network has {{count}} layers", "layers")
        _at_most(self.inputs.rows, MAX_EXAMPLES, f"{where}X has {{count}} rows", "examples (rows of X)")
        _at_most(self.inputs.cols, MAX_UNITS, f"{where}X has {{count}} inputs", "units per layer")
        for number, layer in enumerate(self.layers, start=1):
            _at_most(layer.units, MAX_UNITS, f"{where}layer {number} has {{count}} units", "units per layer")
        count = sum(layer.weights.rows * layer.weights.cols + layer.units for layer in self.layers)
        _at_most(count, MAX_PARAMETERS, f"{where}the network has {{count}} weights and biases", "parameters")
        examples = self.inputs.rows
        if examples > 1:
            _at_most(
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
                f"{self.where()}target is {_shape(*self.target.shape)} but Y is {_shape(rows, units)}; "
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
            data = tomllib.loads(text, parse_float=_TomlFloat)
        except tomllib.TOMLDecodeError as error:
            raise BadNetwork(f"{where}not valid TOML: {error}; fix the file at that place") from None
        except ValueError:  # tomllib's int() of an integer past Python's 4,300-digit limit
            raise BadNetwork(f"{where}a number in the file is too long to read; write at most 50 digits") from None
        return cls.from_dict(data, source)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], source: str = "") -> Network:
        """A spec from parsed TOML (or Python data): ``X``, a list ``layer`` of {W, B, activation}, ``activations``."""
        where = f"{source}: " if source else ""
        _known_keys(data, TOP_KEYS, "", where)
        custom = data.get("activations", {})
        if not isinstance(custom, Mapping):
            raise BadNetwork(f'{where}activations must be a table such as [activations] myact = "x*tanh(x)"')
        for name, text in custom.items():
            _define(name, text, where)
        if "X" not in data:
            raise BadNetwork(f"{where}missing X; write the input as X = [1, 2, 1] (or a list of rows for a batch)")
        inputs = _matrix(data["X"], "X", where, row_ok=True)
        raw_layers = data.get("layer")
        if not isinstance(raw_layers, list) or not raw_layers:
            raise BadNetwork(f"{where}no layers; add a [[layer]] table with W, B and activation for each layer")
        _at_most(len(raw_layers), MAX_LAYERS, f"{where}the network has {{count}} layers", "layers")
        layers = tuple(_layer(raw, number, where) for number, raw in enumerate(raw_layers, start=1))
        target = _matrix(data["target"], "target", where, row_ok=True) if "target" in data else None
        name = data.get("loss", DEFAULT_LOSS)
        if not isinstance(name, str):
            raise BadNetwork(f'{where}loss must be a name such as "mse" or "cross_entropy", got {_text(name)}')
        rate = DEFAULT_LEARNING_RATE
        if "learning_rate" in data:
            rate = _number(data["learning_rate"], f"{where}learning_rate")
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


class _TomlFloat(str):
    """A TOML float's own text (``0.5``, ``1_000.5``, ``nan``), so it can be read exactly."""


def _known_keys(table: Any, known: tuple[str, ...], what: str, where: str) -> None:
    """Refuse a key symdl does not read (a typo would otherwise be ignored); ``what`` is "layer 2" or "" (the top)."""
    if not isinstance(table, Mapping):
        raise BadNetwork(
            f"{where}{what or 'the spec'} must be a table with the keys {', '.join(known)}, got {_text(table)}"
        )
    for key in table:
        if key not in known:
            place = f"{what}: unknown key {key!r}" if what else f"unknown key {key!r} at the top"
            raise BadNetwork(f"{where}{place}; the keys are {', '.join(known)}")


def _define(name: str, text: Any, where: str) -> None:
    if not isinstance(text, str):
        raise BadNetwork(f'{where}activations.{name} must be a formula in x as text, e.g. "x*tanh(softplus(x))"')
    with _located(f"{where}activations.{name}"):
        define(name, text)


def _layer(raw: Any, number: int, where: str) -> Layer:
    what = f"layer {number}"
    _known_keys(raw, LAYER_KEYS, what, where)
    for key, example in (
        ("W", "W = [[1, 0.5], [-1, 0.5]]"),
        ("B", "B = [1, -0.5]"),
        ("activation", 'activation = "identity" (or any name `symdl list` shows)'),
    ):
        if key not in raw:
            raise BadNetwork(f"{where}{what}: missing {key}; write {example}")
    weights = _matrix(raw["W"], f"W{number}", f"{where}{what}: ", row_ok=False)
    bias = _matrix(raw["B"], f"B{number}", f"{where}{what}: ", row_ok=True)
    if bias.rows != 1:
        raise BadNetwork(f"{where}{what}: B{number} must be one row, e.g. B = [1, -0.5]; got {bias.rows} rows")
    name = raw["activation"]
    if not isinstance(name, str):
        raise BadNetwork(f'{where}{what}: activation must be a name such as "relu", got {_text(name)}')
    with _located(f"{where}{what}"):
        act = activation(name)
        params = raw.get("parameters")
        if params is not None and not isinstance(params, Mapping):
            raise BadNetwork(f"parameters must be a table such as {{ alpha = 0.2 }}, got {_text(params)}")
        values = _values(act, params)
    return Layer(weights, bias, act, values)


def _values(act: Activation, params: Mapping[str, Any] | None) -> tuple[tuple[Symbol, Expr], ...]:
    given = {key: _plain_number(value) for key, value in (params or {}).items()}
    return tuple(act.values(given).items())  # in the declaration's order, as Activation.values keeps it


class _located:
    """Re-raise a symdl error with where it happened in front: ``layer 2: unknown activation 'sigmoi'...``."""

    def __init__(self, where: str) -> None:
        self.where = where

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: type | None, error: BaseException | None, _tb: Any) -> None:
        if isinstance(error, SymdlError):  # every symdl error takes its one-line message as its only argument
            raise type(error)(f"{self.where}: {error}") from None


def _matrix(raw: Any, name: str, where: str, row_ok: bool) -> ImmutableMatrix:
    """An exact matrix from a list of rows (or, where ``row_ok``, one row written flat)."""
    example = "[1, 2, 1]" if row_ok else "[[1, 0.5], [-1, 0.5]]"
    if not isinstance(raw, list) or not raw:
        raise BadNetwork(f"{where}{name} must be a non-empty list such as {example}, got {_text(raw)}")
    flat = not any(isinstance(entry, list) for entry in raw)
    if flat and row_ok:
        raw = [raw]
    elif flat or not all(isinstance(row, list) for row in raw):
        raise BadNetwork(f"{where}{name} must be a list of rows such as {example}, got {_text(raw)}")
    width = len(raw[0])
    if row_ok:
        _at_most(len(raw), MAX_EXAMPLES, f"{where}{name} has {{count}} rows", "examples (rows of X)")
    else:
        _at_most(len(raw), MAX_UNITS, f"{where}{name} has {{count}} rows", "units per layer")
    _at_most(width, MAX_UNITS, f"{where}{name} has {{count}} columns", "units per layer")
    for r, row in enumerate(raw, start=1):
        if not row:
            raise BadNetwork(f"{where}{name} row {r} is empty; every row needs {width or 'at least one'} entries")
        if len(row) != width:
            raise BadNetwork(
                f"{where}{name} row {r} has {len(row)} entries but row 1 has {width}; every row needs {width}"
            )
    entry = (lambda r, c: f"{name}[{c}]") if len(raw) == 1 and row_ok else (lambda r, c: f"{name}[{r},{c}]")
    return ImmutableMatrix(
        [
            [_number(value, f"{where}{entry(r, c)}") for c, value in enumerate(row, start=1)]
            for r, row in enumerate(raw, 1)
        ]
    )


_NOT_FINITE = re.compile(r"^[+-]?(nan|inf(inity)?)$", re.IGNORECASE)


def _number(raw: Any, what: str) -> Expr:
    """One exact entry: an int, a TOML float's decimal text, or a string such as "1/2"."""
    text = _plain_number(raw)
    if isinstance(text, str) and _NOT_FINITE.match(text.strip()):
        raise BadNetwork(f"{what} is {text.strip()}; every entry must be a finite number")
    if isinstance(text, float) and not math.isfinite(text):
        raise BadNetwork(f"{what} is {text}; every entry must be a finite number")
    if isinstance(text, bool) or not isinstance(text, int | float | str | Rational):
        raise BadNetwork(f"{what}: expected a number such as 0.5 or 1/2, got {_text(raw)}")
    try:
        return parse_number(text, what)
    except BadParameter as error:
        raise BadNetwork(str(error)) from None


def _plain_number(raw: Any) -> Any:
    """A TOML float as its text without digit separators (``1_000.5`` is 1000.5); anything else unchanged."""
    return str(raw).replace("_", "") if isinstance(raw, _TomlFloat) else raw


def _text(raw: Any) -> str:
    """A TOML value as the user wrote it (``[1, 0.5]``, ``true``), cut to 40 characters."""
    if isinstance(raw, bool):
        shown = "true" if raw else "false"
    elif isinstance(raw, _TomlFloat):
        shown = str(raw)
    elif isinstance(raw, list):
        shown = "[" + ", ".join(_text(item) for item in raw) + "]"
    else:
        shown = repr(raw)
    return shown if len(shown) <= 40 else shown[:37] + "..."


def _shape(rows: int, cols: int) -> str:
    return f"{rows}×{cols}"


def _at_most(count: int, limit: int, found: str, what: str) -> None:
    """Refuse a network beyond one of symdl's size limits; ``found`` says where, with ``{count}`` in it."""
    if count > limit:
        raise BadNetwork(
            f"{found.format(count=count)}, but symdl computes networks of at most {limit} {what} "
            "(see the README); use a smaller network"
        )


def _fits_float64(m: ImmutableMatrix, name: str, where: str, whole: bool = False) -> None:
    """Every entry a number float64 can hold: 1e400 would be inf in the float64 pass (``whole``: a number)."""
    for r in range(m.rows):
        for c in range(m.cols):
            if not fits_float64(m[r, c]):
                place = name if whole else f"{name}[{r + 1},{c + 1}]"
                shown = mpmath.nstr(mpmath.mpf(m[r, c].p) / m[r, c].q, 3)
                raise BadNetwork(
                    f"{where}{place} = {shown} does not fit in float64 (largest about 1.8e+308); use a smaller number"
                )


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
