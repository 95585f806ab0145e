"""The whole flow in the terminal and as JSON: the loss, the δ's and gradients (exact where short, and in
float64), the update, the check.  The board (LaTeX, Markdown) is ``symdl.render.backward``'s.  JSON holds
every exact value that can be written out (``symdl.render.numbers.PRINTED``), null for one too long.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from sympy import Expr, ImmutableMatrix

from symdl.network.backward import Backward
from symdl.render.blocks import BOARD, Board
from symdl.render.numbers import Plain, Writing, exact_text, float_text, plain_rows
from symdl.render.numbers import strings as exact_strings
from symdl.render.sheet import Sheet
from symdl.render.text import one_line


def _exact_text(m: ImmutableMatrix, plain: Plain, writing: Writing) -> str | None:
    """The exact matrix on one line if every entry is short (60 characters), else None."""
    if all(writing(e) for e in m) and all(len(plain.doprint(e)) <= 60 for e in m):
        return plain_rows(m, plain)
    return None


def _number_text(value: Expr, rounded: float) -> str:
    """An exact value's float to 10 digits, or where float64 cannot hold it the value itself (1.2e+600)."""
    return f"{rounded:.10g}" if np.isfinite(rounded) else exact_text(value)


def report(result: Backward, board: Board = BOARD) -> str:
    """The terminal report: loss, δ's and gradients (exact where short, and float64), the update, the check."""
    net = result.network
    plain = Plain(board.exact)
    writing = Writing()
    source = f" ({net.source})" if net.source else ""
    activations = ", ".join(layer.activation.name for layer in net.layers)
    examples = "one example" if net.inputs.rows == 1 else f"{net.inputs.rows} examples (the loss is their mean)"
    lines = [
        f"backward pass{source}: {' → '.join(map(str, net.sizes))}, activations {activations}, {examples}",
        f"  loss {result.loss.name} against T = {plain_rows(result.target, plain)}",
        f"  Y  = {_exact_text(result.forward.steps[-1].exact, plain, writing) or '…'}",
        f"     ≈ {float_text(result.forward.steps[-1].numeric)}",
        f"  L  = {_one(result.value, result.loss_value, plain, writing)}",
        "",
        "output layer, derived by the engine (one example):",
    ]
    lines += [f"  dl/dz_j = {one_line(step.expr)}" for step in result.output.steps[-1:]]
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
        exact = _exact_text(item.exact, plain, writing)
        lines.append(f"  {formula}")
        if exact is not None:
            lines.append(f"      = {exact}")
        lines.append(f"      ≈ {float_text(item.numeric)}")
    u = result.update
    lines += ["", f"update: one step of gradient descent, eta = {plain.doprint(u.learning_rate)}"]
    for number, (w, b) in enumerate(u.weights, start=1):
        for kind, m, values in (("W", w, u.numeric[number - 1][0]), ("B", b, u.numeric[number - 1][1])):
            exact = _exact_text(m, plain, writing)
            lines.append(f"  {kind}{number} <- {exact if exact is not None else '≈ ' + float_text(values)}")
    change = "went down" if u.decreased else "went UP (eta is too large for this step)"
    # beyond float64, the change is worked out from the exact losses
    by = f"{abs(u.after - u.before):.6g}" if np.isfinite(u.after) else exact_text(u.loss_after - u.loss_before, 6)
    lines.append(
        f"  loss: {_number_text(u.loss_before, u.before)} -> {_number_text(u.loss_after, u.after)}, {change} by {by}"
        f" (the gradient predicts {u.first_order:.6g} for a small step)"
    )
    if not np.isfinite(u.numeric_after):
        lines.append(f"  float64 gives {u.numeric_after} for the new loss: its pass overflows")
    if not u.decreased and u.smaller_rate is not None:
        lines.append(f"  with eta = {plain.doprint(u.smaller_rate)} the loss goes down (float64)")
    lines += ["", f"check: {result.checks}"]
    return "\n".join(lines)


def _one(value: Expr, approx: float, plain: Plain, writing: Writing) -> str:
    if not writing(value):
        return f"≈ {_number_text(value, approx)}"
    text = plain.doprint(value)
    if value.is_Rational:
        return text
    return f"{text} ≈ {_number_text(value, approx)}" if len(text) <= 60 else f"≈ {_number_text(value, approx)}"


def data(result: Backward, board: Board = BOARD) -> dict[str, Any]:
    """JSON-ready: the loss, the engine's δ derivation, δ's and gradients in every form, the update, the check."""
    plain = Plain(exact=True)
    sheet = Sheet(result, board)
    writing = sheet.writing  # one budget for the plain and the LaTeX text of the same values

    def strings(m: ImmutableMatrix) -> list[list[str | None]]:
        return exact_strings(m, plain, writing)

    def one(value: Expr) -> str | None:
        return plain.doprint(value) if writing(value) else None

    def tex(value: Expr) -> str | None:
        return sheet.tex(value) if writing(value) else None

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
            "exact": one(result.value),
            "exact_latex": tex(result.value),
            "exact_float": result.loss_value,
            "numeric": result.loss_numeric,
        },
        "output_delta": [
            {"rule": step.rule, "check": step.check, "text": one_line(step.expr), "latex": sheet.tex(step.expr)}
            for step in result.output.steps
        ],
        "deltas": {
            d.name: {"exact": strings(d.exact), "exact_float": lists(d.value), "numeric": lists(d.numeric)}
            for d in result.deltas
        },
        "gradients": {
            g.name: {
                "exact": strings(g.exact),
                "exact_latex": [[tex(e) for e in row] for row in g.exact.tolist()],
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
            "loss_before": {"exact": one(u.loss_before), "float": u.before, "numeric": u.numeric_before},
            "loss_after": {
                "exact": one(u.loss_after) if u.loss_after.is_Rational else None,
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
            "float64_not_finite": c.non_finite or None,
            "text": str(c),
        },
    }
