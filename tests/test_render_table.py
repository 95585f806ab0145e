"""The comparison table: cells as a textbook gives them, in LaTeX and in Markdown."""

from __future__ import annotations

import pytest

from symdl.render import table
from symdl.render.notation import Style

# (name, range, continuity, monotonic, f'(0), sup |f'|): textbook values at PyTorch's defaults;
# SELU's lambda * alpha = 1.0507... * 1.6732... = 1.7581 (Klambauer et al., 2017), to 4 digits.
TEXTBOOK = [
    ("sigmoid", r"(0, 1)", r"$C^\infty$", "increasing", r"\frac{1}{4}", r"\frac{1}{4}"),
    ("tanh", r"(-1, 1)", r"$C^\infty$", "increasing", "1", "1"),
    ("relu", r"[0, \infty)", "$C^0$", "non-decreasing", r"{0}^\dagger", "1"),
    ("leaky_relu", r"(-\infty, \infty)", "$C^0$", "increasing", r"{0.01}^\dagger", "1"),
    ("prelu", r"(-\infty, \infty)", "$C^0$", "increasing", r"{0.25}^\dagger", "1"),
    ("elu", r"(-1, \infty)", "$C^1$", "increasing", "1", "1"),
    ("selu", r"(-1.758, \infty)", "$C^0$", "increasing", r"{1.758}^\dagger", "1.758"),
    ("softmax", r"(0, 1)", r"$C^\infty$", "increasing", r"\frac{n \delta_{ij} - 1}{n^2}", r"\frac{1}{4}"),
    ("binary_step", r"\{0, 1\}", "discontinuous", "non-decreasing", r"{0}^\dagger", "0"),
    ("gelu", r"[-0.1700, \infty)", r"$C^\infty$", "no", r"\frac{1}{2}", "1.129"),
]


@pytest.mark.parametrize("name, rng, continuity, monotonic, at_zero, sup", TEXTBOOK, ids=[t[0] for t in TEXTBOOK])
def test_cells(name, rng, continuity, monotonic, at_zero, sup):
    row = table.row(name)
    assert (row.range, row.continuity, row.monotonic, row.slope_at_zero, row.sup) == (
        rng,
        continuity,
        monotonic,
        at_zero,
        sup,
    )


def test_formula_cells_are_the_slides():
    sigmoid, relu = table.rows(["sigmoid", "relu"])
    assert (sigmoid.f, sigmoid.df) == (r"\frac{1}{1 + e^{-x}}", r"\sigma(x)\bigl(1 - \sigma(x)\bigr)")
    assert relu.df == r"\begin{cases} 1 & \text{if } x > 0 \\ 0 & \text{if } x < 0 \end{cases}"


def test_korean_words():
    row = table.row("relu", Style(lang="ko"))
    assert row.monotonic == "비감소"
    assert "치역" in table.markdown(["relu"], Style(lang="ko"))


def test_markdown_table_shape():
    text = table.markdown(["sigmoid", "relu", "softsign"])
    lines = text.splitlines()
    header, rule, *body = lines[: lines.index("")]
    assert header.count("|") == rule.count("|") == 9
    assert len(body) == 3 and all(line.count("|") == 9 for line in body)  # no | inside a cell: |x| is \lvert x \rvert
    assert r"\lvert x \rvert" in text
    assert "not differentiable at 0" in text


def test_latex_longtable_and_slide_tabular():
    long = table.latex(["sigmoid", "relu"])
    assert long.startswith(r"\begin{longtable}") and r"\endhead" in long
    short = table.tabular(table.rows(["sigmoid"]), Style(), table.FORMULAS, long=False)
    assert short.startswith(r"\begin{tabular}{lll}")
