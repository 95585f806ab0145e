"""How the forward pass's three computations are compared: exact against float64 in units in the last place
(where float64 overflows or gives NaN, that is said instead: never agreement), and the general formula with
the values put in against the exact result, symbolically (``symdl.engine.verify``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import mpmath
import numpy as np

from symdl.engine.verify import ORDER, equal
from symdl.errors import BadNetwork
from symdl.network.exact import DIGITS, Evaluator, NotReal, floats, short_text

if TYPE_CHECKING:  # the records compared; symdl.network.forward imports this module
    from symdl.network.forward import GeneralLayer, Intermediate
    from symdl.network.spec import Network


@dataclass(frozen=True)
class Agreement:
    """How the three computations compare: exact vs float64 in ulps, and general vs exact, symbolically."""

    largest_ulps: float  # the largest difference of an entry (a finite float64 one), in ulps of its row's scale
    worst: str  # where it is, e.g. "H1[1,3]"
    tolerance_ulps: int
    general: str  # "identical", "simplifies to 0", "equal to 40 digits" or "differs"
    non_finite: str = field(default="", repr=False)  # where float64 first gave inf or NaN, and the exact value

    @property
    def agrees(self) -> bool:
        return not self.non_finite and self.largest_ulps <= self.tolerance_ulps and self.general != "differs"

    def __str__(self) -> str:
        if self.non_finite:
            numeric = self.non_finite
        elif self.largest_ulps <= self.tolerance_ulps:
            within = _ulps_text(self.largest_ulps)
            numeric = f"exact and float64 agree within {within} (at most {self.tolerance_ulps} allowed)"
        else:
            numeric = f"exact and float64 DIFFER by {_ulps_text(self.largest_ulps)} at {self.worst}"
        general = {
            "identical": "the general formula with the values substituted is identical to the exact result",
            "simplifies to 0": "the general formula with the values substituted minus the exact result simplifies to 0",
            "equal to 40 digits": (
                "the general formula with the values substituted equals the exact result to 40 digits"
                " (SymPy could not simplify the difference to 0)"
            ),
            "differs": "the general formula with the values substituted DIFFERS from the exact result",
        }[self.general]
        return f"{numeric}; {general}"


def _ulps_text(ulps: float) -> str:
    return "0 ulp (identical)" if ulps == 0 else f"{ulps:.3g} ulp"


def largest_ulps(network: Network, steps: tuple[Intermediate, ...]) -> tuple[float, str]:
    """The largest |float64 - exact| over every entry whose float64 value is finite, in ulps of its row's scale.

    A row's scale is the largest magnitude its entries reach along the way: for Z the sum of
    |h_i w_ij| + |b_j| (so a sum that cancels is judged by its terms, as rounding is), for H the
    larger of that and |h|.  Every exact value is evaluated once (``Evaluator``), shared parts too.
    """
    evaluate = Evaluator()
    worst, where = 0.0, ""
    previous = np.abs(floats(network.inputs))
    largest = np.finfo(np.float64).max
    with np.errstate(over="ignore", invalid="ignore"), mpmath.workdps(DIGITS):
        for k, step in enumerate(steps):
            layer = network.layers[k // 2]
            height, width = step.exact.shape
            exact = [[_real(network, step, r, c, evaluate) for c in range(width)] for r in range(height)]
            magnitude = np.abs(evaluate.matrix(step.exact))
            if k % 2 == 0:
                scale = previous @ np.abs(floats(layer.weights)) + np.abs(floats(layer.bias))
                z_scale = scale.max(axis=1, keepdims=True)
            else:
                previous = magnitude
            rows = np.minimum(np.maximum(z_scale, magnitude.max(axis=1, keepdims=True)), largest)
            for r in range(step.exact.rows):
                ulp = np.spacing(rows[r, 0]) if rows[r, 0] > 0 else np.finfo(np.float64).smallest_subnormal
                for c in range(step.exact.cols):
                    value = step.numeric[r, c]
                    if not np.isfinite(value):
                        continue  # said by _non_finite
                    error = float(abs(mpmath.mpf(float(value)) - exact[r][c]) / mpmath.mpf(ulp))
                    if error > worst or not where:
                        worst, where = error, f"{step.name}[{r + 1},{c + 1}]"
    return worst, where


def _real(network: Network, step: Intermediate, r: int, c: int, evaluate: Evaluator) -> Any:
    """One exact entry as a number; one that is not a real number is refused, naming where it is."""
    place = f"{network.where()}{step.name}[{r + 1},{c + 1}] = {short_text(step.exact[r, c])}"
    try:
        return evaluate(step.exact[r, c])
    except NotReal:
        raise NotReal(f"{place} is not a real number; an activation must be real for every real input") from None
    except BadNetwork as error:
        raise BadNetwork(f"{place}: {error}") from None


def non_finite(steps: tuple[Intermediate, ...]) -> str:
    """Where float64 first gave inf or NaN, with the exact value there, and how many entries did; or ""."""
    found = [
        (step, r, c) for step in steps for r, c in np.ndindex(step.numeric.shape) if not np.isfinite(step.numeric[r, c])
    ]
    if not found:
        return ""
    step, r, c = found[0]
    value = step.numeric[r, c]
    exact = mpmath.nstr(Evaluator()(step.exact[r, c]), 2)
    what = "overflows" if np.isinf(value) else "gives NaN"
    text = f"float64 {what}: {step.name}[{r + 1},{c + 1}] = {value}; exact value ≈ {exact}"
    if len(found) > 1:
        text += f" ({len(found)} entries of the float64 pass are inf or NaN)"
    return text


def general_vs_exact(network: Network, general: tuple[GeneralLayer, ...], steps: tuple[Intermediate, ...]) -> str:
    """Each layer's general formula with the values and the previous layer's exact outputs put in, against the
    exact result: how they were found equal (layer by layer, so the work grows linearly with depth)."""
    how = "identical"
    for r in range(network.inputs.rows):
        previous = list(network.inputs.row(r))
        for number, (g, layer) in enumerate(zip(general, network.layers, strict=True), start=1):
            values = dict(zip(g.inputs, previous, strict=True))
            values |= dict(zip(g.weights, layer.weights, strict=True)) | dict(zip(g.bias, layer.bias, strict=True))
            for step in steps[2 * number - 2 : 2 * number]:
                for c in range(step.exact.cols):
                    found = equal(step.general[0, c].xreplace(values), step.exact[r, c])
                    if found == "differs":
                        return found
                    if ORDER.index(found) > ORDER.index(how):
                        how = found
            previous = list(steps[2 * number - 1].exact.row(r))
    return how


__all__ = ["Agreement", "general_vs_exact", "largest_ulps", "non_finite"]
