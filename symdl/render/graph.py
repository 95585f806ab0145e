"""The computation graph of the whole flow, drawn as micrograd draws its graphs but with one node per matrix.

X, W1, B1 → Z1 = X W1 + B1 → H1 = f(Z1) → ... → Y, and with T → L = loss(Y, T).  Each node shows its
value and, where backpropagation reaches it, its gradient ∂L/∂(node) in a second colour; the operations
(matmul, +, the activation, the loss) sit on the edges, left to right.  Every number comes from the
float64 computation of ``symdl.network.backward.Backward``.

``graph_nodes`` is the data (tested without drawing), ``figure`` the picture (a fixed size: the text
shrinks, and nothing overlaps, or it says the network is too large), ``draw_graph`` writes it all or nothing.
The canvas, the text extents, the boxes, the arrows and the saving are ``symdl.figures.draw`` and
``symdl.figures.style``, which the network diagrams share.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.patches import Ellipse, FancyBboxPatch

from symdl.errors import BadNetwork, BadOutput
from symdl.figures.draw import EDGE, INK, UNHINTED, Box, arrow, canvas, text_width
from symdl.figures.style import encoded
from symdl.files import write_whole
from symdl.network.backward import Backward
from symdl.network.exact import floats
from symdl.network.losses import numpy_gradient

FORMATS = ("pdf", "png", "svg")  # the picture's format is the file's extension
FIGSIZE = (13.0, 3.4)  # inches, whatever the network: the width of a 16:9 slide
DPI = 150  # of a PNG
FONT = 8.5  # points, shrunk step by step (not below SMALLEST) until everything fits
SMALLEST = 5.0
DIGITS = 3  # significant digits of every number shown

VALUE = INK
GRADIENT = "#c0392b"
FILL = {"data": "#eeeeee", "parameter": "#e6eef9", "computed": "#ffffff", "loss": "#fdf1d3"}
OPERATION_FILL = "#f4f4f4"


# --------------------------------------------------------------------------- the data


@dataclass(frozen=True, eq=False)
class GraphNode:
    """One matrix of the flow: its value and ∂L/∂(it), both float64 and of the same shape."""

    name: str  # "Z1"
    formula: str  # "Z1 = X W1 + B1"
    kind: str  # "data" (X, T), "parameter" (W, B), "computed" (Z, H, Y) or "loss"
    value: np.ndarray  # 2-D
    gradient: np.ndarray | None  # None for data: backpropagation does not differentiate by X or T


@dataclass(frozen=True)
class GraphEdge:
    """``source`` enters ``target`` through ``operation``: "matmul", "+", an activation's or a loss's name."""

    source: str
    target: str
    operation: str


@dataclass(frozen=True, eq=False)
class Graph:
    """The nodes in the order they are computed; the edges into each node in the order its operations apply."""

    nodes: tuple[GraphNode, ...]
    edges: tuple[GraphEdge, ...]

    def __getitem__(self, name: str) -> GraphNode:
        for node in self.nodes:
            if node.name == name:
                return node
        raise KeyError(f"no node {name!r}; there are {', '.join(node.name for node in self.nodes)}")


def graph_nodes(result: Backward) -> Graph:
    """The graph of RESULT at the matrix level, values and gradients from its float64 computation.

    ∂L/∂Z is the layer's δ, ∂L/∂W and ∂L/∂B the gradients; ∂L/∂H of a hidden layer is δ_next W_nextᵀ and
    ∂L/∂Y the loss's derived gradient at Y (over m for a batch); ∂L/∂L = 1.
    """
    network = result.network
    target = floats(result.target)
    nodes = [GraphNode("X", "X", "data", floats(network.inputs), None)]
    edges: list[GraphEdge] = []
    previous = "X"
    for number, layer in enumerate(network.layers, start=1):
        dw, db = result.gradients[2 * number - 2], result.gradients[2 * number - 1]
        z, h = result.forward.steps[2 * number - 2], result.forward.steps[2 * number - 1]
        if number < len(network.layers):
            back = result.deltas[number].numeric @ floats(network.layers[number].weights).T
        else:
            back = numpy_gradient(result.loss)(h.numeric, target) / network.inputs.rows
        act = layer.activation.name
        nodes += [
            GraphNode(dw.name, dw.name, "parameter", floats(layer.weights), dw.numeric),
            GraphNode(db.name, db.name, "parameter", floats(layer.bias), db.numeric),
            GraphNode(z.name, f"{z.name} = {previous} {dw.name} + {db.name}", "computed", z.numeric,
                      result.deltas[number - 1].numeric),
            GraphNode(h.name, f"{h.name} = {act}({z.name})", "computed", h.numeric, back),
        ]  # fmt: skip
        edges += [
            GraphEdge(previous, z.name, "matmul"),
            GraphEdge(dw.name, z.name, "matmul"),
            GraphEdge(db.name, z.name, "+"),
            GraphEdge(z.name, h.name, act),
        ]
        previous = h.name
    loss = result.loss.name
    nodes += [
        GraphNode("T", "T", "data", target, None),
        GraphNode("L", f"L = {loss}({previous}, T)", "loss", np.array([[result.loss_numeric]]), np.ones((1, 1))),
    ]
    edges += [GraphEdge(previous, "L", loss), GraphEdge("T", "L", loss)]
    return Graph(tuple(nodes), tuple(edges))


def number(value: float) -> str:
    """A few significant digits: 4, -0.5, 0.982, 1.23e-05."""
    return f"{value + 0.0:.{DIGITS}g}"  # + 0.0: no "-0"


def matrix_rows(values: np.ndarray) -> list[str]:
    """A matrix as bracketed rows with its columns aligned: ["[1,   1, -1]", "[1, 0.5, -1]"]."""
    cells = [[number(v) for v in row] for row in values]
    widths = [max(len(row[c]) for row in cells) for c in range(values.shape[1])]
    return ["[" + ", ".join(cell.rjust(w) for cell, w in zip(row, widths, strict=True)) + "]" for row in cells]


# --------------------------------------------------------------------------- the picture


@dataclass(frozen=True)
class _Operation:
    """An operation on the chain: what it is and the nodes that enter it from below."""

    label: str
    below: tuple[str, ...]


def _rows(graph: Graph) -> list[str | _Operation]:
    """The main row left to right: X, then for each computed node its operations and the node itself.

    An operation's first input is what stands before it on the row; its other inputs (W, B, T) come from below.
    """
    row: list[str | _Operation] = [graph.nodes[0].name]
    for node in graph.nodes:
        into = [edge for edge in graph.edges if edge.target == node.name]
        for label, group in itertools.groupby(into, key=lambda edge: edge.operation):
            row.append(_Operation(label, tuple(edge.source for edge in group if edge.source != row[-1])))
        if into:
            row.append(node.name)
    return row


class _Fonts:
    """The three fonts at one size, and how wide a text is in them (inches)."""

    def __init__(self, size: float) -> None:
        self.size = size
        self.title = FontProperties(family=["sans-serif"], weight="bold", size=size)
        self.plain = FontProperties(family=["sans-serif"], size=size)
        self.numbers = FontProperties(family=["monospace"], size=size)
        self.line = 1.3 * size / 72
        self.pad = 0.45 * size / 72

    def width(self, text: str, font: FontProperties) -> float:
        """The outline's width, as PDF and SVG draw it and Agg does without hinting (see ``UNHINTED``)."""
        return text_width(text, font)

    def lines(self, node: GraphNode) -> list[tuple[str, FontProperties, str]]:
        """Name (or formula), the value's rows, the gradient's rows: text, font and colour of each line."""
        out = [(node.formula, self.title, VALUE)]
        out += [(row, self.numbers, VALUE) for row in matrix_rows(node.value)]
        if node.gradient is not None:
            out += [(row, self.numbers, GRADIENT) for row in matrix_rows(node.gradient)]
        return out

    def node(self, node: GraphNode) -> Box:
        lines = self.lines(node)
        width = max(self.width(text, font) for text, font, _ in lines)
        return Box(width + 2 * self.pad, len(lines) * self.line + 2 * self.pad)

    def operation(self, label: str) -> Box:
        return Box(max(self.width(label, self.plain) + 2.5 * self.pad, 1.6 * self.line), 1.4 * self.line)


MARGIN = 0.15  # inches around everything
GAP = 0.18  # the shortest arrow between two things on the main row
SIDE_GAP = 0.15  # between two boxes of the lower row
ROW_GAP = 0.35  # the shortest arrow from the lower row up to an operation


def _layout(graph: Graph, fonts: _Fonts) -> tuple[list[Box], dict[str, Box]] | None:
    """Every box placed on the figure (main row, then lower row), or None if it does not fit at this size."""
    row = _rows(graph)
    main = [fonts.operation(item.label) if isinstance(item, _Operation) else fonts.node(graph[item]) for item in row]
    below = {name: fonts.node(graph[name]) for item in row if isinstance(item, _Operation) for name in item.below}
    width, height = FIGSIZE
    room = width - 2 * MARGIN
    needed = sum(box.width for box in main) + GAP * (len(main) - 1)
    if needed > room:
        return None
    gap = GAP + min((room - needed) / (len(main) - 1), 0.5)
    x = (width - sum(box.width for box in main) - gap * (len(main) - 1)) / 2
    for box in main:
        box.x, x = x + box.width / 2, x + box.width + gap
    # the lower row: each box under its operation, pushed apart where they would touch
    wanted = [(name, main[k].x) for k, item in enumerate(row) if isinstance(item, _Operation) for name in item.below]
    edge = MARGIN - SIDE_GAP
    for name, x in wanted:
        box = below[name]
        box.x = max(x, edge + SIDE_GAP + box.width / 2)
        edge = box.right
    edge = width - MARGIN + SIDE_GAP
    for name, _ in reversed(wanted):
        box = below[name]
        box.x = min(box.x, edge - SIDE_GAP - box.width / 2)
        edge = box.left
    if below and edge < MARGIN:
        return None
    # heights: the legend, the main row centred on one line, the lower row under it; the spare room shared
    main_height = max(box.height for box in main)
    low_height = max((box.height for box in below.values()), default=0.0)
    legend = MARGIN + fonts.line
    needed = legend + main_height + (ROW_GAP + low_height if below else 0) + MARGIN
    if needed > height:
        return None
    spare = height - needed
    between = ROW_GAP + min(spare / 2, 0.4) if below else 0.0
    top = height - legend - (spare - (between - ROW_GAP)) / 2
    for box in main:
        box.y = top - main_height / 2
    for box in below.values():
        box.y = top - main_height - between - box.height / 2
    return main, below


def figure(graph: Graph) -> Figure:
    """The picture of GRAPH (see the module docstring); raises ``BadNetwork`` if it cannot fit without overlap."""
    size = FONT
    while (placed := _layout(graph, fonts := _Fonts(size))) is None:
        size -= 0.25
        if size < SMALLEST:
            shape = "-".join(str(node.value.shape[1]) for node in graph.nodes if node.kind != "parameter")
            raise BadNetwork(
                f"the computation graph of this network ({shape}) does not fit on one readable picture; "
                "--graph draws small networks such as the lecture's 3-3-2"
            )
    main, below = placed
    fig, ax = canvas(FIGSIZE)
    _legend(ax, fonts, FIGSIZE[1])
    row = _rows(graph)
    for k, (item, box) in enumerate(zip(row, main, strict=True)):
        if isinstance(item, _Operation):
            _draw_operation(ax, fonts, item.label, box, k)
            for name in item.below:
                _draw_node(ax, fonts, graph[name], below[name])
                start = min(max(box.x, below[name].left + 2 * fonts.pad), below[name].right - 2 * fonts.pad)
                arrow(ax, (start, below[name].top), (box.x, box.bottom))
        else:
            _draw_node(ax, fonts, graph[item], box)
        if k:
            arrow(ax, (main[k - 1].right, main[k - 1].y), (box.left, box.y))
    return fig


def _legend(ax: Any, fonts: _Fonts, height: float) -> None:
    y = height - MARGIN
    parts = [
        ("black: value", VALUE),
        ("red: gradient ∂L/∂(node), by backpropagation", GRADIENT),
        ("(X and T are data, not differentiated)", EDGE),
    ]
    x = MARGIN
    for text, colour in parts:
        ax.text(x, y, text, fontproperties=fonts.plain, color=colour, ha="left", va="top", gid="legend")
        x += fonts.width(text, fonts.plain) + 3 * fonts.pad


def _draw_node(ax: Any, fonts: _Fonts, node: GraphNode, box: Box) -> None:
    ax.add_patch(
        FancyBboxPatch(
            (box.left, box.bottom),
            box.width,
            box.height,
            boxstyle=f"round,pad=0,rounding_size={fonts.pad}",
            facecolor=FILL[node.kind],
            edgecolor=EDGE,
            linewidth=0.8,
            gid=f"node:{node.name}",
        )
    )
    y = box.top - fonts.pad
    for text, font, colour in fonts.lines(node):
        ax.text(box.x, y, text, fontproperties=font, color=colour, ha="center", va="top", gid=f"text:{node.name}")
        y -= fonts.line


def _draw_operation(ax: Any, fonts: _Fonts, label: str, box: Box, k: int) -> None:
    ax.add_patch(
        Ellipse(
            (box.x, box.y),
            box.width,
            box.height,
            facecolor=OPERATION_FILL,
            edgecolor=EDGE,
            linewidth=0.8,
            gid=f"op:{k}",
        )
    )
    ax.text(box.x, box.y, label, fontproperties=fonts.plain, color=VALUE, ha="center", va="center", gid=f"op:{k}")


# --------------------------------------------------------------------------- the file


def graph_format(path: str | Path) -> str:
    """The format PATH asks for ("pdf", "png", "svg"), checked before anything is computed; else ``BadOutput``."""
    path = Path(path)
    suffix = path.suffix.lower().lstrip(".")
    if suffix not in FORMATS:
        found = f"a .{suffix} file" if suffix else "a file without an extension"
        raise BadOutput(f"{path}: the graph is drawn as .pdf, .png or .svg, not {found}; name it e.g. graph.pdf")
    if not path.parent.is_dir():
        raise BadOutput(f"{path}: there is no directory {path.parent}; create it or write the graph elsewhere")
    return suffix


def draw_graph(result: Backward, path: str | Path) -> Path:
    """Write the computation graph of RESULT to PATH, all or nothing: a temporary file beside it, renamed over it."""
    fmt = graph_format(path)
    data = encoded(figure(graph_nodes(result)), fmt, DPI)
    return write_whole(path, lambda handle: handle.write(data), binary=True)


__all__ = [
    "DPI",
    "FORMATS",
    "UNHINTED",
    "Graph",
    "GraphEdge",
    "GraphNode",
    "draw_graph",
    "figure",
    "graph_format",
    "graph_nodes",
]
