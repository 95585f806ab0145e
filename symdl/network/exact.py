"""Exact values: proving two of them equal, and turning them into numbers.

The forward pass compares the general formula with the exact result, and backpropagation the chain rule
with direct differentiation; both ask ``equal`` how two exact values were found equal, from a proof
("identical", "simplifies to 0") down to a number ("equal to 40 digits").  ``floats`` rounds an exact
matrix correctly to float64, and an ``Evaluator`` computes exact expressions to ``DIGITS`` + 20 digits
with every shared part once.
"""

from __future__ import annotations

from typing import Any

import mpmath
import numpy as np
from sympy import (
    Add,
    Dummy,
    Expr,
    Float,
    ImmutableMatrix,
    Mul,
    Pow,
    Rational,
    S,
    cancel,
    count_ops,
    exp,
    expand_mul,
    log,
    simplify,
)

DIGITS = 40  # exact values are evaluated to this many digits for a comparison or a rounding


# --------------------------------------------------------------------------- equal, and how


def equal(a: Expr, b: Expr) -> str:
    """How two exact values were found equal: "identical", "simplifies to 0", "equal to 40 digits", "differs".

    "simplifies to 0": the difference is 0 as a rational function of e and of every other exponential
    taken as an independent variable (so it is 0 whatever their values, a proof), else by ``simplify``.
    """
    if a == b:
        return "identical"
    difference = S(a).doit() - S(b).doit()
    if difference == 0 or cancel(_Generators()(difference)) == 0:
        return "simplifies to 0"
    if count_ops(difference) <= SIMPLIFY_OPS and simplify(difference) == 0:
        return "simplifies to 0"
    value = difference.evalf(DIGITS)
    scale = max(abs(S(b).doit().evalf(DIGITS)), S.One)
    if value.is_number and abs(value) <= scale * Rational(1, 10 ** (DIGITS - 5)):
        return "equal to 40 digits"
    return "differs"


ORDER = ("identical", "simplifies to 0", "equal to 40 digits", "differs")
SIMPLIFY_OPS = 150  # beyond this size simplify takes minutes; the 40-digit comparison decides instead


class _Generators:
    """An exact value as a rational function of independent symbols: e for e^q (q rational) and one
    symbol for each other exponential e^{u}, keyed by u itself in that same canonical form."""

    def __init__(self) -> None:
        self.e = Dummy("e", positive=True)
        self.table: dict[Expr, Dummy] = {}
        self.memo: dict[Expr, Expr] = {}

    def __call__(self, expr: Expr) -> Expr:
        hit = self.memo.get(expr)
        if hit is not None:
            return hit
        if isinstance(expr, exp):  # e^{a + b} = e^a e^b and e^{c u} = (e^u)^c: one symbol per primitive u
            out = Mul(*(self._power(term) for term in Add.make_args(expand_mul(self(expr.args[0])))))
        elif expr is S.Exp1:
            out = self.e
        elif expr.args:
            out = expr.func(*(self(a) for a in expr.args))
        else:
            out = expr
        self.memo[expr] = out
        return out

    def _power(self, term: Expr) -> Expr:
        """e^term for one term of an exponent: e^c for a rational c, else (the symbol of e^u)^c."""
        coefficient, rest = cancel(term).as_content_primitive()
        if rest.could_extract_minus_sign():
            coefficient, rest = -coefficient, -rest
        if rest == 1:
            return self.e**coefficient
        return self.table.setdefault(rest, Dummy("u", positive=True)) ** coefficient


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


__all__ = ["DIGITS", "ORDER", "SIMPLIFY_OPS", "Evaluator", "equal", "floats"]
