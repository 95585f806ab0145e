"""The drawing pieces every hand-placed symdl picture shares: the computation graph (``symdl.render.graph``)
and the network diagrams (``symdl.figures.diagram``).

- a canvas measured in inches: one axes over the whole figure, its data coordinates inches from the lower left
  corner, so that a circle is round and a text's measured extent is where it lands;
- fonts, with the Korean labels' font after the Latin one (matplotlib takes each glyph from the first font
  that has it);
- text extents as the files draw them (the outline, which Agg draws unhinted under ``UNHINTED``, as PDF and
  SVG do), and boxes that say whether they overlap;
- arrows.
Saving is ``symdl.figures.style.encoded``: the same bytes for the same figure on every run.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from matplotlib import font_manager
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.textpath import TextToPath

from symdl.errors import BadParameter
from symdl.figures.style import RC

UNHINTED = {"text.hinting": RC["text.hinting"]}  # a PNG's text as wide as it was measured
LATIN = "DejaVu Sans"  # matplotlib's own font: always there
KOREAN = "UnDotum"  # Debian's fonts-unfonts-core, which texlive-lang-korean (kotex) installs
INK = "#1a1a1a"
EDGE = "#555555"
_PATHS = TextToPath()


# --------------------------------------------------------------------------- fonts and text extents


def font(size: float, lang: str = "en", weight: str = "normal", italic: bool = False) -> FontProperties:
    """A font of SIZE points; for Korean the Hangul glyphs come from ``KOREAN`` (checked: ``korean_font``)."""
    family = [LATIN, KOREAN] if lang == "ko" and korean_font() else [LATIN]
    return FontProperties(family=family, size=size, weight=weight, style="italic" if italic else "normal")


@functools.cache
def korean_font() -> str:
    """The Korean font's file, or one ``BadParameter`` line saying how to install it (never a missing glyph)."""
    try:
        return font_manager.findfont(FontProperties(family=KOREAN), fallback_to_default=False)
    except ValueError:
        raise BadParameter(
            f"--lang ko: the Korean labels need the font {KOREAN} (Debian: fonts-unfonts-core, which "
            "texlive-lang-korean installs); install it or draw with --lang en"
        ) from None


def extent(text: str, properties: FontProperties) -> tuple[float, float, float]:
    """TEXT's width, height and descent in inches, as its outline is drawn (one line, no mathtext)."""
    width, height, descent = _PATHS.get_text_width_height_descent(text, properties, ismath=False)
    return width / 72, height / 72, descent / 72


def text_width(text: str, properties: FontProperties) -> float:
    """TEXT's width in inches (see ``extent``)."""
    return extent(text, properties)[0]


# --------------------------------------------------------------------------- boxes


@dataclass
class Box:
    """A rectangle in inches, by its centre: where a node, a label or an operation is placed."""

    width: float
    height: float
    x: float = 0.0  # centre
    y: float = 0.0

    @property
    def left(self) -> float:
        return self.x - self.width / 2

    @property
    def right(self) -> float:
        return self.x + self.width / 2

    @property
    def top(self) -> float:
        return self.y + self.height / 2

    @property
    def bottom(self) -> float:
        return self.y - self.height / 2

    def overlaps(self, other: Box, gap: float = 0.0) -> bool:
        """Whether the two boxes, each grown by GAP/2 on every side, share any point."""
        return (
            self.left - gap < other.right
            and other.left - gap < self.right
            and self.bottom - gap < other.top
            and other.bottom - gap < self.top
        )

    def meets_circle(self, x: float, y: float, radius: float) -> bool:
        """Whether the box and the disc of RADIUS about (X, Y) share any point."""
        dx = max(self.left - x, 0.0, x - self.right)
        dy = max(self.bottom - y, 0.0, y - self.top)
        return dx * dx + dy * dy < radius * radius

    def meets_segment(self, start: tuple[float, float], end: tuple[float, float]) -> bool:
        """Whether the segment from START to END passes through the box (Liang-Barsky clipping)."""
        (x0, y0), (x1, y1) = start, end
        low, high = 0.0, 1.0
        for p, q in (
            (x0 - x1, x0 - self.left),
            (x1 - x0, self.right - x0),
            (y0 - y1, y0 - self.bottom),
            (y1 - y0, self.top - y0),
        ):
            if p == 0:
                if q < 0:
                    return False
                continue
            t = q / p
            if p < 0:
                low = max(low, t)
            else:
                high = min(high, t)
            if low > high:
                return False
        return True


# --------------------------------------------------------------------------- the canvas


def canvas(size: tuple[float, float]) -> tuple[Figure, Axes]:
    """A figure of SIZE inches on the Agg canvas (no pyplot), and one axes over all of it in inches."""
    fig = Figure(figsize=size)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, size[0])
    ax.set_ylim(0, size[1])
    ax.set_axis_off()
    return fig, ax


def arrow(
    ax: Axes, start: tuple[float, float], end: tuple[float, float], color: str = EDGE, width: float = 0.8
) -> None:
    """An arrow from START to END (inches), its head at END."""
    ax.annotate(
        "",
        xy=end,
        xytext=start,
        arrowprops={"arrowstyle": "-|>", "color": color, "linewidth": width, "shrinkA": 0, "shrinkB": 0},
    )


__all__ = [
    "EDGE",
    "INK",
    "KOREAN",
    "LATIN",
    "UNHINTED",
    "Box",
    "arrow",
    "canvas",
    "extent",
    "font",
    "korean_font",
    "text_width",
]
