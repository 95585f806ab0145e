"""The words around the formulas, in English and in the lecture's Korean.

The Korean headings are the lecture's own ("활성화 함수의 종류 - Sigmoid", "미분 계산").
"""

from __future__ import annotations

import re

from symdl.catalog import Activation

WORDS: dict[str, dict[str, str]] = {
    "en": {
        "kind": "Activation functions - {name}",
        "working": "Working out the derivative",
        "table": "Activation functions compared",
        "title": "Activation functions and their derivatives",
        "plot": "plot of {name}",
        "undefined": "undefined; PyTorch's value",
        "not_differentiable": "not differentiable",
        "jump": r"\text{{jump from }} {left} \text{{ to }} {right}",
        "pytorch_value": "PyTorch's value",
        "only_if": "differentiable only if",
        "default": "PyTorch's default",
        "defaults": "PyTorch's defaults",
        "where": "where",
        "name": "name",
        "range": "range",
        "continuity": "continuity",
        "monotonic": "monotonic",
        "slope_at_zero": "$f'(0)$",
        "sup": r"$\sup\lvert f'\rvert$",
        "discontinuous": "discontinuous",
        "not_in_time": "not found within the time limit",
        "increasing": "increasing",
        "non-decreasing": "non-decreasing",
        "decreasing": "decreasing",
        "non-increasing": "non-increasing",
        "constant": "constant",
        "no": "no",
        "kink_mark": r"$^\dagger$ not differentiable at 0: the value PyTorch uses.",
        "table_note": (
            "Properties at PyTorch's default parameter values; vector functions per component. "
            "Decimals are rounded to 4 significant digits."
        ),
        "jacobian": "For $n = 3$:",
        "chain": "chain rule",
        "quotient": "quotient rule",
        "product": "product rule",
        "sum": "sum rule",
        "constant_rule": "constant factor",
    },
    "ko": {
        "kind": "활성화 함수의 종류 - {name}",
        "working": "미분 계산",
        "table": "활성화 함수 비교",
        "title": "활성화 함수와 미분",
        "plot": "{name} 그래프",
        "undefined": "미분 불가; PyTorch의 값",
        "not_differentiable": "미분 불가",
        "jump": r"{left}\text{{에서 }} {right}\text{{(으)로 불연속}}",
        "pytorch_value": "PyTorch의 값",
        "only_if": "미분 가능 조건:",
        "default": "PyTorch 기본값",
        "defaults": "PyTorch 기본값",
        "where": "여기서",
        "name": "이름",
        "range": "치역",
        "continuity": "연속성",
        "monotonic": "단조성",
        "slope_at_zero": "$f'(0)$",
        "sup": r"$\sup\lvert f'\rvert$",
        "discontinuous": "불연속",
        "not_in_time": "시간 제한 안에 찾지 못함",
        "increasing": "증가",
        "non-decreasing": "비감소",
        "decreasing": "감소",
        "non-increasing": "비증가",
        "constant": "상수",
        "no": "아니오",
        "kink_mark": r"$^\dagger$ 0에서 미분 불가: PyTorch가 사용하는 값.",
        "table_note": "매개변수는 PyTorch 기본값, 벡터 함수는 성분별. 소수는 유효숫자 4자리로 반올림.",
        "jacobian": "$n = 3$일 때:",
        "chain": "연쇄 법칙",
        "quotient": "몫의 미분법",
        "product": "곱의 미분법",
        "sum": "합의 미분법",
        "constant_rule": "상수배",
    },
}

# Where the lecture's slide differs from the standard definition that symdl prints: said on the slide,
# so that no student copies the wrong formula.  {values} is filled from the catalogue.
LECTURE_DIFFERS: dict[str, dict[str, str]] = {
    "elu": {
        "en": "The lecture's ELU fixes $\\alpha = 1$, i.e. $e^x - 1$ for $x < 0$; "
        "the standard ELU (PyTorch) has the parameter $\\alpha$, default {values}.",
        "ko": "강의 슬라이드의 ELU는 $\\alpha = 1$로 고정되어 있습니다($x < 0$에서 $e^x - 1$). "
        "표준 ELU(PyTorch)는 매개변수 $\\alpha$를 가지며 기본값은 {values}입니다.",
    },
    "selu": {
        "en": "The lecture's SELU omits the scale $\\lambda$; the standard SELU (Klambauer et al., 2017; "
        "PyTorch) multiplies by it: {values}.",
        "ko": "강의 슬라이드의 SELU에는 스케일 $\\lambda$가 빠져 있습니다. 표준 SELU(Klambauer 외, 2017; "
        "PyTorch)는 $\\lambda$를 곱합니다: {values}.",
    },
}


def words(lang: str) -> dict[str, str]:
    return WORDS[lang]


def title(act: Activation) -> str:
    """The name in a heading: the LaTeX name's word (ReLU, LeakyReLU, GELU (tanh)), else the catalogue
    name (Sigmoid, Binary step); a name printed as log of another is Log and that name (LogSigmoid)."""
    match = re.fullmatch(r"\\operatorname\{([A-Za-z0-9]+)\}(?:_\{\\?([A-Za-z]+)\})?", act.tex)
    if match and len(match.group(1)) > 2:
        word = match.group(1)
        return word[0].upper() + word[1:] + (f" ({match.group(2)})" if match.group(2) else "")
    if act.tex.startswith("\\log") and act.name.startswith("log") and len(act.name) > 4:
        return "Log" + act.name.removeprefix("log").lstrip("_").capitalize()
    return act.name.replace("_", " ").capitalize()


# The rule keys of symdl.engine.steps that are differentiation rules, with the word that names each.
RULE_WORDS: dict[str, str] = {
    "chain": "chain",
    "power": "chain",
    "quotient": "quotient",
    "product": "product",
    "sum": "sum",
    "constant": "constant_rule",
}
