"""The one rule by which symdl holds two expressions equal before it prints or keeps either.

1. Symbolically: ``simplify(a - b) == 0`` (a vector function's sum held as one symbol S > 0).
2. Where SymPy cannot decide, numerically at ``DIGITS`` digits: at ``POINTS`` points spread evenly over the
   interval where the claim is made (clipped to [-REACH, REACH]: beyond it e^x alone exhausts the digits), the
   two sides agree to ``AGREE`` digits relative to 1 + |b|.  A vector function is checked at n = 3, for every
   (i, j), at ``POINTS`` input vectors.

``how_equal`` says which of the two proved it ("sympy" or "40 digits"), or None where neither did.
"""

from __future__ import annotations

from collections.abc import Mapping

import mpmath
from sympy import Expr, Interval, Sum, Symbol, lambdify, oo, simplify

from symdl.catalog import i, j, n, x, xs

DIGITS = 40  # working precision of the numeric check
AGREE = 30  # digits the two sides must share
POINTS = 7  # points per interval (or input vectors per (i, j))
REACH = 20  # the numeric check covers [-REACH, REACH] of an unbounded interval
VECTOR_SIZE = 3  # n of the vector check
REAL_LINE = Interval(-oo, oo)

SYMPY = "sympy"
NUMERIC = f"{DIGITS} digits"


def how_equal(
    a: Expr,
    b: Expr,
    interval: Interval = REAL_LINE,
    values: Mapping[Symbol, Expr] | None = None,
    *,
    vector: bool = False,
) -> str | None:
    """How ``a = b`` (in x, or in the vector xs) was proved on ``interval`` at parameter ``values``, or None."""
    values = values or {}
    difference = a - b
    if vector:
        total = Symbol("S", positive=True)
        difference = difference.replace(lambda e: isinstance(e, Sum), lambda e: total)
    if simplify(difference) == 0:
        return SYMPY
    agree = _vector_agree(a, b, values) if vector else _scalar_agree(a, b, interval, values)
    return NUMERIC if agree else None


def _close(va, vb) -> bool:
    return abs(va - vb) <= mpmath.mpf(10) ** -AGREE * (1 + abs(vb))


def _scalar_agree(a: Expr, b: Expr, interval: Interval, values: Mapping[Symbol, Expr]) -> bool:
    lo = max(float(interval.start), -REACH) if interval.start != -oo else -REACH
    hi = min(float(interval.end), REACH) if interval.end != oo else REACH
    fa = lambdify(x, a.subs(values), modules="mpmath")
    fb = lambdify(x, b.subs(values), modules="mpmath")
    with mpmath.workdps(DIGITS):
        points = [mpmath.mpf(lo) + (mpmath.mpf(hi) - lo) * t / (POINTS + 1) for t in range(1, POINTS + 1)]
        return all(_close(fa(p), fb(p)) for p in points)


def _vector_agree(a: Expr, b: Expr, values: Mapping[Symbol, Expr]) -> bool:
    inputs = [xs[m] for m in range(1, VECTOR_SIZE + 1)]
    with mpmath.workdps(DIGITS):
        for ii in range(1, VECTOR_SIZE + 1):
            for jj in range(1, VECTOR_SIZE + 1):
                at = {i: ii, j: jj, n: VECTOR_SIZE}
                fa = lambdify(inputs, a.subs(values).subs(at).doit(), modules="mpmath")
                fb = lambdify(inputs, b.subs(values).subs(at).doit(), modules="mpmath")
                for t in range(POINTS):
                    point = [mpmath.mpf(t - 3) / (m + 2) + mpmath.mpf(m) / 5 for m in range(VECTOR_SIZE)]
                    if not _close(fa(*point), fb(*point)):
                        return False
    return True


__all__ = ["DIGITS", "NUMERIC", "POINTS", "REACH", "SYMPY", "how_equal"]
