"""Compiling symbolic activations to NumPy: stable, dtype-preserving, fast.

The pipeline, for an activation, its derivative or any expression in x:

1. **Regions** (``symdl.regions``): a piecewise expression becomes its
   branches and the intervals they hold on.
2. **Stable primitives** (``symdl.stable``): each branch is rewritten
   (expit, log_expit, expm1, Phi, hypot, ...), so no formula cancels or
   overflows where a stable one exists.
3. **Code**: each branch is printed as NumPy/SciPy code, common
   subexpressions once, constants folded.  A branch is evaluated on its input
   clipped to its own interval, so a branch that is not selected can never
   overflow (ELU's ``expm1`` never sees x > 0).  Branches are joined with
   ``numpy.where``; piecewise constants become a sum of ``heaviside`` steps.
4. **Probing**: the kernel is run once at the extremes (+-inf and the
   largest floats of each dtype) and compared with the symbolic limits.  On a
   side where it fails (``0 * inf``: GELU at -inf, GELU-tanh's derivative at
   1e300) the limit there is finite, so the input is clipped at the point
   where the function has reached its limit to the last bit, found with
   mpmath.  A side that fails with an infinite limit is a compiler error.

Inputs: Python scalars, lists, 0-d and n-d arrays; float16/32/64 keep their
dtype (float16 is computed in float32, integers become float64); NaN
propagates; +-inf give the mathematical limits.  Intermediate overflow whose
result is still right (``exp(-x**2)`` at x = 1e200 is 0) is not reported:
kernels run under ``numpy.errstate(over="ignore")``.  A finite input whose
exact image lies beyond the largest float (SELU at the float's maximum) gives
inf, as IEEE rounding requires; every other finite input gives a finite value.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cache
from itertools import pairwise
from typing import Any

import mpmath
import numpy as np
import scipy.special as sc
from sympy import Expr, Symbol, cse, lambdify, limit, nfloat, oo
from sympy.printing.numpy import SciPyPrinter

from symdl.calculus import derive
from symdl.catalog import Activation, activation, x
from symdl.errors import BadParameter, DerivationError, SymdlError
from symdl.regions import Region, as_piecewise, regions
from symdl.stable import stabilize

FLOATS = (np.float64, np.float32)  # float16 is computed in float32


class _Printer(SciPyPrinter):
    """SciPy's printer with bare names, the stable primitives and float literals for constants.

    Constants print as Python floats, which NumPy treats as weakly typed, so
    float32 input stays float32 (``numpy.sqrt(2)`` would be a float64 scalar).
    """

    def __init__(self) -> None:
        super().__init__({"fully_qualified_modules": False, "allow_unknown_functions": False})

    def _print(self, expr, **kwargs):
        if isinstance(expr, Expr) and expr.is_number and expr.is_real and not expr.is_Integer:
            return repr(float(expr))
        return super()._print(expr, **kwargs)

    def _print_Pow(self, expr, rational=False):
        base, exponent = expr.args
        if exponent.is_Integer and exponent < 0:
            return f"1/{self.parenthesize(base ** (-exponent), 60)}"
        return super()._print_Pow(expr, rational)

    def _print_expit(self, expr):
        return f"expit({self._print(expr.args[0])})"

    def _print_log_expit(self, expr):
        return f"log_expit({self._print(expr.args[0])})"

    def _print_Phi(self, expr):
        return f"ndtr({self._print(expr.args[0])})"

    def _print_hypot(self, expr):
        return f"hypot({self._print(expr.args[0])}, {self._print(expr.args[1])})"


_NAMESPACE: dict[str, Any] = {
    "expit": sc.expit,
    "log_expit": sc.log_expit,
    "ndtr": sc.ndtr,
    "erf": sc.erf,
    "erfc": sc.erfc,
    "expm1": np.expm1,
    "log1p": np.log1p,
    "hypot": np.hypot,
    "exp": np.exp,
    "log": np.log,
    "tanh": np.tanh,
    "arctan": np.arctan,
    "sqrt": np.sqrt,
    "abs": np.abs,
    "where": np.where,
    "minimum": np.minimum,
    "maximum": np.maximum,
    "clip": np.clip,
    "heaviside": np.heaviside,
    "isnan": np.isnan,
    "nan": np.nan,
    "inf": np.inf,
    "f64": np.float64,
}


# --------------------------------------------------------------------------- code generation


class _Code:
    """Prints pieces of one kernel, with the parameters renamed p0, p1, ... (``lambda`` is a keyword)."""

    def __init__(self, names: Mapping[Symbol, str]) -> None:
        self.rename = {s: Symbol(n) for s, n in names.items()}
        self.printer = _Printer()

    def expr(self, expr: Expr, var: str = "x") -> str:
        return self.printer.doprint(nfloat(expr.xreplace(self.rename).subs(x, Symbol(var)), 17, exponent=False))

    def assignments(self, expr: Expr, var: str, prefix: str) -> tuple[list[str], str]:
        """Common subexpressions as assignments, then the value."""
        ready = nfloat(expr.xreplace(self.rename).subs(x, Symbol(var)), 17, exponent=False)
        temps, (value,) = cse(ready, symbols=(Symbol(f"{prefix}{m}") for m in range(10**6)))
        lines = [f"{sym} = {self.printer.doprint(sub)}" for sym, sub in temps]
        return lines, self.printer.doprint(value)

    def bound(self, value: Expr) -> str:
        if value in (oo, -oo):
            return "inf" if value == oo else "-inf"
        return self.expr(value)

    def breakpoint(self, value: Expr) -> str:
        """A breakpoint in a comparison: in float64 unless float32 holds it exactly.

        x32 <= 0.1 would compare in float32, where 0.1 rounds up and takes the
        wrong branch for x32 = 0.1f; against a float64 scalar NumPy compares in
        float64, as exact arithmetic would.
        """
        text = self.bound(value)
        exact_in_float32 = value.is_number and float(np.float32(float(value))) == float(value)
        return text if exact_in_float32 else f"f64({text})"

    def condition(self, region: Region, var: str = "x") -> str:
        if region.is_point:
            return f"({var} == {self.breakpoint(region.lo)})"
        parts = []
        if region.lo != -oo:
            parts.append(f"({var} {'>=' if region.lo_closed else '>'} {self.breakpoint(region.lo)})")
        if region.hi != oo:
            parts.append(f"({var} {'<=' if region.hi_closed else '<'} {self.breakpoint(region.hi)})")
        return " & ".join(parts) if parts else "True"

    def clipped(self, region: Region, var: str = "x") -> str:
        if region.lo == -oo:
            return f"minimum({var}, {self.bound(region.hi)})"
        if region.hi == oo:
            return f"maximum({var}, {self.bound(region.lo)})"
        return f"clip({var}, {self.bound(region.lo)}, {self.bound(region.hi)})"


def _harmless(expr: Expr) -> bool:
    """A branch that cannot overflow or warn for any input: a polynomial in x of degree <= 1."""
    poly = expr.as_poly(x) if expr.is_polynomial(x) else None
    return poly is not None and poly.degree() <= 1


def _source(regs: tuple[Region, ...], names: Mapping[Symbol, str], clamp: tuple[bool, bool]) -> str:
    """The kernel's source, from the regions; ``clamp`` adds input clipping at (lo, hi) arguments."""
    code = _Code(names)
    args = ["x", *names.values(), "lo", "hi"]
    lines = []
    if clamp == (True, True):
        lines.append("x = clip(x, lo, hi)")
    elif clamp[0]:
        lines.append("x = maximum(x, lo)")
    elif clamp[1]:
        lines.append("x = minimum(x, hi)")
    branches = [(r, stabilize(r.expr)) for r in regs]
    if all(not e.has(x) for _, e in branches):
        lines += _steps(branches, code)
    else:
        lines += _where_chain(branches, code)
    return f"def kernel({', '.join(args)}):\n" + textwrap.indent("\n".join(lines), "    ")


def _steps(branches: list[tuple[Region, Expr]], code: _Code) -> list[str]:
    """Piecewise constants as v0 + sum of jumps * heaviside(x - c, h): NaN propagates, no masks.

    ``h`` is the step's value at its own point: 0 where the left branch owns the point, 1 where the right does.
    """
    first = code.expr(branches[0][1])
    if len(branches) == 1:
        return [f"return where(isnan(x), nan, {first})"]
    steps = [
        f"({code.expr(right - left)}) * heaviside(x - {code.breakpoint(region.hi)}, {0.0 if region.hi_closed else 1.0})"
        for (region, left), (_, right) in pairwise(branches)
    ]
    return [f"return {first} + " + " + ".join(steps)]


def _where_chain(branches: list[tuple[Region, Expr]], code: _Code) -> list[str]:
    """Each branch on its clipped input, joined by numpy.where; the default branch depends on x (NaN flows)."""
    order = sorted(range(len(branches)), key=lambda k: (branches[k][1].has(x), -k))
    lines: list[str] = []
    for n, (region, expr) in enumerate(branches):
        var = "x"
        if len(branches) > 1 and not _harmless(expr):
            var = f"x{n}"
            lines.append(f"{var} = {code.clipped(region)}")
        temps, value = code.assignments(expr, var, f"t{n}_")
        lines += temps
        lines.append(f"v{n} = {value}")
    lines.append(f"out = v{order[-1]}")
    lines += [f"out = where({code.condition(branches[n][0])}, v{n}, out)" for n in order[:-1]]
    lines.append("return out")
    return lines


# --------------------------------------------------------------------------- probing and saturation


def _limits(expr: Expr, values: Mapping[Symbol, Expr]) -> tuple[Expr, Expr]:
    pw = as_piecewise(expr.subs(values))
    regs = regions(pw, x, {})
    return limit(regs[0].expr, x, -oo), limit(regs[-1].expr, x, oo)


def _probe_points(dtype: type, side: int) -> np.ndarray:
    """The largest floats of a dtype and a few powers of ten below them, then +-inf, on one side."""
    big = float(np.finfo(dtype).max)
    mags = [big, *(10.0**k for k in (300, 200, 150, 100, 50, 38, 30, 20, 15, 10) if 10.0**k < big), np.inf]
    sign = -1.0 if side == 0 else 1.0
    return np.array([sign * m for m in mags], dtype=dtype)


def _fails(kernel: Callable, values: list[float], limit_value: Expr, bounds: tuple[float, float], side: int) -> bool:
    """Whether the kernel warns, gives NaN, or misses the limit at inf, on one side, in either float type."""
    expected = float(limit_value)
    for dtype in FLOATS:
        points = _probe_points(dtype, side)
        with np.errstate(over="ignore", under="ignore", invalid="raise", divide="raise"):
            try:
                out = np.broadcast_to(np.asarray(kernel(points, *values, *bounds), dtype=np.float64), points.shape)
            except FloatingPointError:
                return True
        at_inf, finite = out[-1], out[:-1]
        if not (at_inf == expected or abs(at_inf - expected) <= 4 * float(np.finfo(dtype).eps) * abs(expected)):
            return True
        # A finite input may only give inf where the exact value itself is beyond the float range.
        if np.isnan(finite).any() or (np.isinf(finite).any() and np.isfinite(expected)):
            return True
    return False


_MPMATH = {
    "expit": lambda u: 1 / (1 + mpmath.exp(-u)),
    "log_expit": lambda u: -mpmath.log1p(mpmath.exp(-u)),
    "Phi": mpmath.ncdf,
    "expm1": mpmath.expm1,
    "log1p": mpmath.log1p,
    "hypot": mpmath.hypot,
}


def mpmath_function(expr: Expr, values: Mapping[Symbol, Expr]) -> Callable:
    """An mpmath function of x from the stable form: it does not cancel in the tails, at any precision."""
    stable = as_piecewise(stabilize(as_piecewise(expr.subs(values))))
    return lambdify(x, stable, modules=[_MPMATH, "mpmath"])


def _saturation(expr: Expr, values: Mapping[Symbol, Expr], side: int, lim: Expr) -> float:
    """The smallest power of 2, X, beyond which the function equals its limit to the last bit (float64 and 32)."""
    f = mpmath_function(expr, values)
    sign = -1 if side == 0 else 1
    tiny = mpmath.mpf(np.finfo(np.float64).smallest_subnormal) / 2
    with mpmath.workdps(40):
        target = mpmath.mpf(str(float(lim)))
        for k in range(0, 1024):
            X = mpmath.mpf(2) ** k
            if all(_at_limit(f(sign * X * m), target, tiny) for m in (1, 2, 4, 16, 256)):
                return float(X)
    raise DerivationError(f"{expr} does not reach its limit {lim} within the float range")


def _at_limit(value, target, tiny) -> bool:
    if target == 0:
        return abs(value) < tiny
    return abs(value - target) <= abs(target) * mpmath.mpf(2) ** -54


# --------------------------------------------------------------------------- the callable


@dataclass(frozen=True)
class NumericFunction:
    """A compiled activation (or derivative): call it as ``f(x, **params)``."""

    name: str
    expr: Expr  # what was compiled, symbolic
    params: tuple[tuple[str, Symbol, Expr], ...]  # (name, symbol, default)
    source: str
    kernel: Callable[..., Any] = field(repr=False)
    clamp: tuple[bool, bool] = (False, False)

    def __call__(self, x_in: Any, **params: Any) -> Any:
        values = self._values(params)
        array = np.asarray(x_in)
        if array.dtype.kind in "iub":
            array = array.astype(np.float64)
        elif array.dtype.kind != "f":
            raise SymdlError(f"{self.name}: expected real numbers, got an array of {array.dtype}")
        dtype = array.dtype
        work = array.astype(np.float32) if dtype == np.float16 else array
        bounds = self.bounds(tuple(values)) if any(self.clamp) else (0.0, 0.0)
        with np.errstate(over="ignore", under="ignore"):
            out = np.asarray(self.kernel(work, *values, *bounds))
            if out.shape != work.shape:
                out = np.broadcast_to(out, work.shape)
            out = out.astype(dtype, copy=False)
        return out[()] if array.ndim == 0 else out

    def bounds(self, values: tuple[float, ...]) -> tuple[float, float]:
        return _bounds(self, values)

    def _values(self, given: Mapping[str, Any]) -> list[float]:
        unknown = set(given) - {name for name, _, _ in self.params}
        if unknown:
            have = ", ".join(name for name, _, _ in self.params) or "no parameters"
            raise BadParameter(f"{self.name} has no parameter {sorted(unknown)[0]!r} (it has {have})")
        values = []
        for name, _, default in self.params:
            value = given.get(name, default)
            try:
                number = float(value)
            except (TypeError, ValueError):
                raise BadParameter(f"{self.name}: parameter {name} must be a number, got {value!r}") from None
            if not np.isfinite(number):
                raise BadParameter(f"{self.name}: parameter {name} must be finite, got {value!r}")
            values.append(number)
        return values


@cache
def _bounds(f: NumericFunction, values: tuple[float, ...]) -> tuple[float, float]:
    from sympy import Rational

    exact = {symbol: Rational(repr(v)) for (_, symbol, _), v in zip(f.params, values, strict=True)}
    lo_lim, hi_lim = _limits(f.expr, exact)
    lo = -_saturation(f.expr, exact, 0, lo_lim) if f.clamp[0] else -np.inf
    hi = _saturation(f.expr, exact, 1, hi_lim) if f.clamp[1] else np.inf
    return lo, hi


def _build(name: str, expr: Expr, params, names, regs, clamp) -> NumericFunction:
    source = _source(regs, names, clamp)
    namespace = dict(_NAMESPACE)
    exec(compile(source, f"<symdl {name}>", "exec"), namespace)
    return NumericFunction(name, expr, params, source, namespace["kernel"], clamp)


def compile_expression(name: str, expr: Expr, defaults: Mapping[Symbol, Expr]) -> NumericFunction:
    """Compile an expression in x (parameters default to ``defaults``); see the module docstring."""
    symbols = sorted(expr.free_symbols - {x}, key=lambda s: s.name)
    missing = [s.name for s in symbols if s not in defaults]
    if missing:
        raise BadParameter(f"{name}: no value for {', '.join(missing)}")
    names = {s: f"p{n}" for n, s in enumerate(symbols)}
    params = tuple((s.name, s, defaults[s]) for s in symbols)
    regs = regions(expr, x, defaults)
    plain = _build(name, expr, params, names, regs, (False, False))
    values = [float(defaults[s]) for s in symbols]
    limits = _limits(expr, defaults)
    failing = tuple(_fails(plain.kernel, values, limits[side], (0.0, 0.0), side) for side in (0, 1))
    if not any(failing):
        return plain
    for side in (0, 1):
        if failing[side] and not limits[side].is_finite:
            raise DerivationError(f"{name}: cannot evaluate near {'-' if side == 0 else '+'}inf (limit {limits[side]})")
    clamped = _build(name, expr, params, names, regs, failing)
    bounds = clamped.bounds(tuple(values))
    if any(_fails(clamped.kernel, values, limits[side], bounds, side) for side in (0, 1)):
        raise DerivationError(f"{name}: still fails at the extremes after clamping")
    return clamped


@cache
def _numpy_function(act: Activation, derivative: bool) -> NumericFunction:
    if act.is_vector:
        raise SymdlError(f"{act.name}: vector functions are compiled by symdl.numeric.vector_function")
    expr = derive(act).derivative if derivative else act.definition
    name = f"{act.name}'" if derivative else act.name
    return compile_expression(name, expr, act.params)


def numpy_function(name_or_activation: str | Activation, derivative: bool = False) -> NumericFunction:
    """A NumPy function ``f(x, **params)`` for an activation (``derivative=True``: its derivative)."""
    return _numpy_function(activation(name_or_activation), derivative)


__all__ = ["NumericFunction", "compile_expression", "numpy_function"]
