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
        "undefined_own": "undefined; symdl's convention",
        "not_differentiable": "not differentiable",
        "jump": r"\text{{jump from }} {left} \text{{ to }} {right}",
        # the value used where f' is undefined, by symdl.engine.conventions.Claim.kind (measured with torch {version})
        "claim.same": "PyTorch's value",
        "claim.differs": "symdl's convention; PyTorch ({torch}) gives",
        "claim.none": "symdl's convention; PyTorch has no derivative here",
        "claim.unknown": "symdl's convention",
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
        "kink_mark": r"$^\dagger$ not differentiable at 0: the value symdl uses (its working says if PyTorch agrees).",
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
        # the board views: the forward pass (forward.), the whole flow (backward.), both (pass.)
        "forward.title": "The lecture's network: forward pass",
        "forward.heading": "Forward pass",
        "forward.convention": (
            "Row vectors, as in the lecture: $Z^{{(l)}} = H^{{(l-1)}} W^{{(l)}} + B^{{(l)}}$ and "
            "$H^{{(l)}} = f(Z^{{(l)}})$, with $H^{{(0)}} = X$; the last $H$ is $Y$. Layers: {sizes}."
        ),
        "forward.batch": "$X$ holds {rows} examples, one per row; $B$ is added to every row.",
        "forward.hidden": "Layer {number} (hidden layer)",
        "forward.output": "Layer {number} (output layer)",
        "forward.activation": "Activation: {name}.",
        "forward.identity": "Activation: identity, so $H = Z$.",
        "forward.identity_output": "Activation: identity, so $Y = Z$.",
        "forward.parameters": "Parameters: {values}.",
        "forward.neurons": "Neuron by neuron:",
        "forward.example": "Example {row} (row {row} of $X$):",
        "forward.general": "The general formula",
        "forward.general_text": "Every input, weight and bias a symbol (one example):",
        "forward.together": "Put together:",
        "pass.check": "Check",
        "forward.ulps_same": "Exact and NumPy float64 give the same numbers (0 ulp apart).",
        "forward.ulps": "Exact and NumPy float64 agree within {ulps} ulp (at most {tolerance} allowed).",
        "forward.ulps_bad": "Exact and NumPy float64 DIFFER by {ulps} ulp at {where}.",
        "forward.identical": "The general formula with these values substituted is identical to the exact result.",
        "forward.simplifies to 0": "The general formula with these values substituted equals the exact result (SymPy).",
        "forward.equal to 40 digits": (
            "The general formula with these values substituted equals the exact result to 40 digits."
        ),
        "forward.differs": "The general formula with these values substituted DIFFERS from the exact result.",
        "backward.title": "The lecture's network: loss, backpropagation and one update",
        "backward.flow": "The whole flow",
        "backward.flow_text": (
            "Forward pass $\\to$ loss $\\to$ backward pass $\\to$ update. Row vectors, as in the lecture: "
            "$Z^{{(l)}} = H^{{(l-1)}} W^{{(l)}} + B^{{(l)}}$, $H^{{(l)}} = f(Z^{{(l)}})$, $H^{{(0)}} = X$, and the "
            "last $H$ is $Y$. Layers: {sizes}; activations: {activations}."
        ),
        "backward.forward": "Forward pass",
        "backward.hidden_layer": "hidden",
        "backward.output_layer": "output",
        "backward.loss": "Loss",
        "backward.loss_text": "{name} of one example over its $n = {n}$ outputs, against the target $T$:",
        "backward.batch": (
            "For the $m = {m}$ examples (rows of $X$) the loss is the mean: $L = \\frac{{1}}{{m}} \\sum_r \\ell_r$."
        ),
        "backward.output": "Output layer: $\\delta^{{({layer})}} = \\partial L / \\partial Z^{{({layer})}}$",
        "backward.output_text": (
            "Output activation: {activation}. The engine differentiates the loss and composes it with the "
            "derivative of the output activation, for one example:"
        ),
        "backward.output_batch": "For the batch, $\\delta^{{({layer})}}$ is divided by $m = {m}$ (the loss is a mean).",
        "backward.targets_sum": "the targets sum to 1",
        "backward.kronecker": (
            "$[i = j]$ is 1 where $i = j$, else 0 (the Kronecker delta, written so as not to be taken for "
            "a $\\delta$ of a layer)."
        ),
        "backward.values": "With the lecture's values:",
        "backward.backward": "Backward pass, layer by layer",
        "backward.backward_text": (
            "Each gradient is the layer's input transposed times its $\\delta$; $\\delta$ moves back through "
            "$W^\\top$ and the activation's derivative. The shape of each factor is written under it; "
            "$\\mathbf{1}$ is a column of ones, one per example."
        ),
        "backward.slope": "The derivative of {activation} in terms of its own output: ${rule}$, so",
        "backward.slope_z": "The derivative of {activation} has no form in its own output; it is taken at $Z$:",
        "backward.jacobian": "{activation} is a vector function: each row of $\\delta$ is multiplied by its Jacobian.",
        "backward.one_weight": "One weight by the chain rule",
        "backward.one_weight_text": (
            "The same numbers, one weight at a time, along every path from the weight to the loss:"
        ),
        "backward.update": "Update: one step of gradient descent",
        "backward.update_text": "With learning rate $\\eta = {eta}$, every weight moves against its gradient:",
        "backward.went_down": (
            "The loss went down by {drop}; the gradient predicts $-\\eta \\lVert \\nabla L \\rVert^2 = {first}$ "
            "for a small step."
        ),
        "backward.went_up": (
            "The loss went UP by {rise}: $\\eta$ is too large for this step "
            "(the gradient predicts $-\\eta \\lVert \\nabla L \\rVert^2 = {first}$ only for small steps)."
        ),
        "backward.smaller": "With $\\eta = {eta}$ the loss goes down (float64).",
        "backward.chain": "Chain rule (exact) and direct differentiation of the expanded loss (exact): {how}.",
        "backward.identical": "identical",
        "backward.simplifies to 0": "equal (their difference is exactly 0)",
        "backward.equal to 40 digits": "equal to 40 digits",
        "backward.differs": "they DIFFER",
        "backward.not computed": "not computed for a network this large",
        "backward.numeric": (
            "NumPy float64 backpropagation against the exact gradients: largest relative difference {error}."
        ),
        "backward.fd": (
            "Central finite differences of the float64 loss against backpropagation: "
            "largest relative difference {error}."
        ),
        "backward.fd_skipped": "Central finite differences skipped: {note}.",
        "backward.exact_long": (
            "Exact values too long to print are given to 4 places; the JSON output holds them up to its size limit."
        ),
        # the network pictures (symdl.figures.diagram): the lecture's "Input Layer ∈ ℝ³" labels
        "diagram.input": "Input Layer",
        "diagram.hidden": "Hidden Layer",
        "diagram.hidden_number": "Hidden Layer {number}",
        "diagram.output": "Output Layer",
        "diagram.example": "example {row} of {rows} (row {row} of X)",
        "diagram.width": "line width",
        "diagram.bias": "bias",
        "diagram.unwritten": "{count} of {total} weights not written: no room",
    },
    "ko": {
        "kind": "활성화 함수의 종류 - {name}",
        "working": "미분 계산",
        "table": "활성화 함수 비교",
        "title": "활성화 함수와 미분",
        "plot": "{name} 그래프",
        "undefined": "미분 불가; PyTorch의 값",
        "undefined_own": "미분 불가; symdl의 규약",
        "not_differentiable": "미분 불가",
        "jump": r"{left}\text{{에서 }} {right}\text{{(으)로 불연속}}",
        "claim.same": "PyTorch의 값",
        "claim.differs": "symdl의 규약; PyTorch({torch})의 값은",
        "claim.none": "symdl의 규약; PyTorch에는 여기서 미분이 없음",
        "claim.unknown": "symdl의 규약",
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
        "kink_mark": r"$^\dagger$ 0에서 미분 불가: symdl이 사용하는 값 (PyTorch와 같은지는 미분 계산에 적혀 있음).",
        "table_note": "매개변수는 PyTorch 기본값, 벡터 함수는 성분별. 소수는 유효숫자 4자리로 반올림.",
        "jacobian": "$n = 3$일 때:",
        "chain": "연쇄 법칙",
        "quotient": "몫의 미분법",
        "product": "곱의 미분법",
        "sum": "합의 미분법",
        "constant_rule": "상수배",
        # the board views: the forward pass (forward.), the whole flow (backward.), both (pass.)
        "forward.title": "강의의 네트워크: 순전파 계산",
        "forward.heading": "순전파 계산",
        "forward.convention": (
            "강의와 같이 행벡터로 씁니다: $Z^{{(l)}} = H^{{(l-1)}} W^{{(l)}} + B^{{(l)}}$, "
            "$H^{{(l)}} = f(Z^{{(l)}})$, $H^{{(0)}} = X$이고 마지막 $H$가 $Y$입니다. 층: {sizes}."
        ),
        "forward.batch": "$X$의 각 행이 하나의 예제입니다({rows}개); $B$는 모든 행에 더합니다.",
        "forward.hidden": "{number}층 (은닉층)",
        "forward.output": "{number}층 (출력층)",
        "forward.activation": "활성화 함수: {name}.",
        "forward.identity": "활성화 함수: 항등함수, 따라서 $H = Z$.",
        "forward.identity_output": "활성화 함수: 항등함수, 따라서 $Y = Z$.",
        "forward.parameters": "매개변수: {values}.",
        "forward.neurons": "뉴런별 계산:",
        "forward.example": "예제 {row} ($X$의 {row}행):",
        "forward.general": "일반식",
        "forward.general_text": "모든 입력, 가중치, 편향을 기호로 (예제 하나):",
        "forward.together": "한 식으로:",
        "pass.check": "검증",
        "forward.ulps_same": "정확한 계산과 NumPy float64의 결과가 같습니다 (0 ulp).",
        "forward.ulps": "정확한 계산과 NumPy float64의 차이는 {ulps} ulp 이내입니다 (허용 {tolerance} ulp).",
        "forward.ulps_bad": "정확한 계산과 NumPy float64가 {where}에서 {ulps} ulp 다릅니다.",
        "forward.identical": "일반식에 이 값들을 대입하면 정확한 결과와 똑같습니다.",
        "forward.simplifies to 0": "일반식에 이 값들을 대입하면 정확한 결과와 같습니다 (SymPy).",
        "forward.equal to 40 digits": "일반식에 이 값들을 대입하면 정확한 결과와 40자리까지 같습니다.",
        "forward.differs": "일반식에 이 값들을 대입한 값이 정확한 결과와 다릅니다.",
        "backward.title": "강의의 네트워크: 손실, 역전파, 한 번의 업데이트",
        "backward.flow": "딥러닝 알고리즘의 전체 흐름",
        "backward.flow_text": (
            "순전파 $\\to$ 손실 $\\to$ 역전파 $\\to$ 업데이트. 강의와 같이 행벡터로 씁니다: "
            "$Z^{{(l)}} = H^{{(l-1)}} W^{{(l)}} + B^{{(l)}}$, $H^{{(l)}} = f(Z^{{(l)}})$, $H^{{(0)}} = X$이고 "
            "마지막 $H$가 $Y$입니다. 층: {sizes}; 활성화 함수: {activations}."
        ),
        "backward.forward": "순전파",
        "backward.hidden_layer": "은닉층",
        "backward.output_layer": "출력층",
        "backward.loss": "손실 함수",
        "backward.loss_text": "예제 하나의 {name}, 출력 $n = {n}$개와 목표값 $T$:",
        "backward.batch": "예제 $m = {m}$개($X$의 행)의 손실은 평균입니다: $L = \\frac{{1}}{{m}} \\sum_r \\ell_r$.",
        "backward.output": "출력층: $\\delta^{{({layer})}} = \\partial L / \\partial Z^{{({layer})}}$",
        "backward.output_text": (
            "출력층 활성화 함수: {activation}. 엔진이 손실을 미분하고 출력층 활성화 함수의 미분과 "
            "합성합니다 (예제 하나):"
        ),
        "backward.output_batch": "배치에서는 $\\delta^{{({layer})}}$를 $m = {m}$으로 나눕니다 (손실이 평균이므로).",
        "backward.targets_sum": "목표값의 합은 1",
        "backward.kronecker": (
            "$[i = j]$는 $i = j$일 때 1, 아니면 0입니다 (크로네커 델타; 층의 $\\delta$와 구별하려고 이렇게 씁니다)."
        ),
        "backward.values": "강의의 값을 넣으면:",
        "backward.backward": "역전파 (층별 계산)",
        "backward.backward_text": (
            "각 기울기는 그 층의 입력의 전치와 $\\delta$의 곱입니다. $\\delta$는 $W^\\top$와 활성화 함수의 "
            "미분을 거쳐 뒤로 전달됩니다. 각 인수 아래에 행렬의 크기를 적었습니다. $\\mathbf{1}$은 예제마다 "
            "1인 열벡터입니다."
        ),
        "backward.slope": "{activation}의 미분을 자기 출력으로 쓰면 ${rule}$, 따라서",
        "backward.slope_z": "{activation}의 미분은 자기 출력으로 쓸 수 없어 $Z$에서 계산합니다:",
        "backward.jacobian": "{activation}는 벡터 함수이므로 $\\delta$의 각 행에 야코비 행렬을 곱합니다.",
        "backward.one_weight": "가중치 하나씩: 연쇄 법칙",
        "backward.one_weight_text": "같은 값을 가중치 하나씩, 가중치에서 손실까지의 모든 경로를 따라 계산하면:",
        "backward.update": "업데이트: 경사 하강법 한 걸음",
        "backward.update_text": "학습률 $\\eta = {eta}$로 모든 가중치를 기울기의 반대 방향으로 옮깁니다:",
        "backward.went_down": (
            "손실이 {drop}만큼 줄었습니다. 작은 걸음에서 기울기가 예측하는 변화는 "
            "$-\\eta \\lVert \\nabla L \\rVert^2 = {first}$입니다."
        ),
        "backward.went_up": (
            "손실이 {rise}만큼 늘었습니다: 이 걸음에는 $\\eta$가 너무 큽니다 "
            "($-\\eta \\lVert \\nabla L \\rVert^2 = {first}$는 작은 걸음에서만 맞습니다)."
        ),
        "backward.smaller": "$\\eta = {eta}$이면 손실이 줄어듭니다 (float64).",
        "backward.chain": "연쇄 법칙(정확한 계산)과 전개한 손실의 직접 미분(정확한 계산): {how}.",
        "backward.identical": "똑같습니다",
        "backward.simplifies to 0": "같습니다 (차이가 정확히 0)",
        "backward.equal to 40 digits": "40자리까지 같습니다",
        "backward.differs": "다릅니다",
        "backward.not computed": "이 크기의 네트워크에서는 계산하지 않았습니다",
        "backward.numeric": "NumPy float64 역전파와 정확한 기울기의 최대 상대 차이: {error}.",
        "backward.fd": "float64 손실의 중앙 차분과 역전파의 최대 상대 차이: {error}.",
        "backward.fd_skipped": "중앙 차분 생략: {note}.",
        "backward.exact_long": (
            "너무 긴 정확한 값은 소수 넷째 자리까지 적었습니다. JSON 출력에는 크기 제한까지 정확한 값이 있습니다."
        ),
        "diagram.input": "입력층",
        "diagram.hidden": "은닉층",
        "diagram.hidden_number": "은닉층 {number}",
        "diagram.output": "출력층",
        "diagram.example": "예제 {rows}개 중 {row}번째 (X의 {row}행)",
        "diagram.width": "선 굵기",
        "diagram.bias": "편향",
        "diagram.unwritten": "가중치 {total}개 중 {count}개는 자리가 없어 값을 적지 않음",
    },
}

# Where the lecture's form differs from the standard definition that symdl prints (derived from the declaration's
# ``lecture=``: ``symdl.engine.lecture.lecture_form``), said under the formulas so that no student copies the
# wrong formula.  {name} is the activation's title, {standard} the standard one with its references
# (the declaration's ``reference=``), every $...$ is printed from the derived difference.
LECTURE_WORDS: dict[str, dict[str, str]] = {
    "en": {
        "fixed": "The lecture's {name} fixes {fixed}, i.e. {where}; {standard} has the {parameter} {names}, "
        "default {values}.",
        "omitted": "The lecture's {name} omits the scale {omitted}; {standard} multiplies by it: {values}.",
        "where": "{expr} for {condition}",
        "standard": "the standard {name} ({source})",
        "standard_unsourced": "the standard {name}",
        "parameter": "parameter",
        "parameters": "parameters",
        "et_al": "et al.",
    },
    "ko": {
        "fixed": "강의 슬라이드의 {name}는 {fixed}로 고정되어 있습니다({where}). {standard}는 {parameter} {names}를 "
        "가지며 기본값은 {values}입니다.",
        "omitted": "강의 슬라이드의 {name}에는 스케일 {omitted}가 빠져 있습니다. {standard}는 {omitted}를 곱합니다: "
        "{values}.",
        "where": "{condition}에서 {expr}",
        "standard": "표준 {name}({source})",
        "standard_unsourced": "표준 {name}",
        "parameter": "매개변수",
        "parameters": "매개변수",
        "et_al": "외",
    },
}


def cited(reference: tuple[str, ...], lang: str) -> str:
    """A declaration's references as the notes cite them: "Klambauer et al., 2017; PyTorch" ("Klambauer 외, ...")."""
    return "; ".join(r.replace(" et al.", f" {LECTURE_WORDS[lang]['et_al']}") for r in reference)


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
