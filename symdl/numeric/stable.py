"""Rewriting expressions into numerically stable primitives, before they are compiled.

Naive evaluation of an activation's formula fails in predictable ways:
``exp(x) - 1`` cancels near 0, ``1/(1 + exp(-x))`` overflows for x << 0,
``log(1 + exp(x))`` loses everything for x << 0, ``1 + erf(x)`` cancels for
x << 0, ``1 - tanh(x)**2`` cancels for |x| >> 0.  Each failure is one pattern,
and each pattern has one stable primitive.  ``stabilize`` applies the rules
bottom-up until nothing changes, so any expression (a catalogue entry, its
derivative, a user's own) gets the same treatment:

====================================  =======================================
pattern (c any coefficient)           stable form
====================================  =======================================
c + c exp(u)                          c / expit(-u)
exp(v) expit(-v)                      expit(v)          (e^v sigma(-v) = sigma(v))
log(expit(u)), log(1/expit(-u))       log_expit(u), softplus(u)
c exp(u) - c                          c expm1(u)
c + c tanh(u), c - c tanh(u)          2c expit(2u), 2c expit(-2u)
c - c tanh(u)^2                       c / cosh(u)^2
expit(v) expit(-v)                    1 / (4 cosh(v/2)^2)
c + c erf(u), c - c erf(u)            2c Phi(sqrt(2) u), 2c Phi(-sqrt(2) u)
log(1 + u)                            log1p(u)
====================================  =======================================

Every rule is an identity; ``elementary`` undoes the primitives so tests can
check the rewritten expression against the original.  The rules of one function
(the sums in exp, tanh and erf, log's log1p) are part of its record in
``symdl.functions``, beside the stable primitives themselves; the products are here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from sympy import (
    Add,
    Expr,
    Function,
    Mul,
    Pow,
    Symbol,
    bottom_up,
    cosh,
    exp,
    expand_func,
)

from symdl.functions import BY_KEY, PRIMITIVES, as_mpmath, expit


def mpmath_function(expr: Expr, values: Mapping[Symbol, Expr]) -> Callable:
    """An mpmath function of x from the stable form: it does not cancel in the tails, at any precision."""
    from symdl.catalog import x
    from symdl.engine.regions import as_piecewise

    stable = as_piecewise(stabilize(as_piecewise(expr.subs(values))))
    return as_mpmath(x, stable)


def elementary(expr: Expr) -> Expr:
    """``expr`` with the stable primitives written out in elementary functions again."""
    return expand_func(expr.rewrite(exp))


def stabilize(expr: Expr) -> Expr:
    """Apply the rules of the module docstring bottom-up until nothing changes."""
    previous = None
    while expr != previous:
        previous = expr
        expr = bottom_up(expr, _rewrite)
    return expr


def _rewrite(node: Expr) -> Expr:
    if isinstance(node, Add):
        return _rewrite_add(node)
    if isinstance(node, Mul):
        return _rewrite_mul(node)
    record = BY_KEY.get(type(node).__name__) if isinstance(node, Function) else None
    if record is not None and record.rewrite is not None:  # log(1 + u) -> log1p(u), ...
        return record.rewrite(node)
    return node


# --------------------------------------------------------------------------- sums


def _split(term: Expr, kind: type, power: int = 1) -> tuple[Expr, Expr] | None:
    """term = c * kind(u)**power with c free of that factor: (c, u), else None."""
    for factor in Mul.make_args(term):
        if power == 1 and isinstance(factor, kind):
            return term / factor, factor.args[0]
        if isinstance(factor, Pow) and isinstance(factor.base, kind) and factor.exp == power:
            return term / factor, factor.base.args[0]
    return None


# kind, power, sign of the constant term relative to c, stable form of c*(...) given c and u: the records' own
_SUM_RULES = tuple((p.function, r.power, r.sign, r.stable) for p in PRIMITIVES for r in p.sums)


def _rewrite_add(node: Add) -> Expr:
    terms = list(node.args)
    for kind, power, sign, stable in _SUM_RULES:
        for n, term in enumerate(terms):
            split = _split(term, kind, power)
            if split is None:
                continue
            c, u = split
            partner = sign * c
            others = terms[:n] + terms[n + 1 :]
            if partner in others:
                others.remove(partner)
                return Add(stable(c, u), *others)
    return node


# --------------------------------------------------------------------------- products


def _rewrite_mul(node: Mul) -> Expr:
    """e^v expit(-v)^k -> expit(v) expit(-v)^(k-1); expit(v) expit(-v) -> 1/(4 cosh(v/2)^2)."""
    factors = list(Mul.make_args(node))
    for factor in factors:
        if isinstance(factor, expit) and expit(-factor.args[0]) in factors:
            rest = list(factors)
            rest.remove(factor)
            rest.remove(expit(-factor.args[0]))
            return Mul(*rest) / (4 * cosh(factor.args[0] / 2) ** 2)
    for n, factor in enumerate(factors):
        if not isinstance(factor, exp):
            continue
        v = factor.args[0]
        for m, other in enumerate(factors):
            base, k = other.as_base_exp()
            if isinstance(base, expit) and base.args[0] == -v and k.is_positive:
                rest = [f for p, f in enumerate(factors) if p not in (n, m)]
                return Mul(expit(v), expit(-v) ** (k - 1), *rest)
    return node


__all__ = ["elementary", "mpmath_function", "stabilize"]
