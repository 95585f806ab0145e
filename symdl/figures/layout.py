"""Where everything of a network picture goes, in inches: the columns (cells or neurons) under their labels,
the connections between them, and the weights' values on their edges where they fit.

Every text is measured in the font the figure draws it with (``symdl.figures.draw``) before it is placed, and
nothing is placed over anything else: a weight's value goes to one of a few places along its own edge that
touches no neuron and no other text, the one crossed by the fewest other edges and farthest from them, or is
left out (the legend says how many).  ``place`` gives the ``Scene`` that both the matplotlib figure and the
TikZ picture draw.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from symdl.figures import draw
from symdl.figures.contents import Column, Contents, Shown
from symdl.figures.draw import Box
from symdl.figures.scene import Disc, Item, Line, Rect, Scene, Text
from symdl.figures.style import GREY, OKABE_ITO

HEADER, VALUE, SMALL = 9.0, 8.0, 7.0  # points: labels, values, weights with biases and the legend
MARGIN = 0.12  # inches around everything
ROW_GAP = 0.05  # between two lines of text
COLUMN_GAP = 0.4  # the least room between two columns' labels
PAD = 0.025  # a text's background beyond its extent, each side
FILL = {"input": "#DCEBF7", "hidden": "#DDF2E9", "output": "#FCE9D4"}  # light blue, green, orange
POSITIVE, NEGATIVE, ZERO = OKABE_ITO["blue"], OKABE_ITO["vermillion"], GREY
LINK = "#A0A0A0"  # a connection at the layers level
WHITE = "#FFFFFF"
ALONG = (0.5, 0.38, 0.62, 0.28, 0.72, 0.2, 0.8, 0.44, 0.56, 0.33, 0.67, 0.24, 0.76)  # where a weight may go
CLEAR = 0.22  # inches from every other edge: far enough for a weight's value to be read as its own edge's
SAMPLE = 0.28  # inches: a line in the legend
Edge = tuple[int, int, int, tuple[float, float], tuple[float, float]]  # layer, from, to, start, end


@dataclass
class _Pen:
    """Measures texts in the picture's fonts and keeps the items in their drawing order."""

    lang: str
    under: list[Item] = field(default_factory=list)  # connections
    shapes: list[Item] = field(default_factory=list)  # cells and neurons
    over: list[Item] = field(default_factory=list)  # lines drawn on the neurons
    texts: list[Text] = field(default_factory=list)

    def size(self, text: str, points: float, italic: bool = False) -> tuple[float, float]:
        """TEXT's width and height as matplotlib lays one line out (at least as tall as "lp")."""
        font = draw.font(points, self.lang, italic=italic)
        width, height, _ = draw.extent(text, font)
        return width, max(height, draw.extent("lp", font)[1])

    def line(self, points: float) -> float:
        return self.size("lp", points)[1]

    def text(self, x: float, y: float, shown: Shown, points: float, gid: str, **options: Any) -> Text:
        """SHOWN centred on (X, Y) (or starting there: ``align="left"``), recorded and returned."""
        width, height = self.size(shown.text, points, options.get("italic", False))
        grow = 2 * PAD if options.get("background") else 0.0
        centre = x + width / 2 if options.get("align") == "left" else x
        item = Text(
            x, y, shown.text, shown.tex, points, gid, box=Box(width + grow, height + grow, centre, y), **options
        )
        self.texts.append(item)
        return item

    def scene(self, width: float, height: float) -> Scene:
        return Scene(width, height, (*self.under, *self.shapes, *self.over, *self.texts), self.lang)


def _kind(column: Column, columns: tuple[Column, ...]) -> str:
    return "input" if column.number == 0 else "output" if column.number == len(columns) - 1 else "hidden"


def _widest(pen: _Pen, shown: list[Shown], points: float) -> float:
    return max(pen.size(s.text, points)[0] for s in shown)


# --------------------------------------------------------------------------- the frame and the legend


@dataclass(frozen=True)
class _Frame:
    """The columns' centres, every item's centre (top first) and the canvas."""

    xs: tuple[float, ...]
    ys: tuple[tuple[float, ...], ...]
    width: float
    height: float


def _frame(
    pen: _Pen,
    contents: Contents,
    halves: list[float],
    slot: float,
    gap: float,
    legend: list[list[Any]],
    drop: float = 0.0,
    formulas: bool = False,
) -> _Frame:
    """Columns of items HALVES wide either side of their centre (one per column), one every SLOT inches, the
    columns' items at least GAP apart; over each its label and its name (with FORMULAS: what its Σ and f
    compute, where it has them), aligned across columns; under all the LEGEND.  DROP lowers an item in its slot.
    Writes the labels and the legend."""
    columns = contents.columns
    above = [
        [(c.label, HEADER), *((f, SMALL) for f in c.formulas)]
        if formulas and c.formulas
        else [(c.label, HEADER), (Shown(c.name, f"${c.name}$"), HEADER)]
        for c in columns
    ]
    sizes = [[pen.size(shown.text, points) for shown, points in lines] for lines in above]
    reach = [max([half, *(w / 2 for w, _ in lines)]) for half, lines in zip(halves, sizes, strict=True)]
    xs = [MARGIN + reach[0]]
    for k in range(1, len(columns)):
        xs.append(xs[-1] + max(reach[k - 1] + reach[k] + COLUMN_GAP, halves[k - 1] + halves[k] + gap))
    legend_width, legend_height = _legend_size(pen, legend)
    width = max(xs[-1] + reach[-1] + MARGIN, legend_width + 2 * MARGIN)
    xs = [x + (width - (xs[-1] + reach[-1] + MARGIN)) / 2 for x in xs]  # a wide legend: the columns centred
    heights = [max(lines[r][1] for lines in sizes if r < len(lines)) for r in range(max(map(len, sizes)))]
    counts = [len(column.values) for column in columns]
    bottom = MARGIN + legend_height + (0.12 if legend else 0.0)
    body = max(counts) * slot
    ys = tuple(tuple(bottom + body / 2 + ((n - 1) / 2 - i) * slot - drop for i in range(n)) for n in counts)
    top = bottom + body + 0.08 + sum(heights) + ROW_GAP * (len(heights) - 1)
    y = top
    for r, height in enumerate(heights):
        y -= height / 2
        for k, lines in enumerate(above):
            if r < len(lines):
                shown, points = lines[r]
                pen.text(xs[k], y, shown, points, f"label:{k}:{r}", weight="bold" if r == 0 else "normal")
        y -= height / 2 + ROW_GAP
    frame = _Frame(tuple(xs), ys, width, top + MARGIN)
    _legend(pen, legend, frame, MARGIN + legend_height)
    return frame


def _legend_rows(contents: Contents, ops: bool, unwritten: int = 0, total: int = 0) -> list[list[Any]]:
    """The legend's lines, each a list of texts (``Shown``) and line samples ((colour, dashed))."""
    rows: list[list[Any]] = []
    if ops:
        width, bias = contents.word("width"), contents.word("bias")
        rows.append(
            [
                (POSITIVE, False),
                Shown("w > 0", "$w > 0$"),
                (NEGATIVE, False),
                Shown("w < 0", "$w < 0$"),
                (ZERO, True),
                Shown("w = 0", "$w = 0$"),
                Shown(f"{width.text} ∝ |w|", rf"{width.tex} $\propto |w|$"),
                Shown(f"b: {bias.text}", f"$b$: {bias.tex}"),
            ]
        )
        if unwritten:
            rows.append([contents.word("unwritten", count=unwritten, total=total)])
    if contents.note is not None:
        rows.append([contents.note])
    return rows


def _row_width(pen: _Pen, row: list[Any]) -> float:
    return sum(pen.size(p.text, SMALL)[0] + 0.1 if isinstance(p, Shown) else SAMPLE + 0.06 for p in row) - 0.1


def _legend_size(pen: _Pen, rows: list[list[Any]]) -> tuple[float, float]:
    return max((_row_width(pen, row) for row in rows), default=0.0), len(rows) * (pen.line(SMALL) + ROW_GAP)


def _legend(pen: _Pen, rows: list[list[Any]], frame: _Frame, top: float) -> None:
    step = pen.line(SMALL) + ROW_GAP
    y = top - step / 2
    for r, row in enumerate(rows):
        x = (frame.width - _row_width(pen, row)) / 2
        for k, part in enumerate(row):
            if isinstance(part, Shown):
                pen.text(x, y, part, SMALL, f"legend:{r}:{k}", align="left")
                x += pen.size(part.text, SMALL)[0] + 0.1
            else:
                colour, dashed = part
                pen.under.append(Line((x, y), (x + SAMPLE, y), colour, 1.6, f"legend:{r}:{k}", dashed=dashed))
                x += SAMPLE + 0.06
        y -= step


# --------------------------------------------------------------------------- the three levels


def place(contents: Contents, level: str) -> Scene:
    """The Scene of LEVEL ("data", "layers" or "ops") for CONTENTS."""
    return {"data": _data, "layers": _layers, "ops": _ops}[level](contents)


def _data(contents: Contents) -> Scene:
    """Each column's values in a stack of cells, an arrow from each column to the next."""
    pen, columns = _Pen(contents.lang), contents.columns
    width = max(_widest(pen, [v for c in columns for v in c.values], VALUE) + 0.16, 0.42)
    height = pen.line(VALUE) + 0.1
    frame = _frame(pen, contents, [width / 2] * len(columns), height + 0.04, 0.75, _legend_rows(contents, False))
    for k, column in enumerate(columns):
        for i, value in enumerate(column.values):
            x, y = frame.xs[k], frame.ys[k][i]
            pen.shapes.append(Rect(x, y, width, height, FILL[_kind(column, columns)], f"cell:{column.name}:{i + 1}"))
            pen.text(x, y, value, VALUE, f"value:{column.name}:{i + 1}")
        if k:
            middle = sum(frame.ys[0]) / len(frame.ys[0])
            start, end = (frame.xs[k - 1] + width / 2 + 0.1, middle), (frame.xs[k] - width / 2 - 0.1, middle)
            pen.under.append(Line(start, end, draw.EDGE, 1.0, f"arrow:{k}", head=True))
    return pen.scene(frame.width, frame.height)


def _layers(contents: Contents) -> Scene:
    """Each neuron a circle holding its value, every connection a grey line."""
    pen, columns = _Pen(contents.lang), contents.columns
    radii = [max(_widest(pen, list(c.values), VALUE) / 2 + 0.07, 0.17) for c in columns]
    most = max(len(c.values) for c in columns)
    frame = _frame(pen, contents, radii, 2 * max(radii) + 0.16, 0.8 + 0.1 * most, _legend_rows(contents, False))
    _edges(contents, frame, lambda k, i, j: (LINK, 0.7, False), radii, pen)
    for k, column in enumerate(columns):
        for i, value in enumerate(column.values):
            x, y = frame.xs[k], frame.ys[k][i]
            pen.shapes.append(Disc(x, y, radii[k], FILL[_kind(column, columns)], f"neuron:{column.name}:{i + 1}"))
            pen.text(x, y, value, VALUE, f"value:{column.name}:{i + 1}")
    return pen.scene(frame.width, frame.height)


def _edges(
    contents: Contents,
    frame: _Frame,
    look: Callable[[int, int, int], tuple[str, float, bool]],
    radii: list[float],
    pen: _Pen,
) -> list[Edge]:
    """Every connection, circle edge to circle edge (RADII: each column's); LOOK gives its colour, width and
    whether it is dashed."""
    out = []
    for k in range(1, len(contents.columns)):
        for i, y0 in enumerate(frame.ys[k - 1]):
            for j, y1 in enumerate(frame.ys[k]):
                x0, x1 = frame.xs[k - 1], frame.xs[k]
                length = math.hypot(x1 - x0, y1 - y0)
                ux, uy = (x1 - x0) / length, (y1 - y0) / length
                r0, r1 = radii[k - 1], radii[k]
                start, end = (x0 + ux * r0, y0 + uy * r0), (x1 - ux * r1, y1 - uy * r1)
                colour, width, dashed = look(k, i, j)
                pen.under.append(Line(start, end, colour, width, f"edge:W{k}:{i + 1},{j + 1}", dashed=dashed))
                out.append((k, i, j, start, end))
    return out


def _sign(value: float) -> str:
    return ZERO if value == 0 else POSITIVE if value > 0 else NEGATIVE


def _ops(contents: Contents, unwritten: int = 0) -> Scene:
    """The weights on the edges, the biases above the neurons, Σ and f inside them (see the module docstring);
    where some weights' values do not fit, drawn again with a legend that says how many (UNWRITTEN)."""
    pen, columns = _Pen(contents.lang), contents.columns
    line = pen.line(VALUE)
    sides = [max(_widest(pen, [*c.values, *c.sums], VALUE), 0.12) for c in columns]  # the inputs: unused
    radii = [max(_widest(pen, list(columns[0].values), VALUE) / 2 + 0.07, 0.17)]
    radii += [math.hypot(side + 0.05, line * 1.1) + 0.06 for side in sides[1:]]  # Σ over z left, f over h right
    bias = pen.line(SMALL) + 2 * PAD + 0.04
    biggest = max(abs(w.value) for c in columns[1:] for row in c.weights for w in row) or 1.0
    most = max(len(c.values) for c in columns)

    def look(k: int, i: int, j: int) -> tuple[str, float, bool]:
        w = columns[k].weights[i][j].value
        return _sign(w), (0.8 if w == 0 else 0.6 + 1.8 * abs(w) / biggest), w == 0

    total = sum(len(row) for c in columns[1:] for row in c.weights)
    legend = _legend_rows(contents, True, unwritten, total)
    slot = 2 * max(radii) + bias + 0.16
    frame = _frame(pen, contents, radii, slot, 1.35 + 0.12 * most, legend, bias / 2, True)
    edges = _edges(contents, frame, look, radii, pen)
    discs = []
    for k, column in enumerate(columns):
        fill = FILL[_kind(column, columns)]
        for i, value in enumerate(column.values):
            x, y = frame.xs[k], frame.ys[k][i]
            r = radii[k]
            pen.shapes.append(Disc(x, y, r, fill, f"neuron:{column.name}:{i + 1}"))
            discs.append((x, y, r))
            if k == 0:
                pen.text(x, y, value, VALUE, f"value:X:{i + 1}")
                continue
            pen.over.append(Line((x, y - r), (x, y + r), draw.EDGE, 0.6, f"divider:{column.name}:{i + 1}"))
            dx, dy = sides[k] / 2 + 0.05, line * 0.56
            pen.text(x - dx, y + dy, Shown("Σ", r"$\Sigma$"), VALUE, f"symbol:sum:Z{k}:{i + 1}")
            pen.text(x - dx, y - dy, column.sums[i], VALUE, f"sum:Z{k}:{i + 1}")
            pen.text(x + dx, y + dy, Shown("f", "$f$"), VALUE, f"symbol:f:{column.name}:{i + 1}", italic=True)
            pen.text(x + dx, y - dy, value, VALUE, f"act:{column.name}:{i + 1}")
            b = column.biases[i]
            tag = Shown(f"b = {b.text}", f"$b = {b.tex.strip('$')}$", b.value)
            pen.text(x, y + r + bias / 2, tag, SMALL, f"bias:B{k}:{i + 1}", background=WHITE)
    left_out = _weights(contents, edges, discs, pen)
    if left_out != unwritten:  # the places do not depend on the legend below them: the second time, the same
        return _ops(contents, left_out)
    return pen.scene(frame.width, frame.height)


def _weights(contents: Contents, edges: list[Edge], discs: list[tuple[float, float, float]], pen: _Pen) -> int:
    """Each weight's value on its edge where it fits (see the module docstring); the number left out.

    Of the places along the edge that touch no neuron and no text, the one crossed by the fewest other edges,
    then the farthest (up to ``CLEAR``) from every other edge, so that no value seems to belong to another."""
    fixed = [text.box for text in pen.texts]
    placed: list[Box] = []
    left_out = 0
    for k, i, j, start, end in edges:
        weight = contents.columns[k].weights[i][j]
        width, height = pen.size(weight.text, SMALL)
        others = [(s, e) for kk, ii, jj, s, e in edges if (kk, ii, jj) != (k, i, j)]
        best: tuple[int, float, int, Box] | None = None
        for rank, t in enumerate(ALONG):
            x, y = start[0] + t * (end[0] - start[0]), start[1] + t * (end[1] - start[1])
            box = Box(width + 2 * PAD, height + 2 * PAD, x, y)
            if any(box.meets_circle(cx, cy, r + 0.02) for cx, cy, r in discs):
                continue
            if any(box.overlaps(other, 0.02) for other in (*fixed, *placed)):
                continue
            crossed = sum(box.meets_segment(s, e) for s, e in others)
            clear = round(min([CLEAR, *(_distance((x, y), s, e) for s, e in others)]), 2)
            if best is None or (crossed, -clear, rank) < best[:3]:
                best = (crossed, -clear, rank, box)
        if best is None:
            left_out += 1
            continue
        placed.append(best[3])
        gid = f"weight:W{k}:{i + 1},{j + 1}"
        pen.text(best[3].x, best[3].y, weight, SMALL, gid, color=_sign(weight.value), background=WHITE)
    return left_out


def _distance(point: tuple[float, float], start: tuple[float, float], end: tuple[float, float]) -> float:
    """How far POINT is from the segment START-END."""
    (px, py), (x0, y0), (x1, y1) = point, start, end
    dx, dy = x1 - x0, y1 - y0
    t = max(0.0, min(1.0, ((px - x0) * dx + (py - y0) * dy) / (dx * dx + dy * dy or 1.0)))
    return math.hypot(px - x0 - t * dx, py - y0 - t * dy)


__all__ = ["place"]
