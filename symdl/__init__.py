"""symdl: the mathematics of a first deep-learning lecture, derived and checked by the machine.

The public API (stable; see DESIGN.md)::

    symdl.names()                 sorted catalogue names
    symdl.activation("elu")       the declaration (an Activation)
    symdl.derivative("elu")       f'(x), derived and simplified
    symdl.output_form("sigmoid")  g(y) with f'(x) = g(f(x)), or None
    symdl.derive("elu", {"alpha": "0.2"})  everything derived, at given parameter values
    symdl.numpy_function("elu")   a stable NumPy f(x, alpha=...); derivative=True for f'
    symdl.define("mysoft", "x*tanh(softplus(x))")  a custom activation, usable everywhere
"""

from __future__ import annotations

from symdl.calculus import Derivation, derivative, derive, output_form
from symdl.catalog import Activation, activation, names
from symdl.errors import BadParameter, DerivationError, SymdlError, UnknownActivation
from symdl.network import Network, lecture_network
from symdl.numeric import numpy_function
from symdl.parse import BadExpression, define

__all__ = [
    "Activation",
    "BadExpression",
    "BadParameter",
    "Derivation",
    "DerivationError",
    "Network",
    "SymdlError",
    "UnknownActivation",
    "activation",
    "define",
    "derivative",
    "derive",
    "lecture_network",
    "names",
    "numpy_function",
    "output_form",
]
