"""symdl: the mathematics of a first deep-learning lecture, derived and checked by the machine.

The public API (stable; see DESIGN.md)::

    symdl.names()                 sorted catalogue names
    symdl.activation("elu")       the declaration (an Activation)
    symdl.derivative("elu")       f'(x), derived and simplified
    symdl.output_form("sigmoid")  g(y) with f'(x) = g(f(x)), or None
    symdl.derive("elu", {"alpha": "0.2"})  everything derived, at given parameter values
    symdl.numpy_function("elu")   a stable NumPy f(x, alpha=...); derivative=True for f'
    symdl.define("mysoft", "x*tanh(softplus(x))")  a custom activation, usable everywhere
    symdl.loss("cross_entropy")   a loss declaration (mse, bce, cross_entropy)
    symdl.backpropagate(symdl.lecture_network())  loss, gradients three ways, one update, checked
    symdl.plot("elu")             f and f' in one matplotlib figure
    symdl.diagram(level="ops")    the lecture's network drawn with its forward pass, a matplotlib figure
                                  (levels "data", "layers", "ops")

Each name is imported from the module that owns it on first use, so ``import symdl`` is quick and loads
SymPy, NumPy, SciPy and matplotlib only when a name needs them.
"""

from __future__ import annotations

import importlib
import importlib.util
from typing import TYPE_CHECKING, Any

from symdl.errors import BadParameter, DerivationError, SymdlError, UnknownActivation, UnknownLoss

if TYPE_CHECKING:
    from symdl.catalog import Activation, activation, names
    from symdl.engine.calculus import Derivation, derivative, derive, output_form
    from symdl.figures.diagram import diagram
    from symdl.figures.plot import plot
    from symdl.network.backward import Backward, backpropagate
    from symdl.network.losses import loss
    from symdl.network.spec import Network, lecture_network
    from symdl.numeric.compile import numpy_function
    from symdl.parse import BadExpression, define

# Each public name and the module that owns it, imported on first use: ``import symdl`` (and so ``symdl --help``)
# loads no SymPy, NumPy, SciPy or matplotlib until a name needs them.
_OWNERS = {
    "Activation": "symdl.catalog",
    "activation": "symdl.catalog",
    "names": "symdl.catalog",
    "Derivation": "symdl.engine.calculus",
    "derivative": "symdl.engine.calculus",
    "derive": "symdl.engine.calculus",
    "output_form": "symdl.engine.calculus",
    "Backward": "symdl.network.backward",
    "backpropagate": "symdl.network.backward",
    "loss": "symdl.network.losses",
    "Network": "symdl.network.spec",
    "lecture_network": "symdl.network.spec",
    "numpy_function": "symdl.numeric.compile",
    "BadExpression": "symdl.parse",
    "define": "symdl.parse",
    "plot": "symdl.figures.plot",
    "diagram": "symdl.figures.diagram",
}


def __getattr__(name: str) -> Any:
    """A public name, imported from its owner on first use and kept; or a subpackage (``symdl.network``)."""
    owner = _OWNERS.get(name)
    if owner is None:
        if name.isidentifier() and importlib.util.find_spec(f"symdl.{name}") is not None:
            return importlib.import_module(f"symdl.{name}")
        raise AttributeError(f"module 'symdl' has no attribute {name!r}")
    value = getattr(importlib.import_module(owner), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)


__all__ = [
    "Activation",
    "Backward",
    "BadExpression",
    "BadParameter",
    "Derivation",
    "DerivationError",
    "Network",
    "SymdlError",
    "UnknownActivation",
    "UnknownLoss",
    "activation",
    "backpropagate",
    "define",
    "derivative",
    "derive",
    "diagram",
    "lecture_network",
    "loss",
    "names",
    "numpy_function",
    "output_form",
    "plot",
]
