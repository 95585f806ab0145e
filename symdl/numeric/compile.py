"""Compiling symbolic activations to NumPy: stable, dtype-preserving, fast.

The pipeline, for an activation, its derivative or any expression in x:

1. **Regions** (``symdl.engine.regions``): a piecewise expression becomes its
   branches and the intervals they hold on.
2. **Stable primitives** (``symdl.numeric.stable``): each branch is rewritten
   (expit, log_expit, expm1, Phi, log_cosh, ...), so no formula cancels or
   overflows where a stable one exists.
3. **Code**: each branch is printed as NumPy/SciPy code, common
   subexpressions once, constants folded.  A branch is evaluated on its input
   clipped to its own interval, so a branch that is not selected can never
   overflow (ELU's ``expm1`` never sees x > 0).  Branches are joined with
   ``numpy.where``; piecewise constants become a sum of ``heaviside`` steps.
4. **Probing**: the kernel is run once at the extremes (+-inf, the largest
   float and powers of ten below it) and compared with the symbolic limits and
   with mpmath.  On a side where it fails (``0 * inf``: GELU at -inf, GELU-tanh's
   derivative at 1e300) with a finite limit reached within the floats, the input
   is clipped at the point where the function has reached its limit to the last
   bit, found with mpmath.  Where that is not so (an intermediate overflows before
   the end: ``x*x`` in sqrt(1 + x^2) past 1.3e154, ``inf/inf`` in x^2/cosh(x)^2)
   the **careful fallback** takes over: forms safe from growth (hypot1, log1p_sq,
   ``symdl.numeric.stable.balanced``) measured out to the largest floats
   (``symdl.numeric.forms``), products that divide as they multiply
   (``symdl.numeric.codegen``), and +-inf given the limits; clipped again where a
   side still fails.  A side nothing passes is refused in one line.

Inputs: Python scalars, lists, 0-d and n-d arrays; float16/32/64 keep their
dtype (integers become float64).  float16 and float32 are computed in float64
and rounded once at the end, so their results are within about half an ulp
(speed is measured, and matters, in float64).  NaN propagates; +-inf give the
mathematical limits.  Intermediate overflow whose
result is still right (``exp(-x**2)`` at x = 1e200 is 0) is not reported:
kernels run under ``numpy.errstate(over="ignore")``.  A finite input whose
exact image lies beyond the largest float (SELU at the float's maximum) gives
inf, as IEEE rounding requires; every other finite input gives a finite value.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from functools import cache, partial
from typing import Any

import mpmath
import numpy as np
from sympy import AccumBounds, Expr, Symbol, limit, oo

from symdl.cache import remembered
from symdl.catalog import Activation, activation, x
from symdl.engine.calculus import derive
from symdl.engine.regions import Region, as_piecewise, regions
from symdl.errors import BadParameter, DerivationError, SymdlError
from symdl.numeric.codegen import NAMESPACE
from symdl.numeric.forms import best
from symdl.numeric.kernels import kernel_source, single_kernel
from symdl.numeric.logsumexp import VectorFunction, vector_function
from symdl.numeric.stable import mpmath_function, stabilize


def _limits(expr: Expr, values: Mapping[Symbol, Expr]) -> tuple[Expr, Expr]:
    return _limits_of(as_piecewise(expr.subs(values)))


@cache
def _limits_of(pw: Expr) -> tuple[Expr, Expr]:
    """The limits at -inf and +inf, once per function of x: a kernel with parameters and the one with
    their defaults folded in probe the same limits.  Kept on disk (``symdl.cache``)."""

    def found() -> tuple[Expr, Expr]:
        regs = regions(pw, x, {})
        return limit(regs[0].expr, x, -oo), limit(regs[-1].expr, x, oo)

    return remembered("limits", (pw,), found)


# A measured form depends on the numbers these compute (symdl.cache keys it by their versions).
_MEASURED_WITH = ("numpy", "scipy")


def _probe_points(dtype: type, side: int) -> np.ndarray:
    """The largest floats of a dtype and a few powers of ten below them, then +-inf, on one side."""
    big = float(np.finfo(dtype).max)
    mags = [big, *(10.0**k for k in (300, 200, 150, 100, 50, 38, 30, 20, 15, 10) if 10.0**k < big), np.inf]
    sign = -1.0 if side == 0 else 1.0
    return np.array([sign * m for m in mags], dtype=dtype)


# At the probes a value is far off (an overflow before the end: x/(1 + x^2) is 0 at 1e200, not 1e-200)
# when it misses the exact value by more than this, relatively, or by more than _PROBE_TINY absolutely.
_PROBE_REL = 2.0**-20
_PROBE_TINY = 1e-300


def _fails(kernel: Callable, values: list[float], limit_value: Expr, bounds, side: int, exact: Callable) -> bool:
    """Whether the kernel warns, gives NaN, misses the limit at inf, or is far off (inf included) where
    the exact value is a float, on one side (``exact``: mpmath function of x).  Kernels compute in float64
    only: float16 and float32 inputs are computed in float64 and rounded once."""
    points = _probe_points(np.float64, side)
    oscillates = isinstance(limit_value, AccumBounds)  # sin x has no limit: no value at inf to miss
    if oscillates:
        points = points[:-1]
    with np.errstate(over="ignore", under="ignore", invalid="raise", divide="raise"):
        try:
            out = np.broadcast_to(np.asarray(kernel(points, *values, *bounds), dtype=np.float64), points.shape)
        except FloatingPointError:
            return True
    if not oscillates:
        expected, at_inf = float(limit_value), out[-1]
        if not (at_inf == expected or abs(at_inf - expected) <= 4 * float(np.finfo(np.float64).eps) * abs(expected)):
            return True
        points, out = points[:-1], out[:-1]
    finite = out  # the finite points' values
    if np.isnan(finite).any():
        return True
    big = float(np.finfo(np.float64).max)
    for point, got in zip(points, finite, strict=True):
        try:
            with mpmath.workdps(30):
                true = exact(mpmath.mpf(float(point)))
        except (OverflowError, ValueError, ZeroDivisionError):  # mpmath's ncdf at 1e300: no reference there
            if np.isinf(got):
                return True
            continue
        if abs(true) > big:  # inf only where the exact value is beyond the float range
            continue
        if np.isinf(got) or abs(got - true) > max(_PROBE_TINY, _PROBE_REL * abs(true)):
            return True
    return False


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
    at_defaults: NumericFunction | None = field(default=None, repr=False, compare=False)

    def __call__(self, x_in: Any, **params: Any) -> Any:
        values = self._values(params)
        if self.at_defaults is not None and values == [float(d) for _, _, d in self.params]:
            return self.at_defaults(x_in)  # the parameters folded in as constants: alpha = 1 costs nothing
        array = np.asarray(x_in)
        if array.dtype.kind in "iub":
            array = array.astype(np.float64)
        elif array.dtype.kind != "f":
            raise SymdlError(f"{self.name}: expected real numbers, got an array of {array.dtype}")
        dtype = array.dtype
        work = array.astype(np.float64) if dtype != np.float64 else array
        flat = work.reshape(-1)  # kernels see one writable 1-d array
        bounds = self.bounds(tuple(values)) if any(self.clamp) else (0.0, 0.0)
        with np.errstate(over="ignore", under="ignore"):
            if flat.size > 2 * _BLOCK and _passes(self.source) >= _BLOCKED_PASSES:
                out = np.empty(flat.shape)
                for start in range(0, flat.size, _BLOCK):
                    out[start : start + _BLOCK] = self.kernel(flat[start : start + _BLOCK], *values, *bounds)
            else:
                out = np.asarray(self.kernel(flat, *values, *bounds))
            if out.shape != flat.shape:
                out = np.broadcast_to(out, flat.shape)
            out = out.astype(dtype, copy=False).reshape(array.shape)
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


# A kernel of several passes over the array runs a block at a time, so that its
# temporaries stay in cache (bench/numeric_speed.py at 10^7 values: tanhshrink 2.1x
# the naive formula whole, 1.3x in blocks; silu 1.1x -> 0.8x).  A kernel of one or two
# passes runs whole: copying its blocks into the output would cost more than it saves.
_BLOCK = 1 << 16
_BLOCKED_PASSES = 3


@cache
def _passes(source: str) -> int:
    """The statements of a kernel's body, less its signature, ``out = ...`` and ``return``."""
    body = [line for line in source.splitlines()[1:] if line.strip() and not line.strip().startswith("return")]
    return len(body) - 1


@cache
def _bounds(f: NumericFunction, values: tuple[float, ...]) -> tuple[float, float]:
    from sympy import Rational

    exact = {symbol: Rational(repr(v)) for (_, symbol, _), v in zip(f.params, values, strict=True)}
    lo_lim, hi_lim = _limits(f.expr, exact)
    lo = -_saturation(f.expr, exact, 0, lo_lim) if f.clamp[0] else -np.inf
    hi = _saturation(f.expr, exact, 1, hi_lim) if f.clamp[1] else np.inf
    return lo, hi


def _build(name: str, expr: Expr, params, names, regs, clamp, values, form, careful=None) -> NumericFunction:
    """``form(branch, region, far)``; ``careful``: None, or the limits at -inf and +inf for the careful
    fallback (``_probed``): forms measured far, products balanced, +-inf given the limits."""
    if careful is None:
        source = kernel_source(expr, regs, names, clamp, values, lambda e, r: form(e, r, False))
    else:
        source = kernel_source(expr, regs, names, clamp, values, lambda e, r: form(e, r, True), True, careful)
    namespace = dict(NAMESPACE)
    exec(compile(source, f"<symdl {name}>", "exec"), namespace)
    return NumericFunction(name, expr, params, source, namespace["kernel"], clamp)


def compile_expression(name: str, expr: Expr, defaults: Mapping[Symbol, Expr]) -> NumericFunction:
    """Compile an expression in x (parameters default to ``defaults``); see the module docstring.

    Branches take their most accurate measured form (``symdl.numeric.forms``; measured far, for the
    careful fallback); if that form cannot be made to pass the probes at the extremes, the plain
    stable form is used instead.
    """
    symbols = sorted((expr.free_symbols - {x}) | set(defaults), key=lambda s: s.name)  # all: f' takes f's parameters
    missing = [s.name for s in symbols if s not in defaults]
    if missing:
        raise BadParameter(f"{name}: no value for {', '.join(missing)}")
    names = {s: f"p{n}" for n, s in enumerate(symbols)}
    params = tuple((s.name, s, defaults[s]) for s in symbols)
    regs = regions(expr, x, defaults)
    chosen: dict[tuple[Expr, Expr, bool], Expr] = {}

    def measured(branch: Expr, region: Region, far: bool) -> Expr:
        key = (branch, region.interval(defaults), far)
        if key not in chosen:
            kernel = partial(single_kernel, balanced=far)
            chosen[key] = remembered(  # the measured choice, kept on disk (symdl.cache) as an expression
                "form", (*key, defaults), lambda: best(branch, key[1], defaults, kernel, far), depends=_MEASURED_WITH
            )
        return chosen[key]

    def plain(branch: Expr, region: Region, far: bool) -> Expr:
        return stabilize(branch)

    try:
        return _probed(name, expr, params, names, regs, defaults, measured)
    except DerivationError:
        return _probed(name, expr, params, names, regs, defaults, plain, careful=False)


def _probed(name: str, expr: Expr, params, names, regs, defaults, form, careful: bool = True) -> NumericFunction:
    """The kernel that passes the probes at the extremes: as printed; else clamped at a saturation point
    on each failing side (a finite limit reached within the floats); else (``careful``) its forms measured
    far, balanced (products divide as they multiply, +-inf give the limits), clamped where that still
    fails.  Else one line: which side."""
    values = [float(v) for _, _, v in params]
    limits = _limits(expr, defaults)
    exact = mpmath_function(expr, defaults)

    def failing(f: NumericFunction, bounds=(0.0, 0.0)) -> tuple[bool, bool]:
        return tuple(_fails(f.kernel, values, limits[side], bounds, side, exact) for side in (0, 1))

    def passing(careful) -> tuple[NumericFunction | None, tuple[bool, bool]]:
        """The kernel if it passes, else clamped on each failing side that saturates, if that passes."""
        f = _build(name, expr, params, names, regs, (False, False), defaults, form, careful)
        sides = failing(f)
        if not any(sides):
            return f, sides
        if any(sides[side] and not limits[side].is_finite for side in (0, 1)):
            return None, sides
        f = _build(name, expr, params, names, regs, sides, defaults, form, careful)
        try:
            bounds = f.bounds(tuple(values))
        except DerivationError:  # the limit is not reached within the floats (x/(1 + x^2) -> 0)
            return None, sides
        return (None if any(failing(f, bounds)) else f), sides

    found, sides = passing(None)
    ends = _ends(expr, defaults, limits) if found is None and careful else None
    if ends is not None:
        try:
            found, _ = passing(ends)
        except DerivationError:  # no form measured far is accurate everywhere
            found = None
    if found is None:
        side = sides.index(True)
        where = f"{'-' if side == 0 else '+'}inf (limit {limits[side]})"
        raise DerivationError(f"{name}: cannot evaluate near {where}: an intermediate overflows in every form tried")
    return found


def _ends(expr: Expr, defaults: Mapping[Symbol, Expr], limits: tuple[Expr, Expr]) -> tuple[Expr, Expr] | None:
    """The limits at -inf and +inf in the parameters, for a kernel to write (None if SymPy cannot say)."""
    if not defaults:
        return limits
    try:
        ends = _limits(expr, {})
    except (NotImplementedError, ValueError, TypeError, DerivationError):  # pragma: no cover - SymPy gaps
        return None
    same = all(
        end.free_symbols <= set(defaults) and end.subs(defaults) == at for end, at in zip(ends, limits, strict=True)
    )
    return ends if same else None


@cache
def _numpy_function(act: Activation, derivative: bool) -> NumericFunction | VectorFunction:
    if act.is_vector:
        return vector_function(act, derivative)
    expr = derive(act).derivative if derivative else act.definition
    name = f"{act.name}'" if derivative else act.name
    general = compile_expression(name, expr, act.params)
    if not act.params:
        return general
    folded = compile_expression(name, expr.subs(act.params), {})
    return replace(general, at_defaults=folded)


def numpy_function(
    name_or_activation: str | Activation | Expr, derivative: bool = False
) -> NumericFunction | VectorFunction:
    """A NumPy function ``f(x, **params)`` for an activation (``derivative=True``: its derivative).

    Vector activations act along ``axis`` (default the last); their derivative is the Jacobian,
    of shape ``x.shape + (n,)`` with the vector along the last axis.  A SymPy expression in one
    variable (``symdl.output_form("sigmoid")``, in y) compiles the same way, as a function of it.
    """
    if isinstance(name_or_activation, Expr):
        return _expression_function(name_or_activation, derivative)
    return _numpy_function(activation(name_or_activation), derivative)


@cache
def _expression_function(expr: Expr, derivative: bool) -> NumericFunction:
    variables = [s for s in expr.free_symbols if s.name in ("x", "y")]
    others = sorted(s.name for s in expr.free_symbols if s not in variables)
    if len(variables) > 1 or others:
        found = ", ".join(sorted(s.name for s in expr.free_symbols))
        raise BadParameter(f"{expr}: compile an expression in x or y alone (it has {found}); substitute the rest")
    in_x = expr.subs(variables[0], x) if variables else expr
    if derivative:
        in_x = as_piecewise(in_x).diff(x)
    return compile_expression(str(expr), in_x, {})


__all__ = ["NumericFunction", "compile_expression", "numpy_function"]
