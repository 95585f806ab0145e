"""One record per primitive function: all symdl knows about exp, log, tanh, erf, max, ... lives here.

A ``Primitive`` holds, for one SymPy function:

- ``names``: what the parser accepts (``ln`` and ``log`` are one primitive); none for a function only
  the engine writes (the stable primitives below, LambertW in SiLU's minimum, erfinv in an inverse);
- ``tex``: its LaTeX name, and whether a simple argument goes without brackets (``\\tanh x``); none where
  the printer has a rule of its own (``e^x``, ``\\sqrt{u}``, ``\\lvert u \\rvert``, ``\\max(a, b)``);
- ``numpy``: the NumPy or SciPy ufunc the code generator calls (``"numpy.tanh"``, imported on first
  use), or an implementation of symdl's own taking ``out=``;
- ``mpmath``: its value at any precision, for references and checks;
- ``domain``: for a function not real on all of ℝ (log, sqrt, tan), whether an argument stays inside
  it (a SymPy fuzzy bool), and ``needs``, that condition in words;
- ``sums`` and ``rewrite``: its stable rewrite (``c + c tanh u`` is ``2c expit(2u)``; ``log(1 + u)`` is
  ``log1p(u)``), applied by ``symdl.numeric.stable``;
- ``inverse``: y = f(u) solved for u, where f is one-to-one.

What symdl uses where a primitive's derivative is undefined (abs at 0, a tie of max or min: the branch
selected there, ``symdl.primitives``) and what PyTorch's autograd gives there, measured, are in
``symdl.engine.conventions``, the one table of them.

Adding a primitive is adding one record to ``PRIMITIVES``: the parser, the LaTeX printer, the
NumPy code generator and the mpmath references read this table and nothing else.

The stable primitives ``expit``, ``log_expit``, ``softplus`` and ``Phi`` are SymPy functions defined
here (their fast NumPy forms too), so that their records can name them; so are ``hypot1``, ``log1p_sq``
and ``log_cosh``, which never overflow where the value is a float (sqrt(1 + u^2), log(1 + u^2), log cosh u).

Layering: this module imports only SymPy, NumPy, mpmath (SciPy on first use) and ``symdl.primitives``.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any

import mpmath
import numpy as np
from sympy import (
    Abs,
    Add,
    Expr,
    Function,
    LambertW,
    asinh,
    atan,
    atanh,
    cos,
    cosh,
    erf,
    erfc,
    erfcinv,
    erfinv,
    exp,
    lambdify,
    log,
    pi,
    sin,
    sinh,
    sqrt,
    tan,
    tanh,
)
from sympy.codegen.cfunctions import expm1, log1p

from symdl.primitives import Maximum, Minimum

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
        return self.rewrite(exp)._eval_nseries(x, n, logx, cdir)

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


# Their NumPy forms, built on SIMD exp (SciPy's ufuncs are several times slower).


def numpy_expit(u: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """1/(1 + exp(-u)): accurate for every u (where exp(-u) overflows the value underflows to 0 anyway)."""
    t = np.negative(u, out=out)
    np.exp(t, out=t)
    np.add(t, 1.0, out=t)
    return np.reciprocal(t, out=t)


def numpy_expit_neg(u: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """expit(-u) = 1/(1 + exp(u)), without computing -u first."""
    t = np.exp(u, out=out)
    np.add(t, 1.0, out=t)
    return np.reciprocal(t, out=t)


def numpy_softplus(u: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """log(1 + exp(u)), accurate for every u: log1p(exp(u)) is, until exp overflows; beyond
    u = 36 the exact value rounds to u itself (e^-u < ulp(u)/2 in float64 and float32), so
    softplus(u) = max(u, log1p(exp(min(u, 36))))."""
    t = np.minimum(u, 36.0)
    np.exp(t, out=t)
    np.log1p(t, out=t)
    return np.maximum(u, t, out=out if out is not None else t)


def numpy_log_expit(u: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """log(expit(u)) = -softplus(-u) = min(u, -log1p(exp(min(-u, 36))))."""
    t = np.negative(u)
    np.minimum(t, 36.0, out=t)
    np.exp(t, out=t)
    np.log1p(t, out=t)
    np.negative(t, out=t)
    return np.minimum(u, t, out=out if out is not None else t)


_HYPOT_FAR = 2.0**28  # |u| beyond: sqrt(1 + u^2) = |u| (1 + u^-2/2 + ...) rounds to |u| (from 2^26 on)


def numpy_hypot1(u: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """sqrt(1 + u^2) = max(sqrt(1 + min(|u|, 2^28)^2), |u|): within an ulp, no square to overflow, and
    eight times faster than libm's hypot(u, 1)."""
    t = np.absolute(u, out=out)
    scalar, t = t.ndim == 0, np.atleast_1d(t)
    s = np.minimum(t, _HYPOT_FAR)
    np.multiply(s, s, out=s)
    np.add(s, 1.0, out=s)
    np.sqrt(s, out=s)
    np.maximum(s, t, out=t)
    return t[0] if scalar else t


def numpy_log1p_sq(u: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """log(1 + u^2) = log1p(u^2) while u^2 is a float, 2 log|u| beyond: there log(1 + u^2) is
    2 log|u| + log1p(u^-2), and u^-2 (below 1e-307) is far below the ulp of 2 log|u| (about 700)."""
    t = np.absolute(u, out=out)
    scalar, t = t.ndim == 0, np.atleast_1d(t)
    safe = np.sqrt(np.finfo(t.dtype).max) / 4  # float64: 3.4e153
    far = np.flatnonzero(t > safe)
    beyond = t[far]
    np.minimum(t, safe, out=t)
    np.multiply(t, t, out=t)
    np.log1p(t, out=t)
    if far.size:
        t[far] = 2.0 * np.log(beyond)
    return t[0] if scalar else t


_COSH_FAR = 64.0  # |u| beyond: log(cosh u) = |u| - log 2 + log1p(e^-2|u|), and e^-128 is below every ulp


def numpy_log_cosh(u: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """log(cosh u) = log1p(2 sinh(|u|/2)^2) for |u| <= 64 (cosh u - 1 without cancelling), |u| - log 2 beyond."""
    t = np.absolute(u, out=out)
    scalar, t = t.ndim == 0, np.atleast_1d(t)
    far = np.flatnonzero(t > _COSH_FAR)
    beyond = t[far]
    np.minimum(t, _COSH_FAR, out=t)
    np.multiply(t, 0.5, out=t)
    np.sinh(t, out=t)
    np.multiply(t, t, out=t)
    np.multiply(t, 2.0, out=t)
    np.log1p(t, out=t)
    if far.size:
        t[far] = beyond - np.log(2.0)
    return t[0] if scalar else t


# --------------------------------------------------------------------------- stable rewrites


@dataclass(frozen=True)
class SumRule:
    """``c f(u)^power + sign c`` (c any coefficient) is ``stable(c, u)``: an identity that does not cancel."""

    power: int
    sign: int
    stable: Callable[[Expr, Expr], Expr]


def _stable_log(node: Expr) -> Expr:
    """log(expit(v)^k) = k log_expit(v) = -k softplus(-v); log(cosh(u)^k) = k log_cosh(u);
    log(e^a + e^b) = max(a, b) + softplus(-|a - b|) (log-sum-exp); log(1 + u) = log1p(u)."""
    arg = node.args[0]
    base, k = arg.as_base_exp()
    if isinstance(base, expit):
        v = base.args[0]
        return -k * softplus(-v) if k.is_negative else k * log_expit(v)
    if isinstance(base, cosh):
        return k * log_cosh(base.args[0])
    if isinstance(arg, Add) and len(arg.args) == 2 and all(isinstance(t, exp) for t in arg.args):
        a, b = (t.args[0] for t in arg.args)
        return Maximum(a, b) + softplus(-Abs(a - b))
    if isinstance(arg, Add) and 1 in arg.args:
        return log1p(arg - 1)
    return node


# --------------------------------------------------------------------------- the record


@dataclass(frozen=True)
class Primitive:
    """Everything symdl knows about one primitive function (see the module docstring)."""

    function: Callable[..., Expr]  # the SymPy function; its class is what expressions hold (sqrt: a Pow)
    mpmath: Callable[..., Any]
    numpy: str | Callable[..., Any] | None = None  # "numpy.tanh", "scipy.special.erf", or symdl's own
    names: tuple[str, ...] = ()  # in the parser; () if only the engine writes it
    arity: int = 1
    tex: str | None = None
    bare: bool = False  # \tanh x: a simple argument goes without brackets
    code: str = ""  # its name in compiled code, if not the ufunc's own
    domain: Callable[[Expr], bool | None] | None = None  # None: real for every real argument
    needs: str = ""  # the domain in words
    sums: tuple[SumRule, ...] = ()
    rewrite: Callable[[Expr], Expr] | None = None
    inverse: Callable[[Expr], Expr] | None = None  # y = f(u) solved for u, where f is one-to-one

    @property
    def key(self) -> str:
        """The SymPy class name expressions carry (``tanh``, ``Abs``); ``sqrt`` for the square root."""
        return self.function.__name__

    @property
    def is_class(self) -> bool:
        """Whether expressions hold this function as a node of its own class (sqrt(u) is a power)."""
        return isinstance(self.function, type)

    @property
    def code_name(self) -> str:
        if self.code:
            return self.code
        return self.numpy.rsplit(".", 1)[1] if isinstance(self.numpy, str) else self.function.__name__

    def ufunc(self) -> Callable[..., Any]:
        """The callable the compiled code calls (taking ``out=``); SciPy is imported here, on first use."""
        if self.numpy is None:
            raise NotImplementedError(f"{self.key} has no NumPy form")
        if callable(self.numpy):
            return self.numpy
        module, name = self.numpy.rsplit(".", 1)
        return getattr(importlib.import_module(module), name)


def _positive(u: Expr) -> bool | None:
    return u.is_positive


def _nonnegative(u: Expr) -> bool | None:
    return u.is_nonnegative


def _no_pole(u: Expr) -> bool | None:
    return cos(u).is_nonzero


def _max(a: Any, b: Any) -> Any:
    return a if a >= b else b


def _min(a: Any, b: Any) -> Any:
    return a if a <= b else b


PRIMITIVES: tuple[Primitive, ...] = (
    Primitive(
        exp,
        mpmath.exp,
        "numpy.exp",
        names=("exp",),
        inverse=log,
        sums=(
            SumRule(1, +1, lambda c, u: c / expit(-u)),  # c + c e^u
            SumRule(1, -1, lambda c, u: c * expm1(u)),  # c e^u - c
        ),
    ),
    Primitive(expm1, mpmath.expm1, "numpy.expm1"),
    Primitive(
        log,
        mpmath.log,
        "numpy.log",
        names=("log", "ln"),
        tex=r"\log",
        bare=True,
        domain=_positive,
        needs="its argument > 0",
        rewrite=_stable_log,
        inverse=exp,
    ),
    Primitive(log1p, mpmath.log1p, "numpy.log1p"),
    Primitive(sqrt, mpmath.sqrt, "numpy.sqrt", names=("sqrt",), domain=_nonnegative, needs="its argument >= 0"),
    Primitive(Abs, mpmath.fabs, "numpy.absolute", names=("abs",)),
    Primitive(
        tanh,
        mpmath.tanh,
        "numpy.tanh",
        names=("tanh",),
        tex=r"\tanh",
        bare=True,
        inverse=atanh,
        sums=(
            SumRule(1, +1, lambda c, u: 2 * c * expit(2 * u)),  # c + c tanh u
            SumRule(1, -1, lambda c, u: -2 * c * expit(-2 * u)),  # c tanh u - c
            SumRule(2, -1, lambda c, u: -c / cosh(u) ** 2),  # c tanh^2 u - c
        ),
    ),
    Primitive(sinh, mpmath.sinh, "numpy.sinh", names=("sinh",), tex=r"\sinh", bare=True, inverse=asinh),
    Primitive(cosh, mpmath.cosh, "numpy.cosh", names=("cosh",), tex=r"\cosh", bare=True),
    Primitive(sin, mpmath.sin, "numpy.sin", names=("sin",), tex=r"\sin", bare=True),
    Primitive(cos, mpmath.cos, "numpy.cos", names=("cos",), tex=r"\cos", bare=True),
    Primitive(
        tan,
        mpmath.tan,
        "numpy.tan",
        names=("tan",),
        tex=r"\tan",
        bare=True,
        domain=_no_pole,
        needs="cos of its argument != 0",
    ),
    Primitive(atan, mpmath.atan, "numpy.arctan", names=("atan", "arctan"), tex=r"\arctan", bare=True, inverse=tan),
    Primitive(
        erf,
        mpmath.erf,
        "scipy.special.erf",
        names=("erf",),
        tex=r"\operatorname{erf}",
        inverse=erfinv,
        sums=(
            SumRule(1, +1, lambda c, u: 2 * c * Phi(sqrt(2) * u)),  # c + c erf u
            SumRule(1, -1, lambda c, u: -2 * c * Phi(-sqrt(2) * u)),  # c erf u - c
        ),
    ),
    Primitive(erfc, mpmath.erfc, "scipy.special.erfc", names=("erfc",), tex=r"\operatorname{erfc}", inverse=erfcinv),
    Primitive(erfinv, mpmath.erfinv, "scipy.special.erfinv"),
    Primitive(erfcinv, lambda u: mpmath.erfinv(1 - u), "scipy.special.erfcinv"),
    Primitive(LambertW, mpmath.lambertw, tex="W"),
    Primitive(Maximum, _max, "numpy.maximum", names=("max",), arity=2),
    Primitive(Minimum, _min, "numpy.minimum", names=("min",), arity=2),
    Primitive(Phi, mpmath.ncdf, "scipy.special.ndtr"),
    Primitive(expit, lambda u: 1 / (1 + mpmath.exp(-u)), numpy_expit),
    Primitive(log_expit, lambda u: -mpmath.log1p(mpmath.exp(-u)), numpy_log_expit),
    Primitive(softplus, lambda u: mpmath.log1p(mpmath.exp(u)), numpy_softplus),
    Primitive(hypot1, lambda u: mpmath.hypot(1, u), numpy_hypot1),
    Primitive(log1p_sq, lambda u: mpmath.log1p(u * u), numpy_log1p_sq),
    Primitive(log_cosh, lambda u: mpmath.log1p(2 * mpmath.sinh(u / 2) ** 2), numpy_log_cosh),
)

BY_KEY: dict[str, Primitive] = {p.key: p for p in PRIMITIVES}
PARSED: dict[str, Primitive] = {name: p for p in PRIMITIVES for name in p.names}

# mpmath evaluation by the name SymPy's lambdify prints (the class name): modules=[MPMATH, "mpmath"]
MPMATH: dict[str, Callable[..., Any]] = {p.key: p.mpmath for p in PRIMITIVES}


def as_mpmath(args: Any, expr: Expr) -> Callable[..., Any]:
    """``expr`` as an mpmath function of ``args``, every primitive by its record (mpmath has no erfcinv)."""
    return lambdify(args, expr, modules=[MPMATH, "mpmath"])


def primitive(expr: Expr) -> Primitive | None:
    """The record of an expression's head: tanh(u) -> tanh's, u**(1/2) -> sqrt's; None for arithmetic."""
    if expr.is_Pow and expr.exp.is_integer is not True:
        return BY_KEY["sqrt"]  # u^(1/2), u^(p/q), u^a: real only where u >= 0, as sqrt
    record = BY_KEY.get(type(expr).__name__)
    return record if record is not None and record.is_class else None


@cache
def ufuncs() -> dict[str, tuple[str, Callable[..., Any]]]:
    """SymPy class name -> (name in compiled code, callable taking out=), for every class with a NumPy form."""
    return {p.key: (p.code_name, p.ufunc()) for p in PRIMITIVES if p.is_class and p.numpy is not None and p.arity == 1}


__all__ = [
    "BY_KEY",
    "MPMATH",
    "PARSED",
    "PRIMITIVES",
    "Phi",
    "Primitive",
    "SumRule",
    "expit",
    "hypot1",
    "log1p_sq",
    "log_cosh",
    "log_expit",
    "numpy_expit",
    "numpy_expit_neg",
    "numpy_hypot1",
    "numpy_log1p_sq",
    "numpy_log_cosh",
    "numpy_log_expit",
    "numpy_softplus",
    "primitive",
    "softplus",
    "ufuncs",
]
