"""SymPy functions that the declarations are written with, beyond SymPy's own.

``Maximum`` and ``Minimum`` are max and min with a tie rule: on a tie the first
argument is the one selected.  Autograd differentiates the branch it selected,
so the order in which a declaration writes its arguments fixes the derivative
at the kink, exactly as PyTorch does: ``Maximum(0, x)`` gives ReLU'(0) = 0 and
``Maximum(alpha*x, x)`` gives LeakyReLU'(0) = alpha.  (SymPy's ``Max`` sorts its
arguments, so it cannot carry this.)  Both rewrite to ``Piecewise``; the engine
always works on that form.
"""

from __future__ import annotations

from sympy import Function, Piecewise, S
from sympy.core.expr import Expr


class _Extremum(Function):
    nargs = 2
    _tex = ""

    @classmethod
    def eval(cls, a: Expr, b: Expr) -> Expr | None:
        if a.is_number and b.is_number and a.is_comparable and b.is_comparable:
            return a if cls._first_wins(a, b) else b
        return None

    @staticmethod
    def _first_wins(a: Expr, b: Expr):  # pragma: no cover - overridden
        raise NotImplementedError

    def _eval_rewrite_as_Piecewise(self, a: Expr, b: Expr, **kwargs) -> Expr:
        return Piecewise((a, self._first_wins(a, b)), (b, True))

    def fdiff(self, argindex: int = 1) -> Expr:
        a, b = self.args
        first = Piecewise((S.One, self._first_wins(a, b)), (S.Zero, True))
        return first if argindex == 1 else 1 - first

    def _eval_is_real(self) -> bool | None:
        return self.args[0].is_real and self.args[1].is_real

    def _latex(self, printer) -> str:
        a, b = (printer._print(arg) for arg in self.args)
        return rf"{self._tex}\left({a}, {b}\right)"

    def _pretty(self, printer):
        return printer._print_Function(self, func_name=self._tex[1:])

    def _sympystr(self, printer) -> str:
        a, b = (printer._print(arg) for arg in self.args)
        return f"{self._tex[1:]}({a}, {b})"


class Maximum(_Extremum):
    """max(a, b); on a tie, a."""

    _tex = r"\max"

    @staticmethod
    def _first_wins(a: Expr, b: Expr):
        return a >= b


class Minimum(_Extremum):
    """min(a, b); on a tie, a."""

    _tex = r"\min"

    @staticmethod
    def _first_wins(a: Expr, b: Expr):
        return a <= b
