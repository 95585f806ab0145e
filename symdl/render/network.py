"""The forward pass as a lecturer works it on the board: LaTeX, Markdown, the terminal report and JSON.

Layer by layer: the matrices multiplied with their entries visible (``X W^{(1)} = [1\\ 2\\ 1] [...] =
[4\\ 3\\ -2]``), then ``+ B``, then the activation entry by entry, then each neuron on its own line
(``z^{(1)}_1 = 1 \\cdot 1 + 2 \\cdot 1 + 1 \\cdot 1 = 4``); then the general formula in symbols and the
check that the three computations agree.  Everything printed comes from ``symdl.network.forward.Forward``;
the views only arrange it.  Terminating decimals print as decimals (the lecture's 0.5), or as
fractions with ``exact=True``.

The LaTeX and Markdown share one list of blocks (heading, math, text), formatted two ways.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
from sympy import Add, Expr, ImmutableMatrix, Mul, Rational, Symbol
from sympy.printing.str import StrPrinter

from symdl.network.forward import Forward, GeneralLayer
from symdl.network.spec import Applied, Network
from symdl.render import latex as activation_latex
from symdl.render import templates
from symdl.render.latex import Tex
from symdl.render.notation import Style, notation
from symdl.render.printer import LecturePrinter, bracket, decimal, subscript
from symdl.render.words import LECTURE_DIFFERS

WORDS: dict[str, dict[str, str]] = {
    "en": {
        "title": "The lecture's network: forward pass",
        "forward": "Forward pass",
        "convention": (
            "Row vectors, as in the lecture: $Z^{{(l)}} = H^{{(l-1)}} W^{{(l)}} + B^{{(l)}}$ and "
            "$H^{{(l)}} = f(Z^{{(l)}})$, with $H^{{(0)}} = X$; the last $H$ is $Y$. Layers: {sizes}."
        ),
        "batch": "$X$ holds {rows} examples, one per row; $B$ is added to every row.",
        "hidden": "Layer {number} (hidden layer)",
        "output": "Layer {number} (output layer)",
        "activation": "Activation: {name}.",
        "identity": "Activation: identity, so $H = Z$.",
        "identity_output": "Activation: identity, so $Y = Z$.",
        "parameters": "Parameters: {values}.",
        "neurons": "Neuron by neuron:",
        "example": "Example {row} (row {row} of $X$):",
        "general": "The general formula",
        "general_text": "Every input, weight and bias a symbol (one example):",
        "together": "Put together:",
        "check": "Check",
        "ulps_same": "Exact and NumPy float64 give the same numbers (0 ulp apart).",
        "ulps": "Exact and NumPy float64 agree within {ulps} ulp (at most {tolerance} allowed).",
        "ulps_bad": "Exact and NumPy float64 DIFFER by {ulps} ulp at {where}.",
        "identical": "The general formula with these values substituted is identical to the exact result.",
        "simplifies to 0": "The general formula with these values substituted equals the exact result (SymPy).",
        "equal to 40 digits": "The general formula with these values substituted equals the exact result to 40 digits.",
        "differs": "The general formula with these values substituted DIFFERS from the exact result.",
    },
    "ko": {
        "title": "강의의 네트워크: 순전파 계산",
        "forward": "순전파 계산",
        "convention": (
            "강의와 같이 행벡터로 씁니다: $Z^{{(l)}} = H^{{(l-1)}} W^{{(l)}} + B^{{(l)}}$, "
            "$H^{{(l)}} = f(Z^{{(l)}})$, $H^{{(0)}} = X$이고 마지막 $H$가 $Y$입니다. 층: {sizes}."
        ),
        "batch": "$X$의 각 행이 하나의 예제입니다({rows}개); $B$는 모든 행에 더합니다.",
        "hidden": "{number}층 (은닉층)",
        "output": "{number}층 (출력층)",
        "activation": "활성화 함수: {name}.",
        "identity": "활성화 함수: 항등함수, 따라서 $H = Z$.",
        "identity_output": "활성화 함수: 항등함수, 따라서 $Y = Z$.",
        "parameters": "매개변수: {values}.",
        "neurons": "뉴런별 계산:",
        "example": "예제 {row} ($X$의 {row}행):",
        "general": "일반식",
        "general_text": "모든 입력, 가중치, 편향을 기호로 (예제 하나):",
        "together": "한 식으로:",
        "check": "검증",
        "ulps_same": "정확한 계산과 NumPy float64의 결과가 같습니다 (0 ulp).",
        "ulps": "정확한 계산과 NumPy float64의 차이는 {ulps} ulp 이내입니다 (허용 {tolerance} ulp).",
        "ulps_bad": "정확한 계산과 NumPy float64가 {where}에서 {ulps} ulp 다릅니다.",
        "identical": "일반식에 이 값들을 대입하면 정확한 결과와 똑같습니다.",
        "simplifies to 0": "일반식에 이 값들을 대입하면 정확한 결과와 같습니다 (SymPy).",
        "equal to 40 digits": "일반식에 이 값들을 대입하면 정확한 결과와 40자리까지 같습니다.",
        "differs": "일반식에 이 값들을 대입한 값이 정확한 결과와 다릅니다.",
    },
}


@dataclass(frozen=True)
class Board:
    """How the working is written: decimals as in the lecture (0.5) or fractions (``exact``), and the language."""

    exact: bool = False
    lang: str = "en"


# --------------------------------------------------------------------------- names and numbers


def _sup(number: int) -> str:
    return f"^{{({number})}}"


def _sub(*indices: int) -> str:
    return subscript(("," if any(i >= 10 for i in indices) else "").join(str(i) for i in indices))


class _Names:
    """The LaTeX of every symbol of the general form, and of the matrices and units by layer."""

    def __init__(self, result: Forward) -> None:
        self.layers = len(result.network.layers)
        self.symbols: dict[Symbol, str] = {}
        for symbol, (kind, layer, row, col) in result.symbols.items():
            self.symbols[symbol] = self.unit(kind, layer, col) if kind != "w" else f"w{_sup(layer)}{_sub(row, col)}"

    def unit(self, kind: str, layer: int, j: int | str) -> str:
        """x_i, z^{(l)}_j, h_j (one hidden layer) or h^{(l)}_j, y_k, b^{(l)}_j."""
        index = _sub(j) if isinstance(j, int) else f"_{j}"
        if kind in ("x", "y") or (kind == "h" and self.layers == 2):
            return f"{kind}{index}"
        return f"{kind}{_sup(layer)}{index}"

    def matrix(self, kind: str, layer: int) -> str:
        """X, W^{(1)}, B^{(1)}, Z^{(1)}, H^{(1)}, Y; the input of layer 1 is X."""
        if kind == "H" and layer == 0:
            return "X"
        if kind == "H" and layer == self.layers:
            return "Y"
        return f"{kind}{_sup(layer)}"


def _decimals(result: Forward) -> list[Rational]:
    """Every terminating rational in the working, so the printer writes it as a decimal."""
    found: set[Rational] = set()
    matrices = [result.network.inputs, *(m for layer in result.network.layers for m in (layer.weights, layer.bias))]
    matrices += [step.exact for step in result.steps]
    matrices += [result.product(k) for k in range(1, len(result.network.layers) + 1)]
    for m in matrices:
        for entry in m:
            found |= {r for r in entry.atoms(Rational) if not r.is_Integer and decimal(abs(r)) is not None}
    return sorted(found)


def _printer(result: Forward, board: Board, names: _Names) -> LecturePrinter:
    return LecturePrinter(names=names.symbols, decimals=() if board.exact else _decimals(result))


def _approx(value: float) -> str:
    """A value to 4 decimal places (or 4 significant digits and a power of ten when tiny or huge)."""
    if value == 0:
        return "0"
    if 1e-3 <= abs(value) < 1e6:
        return f"{value:.4f}"
    mantissa, exponent = f"{value:.3e}".split("e")
    return rf"{mantissa} \times 10^{{{int(exponent)}}}"


def _is_rational(matrix: ImmutableMatrix) -> bool:
    return all(entry.is_Rational for entry in matrix)


# --------------------------------------------------------------------------- order as on the board


def _in_order(expr: Expr, order: list[Expr]) -> Expr:
    """A sum with its terms in the order of ``order`` (the previous layer's entries), constants last."""
    if not isinstance(expr, Add):
        return expr

    def rank(term: Expr) -> tuple[int, int]:
        for position, atom in enumerate(order):
            if not atom.is_Rational and term.has(atom):
                return (0, position)
        return (1, 0)

    terms = sorted(expr.args, key=rank)
    return Add(*terms, evaluate=False)


def _general_order(expr: Expr, kinds: dict[Symbol, tuple[str, int, int, int]]) -> Expr:
    """A general formula as written on a slide: x_1 w_11 + x_2 w_21 + ... + b_1, inside out."""
    if isinstance(expr, Applied):
        return type(expr)(_general_order(expr.args[0], kinds))
    if isinstance(expr, Add):

        def rank(term: Expr) -> tuple[int, int]:
            for factor in Mul.make_args(term):
                if isinstance(factor, Symbol) and kinds.get(factor, ("",))[0] == "w":
                    return (0, kinds[factor][2])
            return (1, 0)

        return Add(*sorted((_general_order(t, kinds) for t in expr.args), key=rank), evaluate=False)
    if isinstance(expr, Mul):
        factors = [_general_order(f, kinds) for f in expr.args]
        weights = [f for f in factors if isinstance(f, Symbol) and kinds.get(f, ("",))[0] == "w"]
        return Mul(*[f for f in factors if f not in weights], *weights, evaluate=False)
    if expr.args and not expr.is_Atom:
        return expr.func(*(_general_order(a, kinds) for a in expr.args))
    return expr


# --------------------------------------------------------------------------- the blocks


@dataclass(frozen=True)
class Block:
    """One piece of the working: a heading (level 1 or 2), display math, or a line of text (with $..$)."""

    kind: str  # "heading" | "math" | "text"
    text: str
    level: int = 0


class _Working:
    """Builds the blocks of one forward pass."""

    def __init__(self, result: Forward, board: Board) -> None:
        self.result = result
        self.board = board
        self.said = WORDS[board.lang]
        self.names = _Names(result)
        self.p = _printer(result, board, self.names)

    # ------------------------------------------------------------------ printing

    def entry(self, value: Expr, order: list[Expr] | None = None) -> str:
        return self.p.doprint(_in_order(value, order or []))

    def matrix(self, m: ImmutableMatrix, order: ImmutableMatrix | None = None) -> str:
        rows = []
        for r in range(m.rows):
            before = list(order.row(r)) if order is not None else []
            rows.append(" & ".join(self.entry(m[r, c], before) for c in range(m.cols)))
        return r"\begin{bmatrix} " + r" \\ ".join(rows) + r" \end{bmatrix}"

    def approx(self, m: ImmutableMatrix) -> str:
        rows = [" & ".join(_approx(v) for v in row) for row in _digits(m)]
        return r"\begin{bmatrix} " + r" \\ ".join(rows) + r" \end{bmatrix}"

    def factor(self, value: Expr, order: list[Expr]) -> str:
        """One factor of a product on the board: bracketed if negative or a sum."""
        text = self.entry(value, order)
        if isinstance(value, Add) or text.startswith("-"):
            return rf"\left({text}\right)" if r"\frac" in text else f"({text})"
        return text

    # ------------------------------------------------------------------ the document

    def blocks(self) -> list[Block]:
        net = self.result.network
        said = self.said
        sizes = r" \to ".join(str(s) for s in net.sizes)
        out = [Block("heading", said["forward"], 1), Block("text", said["convention"].format(sizes=f"${sizes}$"))]
        if net.inputs.rows > 1:
            out.append(Block("text", said["batch"].format(rows=net.inputs.rows)))
        out.append(Block("math", f"X = {self.matrix(net.inputs)}"))
        for number, layer in enumerate(net.layers, start=1):
            w, b = self.names.matrix("W", number), self.names.matrix("B", number)
            out.append(Block("math", rf"{w} = {self.matrix(layer.weights)}, \qquad {b} = {self.matrix(layer.bias)}"))
        for number in range(1, len(net.layers) + 1):
            out += self.layer(number)
        out += self.general()
        out += [Block("heading", said["check"], 2), Block("text", self.check())]
        return out

    def layer(self, number: int) -> list[Block]:
        net, said = self.result.network, self.said
        layer = net.layers[number - 1]
        last = number == len(net.layers)
        inputs = self.result.layer_input(number)
        heading = said["output" if last else "hidden"].format(number=number)
        out = [Block("heading", heading, 2)]
        if layer.is_identity:
            out.append(Block("text", said["identity_output" if last else "identity"]))
        else:
            act = layer.activation
            out.append(Block("text", said["activation"].format(name=_activation_name(act))))
            out += [Block("text", note) for note in self.notes(number)]
        out.append(Block("math", _aligned(self.matrix_lines(number))))
        out.append(Block("text", said["neurons"]))
        for r in range(inputs.rows):
            if inputs.rows > 1:
                out.append(Block("text", said["example"].format(row=r + 1)))
            out.append(Block("math", _aligned(self.neurons(number, r))))
        return out

    def matrix_lines(self, number: int) -> list[str]:
        """H W = [..][..] = [..], Z = H W + B = [..] + [..] = [..], H = f(Z) = [..]: the layer as matrices."""
        result, names = self.result, self.names
        layer = result.network.layers[number - 1]
        z_step, h_step = result.steps[2 * number - 2], result.steps[2 * number - 1]
        inputs, product = result.layer_input(number), result.product(number)
        h_in, w, b = names.matrix("H", number - 1), names.matrix("W", number), names.matrix("B", number)
        z, h = names.matrix("Z", number), names.matrix("H", number)
        if _is_rational(inputs) and _is_rational(product):  # short entries: one line each
            lines = [
                rf"{h_in} {w} &= {self.matrix(inputs)} {self.matrix(layer.weights)} = {self.matrix(product, inputs)}",
                rf"{z} &= {h_in} {w} + {b} = {self.matrix(product, inputs)} + {self.matrix(layer.bias)}"
                rf" = {self.matrix(z_step.exact, inputs)}",
            ]
        else:  # long entries (σ(4) - σ(3) + 1): each result on its own line
            lines = [
                rf"{h_in} {w} &= {self.matrix(inputs)} {self.matrix(layer.weights)}",
                rf"&= {self.matrix(product, inputs)}",
                rf"{z} &= {h_in} {w} + {b} = {self.matrix(product, inputs)} + {self.matrix(layer.bias)}",
                rf"&= {self.matrix(z_step.exact, inputs)}",
            ]
        if not _is_rational(z_step.exact):
            lines.append(rf"&\approx {self.approx(z_step.exact)}")
        lines.append(self.activation_line(number, h, z, z_step.exact, h_step.exact, inputs))
        if not _is_rational(h_step.exact) and not layer.is_identity:
            lines.append(rf"&\approx {self.approx(h_step.exact)}")
        return lines

    def activation_line(
        self, number: int, h: str, z: str, z_exact: ImmutableMatrix, h_exact: ImmutableMatrix, inputs: ImmutableMatrix
    ) -> str:
        """H = f(Z) = [f(4) f(3) f(-2)] = [...]; for the identity H = Z = [...]."""
        layer = self.result.network.layers[number - 1]
        act = layer.activation
        if layer.is_identity:
            return rf"{h} &= {z} = {self.matrix(h_exact, inputs)}"
        if act.is_vector:  # its exact entries are long: they are written neuron by neuron
            return rf"{h} &= {act.tex}({z})"
        named = r" \\ ".join(
            " & ".join(f"{act.tex}{bracket(self.entry(z_exact[r, c]))}" for c in range(z_exact.cols))
            for r in range(z_exact.rows)
        )
        line = rf"{h} &= {act.tex}({z}) = \begin{{bmatrix}} {named} \end{{bmatrix}}"
        if _is_rational(h_exact):
            line += f" = {self.matrix(h_exact)}"
        return line

    def neurons(self, number: int, row: int) -> list[str]:
        """z_j = h_1 w_1j + ... + b_j = value, then h_j = f(z_j) = its definition there = value."""
        result, names = self.result, self.names
        net = result.network
        layer = net.layers[number - 1]
        last = number == len(net.layers)
        inputs = list(result.layer_input(number).row(row))
        z_exact, h_exact = result.steps[2 * number - 2].exact, result.steps[2 * number - 1].exact
        lines = []
        for j in range(layer.units):
            terms = [
                rf"{self.factor(v, [])} \cdot {self.factor(layer.weights[i, j], [])}" for i, v in enumerate(inputs)
            ]
            bias = layer.bias[0, j]
            if bias != 0:
                text = self.entry(bias)
                terms.append(f"- {text[1:]}" if text.startswith("-") else f"+ {text}")
            written = " + ".join(t for t in terms if not t.startswith(("+ ", "- ")))
            written += "".join(f" {t}" for t in terms if t.startswith(("+ ", "- ")))
            value = self.entry(z_exact[row, j], inputs)
            line = rf"{names.unit('z', number, j + 1)} &= {written} = {value}"
            if not z_exact[row, j].is_Rational:
                line += rf" \approx {_approx(_float(z_exact[row, j]))}"
            lines.append(line.replace("+ -", "- "))
        if layer.is_identity:
            return lines
        kind = "y" if last else "h"
        act = layer.activation
        for j in range(layer.units):
            value = h_exact[row, j]
            unit = names.unit(kind, number, j + 1)
            if act.is_vector:
                line = rf"{unit} &= {act.tex}({names.matrix('Z', number)})_{{{j + 1}}} = {self.entry(value)}"
            else:
                z_value = z_exact[row, j]
                line = rf"{unit} &= {act.tex}{bracket(self.entry(z_value))}"
                definition = self.definition_at(number, z_value)
                if definition is not None:
                    line += f" = {definition}"
                if value.is_Rational:
                    line += f" = {self.entry(value)}"
            if not value.is_Rational:
                line += rf" \approx {_approx(_float(value))}"
            lines.append(line)
        return lines

    def definition_at(self, number: int, z_value: Expr) -> str | None:
        """The definition at one value, parameters written as the catalogue's notation does (λα(e^{-2} - 1))."""
        from symdl.catalog import x

        layer = self.result.network.layers[number - 1]
        w = notation(layer.activation, Style(), dict(layer.values))
        value = layer.activation.definition.subs(w.substitution).subs(x, z_value)
        if value.is_Rational:
            return None
        printer = w.printer()
        printer.decimals = frozenset(self.p.decimals)
        return printer.doprint(value)

    def notes(self, number: int) -> list[str]:
        """The parameter values used, and where the lecture's own formula differs (as the activation slides say)."""
        layer = self.result.network.layers[number - 1]
        act = layer.activation
        if not act.parameters:
            return []
        w = notation(act, Style(lang=self.board.lang), dict(layer.values))
        values = ", ".join(f"{w(s)} = {activation_latex.number(v)}" for s, v in layer.values)
        out = [self.said["parameters"].format(values=f"${values}$")]
        differs = LECTURE_DIFFERS.get(act.name)
        if differs is not None:
            defaults = ", ".join(f"${w(p.symbol)} = {activation_latex.number(p.default)}$" for p in act.parameters)
            out.append(differs[self.board.lang].format(values=defaults))
        return out

    # ------------------------------------------------------------------ the general formula and the check

    def general(self) -> list[Block]:
        result, names, said = self.result, self.names, self.said
        kinds = result.symbols
        lines = []
        for number, (g, layer) in enumerate(zip(result.general, result.network.layers, strict=True), start=1):
            last = number == len(result.general)
            kind = "y" if last else "h"
            for j in range(layer.units):
                lhs = names.unit(kind if layer.is_identity else "z", number, j + 1)
                lines.append(f"{lhs} &= {self.p.doprint(_general_order(g.pre_activation[0, j], kinds))}")
            if not layer.is_identity:
                lines.append(self.general_activation(number, g, kind))
        out = [
            Block("heading", said["general"], 2),
            Block("text", said["general_text"]),
            Block("math", _aligned(lines)),
        ]
        if not any(layer.activation.is_vector for layer in result.network.layers[:-1]):
            out.append(Block("text", said["together"]))
            last = len(result.general)
            kind = "y" if result.network.layers[-1].is_identity else "z"
            z = result.steps[-2].general
            for k in range(z.cols):
                terms = [self.p.doprint(t) for t in Add.make_args(_general_order(z[0, k], kinds))]
                lines = [f"{names.unit(kind, last, k + 1)} &= {terms[0]}"]
                lines += [rf"&\quad - {t[1:]}" if t.startswith("-") else rf"&\quad + {t}" for t in terms[1:]]
                out.append(Block("math", _aligned(lines)))
        return out

    def general_activation(self, number: int, g: GeneralLayer, kind: str) -> str:
        act = self.result.network.layers[number - 1].activation
        units = ", ".join(str(j) for j in range(1, g.z.cols + 1))
        lhs = self.names.unit(kind, number, "j")
        z = self.names.unit("z", number, "j")
        rhs = f"{act.tex}(z{_sup(number)})_j" if act.is_vector else f"{act.tex}({z})"
        return rf"{lhs} &= {rhs}, \quad j = {units}"

    def check(self) -> str:
        a, said = self.result.agreement, self.said
        if a.largest_ulps == 0:
            numeric = said["ulps_same"]
        elif a.largest_ulps <= a.tolerance_ulps:
            numeric = said["ulps"].format(ulps=f"{a.largest_ulps:.2g}", tolerance=a.tolerance_ulps)
        else:
            numeric = said["ulps_bad"].format(ulps=f"{a.largest_ulps:.3g}", where=a.worst)
        return f"{numeric} {said[a.general]}"


def _digits(m: ImmutableMatrix) -> list[list[float]]:
    """The exact entries as the nearest floats (from 20 digits)."""
    return [[_float(m[r, c]) for c in range(m.cols)] for r in range(m.rows)]


def _float(value: Expr) -> float:
    return float(value.doit().evalf(20))


def _activation_name(act: Any) -> str:
    """sigmoid ($\\sigma$); $\\operatorname{ReLU}$ alone where the symbol already says the name."""
    plain = act.name.replace("_", "").lower()
    if plain in act.tex.replace("_", "").lower():
        return f"${act.tex}$"
    return f"{act.name.replace('_', ' ')} (${act.tex}$)"


def _aligned(lines: Iterable[str]) -> str:
    return r"\begin{aligned} " + " \\\\\n".join(lines) + r" \end{aligned}"


# --------------------------------------------------------------------------- the formats


# each kind of block as it is written in LaTeX (math by the templates' \symdlshow) and in Markdown
_LATEX: dict[str, Callable[[Block], str]] = {
    "heading": lambda block: rf"\{'section' if block.level == 1 else 'subsection'}*{{{block.text}}}",
    "math": lambda block: rf"\symdlshow{{{block.text}}}",
    "text": lambda block: rf"\noindent {block.text}" + "\n",
}
_MARKDOWN: dict[str, Callable[[Block], str]] = {
    "heading": lambda block: f"{'#' * block.level} {block.text}",
    "math": lambda block: f"$$\n{block.text}\n$$",
    "text": lambda block: block.text,
}


def as_latex(items: Iterable[Block]) -> str:
    """Blocks as a LaTeX body: starred (sub)sections, display math, paragraphs; the backward view's too."""
    return "\n".join(_LATEX[block.kind](block) for block in items) + "\n"


def as_markdown(items: Iterable[Block]) -> str:
    """Blocks as Markdown: ``#`` headings, ``$$`` math, paragraphs; the backward view's too."""
    return "\n\n".join(_MARKDOWN[block.kind](block) for block in items) + "\n"


def blocks(result: Forward, board: Board = Board()) -> list[Block]:
    """The working as blocks (heading, math, text), for any format."""
    return _Working(result, board).blocks()


def body(result: Forward, board: Board = Board()) -> str:
    """The LaTeX body (for ``\\input``; needs amsmath and the ``\\symdlshow`` macro of the templates)."""
    return as_latex(blocks(result, board))


def document(result: Forward, board: Board = Board()) -> str:
    """A compilable article: the forward pass worked as on the board."""
    return templates.filled(templates.STANDALONE, WORDS[board.lang]["title"], body(result, board), board.lang)


def markdown(result: Forward, board: Board = Board()) -> str:
    """Markdown with ``$$`` blocks, headings as in the lecture's notes."""
    return as_markdown(blocks(result, board))


def worked(result: Forward, board: Board = Board()) -> Tex:
    """The matrix working of every layer as one ``aligned`` block (Jupyter shows it as a formula)."""
    w = _Working(result, board)
    return Tex(_aligned(line for number in range(1, len(result.network.layers) + 1) for line in w.matrix_lines(number)))


# --------------------------------------------------------------------------- the terminal and JSON


class _Plain(StrPrinter):
    """SymPy's str printer with terminating decimals as decimals (unless exact) and activations by name."""

    def __init__(self, exact: bool) -> None:
        super().__init__()
        self.exact = exact

    def _print_Rational(self, expr: Rational) -> str:
        if not self.exact and decimal(abs(expr)) is not None:
            return ("-" if expr < 0 else "") + decimal(abs(expr))
        return super()._print_Rational(expr)


def _plain_sum(expr: Expr, printer: _Plain) -> str:
    """A sum in the order it was arranged (StrPrinter would sort it): x_1*w1_11 + ... + b1_1."""
    terms = ["*".join(printer.doprint(f) for f in Mul.make_args(t)) for t in Add.make_args(expr)]
    return " + ".join(terms).replace("+ -", "- ")


def _row_text(m: ImmutableMatrix, printer: _Plain, order: ImmutableMatrix | None = None) -> str:
    """[4, 3, -2]; sums in the order of ``order``'s row (sigmoid(4) - sigmoid(3) + 1); a batch as a list of rows."""

    def entry(r: int, c: int) -> str:
        arranged = _in_order(m[r, c], list(order.row(r)) if order is not None else [])
        return " + ".join(printer.doprint(t) for t in Add.make_args(arranged)).replace("+ -", "- ")

    rows = ["[" + ", ".join(entry(r, c) for c in range(m.cols)) + "]" for r in range(m.rows)]
    return rows[0] if len(rows) == 1 else "[" + ", ".join(rows) + "]"


def _float_text(values: np.ndarray) -> str:
    rows = ["[" + ", ".join(f"{v:.10g}" for v in row) + "]" for row in values]
    return rows[0] if len(rows) == 1 else "[" + ", ".join(rows) + "]"


def report(result: Forward, board: Board = Board()) -> str:
    """The terminal report: the network, each intermediate exact and in float64, the general formula, the check."""
    net = result.network
    plain = _Plain(board.exact)
    examples = "one example" if net.inputs.rows == 1 else f"{net.inputs.rows} examples"
    source = f" ({net.source})" if net.source else ""
    lines = [
        f"network{source}: {' → '.join(str(s) for s in net.sizes)}, {examples}, row vectors: Z = X W + B, H = f(Z)",
        f"  X  = {_row_text(net.inputs, plain)}",
    ]
    for number, layer in enumerate(net.layers, start=1):
        role = "output" if number == len(net.layers) else "hidden"
        params = ", ".join(f"{s.name}={plain.doprint(v)}" for s, v in layer.values)
        activation = layer.activation.name + (f" ({params})" if params else "")
        lines += [
            f"  layer {number} ({role}): activation {activation}",
            f"    W{number} = {_row_text(layer.weights, plain)}",
            f"    B{number} = {_row_text(layer.bias, plain)}",
        ]
    lines += ["", "forward pass: exact, then ≈ float64 (NumPy)"]
    width = max(len(_formula(s.name, net)) for s in result.steps)
    for k, step in enumerate(result.steps):
        order = result.layer_input(k // 2 + 1)
        lines.append(f"  {_formula(step.name, net).ljust(width)}  = {_row_text(step.exact, plain, order)}")
        lines.append(f"  {''.ljust(width)}  ≈ {_float_text(step.numeric)}")
    lines += ["", "general formula (one example; every input, weight and bias a symbol)"]
    for number, (g, layer) in enumerate(zip(result.general, net.layers, strict=True), start=1):
        last = number == len(net.layers)
        for j in range(layer.units):
            lhs = (("y" if last else f"h{number}") if layer.is_identity else f"z{number}") + f"_{j + 1}"
            lines.append(f"  {lhs} = {_plain_sum(_general_order(g.pre_activation[0, j], result.symbols), plain)}")
        if not layer.is_identity:
            lhs = "y_j" if last else f"h{number}_j"
            rhs = (
                f"{layer.activation.name}(z{number})_j"
                if layer.activation.is_vector
                else f"{layer.activation.name}(z{number}_j)"
            )
            lines.append(f"  {lhs} = {rhs}")
    lines += ["", f"check: {result.agreement}"]
    return "\n".join(lines)


def _formula(name: str, net: Network) -> str:
    """Z1 = X W1 + B1, H1 = f(Z1), Y = f(Z2)."""
    number = int(name[1:]) if name != "Y" else len(net.layers)
    if name.startswith("Z"):
        before = "X" if number == 1 else f"H{number - 1}"
        return f"{name} = {before} W{number} + B{number}"
    act = net.layers[number - 1].activation
    return f"{name} = {act.name}(Z{number})"


def data(result: Forward, board: Board = Board()) -> dict[str, Any]:
    """JSON-ready: the network, every intermediate in its three forms, and the check."""
    net = result.network
    plain = _Plain(exact=True)
    names = _Names(result)
    printer = _printer(result, board, names)

    def strings(m: ImmutableMatrix) -> list[list[str]]:
        return [[plain.doprint(m[r, c]) for c in range(m.cols)] for r in range(m.rows)]

    a = result.agreement
    return {
        "source": net.source or None,
        "sizes": list(net.sizes),
        "X": strings(net.inputs),
        "layers": [
            {
                "W": strings(layer.weights),
                "B": strings(layer.bias)[0],
                "activation": layer.activation.name,
                "parameters": {s.name: plain.doprint(v) for s, v in layer.values},
            }
            for layer in net.layers
        ],
        "forward": {
            step.name: {
                "exact": strings(step.exact),
                "exact_latex": [
                    [printer.doprint(step.exact[r, c]) for c in range(step.exact.cols)] for r in range(step.exact.rows)
                ],
                "exact_float": _digits(step.exact),
                "numeric": step.numeric.tolist(),
                "general": strings(step.general)[0],
            }
            for step in result.steps
        },
        "check": {
            "agrees": a.agrees,
            "largest_ulps": a.largest_ulps,
            "worst": a.worst,
            "tolerance_ulps": a.tolerance_ulps,
            "general_vs_exact": a.general,
            "text": str(a),
        },
    }


__all__ = [
    "WORDS",
    "Block",
    "Board",
    "as_latex",
    "as_markdown",
    "blocks",
    "body",
    "data",
    "document",
    "markdown",
    "report",
    "worked",
]
