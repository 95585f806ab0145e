"""What an activation's plot shows, as data: the curves of f and f', the dots at its breakpoints, its
horizontal asymptotes, the x-window and the title.  Drawing is ``symdl.figures.plot``'s.

Every number comes from the engine or the compiled functions: the curves are ``numpy_function`` on a grid,
the dots are the derivation's breakpoints (the value used there filled, a one-sided limit not taken open),
the asymptotes are the finite limits of the properties, the window is ``symdl.figures.ranges``'s.
A vector function (softmax and its kin) is shown as the properties describe it: component s_1 as a
function of its own input, the others 0, for n = 2 and n = 3, with its diagonal Jacobian entry.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from sympy import Expr, pi

from symdl.catalog import Activation, x
from symdl.engine.calculus import Breakpoint, Derivation, derive
from symdl.figures.mathtext import mathtext
from symdl.figures.ranges import Window, saturation, window
from symdl.numeric.compile import numpy_function
from symdl.render import latex
from symdl.render.notation import Style, notation
from symdl.render.words import title

POINTS = 801  # grid points of a curve across the window
SIZES = (2, 3)  # a vector function is shown for these n
TITLE_STYLE = Style(parameters="values")  # short parameter values written in: the plot is at those values
DIGITS = 4  # significant digits of a number that has no short exact form (SELU's lambda)

Params = Mapping[str, Any] | None


@dataclass(frozen=True, eq=False)
class Curve:
    """One plotted line: f or f' over the window, broken (NaN) where it jumps; at a breakpoint b it runs
    to the one-sided limits (b, left) and (b, right)."""

    label: str  # mathtext
    role: str  # "f" or "derivative"
    x: np.ndarray
    y: np.ndarray
    n: int | None = None  # a vector function's size


@dataclass(frozen=True)
class Dots:
    """The dots of one curve at its breakpoints: filled at the value used, open at a limit not taken."""

    role: str  # "f" or "derivative", as the curve's
    filled: tuple[tuple[float, float], ...]
    open: tuple[tuple[float, float], ...]


@dataclass(frozen=True, eq=False)
class Plot:
    """Everything one activation's plot shows."""

    name: str
    title: str  # the definition in mathtext; the plain name where mathtext cannot set it
    short: str  # the name for a panel of the gallery, as a slide's heading writes it
    window: Window
    curves: tuple[Curve, ...]
    dots: tuple[Dots, ...]
    asymptotes: tuple[tuple[float, str], ...]  # (y, its mathtext label)


def plot_data(name: str | Activation, params: Params = None, shown: Window | None = None) -> Plot:
    """The data of NAME's plot at parameter values PARAMS, over its own window (or SHOWN)."""
    d = derive(name, params)
    if d.activation.is_vector:
        return _vector(d, shown)
    return _scalar(d, shown)


# --------------------------------------------------------------------------- scalar functions


def _scalar(d: Derivation, shown: Window | None) -> Plot:
    act, values = d.activation, d.valuemap
    numbers = {s.name: float(v) for s, v in values.items()}
    f, df = numpy_function(act), numpy_function(act, derivative=True)
    at = [_float(b.at, values) for b in d.breakpoints]
    props = d.properties  # None for a user's expression whose properties were not found in time
    limits = (props.limit_neg, props.limit_pos) if props is not None else ()
    finite = tuple(math.isfinite(_float(limit, {})) for limit in limits) or (False, False)
    if shown is None:
        sup = _float(props.max_slope, {}) if props is not None else math.inf
        shown = window(at, saturation([lambda g: df(g, **numbers)], sup, finite))
    w = notation(act, TITLE_STYLE, values)
    labels = {"f": f"{w.name}({w.var})", "derivative": w.derivative_lhs()}
    functions = {"f": lambda g: f(g, **numbers), "derivative": lambda g: df(g, **numbers)}
    curves, dots = [], []
    for role in ("f", "derivative"):
        sides = [_limits(b, role, values) for b in d.breakpoints]
        curves.append(_broken(labels[role], role, shown, functions[role], at, [(lo, hi) for lo, hi, _ in sides]))
        dots.append(_dots(role, d.breakpoints, sides, values))
    flat = (_constant(d.regions[0], values), _constant(d.regions[-1], values))
    asymptotes = [limit for limit, fin, c in zip(limits, finite, flat, strict=False) if fin and not c]
    return Plot(act.name, _title(d), title(act), shown, tuple(curves), tuple(dots), _asymptotes(asymptotes))


def _limits(b: Breakpoint, role: str, values: dict) -> tuple[float, float, float]:
    """At breakpoint B, f's (ROLE "f") or f''s ("derivative") limit from the left, from the right, and the
    value symdl uses there (the branch selected: PyTorch's value)."""
    if role == "f":
        return _float(b.left, values), _float(b.right, values), _float(b.value, values)
    return _float(b.left_slope, values), _float(b.right_slope, values), _float(b.slope, values)


def _dots(role: str, points: tuple[Breakpoint, ...], sides: list[tuple[float, float, float]], values: dict) -> Dots:
    """f: at every breakpoint where f is not differentiable; f': wherever its one-sided limits and the value
    used are not all one number (not at the binary step's 0, where f' is 0 on both sides and at 0)."""
    filled, hollow = [], []
    for b, (left, right, used) in zip(points, sides, strict=True):
        if b.differentiable if role == "f" else _same(left, used) and _same(right, used):
            continue
        at = _float(b.at, values)
        filled.append((at, used))
        hollow += [(at, side) for side in dict.fromkeys((left, right)) if not _same(side, used)]
    return Dots(role, tuple(filled), tuple(hollow))


def _constant(region: Any, values: dict) -> bool:
    """The outermost branch is a constant: f takes its limit there, and it is no asymptote (ReLU's 0)."""
    return not region.expr.subs(values).has(x)


# --------------------------------------------------------------------------- vector functions


def _vector(d: Derivation, shown: Window | None) -> Plot:
    act, props = d.activation, d.properties
    f, df = numpy_function(act), numpy_function(act, derivative=True)

    def inputs(g: np.ndarray, n: int) -> np.ndarray:
        """x_1 = g, the other n - 1 inputs 0."""
        vectors = np.zeros((*np.shape(g), n))
        vectors[..., 0] = g
        return vectors

    def component(n: int) -> Callable[[np.ndarray], np.ndarray]:
        return lambda g: f(inputs(g, n))[..., 0]

    def diagonal(n: int) -> Callable[[np.ndarray], np.ndarray]:
        return lambda g: df(inputs(g, n))[..., 0, 0]

    limits = (props.limit_neg, props.limit_pos)
    finite = tuple(math.isfinite(_float(limit, {})) for limit in limits)
    if shown is None:
        shown = window([], saturation([diagonal(n) for n in SIZES], _float(props.max_slope, {}), finite))
    curves = []
    for n in SIZES:
        size = rf"\ (n = {n})"
        curves.append(_broken(f"s_1{size}", "f", shown, component(n), [], [], n))
        curves.append(_broken(rf"\partial s_1 / \partial x_1{size}", "derivative", shown, diagonal(n), [], [], n))
    asymptotes = [limit for limit, fin in zip(limits, finite, strict=True) if fin]
    return Plot(act.name, _title(d), title(act), shown, tuple(curves), (), _asymptotes(asymptotes))


# --------------------------------------------------------------------------- shared


def _broken(
    label: str,
    role: str,
    shown: Window,
    function: Callable[[np.ndarray], np.ndarray],
    at: list[float],
    sides: list[tuple[float, float]],
    n: int | None = None,
) -> Curve:
    """FUNCTION on the window's grid; at each breakpoint inside it the curve runs to the limit from the left,
    then (if that differs) breaks and starts again at the limit from the right."""
    grid = np.linspace(shown.lo, shown.hi, POINTS)
    gap = (shown.hi - shown.lo) / POINTS / 8
    inside = [(b, s) for b, s in sorted(zip(at, sides, strict=True)) if shown.lo < b < shown.hi]
    for b, _ in inside:
        grid = grid[np.abs(grid - b) > gap]
    xs: list[np.ndarray] = [grid]
    ys: list[np.ndarray] = [np.asarray(function(grid), dtype=float)]
    for b, (left, right) in inside:
        if _same(left, right):
            xs.append(np.array([b]))
            ys.append(np.array([left]))
        else:
            xs.append(np.array([b, b, b]))
            ys.append(np.array([left, math.nan, right]))
    xv, yv = np.concatenate(xs), np.concatenate(ys)
    order = np.argsort(xv, kind="stable")  # the three points at a jump keep their order
    return Curve(mathtext(label) or label, role, xv[order], yv[order], n)


def _asymptotes(limits: list[Expr]) -> tuple[tuple[float, str], ...]:
    """Each finite limit once (the Gaussian's 0 at both ends), with its label ``y = 1``."""
    found: dict[float, str] = {}
    for limit in limits:
        found.setdefault(_float(limit, {}), f"y {_number(limit)}")
    return tuple(found.items())


def _number(value: Expr) -> str:
    """``= 1``, ``= -\\pi/2``; ``\\approx -1.758`` where the exact number is long (SELU's limit)."""
    if value.is_Rational and value.q <= 100:
        return "= " + latex.number(value)
    ratio = value / pi
    if ratio.is_Rational and ratio.q <= 12:
        top = r"\pi" if abs(ratio.p) == 1 else rf"{abs(ratio.p)}\pi"
        return "= " + ("-" if ratio < 0 else "") + (top if ratio.q == 1 else rf"{top}/{ratio.q}")
    return rf"\approx {float(value):.{DIGITS}g}"


def _title(d: Derivation) -> str:
    """The definition from symdl's printer, at the plot's parameter values (short ones written in, long ones
    on a second line: SELU's lambda ~ 1.051); the plain name where mathtext cannot set it."""
    act, w = d.activation, notation(d.activation, TITLE_STYLE, d.valuemap)
    first = mathtext(latex.definition(act, TITLE_STYLE, {s.name: v for s, v in d.values}), display=True)
    if first is None:
        return title(act)
    second = mathtext(r",\ ".join(f"{w(s)} {_number(v)}" for s, v in w.hidden)) if w.hidden else None
    return f"{first}\n{second}" if second else first


def _float(value: Expr, values: Mapping) -> float:
    return float(value.subs(values)) if values else float(value)


def _same(a: float, b: float) -> bool:
    return a == b or math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-300)


__all__ = ["POINTS", "SIZES", "Curve", "Dots", "Plot", "plot_data"]
