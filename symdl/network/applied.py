"""An activation applied to a number or formula, kept by its name: σ(4) on the board, not 1/(1 + e^{-4}).

The exact forward pass (``symdl.network.forward``) writes every layer's output with these, so the board shows
what the lecture writes and the exact values stay short; ``Evaluator`` and ``doit`` give their values.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import mpmath
from sympy import Expr, Float, Function, Symbol

from symdl.catalog import Activation, x
from symdl.network.exact import DIGITS, Evaluator


class Applied(Function):
    """An activation applied to one number or formula, written by its name: σ(4), not 1/(1 + e^{-4}).

    Its value is the activation's definition at the argument (``doit``); where that value is rational
    (ReLU(−2) = 0) or the definition is itself a named function (tanh(4)) the value is used directly.  Only a
    single number is worked out so: an argument that holds the previous layer's values (σ(σ(4) − σ(3) + 1))
    stays by name, since SymPy would evaluate it by walking every path back through the network.
    """

    activation: Activation
    values: tuple[tuple[Symbol, Expr], ...] = ()

    @classmethod
    def eval(cls, arg: Expr) -> Expr | None:
        definition = cls.activation.definition
        if definition == x:
            return arg
        if not arg.is_Number:
            return None
        try:
            value = cls._value(arg)
        except OverflowError:  # exp(1e400): beyond what mpmath computes; kept by name, and said when evaluated
            return None
        if isinstance(definition, Function) and definition.args == (x,):
            return value  # tanh(4): SymPy's own function, printed alike
        return value if _short(value) else None

    @classmethod
    def _value(cls, arg: Expr) -> Expr:
        return cls.activation.definition.subs(dict(cls.values)).subs(x, arg)

    def doit(self, deep: bool = True, **hints: Any) -> Expr:
        arg = self.args[0].doit(deep=deep, **hints) if deep else self.args[0]
        value = self._value(arg)
        return value.doit(deep=deep, **hints) if deep else value

    def _eval_evalf(self, prec: int) -> Expr:
        """The argument as a number first, every shared part of it once (``Evaluator``: SymPy's own evalf would
        walk every path back through the network), then the definition at that number; kept on the node, as
        SymPy's printers evaluate every term of a sum to order it."""
        kept = self.__dict__.setdefault("_evalf", {})
        if prec not in kept:
            digits = mpmath.libmp.prec_to_dps(prec)
            arg = self.args[0]
            if not arg.is_Number:
                arg = Float(Evaluator()(arg), max(digits, DIGITS) + 20)
            try:
                kept[prec] = self._value(arg).doit().evalf(digits)
            except OverflowError:  # e^(1e400): no number; left as it is (symdl's Evaluator says so)
                kept[prec] = None
        return kept[prec]

    def _eval_is_real(self) -> bool:
        # Every argument in a network is real (numbers, or symbols declared real), and an activation is real and
        # finite on the whole real line (``define`` refuses any other): said at once, SymPy's assumption system
        # does not walk the argument, which in a deep network holds every path back through it.
        return True

    _eval_is_extended_real = _eval_is_finite = _eval_is_complex = _eval_is_real

    @property
    def is_number(self) -> bool:
        """Kept on the node: SymPy asks it of every sum it builds, and would walk the whole argument each time."""
        known = self.__dict__.get("_is_number")
        if known is None:
            known = self.__dict__["_is_number"] = bool(self.args[0].is_number)
        return known

    def __reduce_ex__(self, protocol: Any) -> tuple[Any, ...]:
        """Pickled as (activation, parameter values, argument): its class is made per activation, at run time."""
        return (_rebuilt, (self.activation, self.values, self.args[0]))

    def _latex(self, printer: Any) -> str:
        arg = printer._print(self.args[0])
        sized = r"\frac" in arg or r"\begin" in arg  # brackets as tall as what they hold
        return f"{self.activation.tex}\\left({arg}\\right)" if sized else f"{self.activation.tex}({arg})"

    def _sympystr(self, printer: Any) -> str:
        return f"{self.activation.name}({printer._print(self.args[0])})"


def _short(value: Expr) -> bool:
    """A rational short enough to write instead of the name: 0, -0.02, 11/24; not SELU(4)'s 32 digits."""
    return value.is_Rational and max(len(str(abs(value.p))), len(str(value.q))) <= 6


@cache
def applied(act: Activation, values: tuple[tuple[Symbol, Expr], ...] = ()) -> type[Applied]:
    """The SymPy function that applies ``act`` at these parameter values and prints with its name."""
    # Named "Applied" like its base: SymPy's printers dispatch a Function subclass by its class name.
    return type("Applied", (Applied,), {"activation": act, "values": values})


def _rebuilt(act: Activation, values: tuple[tuple[Symbol, Expr], ...], arg: Expr) -> Expr:
    return applied(act, values)(arg)


__all__ = ["Applied", "applied"]
