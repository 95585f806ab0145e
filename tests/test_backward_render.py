"""The whole flow on the board: the lecture's whole board (worked by hand from the slide), LaTeX lines, the
terminal report, JSON, the ``symdl backward`` command, and the document compiled by a real TeX installation
(skipped only where latexmk is absent).
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

import symdl
from symdl.network.backward import backpropagate
from symdl.render import backward as view
from symdl.render.blocks import Board
from symdl.render.latex import Tex
from tests.conftest import TEX, compile_pdf, run_symdl, text_of

ROOT = Path(__file__).resolve().parent.parent


def lecture(hidden=None, output=None, **changes):
    net = symdl.lecture_network().with_activations(hidden, output)
    return replace(net, **changes) if changes else net


@pytest.fixture(scope="module")
def identity():
    return backpropagate(lecture())


@pytest.fixture(scope="module")
def softmax():
    return backpropagate(lecture("sigmoid", "softmax", loss="cross_entropy"))


def board(result, b=None):
    return view.body(result, b or Board()).replace("\n", " ")


# --------------------------------------------------------------------------- the board, whole


# The whole flow for the lecture's network against T = [1, 0] (MSE), read through by hand: Y = [2, 1];
# L = ((2-1)^2 + (1-0)^2) / 2 = 1; δ2 = 2(Y - T)/2 = [1, 1]; ∂L/∂W2 = H1ᵀ δ2 = [[4, 4], [3, 3], [-2, -2]];
# δ1 = δ2 W2ᵀ = [1 + 0.5, -1 + 0.5, 0 + 1] = [1.5, -0.5, 1]; ∂L/∂W1 = Xᵀ δ1 (rows 1, 2, 1 times δ1);
# ∂L/∂w1_11 = (1·1 + 1·0.5)·1·1 = 1.5 = (∂L/∂W1)_11; W ← W - 0.01 ∂L/∂W entry by entry; the new forward pass
# gives Z2 = [1.56175, 0.59675], L = (0.56175² + 0.59675²)/2 = 5373389/16000000 ≈ 0.3358; ‖∇L‖² = 58 + 2 + 21
# + 3.5 = 84.5, so the first-order prediction is -0.845.
LECTURE_FLOW = [
    "# The whole flow",
    "",
    r"Forward pass $\to$ loss $\to$ backward pass $\to$ update. Row vectors, as in the lecture: $Z^{(l)} = H^{(l-1)} "
    r"W^{(l)} + B^{(l)}$, $H^{(l)} = f(Z^{(l)})$, $H^{(0)} = X$, and the last $H$ is $Y$. Layers: $3 \to 3 \to 2$; "
    r"activations: hidden identity ($\operatorname{id}$); output identity ($\operatorname{id}$).",
    "",
    "## Forward pass",
    "",
    "$$",
    r"\begin{aligned} X &= \begin{bmatrix} 1 & 2 & 1 \end{bmatrix} \\",
    r"Z^{(1)} &= \begin{bmatrix} 4 & 3 & -2 \end{bmatrix} \\",
    r"H^{(1)} &= \begin{bmatrix} 4 & 3 & -2 \end{bmatrix} \\",
    r"Z^{(2)} &= \begin{bmatrix} 2 & 1 \end{bmatrix} \\",
    r"Y &= \begin{bmatrix} 2 & 1 \end{bmatrix} \end{aligned}",
    "$$",
    "",
    "## Loss",
    "",
    r"$\operatorname{MSE}$ of one example over its $n = 2$ outputs, against the target $T$:",
    "",
    "$$",
    r"\ell = \operatorname{MSE}(y, t) = \frac{1}{n} \sum_{k=1}^{n} (y_k - t_k)^2",
    "$$",
    "",
    "$$",
    r"T = \begin{bmatrix} 1 & 0 \end{bmatrix}",
    "$$",
    "",
    "$$",
    r"L = \frac{1}{2}\bigl((2 - 1)^2 + (1 - 0)^2\bigr) = 1",
    "$$",
    "",
    r"## Output layer: $\delta^{(2)} = \partial L / \partial Z^{(2)}$",
    "",
    r"Output activation: identity ($\operatorname{id}$). The engine differentiates the loss and composes it with the "
    "derivative of the output activation, for one example:",
    "",
    "$$",
    r"\begin{aligned} \frac{\partial \ell}{\partial y_j} &= \frac{2(y_j - t_j)}{n} \\",
    r"\delta_j = \frac{\partial \ell}{\partial z_j} &= \frac{\partial \ell}{\partial y_j} \, f'(z_j) \\",
    r"&= \frac{2(y_j - t_j)}{n} \cdot 1 \\",
    r"&= \frac{2(y_j - t_j)}{n} \end{aligned}",
    "$$",
    "",
    "With the lecture's values:",
    "",
    "$$",
    r"\begin{aligned} \delta^{(2)}_1 &= \frac{2(2 - 1)}{2} = 1 \\",
    r"\delta^{(2)}_2 &= \frac{2(1 - 0)}{2} = 1 \\",
    r"\delta^{(2)} &= \begin{bmatrix} 1 & 1 \end{bmatrix} \end{aligned}",
    "$$",
    "",
    "## Backward pass, layer by layer",
    "",
    r"Each gradient is the layer's input transposed times its $\delta$; $\delta$ moves back through $W^\top$ and the "
    r"activation's derivative. The shape of each factor is written under it; $\mathbf{1}$ is a column of ones, one "
    "per example.",
    "",
    "$$",
    r"\begin{aligned} \frac{\partial L}{\partial W^{(2)}} &= \underbrace{H^{(1)\top}}_{3 \times 1} "
    r"\underbrace{\delta^{(2)}}_{1 \times 2} = \begin{bmatrix} 4 \\ 3 \\ -2 \end{bmatrix} \begin{bmatrix} 1 & 1 "
    r"\end{bmatrix} = \begin{bmatrix} 4 & 4 \\ 3 & 3 \\ -2 & -2 \end{bmatrix} \\",
    r"\frac{\partial L}{\partial B^{(2)}} &= \underbrace{\mathbf{1}^\top}_{1 \times 1} \underbrace{\delta^{(2)}}_{1 "
    r"\times 2} = \begin{bmatrix} 1 \end{bmatrix} \begin{bmatrix} 1 & 1 \end{bmatrix} = \begin{bmatrix} 1 & 1 "
    r"\end{bmatrix} \end{aligned}",
    "$$",
    "",
    "$$",
    r"\begin{aligned} \delta^{(1)} &= (\underbrace{\delta^{(2)}}_{1 \times 2} \underbrace{W^{(2)\top}}_{2 \times 3}) "
    r"\odot f'(Z^{(1)}), \quad f' = 1 \\",
    r"&= \delta^{(2)} W^{(2)\top} = \begin{bmatrix} 1 & 1 \end{bmatrix} \begin{bmatrix} 1 & -1 & 0 \\ 0.5 & 0.5 & 1 "
    r"\end{bmatrix} = \begin{bmatrix} 1.5 & -0.5 & 1 \end{bmatrix} \end{aligned}",
    "$$",
    "",
    "$$",
    r"\begin{aligned} \frac{\partial L}{\partial W^{(1)}} &= \underbrace{X^\top}_{3 \times 1} "
    r"\underbrace{\delta^{(1)}}_{1 \times 3} = \begin{bmatrix} 1 \\ 2 \\ 1 \end{bmatrix} \begin{bmatrix} 1.5 & -0.5 & "
    r"1 \end{bmatrix} = \begin{bmatrix} 1.5 & -0.5 & 1 \\ 3 & -1 & 2 \\ 1.5 & -0.5 & 1 \end{bmatrix} \\",
    r"\frac{\partial L}{\partial B^{(1)}} &= \underbrace{\mathbf{1}^\top}_{1 \times 1} \underbrace{\delta^{(1)}}_{1 "
    r"\times 3} = \begin{bmatrix} 1 \end{bmatrix} \begin{bmatrix} 1.5 & -0.5 & 1 \end{bmatrix} = \begin{bmatrix} 1.5 "
    r"& -0.5 & 1 \end{bmatrix} \end{aligned}",
    "$$",
    "",
    "## One weight by the chain rule",
    "",
    "The same numbers, one weight at a time, along every path from the weight to the loss:",
    "",
    "$$",
    r"\begin{aligned} \frac{\partial L}{\partial w^{(2)}_{11}} &= \frac{\partial L}{\partial z^{(2)}_1} "
    r"\frac{\partial z^{(2)}_1}{\partial w^{(2)}_{11}} = \delta^{(2)}_1 h_1 = 1 \cdot 4 = 4 \\",
    r"\frac{\partial L}{\partial w^{(1)}_{11}} &= \Bigl(\sum_k \delta^{(2)}_k w^{(2)}_{1k}\Bigr) f'(z^{(1)}_1) \, x_1 "
    r"= (\delta^{(2)}_1 w^{(2)}_{11} + \delta^{(2)}_2 w^{(2)}_{12}) \, f'(z^{(1)}_1) \, x_1 \\",
    r"&= (1 \cdot 1 + 1 \cdot 0.5) \cdot 1 \cdot 1 = 1.5 \end{aligned}",
    "$$",
    "",
    "## Update: one step of gradient descent",
    "",
    r"With learning rate $\eta = 0.01$, every weight moves against its gradient:",
    "",
    "$$",
    r"\begin{aligned} W^{(1)} &\leftarrow W^{(1)} - \eta \frac{\partial L}{\partial W^{(1)}} = \begin{bmatrix} 1 & 1 "
    r"& -1 \\ 1 & 0.5 & -1 \\ 1 & 1 & 1 \end{bmatrix} - 0.01 \begin{bmatrix} 1.5 & -0.5 & 1 \\ 3 & -1 & 2 \\ 1.5 & "
    r"-0.5 & 1 \end{bmatrix} = \begin{bmatrix} 0.985 & 1.005 & -1.01 \\ 0.97 & 0.51 & -1.02 \\ 0.985 & 1.005 & 0.99 "
    r"\end{bmatrix} \\",
    r"B^{(1)} &\leftarrow B^{(1)} - \eta \frac{\partial L}{\partial B^{(1)}} = \begin{bmatrix} 0 & 0 & 0 "
    r"\end{bmatrix} - 0.01 \begin{bmatrix} 1.5 & -0.5 & 1 \end{bmatrix} = \begin{bmatrix} -0.015 & 0.005 & -0.01 "
    r"\end{bmatrix} \\",
    r"W^{(2)} &\leftarrow W^{(2)} - \eta \frac{\partial L}{\partial W^{(2)}} = \begin{bmatrix} 1 & 0.5 \\ -1 & 0.5 \\ "
    r"0 & 1 \end{bmatrix} - 0.01 \begin{bmatrix} 4 & 4 \\ 3 & 3 \\ -2 & -2 \end{bmatrix} = \begin{bmatrix} 0.96 & "
    r"0.46 \\ -1.03 & 0.47 \\ 0.02 & 1.02 \end{bmatrix} \\",
    r"B^{(2)} &\leftarrow B^{(2)} - \eta \frac{\partial L}{\partial B^{(2)}} = \begin{bmatrix} 1 & -0.5 \end{bmatrix} "
    r"- 0.01 \begin{bmatrix} 1 & 1 \end{bmatrix} = \begin{bmatrix} 0.99 & -0.51 \end{bmatrix} \end{aligned}",
    "$$",
    "",
    "$$",
    r"L_{\text{before}} = 1, \qquad L_{\text{after}} = \frac{5373389}{16000000} \approx 0.3358",
    "$$",
    "",
    r"The loss went down by $0.6642$; the gradient predicts $-\eta \lVert \nabla L \rVert^2 = -0.8450$ for a small "
    "step.",
    "",
    "## Check",
    "",
    "Chain rule (exact) and direct differentiation of the expanded loss (exact): identical. NumPy float64 "
    "backpropagation against the exact gradients: largest relative difference $0$. Central finite differences of the "
    r"float64 loss against backpropagation: largest relative difference $2.4 \times 10^{-11}$.",
]


def test_lecture_backward_pass_on_the_board(identity):
    assert view.markdown(identity) == "\n".join(LECTURE_FLOW) + "\n"


# The classifier (sigmoid hidden, softmax output, cross-entropy against T = [1, 0]), every number checked by hand
# with mpmath against the slide's X, W1, B1, W2, B2: H1 = σ([4, 3, -2]) ≈ [0.9820, 0.9526, 0.1192], Z2 ≈ [1.0294,
# 0.5865], Y ≈ [0.6090, 0.3910], L = -log 0.6090 ≈ 0.4960; δ2 = Y - T; δ2 W2ᵀ ≈ [-0.1955, 0.5866, 0.3910], σ' ≈
# [0.0177, 0.0452, 0.1050], δ1 ≈ [-0.0035, 0.0265, 0.0411]; after one step L ≈ 0.4871 (first order -0.0090).
CLASSIFIER_FLOW = [
    "# The whole flow",
    "",
    r"Forward pass $\to$ loss $\to$ backward pass $\to$ update. Row vectors, as in the lecture: $Z^{(l)} = H^{(l-1)} "
    r"W^{(l)} + B^{(l)}$, $H^{(l)} = f(Z^{(l)})$, $H^{(0)} = X$, and the last $H$ is $Y$. Layers: $3 \to 3 \to 2$; "
    r"activations: hidden sigmoid ($\sigma$); output $\operatorname{softmax}$.",
    "",
    "## Forward pass",
    "",
    "$$",
    r"\begin{aligned} X &= \begin{bmatrix} 1 & 2 & 1 \end{bmatrix} \\",
    r"Z^{(1)} &= \begin{bmatrix} 4 & 3 & -2 \end{bmatrix} \\",
    r"H^{(1)} &= \begin{bmatrix} \sigma(4) & \sigma(3) & \sigma(-2) \end{bmatrix} \approx \begin{bmatrix} 0.9820 & "
    r"0.9526 & 0.1192 \end{bmatrix} \\",
    r"Z^{(2)} &\approx \begin{bmatrix} 1.0294 & 0.5865 \end{bmatrix} \\",
    r"Y &\approx \begin{bmatrix} 0.6090 & 0.3910 \end{bmatrix} \end{aligned}",
    "$$",
    "",
    "## Loss",
    "",
    r"$\operatorname{CE}$ of one example over its $n = 2$ outputs, against the target $T$:",
    "",
    "$$",
    r"\ell = \operatorname{CE}(y, t) = - \sum_{k=1}^{n} t_k \log y_k",
    "$$",
    "",
    "$$",
    r"T = \begin{bmatrix} 1 & 0 \end{bmatrix}",
    "$$",
    "",
    "$$",
    r"L \approx -(1 \cdot \log 0.6090 + 0 \cdot \log 0.3910) \approx 0.4960",
    "$$",
    "",
    r"## Output layer: $\delta^{(2)} = \partial L / \partial Z^{(2)}$",
    "",
    r"Output activation: $\operatorname{softmax}$. The engine differentiates the loss and composes it with the "
    "derivative of the output activation, for one example:",
    "",
    "$$",
    r"\begin{aligned} \frac{\partial \ell}{\partial y_j} &= -\frac{t_j}{y_j} \\",
    r"\delta_j = \frac{\partial \ell}{\partial z_j} &= \sum_i \frac{\partial \ell}{\partial y_i} \frac{\partial "
    r"y_i}{\partial z_j} \\",
    r"&= \sum_i \left(-\frac{t_i}{y_i}\right) \cdot y_i([i = j] - y_j) \\",
    r"&= \sum_i (t_i y_j - [i = j] t_i) \\",
    r"&= y_j \sum_i t_i - t_j \\",
    r"&= y_j - t_j \quad \text{(the targets sum to 1)} \end{aligned}",
    "$$",
    "",
    r"$[i = j]$ is 1 where $i = j$, else 0 (the Kronecker delta, written so as not to be taken for a $\delta$ of a "
    "layer).",
    "",
    "With the lecture's values:",
    "",
    "$$",
    r"\begin{aligned} \delta^{(2)}_1 &\approx 0.6090 - 1 \approx -0.3910 \\",
    r"\delta^{(2)}_2 &\approx 0.3910 - 0 \approx 0.3910 \\",
    r"\delta^{(2)} &\approx \begin{bmatrix} -0.3910 & 0.3910 \end{bmatrix} \end{aligned}",
    "$$",
    "",
    "## Backward pass, layer by layer",
    "",
    r"Each gradient is the layer's input transposed times its $\delta$; $\delta$ moves back through $W^\top$ and the "
    r"activation's derivative. The shape of each factor is written under it; $\mathbf{1}$ is a column of ones, one "
    "per example.",
    "",
    "$$",
    r"\begin{aligned} \frac{\partial L}{\partial W^{(2)}} &= \underbrace{H^{(1)\top}}_{3 \times 1} "
    r"\underbrace{\delta^{(2)}}_{1 \times 2} \approx \begin{bmatrix} -0.3840 & 0.3840 \\ -0.3725 & 0.3725 \\ -0.0466 "
    r"& 0.0466 \end{bmatrix} \\",
    r"\frac{\partial L}{\partial B^{(2)}} &= \underbrace{\mathbf{1}^\top}_{1 \times 1} \underbrace{\delta^{(2)}}_{1 "
    r"\times 2} \approx \begin{bmatrix} -0.3910 & 0.3910 \end{bmatrix} \end{aligned}",
    "$$",
    "",
    r"The derivative of sigmoid ($\sigma$) in terms of its own output: $h(1 - h)$, so",
    "",
    "$$",
    r"\begin{aligned} \sigma'(Z^{(1)}) &= H^{(1)} \odot \bigl(1 - H^{(1)}\bigr) \\",
    r"&= \begin{bmatrix} \sigma(4)\bigl(1 - \sigma(4)\bigr) & \sigma(3)\bigl(1 - \sigma(3)\bigr) & \sigma(-2)\bigl(1 "
    r"- \sigma(-2)\bigr) \end{bmatrix} \\",
    r"&\approx \begin{bmatrix} 0.0177 & 0.0452 & 0.1050 \end{bmatrix} \\",
    r"\delta^{(1)} &= (\underbrace{\delta^{(2)}}_{1 \times 2} \underbrace{W^{(2)\top}}_{2 \times 3}) \odot "
    r"\sigma'(Z^{(1)}) \\",
    r"&\approx \begin{bmatrix} -0.1955 & 0.5866 & 0.3910 \end{bmatrix} \odot \begin{bmatrix} 0.0177 & 0.0452 & 0.1050 "
    r"\end{bmatrix} \\",
    r"&\approx \begin{bmatrix} -0.0035 & 0.0265 & 0.0411 \end{bmatrix} \end{aligned}",
    "$$",
    "",
    "$$",
    r"\begin{aligned} \frac{\partial L}{\partial W^{(1)}} &= \underbrace{X^\top}_{3 \times 1} "
    r"\underbrace{\delta^{(1)}}_{1 \times 3} \approx \begin{bmatrix} -0.0035 & 0.0265 & 0.0411 \\ -0.0069 & 0.0530 & "
    r"0.0821 \\ -0.0035 & 0.0265 & 0.0411 \end{bmatrix} \\",
    r"\frac{\partial L}{\partial B^{(1)}} &= \underbrace{\mathbf{1}^\top}_{1 \times 1} \underbrace{\delta^{(1)}}_{1 "
    r"\times 3} \approx \begin{bmatrix} -0.0035 & 0.0265 & 0.0411 \end{bmatrix} \end{aligned}",
    "$$",
    "",
    "## One weight by the chain rule",
    "",
    "The same numbers, one weight at a time, along every path from the weight to the loss:",
    "",
    "$$",
    r"\begin{aligned} \frac{\partial L}{\partial w^{(2)}_{11}} &= \frac{\partial L}{\partial z^{(2)}_1} "
    r"\frac{\partial z^{(2)}_1}{\partial w^{(2)}_{11}} = \delta^{(2)}_1 h_1 \approx (-0.3910) \cdot \sigma(4) \approx "
    r"-0.3840 \\",
    r"\frac{\partial L}{\partial w^{(1)}_{11}} &= \Bigl(\sum_k \delta^{(2)}_k w^{(2)}_{1k}\Bigr) \sigma'(z^{(1)}_1) "
    r"\, x_1 = (\delta^{(2)}_1 w^{(2)}_{11} + \delta^{(2)}_2 w^{(2)}_{12}) \, \sigma'(z^{(1)}_1) \, x_1 \\",
    r"&\approx ((-0.3910) \cdot 1 + 0.3910 \cdot 0.5) \cdot \sigma(4)\bigl(1 - \sigma(4)\bigr) \cdot 1 \approx "
    r"-0.0035 \end{aligned}",
    "$$",
    "",
    "## Update: one step of gradient descent",
    "",
    r"With learning rate $\eta = 0.01$, every weight moves against its gradient:",
    "",
    "$$",
    r"\begin{aligned} W^{(1)} &\leftarrow W^{(1)} - \eta \frac{\partial L}{\partial W^{(1)}} \approx \begin{bmatrix} "
    r"1.0000 & 0.9997 & -1.0004 \\ 1.0001 & 0.4995 & -1.0008 \\ 1.0000 & 0.9997 & 0.9996 \end{bmatrix} \\",
    r"B^{(1)} &\leftarrow B^{(1)} - \eta \frac{\partial L}{\partial B^{(1)}} \approx \begin{bmatrix} 3.453 \times "
    r"10^{-5} & -2.650 \times 10^{-4} & -4.106 \times 10^{-4} \end{bmatrix} \\",
    r"W^{(2)} &\leftarrow W^{(2)} - \eta \frac{\partial L}{\partial W^{(2)}} \approx \begin{bmatrix} 1.0038 & 0.4962 "
    r"\\ -0.9963 & 0.4963 \\ 4.661 \times 10^{-4} & 0.9995 \end{bmatrix} \\",
    r"B^{(2)} &\leftarrow B^{(2)} - \eta \frac{\partial L}{\partial B^{(2)}} \approx \begin{bmatrix} 1.0039 & -0.5039 "
    r"\end{bmatrix} \end{aligned}",
    "$$",
    "",
    "$$",
    r"L_{\text{before}} \approx 0.4960, \qquad L_{\text{after}} \approx 0.4871",
    "$$",
    "",
    r"The loss went down by $0.0089$; the gradient predicts $-\eta \lVert \nabla L \rVert^2 = -0.0090$ for a small "
    "step.",
    "",
    "## Check",
    "",
    "Chain rule (exact) and direct differentiation of the expanded loss (exact): equal (their difference is exactly "
    r"0). NumPy float64 backpropagation against the exact gradients: largest relative difference $4.3 \times "
    "10^{-16}$. Central finite differences of the float64 loss against backpropagation: largest relative difference "
    r"$3.9 \times 10^{-10}$.",
    "",
    "Exact values too long to print are given to 4 places; the JSON output holds them up to its size limit.",
]


def test_softmax_cross_entropy_on_the_board(softmax):
    assert view.markdown(softmax) == "\n".join(CLASSIFIER_FLOW) + "\n"


def test_values_to_four_places(softmax):
    """Y = softmax(Z2) and δ2 = Y - T, to 4 places, from mpmath on the slide's numbers here."""
    import mpmath

    s = [1 / (1 + mpmath.exp(-z)) for z in (4, 3, -2)]
    z2 = [s[0] - s[1] + 1, s[0] / 2 + s[1] / 2 + s[2] - mpmath.mpf(1) / 2]
    y1 = mpmath.exp(z2[0]) / (mpmath.exp(z2[0]) + mpmath.exp(z2[1]))
    text = board(softmax)
    assert rf"\delta^{{(2)}}_1 &\approx {float(y1):.4f} - 1 \approx {float(y1 - 1):.4f}" in text
    assert rf"L \approx -(1 \cdot \log {float(y1):.4f} + 0 \cdot \log {float(1 - y1):.4f}) \approx" in text


def test_other_outputs_and_activations():
    tanh = board(backpropagate(lecture("tanh")))
    assert r"\tanh'(Z^{(1)}) &= 1 - H^{(1)} \odot H^{(1)}" in tanh
    bce = board(backpropagate(lecture("sigmoid", "sigmoid", loss="bce")))
    assert r"&= \frac{y_j - t_j}{n}" in bce  # BCE through sigmoid, as the engine simplified it
    relu = board(backpropagate(lecture("relu")))
    assert r"\operatorname{ReLU}'(Z^{(1)}) &=" in relu and r"&= \begin{bmatrix} 1 & 1 & 0 \end{bmatrix}" in relu


def test_fractions_when_exact(identity):
    text = board(identity, Board(exact=True))
    assert r"\begin{bmatrix} \frac{3}{2} & -\frac{1}{2} & 1 \end{bmatrix}" in text and "0.5" not in text
    assert r"\frac{1}{100}" in text


def test_too_large_a_step_says_so():
    text = board(backpropagate(lecture(learning_rate="0.1")))
    assert r"The loss went UP by $8.3331$" in text
    assert r"With $\eta = 0.025$ the loss goes down (float64)." in text


def test_markdown_korean_and_notebook(identity):
    text = view.markdown(identity)
    assert text.startswith("# The whole flow\n")
    assert "## Backward pass, layer by layer" in text and "\\symdlshow" not in text
    ko = view.markdown(identity, Board(lang="ko"))
    assert ko.startswith("# 딥러닝 알고리즘의 전체 흐름\n") and "## 역전파 (층별 계산)" in ko
    assert "은닉층" in ko and "출력층" in ko
    worked = view.worked(identity)
    assert isinstance(worked, Tex) and worked.startswith(r"\begin{aligned}") and r"H^{(1)\top}" in worked
    assert (
        identity._repr_latex_().startswith("$\\displaystyle L = 1") and r"\frac{\partial L}" in identity._repr_latex_()
    )


def test_report(identity):
    lines = view.report(identity).splitlines()
    assert lines[0].startswith("backward pass (lecture01.toml): 3 → 3 → 2, activations identity, identity")
    at = lines.index("  dL/dW2 = H1^T delta2")
    assert (
        lines[at + 1] == "      = [[4, 4], [3, 3], [-2, -2]]" and lines[at + 2] == "      ≈ [[4, 4], [3, 3], [-2, -2]]"
    )
    assert "  W2 <- [[0.96, 0.46], [-1.03, 0.47], [0.02, 1.02]]" in lines
    assert any(line.startswith("  loss: 1 -> 0.3358368125, went down") for line in lines)
    assert lines[-1].startswith("check: chain rule and direct differentiation give identical exact gradients")


def test_data(softmax):
    d = view.data(softmax)
    assert d["loss"]["name"] == "cross_entropy" and d["loss"]["reduction"] == "mean over the examples"
    assert d["output_delta"][-1]["text"] == "-t_j + y_j" and d["output_delta"][-1]["rule"] == "targets"
    g = d["gradients"]["W2"]
    assert g["exact"][0][0].startswith("(") and "sigmoid(4)" in g["exact"][0][0]
    assert abs(g["numeric"][0][0] - g["exact_float"][0][0]) <= 2e-16 and len(g["finite_difference"]) == 3
    assert d["update"]["decreased"] is True and d["update"]["loss_after"]["exact"] is None
    assert d["check"]["agrees"] is True and d["check"]["chain_vs_direct"] in ("identical", "simplifies to 0")
    json.dumps(d)


# --------------------------------------------------------------------------- the command


def test_command_default(capsys):
    code, out, err = run_symdl(capsys, "backward")
    assert code == 0 and err == ""
    assert "  dL/dW1 = X^T delta1\n      = [[1.5, -0.5, 1], [3, -1, 2], [1.5, -0.5, 1]]" in out


@pytest.mark.parametrize(
    ("flags", "needed"),
    [
        (["--latex"], r"\documentclass"),
        (["--latex", "--exact"], r"\frac{3}{2}"),
        (["--markdown", "--lang", "ko"], "# 딥러닝 알고리즘의 전체 흐름"),
        (["--hidden-activation", "relu", "--target", "0, 1"], "  L  = 4"),  # Y = [2, 3]: ((2-0)^2 + (3-1)^2)/2
        (["--learning-rate", "1/10"], "went UP"),
    ],
)
def test_command_formats_and_overrides(capsys, flags, needed):
    code, out, _ = run_symdl(capsys, "backward", *flags)
    assert code == 0 and needed in out


def test_command_json_with_a_config(capsys):
    code, out, _ = run_symdl(
        capsys,
        "backward",
        ROOT / "examples" / "lecture01.toml",
        "--json",
        "--output-activation",
        "softmax",
        "--loss",
        "ce",
    )
    d = json.loads(out)
    assert code == 0 and d["source"].endswith("lecture01.toml") and d["activations"] == ["identity", "softmax"]
    assert d["check"]["agrees"] is True


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--loss", "bce"], "loss bce needs every output in (0, 1), but Y[1,1] = 2"),
        (["--loss", "mae"], "unknown loss 'mae'"),
        (["--target", "1, 0, 0"], "target is 1×3 but Y is 1×2"),
        (["--target", "1,,0"], "--target '1,,0': write numbers separated by commas"),
        (["--target", "1, 0; 1"], "every row needs the same number of entries"),
        (["--learning-rate", "-0.1"], "learning_rate is -1/10; it must be a positive number"),
        (["--json", "--latex"], "choose one of --json, --latex and --markdown"),
        (["no/such/net.toml"], "no such file"),
    ],
)
def test_bad_input_is_one_line_and_status_2(capsys, args, message):
    code, out, err = run_symdl(capsys, "backward", *args)
    assert code == 2 and out == "" and err.count("\n") == 1 and err.startswith("symdl: ") and message in err


def test_spec_without_target(capsys, tmp_path):
    path = tmp_path / "net.toml"
    path.write_text('X = [1]\n[[layer]]\nW = [[2]]\nB = [1]\nactivation = "identity"\n', encoding="utf-8")
    code, _, err = run_symdl(capsys, "backward", path)
    assert code == 2 and "no target; add target = [1, 0]" in err
    code, out, _ = run_symdl(capsys, "backward", path, "--target", "1")
    assert code == 0 and "  L  = 4" in out  # y = 2 * 1 + 1 = 3, (3 - 1)^2 = 4


def test_disagreement_exits_1(capsys, monkeypatch):
    import symdl.network.backward as backward

    right = backward._numeric

    def off(*args):
        deltas, gradients = right(*args)
        return deltas, [g + 1e-9 for g in gradients]

    monkeypatch.setattr(backward, "_numeric", off)
    code, out, err = run_symdl(capsys, "backward")
    assert code == 1 and "float64 backprop DIFFERS" in out and err.startswith("symdl: the gradients disagree")


# --------------------------------------------------------------------------- it compiles


@pytest.mark.skipif(not TEX, reason="latexmk and pdflatex are not installed")
@pytest.mark.parametrize(
    ("net", "lang", "heading"),
    [
        ({}, "en", "The whole flow"),
        ({"hidden": "sigmoid", "output": "softmax", "loss": "cross_entropy"}, "en", "One weight by the chain rule"),
        ({"hidden": "tanh", "output": "softmax", "loss": "cross_entropy"}, "ko", "역전파"),
    ],
)
def test_worked_backward_pass_compiles(tmp_path, net, lang, heading):
    changes = {"loss": net["loss"]} if "loss" in net else {}
    result = backpropagate(lecture(net.get("hidden"), net.get("output"), **changes))
    log = compile_pdf(tmp_path, "backward", view.document(result, Board(lang=lang)))
    assert "Overfull" not in log
    text = text_of(tmp_path / "backward.pdf")
    if text is not None:
        assert heading in text
