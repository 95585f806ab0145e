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
log(expit(u))                         log_expit(u)
c exp(u) - c                          c expm1(u)
c + c tanh(u), c - c tanh(u)          2c expit(2u), 2c expit(-2u)
c - c tanh(u)^2                       4c expit(2u) expit(-2u)
c + c erf(u), c - c erf(u)            2c Phi(sqrt(2) u), 2c Phi(-sqrt(2) u)
log(1 + u)                            log1p(u)
(1 + a x^2)^p                         hypot(1, sqrt(a) x)^(2p)
====================================  =======================================

Every rule is an identity; ``elementary`` undoes the primitives so tests can
check the rewritten expression against the original.
"""

from __future__ import annotations

from sympy import (
    Add,
    Expr,
    Function,
    Mul,
    Pow,
    bottom_up,
    erf,
    exp,
    expand_func,
    log,
    pi,
    sqrt,
    tanh,
)
from sympy.codegen.cfunctions import expm1, hypot, log1p


class expit(Function):
    """The logistic function 1/(1 + e^{-u}), evaluated without overflow for any u."""

    def _eval_rewrite_as_exp(self, u, **kwargs):
        return 1 / (1 + exp(-u))

    def fdiff(self, argindex=1):
        u = self.args[0]
        return expit(u) * expit(-u)


class Phi(Function):
    """The standard normal CDF (1 + erf(u/sqrt 2))/2, accurate in both tails (scipy's ndtr)."""

    def _eval_rewrite_as_exp(self, u, **kwargs):
        return (1 + erf(u / sqrt(2))) / 2

    def fdiff(self, argindex=1):
        u = self.args[0]
        return exp(-(u**2) / 2) / sqrt(2 * pi)

    def _latex(self, printer):
        return rf"\Phi\left({printer._print(self.args[0])}\right)"


class log_expit(Function):
    """log(1/(1 + e^{-u})) = -softplus(-u), accurate in both tails."""

    def _eval_rewrite_as_exp(self, u, **kwargs):
        return -log(1 + exp(-u))

    def fdiff(self, argindex=1):
        return expit(-self.args[0])


def elementary(expr: Expr) -> Expr:
    """``expr`` with the stable primitives written out in elementary functions again."""
    return expand_func(expr.rewrite(exp)).replace(
        lambda e: isinstance(e, hypot), lambda e: sqrt(e.args[0] ** 2 + e.args[1] ** 2)
    )


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
    if isinstance(node, log):
        return _rewrite_log(node)
    if isinstance(node, Pow):
        return _rewrite_pow(node)
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


# kind, power, sign of the constant term relative to c, stable form of c*(...) given c and u
_SUM_RULES = (
    (exp, 1, +1, lambda c, u: c / expit(-u)),  # c + c e^u
    (exp, 1, -1, lambda c, u: c * expm1(u)),  # c e^u - c
    (tanh, 1, +1, lambda c, u: 2 * c * expit(2 * u)),  # c + c tanh u
    (tanh, 1, -1, lambda c, u: -2 * c * expit(-2 * u)),  # c tanh u - c
    (tanh, 2, -1, lambda c, u: -4 * c * expit(2 * u) * expit(-2 * u)),  # c tanh^2 u - c
    (erf, 1, +1, lambda c, u: 2 * c * Phi(sqrt(2) * u)),  # c + c erf u
    (erf, 1, -1, lambda c, u: -2 * c * Phi(-sqrt(2) * u)),  # c erf u - c
)


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


# --------------------------------------------------------------------------- products, logs, powers


def _rewrite_mul(node: Mul) -> Expr:
    """e^v expit(-v)^k -> expit(v) expit(-v)^(k-1)."""
    factors = list(Mul.make_args(node))
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


def _rewrite_log(node: log) -> Expr:
    arg = node.args[0]
    base, k = arg.as_base_exp()
    if isinstance(base, expit):
        return k * log_expit(base.args[0])
    if isinstance(arg, Add) and 1 in arg.args:
        return log1p(arg - 1)
    return node


def _rewrite_pow(node: Pow) -> Expr:
    """(1 + a x^2)^p -> hypot(1, sqrt(a) x)^(2p): no overflow of x^2."""
    base, p = node.args
    if isinstance(base, Add) and len(base.args) == 2 and 1 in base.args and not p.is_Integer:
        rest = base.args[0] if base.args[1] == 1 else base.args[1]
        square = _square_root_of(rest)
        if square is not None:
            return hypot(1, square) ** (2 * p)
    return node


def _square_root_of(term: Expr) -> Expr | None:
    """s with s**2 == term, for term = a * u**2 with a > 0."""
    coeff, rest = term.as_coeff_Mul()
    factors = Mul.make_args(rest)
    even = [f for f in factors if f.as_base_exp()[1] == 2]
    if len(even) != 1 or not (coeff.is_positive or coeff == 1):
        return None
    others = [f for f in factors if f is not even[0]]
    if others and not all(f.is_positive for f in others):
        return None
    return sqrt(coeff) * even[0].as_base_exp()[0] * sqrt(Mul(*others))


__all__ = ["Phi", "elementary", "expit", "expm1", "hypot", "log1p", "log_expit", "stabilize"]
