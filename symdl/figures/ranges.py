"""Where an activation is worth looking at: the x-window of its plot, from its own derived facts.

Never from a table of names.  The facts are the breakpoints (kinks and jumps), the limits at -inf and +inf
(the properties) and where f' has decayed: on a side where f has a finite limit, f saturates where
|f'| < ``DECAYED`` sup|f'| for good.  Then:
- the window's centre is the middle of what there is to see where both sides saturate (the breakpoints and
  the saturation points: sigmoid [-6, 6], relu6 around its two corners), else the middle of the breakpoints
  (a ReLU-like kink centred) or the origin; a centre close to the origin is the origin;
- it reaches every saturation point, keeps every breakpoint within 1/``MARGIN`` of its half-width (hardtanh's
  two corners with the flat parts beside them), and is at least ``SCALE`` wide on either side where nothing in
  the function sets a scale (ReLU, the identity);
- its ends are rounded outward to a tick (1, 2, 2.5 or 5 times a power of ten).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import numpy as np

DECAYED = 0.01  # f' has decayed where it is below this fraction of sup |f'|
SEARCH = 60.0  # f' is searched on [-SEARCH, SEARCH], where the properties look for critical points
STEP = 1 / 1024  # of that search grid
MARGIN = 1.5  # a breakpoint lies at most 1/MARGIN of the half-width from the centre
SCALE = 3.0  # the least half-width: what is shown of a function with no scale of its own
ORIGIN = 0.1  # a centre within this fraction of the half-width from 0 is 0
TICKS = 10  # the window is at most this many rounding steps wide
NICE = (1.0, 2.0, 2.5, 5.0)


@dataclass(frozen=True)
class Window:
    """The x-range of a plot, and the facts it was chosen from."""

    lo: float
    hi: float
    breakpoints: tuple[float, ...]
    saturates: tuple[float | None, float | None]  # where f' has decayed for good on the left, on the right


def saturation(
    slopes: Iterable[Callable[[np.ndarray], np.ndarray]], sup: float, finite: tuple[bool, bool]
) -> tuple[float | None, float | None]:
    """Where f has saturated on each side with a finite limit: beyond the outermost x at which some |f'| is at
    least ``DECAYED`` of ``sup`` (None on a side with an infinite limit, or where f' never reaches it)."""
    if not math.isfinite(sup) or sup <= 0:
        return None, None
    grid = np.arange(-SEARCH, SEARCH + STEP / 2, STEP)
    steep = np.zeros(grid.shape, dtype=bool)
    for slope in slopes:
        steep |= np.abs(np.asarray(slope(grid), dtype=float)) >= DECAYED * sup
    if not steep.any():
        return None, None
    where = grid[steep]
    return (float(where[0]) if finite[0] else None, float(where[-1]) if finite[1] else None)


def window(breakpoints: Sequence[float], saturates: tuple[float | None, float | None]) -> Window:
    """The x-window from the breakpoints and the saturation points (``saturation``)."""
    ends = [s for s in saturates if s is not None]
    if None not in saturates:
        seen = [*breakpoints, *ends]
        centre = (min(seen) + max(seen)) / 2
    elif breakpoints:
        centre = (min(breakpoints) + max(breakpoints)) / 2
    else:
        centre = 0.0
    if abs(centre) <= ORIGIN * _half(centre, breakpoints, ends):
        centre = 0.0
    half = _half(centre, breakpoints, ends)
    step = _step(2 * half)
    lo = math.floor((centre - half) / step + 1e-9) * step
    hi = math.ceil((centre + half) / step - 1e-9) * step
    return Window(lo, hi, tuple(breakpoints), saturates)


def _half(centre: float, breakpoints: Sequence[float], ends: Sequence[float]) -> float:
    return max([SCALE] + [abs(s - centre) for s in ends] + [MARGIN * abs(b - centre) for b in breakpoints])


def _step(width: float) -> float:
    """The smallest of 1, 2, 2.5, 5 times a power of ten that cuts WIDTH into at most ``TICKS`` steps."""
    power = 10.0 ** math.floor(math.log10(width / TICKS))
    return next(m * power for m in (*NICE, 10.0) if m * power * TICKS >= width * (1 - 1e-12))


__all__ = ["DECAYED", "MARGIN", "SCALE", "Window", "saturation", "window"]
