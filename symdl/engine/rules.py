"""The differentiation rules of the worked derivation, as data: ``RULES`` maps a shape (sum, constant
factor, power, chain, product, quotient) to the rule that differentiates it, each a small function that
writes the rule's result as the board would, factors in order and unevaluated.  ``shape`` says which
rule an expression calls for.  A new rule is one entry.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from sympy import Add, Derivative, Dummy, Expr, Function, Indexed, Mul, Pow, S, Symbol, UnevaluatedExpr, diff, fraction

from symdl.catalog import j, x, xs
from symdl.engine.readable import readable
from symdl.engine.vector import drop_index_guards


def variable_of(expr: Expr) -> Symbol | Indexed:
    return xs[j] if expr.has(xs) else x


def input_of(var: Any) -> Any:
    """What an expression depends on when it depends on ``var``: x, or the whole vector x for x_j."""
    return var.base if isinstance(var, Indexed) else var


def derivative_of(expr: Expr, var: Symbol | Indexed) -> Expr:
    """d expr / d var, simplified for reading; for x_j, sums are done and index guards dropped."""
    raw = diff(expr, var)
    if isinstance(var, Indexed):
        raw = drop_index_guards(raw.doit())
    return readable(raw, reference=(expr,))


def times(*factors: Expr) -> Expr:
    """A product kept as written (the rule's factors in order); ones dropped, a zero makes it zero."""
    factors = tuple(f for f in factors if f != 1)
    if any(f == 0 for f in factors):
        return S.Zero
    numbers = [f for f in factors if f.is_number]
    rest = [f for f in factors if not f.is_number]
    if not rest:
        return Mul(*numbers)
    if len(rest) == 1:
        return Mul(*numbers, rest[0])
    coefficient = Mul(*numbers)
    return Mul(*(([coefficient] if coefficient != 1 else []) + rest), evaluate=False)


def minus(term: Expr) -> Expr:
    return Mul(S.NegativeOne, term, evaluate=False) if isinstance(term, Mul) and not term.is_number else -term


def sum_of(terms: Iterable[Expr]) -> Expr:
    terms = [t for t in terms if t != 0]
    if not terms:
        return S.Zero
    return terms[0] if len(terms) == 1 else Add(*terms, evaluate=False)


def _sum_rule(expr: Expr, var: Any) -> Expr:
    return sum_of(derivative_of(t, var) for t in Add.make_args(expr))


def _constant_rule(expr: Expr, var: Any) -> Expr:
    constant, rest = expr.as_independent(input_of(var), as_Add=False)
    rule = shape(rest, var)
    inner = RULES[rule](rest, var) if rule else Derivative(rest, var)
    return Mul(constant if constant.is_number else UnevaluatedExpr(constant), inner, evaluate=False)


def _power_rule(expr: Expr, var: Any) -> Expr:
    base, power = expr.as_base_exp()
    inner = derivative_of(base, var) if base != var else S.One
    return times(power, Pow(base, power - 1, evaluate=False), inner)


def _chain_rule(expr: Expr, var: Any) -> Expr:
    t = Dummy("t")
    outer = diff(expr.func(t), t).subs(t, expr.args[0])
    return times(outer, derivative_of(expr.args[0], var))


def _product_rule(expr: Expr, var: Any) -> Expr:
    factors = Mul.make_args(expr)
    terms = []
    for m, factor in enumerate(factors):
        terms.append(times(*factors[:m], derivative_of(factor, var), *factors[m + 1 :]))
    return sum_of(terms)


def _quotient_rule(expr: Expr, var: Any) -> Expr:
    u, v = fraction(expr, exact=True)
    numerator = sum_of([times(derivative_of(u, var), v), minus(times(u, derivative_of(v, var)))])
    return Mul(numerator, Pow(Pow(v, 2, evaluate=False), -1, evaluate=False), evaluate=False)


RULES: dict[str, Callable[[Expr, Any], Expr]] = {
    "sum": _sum_rule,
    "constant": _constant_rule,
    "power": _power_rule,
    "chain": _chain_rule,
    "product": _product_rule,
    "quotient": _quotient_rule,
}


def shape(expr: Expr, var: Any) -> str | None:
    """Which rule differentiates ``expr``; None where d/dx is read off directly (x, constants, f(x))."""
    dep = input_of(var)
    if not expr.has(dep) or expr == var:
        return None
    if isinstance(expr, Add):
        return "sum"
    if isinstance(expr, Pow) and not expr.exp.has(dep):
        return "power" if expr.base != var or not expr.exp.is_Integer else None
    if isinstance(expr, Mul):
        constant, _ = expr.as_independent(dep, as_Add=False)
        if constant != 1:
            return "constant"
        u, v = fraction(expr, exact=True)
        if v.has(dep):
            return "quotient" if u.has(dep) else "power"
        return "product"
    if isinstance(expr, Function) and len(expr.args) == 1 and expr.args[0] != var:
        return "chain"
    return None


def quotient_split(expr: Expr, var: Any) -> Expr | None:
    """u'v/v^2 - uv'/v^2 when the first term cancels to a number (tanh: 1 - (e^x - e^-x)^2/(e^x + e^-x)^2)."""
    u, v = fraction(expr, exact=True)
    first = derivative_of(u, var) * v / v**2
    if not first.is_number:
        return None
    return sum_of([first, minus(u * derivative_of(v, var) / v**2)])


__all__ = ["RULES", "derivative_of", "input_of", "minus", "quotient_split", "shape", "sum_of", "times", "variable_of"]
