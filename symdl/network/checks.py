"""How the backward pass's computations of the gradients are compared: float64 backprop against the exact
gradients, central finite differences against float64 (direct differentiation against the chain rule is
``symdl.network.backward``'s); where float64 overflowed or gave NaN, that is said instead of agreement.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import mpmath
import numpy as np

from symdl.network.exact import Evaluator

if TYPE_CHECKING:  # the records compared; symdl.network.backward imports this module
    from symdl.network.backward import Delta, Gradient
    from symdl.network.forward import Forward

NUMERIC_TOLERANCE = 1e-12  # float64 backprop against the exact gradient, relative to each matrix's largest entry
FD_TOLERANCE = 1e-6  # central finite differences against float64 backprop, likewise ...
FD_FLOOR = 1e-3  # ... or against this share of the network's largest gradient, where that is larger


@dataclass(frozen=True)
class Checks:
    """How the three computations of the gradients compare."""

    direct: str  # "identical", "simplifies to 0", "equal to 40 digits", "differs" or "not computed"
    numeric_error: float  # largest |float64 − exact| relative to the largest |entry| of its matrix
    numeric_worst: str  # where, e.g. "W1"
    finite_difference_error: float | None  # likewise, finite differences against float64; None if skipped
    finite_difference_worst: str
    note: str = ""  # why something was not computed
    numeric_tolerance: float = NUMERIC_TOLERANCE
    finite_difference_tolerance: float = FD_TOLERANCE
    non_finite: str = ""  # where float64 first overflowed or gave NaN (loss, δ or gradient), or ""

    @property
    def agrees(self) -> bool:
        fd = self.finite_difference_error
        return (
            not self.non_finite
            and self.direct in ("identical", "simplifies to 0", "equal to 40 digits", "not computed")
            and self.numeric_error <= self.numeric_tolerance
            and (fd is None or fd <= self.finite_difference_tolerance)
        )

    def __str__(self) -> str:
        direct = {
            "identical": "chain rule and direct differentiation give identical exact gradients",
            "simplifies to 0": "chain rule and direct differentiation agree exactly (their difference simplifies to 0)",
            "equal to 40 digits": "chain rule and direct differentiation agree to 40 digits",
            "differs": "chain rule and direct differentiation DIFFER",
            "not computed": "direct differentiation not computed",
        }[self.direct]
        error, worst = self.numeric_error, self.numeric_worst
        if self.non_finite:
            numeric = self.non_finite
        elif error <= self.numeric_tolerance:
            numeric = f"float64 backprop is within {error:.2g} of the exact gradients (relative)"
        else:
            numeric = f"float64 backprop DIFFERS from the exact gradients by {error:.3g} at {worst}"
        fd = self.finite_difference_error
        if fd is None:
            differences = "finite differences skipped"
        elif fd <= self.finite_difference_tolerance:
            differences = f"central finite differences agree within {fd:.2g}"
        else:
            differences = f"central finite differences DIFFER by {fd:.3g} at {self.finite_difference_worst}"
        note = f" ({self.note})" if self.note else ""
        return f"{direct}; {numeric}; {differences}{note}"


def relative(a: np.ndarray, b: np.ndarray, floor: float) -> float:
    """max |a − b| over the largest |b| of the matrix (at least ``floor``)."""
    scale = max(float(np.max(np.abs(b))), floor)
    return float(np.max(np.abs(a - b))) / scale if scale > 0 else float(np.max(np.abs(a - b)))


def compared(
    gradients: tuple[Gradient, ...],
    deltas: tuple[Delta, ...],
    fd: list[np.ndarray] | None,
    fd_note: str,
    result: Forward,
    loss_numeric: float,
    loss_exact: Any,
) -> Checks:
    """float64 against exact, finite differences against float64 (direct differentiation: ``backpropagate``).

    Finite differences carry an error of their own of about ε^(2/3) times the loss's scale (h = ∛ε), which
    in a deep network is far above a first layer's vanishing gradient (16 sigmoid layers: 1e-12 against a
    gradient of 3e-16): a matrix is judged against at least ``FD_FLOOR`` of the network's largest gradient.
    """
    non_finite = _non_finite(gradients, deltas, result, loss_numeric, loss_exact)
    largest = max(float(np.max(np.abs(g.value))) for g in gradients)
    floor = 1e-8 * largest  # a matrix of zeros (a dead unit) is judged against the largest gradient
    with np.errstate(over="ignore", invalid="ignore"):
        numeric = [(relative(q.numeric, q.value, floor), q.name) for q in (*gradients, *deltas)]
        numeric_error, numeric_worst = max(numeric)
        fd_error, fd_worst = None, ""
        if fd is not None:
            fd_error, fd_worst = max(
                (relative(g.finite_difference, g.numeric, FD_FLOOR * largest), g.name) for g in gradients
            )
    if non_finite:  # every comparison above is with inf or NaN somewhere: said by non_finite instead
        numeric_error, fd_error = 0.0, None
        fd_note = fd_note or "float64 is not finite"
    return Checks("not computed", numeric_error, numeric_worst, fd_error, fd_worst, fd_note, non_finite=non_finite)


def _non_finite(
    gradients: tuple[Gradient, ...], deltas: tuple[Delta, ...], result: Forward, loss_numeric: float, loss_exact: Any
) -> str:
    """Where float64 first overflowed or gave NaN: the forward pass, the loss, a δ or a gradient; or ""."""
    if result.agreement.non_finite:
        return result.agreement.non_finite
    if not np.isfinite(loss_numeric):
        what = "overflows" if np.isinf(loss_numeric) else "gives NaN"
        return f"float64 {what}: L = {loss_numeric}; exact value ≈ {mpmath.nstr(loss_exact, 2)}"
    for item in (*reversed(deltas), *gradients):
        for (r, c), value in np.ndenumerate(item.numeric):
            if not np.isfinite(value):
                what = "overflows" if np.isinf(value) else "gives NaN"
                exact = mpmath.nstr(Evaluator()(item.exact[r, c]), 2)
                return f"float64 {what}: {item.name}[{r + 1},{c + 1}] = {value}; exact value ≈ {exact}"
    return ""


__all__ = ["FD_FLOOR", "FD_TOLERANCE", "NUMERIC_TOLERANCE", "Checks", "compared", "relative"]
