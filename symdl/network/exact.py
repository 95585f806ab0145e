"""Exact values as numbers: ``floats`` rounds an exact matrix correctly to float64, and an ``Evaluator``
computes exact expressions to ``DIGITS`` + 20 digits with every shared part once.  (Whether two exact
values are equal is ``symdl.engine.verify.equal``'s to say.)

A deep network's exact values share their parts: every entry of Z3 holds every entry of H2, each of which
holds all of Z2, ...  Written out as a tree an entry grows exponentially with depth, as a graph of shared
parts only linearly, so every walk over exact values here visits each shared part once (``Evaluator``,
``tree_size``); SymPy's own ``evalf`` and printers walk the tree.
"""

from __future__ import annotations

import sys
from typing import Any

import mpmath
import numpy as np
from sympy import (
    Add,
    Basic,
    Expr,
    Float,
    ImmutableMatrix,
    Mul,
    Pow,
    Rational,
    S,
    exp,
    log,
)

from symdl.errors import BadNetwork

DIGITS = 40  # exact values are evaluated to this many digits for a rounding
LARGEST = Rational(sys.float_info.max)  # the largest finite float64, exactly


class NotReal(BadNetwork):
    """An exact value that is not a real number (an activation outside its domain: log(-3))."""


# Where a node with room of its own (an activation applied by name) keeps its value at DIGITS + 20 digits,
# for every Evaluator: SymPy's assumption system asks the sign of the same σ(...) again and again while a
# network's matrices are multiplied.
_KEPT = "_symdl_value"


# --------------------------------------------------------------------------- exact values as numbers


def floats(matrix: ImmutableMatrix) -> np.ndarray:
    """Each exact entry correctly rounded to float64 (from ``DIGITS`` + 20 digits); beyond its range ±inf."""
    return Evaluator().matrix(matrix)


def fits_float64(value: Expr) -> bool:
    """Whether an exact real number is at most the largest float64 in magnitude (so float64 holds it)."""
    if value.is_Rational:
        return abs(value) <= LARGEST
    return abs(Evaluator()(value)) <= mpmath.mpf(sys.float_info.max)


def product(a: ImmutableMatrix, b: ImmutableMatrix) -> ImmutableMatrix:
    """The exact matrix product ``a b``, its zero terms left out: SymPy asks of every 0 · x whether x is
    finite, which for a deep network's values walks every path back through it."""
    return ImmutableMatrix(
        a.rows,
        b.cols,
        lambda r, c: Add(*(a[r, k] * b[k, c] for k in range(a.cols) if a[r, k] != 0 and b[k, c] != 0)),
    )


def elementwise(a: ImmutableMatrix, b: ImmutableMatrix) -> ImmutableMatrix:
    """The entrywise product ``a ⊙ b``, a zero factor giving 0 without a question to SymPy (see ``product``)."""
    return ImmutableMatrix(a.rows, a.cols, lambda r, c: S.Zero if a[r, c] == 0 or b[r, c] == 0 else a[r, c] * b[r, c])


def tree_size(expr: Basic, memo: dict[Basic, int] | None = None) -> int:
    """How many nodes ``expr`` has written out as a tree (what printing it costs), each shared part
    visited once; ``memo`` may be shared between calls."""
    memo = {} if memo is None else memo
    hit = memo.get(expr)
    if hit is None:
        hit = memo[expr] = 1 + sum(tree_size(a, memo) for a in expr.args)
    return hit


def short_text(expr: Basic, limit: int = 60) -> str:
    """``expr`` as SymPy prints it, or its head and "(...)" where that would be long (a deep network's values)."""
    if tree_size(expr) <= limit:
        text = str(expr)
        if len(text) <= 2 * limit:
            return text
    named = getattr(expr, "activation", None)  # an activation applied by name prints as that name
    return f"{named.name if named is not None else getattr(expr.func, '__name__', 'expression')}(...)"


class Evaluator:
    """Exact expressions evaluated to ``DIGITS`` digits with mpmath, every shared subexpression once.

    The chain rule's results share their parts (every entry of ∂L/∂W1 holds the same δ's), so a
    memo keyed by the subexpression keeps evaluation linear in the size of the whole, not of each entry.
    A value that is not a real number raises ``BadNetwork``.
    """

    def __init__(self) -> None:
        self.memo: dict[Expr, Any] = {}

    def __call__(self, expr: Expr) -> Any:
        with mpmath.workdps(DIGITS + 20):
            return +self._value(S(expr))

    def matrix(self, m: ImmutableMatrix) -> np.ndarray:
        """The entries correctly rounded to float64 (±inf beyond its range)."""
        with mpmath.workdps(DIGITS + 20):
            return np.array(
                [[float(self._value(m[r, c])) for c in range(m.cols)] for r in range(m.rows)], dtype=np.float64
            )

    def floats(self, m: ImmutableMatrix) -> ImmutableMatrix:
        """The entries as SymPy Floats of ``DIGITS`` + 20 digits."""
        with mpmath.workdps(DIGITS + 20):
            return ImmutableMatrix(m.rows, m.cols, lambda r, c: Float(self._value(m[r, c]), DIGITS + 20))

    def _value(self, e: Expr) -> Any:
        hit = self.memo.get(e)
        if hit is None:
            hit = getattr(e, "__dict__", {}).get(_KEPT)
        if hit is not None:
            return hit
        try:
            value = self._computed(e)
        except OverflowError:  # an exponent beyond even mpmath's numbers (e^(e^900))
            raise BadNetwork(
                f"{short_text(e)} is beyond the numbers symdl evaluates (its exponent overflows); "
                "use smaller weights, inputs or learning rate"
            ) from None
        if isinstance(value, mpmath.mpc) or not mpmath.isfinite(value):
            raise NotReal(
                f"{short_text(e)} is not a real number (≈ {mpmath.nstr(value, 6)}); "
                "an activation must be real for every real input"
            )
        self.memo[e] = value
        if hasattr(e, "__dict__"):
            e.__dict__[_KEPT] = value
        return value

    def _computed(self, e: Expr) -> Any:
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
            found = e.func(*args).evalf(DIGITS + 20)
            if found.func == e.func:  # SymPy left it as it is: its value overflows every number it has
                raise OverflowError(str(e.func))
            value = _number(e, found)
        else:  # E, pi, ...
            value = _number(e, e.evalf(DIGITS + 20))
        return value


def _number(e: Expr, value: Expr) -> Any:
    """A SymPy number as mpmath's (complex where it is)."""
    real, imaginary = value.as_real_imag()
    if not (real.is_number and imaginary.is_number):  # pragma: no cover - every exact value is a number
        raise BadNetwork(f"{short_text(e)} is not a number")
    if imaginary != 0:
        return mpmath.mpc(str(real.evalf(DIGITS + 20)), str(imaginary.evalf(DIGITS + 20)))
    return mpmath.mpf(str(real.evalf(DIGITS + 20)))


__all__ = [
    "DIGITS",
    "LARGEST",
    "Evaluator",
    "NotReal",
    "elementwise",
    "fits_float64",
    "floats",
    "product",
    "short_text",
    "tree_size",
]
