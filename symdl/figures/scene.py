"""A picture as data: circles, rectangles, lines and texts placed in inches, drawn by matplotlib (``figure``)
or written as TikZ (``symdl.figures.tikz``) from the same record, so that the two never disagree.

Every text carries two spellings: ``text`` for matplotlib (Unicode: "−2", "ℝ³") and ``tex`` for LaTeX
("$-2$", "$\\mathbb{R}^{3}$"); its ``box`` is the extent it was placed by (``symdl.figures.draw.extent``).
Items are drawn in their order: lines under circles under texts, as they are listed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Circle, FancyBboxPatch

from symdl.figures import draw
from symdl.figures.draw import Box
from symdl.figures.style import drawing


@dataclass(frozen=True)
class Text:
    """One line of text, centred on (x, y), or starting there (``align`` "left")."""

    x: float
    y: float
    text: str
    tex: str
    size: float  # points
    gid: str
    color: str = draw.INK
    weight: str = "normal"
    italic: bool = False
    align: str = "center"  # or "left"
    background: str | None = None  # a fill behind the text, e.g. white over the lines it sits on
    box: Box = field(default_factory=lambda: Box(0.0, 0.0), compare=False)


@dataclass(frozen=True)
class Disc:
    """A circle: a neuron."""

    x: float
    y: float
    radius: float
    fill: str
    gid: str
    edge: str = draw.EDGE
    width: float = 0.9


@dataclass(frozen=True)
class Rect:
    """A rectangle with rounded corners, by its centre: a cell of a data column."""

    x: float
    y: float
    width: float
    height: float
    fill: str
    gid: str
    edge: str = draw.EDGE
    line: float = 0.8


@dataclass(frozen=True)
class Line:
    """A straight line, perhaps dashed, perhaps with an arrow head at ``end``."""

    start: tuple[float, float]
    end: tuple[float, float]
    color: str
    width: float
    gid: str
    dashed: bool = False
    head: bool = False


Item = Text | Disc | Rect | Line


@dataclass(frozen=True)
class Scene:
    """A whole picture: its size in inches, its items in drawing order, and its language (for the fonts)."""

    width: float
    height: float
    items: tuple[Item, ...]
    lang: str = "en"

    def texts(self) -> list[Text]:
        return [item for item in self.items if isinstance(item, Text)]


PAD = 0.025  # inches of background around a text that has one
DASHES = (3.0, 2.0)  # points on, off


def figure(scene: Scene) -> Figure:
    """SCENE as a matplotlib figure on the Agg canvas; each artist carries its item's gid."""
    with drawing():
        fig, ax = draw.canvas((scene.width, scene.height))
        for z, item in enumerate(scene.items, start=1):
            if isinstance(item, Line):
                _line(ax, item, z)
            elif isinstance(item, Disc):
                ax.add_patch(
                    Circle(
                        (item.x, item.y),
                        item.radius,
                        facecolor=item.fill,
                        edgecolor=item.edge,
                        linewidth=item.width,
                        gid=item.gid,
                        zorder=z,
                    )
                )
            elif isinstance(item, Rect):
                corner = (item.x - item.width / 2, item.y - item.height / 2)
                ax.add_patch(
                    FancyBboxPatch(
                        corner,
                        item.width,
                        item.height,
                        boxstyle="round,pad=0,rounding_size=0.03",
                        facecolor=item.fill,
                        edgecolor=item.edge,
                        linewidth=item.line,
                        gid=item.gid,
                        zorder=z,
                    )
                )
            else:
                _text(ax, item, scene.lang, z)
    return fig


def _line(ax: Axes, item: Line, z: int) -> None:
    if item.head:
        ax.annotate(
            "",
            xy=item.end,
            xytext=item.start,
            zorder=z,
            gid=item.gid,
            arrowprops={"arrowstyle": "-|>", "color": item.color, "linewidth": item.width, "shrinkA": 0, "shrinkB": 0},
        )
        return
    style = {"dashes": DASHES} if item.dashed else {"linestyle": "solid"}
    ax.plot(
        [item.start[0], item.end[0]],
        [item.start[1], item.end[1]],
        color=item.color,
        linewidth=item.width,
        solid_capstyle="butt",
        gid=item.gid,
        zorder=z,
        **style,
    )


def _text(ax: Axes, item: Text, lang: str, z: int) -> None:
    properties = draw.font(item.size, lang, item.weight, item.italic)
    background = None
    if item.background is not None:
        background = {
            "boxstyle": f"square,pad={PAD * 72 / item.size}",
            "facecolor": item.background,
            "edgecolor": "none",
        }
    ax.text(
        item.x,
        item.y,
        item.text,
        fontproperties=properties,
        color=item.color,
        ha=item.align,
        va="center",
        gid=item.gid,
        zorder=z,
        bbox=background,
    )


__all__ = ["Disc", "Item", "Line", "Rect", "Scene", "Text", "figure"]
