"""Cases and conditions as the lecture writes them: the variable first, a chain where it is one
(``-1 < x < 1``), each branch of a ``Piecewise`` with the region of x where it holds.

``Conditions`` is the part of ``symdl.render.printer.LecturePrinter`` that prints them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from sympy import Expr, Indexed, Piecewise, S, Symbol, oo
from sympy.core.relational import Relational

from symdl.catalog import x
from symdl.engine.regions import grouped, regions
from symdl.errors import DerivationError

RELATIONS: dict[str, str] = {">": ">", "<": "<", ">=": r"\ge", "<=": r"\le", "==": "=", "!=": r"\ne"}
FLIPPED: dict[str, str] = {">": "<", "<": ">", ">=": "<=", "<=": ">=", "==": "==", "!=": "!="}


class Conditions:
    """How a printer writes a ``Piecewise`` and its conditions; it needs ``_print``, ``values`` (the parameter
    values the regions are found at) and ``variable`` (the LaTeX of x)."""

    values: dict[Any, Any]
    variable: str
    _print: Callable[..., str]

    def _print_Piecewise(self, expr: Piecewise) -> str:
        rows = [(self._print(value), self.condition(where)) for value, where in self._rows(expr)]
        return cases(rows)

    def _rows(self, expr: Piecewise) -> list[tuple[Expr, Any]]:
        """The branches with where each holds: regions of x (rightmost first), else the declared conditions."""
        try:
            found = regions(expr, x, self.values)
        except (DerivationError, TypeError, ValueError):
            return [(value, condition) for value, condition in expr.args]
        return grouped((region, region.expr) for region in reversed(found))

    def condition(self, where: Any) -> str:
        """``\\text{if } x > 0``, ``\\text{if } -1 < x < 1 \\text{ or } ...``, ``\\text{otherwise}``."""
        if where == S.true:
            return r"\text{otherwise}"
        if isinstance(where, (list, tuple)):
            return r"\text{if } " + r" \text{ or } ".join(self.interval(r) for r in where)
        return rf"\text{{if }} {self._print(where)}"

    def interval(self, region: Any) -> str:
        """A region of x as a condition: ``x = 0``, ``x > 0``, ``-1 \\le x < 1``."""
        var = self.variable
        lo, hi = self._print(region.lo), self._print(region.hi)
        if region.is_point:
            return f"{var} = {lo}"
        low = None if region.lo == -oo else f"{lo} {RELATIONS['<=' if region.lo_closed else '<']} "
        high = None if region.hi == oo else f" {RELATIONS['<=' if region.hi_closed else '<']} {hi}"
        if low is None and high is None:
            return rf"{var} \in \mathbb{{R}}"
        if low is None:
            return f"{var}{high}"
        if high is None:
            return f"{var} {RELATIONS['>=' if region.lo_closed else '>']} {lo}"
        return f"{low}{var}{high}"

    def _print_Relational(self, expr: Relational) -> str:
        lhs, op, rhs = expr.lhs, expr.rel_op, expr.rhs
        if _is_variable(rhs) and not _is_variable(lhs):
            lhs, op, rhs = rhs, FLIPPED[op], lhs
        return f"{self._print(lhs)} {RELATIONS[op]} {self._print(rhs)}"

    def _print_And(self, expr: Any) -> str:
        parts = list(expr.args)
        if len(parts) == 2 and all(isinstance(p, Relational) for p in parts):
            chained = _chain(parts)
            if chained is not None:
                lo, op_lo, var, op_hi, hi = chained
                return f"{self._print(lo)} {RELATIONS[op_lo]} {self._print(var)} {RELATIONS[op_hi]} {self._print(hi)}"
        return r" \text{ and } ".join(self._print(p) for p in parts)

    def _print_Or(self, expr: Any) -> str:
        return r" \text{ or } ".join(self._print(p) for p in expr.args)


def cases(rows: Iterable[tuple[str, str]]) -> str:
    """A ``cases`` block from (value, condition) pairs already printed."""
    return r"\begin{cases} " + r" \\ ".join(f"{value} & {where}" for value, where in rows) + r" \end{cases}"


def _is_variable(expr: Expr) -> bool:
    return (isinstance(expr, Symbol) and expr.name in ("x", "y")) or isinstance(expr, Indexed)


def _chain(parts: list[Relational]) -> tuple[Expr, str, Expr, str, Expr] | None:
    """``x > a`` and ``x < b`` as (a, "<", x, "<", b)."""
    lows, highs = [], []
    for p in parts:
        lhs, op, rhs = p.lhs, p.rel_op, p.rhs
        if _is_variable(rhs) and not _is_variable(lhs):
            lhs, op, rhs = rhs, FLIPPED[op], lhs
        if not _is_variable(lhs):
            return None
        (lows if op in (">", ">=") else highs).append((lhs, op, rhs))
    if len(lows) != 1 or len(highs) != 1:
        return None
    (var, op_lo, lo), (_, op_hi, hi) = lows[0], highs[0]
    return lo, FLIPPED[op_lo], var, op_hi, hi


__all__ = ["FLIPPED", "RELATIONS", "Conditions", "cases"]
