"""Equations in one variable: exact where SymPy answers in time, certified numbers where not.

SymPy's ``solveset`` answers quickly (a finite set, or a ``ConditionSet`` it
cannot resolve); ``solve`` knows more (``LambertW`` for SiLU's minimum) but may
run for minutes on GELU-tanh, so it runs in a child process with a time limit.  When neither gives an
exact answer, roots are bracketed by sign changes on a fine grid, refined by
mpmath at 40 digits and kept only if the sign change is confirmed on both
sides of the refined root: a certified number, returned as a SymPy ``Float``.
"""

from __future__ import annotations

import multiprocessing
import threading
from functools import cache
from itertools import pairwise

import mpmath
from sympy import Expr, FiniteSet, Float, Interval, S, Symbol, lambdify, oo, solve, solveset

DIGITS = 30  # digits of a certified number
_GRID = 800  # sign-change search points per region
_REACH = 60  # the search covers [-_REACH, _REACH] of an unbounded region


_FORK = multiprocessing.get_context("fork")
_FORKSERVER = multiprocessing.get_context("forkserver")
_FORKSERVER.set_forkserver_preload(["symdl.solving"])  # sympy and its solvers, imported once


def _solve_child(connection, equation: Expr, var: Symbol) -> None:
    try:
        connection.send(list(solve(equation, var)))
    except (NotImplementedError, ValueError, TypeError):
        connection.send(None)
    finally:
        connection.close()


@cache
def solve_in_time(equation: Expr, var: Symbol, seconds: float = 1.0) -> list[Expr] | None:
    """``sympy.solve(equation, var)``, or None if it fails or takes longer than ``seconds``.

    ``solve`` runs in a child process that is killed when time is up: a signal
    cannot interrupt SymPy reliably (its ``except Exception`` clauses, or a gc
    callback, may receive the alarm instead).
    """
    # fork is fastest and safe in a single-threaded process; with threads about, the fork server
    context = _FORK if threading.active_count() == 1 else _FORKSERVER
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(target=_solve_child, args=(sender, equation, var), daemon=True)
    child.start()
    sender.close()
    try:
        if receiver.poll(seconds):
            return receiver.recv()
        return None
    except EOFError:  # the child died without an answer
        return None
    finally:
        receiver.close()
        child.kill()
        child.join()


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
