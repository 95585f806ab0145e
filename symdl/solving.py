"""Equations in one variable: exact where SymPy answers in time, certified numbers where not.

SymPy's ``solveset`` answers quickly (a finite set, or a ``ConditionSet`` it
cannot resolve); ``solve`` knows more (``LambertW`` for SiLU's minimum) but may
run for minutes on GELU-tanh, so it gets a time limit.  When neither gives an
exact answer, roots are bracketed by sign changes on a fine grid, refined by
mpmath at 40 digits and kept only if the sign change is confirmed on both
sides of the refined root: a certified number, returned as a SymPy ``Float``.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from itertools import pairwise

import mpmath
from sympy import Expr, FiniteSet, Float, Interval, S, Symbol, lambdify, oo, solve, solveset

DIGITS = 30  # digits of a certified number
_GRID = 800  # sign-change search points per region
_REACH = 60  # the search covers [-_REACH, _REACH] of an unbounded region


class _OutOfTime(BaseException):
    """Not an Exception: SymPy's own ``except Exception`` clauses must not swallow the time limit."""


@contextmanager
def time_limit(seconds: float) -> Iterator[bool]:
    """Interrupt the body after ``seconds``; yields False (and never interrupts) off the main thread."""
    if threading.current_thread() is not threading.main_thread():
        yield False
        return

    def _raise(signum, frame):
        raise _OutOfTime

    previous = signal.signal(signal.SIGALRM, _raise)
    signal.setitimer(signal.ITIMER_REAL, seconds, 0.2)  # and again every 0.2 s until the body gives up
    try:
        yield True
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def solve_in_time(equation: Expr, var: Symbol, seconds: float = 1.0) -> list[Expr] | None:
    """``sympy.solve(equation, var)``, or None if it fails or takes longer than ``seconds``."""
    try:
        with time_limit(seconds) as limited:
            if not limited:
                return None
            return list(solve(equation, var))
    except (_OutOfTime, NotImplementedError, ValueError, TypeError):
        return None


def real_roots(equation: Expr, var: Symbol, domain: Interval) -> list[Expr] | None:
    """Real roots of ``equation`` in ``domain``, exact: None when they cannot be found exactly."""
    if not equation.has(var):
        return [] if equation != 0 else None
    try:
        found = solveset(equation, var, domain)
    except (NotImplementedError, ValueError, TypeError):
        found = None
    if isinstance(found, FiniteSet):
        return sorted(found, key=lambda r: float(r))
    if found is S.EmptySet:
        return []
    roots = solve_in_time(equation, var)
    if roots is None:
        return None
    inside = []
    for r in roots:
        value = r.evalf(DIGITS)
        if value.is_real and domain.contains(value) == S.true:
            inside.append(r)
        elif value.is_real is None or (value.is_real is False and abs(value.as_real_imag()[1]) < 1e-25):
            return None  # cannot tell: let the numeric route decide
    return sorted(inside, key=lambda r: float(r))


def numeric_roots(equation: Expr, var: Symbol, domain: Interval) -> list[Float]:
    """Roots of ``equation`` in ``domain`` where it changes sign, certified at ``DIGITS`` digits."""
    lo = max(float(domain.start), -_REACH) if domain.start != -oo else -_REACH
    hi = min(float(domain.end), _REACH) if domain.end != oo else _REACH
    if lo >= hi:
        return []
    f = lambdify(var, equation, modules="mpmath")
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
