"""The forward pass in the terminal and as JSON: two formats over the board's blocks (``symdl.render.network``),
each writing the blocks that carry a value (role ``pass``, ``inputs``, ``parameters``, ``layer``, ``general``,
``check``): the network, each intermediate exact and in float64, the general formula, the check.  An exact value too
long to write out (``symdl.render.numbers.PRINTED``) is shown by its float value only: "…" in the terminal,
null in JSON.
"""

from __future__ import annotations

from typing import Any

from sympy import Add, Expr, ImmutableMatrix, Mul

from symdl.network.forward import Agreement, Forward, GeneralLayer
from symdl.network.spec import Network
from symdl.render.blocks import BOARD, Block, Board, ByRole, Names
from symdl.render.numbers import (
    Plain,
    Writing,
    float_entries,
    float_text,
    forward_decimals,
    general_order,
    in_order,
    rows_text,
    strings,
)
from symdl.render.printer import LecturePrinter


def _plain_sum(expr: Expr, printer: Plain) -> str:
    """A sum in the order it was arranged (StrPrinter would sort it): x_1*w1_11 + ... + b1_1."""
    terms = ["*".join(printer.doprint(f) for f in Mul.make_args(t)) for t in Add.make_args(expr)]
    return " + ".join(terms).replace("+ -", "- ")


def _row_text(m: ImmutableMatrix, plain: Plain, writing: Writing, order: ImmutableMatrix | None = None) -> str:
    """[4, 3, -2]; sums in the order of ``order``'s row (sigmoid(4) - sigmoid(3) + 1); a batch as a list of rows;
    "…" where an entry is too long to write out."""
    if not all(writing(e) for e in m):
        return "…"

    def entry(r: int, c: int) -> str:
        arranged = in_order(m[r, c], list(order.row(r)) if order is not None else [])
        return " + ".join(plain.doprint(t) for t in Add.make_args(arranged)).replace("+ -", "- ")

    return rows_text([entry(r, c) for c in range(m.cols)] for r in range(m.rows))


class _Terminal(ByRole):
    """The terminal's lines of each block that carries a value (the board's text and headings are LaTeX's)."""

    def __init__(self, board: Board) -> None:
        self.plain = Plain(board.exact)
        self.writing = Writing()
        self.result: Forward

    def _pass(self, result: Forward) -> list[str]:
        self.result = result
        net = result.network
        self.width = max(len(_formula(s.name, net)) for s in result.steps)
        examples = "one example" if net.inputs.rows == 1 else f"{net.inputs.rows} examples"
        source = f" ({net.source})" if net.source else ""
        return [
            f"network{source}: {' → '.join(str(s) for s in net.sizes)}, {examples}, row vectors: Z = X W + B, H = f(Z)"
        ]

    def _inputs(self, inputs: ImmutableMatrix) -> list[str]:
        return [f"  X  = {_row_text(inputs, self.plain, self.writing)}"]

    def _parameters(self, number: int) -> list[str]:
        net = self.result.network
        layer = net.layers[number - 1]
        role = "output" if number == len(net.layers) else "hidden"
        params = ", ".join(f"{s.name}={self.plain.doprint(v)}" for s, v in layer.values)
        activation = layer.activation.name + (f" ({params})" if params else "")
        return [
            f"  layer {number} ({role}): activation {activation}",
            f"    W{number} = {_row_text(layer.weights, self.plain, self.writing)}",
            f"    B{number} = {_row_text(layer.bias, self.plain, self.writing)}",
        ]

    def _layer(self, number: int) -> list[str]:
        lines = ["", "forward pass: exact, then ≈ float64 (NumPy)"] if number == 1 else []
        order = self.result.layer_input(number)
        for step in self.result.steps[2 * number - 2 : 2 * number]:
            text = _row_text(step.exact, self.plain, self.writing, order)
            lines.append(f"  {_formula(step.name, self.result.network).ljust(self.width)}  = {text}")
            lines.append(f"  {''.ljust(self.width)}  ≈ {float_text(step.numeric)}")
        return lines

    def _general(self, general: tuple[GeneralLayer, ...]) -> list[str]:
        lines = ["", "general formula (one example; every input, weight and bias a symbol)"]
        layers = self.result.network.layers
        for number, (g, layer) in enumerate(zip(general, layers, strict=True), start=1):
            last = number == len(layers)
            for j in range(layer.units):
                lhs = (("y" if last else f"h{number}") if layer.is_identity else f"z{number}") + f"_{j + 1}"
                sum_ = _plain_sum(general_order(g.pre_activation[0, j], self.result.symbols), self.plain)
                lines.append(f"  {lhs} = {sum_}")
            if not layer.is_identity:
                lhs = "y_j" if last else f"h{number}_j"
                name = layer.activation.name
                rhs = f"{name}(z{number})_j" if layer.activation.is_vector else f"{name}(z{number}_j)"
                lines.append(f"  {lhs} = {rhs}")
        return lines

    def _check(self, agreement: Agreement) -> list[str]:
        return ["", f"check: {agreement}"]


def terminal(blocks: list[Block], board: Board = BOARD) -> str:
    """The terminal report over the board's blocks: the network, each intermediate exact and in float64, the
    general formula, the check."""
    return _Terminal(board).lines(blocks)


def _formula(name: str, net: Network) -> str:
    """Z1 = X W1 + B1, H1 = f(Z1), Y = f(Z2)."""
    number = int(name[1:]) if name != "Y" else len(net.layers)
    if name.startswith("Z"):
        before = "X" if number == 1 else f"H{number - 1}"
        return f"{name} = {before} W{number} + B{number}"
    act = net.layers[number - 1].activation
    return f"{name} = {act.name}(Z{number})"


class _Json(ByRole):
    """The JSON entries of each block that carries a value."""

    def __init__(self, board: Board) -> None:
        self.board = board
        self.plain = Plain(exact=True)
        self.writing = Writing()

    def exact(self, m: ImmutableMatrix) -> list[list[str | None]]:
        return strings(m, self.plain, self.writing)

    def latex(self, m: ImmutableMatrix) -> list[list[str | None]]:
        writing, printer = self.writing, self.printer
        return [[printer.doprint(m[r, c]) if writing(m[r, c]) else None for c in range(m.cols)] for r in range(m.rows)]

    def _pass(self, result: Forward) -> None:
        self.result = result
        decimals = () if self.board.exact else forward_decimals(result)
        self.printer = LecturePrinter(names=Names(result).symbols, decimals=decimals)
        self.out |= {"source": result.network.source or None, "sizes": list(result.network.sizes)}

    def _inputs(self, inputs: ImmutableMatrix) -> None:
        self.out["X"] = self.exact(inputs)

    def _parameters(self, number: int) -> None:
        layer = self.result.network.layers[number - 1]
        self.out.setdefault("layers", []).append(
            {
                "W": self.exact(layer.weights),
                "B": self.exact(layer.bias)[0],
                "activation": layer.activation.name,
                "parameters": {s.name: self.plain.doprint(v) for s, v in layer.values},
            }
        )

    def _layer(self, number: int) -> None:
        for step in self.result.steps[2 * number - 2 : 2 * number]:
            self.out.setdefault("forward", {})[step.name] = {
                "exact": self.exact(step.exact),
                "exact_latex": self.latex(step.exact),
                "exact_float": float_entries(step.exact),
                "numeric": step.numeric.tolist(),
                "general": self.exact(step.general)[0],
            }

    def _check(self, a: Agreement) -> None:
        self.out["check"] = {
            "agrees": a.agrees,
            "largest_ulps": a.largest_ulps,
            "worst": a.worst,
            "tolerance_ulps": a.tolerance_ulps,
            "general_vs_exact": a.general,
            "float64_not_finite": a.non_finite or None,
            "text": str(a),
        }


def data(blocks: list[Block], board: Board = BOARD) -> dict[str, Any]:
    """JSON-ready, over the board's blocks: the network, every intermediate in its three forms, and the check."""
    return _Json(board).entries(blocks)
