"""How every symdl figure looks and is saved: colours, line styles, sizes, and deterministic bytes.

Shared by the activation plots and any other matplotlib picture (network diagrams, the computation graph):
- colours are Okabe and Ito's palette (safe for every common colour-vision deficiency), and no two curves
  differ by colour alone: each also has its own line style;
- figures are ``matplotlib.figure.Figure`` objects drawn on the Agg canvas, never pyplot's global state, so
  nothing needs a display and a notebook gets the figure back;
- ``encoded`` gives the same bytes for the same figure on every run (no dates, a fixed SVG hash salt).
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import matplotlib
from matplotlib.figure import Figure

from symdl.errors import BadParameter

# Okabe & Ito (2008), "Color Universal Design": distinguishable with any common colour-vision deficiency.
OKABE_ITO = {
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "bluish_green": "#009E73",
    "reddish_purple": "#CC79A7",
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "yellow": "#F0E442",
    "black": "#000000",
}
GREY = "#6E6E6E"  # guides: asymptotes and the axes through the origin


@dataclass(frozen=True)
class LineStyle:
    """One curve's look: a colour and a dash pattern, so that it is told apart without colour too."""

    color: str
    dashes: tuple[float, ...]  # on/off lengths in points; () is solid
    width: float = 1.8

    def keywords(self) -> dict[str, Any]:
        style: dict[str, Any] = {"color": self.color, "linewidth": self.width}
        if self.dashes:
            style["dashes"] = self.dashes
        else:
            style["linestyle"] = "solid"
        return style


# The curves of one figure, in order: f, f' (and for a vector function the same for a second n); an overlay
# of several functions takes them in turn.
CURVES = (
    LineStyle(OKABE_ITO["blue"], ()),
    LineStyle(OKABE_ITO["vermillion"], (5.0, 2.0)),
    LineStyle(OKABE_ITO["bluish_green"], (1.5, 1.5)),
    LineStyle(OKABE_ITO["reddish_purple"], (6.0, 2.0, 1.5, 2.0)),
    LineStyle(OKABE_ITO["orange"], (3.0, 1.5, 1.0, 1.5, 1.0, 1.5)),
    LineStyle(OKABE_ITO["sky_blue"], (8.0, 2.5)),
    LineStyle(OKABE_ITO["black"], (1.0, 1.0)),
)
ASYMPTOTE = LineStyle(GREY, (2.5, 2.5), width=0.9)

DOT_SIZE = {"f": 4.2, "derivative": 6.2}  # points: the dots at a breakpoint, f's inside f''s where they meet

# Sizes in inches.  One activation's plot is drawn near the size a slide shows it (a third of a Beamer frame's
# width), so that its text stays legible there: a figure drawn large and scaled down has unreadable labels.
SINGLE = (2.8, 2.0)
PANEL = (2.5, 2.0)  # per panel of a grid
OVERLAY = (4.0, 2.7)
DPI = 250  # a PNG's resolution: sharp on a projected slide

FORMATS = ("png", "pdf", "svg")
DEFAULT_FORMATS = ("png", "pdf")

# Every figure is drawn under these settings: fonts that look like the slides' formulas, a light grid,
# and no text hinting (a PNG's text as wide as it was measured).
RC = {
    "font.size": 8.5,
    "axes.titlesize": 9.5,
    "legend.fontsize": 7.5,
    "xtick.labelsize": 8.0,
    "ytick.labelsize": 8.0,
    "xtick.major.size": 2.5,
    "ytick.major.size": 2.5,
    "legend.borderpad": 0.3,
    "legend.labelspacing": 0.3,
    "legend.handlelength": 2.2,
    "mathtext.fontset": "cm",
    "axes.unicode_minus": True,
    "axes.grid": True,
    "grid.color": "#E3E3E3",
    "grid.linewidth": 0.6,
    "axes.edgecolor": "#4D4D4D",
    "axes.linewidth": 0.8,
    "legend.frameon": True,
    "legend.framealpha": 0.9,
    "legend.edgecolor": "#CCCCCC",
    "text.hinting": "no_hinting",
    "svg.hashsalt": "symdl",
    "svg.fonttype": "path",
    "pdf.fonttype": 3,  # Type 42 subsetting logs fontTools notes about the CM fonts on stderr
    "path.simplify": False,
}

# No dates and no versions in the files, so the same figure gives the same bytes on every run.
METADATA = {
    "pdf": {"CreationDate": None, "ModDate": None, "Producer": None},
    "svg": {"Date": None},
    "png": {"Software": None},
}


@contextmanager
def drawing() -> Iterator[None]:
    """Draw (and save) under symdl's settings."""
    with matplotlib.rc_context(RC):
        yield


def figure(size: tuple[float, float]) -> Figure:
    """A new figure on the Agg canvas, its layout kept clear of clipped titles and legends."""
    with drawing():
        fig = Figure(figsize=size, dpi=DPI, layout="constrained")
    fig.get_layout_engine().set(h_pad=0.04, w_pad=0.04)
    return fig


def formats(text: str, choices: tuple[str, ...] = FORMATS) -> tuple[str, ...]:
    """``"png,pdf"`` as a tuple of formats in the order given, each one of CHOICES; else one ``BadParameter`` line."""
    chosen = tuple(dict.fromkeys(part.strip().lower().lstrip(".") for part in text.split(",") if part.strip()))
    unknown = [f for f in chosen if f not in choices]
    if unknown or not chosen:
        given = ", ".join(repr(f) for f in unknown) if unknown else "nothing"
        raise BadParameter(f"--format {text!r}: {given} is not a figure format; choose from {', '.join(choices)}")
    return chosen


def encoded(fig: Figure, fmt: str, dpi: float = DPI) -> bytes:
    """FIG as the bytes of a FMT file (png, pdf, svg; a PNG at DPI): the same bytes on every run."""
    buffer = io.BytesIO()
    with drawing():
        fig.savefig(buffer, format=fmt, dpi=dpi, metadata=METADATA[fmt])
    return buffer.getvalue()


__all__ = [
    "ASYMPTOTE",
    "CURVES",
    "DEFAULT_FORMATS",
    "DOT_SIZE",
    "DPI",
    "FORMATS",
    "GREY",
    "OKABE_ITO",
    "OVERLAY",
    "PANEL",
    "RC",
    "SINGLE",
    "LineStyle",
    "drawing",
    "encoded",
    "figure",
    "formats",
]
