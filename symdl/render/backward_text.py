"""The whole flow in the terminal and as JSON, two formats over the board's blocks (``symdl.render.backward``),
each writing the blocks that carry a value (role ``pass``, ``outputs``, ``loss``, ``output``, ``backward``,
``gradients``, ``update``, ``check``): the loss, the δ's and gradients (exact where short, and in
float64), the update, the check.  The board (LaTeX, Markdown) is ``symdl.render.backward``'s.  JSON holds
every exact value that can be written out (``symdl.render.numbers.PRINTED``), null for one too long.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from sympy import Expr, ImmutableMatrix

from symdl.network.backward import Backward, Checks, Delta, Gradient
from symdl.network.forward import Intermediate
from symdl.network.losses import OutputDelta
from symdl.network.update import Update
from symdl.render.blocks import BOARD, Block, Board, ByRole
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


class _Terminal(ByRole):
    """The terminal's lines of each block that carries a value (the board's text and headings are LaTeX's)."""

    def __init__(self, board: Board) -> None:
        self.plain = Plain(board.exact)
        self.writing = Writing()
        self.result: Backward

    def exact(self, m: ImmutableMatrix) -> str | None:
        return _exact_text(m, self.plain, self.writing)

    def _pass(self, result: Backward) -> list[str]:
        self.result = result
        net = result.network
        source = f" ({net.source})" if net.source else ""
        activations = ", ".join(layer.activation.name for layer in net.layers)
        examples = "one example" if net.inputs.rows == 1 else f"{net.inputs.rows} examples (the loss is their mean)"
        return [
            f"backward pass{source}: {' → '.join(map(str, net.sizes))}, activations {activations}, {examples}",
            f"  loss {result.loss.name} against T = {plain_rows(result.target, self.plain)}",
        ]

    def _outputs(self, step: Intermediate) -> list[str]:
        return [f"  Y  = {self.exact(step.exact) or '…'}", f"     ≈ {float_text(step.numeric)}"]

    def _loss(self, result: Backward) -> list[str]:
        return [f"  L  = {_one(result.value, result.loss_value, self.plain, self.writing)}"]

    def _output(self, rule: OutputDelta) -> list[str]:
        lines = ["", "output layer, derived by the engine (one example):"]
        return lines + [f"  dl/dz_j = {one_line(step.expr)}" for step in rule.steps[-1:]]

    def _backward(self, _: Any) -> list[str]:
        return ["", "backward pass: exact, then ≈ float64 (NumPy backprop)"]

    def _gradients(self, number: int) -> list[str]:
        result = self.result
        before = "X" if number == 1 else f"H{number - 1}"
        if number == len(result.network.layers):
            delta = f"delta{number} = dL/dZ{number}"
        else:
            delta = f"delta{number} = (delta{number + 1} W{number + 1}^T) * f'(Z{number})"
        lines = []
        for formula, item in (
            (delta, result.deltas[number - 1]),
            (f"dL/dW{number} = {before}^T delta{number}", result[f"W{number}"]),
            (f"dL/dB{number} = sum of delta{number} over the examples", result[f"B{number}"]),
        ):
            exact = self.exact(item.exact)
            lines.append(f"  {formula}")
            if exact is not None:
                lines.append(f"      = {exact}")
            lines.append(f"      ≈ {float_text(item.numeric)}")
        return lines

    def _update(self, u: Update) -> list[str]:
        plain = self.plain
        lines = ["", f"update: one step of gradient descent, eta = {plain.doprint(u.learning_rate)}"]
        for number, (w, b) in enumerate(u.weights, start=1):
            for kind, m, values in (("W", w, u.numeric[number - 1][0]), ("B", b, u.numeric[number - 1][1])):
                exact = self.exact(m)
                lines.append(f"  {kind}{number} <- {exact if exact is not None else '≈ ' + float_text(values)}")
        change = "went down" if u.decreased else "went UP (eta is too large for this step)"
        # beyond float64, the change is worked out from the exact losses
        by = f"{abs(u.after - u.before):.6g}" if np.isfinite(u.after) else exact_text(u.loss_after - u.loss_before, 6)
        before, after = _number_text(u.loss_before, u.before), _number_text(u.loss_after, u.after)
        predicts = f"(the gradient predicts {u.first_order:.6g} for a small step)"
        lines.append(f"  loss: {before} -> {after}, {change} by {by} {predicts}")
        if not np.isfinite(u.numeric_after):
            lines.append(f"  float64 gives {u.numeric_after} for the new loss: its pass overflows")
        if not u.decreased and u.smaller_rate is not None:
            lines.append(f"  with eta = {plain.doprint(u.smaller_rate)} the loss goes down (float64)")
        return lines

    def _check(self, checks: Checks) -> list[str]:
        return ["", f"check: {checks}"]


def terminal(blocks: list[Block], board: Board = BOARD) -> str:
    """The terminal report over the board's blocks: loss, δ's and gradients (exact where short, and float64),
    the update, the check."""
    return _Terminal(board).lines(blocks)


def _one(value: Expr, approx: float, plain: Plain, writing: Writing) -> str:
    if not writing(value):
        return f"≈ {_number_text(value, approx)}"
    text = plain.doprint(value)
    if value.is_Rational:
        return text
    return f"{text} ≈ {_number_text(value, approx)}" if len(text) <= 60 else f"≈ {_number_text(value, approx)}"


class _Json(ByRole):
    """The JSON entries of each block that carries a value: every exact value that can be written out."""

    def __init__(self, board: Board) -> None:
        self.board = board
        self.plain = Plain(exact=True)

    def strings(self, m: ImmutableMatrix) -> list[list[str | None]]:
        return exact_strings(m, self.plain, self.writing)

    def one(self, value: Expr) -> str | None:
        return self.plain.doprint(value) if self.writing(value) else None

    def tex(self, value: Expr) -> str | None:
        return self.sheet.tex(value) if self.writing(value) else None

    def _pass(self, result: Backward) -> None:
        self.sheet = Sheet(result, self.board)
        self.writing = self.sheet.writing  # one budget for the plain and the LaTeX text of the same values
        self.out |= {
            "source": result.network.source or None,
            "sizes": list(result.network.sizes),
            "activations": [layer.activation.name for layer in result.network.layers],
        }

    def _loss(self, result: Backward) -> None:
        self.out["loss"] = {
            "name": result.loss.name,
            "reduction": "mean over the examples",
            "target": self.strings(result.target),
            "exact": self.one(result.value),
            "exact_latex": self.tex(result.value),
            "exact_float": result.loss_value,
            "numeric": result.loss_numeric,
        }

    def _output(self, rule: OutputDelta) -> None:
        self.out["output_delta"] = [
            {"rule": step.rule, "check": step.check, "text": one_line(step.expr), "latex": self.sheet.tex(step.expr)}
            for step in rule.steps
        ]

    def _backward(self, records: tuple[tuple[Delta, ...], tuple[Gradient, ...]]) -> None:
        deltas, gradients = records
        strings = self.strings
        self.out["deltas"] = {
            d.name: {"exact": strings(d.exact), "exact_float": _lists(d.value), "numeric": _lists(d.numeric)}
            for d in deltas
        }
        self.out["gradients"] = {
            g.name: {
                "exact": strings(g.exact),
                "exact_latex": [[self.tex(e) for e in row] for row in g.exact.tolist()],
                "exact_float": _lists(g.value),
                "numeric": _lists(g.numeric),
                "direct": None if g.direct is None else strings(g.direct),
                "finite_difference": _lists(g.finite_difference),
            }
            for g in gradients
        }

    def _update(self, u: Update) -> None:
        plain, strings, one = self.plain, self.strings, self.one
        self.out["update"] = {
            "learning_rate": plain.doprint(u.learning_rate),
            "weights": {
                f"{kind}{number}": {"exact": strings(m), "numeric": _lists(values)}
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
        }

    def _check(self, c: Checks) -> None:
        self.out["check"] = {
            "agrees": c.agrees,
            "chain_vs_direct": c.direct,
            "numeric_vs_exact": c.numeric_error,
            "numeric_worst": c.numeric_worst,
            "finite_differences_vs_numeric": c.finite_difference_error,
            "finite_differences_worst": c.finite_difference_worst or None,
            "note": c.note or None,
            "float64_not_finite": c.non_finite or None,
            "text": str(c),
        }


def _lists(values: np.ndarray | None) -> list | None:
    return None if values is None else np.asarray(values).tolist()


def data(blocks: list[Block], board: Board = BOARD) -> dict[str, Any]:
    """JSON-ready, over the board's blocks: the loss, the engine's δ derivation, δ's and gradients in every
    form, the update, the check."""
    return _Json(board).entries(blocks)
