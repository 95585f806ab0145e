"""The network pictures (``symdl diagram``): the forward pass's numbers read back from the figures' texts against
the lecture's slide worked by hand, no two texts overlapping (measured by the renderer), the TikZ compiled by
pdfLaTeX, the same bytes on every run, and the command's files and errors.

The texts are found by their gid: ``value:X:1`` (a neuron's or a cell's value), ``sum:Z1:2`` and ``act:H1:2`` (Σ and
f inside a neuron), ``weight:W1:1,2``, ``bias:B1:3``, ``label:0:0`` (a column's first label line).
"""

from __future__ import annotations

import hashlib
import itertools
import math
import subprocess
import sys
from fractions import Fraction

import matplotlib
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.patches import Circle
from PIL import Image

import symdl
from symdl.errors import BadNetwork
from symdl.figures import style
from symdl.figures.diagram import LEVELS, diagram, files
from symdl.figures.draw import UNHINTED
from symdl.network.spec import Network, lecture_network
from tests.conftest import SLIDE, SLIDE_TOML, TEX, compile_pdf, printed, run_symdl, text_of


def fractions(rows):
    return [[Fraction(str(v)) for v in row] for row in rows]


def affine(h, w, b):
    """Row vector times matrix plus bias, in exact fractions: Z = H W + B."""
    return [sum(h[i] * w[i][j] for i in range(len(h))) + b[j] for j in range(len(b))]


X = fractions(SLIDE["X"])[0]
W1, W2 = fractions(SLIDE["W1"]), fractions(SLIDE["W2"])
B1, B2 = fractions(SLIDE["B1"])[0], fractions(SLIDE["B2"])[0]
Z1 = affine(X, W1, B1)  # identity activations: H1 = Z1
Y = affine(Z1, W2, B2)


def test_the_slide_worked_by_hand():
    """The oracle itself, against the README's hand-worked values."""
    assert Z1 == [4, 3, -2] and Y == [2, 1]


def texts(fig):
    """{gid: text} of every text of the figure."""
    return {t.get_gid(): t.get_text() for t in fig.axes[0].texts if t.get_gid()}


def number(text):
    """A value as the picture writes it ("−0.5", "1/3", "b = 0") as an exact fraction."""
    return Fraction(text.rpartition("= ")[2].replace("−", "-"))


def read(found, prefix, count):
    return [number(found[f"{prefix}:{k}"]) for k in range(1, count + 1)]


@pytest.fixture(scope="module")
def lecture():
    return {level: diagram(level=level) for level in LEVELS}


# --------------------------------------------------------------------------- the numbers


def test_ops_level_holds_the_forward_pass(lecture):
    found = texts(lecture["ops"])
    assert read(found, "sum:Z1", 3) == Z1 == [4, 3, -2]
    assert read(found, "act:H1", 3) == Z1  # identity: f(Z1) = Z1
    assert read(found, "sum:Z2", 2) == Y == [2, 1]
    assert read(found, "act:Y", 2) == Y
    assert read(found, "value:X", 3) == X
    for name, w in (("W1", W1), ("W2", W2)):  # every weight of the lecture's network is written on its edge
        for i, j in itertools.product(range(len(w)), range(len(w[0]))):
            assert number(found[f"weight:{name}:{i + 1},{j + 1}"]) == w[i][j], (name, i, j)
    assert read(found, "bias:B1", 3) == B1 and read(found, "bias:B2", 2) == B2
    assert found["weight:W1:2,2"] == "0.5" and found["bias:B2:2"] == "b = −0.5"  # as the slide writes them
    symbols = {gid.split(":")[1] for gid in found if gid.startswith("symbol:")}
    assert symbols == {"sum", "f"} and sum(gid.startswith("symbol:sum") for gid in found) == 5


def test_ops_edges_are_coloured_by_sign_and_as_wide_as_the_weight(lecture):
    lines = {line.get_gid(): line for line in lecture["ops"].axes[0].lines if line.get_gid().startswith("edge:")}
    assert len(lines) == 9 + 6
    blue, vermillion = style.OKABE_ITO["blue"], style.OKABE_ITO["vermillion"]
    for name, w in (("W1", W1), ("W2", W2)):
        for i, j in itertools.product(range(len(w)), range(len(w[0]))):
            line = lines[f"edge:{name}:{i + 1},{j + 1}"]
            colour = matplotlib.colors.to_hex(line.get_color()).upper()
            if w[i][j] == 0:
                assert line.get_linestyle() == "--", (name, i, j)
            else:
                assert colour == (blue if w[i][j] > 0 else vermillion), (name, i, j)
    assert lines["edge:W1:1,1"].get_linewidth() > lines["edge:W1:2,2"].get_linewidth()  # |1| > |0.5|


def test_layers_level_shows_x_h_and_y(lecture):
    found = texts(lecture["layers"])
    assert read(found, "value:X", 3) == X
    assert read(found, "value:H1", 3) == Z1
    assert read(found, "value:Y", 2) == Y
    assert [found[f"label:{k}:0"] for k in range(3)] == ["Input Layer ∈ ℝ³", "Hidden Layer ∈ ℝ³", "Output Layer ∈ ℝ²"]
    edges = [line for line in lecture["layers"].axes[0].lines if line.get_gid().startswith("edge:")]
    assert len(edges) == 3 * 3 + 3 * 2  # every connection
    assert sum(isinstance(p, Circle) for p in lecture["layers"].axes[0].patches) == 3 + 3 + 2


def test_data_level_shows_the_columns_and_their_spaces(lecture):
    found = texts(lecture["data"])
    assert read(found, "value:X", 3) == X and read(found, "value:H1", 3) == Z1 and read(found, "value:Y", 2) == Y
    assert [found[f"label:{k}:0"][-2:] for k in range(3)] == ["ℝ³", "ℝ³", "ℝ²"]
    assert [found[f"label:{k}:1"] for k in range(3)] == ["X", "H1", "Y"]


def test_korean_labels():
    found = texts(diagram(level="layers", lang="ko"))
    assert [found[f"label:{k}:0"] for k in range(3)] == ["입력층 ∈ ℝ³", "은닉층 ∈ ℝ³", "출력층 ∈ ℝ²"]


def test_values_not_rational_are_written_to_4_places():
    """σ(4) = 1/(1 + e⁻⁴) = 0.98201..., worked with the math module, not symdl."""
    net = lecture_network().with_activations(hidden="sigmoid")
    found = texts(diagram(net, "ops"))
    sigma = [1 / (1 + math.exp(-z)) for z in (4, 3, -2)]
    assert [found[f"act:H1:{k}"] for k in (1, 2, 3)] == [f"{s:.4f}" for s in sigma]
    y = affine([Fraction(s) for s in sigma], W2, B2)
    assert [found[f"act:Y:{k}"] for k in (1, 2)] == [f"{float(v):.4f}" for v in y]
    assert read(found, "sum:Z1", 3) == [4, 3, -2]  # Z1 stays exact


def test_the_activation_and_its_parameters_are_named():
    text = SLIDE_TOML.replace('activation = "identity"', 'activation = "leaky_relu"\nparameters = { alpha = 0.2 }', 1)
    found = texts(diagram(Network.from_text(text), "ops"))
    assert found["label:1:1"] == "Σ: Z1 = X W1 + B1"
    assert found["label:1:2"] == "f: H1 = leaky_relu(Z1), alpha = 0.2"
    assert read(found, "act:H1", 3) == [4, 3, Fraction(-2) / 5]  # LeakyReLU(-2) = 0.2 · (-2)


def test_exact_writes_fractions():
    found = texts(diagram(level="ops", exact=True))
    assert found["weight:W1:2,2"] == "1/2" and found["bias:B2:2"] == "b = −1/2"


def test_a_batch_shows_the_example_it_draws():
    net = Network.from_text(SLIDE_TOML.replace(f"X = {printed(SLIDE['X'][0])}", "X = [[1, 2, 1], [0, 1, 0]]"))
    assert net.inputs.rows == 2
    first, second = texts(diagram(net, "layers")), texts(diagram(net, "layers", example=2))
    assert read(first, "value:H1", 3) == Z1
    assert read(second, "value:H1", 3) == affine([0, 1, 0], W1, B1) == [1, Fraction(1, 2), -1]
    assert "example 2 of 2 (row 2 of X)" in second.values()


# --------------------------------------------------------------------------- the picture


def square(n, m, seed):
    """An n × m matrix of small values of both signs, zero, and a fraction, without randomness."""
    values = ["-2", "-1", "-0.5", "0", "0.5", "1", '"1/3"', "1.5", "2"]
    rows = [[values[(seed + 3 * i + 5 * j + i * j) % len(values)] for j in range(m)] for i in range(n)]
    return "[" + ", ".join("[" + ", ".join(row) + "]" for row in rows) + "]"


def spec(sizes, activation):
    layers = "".join(
        f'[[layer]]\nW = {square(a, b, k)}\nB = [{", ".join(["0.5"] * b)}]\nactivation = "{activation}"\n'
        for k, (a, b) in enumerate(itertools.pairwise(sizes))
    )
    inputs = ", ".join(["1", "-2", "0.5", "3"][i % 4] for i in range(sizes[0]))
    return f"X = [{inputs}]\n{layers}"


NETWORKS = {
    "lecture": lambda: lecture_network(),
    "sigmoid": lambda: lecture_network().with_activations(hidden="sigmoid", output="softmax"),
    "8-8-8": lambda: Network.from_text(spec((8, 8, 8), "tanh")),
    "2-5-4-3-1": lambda: Network.from_text(spec((2, 5, 4, 3, 1), "relu")),
}


def extents(fig):
    """Every text's extent, every circle (centre, radius) and every cell's extent in pixels, drawn as the PNG is
    drawn."""
    fig.set_dpi(style.DPI)
    canvas = FigureCanvasAgg(fig)
    ax = fig.axes[0]
    with style.drawing(), matplotlib.rc_context(UNHINTED):
        canvas.draw()
        renderer = canvas.get_renderer()
        found = [(t.get_gid(), t.get_window_extent(renderer)) for t in ax.texts if t.get_text()]
        cells = [p.get_window_extent(renderer) for p in ax.patches if p.get_gid().startswith("cell:")]
    circles = [(ax.transData.transform(p.center), p.radius * style.DPI) for p in ax.patches if isinstance(p, Circle)]
    return fig.bbox, found, circles, cells


def corners(extent):
    return [(extent.x0, extent.y0), (extent.x0, extent.y1), (extent.x1, extent.y0), (extent.x1, extent.y1)]


def meets(extent, centre, radius):
    dx = max(extent.x0 - centre[0], 0, centre[0] - extent.x1)
    dy = max(extent.y0 - centre[1], 0, centre[1] - extent.y1)
    return math.hypot(dx, dy) < radius


INSIDE = ("value:", "sum:", "act:", "symbol:")  # texts written inside a neuron


@pytest.mark.parametrize("lang", ["en", "ko"])
@pytest.mark.parametrize("which", sorted(NETWORKS))
@pytest.mark.parametrize("level", LEVELS)
def test_nothing_overlaps(level, which, lang):
    """Every text inside the figure; no two texts touching; a neuron's (or a cell's) texts inside it, every other
    text off every neuron."""
    frame, found, circles, cells = extents(diagram(NETWORKS[which](), level, lang))
    assert found
    for gid, extent in found:
        assert frame.x0 <= extent.x0 and extent.x1 <= frame.x1 and frame.y0 <= extent.y0 and extent.y1 <= frame.y1, gid
    for (a, ea), (b, eb) in itertools.combinations(found, 2):
        assert not ea.overlaps(eb), f"{a} overlaps {b}"
    for gid, extent in found:
        middle = ((extent.x0 + extent.x1) / 2, (extent.y0 + extent.y1) / 2)
        if gid.startswith(INSIDE) and cells:
            cell = min(cells, key=lambda c: math.dist(middle, ((c.x0 + c.x1) / 2, (c.y0 + c.y1) / 2)))
            assert cell.x0 < extent.x0 and extent.x1 < cell.x1 and cell.y0 < extent.y0 and extent.y1 < cell.y1, gid
        elif gid.startswith(INSIDE):
            centre, radius = min(circles, key=lambda c: math.dist(c[0], middle))
            assert all(math.dist(point, centre) < radius for point in corners(extent)), gid
        else:
            assert not any(meets(extent, centre, radius) for centre, radius in circles), gid


def test_larger_networks_leave_out_what_does_not_fit_and_say_so():
    found = texts(diagram(NETWORKS["8-8-8"](), "ops"))
    written = sum(gid.startswith("weight:") for gid in found)
    assert 0 < written <= 128
    notes = [text for gid, text in found.items() if gid.startswith("legend:") and "weights not written" in text]
    assert notes == ([] if written == 128 else [f"{128 - written} of 128 weights not written: no room"])


def test_more_than_8_neurons_is_refused():
    net = Network.from_text(spec((3, 9, 2), "relu"))
    with pytest.raises(BadNetwork, match="layer 1 has 9 neurons: symdl diagram draws layers of at most 8"):
        diagram(net)


# --------------------------------------------------------------------------- TikZ


WRAPPER = r"""\documentclass{{standalone}}
\usepackage{{tikz}}
{packages}\begin{{document}}
\input{{{name}}}
\end{{document}}
"""


@pytest.mark.skipif(not TEX, reason="latexmk and pdflatex are not installed")
@pytest.mark.parametrize("lang", ["en", "ko"])
def test_tikz_compiles_in_a_minimal_document(tmp_path, lang):
    written = files(lecture_network(), formats=("tikz",), lang=lang)
    assert sorted(written) == ["network-data.tex", "network-layers.tex", "network-ops.tex"]
    for name, data in written.items():
        assert data.decode().count(r"\begin{tikzpicture}") == 1
        (tmp_path / name).write_bytes(data)
        packages = "\\usepackage{amssymb}\n" + ("\\usepackage{kotex}\n" if lang == "ko" else "")
        stem = f"wrap-{name.removesuffix('.tex')}"
        log = compile_pdf(tmp_path, stem, WRAPPER.format(packages=packages, name=name))
        assert "Overfull" not in log
        pdf = text_of(tmp_path / f"{stem}.pdf")
        assert ("입력층" if lang == "ko" else "Input Layer") in pdf
        if name == "network-ops.tex":
            flat = pdf.replace(" ", "")  # pdftotext guesses the spaces around "="
            assert "Σ" in flat and "−2" in flat and "b=−0.5" in flat  # TeX's minus, and Z1's and B2's values


@pytest.mark.skipif(not TEX, reason="latexmk and pdflatex are not installed")
def test_tikz_compiles_with_tikz_alone(tmp_path):
    """Without amssymb a bold R stands in for ℝ: the picture still compiles."""
    (tmp_path / "network-ops.tex").write_bytes(files(lecture_network(), ("ops",), ("tikz",))["network-ops.tex"])
    compile_pdf(tmp_path, "bare", WRAPPER.format(packages="", name="network-ops.tex"))


# --------------------------------------------------------------------------- files and the command


def test_the_same_bytes_on_every_run():
    first = files(lecture_network(), formats=("tikz", "svg", "pdf"))
    assert files(lecture_network(), formats=("tikz", "svg", "pdf")) == first
    script = (  # another process: no state (ids, hash salts, dates) carries the difference
        "import sys; from symdl.figures.diagram import files; from symdl.network.spec import lecture_network; "
        "out = files(lecture_network(), formats=('tikz', 'svg', 'pdf')); "
        "sys.stdout.write(repr(sorted((n, __import__('hashlib').sha256(d).hexdigest()) for n, d in out.items())))"
    )
    other = subprocess.run([sys.executable, "-c", script], capture_output=True, check=True, timeout=300, text=True)
    assert other.stdout == repr(sorted((n, hashlib.sha256(d).hexdigest()) for n, d in first.items()))


def test_command_writes_every_file(tmp_path, capsys):
    out = tmp_path / "figures"
    code, stdout, err = run_symdl(capsys, "diagram", "-o", out)
    assert code == 0 and err == "", err
    expected = [out / f"network-{level}.{ext}" for level in LEVELS for ext in ("tex", "png", "pdf")]
    assert stdout.split() == [str(p) for p in expected]
    assert sorted(out.iterdir()) == sorted(expected)
    for path in expected:
        if path.suffix == ".png":
            with Image.open(path) as image:
                assert min(image.info["dpi"]) >= 150
        elif path.suffix == ".pdf":
            assert path.read_bytes().startswith(b"%PDF")
    code, _, err = run_symdl(capsys, "diagram", "--level", "layers", "--format", "svg", "--lang", "ko", "-o", out)
    assert code == 0 and (out / "network-layers.svg").read_bytes().startswith(b"<?xml")


def test_command_reads_a_spec(tmp_path, capsys):
    config = tmp_path / "net.toml"
    config.write_text(spec((2, 5, 4, 3, 1), "relu"))
    code, stdout, err = run_symdl(capsys, "diagram", config, "--level", "data", "--format", "tikz", "-o", tmp_path)
    assert code == 0 and err == "" and stdout.split() == [str(tmp_path / "network-data.tex")]
    assert "Hidden Layer 3" in (tmp_path / "network-data.tex").read_text()


@pytest.mark.parametrize(
    "args, says",
    [
        (("--format", "tikz,jpg"), "'jpg' is not a figure format; choose from tikz, png, pdf, svg"),
        (("--hidden-activation", "nope"), "unknown activation 'nope'"),
        (("{big}",), "layer 1 has 9 neurons: symdl diagram draws layers of at most 8"),
    ],
)
def test_bad_input_is_one_line_exit_2_and_nothing_written(tmp_path, capsys, args, says):
    """Through the command's own entry point, as every CLI test here runs it (``run_symdl``): the SymdlError the
    library raises becomes one line on stderr and exit status 2."""
    big = tmp_path / "big.toml"
    big.write_text(spec((3, 9, 2), "relu"))
    out = tmp_path / "figures"
    code, stdout, err = run_symdl(capsys, "diagram", *(a.format(big=big) for a in args), "-o", out)
    assert code == 2 and says in err and err.count("\n") == 1 and err.startswith("symdl: ") and stdout == ""
    assert not out.exists()


def test_import_symdl_does_not_import_matplotlib():
    script = (
        "import sys, symdl; assert 'matplotlib' not in sys.modules; symdl.diagram; assert 'matplotlib' in sys.modules"
    )
    subprocess.run([sys.executable, "-c", script], check=True, timeout=300)
    assert symdl.diagram is diagram
