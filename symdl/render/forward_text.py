"""The forward pass in the terminal and as JSON: the network, each intermediate exact and in float64, the
general formula, the check.  The board (LaTeX, Markdown) is ``symdl.render.network``'s.  An exact value too
long to write out (``symdl.render.numbers.PRINTED``) is shown by its float value only: "…" in the terminal,
null in JSON.
"""

from __future__ import annotations

from typing import Any

from sympy import Add, Expr, ImmutableMatrix, Mul

from symdl.network.forward import Forward
from symdl.network.spec import Network
from symdl.render.blocks import BOARD, Board, Names
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


def report(result: Forward, board: Board = BOARD) -> str:
    """The terminal report: the network, each intermediate exact and in float64, the general formula, the check."""
    net = result.network
    plain = Plain(board.exact)
    writing = Writing()
    examples = "one example" if net.inputs.rows == 1 else f"{net.inputs.rows} examples"
    source = f" ({net.source})" if net.source else ""
    lines = [
        f"network{source}: {' → '.join(str(s) for s in net.sizes)}, {examples}, row vectors: Z = X W + B, H = f(Z)",
        f"  X  = {_row_text(net.inputs, plain, writing)}",
    ]
    for number, layer in enumerate(net.layers, start=1):
        role = "output" if number == len(net.layers) else "hidden"
        params = ", ".join(f"{s.name}={plain.doprint(v)}" for s, v in layer.values)
        activation = layer.activation.name + (f" ({params})" if params else "")
        lines += [
            f"  layer {number} ({role}): activation {activation}",
            f"    W{number} = {_row_text(layer.weights, plain, writing)}",
            f"    B{number} = {_row_text(layer.bias, plain, writing)}",
        ]
    lines += ["", "forward pass: exact, then ≈ float64 (NumPy)"]
    width = max(len(_formula(s.name, net)) for s in result.steps)
    for k, step in enumerate(result.steps):
        order = result.layer_input(k // 2 + 1)
        lines.append(f"  {_formula(step.name, net).ljust(width)}  = {_row_text(step.exact, plain, writing, order)}")
        lines.append(f"  {''.ljust(width)}  ≈ {float_text(step.numeric)}")
    lines += ["", "general formula (one example; every input, weight and bias a symbol)"]
    for number, (g, layer) in enumerate(zip(result.general, net.layers, strict=True), start=1):
        last = number == len(net.layers)
        for j in range(layer.units):
            lhs = (("y" if last else f"h{number}") if layer.is_identity else f"z{number}") + f"_{j + 1}"
            lines.append(f"  {lhs} = {_plain_sum(general_order(g.pre_activation[0, j], result.symbols), plain)}")
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


def data(result: Forward, board: Board = BOARD) -> dict[str, Any]:
    """JSON-ready: the network, every intermediate in its three forms, and the check."""
    net = result.network
    plain = Plain(exact=True)
    decimals = () if board.exact else forward_decimals(result)
    printer = LecturePrinter(names=Names(result).symbols, decimals=decimals)

    writing = Writing()

    def exact(m: ImmutableMatrix) -> list[list[str | None]]:
        return strings(m, plain, writing)

    def latex(m: ImmutableMatrix) -> list[list[str | None]]:
        return [[printer.doprint(m[r, c]) if writing(m[r, c]) else None for c in range(m.cols)] for r in range(m.rows)]

    a = result.agreement
    return {
        "source": net.source or None,
        "sizes": list(net.sizes),
        "X": exact(net.inputs),
        "layers": [
            {
                "W": exact(layer.weights),
                "B": exact(layer.bias)[0],
                "activation": layer.activation.name,
                "parameters": {s.name: plain.doprint(v) for s, v in layer.values},
            }
            for layer in net.layers
        ],
        "forward": {
            step.name: {
                "exact": exact(step.exact),
                "exact_latex": latex(step.exact),
                "exact_float": float_entries(step.exact),
                "numeric": step.numeric.tolist(),
                "general": exact(step.general)[0],
            }
            for step in result.steps
        },
        "check": {
            "agrees": a.agrees,
            "largest_ulps": a.largest_ulps,
            "worst": a.worst,
            "tolerance_ulps": a.tolerance_ulps,
            "general_vs_exact": a.general,
            "float64_not_finite": a.non_finite or None,
            "text": str(a),
        },
    }
