"""Sums that cancel at the origin, and the Padé approximants that replace them there.

``x - tanh(x)`` is x^3/3 near 0, but its two terms are each about x: computed
directly, it loses every digit as x -> 0, although its condition number stays
3.  Only the origin matters: near any other zero x0 of a sum the input's own
rounding (|x0| eps) already costs as much as the cancellation, so the
backward-stability bound allows it.  So for every sum in a branch that
vanishes at 0 to a higher order k than its terms, the compiler gets

- the radius r inside which direct evaluation is not good enough, measured
  against mpmath in float64 and float32 (half the bound 4 (1 + kappa) ulp,
  and 25% beyond the last point that misses it), and
- a Padé approximant P/Q of sum / x^k, from SymPy's Taylor series, in
  u = x^2 when the sum is odd or even, of the smallest degree whose relative
  error on |x| <= r is below 2^-58 (checked at 50 digits).

Inside r the compiled code uses x^k P(u)/Q(u); outside, the sum as written.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import mpmath
import numpy as np
from sympy import Add, Expr, lambdify, preorder_traversal, series

from symdl.catalog import x
from symdl.errors import DerivationError
from symdl.functions import as_mpmath, ufuncs


@dataclass(frozen=True)
class OriginPatch:
    """sum = x^order * P(u) / Q(u) for |x| < radius, u = x^2 if ``squared`` else x."""

    node: Expr
    order: int
    squared: bool
    radius: float
    numerator: tuple[float, ...]  # lowest power first
    denominator: tuple[float, ...]


@cache  # the same sums recur in every equivalent form the compiler measures
def _order(expr: Expr, n: int = 12) -> int | None:
    """The order of the zero of ``expr`` at x = 0 (None: not analytic there or order >= n).

    The series is taken to 3 terms first, then 6, then n: most zeros are of low order, and SymPy's series
    of a nested expression to 12 terms can take seconds (sqrt(1 + tanh(x)^2)'s sums: 23 s)."""
    for terms in sorted({min(3, n), min(6, n), n}):
        try:
            s = series(expr, x, 0, terms).removeO()
        except (ValueError, NotImplementedError, TypeError):
            return None
        if s != 0:
            break
    if s == 0:
        return None
    powers = [term.as_coeff_exponent(x)[1] for term in Add.make_args(s.expand())]
    low = min(powers)
    return int(low) if low.is_Integer and low >= 0 else None


def cancelling_sums(expr: Expr) -> list[tuple[Expr, int]]:
    """Sums in ``expr`` that vanish at 0 to a higher order than their lowest-order term."""
    found = []
    for node in preorder_traversal(expr):
        if not isinstance(node, Add) or not node.has(x) or node.free_symbols - {x}:
            continue
        if node.subs(x, 0) != 0:
            continue
        whole = _order(node)
        terms = [_order(t) for t in node.args]
        if whole is None or any(t is None for t in terms):
            continue
        if whole > min(terms):
            found.append((node, whole))
    return found


@cache
def patch(node: Expr, order: int) -> OriginPatch:
    """The radius and approximant for one cancelling sum (see the module docstring)."""
    squared = _parity(node) != 0
    radius = _radius(node)
    numerator, denominator = _pade(node, order, squared, radius)
    return OriginPatch(node, order, squared, radius, numerator, denominator)


def _parity(expr: Expr) -> int:
    flipped = expr.subs(x, -x)
    if (flipped - expr).expand() == 0:
        return 2
    if (flipped + expr).expand() == 0:
        return 1
    return 0


def _radius(node: Expr) -> float:
    """Largest |x| where direct evaluation misses the bound / 4, times 2 (a power of two)."""
    direct = lambdify(x, node, modules=[{key: fn for key, (_, fn) in ufuncs().items()}, "numpy"])  # hypot1, ...
    exact = as_mpmath(x, node)
    slope = as_mpmath(x, node.diff(x))
    worst = 0.0
    points = np.geomspace(1e-9, 8.0, 400)
    for dtype in (np.float64, np.float32):
        for p in np.concatenate([points, -points]).astype(dtype):
            with mpmath.workdps(60):
                value = exact(mpmath.mpf(float(p)))
                kappa = abs(mpmath.mpf(float(p)) * slope(mpmath.mpf(float(p))) / value)
            with np.errstate(all="ignore"):
                got = float(direct(p))
            ulp = float(np.spacing(dtype(abs(float(value)))))
            if abs(got - float(value)) > 2 * (1 + float(kappa)) * ulp:  # half of 4 (1 + kappa) ulp
                worst = max(worst, abs(float(p)))
    return 1.25 * worst


def _pade(node: Expr, order: int, squared: bool, radius: float) -> tuple[tuple[float, ...], tuple[float, ...]]:
    step = 2 if squared else 1
    terms = 2 * 16 * step + order + 2
    coeffs = series(node, x, 0, terms).removeO().expand()
    taylor = [coeffs.coeff(x, order + step * k) for k in range((terms - order) // step)]
    exact = as_mpmath(x, node)
    with mpmath.workdps(50):
        for degree in range(2, 16):
            num, den = mpmath.pade([mpmath.mpf(c.p) / c.q for c in taylor], degree, degree)
            if _good(num, den, exact, order, squared, radius):
                return tuple(float(c) for c in num), tuple(float(c) for c in den)
    raise DerivationError(f"no Padé approximant of {node} reaches 2^-58 on |x| <= {radius}")


def _good(num, den, exact, order: int, squared: bool, radius: float) -> bool:
    for t in np.linspace(radius / 200, radius, 100):
        for z in (mpmath.mpf(t), -mpmath.mpf(t)):
            u = z * z if squared else z
            approx = z**order * mpmath.polyval(num[::-1], u) / mpmath.polyval(den[::-1], u)
            value = exact(z)
            if abs(approx - value) > abs(value) * mpmath.mpf(2) ** -58:
                return False
    return True


__all__ = ["OriginPatch", "cancelling_sums", "patch"]
