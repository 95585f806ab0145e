"""Shared helpers: the catalogue split into scalar and vector entries, and mpmath oracles."""

from __future__ import annotations

import mpmath
import pytest
from sympy import Piecewise, lambdify

import symdl
from symdl.catalog import CATALOGUE, x

SCALAR = [a.name for a in CATALOGUE if not a.is_vector]
VECTOR = [a.name for a in CATALOGUE if a.is_vector]
LECTURE = ["sigmoid", "softmax", "tanh", "relu", "leaky_relu", "prelu", "elu", "selu"]


def mp_function(expr, act):
    """An mpmath function of x for a SymPy expression, at the declared parameter values.

    Written with SymPy's own lambdify and Piecewise rewrite, independent of symdl's engine.
    """
    plain = expr.subs(act.params).rewrite(Piecewise)
    return lambdify(x, plain, modules="mpmath")


@pytest.fixture(autouse=True)
def _fifty_digits():
    with mpmath.workdps(50):
        yield


def activations(names):
    return [pytest.param(symdl.activation(n), id=n) for n in names]
