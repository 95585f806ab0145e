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

The stable primitives (``expit``, ``log_expit``, ``softplus``, ``Phi``, ``hypot1``, ``log1p_sq``,
``log_cosh``) are defined in ``symdl.primitives``, their fast NumPy forms in ``symdl.ufuncs``; their records are here.

Layering: this module imports only SymPy, mpmath and ``symdl.primitives``; NumPy, SciPy and
``symdl.ufuncs`` (the stable primitives' NumPy forms) on first use, by name.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any

import mpmath
from sympy import (
    Abs,
    Add,
    Expr,
    LambertW,
    Piecewise,
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
    sin,
    sinh,
    sqrt,
    tan,
    tanh,
)
from sympy.codegen.cfunctions import expm1, log1p

from symdl.primitives import (
    Maximum,
    Minimum,
    Phi,
    expit,
    hypot1,
    log1p_sq,
    log_cosh,
    log_expit,
    softplus,
)

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
        if isinstance(self.numpy, str) and not self.numpy.startswith("symdl."):
            return self.numpy.rsplit(".", 1)[1]  # NumPy's and SciPy's functions by their own names
        return self.function.__name__  # symdl's own NumPy forms (symdl.ufuncs) by the primitive's name

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
            SumRule(2, -1, lambda c, u: -2 * c / (1 + cosh(2 * u))),  # c tanh^2 u - c: sech^2 u = 2/(1 + cosh 2u)
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
    Primitive(Phi, mpmath.ncdf, "symdl.ufuncs.numpy_ndtr"),
    Primitive(expit, lambda u: 1 / (1 + mpmath.exp(-u)), "symdl.ufuncs.numpy_expit"),
    Primitive(log_expit, lambda u: -mpmath.log1p(mpmath.exp(-u)), "symdl.ufuncs.numpy_log_expit"),
    Primitive(softplus, lambda u: mpmath.log1p(mpmath.exp(u)), "symdl.ufuncs.numpy_softplus"),
    Primitive(hypot1, lambda u: mpmath.hypot(1, u), "symdl.ufuncs.numpy_hypot1"),
    Primitive(log1p_sq, lambda u: mpmath.log1p(u * u), "symdl.ufuncs.numpy_log1p_sq"),
    Primitive(log_cosh, lambda u: mpmath.log1p(2 * mpmath.sinh(u / 2) ** 2), "symdl.ufuncs.numpy_log_cosh"),
)

BY_KEY: dict[str, Primitive] = {p.key: p for p in PRIMITIVES}
PARSED: dict[str, Primitive] = {name: p for p in PRIMITIVES for name in p.names}

# mpmath evaluation by the name SymPy's lambdify prints (the class name): modules=[MPMATH, "mpmath"]
MPMATH: dict[str, Callable[..., Any]] = {p.key: p.mpmath for p in PRIMITIVES}


def as_mpmath(args: Any, expr: Expr, cse: bool = False) -> Callable[..., Any]:
    """``expr`` as an mpmath function of ``args``, every primitive by its record (mpmath has no erfcinv);
    ``cse``: common subexpressions computed once (a Jacobian's entries share their sums), except across the
    branches of a Piecewise, where a shared term would be evaluated outside its branch (1/(x - 1) at x = 1)."""
    parts = expr if isinstance(expr, list | tuple) else [expr]
    shared = cse and not any(isinstance(part, Expr) and part.has(Piecewise) for part in parts)
    return lambdify(args, expr, modules=[MPMATH, "mpmath"], cse=shared)


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
    "Primitive",
    "SumRule",
    "primitive",
    "ufuncs",
]
