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
c - c tanh(u)^2                       2c / (1 + cosh(2u))
expit(v) expit(-v)                    1 / (2 (1 + cosh v))
c + c erf(u), c - c erf(u)            2c Phi(sqrt(2) u), 2c Phi(-sqrt(2) u)
expit(v)^k, k not an integer          exp(-k softplus(-v))  (sqrt(1 + e^x): no 1/0 far out)
log(1 + u)                            log1p(u)
log(cosh u)                           log_cosh(u)  (cosh u rounds to 1 near 0)
====================================  =======================================

Growth is the other failure: u^2 overflows past |u| = 1.3e154 while sqrt(1 + u^2) ~ |u|
and log(1 + u^2) ~ 2 log|u| are floats, and x^2/cosh(x)^2 is inf/inf at 1e200.
``balanced`` rewrites a stable form for the compiler's careful fallback, taken only
where the stable form fails at the extremes (so what passes keeps its faster code):

====================================  =======================================
sqrt(a + b u^2), 1/(a + b u^2)^k      sqrt(a) hypot1(sqrt(b/a) u), to its power
log(a + b u^2), log1p(b u^2)          log a + log1p_sq(sqrt(b/a) u)
e^a e^b                               e^(a + b)
====================================  =======================================

(a, b > 0; u^2 may be written v^4, ...), with products that divide as they multiply
(``symdl.numeric.codegen``): x/(1 + x^2) is x/h/h, never h*h.

sech^2 u is 2/(1 + cosh 2u), not 1/cosh(u)^2: the rounding of cosh counts once, not twice (within 2.1 ulp
against 3.7), which GELU-tanh's derivative needs where its two terms cancel (``symdl.numeric.forms``).

Every rule is an identity; ``elementary`` undoes the primitives so tests can
check the rewritten expression against the original.  The rules of one function
(the sums in exp, tanh and erf, log's log1p and log_cosh) are part of its record in
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
    log,
    sqrt,
)
from sympy.codegen.cfunctions import log1p

from symdl.functions import BY_KEY, PRIMITIVES, as_mpmath
from symdl.primitives import expit, hypot1, log1p_sq, softplus


def mpmath_function(expr: Expr, values: Mapping[Symbol, Expr]) -> Callable:
    """An mpmath function of x from the stable form: it does not cancel in the tails, at any precision."""
    from symdl.catalog import x
    from symdl.engine.regions import as_piecewise

    stable = as_piecewise(stabilize(as_piecewise(expr.subs(values))))
    return as_mpmath(x, stable, cse=True)


def elementary(expr: Expr) -> Expr:
    """``expr`` with the stable primitives written out in elementary functions again."""
    return expand_func(expr.rewrite(exp))


def balanced(expr: Expr, divisors: bool = True) -> Expr:
    """A stable form safe from growth (the second table of the module docstring), for balanced products;
    ``divisors=False`` keeps 1/(a + b u^2)^k as it is (x^2/(1 + x^2)^2 is x/q*x/q: where q overflows the
    value is below every float anyway, and q is more accurate than h*h near 0)."""
    return bottom_up(expr, lambda node: _grown(node, divisors))


def _grown(node: Expr, divisors: bool) -> Expr:
    exps = [f for f in Mul.make_args(node) if isinstance(f, exp)] if isinstance(node, Mul) else []
    if len(exps) > 1:  # e^a e^b = e^(a + b): e^x e^(-softplus(x)/2) is inf * 0 far out, e^(x - softplus(x)/2) is not
        rest = [f for f in Mul.make_args(node) if not isinstance(f, exp)]
        return Mul(*rest, exp(Add(*(f.args[0] for f in exps))))
    if isinstance(node, Pow) and ((2 * node.exp).is_odd or (divisors and node.exp.is_Integer and node.exp.is_negative)):
        quadratic = _quadratic(node.base)
        if quadratic is not None:  # (a + b u^2)^(k/2) = (sqrt(a) hypot1(sqrt(b/a) u))^k
            a, b, u = quadratic
            return (sqrt(a) * hypot1(sqrt(b / a) * u)) ** (2 * node.exp)
    if isinstance(node, log1p):
        quadratic = _quadratic(1 + node.args[0])
        if quadratic is not None and quadratic[0] == 1:  # log1p(b u^2) = log1p_sq(sqrt(b) u)
            return log1p_sq(sqrt(quadratic[1]) * quadratic[2])
    if isinstance(node, log):
        base, k = node.args[0].as_base_exp()
        quadratic = _quadratic(base)
        if quadratic is not None:  # log((a + b u^2)^k) = k (log a + log1p_sq(sqrt(b/a) u))
            a, b, u = quadratic
            return k * (log(a) + log1p_sq(sqrt(b / a) * u))
        if isinstance(base, hypot1):  # log(hypot1(u)^k) = k log1p_sq(u) / 2
            return k * log1p_sq(base.args[0]) / 2
    return node


def _quadratic(expr: Expr) -> tuple[Expr, Expr, Expr] | None:
    """expr = a + b u^2 with a, b > 0 (u not a number; u^2 may be written v^4, ...): (a, b, u), else None."""
    if not isinstance(expr, Add) or len(expr.args) != 2:
        return None
    for a, term in (expr.args, expr.args[::-1]):
        b, rest = term.as_coeff_Mul()
        u, power = rest.as_base_exp()
        if a.is_positive and b.is_positive and power.is_even and not u.is_number:
            return a, b, u ** (power / 2)
    return None


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
    if isinstance(node, Pow) and not node.exp.is_integer:  # sqrt(1/expit(-u)) is a power of a power
        inner, power = node.base.as_base_exp()
        if isinstance(inner, expit):  # expit(v)^-k = (1 + e^-v)^k = e^(k softplus(-v)), as expit > 0
            return exp(-power * node.exp * softplus(-inner.args[0]))
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
    """e^v expit(-v)^k -> expit(v) expit(-v)^(k-1); expit(v) expit(-v) -> 1/(2 (1 + cosh v))."""
    factors = list(Mul.make_args(node))
    for factor in factors:
        if isinstance(factor, expit) and expit(-factor.args[0]) in factors:
            rest = list(factors)
            rest.remove(factor)
            rest.remove(expit(-factor.args[0]))
            return Mul(*rest) / (2 * (1 + cosh(factor.args[0])))
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


__all__ = ["balanced", "elementary", "mpmath_function", "stabilize"]
