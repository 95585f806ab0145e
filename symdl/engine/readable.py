"""Choosing the most readable of several equivalent forms of an expression.

Plain ``simplify`` optimises for SymPy's own measure and turns sigmoid's
derivative into ``1/(4 cosh(x/2)**2)``, which no slide prints.  Instead, a few
cheap, equivalence-preserving rewrites are tried, and the winner is the form
that (1) introduces no function applications absent from the reference (the
definition and the raw result: no new ``cosh``, no ``e^{x}`` where the
definition wrote ``e^{-x}``), then (2) has the fewest operations, then (3) is
shortest.  A leading minus is pushed into a difference, so ``-y (y - 1)``
reads ``y (1 - y)``, and ``(1/b)**(3/2)`` is tried for ``b**(-3/2)``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

from sympy import Add, Expr, Function, Mul, Piecewise, Pow, S, cancel, count_ops, expand, factor, factor_terms, together

_REWRITES: tuple[Callable[[Expr], Expr], ...] = (cancel, factor, together, expand, factor_terms)
_BIG = 60  # beyond this many operations only the cheap rewrites are tried


def readable(expr: Expr, reference: Iterable[Expr] = ()) -> Expr:
    """The most readable form of ``expr`` (see the module docstring); piecewise branch by branch."""
    expr = S(expr)
    if isinstance(expr, Piecewise):
        return Piecewise(*((readable(e, reference), c) for e, c in expr.args))
    if not expr.free_symbols:
        return expr
    known = set(expr.atoms(Function))
    for ref in reference:
        known |= S(ref).atoms(Function)
    return min(_candidates(expr), key=lambda c: _score(c, known))


def _candidates(expr: Expr) -> Iterator[Expr]:
    seen: set[Expr] = set()
    rewrites = _REWRITES if count_ops(expr) <= _BIG else (factor_terms,)
    forms = [expr]
    for rewrite in rewrites:
        try:
            forms.append(rewrite(expr))
        except (NotImplementedError, ValueError, TypeError):  # pragma: no cover - SymPy gaps
            continue
    forms.append(_reciprocal_powers(expr))
    for form in forms:
        for variant in (form, *_sign_flips(form)):
            if variant not in seen:
                seen.add(variant)
                yield variant


def _reciprocal_powers(expr: Expr) -> Expr:
    """``b**(-3/2)`` as ``(1/b)**(3/2)``, the same for b > 0 (where a real power is defined)."""
    return expr.replace(
        lambda e: isinstance(e, Pow) and e.exp.is_Rational and e.exp.is_negative and not e.exp.is_Integer,
        lambda e: Pow(cancel(1 / e.base), -e.exp),
    )


def _sign_flips(expr: Expr) -> Iterator[Expr]:
    """``-a*(b - c)`` as ``a*(c - b)``: the minus moved into one difference."""
    if not isinstance(expr, Mul):
        return
    coeff, rest = expr.as_coeff_Mul()
    if coeff.is_negative:
        factors = Mul.make_args(rest)
        for n, f in enumerate(factors):
            if isinstance(f, Add):
                flipped = [*factors[:n], -f, *factors[n + 1 :]]
                yield Mul(-coeff, *flipped)


def _score(expr: Expr, known: set[Expr]) -> tuple[int, int, int, int]:
    foreign = len(expr.atoms(Function) - known)
    negatives = len([t for t in Add.make_args(expr) if t.could_extract_minus_sign()])
    return (foreign, count_ops(expr), negatives, len(str(expr)))
