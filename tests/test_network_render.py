"""The worked forward pass: the lecture's whole board (worked by hand from the slide), LaTeX lines, the
terminal report, JSON, and the document compiled by a real TeX installation (skipped only where latexmk is absent).
"""

from __future__ import annotations

from pathlib import Path

import mpmath
import pytest

import symdl
from symdl.render import network as view
from symdl.render.blocks import Board
from symdl.render.latex import Tex
from tests.conftest import SLIDE, TEX, compile_pdf, printed, text_of

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def identity():
    return symdl.lecture_network().forward()


@pytest.fixture(scope="module")
def sigmoid():
    return symdl.lecture_network().with_activations(hidden="sigmoid").forward()


def latex_lines(result, board=None):
    return view.body(result, board or Board()).replace("\n", " ")


# --------------------------------------------------------------------------- the board, whole


# The lecture's network worked on the board, read through by hand against the slide ("선형함수"): X W1 =
# [1+2+1, 1+1+1, -1-2+1] = [4, 3, -2] = Z1 = H1 (B1 = 0, identity); H1 W2 = [4-3+0, 2+1.5-2] = [1, 1.5];
# + B2 = [2, 1] = Y; neuron by neuron the same sums; the general formula x_i w_ij + b_j, layer by layer.
LECTURE_BOARD = [
    "# Forward pass",
    "",
    "Row vectors, as in the lecture: $Z^{(l)} = H^{(l-1)} W^{(l)} + B^{(l)}$ and $H^{(l)} = f(Z^{(l)})$, with "
    r"$H^{(0)} = X$; the last $H$ is $Y$. Layers: $3 \to 3 \to 2$.",
    "",
    "$$",
    r"X = \begin{bmatrix} 1 & 2 & 1 \end{bmatrix}",
    "$$",
    "",
    "$$",
    r"W^{(1)} = \begin{bmatrix} 1 & 1 & -1 \\ 1 & 0.5 & -1 \\ 1 & 1 & 1 \end{bmatrix}, \qquad B^{(1)} = "
    r"\begin{bmatrix} 0 & 0 & 0 \end{bmatrix}",
    "$$",
    "",
    "$$",
    r"W^{(2)} = \begin{bmatrix} 1 & 0.5 \\ -1 & 0.5 \\ 0 & 1 \end{bmatrix}, \qquad B^{(2)} = \begin{bmatrix} 1 & -0.5 "
    r"\end{bmatrix}",
    "$$",
    "",
    "## Layer 1 (hidden layer)",
    "",
    "Activation: identity, so $H = Z$.",
    "",
    "$$",
    r"\begin{aligned} X W^{(1)} &= \begin{bmatrix} 1 & 2 & 1 \end{bmatrix} \begin{bmatrix} 1 & 1 & -1 \\ 1 & 0.5 & -1 "
    r"\\ 1 & 1 & 1 \end{bmatrix} = \begin{bmatrix} 4 & 3 & -2 \end{bmatrix} \\",
    r"Z^{(1)} &= X W^{(1)} + B^{(1)} = \begin{bmatrix} 4 & 3 & -2 \end{bmatrix} + \begin{bmatrix} 0 & 0 & 0 "
    r"\end{bmatrix} = \begin{bmatrix} 4 & 3 & -2 \end{bmatrix} \\",
    r"H^{(1)} &= Z^{(1)} = \begin{bmatrix} 4 & 3 & -2 \end{bmatrix} \end{aligned}",
    "$$",
    "",
    "Neuron by neuron:",
    "",
    "$$",
    r"\begin{aligned} z^{(1)}_1 &= 1 \cdot 1 + 2 \cdot 1 + 1 \cdot 1 = 4 \\",
    r"z^{(1)}_2 &= 1 \cdot 1 + 2 \cdot 0.5 + 1 \cdot 1 = 3 \\",
    r"z^{(1)}_3 &= 1 \cdot (-1) + 2 \cdot (-1) + 1 \cdot 1 = -2 \end{aligned}",
    "$$",
    "",
    "## Layer 2 (output layer)",
    "",
    "Activation: identity, so $Y = Z$.",
    "",
    "$$",
    r"\begin{aligned} H^{(1)} W^{(2)} &= \begin{bmatrix} 4 & 3 & -2 \end{bmatrix} \begin{bmatrix} 1 & 0.5 \\ -1 & 0.5 "
    r"\\ 0 & 1 \end{bmatrix} = \begin{bmatrix} 1 & 1.5 \end{bmatrix} \\",
    r"Z^{(2)} &= H^{(1)} W^{(2)} + B^{(2)} = \begin{bmatrix} 1 & 1.5 \end{bmatrix} + \begin{bmatrix} 1 & -0.5 "
    r"\end{bmatrix} = \begin{bmatrix} 2 & 1 \end{bmatrix} \\",
    r"Y &= Z^{(2)} = \begin{bmatrix} 2 & 1 \end{bmatrix} \end{aligned}",
    "$$",
    "",
    "Neuron by neuron:",
    "",
    "$$",
    r"\begin{aligned} z^{(2)}_1 &= 4 \cdot 1 + 3 \cdot (-1) + (-2) \cdot 0 + 1 = 2 \\",
    r"z^{(2)}_2 &= 4 \cdot 0.5 + 3 \cdot 0.5 + (-2) \cdot 1 - 0.5 = 1 \end{aligned}",
    "$$",
    "",
    "## The general formula",
    "",
    "Every input, weight and bias a symbol (one example):",
    "",
    "$$",
    r"\begin{aligned} h_1 &= x_1 w^{(1)}_{11} + x_2 w^{(1)}_{21} + x_3 w^{(1)}_{31} + b^{(1)}_1 \\",
    r"h_2 &= x_1 w^{(1)}_{12} + x_2 w^{(1)}_{22} + x_3 w^{(1)}_{32} + b^{(1)}_2 \\",
    r"h_3 &= x_1 w^{(1)}_{13} + x_2 w^{(1)}_{23} + x_3 w^{(1)}_{33} + b^{(1)}_3 \\",
    r"y_1 &= h_1 w^{(2)}_{11} + h_2 w^{(2)}_{21} + h_3 w^{(2)}_{31} + b^{(2)}_1 \\",
    r"y_2 &= h_1 w^{(2)}_{12} + h_2 w^{(2)}_{22} + h_3 w^{(2)}_{32} + b^{(2)}_2 \end{aligned}",
    "$$",
    "",
    "Put together:",
    "",
    "$$",
    r"\begin{aligned} y_1 &= \bigl(x_1 w^{(1)}_{11} + x_2 w^{(1)}_{21} + x_3 w^{(1)}_{31} + b^{(1)}_1\bigr) "
    r"w^{(2)}_{11} \\",
    r"&\quad + \bigl(x_1 w^{(1)}_{12} + x_2 w^{(1)}_{22} + x_3 w^{(1)}_{32} + b^{(1)}_2\bigr) w^{(2)}_{21} \\",
    r"&\quad + \bigl(x_1 w^{(1)}_{13} + x_2 w^{(1)}_{23} + x_3 w^{(1)}_{33} + b^{(1)}_3\bigr) w^{(2)}_{31} \\",
    r"&\quad + b^{(2)}_1 \end{aligned}",
    "$$",
    "",
    "$$",
    r"\begin{aligned} y_2 &= \bigl(x_1 w^{(1)}_{11} + x_2 w^{(1)}_{21} + x_3 w^{(1)}_{31} + b^{(1)}_1\bigr) "
    r"w^{(2)}_{12} \\",
    r"&\quad + \bigl(x_1 w^{(1)}_{12} + x_2 w^{(1)}_{22} + x_3 w^{(1)}_{32} + b^{(1)}_2\bigr) w^{(2)}_{22} \\",
    r"&\quad + \bigl(x_1 w^{(1)}_{13} + x_2 w^{(1)}_{23} + x_3 w^{(1)}_{33} + b^{(1)}_3\bigr) w^{(2)}_{32} \\",
    r"&\quad + b^{(2)}_2 \end{aligned}",
    "$$",
    "",
    "## Check",
    "",
    "Exact and NumPy float64 give the same numbers (0 ulp apart). The general formula with these values substituted "
    "is identical to the exact result.",
]


def test_lecture_forward_pass_on_the_board(identity):
    assert view.markdown(identity) == "\n".join(LECTURE_BOARD) + "\n"


def test_decimals_as_written_unless_exact(identity):
    board = latex_lines(identity)
    assert r"\frac{1}{2}" not in board and "0.5" in board
    exact = latex_lines(identity, Board(exact=True))
    assert r"1 & \frac{1}{2} & -1" in exact and r"\begin{bmatrix} 1 & \frac{3}{2} \end{bmatrix}" in exact
    assert "0.5" not in exact


def test_sigmoid_by_name_with_digits(sigmoid):
    board = latex_lines(sigmoid)
    s = [float(1 / (1 + mpmath.exp(-z))) for z in (4, 3, -2)]
    assert r"H^{(1)} &= \sigma(Z^{(1)}) = \begin{bmatrix} \sigma(4) & \sigma(3) & \sigma(-2) \end{bmatrix}" in board
    assert rf"&\approx \begin{{bmatrix}} {s[0]:.4f} & {s[1]:.4f} & {s[2]:.4f} \end{{bmatrix}}" in board
    z21 = s[0] - s[1] + 1
    assert (
        r"z^{(2)}_1 &= \sigma(4) \cdot 1 + \sigma(3) \cdot (-1) + \sigma(-2) \cdot 0 + 1 = \sigma(4) - \sigma(3) + 1"
        rf" \approx {z21:.4f}" in board
    )
    assert rf"h_1 &= \sigma(4) = \frac{{1}}{{e^{{-4}} + 1}} \approx {s[0]:.4f}" in board
    assert r"h_j &= \sigma(z^{(1)}_j), \quad j = 1, 2, 3" in board


def test_relu_entry_by_entry():
    board = latex_lines(symdl.lecture_network().with_activations(hidden="relu").forward())
    relu = r"\operatorname{ReLU}"
    assert (
        rf"H^{{(1)}} &= {relu}(Z^{{(1)}}) = \begin{{bmatrix}} {relu}(4) & {relu}(3) & {relu}(-2) \end{{bmatrix}}"
        r" = \begin{bmatrix} 4 & 3 & 0 \end{bmatrix}" in board
    )
    assert rf"h_3 &= {relu}(-2) = 0" in board


def test_parameters_are_stated():
    spec = (ROOT / "examples" / "lecture01.toml").read_text(encoding="utf-8")
    spec = spec.replace('activation = "identity"', 'activation = "leaky_relu"\nparameters = { alpha = 0.2 }', 1)
    board = latex_lines(symdl.Network.from_text(spec).forward())
    assert r"Parameters: $\alpha = 0.2$." in board
    assert r"h_3 &= \operatorname{LeakyReLU}(-2) = -0.4" in board  # max(0.2 * (-2), -2)
    selu = latex_lines(symdl.lecture_network().with_activations(hidden="selu").forward())
    assert "The lecture's SELU omits the scale" in selu


def test_fractions_in_sized_brackets():
    spec = (
        (ROOT / "examples" / "lecture01.toml").read_text(encoding="utf-8").replace("B = [0, 0, 0]", 'B = [0, 0, "1/3"]')
    )
    board = latex_lines(symdl.Network.from_text(spec).with_activations(hidden="sigmoid").forward(), Board())
    assert r"h_3 &= \sigma\left(-\frac{5}{3}\right)" in board  # -2 + 1/3
    assert r"\sigma\left(-\frac{5}{3}\right) \end{bmatrix}" in board


def test_markdown(identity):
    text = view.markdown(identity)
    assert text.startswith("# Forward pass\n")
    assert "## Layer 1 (hidden layer)" in text and "## Layer 2 (output layer)" in text
    assert "$$\n\\begin{aligned} X W^{(1)} &= " in text
    assert "\\symdlshow" not in text


def test_korean_headings(identity):
    text = view.markdown(identity, Board(lang="ko"))
    assert text.startswith("# 순전파 계산\n") and "## 1층 (은닉층)" in text and "## 2층 (출력층)" in text


def test_notebook_views(sigmoid):
    assert sigmoid._repr_latex_().startswith("$\\displaystyle ") and r"\sigma(4)" in sigmoid._repr_latex_()
    worked = view.worked(sigmoid)
    assert isinstance(worked, Tex) and worked.startswith(r"\begin{aligned}") and r"X W^{(1)}" in worked


def test_report(identity):
    text = view.report(identity)
    lines = text.splitlines()
    assert lines[0].startswith("network (lecture01.toml): 3 → 3 → 2, one example")
    assert any(line.startswith("  Z1 = X W1 + B1") and line.endswith("= [4, 3, -2]") for line in lines)
    assert any(line.startswith("  Y = identity(Z2)") and line.endswith("= [2, 1]") for line in lines)
    assert f"    W1 = {printed(SLIDE['W1'])}" in lines
    assert "  y_1 = h1_1*w2_11 + h1_2*w2_21 + h1_3*w2_31 + b2_1" in lines
    assert lines[-1].startswith("check: exact and float64 agree within 0 ulp")


def test_data(sigmoid):
    d = view.data(sigmoid)
    assert d["sizes"] == [3, 3, 2] and d["layers"][0]["activation"] == "sigmoid"
    assert d["forward"]["Z1"]["exact"] == [["4", "3", "-2"]]
    assert d["forward"]["H1"]["exact"] == [["sigmoid(4)", "sigmoid(3)", "sigmoid(-2)"]]
    assert d["forward"]["H1"]["exact_latex"][0][0] == r"\sigma(4)"
    expected = float(1 / (1 + mpmath.exp(-4)))
    assert d["forward"]["H1"]["exact_float"][0][0] == expected
    assert abs(d["forward"]["H1"]["numeric"][0][0] - expected) <= 2e-16
    assert d["check"]["agrees"] is True and d["check"]["general_vs_exact"] == "identical"


# --------------------------------------------------------------------------- it compiles


@pytest.mark.skipif(not TEX, reason="latexmk and pdflatex are not installed")
@pytest.mark.parametrize(
    ("hidden", "output", "lang", "heading"),
    [
        (None, None, "en", "Forward pass"),
        ("sigmoid", None, "en", "Neuron by neuron"),
        ("selu", "softmax", "ko", "순전파 계산"),
    ],
)
def test_worked_forward_pass_compiles(tmp_path, hidden, output, lang, heading):
    result = symdl.lecture_network().with_activations(hidden, output).forward()
    log = compile_pdf(tmp_path, "forward", view.document(result, Board(lang=lang)))
    assert "Overfull" not in log
    assert heading in text_of(tmp_path / "forward.pdf")


def test_built_in_copy_is_the_example():
    example = (ROOT / "examples" / "lecture01.toml").read_bytes()
    built_in = (ROOT / "symdl" / "data" / "lecture01.toml").read_bytes()
    assert example == built_in
