"""The whole flow worked as on the board: forward → loss → backward → update, in LaTeX, Markdown, the terminal
and JSON.

What a lecturer writes: the loss and its value; the engine's derivation of the output layer's δ (the
Jacobian steps by which cross-entropy through softmax becomes y − t); then layer by layer
``∂L/∂W = H_prevᵀ δ``, ``∂L/∂B = 1ᵀ δ`` and ``δ_prev = (δ Wᵀ) ⊙ f'(Z_prev)`` with every factor's shape
under it and the values multiplied out; one weight by the chain rule along its paths; the update and
the loss before and after; the check of the three computations.  Everything printed comes from
``symdl.network.backward.Backward``; the views only arrange it.  Exact entries are printed where they are short
(and followed by their value to 4 places where not rational), else only the value.

The blocks (heading, math, text) and the article/Markdown formatting are the forward view's
(``symdl.render.network``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from sympy import Add, Expr, ImmutableMatrix, KroneckerDelta, Mul, Piecewise, Rational, S, Symbol, log

from symdl.catalog import Activation, j, k, n
from symdl.engine.calculus import derive, y, ys
from symdl.network.backward import Backward, Gradient
from symdl.network.losses import gradient, parts, zs
from symdl.network.losses import t as targets
from symdl.render import network as forward_view
from symdl.render import templates
from symdl.render.latex import Tex
from symdl.render.network import (
    Block,
    Board,
    _aligned,
    _approx,
    _decimals,
    _digits,
    _float,
    _float_text,
    _is_rational,
    _Names,
    _Plain,
    as_latex,
    as_markdown,
)
from symdl.render.printer import LecturePrinter, bracket, decimal

BOARD = Board()  # decimals as in the lecture, English
SHORT = 40  # an exact entry is printed if its LaTeX has at most this many characters, else only its value

WORDS: dict[str, dict[str, str]] = {
    "en": {
        "title": "The lecture's network: loss, backpropagation and one update",
        "flow": "The whole flow",
        "flow_text": (
            "Forward pass $\\to$ loss $\\to$ backward pass $\\to$ update. Row vectors, as in the lecture: "
            "$Z^{{(l)}} = H^{{(l-1)}} W^{{(l)}} + B^{{(l)}}$, $H^{{(l)}} = f(Z^{{(l)}})$, $H^{{(0)}} = X$, and the "
            "last $H$ is $Y$. Layers: {sizes}; activations: {activations}."
        ),
        "forward": "Forward pass",
        "hidden_layer": "hidden",
        "output_layer": "output",
        "loss": "Loss",
        "loss_text": "{name} of one example over its $n = {n}$ outputs, against the target $T$:",
        "batch": (
            "For the $m = {m}$ examples (rows of $X$) the loss is the mean: $L = \\frac{{1}}{{m}} \\sum_r \\ell_r$."
        ),
        "output": "Output layer: $\\delta^{{({layer})}} = \\partial L / \\partial Z^{{({layer})}}$",
        "output_text": (
            "Output activation: {activation}. The engine differentiates the loss and composes it with the "
            "derivative of the output activation, for one example:"
        ),
        "output_batch": "For the batch, $\\delta^{{({layer})}}$ is divided by $m = {m}$ (the loss is a mean).",
        "targets_sum": "the targets sum to 1",
        "kronecker": (
            "$[i = j]$ is 1 where $i = j$, else 0 (the Kronecker delta, written so as not to be taken for "
            "a $\\delta$ of a layer)."
        ),
        "values": "With the lecture's values:",
        "backward": "Backward pass, layer by layer",
        "backward_text": (
            "Each gradient is the layer's input transposed times its $\\delta$; $\\delta$ moves back through "
            "$W^\\top$ and the activation's derivative. The shape of each factor is written under it; "
            "$\\mathbf{1}$ is a column of ones, one per example."
        ),
        "slope": "The derivative of {activation} in terms of its own output: ${rule}$, so",
        "slope_z": "The derivative of {activation} has no form in its own output; it is taken at $Z$:",
        "jacobian": "{activation} is a vector function: each row of $\\delta$ is multiplied by its Jacobian.",
        "one_weight": "One weight by the chain rule",
        "one_weight_text": "The same numbers, one weight at a time, along every path from the weight to the loss:",
        "update": "Update: one step of gradient descent",
        "update_text": "With learning rate $\\eta = {eta}$, every weight moves against its gradient:",
        "went_down": (
            "The loss went down by {drop}; the gradient predicts $-\\eta \\lVert \\nabla L \\rVert^2 = {first}$ "
            "for a small step."
        ),
        "went_up": (
            "The loss went UP by {rise}: $\\eta$ is too large for this step "
            "(the gradient predicts $-\\eta \\lVert \\nabla L \\rVert^2 = {first}$ only for small steps)."
        ),
        "smaller": "With $\\eta = {eta}$ the loss goes down (float64).",
        "check": "Check",
        "chain": "Chain rule (exact) and direct differentiation of the expanded loss (exact): {how}.",
        "identical": "identical",
        "simplifies to 0": "equal (their difference is exactly 0)",
        "equal to 40 digits": "equal to 40 digits",
        "differs": "they DIFFER",
        "not computed": "not computed for a network this large",
        "numeric": "NumPy float64 backpropagation against the exact gradients: largest relative difference {error}.",
        "fd": (
            "Central finite differences of the float64 loss against backpropagation: "
            "largest relative difference {error}."
        ),
        "fd_skipped": "Central finite differences skipped: {note}.",
        "exact_long": "Exact values too long to print are given to 4 places; the JSON output holds them all.",
    },
    "ko": {
        "title": "강의의 네트워크: 손실, 역전파, 한 번의 업데이트",
        "flow": "딥러닝 알고리즘의 전체 흐름",
        "flow_text": (
            "순전파 $\\to$ 손실 $\\to$ 역전파 $\\to$ 업데이트. 강의와 같이 행벡터로 씁니다: "
            "$Z^{{(l)}} = H^{{(l-1)}} W^{{(l)}} + B^{{(l)}}$, $H^{{(l)}} = f(Z^{{(l)}})$, $H^{{(0)}} = X$이고 "
            "마지막 $H$가 $Y$입니다. 층: {sizes}; 활성화 함수: {activations}."
        ),
        "forward": "순전파",
        "hidden_layer": "은닉층",
        "output_layer": "출력층",
        "loss": "손실 함수",
        "loss_text": "예제 하나의 {name}, 출력 $n = {n}$개와 목표값 $T$:",
        "batch": "예제 $m = {m}$개($X$의 행)의 손실은 평균입니다: $L = \\frac{{1}}{{m}} \\sum_r \\ell_r$.",
        "output": "출력층: $\\delta^{{({layer})}} = \\partial L / \\partial Z^{{({layer})}}$",
        "output_text": (
            "출력층 활성화 함수: {activation}. 엔진이 손실을 미분하고 출력층 활성화 함수의 미분과 "
            "합성합니다 (예제 하나):"
        ),
        "output_batch": "배치에서는 $\\delta^{{({layer})}}$를 $m = {m}$으로 나눕니다 (손실이 평균이므로).",
        "targets_sum": "목표값의 합은 1",
        "kronecker": (
            "$[i = j]$는 $i = j$일 때 1, 아니면 0입니다 (크로네커 델타; 층의 $\\delta$와 구별하려고 이렇게 씁니다)."
        ),
        "values": "강의의 값을 넣으면:",
        "backward": "역전파 (층별 계산)",
        "backward_text": (
            "각 기울기는 그 층의 입력의 전치와 $\\delta$의 곱입니다. $\\delta$는 $W^\\top$와 활성화 함수의 "
            "미분을 거쳐 뒤로 전달됩니다. 각 인수 아래에 행렬의 크기를 적었습니다. $\\mathbf{1}$은 예제마다 "
            "1인 열벡터입니다."
        ),
        "slope": "{activation}의 미분을 자기 출력으로 쓰면 ${rule}$, 따라서",
        "slope_z": "{activation}의 미분은 자기 출력으로 쓸 수 없어 $Z$에서 계산합니다:",
        "jacobian": "{activation}는 벡터 함수이므로 $\\delta$의 각 행에 야코비 행렬을 곱합니다.",
        "one_weight": "가중치 하나씩: 연쇄 법칙",
        "one_weight_text": "같은 값을 가중치 하나씩, 가중치에서 손실까지의 모든 경로를 따라 계산하면:",
        "update": "업데이트: 경사 하강법 한 걸음",
        "update_text": "학습률 $\\eta = {eta}$로 모든 가중치를 기울기의 반대 방향으로 옮깁니다:",
        "went_down": (
            "손실이 {drop}만큼 줄었습니다. 작은 걸음에서 기울기가 예측하는 변화는 "
            "$-\\eta \\lVert \\nabla L \\rVert^2 = {first}$입니다."
        ),
        "went_up": (
            "손실이 {rise}만큼 늘었습니다: 이 걸음에는 $\\eta$가 너무 큽니다 "
            "($-\\eta \\lVert \\nabla L \\rVert^2 = {first}$는 작은 걸음에서만 맞습니다)."
        ),
        "smaller": "$\\eta = {eta}$이면 손실이 줄어듭니다 (float64).",
        "check": "검증",
        "chain": "연쇄 법칙(정확한 계산)과 전개한 손실의 직접 미분(정확한 계산): {how}.",
        "identical": "똑같습니다",
        "simplifies to 0": "같습니다 (차이가 정확히 0)",
        "equal to 40 digits": "40자리까지 같습니다",
        "differs": "다릅니다",
        "not computed": "이 크기의 네트워크에서는 계산하지 않았습니다",
        "numeric": "NumPy float64 역전파와 정확한 기울기의 최대 상대 차이: {error}.",
        "fd": "float64 손실의 중앙 차분과 역전파의 최대 상대 차이: {error}.",
        "fd_skipped": "중앙 차분 생략: {note}.",
        "exact_long": "너무 긴 정확한 값은 소수 넷째 자리까지 적었습니다. 모든 정확한 값은 JSON 출력에 있습니다.",
    },
}


class _Printer(LecturePrinter):
    """The lecture's printer, with the Kronecker delta as Iverson's [i = j]: δ here is the layers' error signal."""

    def _print_KroneckerDelta(self, expr: Any, exp: Any = None) -> str:
        a, b = (self._print(arg) for arg in expr.args)
        return f"[{a} = {b}]"

    def _print_Mul(self, expr: Mul) -> str:
        """A logarithm after its factor, as written by hand: t_k log y_k, (1 - t_k) log(1 - y_k)."""
        logs = [f for f in expr.args if isinstance(f, log)]
        if len(logs) != 1:
            return super()._print_Mul(expr)
        rest = Mul(*(f for f in expr.args if f is not logs[0]))
        front = {S.One: "", S.NegativeOne: "-"}.get(rest)
        if front is None:
            front = self._print(rest)
            number = front[:1].isdigit() or front.startswith("(")  # a value put in: 1 \cdot \log 0.6090
            front = (bracket(front) if isinstance(rest, Add) else front) + (r" \cdot " if number else " ")
        return f"{front}{self._print(logs[0])}"


class _Filled:
    """A formula with values put in, each printed where it stands (exact if short, else to 4 places):
    ``(y_1 - t_1)^2`` becomes ``(2 - 1)^2``.  Each value is a placeholder symbol printed as its text."""

    def __init__(self, flow: _Flow) -> None:
        self.flow = flow
        self.names: dict[Symbol, str] = {}
        self.approximate = False

    def __call__(self, values: dict[Any, Expr], expr: Expr) -> Expr:
        fill = {}
        for what, value in values.items():
            text = self.flow.tex(S(value))
            if len(text) > SHORT:
                self.approximate, text = True, _approx(_float(S(value)))
            placeholder = Symbol(f"{getattr(what, 'base', what)}_{len(self.names)}")
            self.names[placeholder] = f"({text})" if text.startswith("-") else text
            fill[what] = placeholder
        return expr.xreplace(fill)

    def printer(self) -> _Printer:
        return _Printer(names=self.names, decimals=sorted(self.flow.p.decimals))


def _transpose(name: str) -> str:
    """H^{(1)} -> H^{(1)\\top}, X -> X^\\top."""
    if name.endswith("}") and "^{" in name:
        return name[:-1] + r"\top}"
    return name + r"^\top"


def _shape(m: ImmutableMatrix | np.ndarray) -> str:
    rows, cols = m.shape
    return rf"{rows} \times {cols}"


def _under(name: str, m: ImmutableMatrix | np.ndarray) -> str:
    return rf"\underbrace{{{name}}}_{{{_shape(m)}}}"


# --------------------------------------------------------------------------- the working


class _Flow:
    """Builds the blocks of one backward pass."""

    def __init__(self, result: Backward, board: Board) -> None:
        self.result = result
        self.board = board
        self.said = WORDS[board.lang]
        self.names = _Names(result.forward)
        self.layers = len(result.network.layers)
        decimals = set() if board.exact else set(_decimals(result.forward)) | self._decimals()
        self.p = _Printer(names=self.names.symbols, decimals=sorted(decimals))
        self.long = False  # set when some exact value was too long to print

    def _decimals(self) -> set[Rational]:
        """Terminating rationals of the backward pass (0.01, 1.5, ...): printed as decimals like the lecture's."""
        r = self.result
        matrices = [r.target, *(d.exact for d in r.deltas), *(g.exact for g in r.gradients)]
        matrices += [m for pair in r.update.weights for m in pair]
        found: set[Rational] = set()
        for m in matrices:
            for entry in m:
                found |= {q for q in entry.atoms(Rational) if not q.is_Integer and decimal(abs(q)) is not None}
        for rate in (r.update.learning_rate, r.update.smaller_rate):
            if rate is not None and decimal(rate) is not None:
                found.add(rate)
        return found

    # ------------------------------------------------------------------ printing

    def tex(self, expr: Expr) -> str:
        return self.p.doprint(expr)

    def matrix(self, m: ImmutableMatrix) -> str:
        rows = [" & ".join(self.tex(m[r, c]) for c in range(m.cols)) for r in range(m.rows)]
        return r"\begin{bmatrix} " + r" \\ ".join(rows) + r" \end{bmatrix}"

    def approx(self, values: np.ndarray) -> str:
        rows = [" & ".join(_approx(float(v)) for v in row) for row in values]
        return r"\begin{bmatrix} " + r" \\ ".join(rows) + r" \end{bmatrix}"

    def short(self, m: ImmutableMatrix) -> bool:
        return all(len(self.tex(e)) <= SHORT for e in m)

    def value(self, m: ImmutableMatrix, values: np.ndarray) -> str:
        """``= [exact]``, ``= [exact] ≈ [digits]`` or, where the exact entries are long, ``≈ [digits]``."""
        if _is_rational(m):
            return f"= {self.matrix(m)}"
        if self.short(m):
            return rf"= {self.matrix(m)} \approx {self.approx(values)}"
        self.long = True
        return rf"\approx {self.approx(values)}"

    def continued(self, m: ImmutableMatrix, values: np.ndarray) -> list[str]:
        """The value of a matrix on lines of its own: ``&= [exact]``, then ``&\\approx [digits]``."""
        if _is_rational(m):
            return [f"&= {self.matrix(m)}"]
        if self.short(m):
            return [f"&= {self.matrix(m)}", rf"&\approx {self.approx(values)}"]
        self.long = True
        return [rf"&\approx {self.approx(values)}"]

    def number(self, value: Expr, approx: float) -> str:
        """``= 1``, ``= -log(...) ≈ 0.3133`` or, where the exact value is long, ``≈ 0.4960``."""
        text = self.tex(value)
        if value.is_Rational:
            return f"= {text}"
        if len(text) <= SHORT:
            return rf"= {text} \approx {_approx(approx)}"
        self.long = True
        return rf"\approx {_approx(approx)}"

    # ------------------------------------------------------------------ the document

    def blocks(self) -> list[Block]:
        out = self.flow() + self.forward() + self.loss() + self.output() + self.backward()
        out += self.one_weight() + self.update() + self.check()
        if self.long:
            out.append(Block("text", self.said["exact_long"]))
        return out

    def flow(self) -> list[Block]:
        net = self.result.network
        sizes = "$" + r" \to ".join(str(s) for s in net.sizes) + "$"
        activations = "; ".join(
            f"{self.said['output_layer' if number == len(net.layers) else 'hidden_layer']} "
            f"{forward_view._activation_name(layer.activation)}"
            for number, layer in enumerate(net.layers, start=1)
        )
        text = self.said["flow_text"].format(sizes=sizes, activations=activations)
        return [Block("heading", self.said["flow"], 1), Block("text", text)]

    def forward(self) -> list[Block]:
        r, names = self.result, self.names
        lines = [rf"X &= {self.matrix(r.network.inputs)}"]
        for step in r.forward.steps:
            name = step.name
            kind, number = ("H", self.layers) if name == "Y" else (name[0], int(name[1:]))
            values = np.array([[float(v) for v in row] for row in step.digits(20).tolist()])
            lines.append(rf"{names.matrix(kind, number)} &{self.value(step.exact, values)}")
        return [Block("heading", self.said["forward"], 2), Block("math", _aligned(lines))]

    def loss(self) -> list[Block]:
        r, said = self.result, self.said
        declared = r.loss
        factor, summand = parts(declared)
        outputs = r.network.layers[-1].units
        front = self.tex(factor)
        front = "-" if front == "-1" else ("" if front == "1" else front)
        term = self.tex(summand)
        definition = (
            rf"\ell = {declared.tex}(y, t) = {front} \sum_{{k=1}}^{{n}} {bracket(term) if '+' in term else term}"
        )
        name = f"${declared.tex}$"
        out = [Block("heading", said["loss"], 2), Block("text", said["loss_text"].format(name=name, n=outputs))]
        out.append(Block("math", definition))
        out.append(Block("math", rf"T = {self.matrix(r.target)}"))
        if r.network.inputs.rows > 1:
            out.append(Block("text", said["batch"].format(m=r.network.inputs.rows)))
        out.append(
            Block("math", " ".join(filter(None, ["L", self.written_loss(), self.number(r.value, r.loss_value)])))
        )
        return out

    def written_loss(self) -> str:
        """``= \\frac{1}{2}((2 - 1)^2 + (1 - 0)^2)``: the loss with the values put in, not yet worked out
        (one example; values too long to print are written to 4 places, and then it says ``\\approx``)."""
        r = self.result
        outputs = r.forward.steps[-1].exact
        if r.network.inputs.rows > 1:
            return ""
        factor, summand = parts(r.loss)
        filled = _Filled(self)
        terms = [filled({ys[k]: outputs[0, c], targets[k]: r.target[0, c]}, summand) for c in range(outputs.cols)]
        # (the printer is made after every value is in: it takes the names as they are then)
        written = filled.printer().doprint(Add(*terms, evaluate=False))
        front = LecturePrinter().doprint(factor.subs(n, outputs.cols))  # the mean's 1/n as a fraction
        front = "-" if front == "-1" else ("" if front == "1" else front)
        relation = r"\approx" if filled.approximate else "="
        return f"{relation} {front}{bracket(written) if front and len(terms) > 1 else written}"

    def output(self) -> list[Block]:
        r, said = self.result, self.said
        rule = r.output
        layer = self.layers
        act = rule.activation
        out = [
            Block("heading", said["output"].format(layer=layer), 2),
            Block("text", said["output_text"].format(activation=forward_view._activation_name(act))),
        ]
        lines = [rf"\frac{{\partial \ell}}{{\partial y_j}} &= {self.tex(gradient(r.loss))}"]
        lines += self.delta_steps(act)
        out.append(Block("math", _aligned(lines)))
        if any(step.expr.has(KroneckerDelta) for step in rule.steps):
            out.append(Block("text", said["kronecker"]))
        m = r.network.inputs.rows
        if m > 1:
            out.append(Block("text", said["output_batch"].format(layer=layer, m=m)))
        out.append(Block("text", said["values"]))
        delta = r.deltas[-1]
        lines = self.delta_entries()
        lines.append(rf"\delta^{{({layer})}} &{self.value(delta.exact, delta.value)}")
        out.append(Block("math", _aligned(lines)))
        return out

    def delta_entries(self) -> list[str]:
        """δ_j with the values put in, for one example: ``\\delta^{(2)}_1 = \\frac{2(2 - 1)}{2} = 1``."""
        r = self.result
        rule = r.output
        if r.network.inputs.rows != 1 or rule.uses_sum or rule.result.has(Piecewise):
            return []
        layer = r.network.layers[-1]
        outputs, logits = r.forward.steps[-1].exact, r.forward.steps[-2].exact
        result = rule.result.subs(dict(layer.values))
        lines = []
        for c in range(outputs.cols):
            filled = _Filled(self)
            fill = {ys[j]: outputs[0, c], targets[j]: r.target[0, c], zs[j]: logits[0, c], n: outputs.cols}
            filled_in = filled(fill, result)
            text = filled.printer().doprint(filled_in)
            relation = r"\approx" if filled.approximate else "="
            value = self.number(r.deltas[-1].exact[0, c], float(r.deltas[-1].value[0, c]))
            lines.append(rf"\delta^{{({self.layers})}}_{c + 1} &{relation} {text} {value}")
        return lines

    def delta_steps(self, act: Activation) -> list[str]:
        """δ_j = ∂ℓ/∂z_j = the chain rule = ... = the result, each line as the engine derived it."""
        rule = self.result.output
        vector = act.is_vector
        if vector:
            chain = r"\sum_i \frac{\partial \ell}{\partial y_i} \frac{\partial y_i}{\partial z_j}"
        else:
            chain = r"\frac{\partial \ell}{\partial y_j} \, f'(z_j)"
        lines = [rf"\delta_j = \frac{{\partial \ell}}{{\partial z_j}} &= {chain}"]
        for step in rule.steps:
            text = self.chain_product(step.expr, vector) if step.rule == "chain" else self.tex(step.expr)
            if step.rule == "targets":
                text += rf" \quad \text{{({self.said['targets_sum']})}}"
            lines.append(f"&= {text}")
        return lines

    def chain_product(self, expr: Expr, vector: bool) -> str:
        """The chain rule's product with each factor as derived: (∂ℓ/∂y_i) · ∂y_i/∂z_j."""
        product = expr.function if vector else expr
        shown = []
        for f in product.args:
            text = self.tex(f)
            shown.append(rf"\left({text}\right)" if isinstance(f, Add) or text.startswith("-") else text)
        text = r" \cdot ".join(shown)
        return rf"\sum_i {text}" if vector else text

    # ------------------------------------------------------------------ layer by layer

    def backward(self) -> list[Block]:
        r, said, names = self.result, self.said, self.names
        out = [Block("heading", said["backward"], 2), Block("text", said["backward_text"])]
        for number in range(self.layers, 0, -1):
            delta = r.deltas[number - 1]
            if number < self.layers:
                out += self.hidden_delta(number)
            w, b = r[f"W{number}"], r[f"B{number}"]
            h_in = names.matrix("H", number - 1)
            inputs = r.forward.layer_input(number)
            d = rf"\delta^{{({number})}}"
            ones = ImmutableMatrix.ones(1, inputs.rows)
            lines = [
                self.product_line(
                    rf"\frac{{\partial L}}{{\partial W^{{({number})}}}}",
                    [(_transpose(h_in), inputs.T), (d, delta.exact)],
                    w,
                ),
                self.product_line(
                    rf"\frac{{\partial L}}{{\partial B^{{({number})}}}}",
                    [(r"\mathbf{1}^\top", ones), (d, delta.exact)],
                    b,
                ),
            ]
            out.append(Block("math", _aligned(lines)))
        return out

    def product_line(self, lhs: str, factors: list[tuple[str, ImmutableMatrix]], result: Gradient) -> str:
        """lhs = (names with shapes under them) = [values][values] = [result]."""
        named = " ".join(_under(name, m) for name, m in factors)
        line = f"{lhs} &= {named}"
        if all(_is_rational(m) or self.short(m) for _, m in factors) and result.exact.rows * result.exact.cols <= 16:
            line += " = " + " ".join(self.matrix(m) for _, m in factors)
        return f"{line} {self.value(result.exact, result.value)}"

    def hidden_delta(self, number: int) -> list[Block]:
        """δ^{(l)} = (δ^{(l+1)} W^{(l+1)ᵀ}) ⊙ f'(Z^{(l)}), the derivative in its output form, the values."""
        r, said, names = self.result, self.said, self.names
        layer = r.network.layers[number - 1]
        act = layer.activation
        delta, after = r.deltas[number - 1], r.deltas[number]
        weights = r.network.layers[number].weights
        d, d_next = rf"\delta^{{({number})}}", rf"\delta^{{({number + 1})}}"
        w_next = _transpose(names.matrix("W", number + 1))
        z, h = names.matrix("Z", number), names.matrix("H", number)
        back = rf"{_under(d_next, after.exact)} {_under(w_next, weights.T)}"
        out = []
        if layer.is_identity:
            lines = [rf"{d} &= ({back}) \odot f'({z}), \quad f' = 1"]
            line = rf"&= {d_next} {w_next}"
            if self.short(after.exact):
                line += f" = {self.matrix(after.exact)} {self.matrix(weights.T)}"
            lines.append(f"{line} {self.value(delta.exact, delta.value)}")
            return [Block("math", _aligned(lines))]
        if act.is_vector:
            out.append(Block("text", said["jacobian"].format(activation=forward_view._activation_name(act))))
            lines = [rf"{d}_{{r}} &= ({d_next} {w_next})_{{r}} \, J_{{{act.tex}}}({z}_r)"]
            lines.append(rf"&{self.value(delta.exact, delta.value)}")
            return [*out, Block("math", _aligned(lines))]
        form = derive(act).output_form
        if form is not None:
            rule = self.p.doprint(form.subs(y, Symbol("h")))
            out.append(Block("text", said["slope"].format(activation=forward_view._activation_name(act), rule=rule)))
            slope_name = self.hadamard(form, h)
        else:
            out.append(Block("text", said["slope_z"].format(activation=forward_view._activation_name(act))))
            slope_name = f"{act.tex}'({z})"
        lines = [rf"{act.tex}'({z}) &= {slope_name}", *self.continued(delta.slope, _floats(delta.slope))]
        lines.append(rf"{d} &= ({back}) \odot {act.tex}'({z})")
        if self.short(delta.back) and self.short(delta.slope):
            lines.append(rf"&= {self.matrix(delta.back)} \odot {self.matrix(delta.slope)}")
        else:
            back_values, slope_values = _floats(delta.back), _floats(delta.slope)
            lines.append(rf"&\approx {self.approx(back_values)} \odot {self.approx(slope_values)}")
        lines.append(f"&{self.value(delta.exact, delta.value)}")
        return [*out, Block("math", _aligned(lines))]

    def hadamard(self, form: Expr, name: str) -> str:
        """g(y) written for a matrix entry by entry: y(1 − y) → H ⊙ (1 − H), 1 − y² → 1 − H ⊙ H."""
        marker = Symbol("MATRIX")
        text = _HadamardPrinter(names={marker: name}).doprint(form.subs(y, marker))
        return text

    # ------------------------------------------------------------------ one weight, the update, the check

    def one_weight(self) -> list[Block]:
        """∂L/∂w^{(L)}_{11} = δ^{(L)}_1 h_1 and ∂L/∂w^{(L-1)}_{11} along every path, for one example."""
        r, names = self.result, self.names
        net = r.network
        if net.inputs.rows != 1 or any(layer.activation.is_vector for layer in net.layers[:-1]):
            return []
        last = self.layers
        unit_in = names.unit("x" if last == 1 else "h", last - 1, 1)
        w = rf"w^{{({last})}}_{{11}}"
        z1 = names.unit("z", last, 1)
        numbers = self.numbers([[r.deltas[-1].exact[0, 0], r.forward.layer_input(last)[0, 0]]])
        lines = [
            rf"\frac{{\partial L}}{{\partial {w}}} &= \frac{{\partial L}}{{\partial {z1}}}"
            rf" \frac{{\partial {z1}}}{{\partial {w}}} = \delta^{{({last})}}_1 {unit_in}"
            f" {numbers} {self.scalar(r[f'W{last}'], 0, 0)}"
        ]
        if last >= 2:
            lines += self.path_lines(last - 1)
        return [
            Block("heading", self.said["one_weight"], 2),
            Block("text", self.said["one_weight_text"]),
            Block("math", _aligned(lines)),
        ]

    def path_lines(self, number: int) -> list[str]:
        """∂L/∂w^{(l)}_{11} = (Σ_k δ^{(l+1)}_k w^{(l+1)}_{1k}) f'(z^{(l)}_1) h^{(l-1)}_1, with the numbers."""
        r, names = self.result, self.names
        net = r.network
        layer = net.layers[number - 1]
        d_next, w_next = r.deltas[number].exact, net.layers[number].weights
        unit_in = names.unit("x" if number == 1 else "h", number - 1, 1)
        z1 = names.unit("z", number, 1)
        w = rf"w^{{({number})}}_{{11}}"
        units = net.layers[number].units
        d, v = rf"\delta^{{({number + 1})}}", rf"w^{{({number + 1})}}"
        symbolic = " + ".join(rf"{d}_{k} {v}_{{1{k}}}" for k in range(1, units + 1))
        f = "f'" if layer.is_identity else f"{layer.activation.tex}'"
        slope = S.One if layer.is_identity else r.deltas[number - 1].slope[0, 0]
        paths = [[d_next[0, k], w_next[0, k]] for k in range(units)]
        numbers = self.numbers(paths, [slope, r.forward.layer_input(number)[0, 0]])
        return [
            rf"\frac{{\partial L}}{{\partial {w}}} &= \Bigl(\sum_k {d}_k {v}_{{1k}}\Bigr) {f}({z1}) \, {unit_in}"
            rf" = ({symbolic}) \, {f}({z1}) \, {unit_in}",
            f"&{numbers} {self.scalar(r[f'W{number}'], 0, 0)}",
        ]

    def numbers(self, products: list[list[Expr]], after: Sequence[Expr] = ()) -> str:
        """``= 1 · 4`` or ``= (1 · 1 + 1 · 0.5) · 1 · 1``: a sum of products times more
        factors, each value exact if short, else to 4 places (and then the relation is ``\approx``)."""
        approximate = False

        def factor(value: Expr) -> str:
            nonlocal approximate
            text = self.tex(value)
            if len(text) > SHORT:
                approximate, text = True, _approx(_float(value))
            if isinstance(value, Add) or text.startswith("-"):
                return rf"\left({text}\right)" if r"\frac" in text else f"({text})"
            return text

        total = " + ".join(r" \cdot ".join(factor(v) for v in product) for product in products)
        if after:
            total = r" \cdot ".join([f"({total})" if len(products) > 1 else total, *(factor(v) for v in after)])
        return rf"\approx {total}" if approximate else f"= {total}"

    def scalar(self, gradient: Gradient, row: int, col: int) -> str:
        value = gradient.exact[row, col]
        if value.is_Rational:
            return f"= {self.tex(value)}"
        return rf"\approx {_approx(float(gradient.value[row, col]))}"

    def update(self) -> list[Block]:
        r, said = self.result, self.said
        u = r.update
        eta = self.tex(u.learning_rate)
        out = [Block("heading", said["update"], 2), Block("text", said["update_text"].format(eta=eta))]
        lines = []
        for number, (w_new, b_new) in enumerate(u.weights, start=1):
            layer = r.network.layers[number - 1]
            for kind, old, new in (("W", layer.weights, w_new), ("B", layer.bias, b_new)):
                g = r[f"{kind}{number}"]
                lhs = rf"{kind}^{{({number})}}"
                line = rf"{lhs} &\leftarrow {lhs} - \eta \frac{{\partial L}}{{\partial {lhs}}}"
                if self.short(g.exact):
                    line += rf" = {self.matrix(old)} - {eta} {self.matrix(g.exact)}"
                line += f" {self.value(new, _floats(new))}"
                lines.append(line)
        out.append(Block("math", _aligned(lines)))
        before = self.number(u.loss_before, u.before)
        after = rf"\approx {_approx(u.after)}"
        if u.loss_after.is_Rational:
            after = f"= {self.tex(u.loss_after)} {after}"
        out.append(Block("math", rf"L_{{\text{{before}}}} {before}, \qquad L_{{\text{{after}}}} {after}"))
        first = _approx(u.first_order)
        if u.decreased:
            out.append(Block("text", said["went_down"].format(drop=f"${_approx(u.before - u.after)}$", first=first)))
        else:
            out.append(Block("text", said["went_up"].format(rise=f"${_approx(u.after - u.before)}$", first=first)))
            if u.smaller_rate is not None:
                out.append(Block("text", said["smaller"].format(eta=self.tex(u.smaller_rate))))
        return out

    def check(self) -> list[Block]:
        c, said = self.result.checks, self.said
        text = [said["chain"].format(how=said[c.direct])]
        text.append(said["numeric"].format(error=f"${_sci(c.numeric_error)}$"))
        if c.finite_difference_error is None:
            text.append(said["fd_skipped"].format(note=c.note))
        else:
            text.append(said["fd"].format(error=f"${_sci(c.finite_difference_error)}$"))
        return [Block("heading", said["check"], 2), Block("text", " ".join(text))]


class _HadamardPrinter(LecturePrinter):
    """A formula in one matrix, entry by entry: products as ⊙, squares as H ⊙ H."""

    def _print_Mul(self, expr: Mul) -> str:
        coefficient, rest = expr.as_coeff_Mul()
        factors = Mul.make_args(rest)
        if len(factors) < 2:
            return super()._print_Mul(expr)
        parts = [bracket(self._print(f)) if isinstance(f, Add) else self._print(f) for f in factors]
        text = r" \odot ".join(parts)
        if coefficient == -1:
            return f"-{text}"
        return text if coefficient == 1 else f"{self._print(coefficient)} {text}"

    def _print_Pow(self, expr: Any) -> str:
        if expr.exp.is_Integer and expr.exp > 1:
            base = self._print(expr.base)
            return r" \odot ".join([base] * int(expr.exp))
        return super()._print_Pow(expr)


def _floats(m: ImmutableMatrix) -> np.ndarray:
    return np.array(_digits(m))


def _sci(value: float) -> str:
    if value == 0:
        return "0"
    mantissa, exponent = f"{value:.1e}".split("e")
    return rf"{mantissa} \times 10^{{{int(exponent)}}}"


# --------------------------------------------------------------------------- the formats


def blocks(result: Backward, board: Board = BOARD) -> list[Block]:
    """The working as blocks (heading, math, text), for any format."""
    return _Flow(result, board).blocks()


def body(result: Backward, board: Board = BOARD) -> str:
    """The LaTeX body (for ``\\input``; needs amsmath, amssymb and the ``\\symdlshow`` macro of the templates)."""
    return as_latex(blocks(result, board))


def document(result: Backward, board: Board = BOARD) -> str:
    """A compilable article: the whole flow worked as on the board."""
    return templates.filled(templates.STANDALONE, WORDS[board.lang]["title"], body(result, board), board.lang)


def markdown(result: Backward, board: Board = BOARD) -> str:
    """Markdown with ``$$`` blocks."""
    return as_markdown(blocks(result, board))


def worked(result: Backward, board: Board = BOARD) -> Tex:
    """The output layer's δ and the layer-by-layer gradients as one ``aligned`` block (Jupyter shows it)."""
    flow = _Flow(result, board)
    lines = flow.delta_steps(result.output.activation)
    for block in flow.backward():
        if block.kind == "math":
            inner = block.text.removeprefix(r"\begin{aligned} ").removesuffix(r" \end{aligned}")
            lines.append(inner)
    return Tex(_aligned(lines))


# --------------------------------------------------------------------------- the terminal and JSON


def _rows(m: ImmutableMatrix, plain: _Plain) -> str:
    rows = ["[" + ", ".join(plain.doprint(m[r, c]) for c in range(m.cols)) + "]" for r in range(m.rows)]
    return rows[0] if len(rows) == 1 else "[" + ", ".join(rows) + "]"


def _exact_text(m: ImmutableMatrix, plain: _Plain) -> str | None:
    """The exact matrix on one line if every entry is short (60 characters), else None."""
    if all(len(plain.doprint(e)) <= 60 for e in m):
        return _rows(m, plain)
    return None


def report(result: Backward, board: Board = BOARD) -> str:
    """The terminal report: loss, δ's and gradients (exact where short, and float64), the update, the check."""
    net = result.network
    plain = _Plain(board.exact)
    source = f" ({net.source})" if net.source else ""
    activations = ", ".join(layer.activation.name for layer in net.layers)
    examples = "one example" if net.inputs.rows == 1 else f"{net.inputs.rows} examples (the loss is their mean)"
    lines = [
        f"backward pass{source}: {' → '.join(map(str, net.sizes))}, activations {activations}, {examples}",
        f"  loss {result.loss.name} against T = {_rows(result.target, plain)}",
        f"  Y  = {_exact_text(result.forward.steps[-1].exact, plain) or '…'}",
        f"     ≈ {_float_text(result.forward.steps[-1].numeric)}",
        f"  L  = {_one(result.value, result.loss_value, plain)}",
        "",
        "output layer, derived by the engine (one example):",
    ]
    lines += [f"  dl/dz_j = {_one_line(step.expr)}" for step in result.output.steps[-1:]]
    lines += ["", "backward pass: exact, then ≈ float64 (NumPy backprop)"]
    entries: list[tuple[str, Any]] = []
    for number in range(len(net.layers), 0, -1):
        before = "X" if number == 1 else f"H{number - 1}"
        delta = result.deltas[number - 1]
        if number == len(net.layers):
            formula = f"delta{number} = dL/dZ{number}"
        else:
            formula = f"delta{number} = (delta{number + 1} W{number + 1}^T) * f'(Z{number})"
        entries.append((formula, delta))
        entries.append((f"dL/dW{number} = {before}^T delta{number}", result[f"W{number}"]))
        entries.append((f"dL/dB{number} = sum of delta{number} over the examples", result[f"B{number}"]))
    for formula, item in entries:
        exact = _exact_text(item.exact, plain)
        lines.append(f"  {formula}")
        if exact is not None:
            lines.append(f"      = {exact}")
        lines.append(f"      ≈ {_float_text(item.numeric)}")
    u = result.update
    lines += ["", f"update: one step of gradient descent, eta = {plain.doprint(u.learning_rate)}"]
    for number, (w, b) in enumerate(u.weights, start=1):
        for kind, m, values in (("W", w, u.numeric[number - 1][0]), ("B", b, u.numeric[number - 1][1])):
            exact = _exact_text(m, plain)
            lines.append(f"  {kind}{number} <- {exact if exact is not None else '≈ ' + _float_text(values)}")
    change = "went down" if u.decreased else "went UP (eta is too large for this step)"
    lines.append(
        f"  loss: {u.before:.10g} -> {u.after:.10g}, {change} by {abs(u.after - u.before):.6g}"
        f" (the gradient predicts {u.first_order:.6g} for a small step)"
    )
    if not u.decreased and u.smaller_rate is not None:
        lines.append(f"  with eta = {plain.doprint(u.smaller_rate)} the loss goes down (float64)")
    lines += ["", f"check: {result.checks}"]
    return "\n".join(lines)


def _one(value: Expr, approx: float, plain: _Plain) -> str:
    text = plain.doprint(value)
    if value.is_Rational:
        return text
    return f"{text} ≈ {approx:.10g}" if len(text) <= 60 else f"≈ {approx:.10g}"


def _one_line(expr: Expr) -> str:
    from symdl.render.text import one_line

    return one_line(expr)


def data(result: Backward, board: Board = BOARD) -> dict[str, Any]:
    """JSON-ready: the loss, the engine's δ derivation, δ's and gradients in every form, the update, the check."""
    plain = _Plain(exact=True)
    flow = _Flow(result, board)

    def strings(m: ImmutableMatrix) -> list[list[str]]:
        return [[plain.doprint(m[r, c]) for c in range(m.cols)] for r in range(m.rows)]

    def lists(values: np.ndarray | None) -> list | None:
        return None if values is None else np.asarray(values).tolist()

    u, c = result.update, result.checks
    return {
        "source": result.network.source or None,
        "sizes": list(result.network.sizes),
        "activations": [layer.activation.name for layer in result.network.layers],
        "loss": {
            "name": result.loss.name,
            "reduction": "mean over the examples",
            "target": strings(result.target),
            "exact": plain.doprint(result.value),
            "exact_latex": flow.tex(result.value),
            "exact_float": result.loss_value,
            "numeric": result.loss_numeric,
        },
        "output_delta": [
            {"rule": step.rule, "check": step.check, "text": _one_line(step.expr), "latex": flow.tex(step.expr)}
            for step in result.output.steps
        ],
        "deltas": {
            d.name: {"exact": strings(d.exact), "exact_float": lists(d.value), "numeric": lists(d.numeric)}
            for d in result.deltas
        },
        "gradients": {
            g.name: {
                "exact": strings(g.exact),
                "exact_latex": [[flow.tex(e) for e in row] for row in g.exact.tolist()],
                "exact_float": lists(g.value),
                "numeric": lists(g.numeric),
                "direct": None if g.direct is None else strings(g.direct),
                "finite_difference": lists(g.finite_difference),
            }
            for g in result.gradients
        },
        "update": {
            "learning_rate": plain.doprint(u.learning_rate),
            "weights": {
                f"{kind}{number}": {"exact": strings(m), "numeric": lists(values)}
                for number, (w, b) in enumerate(u.weights, start=1)
                for kind, m, values in (("W", w, u.numeric[number - 1][0]), ("B", b, u.numeric[number - 1][1]))
            },
            "loss_before": {"exact": plain.doprint(u.loss_before), "float": u.before, "numeric": u.numeric_before},
            "loss_after": {
                "exact": plain.doprint(u.loss_after) if u.loss_after.is_Rational else None,
                "float": u.after,
                "numeric": u.numeric_after,
            },
            "decreased": u.decreased,
            "first_order": u.first_order,
            "smaller_learning_rate": None if u.smaller_rate is None else plain.doprint(u.smaller_rate),
        },
        "check": {
            "agrees": c.agrees,
            "chain_vs_direct": c.direct,
            "numeric_vs_exact": c.numeric_error,
            "numeric_worst": c.numeric_worst,
            "finite_differences_vs_numeric": c.finite_difference_error,
            "finite_differences_worst": c.finite_difference_worst or None,
            "note": c.note or None,
            "text": str(c),
        },
    }


__all__ = ["WORDS", "blocks", "body", "data", "document", "markdown", "report", "worked"]
