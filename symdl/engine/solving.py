"""Equations in one variable: exact where a bounded strategy finds the roots, certified numbers where not.

No answer here depends on the machine's speed.  y = f(x) is inverted by undoing one operation at a time
(``invert``).  Roots of f' come from ``solveset``, and from ``solve`` only in the class of equations where
its search is bounded (``lambert_class``: SiLU's minimum is -1 - W(1/e)); ``solve`` on GELU-tanh's f' would
search for minutes, and a timer deciding what it found would make the result depend on the load.  On a
user's expression both run ``guarded``, under the budget of ``symdl.budget``.  When neither gives an
exact answer, roots are bracketed by sign changes on a fine grid, refined by
mpmath at 40 digits and kept only if the sign change is confirmed on both
sides of the refined root: a certified number, returned as a SymPy ``Float``.
"""

from __future__ import annotations

from functools import cache
from itertools import pairwise

import mpmath
from sympy import (
    Add,
    Dummy,
    Expr,
    FiniteSet,
    Float,
    ImageSet,
    Interval,
    Mul,
    Pow,
    S,
    Symbol,
    degree,
    exp,
    expand,
    fraction,
    log,
    oo,
    solve,
    solveset,
    together,
)

from symdl.budget import guarded
from symdl.errors import NotFound
from symdl.functions import as_mpmath, primitive

DIGITS = 30  # digits of a certified number
_GRID = 800  # sign-change search points per region
_REACH = 60  # the search covers [-_REACH, _REACH] of an unbounded region


def invert(expr: Expr, var: Symbol, target: Expr) -> list[Expr]:
    """Candidate solutions ``var`` of ``target = expr``, found by undoing one operation at a time.

    Each step undoes the outermost operation around the only subexpression holding ``var`` (a sum, a
    product, a power, or a primitive with an ``inverse`` in ``symdl.functions``: exp, log, tanh, erf, ...),
    so the work is bounded by the expression's depth; where ``var``
    occurs in several places, a rational equation of degree at most 2 (or its square, for a square root)
    is solved as a polynomial.  The candidates are not checked here: the caller verifies them.  [] means
    none was found by these steps, not that none exists.
    """
    if expr == var:
        return [target]
    if not expr.has(var):
        return []
    if isinstance(expr, Add | Mul):
        inner = [a for a in expr.args if a.has(var)]
        if len(inner) == 1:
            rest = expr.func(*(a for a in expr.args if not a.has(var)))
            return invert(inner[0], var, target - rest if isinstance(expr, Add) else target / rest)
        return _polynomial(expr, var, target)
    if isinstance(expr, Pow):
        base, power = expr.args
        if not power.has(var):
            root = target ** (1 / power)
            roots_ = [root, -root] if power.is_even else [root]
            return [r for candidate in roots_ for r in invert(base, var, candidate)]
        if not base.has(var):
            return invert(power, var, log(target) / log(base))
        return []
    record = primitive(expr)
    if record is not None and record.inverse is not None and len(expr.args) == 1:
        return invert(expr.args[0], var, record.inverse(target))
    return _polynomial(expr, var, target)


_MAX_DEGREE = 2  # a polynomial equation of at most this degree is solved by formula


def _polynomial(expr: Expr, var: Symbol, target: Expr) -> list[Expr]:
    """Solutions of ``target = expr`` where it is a rational equation of low degree, or becomes one squared."""
    for side, goal in ((expr, target), (expr**2, target**2)):
        numerator = fraction(together(side - goal))[0]
        if numerator.is_polynomial(var) and 0 < degree(numerator, var) <= _MAX_DEGREE:
            return list(solve(numerator, var))
    return []


def _solveset(equation: Expr, var: Symbol, domain: Interval) -> Expr | None:
    try:
        return solveset(equation, var, domain)
    except (NotImplementedError, ValueError, TypeError):
        return None


def _solve(equation: Expr, var: Symbol) -> list[Expr] | None:
    try:
        return list(solve(equation, var))
    except (NotImplementedError, ValueError, TypeError):
        return None


def lambert_class(equation: Expr, var: Symbol) -> bool:
    """Whether ``equation = 0`` is, with its denominator cleared, a polynomial of degree at most 1 in ``var``
    and at most 2 in one exponential ``u = exp(c var)``: the class in which ``solve`` finds roots through
    LambertW (SiLU's minimum) by an amount of work the class bounds."""
    numerator = fraction(together(equation))[0]
    powers = {}
    for e in numerator.atoms(exp):
        argument = e.args[0]
        if not e.has(var):
            continue
        if not (argument.is_polynomial(var) and degree(argument, var) == 1):
            return False
        powers[e] = argument.coeff(var, 1)
    if not powers:
        return False
    rate = min(powers.values(), key=lambda c: (abs(c), c))
    multiples = {e: c / rate for e, c in powers.items()}
    if not all(m.is_Integer for m in multiples.values()):
        return False
    u = Dummy("u")
    lowest = min(0, *multiples.values())
    polynomial = expand(
        numerator.subs({e: exp(e.args[0] - powers[e] * var) * u**m for e, m in multiples.items()}) * u**-lowest
    )
    if not polynomial.is_polynomial(var, u):
        return False
    return degree(polynomial, var) <= 1 and degree(polynomial, u) <= _MAX_DEGREE


def real_roots(equation: Expr, var: Symbol, domain: Interval) -> list[Expr] | None:
    """Real roots of ``equation`` in ``domain``, exact: None when they cannot be found exactly.

    ``solveset`` first; where it leaves a set it cannot resolve, ``solve`` for the Lambert class only (a
    search whose work the class bounds).  Both run ``guarded``: on a user's expression, under its budget.
    """
    if not equation.has(var):
        return [] if equation != 0 else None
    found = guarded("the roots", _solveset, equation, var, domain)
    if _infinitely_many(found):
        raise NotFound(f"not found: {equation} = 0 has infinitely many solutions; symdl's analysis needs finitely many")
    if isinstance(found, FiniteSet):
        return sorted(found, key=lambda r: float(r))
    if found is S.EmptySet:
        return []
    if not lambert_class(equation, var):
        return None
    roots_ = guarded("the roots", _solve, equation, var)
    if roots_ is None:
        return None
    inside = []
    for r in roots_:
        value = r.evalf(DIGITS)
        if value.is_real and domain.contains(value) == S.true:
            inside.append(r)
        elif value.is_real is None or (value.is_real is False and abs(value.as_real_imag()[1]) < 1e-25):
            return None  # cannot tell: let the numeric route decide
    return sorted(inside, key=lambda r: float(r))


def _infinitely_many(found: Expr | None) -> bool:
    """Whether solveset's answer contains a family n -> a + b n over the integers with b != 0 (sin, cos)."""
    if found is None:
        return False
    families = [found] if isinstance(found, ImageSet) else [a for a in found.args if isinstance(a, ImageSet)]
    for family in families:
        (variable,), body = family.lamda.signature, family.lamda.expr
        if family.base_sets == (S.Integers,) and body.has(variable):
            return True
    return False


def numeric_roots(equation: Expr, var: Symbol, domain: Interval) -> list[Float]:
    """Roots of ``equation`` in ``domain`` where it changes sign, certified at ``DIGITS`` digits."""
    lo = max(float(domain.start), -_REACH) if domain.start != -oo else -_REACH
    hi = min(float(domain.end), _REACH) if domain.end != oo else _REACH
    if lo >= hi:
        return []
    f = as_mpmath(var, equation)
    roots: list[Float] = []
    with mpmath.workdps(DIGITS + 10):
        grid = [mpmath.mpf(lo) + (mpmath.mpf(hi) - lo) * (t + mpmath.mpf(1) / 7) / _GRID for t in range(_GRID)]
        # Exact zeros on the grid are not trusted: they are where the working
        # precision saturates (1 - tanh(u)**2 for large u), not roots.
        signs = [(t, s) for t in grid if (s := _sign_of(f, t)) != 0]
        for (a, fa), (b, fb) in pairwise(signs):
            if fa * fb < 0:
                root = mpmath.findroot(f, (a, b), solver="anderson")
                eps = mpmath.mpf(10) ** (-DIGITS)
                if _sign_of(f, root - eps) * _sign_of(f, root + eps) < 0 and a <= root <= b:
                    roots.append(Float(root, DIGITS))
    return roots


def _sign_of(f, t) -> int:
    value = f(t)
    return 0 if value == 0 else (1 if value > 0 else -1)


@cache
def roots(equation: Expr, var: Symbol, domain: Interval) -> list[Expr]:
    """Exact roots where SymPy finds them, else certified numeric ones."""
    exact = real_roots(equation, var, domain)
    return exact if exact is not None else numeric_roots(equation, var, domain)
