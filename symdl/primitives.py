"""SymPy functions beyond SymPy's own: those the declarations are written with, and the stable ones the
engine writes (their NumPy forms are in ``symdl.ufuncs``).  What symdl knows about each is its record in
``symdl.functions``.

``Maximum`` and ``Minimum`` are max and min with a tie rule: on a tie the first
argument is the one selected.  Autograd differentiates the branch it selected,
so the order in which a declaration writes its arguments fixes the derivative
at the kink, exactly as PyTorch does: ``Maximum(0, x)`` gives ReLU'(0) = 0 and
``Maximum(alpha*x, x)`` gives LeakyReLU'(0) = alpha.  (SymPy's ``Max`` sorts its
arguments, so it cannot carry this.)  Both rewrite to ``Piecewise``; the engine
always works on that form.
"""

from __future__ import annotations

from sympy import Function, Piecewise, S, cosh, erf, exp, log, pi, sqrt, tanh
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


# --------------------------------------------------------------------------- the stable primitives


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


class softplus(Function):
    """log(1 + e^u), accurate for every u (no overflow, no loss for u << 0)."""

    def _eval_rewrite_as_exp(self, u, **kwargs):
        return log(1 + exp(u))

    def fdiff(self, argindex=1):
        return expit(self.args[0])


# Growth: functions whose naive form overflows before its end (u^2 past 1.3e154, cosh u past 710)
# although the value itself is a float.


class _Elementary(Function):
    """An even stable primitive whose series at a point is its elementary form's (symdl.numeric.origin's Padé)."""

    def _eval_nseries(self, x, n, logx, cdir=0):
        # its own elementary form only (sqrt(1 + u^2)): rewriting u too (tanh into exponentials) makes SymPy's
        # series several times slower
        return self._eval_rewrite_as_exp(*self.args)._eval_nseries(x, n, logx, cdir)

    @classmethod
    def eval(cls, u):
        if u.could_extract_minus_sign():  # even
            return cls(-u)
        return cls._eval_rewrite_as_exp(None, u) if u.is_zero else None  # at 0: its elementary form's value


class hypot1(_Elementary):
    """sqrt(1 + u^2) = hypot(1, u): finite wherever the value is (u^2 overflows past |u| = 1.3e154)."""

    def _eval_rewrite_as_exp(self, u, **kwargs):
        return sqrt(1 + u**2)

    def fdiff(self, argindex=1):
        return self.args[0] / hypot1(self.args[0])


class log1p_sq(_Elementary):
    """log(1 + u^2) for every u: log1p(u^2) while u^2 is a float, 2 log|u| beyond."""

    def _eval_rewrite_as_exp(self, u, **kwargs):
        return log(1 + u**2)

    def fdiff(self, argindex=1):
        return 2 * self.args[0] / (1 + self.args[0] ** 2)


class log_cosh(_Elementary):
    """log(cosh u) for every u: log1p(2 sinh(u/2)^2) (cosh u rounds to 1 near 0 and overflows past 710),
    |u| - log 2 far out."""

    def _eval_rewrite_as_exp(self, u, **kwargs):
        return log(cosh(u))

    def fdiff(self, argindex=1):
        return tanh(self.args[0])


__all__ = [
    "Maximum",
    "Minimum",
    "Phi",
    "expit",
    "hypot1",
    "log1p_sq",
    "log_cosh",
    "log_expit",
    "softplus",
]
