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
    symdl.plot("elu")             f and f' in one matplotlib figure (loaded on first use: matplotlib is not
                                  imported by ``import symdl``)
    symdl.diagram(level="ops")    the lecture's network drawn with its forward pass, a matplotlib figure
                                  (levels "data", "layers", "ops"; also loaded on first use)
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from symdl.catalog import Activation, activation, names
from symdl.engine.calculus import Derivation, derivative, derive, output_form
from symdl.errors import BadParameter, DerivationError, SymdlError, UnknownActivation, UnknownLoss
from symdl.network.backward import Backward, backpropagate
from symdl.network.losses import loss
from symdl.network.spec import Network, lecture_network
from symdl.numeric.compile import numpy_function
from symdl.parse import BadExpression, define

if TYPE_CHECKING:
    from symdl.figures.diagram import diagram
    from symdl.figures.plot import plot


def __getattr__(name: str) -> Any:
    """``symdl.plot`` and ``symdl.diagram``, imported on first use so that ``import symdl`` does not import
    matplotlib."""
    if name == "plot":
        from symdl.figures.plot import plot

        return plot
    if name == "diagram":
        from symdl.figures.diagram import diagram

        return diagram
    raise AttributeError(f"module 'symdl' has no attribute {name!r}")


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
