"""The computation graph of ``symdl backward --graph``: its numbers against the lecture worked by hand, the
picture's boxes and texts apart from one another, the file written all or nothing, and the command's errors."""

from __future__ import annotations

import itertools
from dataclasses import replace
from pathlib import Path

import matplotlib
import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from symdl.errors import BadOutput
from symdl.network.backward import backpropagate
from symdl.network.spec import lecture_network
from symdl.render.graph import DPI, UNHINTED, draw_graph, figure, graph_nodes
from tests.conftest import SLIDE, as_floats, run_symdl

MAGIC = {"png": b"\x89PNG\r\n\x1a\n", "pdf": b"%PDF-", "svg": b"<?xml"}


@pytest.fixture(scope="module")
def lecture():
    """Identity activations, MSE (the mean over the n = 2 outputs), t = [1, 0]: examples/lecture01.toml."""
    return backpropagate(lecture_network())


@pytest.fixture(scope="module")
def classifier():
    net = replace(lecture_network().with_activations("sigmoid", "softmax"), loss="cross_entropy")
    return backpropagate(net)


# --------------------------------------------------------------------------- the numbers, worked by hand


def test_lecture_values_and_gradients_by_hand(lecture):
    """Z1 = [1,2,1] W1 = [4, 3, -2]; Y = [4,3,-2] W2 + [1, -0.5] = [2, 1]; L = ((2-1)² + (1-0)²)/2 = 1;
    ∂L/∂Y = 2(Y - T)/2 = [1, 1] = δ2 (identity); ∂L/∂W2 = H1ᵀ δ2; δ1 = δ2 W2ᵀ = [1.5, -0.5, 1];
    ∂L/∂W1 = Xᵀ δ1 = [1, 2, 1]ᵀ [1.5, -0.5, 1]."""
    graph = graph_nodes(lecture)
    expected = {  # name: (value, gradient)
        "X": (as_floats(SLIDE["X"]), None),
        "Z1": ([[4, 3, -2]], [[1.5, -0.5, 1]]),
        "H1": ([[4, 3, -2]], [[1.5, -0.5, 1]]),
        "Z2": ([[2, 1]], [[1, 1]]),
        "Y": ([[2, 1]], [[1, 1]]),
        "T": ([[1, 0]], None),
        "L": ([[1]], [[1]]),
        "W1": (as_floats(SLIDE["W1"]), [[1.5, -0.5, 1], [3, -1, 2], [1.5, -0.5, 1]]),
        "B1": (as_floats(SLIDE["B1"]), [[1.5, -0.5, 1]]),
        "W2": (as_floats(SLIDE["W2"]), [[4, 4], [3, 3], [-2, -2]]),
        "B2": (as_floats(SLIDE["B2"]), [[1, 1]]),
    }
    assert [node.name for node in graph.nodes] == ["X", "W1", "B1", "Z1", "H1", "W2", "B2", "Z2", "Y", "T", "L"]
    for name, (value, gradient) in expected.items():
        node = graph[name]
        assert node.value.tolist() == value, name
        if gradient is None:
            assert node.gradient is None and node.kind == "data", name
        else:
            assert node.gradient.tolist() == gradient, name


def test_edges_carry_the_operations(lecture, classifier):
    assert [(e.source, e.target, e.operation) for e in graph_nodes(lecture).edges] == [
        ("X", "Z1", "matmul"),
        ("W1", "Z1", "matmul"),
        ("B1", "Z1", "+"),
        ("Z1", "H1", "identity"),
        ("H1", "Z2", "matmul"),
        ("W2", "Z2", "matmul"),
        ("B2", "Z2", "+"),
        ("Z2", "Y", "identity"),
        ("Y", "L", "mse"),
        ("T", "L", "mse"),
    ]
    operations = {(e.target, e.operation) for e in graph_nodes(classifier).edges}
    assert {("H1", "sigmoid"), ("Y", "softmax"), ("L", "cross_entropy")} <= operations
    assert graph_nodes(classifier)["L"].formula == "L = cross_entropy(Y, T)"


def test_classifier_gradients_follow_softmax_cross_entropy(classifier):
    """Cross-entropy through softmax: δ2 = Y − T; ∂L/∂Y = −T/Y; ∂L/∂H1 = δ2 W2ᵀ (W2 from the lecture's slide)."""
    graph = graph_nodes(classifier)
    y = graph["Y"].value
    assert np.allclose(graph["Z2"].gradient, y - [[1, 0]], rtol=0, atol=1e-15)
    assert np.allclose(graph["Y"].gradient, [[-1 / y[0, 0], 0]], rtol=1e-15, atol=0)
    w2 = np.array(as_floats(SLIDE["W2"]))
    assert np.allclose(graph["H1"].gradient, (y - [[1, 0]]) @ w2.T, rtol=0, atol=1e-15)


# --------------------------------------------------------------------------- the picture


def _extents(fig: Figure):
    """Where every box and text lands, drawn as the PNG is drawn (its resolution, no hinting)."""
    fig.set_dpi(DPI)
    canvas = FigureCanvasAgg(fig)
    ax = fig.axes[0]
    with matplotlib.rc_context(UNHINTED):
        canvas.draw()
        renderer = canvas.get_renderer()
        boxes = [(p.get_gid(), p.get_window_extent(renderer)) for p in ax.patches]
        texts = [(f"{t.get_gid()}:{t.get_text()}", t.get_window_extent(renderer)) for t in ax.texts if t.get_text()]
    return fig.bbox, boxes, texts


@pytest.mark.parametrize("which", ["lecture", "classifier"])
def test_nothing_overlaps(which, request):
    """Every box and every line of text inside the figure, no two boxes or two texts touching."""
    result = request.getfixturevalue(which)
    fig = figure(graph_nodes(result))
    assert tuple(fig.get_size_inches()) == (13.0, 3.4)
    frame, boxes, texts = _extents(fig)
    assert len(boxes) == 11 + 7  # the nodes, and the operations matmul, +, f, matmul, +, g, loss
    for name, extent in boxes + texts:
        assert frame.x0 <= extent.x0 and extent.x1 <= frame.x1 and frame.y0 <= extent.y0 and extent.y1 <= frame.y1, name
    for group in (boxes, texts):
        for (a, ea), (b, eb) in itertools.combinations(group, 2):
            assert not ea.overlaps(eb), f"{a} overlaps {b}"
    for gid, extent in boxes:  # each node's lines inside its own box
        if gid.startswith("node:"):
            node = gid.removeprefix("node:")
            inside = [e for name, e in texts if name.startswith(f"text:{node}:")]
            assert inside and all(extent.x0 < e.x0 and e.x1 < extent.x1 for e in inside), node


# --------------------------------------------------------------------------- the file


@pytest.mark.parametrize("suffix", ["png", "pdf", "svg"])
def test_writes_the_format_of_the_extension(lecture, tmp_path, suffix):
    path = draw_graph(lecture, tmp_path / f"graph.{suffix}")
    data = path.read_bytes()
    assert len(data) > 1000 and data.startswith(MAGIC[suffix])
    assert sorted(p.name for p in tmp_path.iterdir()) == [f"graph.{suffix}"]  # no temporary file left


def test_a_failure_leaves_nothing_behind(lecture, tmp_path, monkeypatch):
    """Drawing fails half way: the old file stays as it was and no temporary file is left."""
    target = tmp_path / "graph.png"
    target.write_bytes(b"the old picture")

    def broken(self, handle, **kwargs):
        handle.write(b"\x89PNG half a picture")
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(Figure, "savefig", broken)
    with pytest.raises(RuntimeError, match="the disk is full"):
        draw_graph(lecture, target)
    assert target.read_bytes() == b"the old picture"
    assert [p.name for p in tmp_path.iterdir()] == ["graph.png"]


@pytest.mark.parametrize(
    "name, message",
    [("graph.jpg", "not a .jpg file"), ("graph", "without an extension"), ("missing/graph.png", "no directory")],
)
def test_bad_names_are_refused(lecture, tmp_path, name, message):
    with pytest.raises(BadOutput, match=message):
        draw_graph(lecture, tmp_path / name)
    assert list(tmp_path.iterdir()) == []


# --------------------------------------------------------------------------- the command


def test_cli_writes_the_graph_and_the_report(capsys, tmp_path):
    path = tmp_path / "flow.pdf"
    code, out, err = run_symdl(capsys, "backward", "--graph", path)
    assert code == 0 and err == ""
    assert "loss mse" in out  # the report as without --graph
    assert path.read_bytes().startswith(MAGIC["pdf"])


@pytest.mark.parametrize("name", ["flow.jpg", "no/such/dir/flow.png"])
def test_cli_bad_graph_name_is_one_line_and_exit_2(capsys, tmp_path, name):
    code, out, err = run_symdl(capsys, "backward", "--graph", tmp_path / name)
    assert code == 2
    assert out == ""  # refused before the work, so no report either
    assert len(err.strip().splitlines()) == 1 and err.startswith("symdl: ") and "Traceback" not in err
    assert list(tmp_path.iterdir()) == []


def test_cli_graph_of_a_directory_is_one_line_and_exit_2(capsys, tmp_path):
    code, out, err = run_symdl(capsys, "backward", "--graph", tmp_path)
    assert code == 2 and out == "" and len(err.strip().splitlines()) == 1 and "is a directory" in err


def test_png_is_not_empty_and_has_the_size_it_says(lecture, tmp_path):
    data = Path(draw_graph(lecture, tmp_path / "g.png")).read_bytes()
    width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    assert (width, height) == (1950, 510)  # 13 × 3.4 inches at 150 dpi
