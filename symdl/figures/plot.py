"""Activation plots: f and f' on one axes; a gallery of several in one grid; an overlay of derivatives.

``plot``, ``gallery`` and ``overlay`` return matplotlib figures (a notebook shows them); ``symdl plot``
writes them.  The data comes from ``symdl.figures.curves``; this module only draws it, in the styles of
``symdl.figures.style``: f solid, f' dashed, each in its own Okabe-Ito colour; a kink's dots (the value
used filled, a limit not taken open); the horizontal asymptotes dashed grey.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from symdl.catalog import LECTURE, Activation, activation
from symdl.figures import style
from symdl.figures.curves import Params, Plot, plot_data
from symdl.figures.mathtext import mathtext
from symdl.figures.ranges import Window
from symdl.figures.style import drawing

GALLERY = LECTURE  # the lecture's eight
OVERLAY = ("sigmoid", "tanh", "relu")  # the vanishing-gradient picture: sigma' peaks at 1/4, tanh' at 1
COLUMNS = 4  # panels per row of the gallery
ZERO = "#B8B8B8"  # the axes through the origin
TICKS = 6  # at most this many intervals between ticks on an axis


def plot(name: str | Activation, params: Params = None) -> Figure:
    """NAME's plot: f and f' over the window its own facts choose, titled with its definition."""
    data = plot_data(name, params)
    with drawing():
        fig = style.figure(style.SINGLE)
        ax = fig.add_subplot()
        draw(ax, data)
        ax.set_title(data.title, pad=6, verticalalignment="bottom")  # stacked cases reach below a baseline
        _legend(ax)
    return fig


def gallery(names: Sequence[str | Activation] = GALLERY, params: Params = None) -> Figure:
    """NAMES in one grid of panels, each f and f' as in its own plot, titled with its name."""
    found = [plot_data(name, own(name, params)) for name in names]
    columns = min(COLUMNS, len(found))
    rows = math.ceil(len(found) / columns)
    with drawing():
        fig = style.figure((style.PANEL[0] * columns, style.PANEL[1] * rows))
        for k, data in enumerate(found):
            ax = fig.add_subplot(rows, columns, k + 1)
            draw(ax, data)
            ax.set_title(data.short)
            _legend(ax, fontsize=6.5)
    return fig


def overlay(names: Sequence[str | Activation] = OVERLAY, params: Params = None) -> Figure:
    """The derivatives of NAMES on one axes (a vector function's for n = 2), over a window showing them all."""
    windows = [plot_data(name, own(name, params)).window for name in names]
    shown = Window(min(w.lo for w in windows), max(w.hi for w in windows), (), (None, None))
    found = [plot_data(name, own(name, params), shown) for name in names]
    with drawing():
        fig = style.figure(style.OVERLAY)
        ax = fig.add_subplot()
        _origin(ax, shown)
        for k, data in enumerate(found):
            line = style.CURVES[k % len(style.CURVES)]
            curve = next(c for c in data.curves if c.role == "derivative" and c.n in (None, 2))
            ax.plot(curve.x, curve.y, label=curve.label, gid=f"{data.name}:derivative", **line.keywords())
            dots = next((d for d in data.dots if d.role == "derivative"), None)
            if dots is not None:
                _dots(ax, dots, line.color, f"{data.name}:derivative")
        _ticks(ax, shown)
        _legend(ax)
    return fig


def draw(ax: Axes, data: Plot) -> None:
    """One activation's curves, dots and asymptotes on AX."""
    _origin(ax, data.window)
    label = mathtext(r",\ ".join(text for _, text in data.asymptotes)) if data.asymptotes else None
    for k, (y, _) in enumerate(data.asymptotes):  # one legend entry for them all: y = 0, y = 1
        ax.axhline(y, label=label if k == 0 else None, gid="asymptote", zorder=1.5, **style.ASYMPTOTE.keywords())
    for k, curve in enumerate(data.curves):
        line = style.CURVES[k]
        gid = curve.role if curve.n is None else f"{curve.role}:n={curve.n}"
        ax.plot(curve.x, curve.y, label=curve.label, gid=gid, zorder=2, **line.keywords())
        for dots in data.dots:
            if dots.role == curve.role and curve.n is None:
                _dots(ax, dots, line.color, curve.role)
    _ticks(ax, data.window)


def _ticks(ax: Axes, shown: Window) -> None:
    """The window's x-range; at most ``TICKS`` intervals on either axis, at 1, 2, 2.5 or 5 times a power of 10."""
    ax.set_xlim(shown.lo, shown.hi)
    ax.xaxis.set_major_locator(MaxNLocator(TICKS, steps=[1, 2, 2.5, 5, 10]))
    ax.yaxis.set_major_locator(MaxNLocator(TICKS, steps=[1, 2, 2.5, 5, 10]))


def _legend(ax: Axes, **options: Any) -> None:
    """The curves first, then the asymptotes."""
    handles, labels = ax.get_legend_handles_labels()
    order = sorted(range(len(handles)), key=lambda k: handles[k].get_gid() == "asymptote")
    ax.legend([handles[k] for k in order], [labels[k] for k in order], loc="best", **options)


def _origin(ax: Axes, shown: Window) -> None:
    """The axes through the origin, light, beneath everything."""
    ax.axhline(0.0, color=ZERO, linewidth=0.7, zorder=1, gid="axis")
    if shown.lo < 0 < shown.hi:
        ax.axvline(0.0, color=ZERO, linewidth=0.7, zorder=1, gid="axis")


def _dots(ax: Axes, dots: Any, color: str, gid: str) -> None:
    """Filled dots at the values used, open dots (white inside) at the limits not taken, above the lines.
    f's dots are smaller and on top of f''s, so where they meet (ReLU at 0, hardtanh's corners) both show."""
    size, order = style.DOT_SIZE[dots.role], (4.0 if dots.role == "f" else 3.0)
    marks = {"filled": (dots.filled, color, order), "open": (dots.open, "white", order + 0.5)}
    for kind, (points, face, z) in marks.items():
        if not points:
            continue
        xs, ys = zip(*points, strict=True)
        ax.plot(
            xs,
            ys,
            linestyle="none",
            marker="o",
            markersize=size,
            markerfacecolor=face,
            markeredgecolor=color,
            markeredgewidth=1.2,
            zorder=z,
            gid=f"{gid}:{kind}",
            clip_on=False,
        )


def own(name: str | Activation, params: Params) -> dict[str, Any]:
    """The values in PARAMS that are NAME's own parameters (a gallery's activations do not share them all)."""
    mine = {p.name for p in activation(name).parameters}
    return {key: value for key, value in (params or {}).items() if key in mine}


def figures(
    names: Iterable[str],
    params: Mapping[str, Any] | None = None,
    with_gallery: Sequence[str] | None = None,
    with_overlay: Sequence[str] | None = None,
) -> dict[str, Figure]:
    """The figures ``symdl plot`` writes, by file stem: each of NAMES, then ``gallery`` and ``derivatives``."""
    out = {activation(name).name: plot(name, own(name, params)) for name in names}
    if with_gallery is not None:
        out["gallery"] = gallery(with_gallery, params)
    if with_overlay is not None:
        out["derivatives"] = overlay(with_overlay, params)
    return out


__all__ = ["GALLERY", "OVERLAY", "draw", "figures", "gallery", "overlay", "own", "plot"]
