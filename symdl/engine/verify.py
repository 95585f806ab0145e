"""The one rule by which symdl holds two expressions equal before it prints or keeps either.

1. Symbolically: ``simplify(a - b) == 0`` (a vector function's sum held as one symbol S > 0).
2. Where SymPy cannot decide, numerically at ``DIGITS`` digits: at ``POINTS`` points spread evenly over the
   interval where the claim is made (clipped to [-REACH, REACH]: beyond it e^x alone exhausts the digits), the
   two sides agree to ``AGREE`` digits relative to 1 + |b|.  A vector function is checked at n = 3, for every
   (i, j), at ``POINTS`` input vectors.

``how_equal`` says which of the two proved it ("sympy" or "40 digits"), or None where neither did.  The same
rule for its two other kinds of claim: ``equal`` for two exact numbers (the network's passes: the exponentials
taken as independent symbols, or ``simplify``, else 40 digits), and ``how_equal_for_every_n`` for a loss's
steps, whose sums run to n (symbolically, else exactly at n = 2, 3, 4).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import mpmath
from sympy import (
    Add,
    Dummy,
    Expr,
    Interval,
    Mul,
    Rational,
    S,
    Sum,
    Symbol,
    cancel,
    count_ops,
    exp,
    expand_mul,
    oo,
    simplify,
)

from symdl.catalog import i, j, n, x, xs
from symdl.functions import as_mpmath

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
    fa = as_mpmath(x, a.subs(values))
    fb = as_mpmath(x, b.subs(values))
    with mpmath.workdps(DIGITS):
        points = [mpmath.mpf(lo) + (mpmath.mpf(hi) - lo) * t / (POINTS + 1) for t in range(1, POINTS + 1)]
        return all(_close(fa(p), fb(p)) for p in points)


def _vector_agree(a: Expr, b: Expr, values: Mapping[Symbol, Expr]) -> bool:
    inputs = [xs[m] for m in range(1, VECTOR_SIZE + 1)]
    with mpmath.workdps(DIGITS):
        for ii in range(1, VECTOR_SIZE + 1):
            for jj in range(1, VECTOR_SIZE + 1):
                at = {i: ii, j: jj, n: VECTOR_SIZE}
                fa = as_mpmath(inputs, a.subs(values).subs(at).doit())
                fb = as_mpmath(inputs, b.subs(values).subs(at).doit())
                for t in range(POINTS):
                    point = [mpmath.mpf(t - 3) / (m + 2) + mpmath.mpf(m) / 5 for m in range(VECTOR_SIZE)]
                    if not _close(fa(*point), fb(*point)):
                        return False
    return True


# --------------------------------------------------------------------------- numbers: how two exact values are equal


def equal(a: Expr, b: Expr) -> str:
    """How two exact values were found equal: "identical", "simplifies to 0", f"equal to {DIGITS} digits", "differs".

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
        return f"equal to {DIGITS} digits"
    return "differs"


ORDER = ("identical", "simplifies to 0", f"equal to {DIGITS} digits", "differs")
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


# --------------------------------------------------------------------------- sums over n: at n = 2, 3, 4


def how_equal_for_every_n(
    a: Expr, b: Expr, index: Symbol, sample: Callable[[int], Mapping[Expr, Expr]], sizes: tuple[int, ...] = (2, 3, 4)
) -> str | None:
    """How ``a = b`` was shown for expressions in an ``index`` (j) with sums up to n: symbolically where neither
    has a sum, else exactly at each n in ``sizes``, for every value of the index, with the values ``sample(n)``
    gives (a caller's sampler knows its domain: targets that sum to 1, say)."""
    if not a.has(Sum) and not b.has(Sum) and simplify(a - b) == 0:
        return SYMPY
    for size in sizes:
        fill = sample(size)
        for value in range(1, size + 1):
            left = a.subs(n, size).subs(index, value).doit().xreplace(fill)
            right = b.subs(n, size).subs(index, value).doit().xreplace(fill)
            if simplify(left - right) != 0:
                return None
    return "n = " + ", ".join(str(s) for s in sizes)


__all__ = ["DIGITS", "NUMERIC", "ORDER", "POINTS", "REACH", "SYMPY", "equal", "how_equal", "how_equal_for_every_n"]
