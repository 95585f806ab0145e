"""The lecture's LaTeX: golden strings for the eight activations of the lecture, typed here and checked
by eye against the lecture's slides (seed/000), and every catalogue entry rendered in every format."""

from __future__ import annotations

import re

import pytest

import symdl
from symdl.catalog import CATALOGUE
from symdl.engine.steps import working
from symdl.errors import BadParameter
from symdl.render.formats import FORMATS, render
from symdl.render.latex import Tex, definition, derivative, jacobian_matrix, notes, worked
from symdl.render.notation import Style

DEFINITIONS = [
    ("sigmoid", r"\sigma(x) = \frac{1}{1 + e^{-x}}"),
    ("softmax", r"s_i = \operatorname{softmax}(x)_i = \frac{e^{x_i}}{\sum_j e^{x_j}}"),
    ("tanh", r"\tanh x = \frac{e^x - e^{-x}}{e^x + e^{-x}}"),
    ("relu", r"\operatorname{ReLU}(x) = \max(0, x)"),
    ("leaky_relu", r"\operatorname{LeakyReLU}(x) = \max(0.01x, x)"),
    ("prelu", r"\operatorname{PReLU}(x; \alpha) = \max(\alpha x, x)"),
    (
        "elu",
        r"\operatorname{ELU}(x; \alpha) = \begin{cases} x & \text{if } x > 0 \\ "
        r"\alpha(e^x - 1) & \text{if } x \le 0 \end{cases}",
    ),
    (
        "selu",
        r"\operatorname{SELU}(x; \lambda, \alpha) = \lambda \begin{cases} x & \text{if } x > 0 \\ "
        r"\alpha(e^x - 1) & \text{if } x \le 0 \end{cases}",
    ),
]

KINK = r"\text{ (undefined; PyTorch's value)}"
DERIVATIVES = [
    ("sigmoid", r"\sigma'(x) = \frac{e^{-x}}{(1 + e^{-x})^2} = \sigma(x)\bigl(1 - \sigma(x)\bigr)"),
    ("softmax", r"\frac{\partial s_i}{\partial x_j} = s_i(\delta_{ij} - s_j)"),
    ("tanh", r"\tanh'(x) = 1 - \tanh^2 x"),
    (
        "relu",
        r"\operatorname{ReLU}'(x) = \begin{cases} 1 & \text{if } x > 0 \\ 0 & \text{if } x < 0 \\ "
        rf"0 & \text{{if }} x = 0 {KINK} \end{{cases}}",
    ),
    (
        "leaky_relu",
        r"\operatorname{LeakyReLU}'(x) = \begin{cases} 1 & \text{if } x > 0 \\ 0.01 & \text{if } x < 0 \\ "
        rf"0.01 & \text{{if }} x = 0 {KINK} \end{{cases}}",
    ),
    (
        "prelu",
        r"\operatorname{PReLU}'(x) = \begin{cases} 1 & \text{if } x > 0 \\ \alpha & \text{if } x < 0 \\ "
        rf"\alpha & \text{{if }} x = 0 {KINK} \end{{cases}}",
    ),
    (
        "elu",
        r"\operatorname{ELU}'(x) = \begin{cases} 1 & \text{if } x > 0 \\ "
        r"\alpha e^x = \operatorname{ELU}(x) + \alpha & \text{if } x \le 0 \end{cases}",
    ),
    (
        "selu",
        r"\operatorname{SELU}'(x) = \begin{cases} \lambda & \text{if } x > 0 \\ "
        r"\alpha \lambda e^x = \operatorname{SELU}(x) + \alpha \lambda & \text{if } x < 0 \\ "
        rf"\alpha \lambda & \text{{if }} x = 0 {KINK} \end{{cases}}",
    ),
]


def aligned(*lines: str) -> str:
    return r"\begin{aligned} " + r" \\ ".join(lines) + r" \end{aligned}"


NOT_DIFFERENTIABLE = r"&& \text{not differentiable}"
PYTORCH = r"&& \text{PyTorch's value}"
WORKED = [
    (
        "sigmoid",
        aligned(
            r"\sigma'(x) &= \frac{d}{dx}(1 + e^{-x})^{-1}",
            r"&= -(1 + e^{-x})^{-2} \cdot (-e^{-x}) && \text{chain rule}",
            r"&= \frac{e^{-x}}{(1 + e^{-x})^2}",
            r"&= \frac{1}{1 + e^{-x}} \cdot \frac{e^{-x}}{1 + e^{-x}}",
            r"&= \frac{1}{1 + e^{-x}}\left(1 - \frac{1}{1 + e^{-x}}\right)",
            r"&= \sigma(x)\bigl(1 - \sigma(x)\bigr)",
        ),
    ),
    (
        "softmax",
        aligned(
            r"\frac{\partial s_i}{\partial x_j} &= \frac{\partial}{\partial x_j}\frac{e^{x_i}}{\sum_k e^{x_k}}",
            r"&= \frac{e^{x_i} \delta_{ij} \cdot \sum_k e^{x_k} - e^{x_i} e^{x_j}}{\left(\sum_k e^{x_k}\right)^2}"
            r" && \text{quotient rule}",
            r"&= \frac{e^{x_i}\left(\delta_{ij} - \frac{e^{x_j}}{\sum_k e^{x_k}}\right)}{\sum_k e^{x_k}}",
            r"&= \frac{e^{x_i}}{\sum_k e^{x_k}}\left(\delta_{ij} - \frac{e^{x_j}}{\sum_k e^{x_k}}\right)",
            r"&= s_i(\delta_{ij} - s_j)",
        ),
    ),
    (
        "tanh",
        aligned(
            r"\tanh'(x) &= \frac{d}{dx}\frac{e^x - e^{-x}}{e^x + e^{-x}}",
            r"&= \frac{(e^x + e^{-x})(e^x + e^{-x}) - (e^x - e^{-x})(e^x - e^{-x})}{(e^x + e^{-x})^2}"
            r" && \text{quotient rule}",
            r"&= 1 - \frac{(e^x - e^{-x})^2}{(e^x + e^{-x})^2}",
            r"&= 1 - \left(\frac{e^x - e^{-x}}{e^x + e^{-x}}\right)^2",
            r"&= 1 - \tanh^2 x",
        ),
    ),
    (
        "relu",
        aligned(
            r"\operatorname{ReLU}(x) &= \max(0, x) = "
            r"\begin{cases} x & \text{if } x > 0 \\ 0 & \text{if } x \le 0 \end{cases}",
            r"x > 0:\quad \operatorname{ReLU}'(x) &= \frac{d}{dx} x = 1",
            r"x < 0:\quad \operatorname{ReLU}'(x) &= \frac{d}{dx} 0 = 0",
            rf"x = 0:\quad & \operatorname{{ReLU}}'_-(0) = 0 \ne 1 = \operatorname{{ReLU}}'_+(0) {NOT_DIFFERENTIABLE}",
            rf"& \operatorname{{ReLU}}'(0) = 0 {PYTORCH}",
        ),
    ),
    (
        "leaky_relu",
        aligned(
            r"\operatorname{LeakyReLU}(x) &= \max(0.01x, x) = "
            r"\begin{cases} x & \text{if } x > 0 \\ 0.01x & \text{if } x \le 0 \end{cases}",
            r"x > 0:\quad \operatorname{LeakyReLU}'(x) &= \frac{d}{dx} x = 1",
            r"x < 0:\quad \operatorname{LeakyReLU}'(x) &= \frac{d}{dx}(0.01x) = 0.01 \frac{d}{dx} x = 0.01",
            r"x = 0:\quad & \operatorname{LeakyReLU}'_-(0) = 0.01 \ne 1 = \operatorname{LeakyReLU}'_+(0) "
            + NOT_DIFFERENTIABLE,
            rf"& \operatorname{{LeakyReLU}}'(0) = 0.01 {PYTORCH}",
        ),
    ),
    (
        "prelu",
        aligned(
            r"\operatorname{PReLU}(x; \alpha) &= \max(\alpha x, x) = "
            r"\begin{cases} x & \text{if } x > 0 \\ \alpha x & \text{if } x \le 0 \end{cases}",
            r"x > 0:\quad \operatorname{PReLU}'(x) &= \frac{d}{dx} x = 1",
            r"x < 0:\quad \operatorname{PReLU}'(x) &= \frac{d}{dx}(\alpha x) = \alpha \frac{d}{dx} x = \alpha",
            r"x = 0:\quad & \operatorname{PReLU}'_-(0) = \alpha \ne 1 = \operatorname{PReLU}'_+(0) "
            + NOT_DIFFERENTIABLE,
            rf"& \operatorname{{PReLU}}'(0) = \alpha {PYTORCH}",
        ),
    ),
    (
        "elu",
        aligned(
            r"x > 0:\quad \operatorname{ELU}'(x) &= \frac{d}{dx} x = 1",
            r"x \le 0:\quad \operatorname{ELU}'(x) &= \frac{d}{dx}\bigl(\alpha(e^x - 1)\bigr)",
            r"&= \alpha e^x && \text{constant factor}",
            r"&= \alpha(e^x - 1) + \alpha",
            r"&= \operatorname{ELU}(x) + \alpha",
            r"x = 0:\quad & \operatorname{ELU}'_-(0) = \alpha,\ \operatorname{ELU}'_+(0) = 1 "
            r"&& \text{differentiable only if } \alpha = 1",
            rf"& \operatorname{{ELU}}'(0) = \alpha {PYTORCH}",
        ),
    ),
    (
        "selu",
        aligned(
            r"\operatorname{SELU}(x; \lambda, \alpha) &= \lambda \begin{cases} x & \text{if } x > 0 \\ "
            r"\alpha(e^x - 1) & \text{if } x \le 0 \end{cases} = \begin{cases} \lambda x & \text{if } x > 0 \\ "
            r"\alpha \lambda(e^x - 1) & \text{if } x \le 0 \end{cases}",
            r"x > 0:\quad \operatorname{SELU}'(x) &= \frac{d}{dx}(\lambda x) = \lambda \frac{d}{dx} x = \lambda",
            r"x < 0:\quad \operatorname{SELU}'(x) &= \frac{d}{dx}\bigl(\alpha \lambda(e^x - 1)\bigr)",
            r"&= \alpha \lambda e^x && \text{constant factor}",
            r"&= \alpha \lambda(e^x - 1) + \alpha \lambda",
            r"&= \operatorname{SELU}(x) + \alpha \lambda",
            r"x = 0:\quad & \operatorname{SELU}'_-(0) = \alpha \lambda \ne \lambda = \operatorname{SELU}'_+(0) "
            + NOT_DIFFERENTIABLE,
            rf"& \operatorname{{SELU}}'(0) = \alpha \lambda {PYTORCH}",
        ),
    ),
]


@pytest.mark.parametrize("name, golden", DEFINITIONS, ids=[n for n, _ in DEFINITIONS])
def test_lecture_definitions(name, golden):
    assert definition(name) == golden


@pytest.mark.parametrize("name, golden", DERIVATIVES, ids=[n for n, _ in DERIVATIVES])
def test_lecture_derivatives(name, golden):
    assert derivative(name) == golden


@pytest.mark.parametrize("name, golden", WORKED, ids=[n for n, _ in WORKED])
def test_lecture_worked_derivations(name, golden):
    assert worked(name) == golden


def test_softmax_jacobian_for_three_outputs():
    assert jacobian_matrix("softmax") == (
        r"\frac{\partial s}{\partial x} = \begin{pmatrix} s_1(1 - s_1) & -s_1 s_2 & -s_1 s_3 \\ "
        r"-s_1 s_2 & s_2(1 - s_2) & -s_2 s_3 \\ -s_1 s_3 & -s_2 s_3 & s_3(1 - s_3) \end{pmatrix}"
    )


@pytest.mark.parametrize(
    "name, style, golden",
    [
        ("sigmoid", Style(variable="z"), r"\sigma(z) = \frac{1}{1 + e^{-z}}"),
        ("softmax", Style(variable="z"), r"s_i = \operatorname{softmax}(z)_i = \frac{e^{z_i}}{\sum_j e^{z_j}}"),
        ("leaky_relu", Style(cdot=True), r"\operatorname{LeakyReLU}(x) = \max(0.01 \cdot x, x)"),
        ("prelu", Style(parameters="values"), r"\operatorname{PReLU}(x) = \max(0.25x, x)"),
        ("leaky_relu", Style(parameters="symbolic"), r"\operatorname{LeakyReLU}(x; \alpha) = \max(\alpha x, x)"),
        (
            "elu",
            Style(parameters="values"),
            r"\operatorname{ELU}(x) = \begin{cases} x & \text{if } x > 0 \\ e^x - 1 & \text{if } x \le 0 \end{cases}",
        ),
        # SELU's 32-digit constants stay symbolic even when values are asked for; the note gives them.
        ("selu", Style(parameters="values"), DEFINITIONS[-1][1]),
    ],
)
def test_options(name, style, golden):
    assert definition(name, style) == golden


def test_parameter_values_from_the_user():
    # SymPy distributes a number over a sum: 0.5(e^x - 1) is held as 0.5e^x - 0.5.
    elu = definition("elu", Style(parameters="values"), {"alpha": "0.5"})
    assert elu.endswith(r"0.5e^x - 0.5 & \text{if } x \le 0 \end{cases}")
    assert notes("prelu", params={"alpha": "0.2"}) == [r"where $\alpha = 0.2$."]


def test_lecture_differences_are_said():
    (selu,) = notes("selu")
    assert "omits the scale $\\lambda$" in selu
    # Klambauer et al. (2017), as PyTorch's SELU: the standard constants, exactly.
    assert r"$\lambda = 1.0507009873554804934193349852946$" in selu
    assert r"$\alpha = 1.6732632423543772848170429916717$" in selu
    elu = notes("elu")
    assert any("fixes $\\alpha = 1$" in line for line in elu)
    (ko,) = notes("selu", Style(lang="ko"))
    assert "빠져 있습니다" in ko and "1.0507009873554804934193349852946" in ko


def test_notes_give_symbolic_parameters_their_values():
    assert notes("prelu") == [r"where $\alpha = 0.25$ (PyTorch's default)."]
    assert notes("hardtanh") == [r"where $x_{\min} = -1, x_{\max} = 1$ (PyTorch's defaults)."]
    assert notes("sigmoid") == []


def test_korean_headings_are_the_lecture_s():
    text = render(["sigmoid", "leaky_relu"], "markdown", Style(lang="ko"))
    assert text.startswith("# 활성화 함수의 종류 - Sigmoid\n\n$$\\sigma(x) = \\frac{1}{1 + e^{-x}}$$")
    assert "\n\n미분 계산\n\n$$\n\\begin{aligned}" in text
    assert "# 활성화 함수의 종류 - LeakyReLU" in text
    assert "미분 불가; PyTorch의 값" in text
    deck = render(["sigmoid"], "beamer", Style(lang="ko"))
    assert r"\usepackage{kotex}" in deck and r"\begin{frame}[t]{활성화 함수의 종류 - Sigmoid}" in deck
    assert r"\usepackage{kotex}" not in render(["sigmoid"], "beamer")


def test_notebook_display():
    shown = definition("sigmoid")
    assert isinstance(shown, Tex)
    assert shown._repr_latex_() == r"$\displaystyle \sigma(x) = \frac{1}{1 + e^{-x}}$"
    assert working("relu")._repr_latex_().startswith("$\\displaystyle \\begin{aligned}")
    assert symdl.activation("relu")._repr_latex_().startswith("$")


def test_bad_style_is_one_clear_error():
    with pytest.raises(BadParameter, match="variable 'w' is not one of x, z"):
        Style(variable="w")
    with pytest.raises(BadParameter, match="language"):
        Style(lang="fr")


def balanced(text: str) -> bool:
    opened = re.findall(r"\\begin\{(\w+)\}", text)
    closed = re.findall(r"\\end\{(\w+)\}", text)
    return sorted(opened) == sorted(closed) and text.count("{") == text.count("}")


@pytest.mark.parametrize("fmt", sorted(FORMATS))
@pytest.mark.parametrize("name", [a.name for a in CATALOGUE])
def test_every_entry_renders_in_every_format(name, fmt):
    text = render([name], fmt)
    assert str(definition(name)) in text
    assert str(derivative(name)) in text
    if fmt != "markdown":
        assert balanced(text)
    else:
        assert text.count("$$") % 2 == 0


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_only_the_table(fmt):
    text = render(["sigmoid", "relu"], fmt, only_table=True)
    assert "Sigmoid" in text and "ReLU" in text and r"\frac{d}{dx}" not in text


def test_a_name_of_several_symbols_is_bracketed_before_its_prime():
    # log sigma' would read as log(sigma'); the derivative of log sigma is (log sigma)'.
    assert symdl.derive("logsigmoid")._repr_latex_().startswith(r"$\displaystyle (\log\sigma)'(x) = ")
    assert symdl.derive("sigmoid")._repr_latex_().startswith(r"$\displaystyle \sigma'(x) = ")
    assert symdl.derive("relu")._repr_latex_().startswith(r"$\displaystyle \operatorname{ReLU}'(x) = ")


def test_headings_use_the_names_lecturers_and_pytorch_use():
    from symdl.render.words import title

    expected = {
        "sigmoid": "Sigmoid",
        "leaky_relu": "LeakyReLU",
        "selu": "SELU",
        "gelu_tanh": "GELU (tanh)",
        "logsigmoid": "LogSigmoid",
        "log_softmax": "LogSoftmax",
        "binary_step": "Binary step",
    }
    assert {name: title(symdl.activation(name)) for name in expected} == expected
