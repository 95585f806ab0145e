"""What every section of the backward board writes with: the pass, the words, the names, and a pen whose printer
writes the Kronecker delta as ``[i = j]`` (δ is the layers' error signal here) and a logarithm after its factor."""

from __future__ import annotations

from typing import Any

from sympy import Add, Mul, Rational, S, log

from symdl.network.backward import Backward
from symdl.render.blocks import Board, Names
from symdl.render.numbers import Pen, forward_decimals, terminating
from symdl.render.printer import LecturePrinter, bracket, decimal
from symdl.render.words import words


class BackwardPrinter(LecturePrinter):
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


def backward_decimals(result: Backward) -> set[Rational]:
    """Terminating rationals of the whole flow (0.01, 1.5, ...): printed as decimals like the lecture's."""
    matrices = [result.target, *(d.exact for d in result.deltas), *(g.exact for g in result.gradients)]
    matrices += [m for pair in result.update.weights for m in pair]
    found = set(forward_decimals(result.forward)) | terminating(matrices)
    for rate in (result.update.learning_rate, result.update.smaller_rate):
        if rate is not None and decimal(rate) is not None:
            found.add(rate)
    return found


class Sheet(Pen):
    """One backward pass on the board: its result, words and names, and the pen its sections write with."""

    def __init__(self, result: Backward, board: Board) -> None:
        self.result = result
        self.board = board
        self.said = words(board.lang)
        self.names = Names(result.forward)
        self.layers = len(result.network.layers)
        decimals = set() if board.exact else backward_decimals(result)
        super().__init__(BackwardPrinter(names=self.names.symbols, decimals=sorted(decimals)))
