"""How symbols print: parameter symbols use their declared LaTeX, x_i for vector inputs."""

from __future__ import annotations

from sympy import Expr
from sympy import latex as sympy_latex

from symdl.catalog import Activation


def symbol_names(act: Activation) -> dict:
    return {p.symbol: p.tex for p in act.parameters if p.tex}


def tex(expr: Expr, act: Activation | None = None) -> str:
    """LaTeX of an expression, with the activation's parameter names."""
    names = symbol_names(act) if act is not None else {}
    return sympy_latex(expr, symbol_names=names)
