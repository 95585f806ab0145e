"""The activation's own output by its name: σ(x) in a worked derivation, s_i for a vector function, and the
form a branch is worked from (tanh x as the lecture defines it)."""

from __future__ import annotations

from functools import cache
from typing import Any

from sympy import Expr, Function, Indexed, exp, tanh

from symdl.catalog import Activation, x
from symdl.engine.calculus import y, ys

# An activation that *is* an elementary function is worked from the definition the lecture gives it:
# tanh x = (e^x - e^-x)/(e^x + e^-x).  SymPy does the rewriting.
WRITTEN: dict[type, Any] = {tanh: exp}


class Output(Function):
    """The activation's own output written by its name: σ(x), or s_i for a vector function."""

    activation: Activation

    def __reduce_ex__(self, protocol: Any) -> tuple[Any, ...]:
        """Pickled by its activation (its class is made by ``named``), so a worked derivation found in a
        guarded child process comes back whole."""
        return _named_output, (self.activation, self.args)

    def _latex(self, printer: Any) -> str:
        act, arg = self.activation, self.args[0]
        if act.is_vector:
            return f"s_{{{printer._print(arg)}}}"
        plain = unnamed(self)
        return printer._print(plain) if plain is not self else f"{act.tex}({printer._print(arg)})"


@cache
def named(act: Activation) -> type[Output]:
    """The SymPy function that stands for ``act``'s output and prints with its name."""
    # Named "Output" like its base: SymPy's printers dispatch a renamed Function subclass by its own name.
    return type("Output", (Output,), {"activation": act})


def _named_output(act: Activation, args: tuple[Expr, ...]) -> Expr:
    return named(act)(*args)


def _is_applied_function(expr: Expr) -> bool:
    return isinstance(expr, Function) and expr.args == (x,)


def unnamed(expr: Expr) -> Expr:
    """The named output of an activation that is itself a function (tanh) as that function; else ``expr``."""
    if isinstance(expr, Output) and _is_applied_function(expr.activation.definition):
        return expr.activation.definition.subs(x, expr.args[0])
    return expr


def written(expr: Expr) -> Expr:
    """The form a branch is worked from: tanh x as (e^x - e^-x)/(e^x + e^-x), anything else as declared."""
    if _is_applied_function(expr) and type(expr) in WRITTEN:
        return expr.rewrite(WRITTEN[type(expr)])
    return expr


def in_own_terms(g: Expr, act: Activation) -> Expr:
    """An output form g(y) with y replaced by the named output: y (1 - y) becomes σ(x)(1 - σ(x))."""
    out = named(act)
    if act.is_vector:
        return g.replace(lambda e: isinstance(e, Indexed) and e.base == ys, lambda e: out(e.indices[0]))
    return g.subs(y, out(x))


__all__ = ["WRITTEN", "Output", "in_own_terms", "named", "unnamed", "written"]
