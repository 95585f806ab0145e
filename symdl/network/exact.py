"""Exact values as numbers: ``floats`` rounds an exact matrix correctly to float64, and an ``Evaluator``
computes exact expressions to ``DIGITS`` + 20 digits with every shared part once.  (Whether two exact
values are equal is ``symdl.engine.verify.equal``'s to say.)
"""

from __future__ import annotations

from typing import Any

import mpmath
import numpy as np
from sympy import (
    Add,
    Expr,
    Float,
    ImmutableMatrix,
    Mul,
    Pow,
    S,
    exp,
    log,
)

DIGITS = 40  # exact values are evaluated to this many digits for a rounding


# --------------------------------------------------------------------------- exact values as numbers


def floats(matrix: ImmutableMatrix) -> np.ndarray:
    """Each exact entry correctly rounded to float64 (from DIGITS digits)."""
    return np.array(
        [[float(matrix[r, c].doit().evalf(DIGITS)) for c in range(matrix.cols)] for r in range(matrix.rows)],
        dtype=np.float64,
    )


class Evaluator:
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


__all__ = ["DIGITS", "Evaluator", "floats"]
