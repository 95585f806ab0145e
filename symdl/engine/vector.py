"""Vector functions (softmax and its kin): the Jacobian of a declaration written for component i of an
n-vector, with the sum's index renamed so that x_j can be the variable differentiated by."""

from __future__ import annotations

from sympy import Expr, Piecewise, Sum, diff

from symdl.catalog import Activation, i, j, k, n, xs
from symdl.engine.readable import readable


def jacobian(act: Activation) -> Expr:
    """d f_i / d x_j of a vector declaration, with the sum's index renamed to k."""
    raw = diff(sum_over_k(act.definition), xs[j]).doit()
    return readable(drop_index_guards(raw), reference=(act.definition,))


def sum_over_k(definition: Expr) -> Expr:
    """The summation index renamed to k, so that x_j can be the variable differentiated by."""
    return definition.replace(
        lambda e: isinstance(e, Sum), lambda e: Sum(e.function.subs(e.variables[0], k), (k, *e.limits[0][1:]))
    )


def drop_index_guards(expr: Expr) -> Expr:
    """d/dx_j of a sum over k picks the term k = j, which SymPy guards with 1 <= j <= n; j is an index, so
    the guard holds: each Piecewise whose first condition involves only indices becomes its first branch."""
    return expr.replace(
        lambda e: isinstance(e, Piecewise) and e.args[0][1].free_symbols <= {i, j, k, n},
        lambda e: e.args[0][0],
    )


__all__ = ["drop_index_guards", "jacobian", "sum_over_k"]
