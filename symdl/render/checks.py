"""Views of the cross-check reports: the terminal table a lecturer reads before class, and JSON."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from symdl.numeric.check import Accuracy, Report


def _ulps(results: list[Accuracy], derivative: bool, dtype: str) -> str:
    for a in results:
        if a.function.endswith("'") == derivative and a.dtype == dtype:
            mark = "" if a.passed else " ✗"
            return f"{a.max_ulp:.3g}{mark}"
    return "-"


def table(reports: list[Report]) -> str:
    """One row per activation: worst ulps of f and f' (float64/float32), the three mathematical checks."""
    head = ("activation", "f f64", "f f32", "f' f64", "f' f32", "f' vs FD", "g(f)=f'", "kinks", "")
    rows = [head]
    for r in reports:
        acc = list(r.accuracy)
        # check() orders them: derivative (Jacobian) vs differences, output form, kinks
        marks = [("ok" if c.passed else "FAIL") for c in r.checks] + ["-"] * (3 - len(r.checks))
        rows.append(
            (
                r.activation,
                _ulps(acc, False, "float64"),
                _ulps(acc, False, "float32"),
                _ulps(acc, True, "float64"),
                _ulps(acc, True, "float32"),
                *marks,
                "PASS" if r.passed else "FAIL",
            )
        )
    widths = [max(len(row[c]) for row in rows) for c in range(len(head))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip() for row in rows]
    failed = [r.activation for r in reports if not r.passed]
    summary = (
        f"all {len(reports)} pass: every error within 4 (1 + kappa) ulp (max ulps shown)"
        if not failed
        else f"{len(failed)} of {len(reports)} FAIL: {', '.join(failed)}"
    )
    return "\n".join([*lines, "", summary])


def details(reports: list[Report]) -> str:
    """The failures in full: which check, the worst point and ratio."""
    out = []
    for r in reports:
        for a in r.accuracy:
            if not a.passed:
                out.append(
                    f"{a.function} ({a.dtype}): error {a.worst_ratio:.3g} x the bound at x = {a.worst_x:.17g};"
                    f" {a.nonfinite} non-finite outputs"
                )
        out += [f"{r.activation}: {c.name}: {c.detail}" for c in r.checks if not c.passed]
    return "\n".join(out)


def data(reports: list[Report]) -> list[dict[str, Any]]:
    return [
        {
            "activation": r.activation,
            "passed": r.passed,
            "accuracy": [asdict(a) | {"passed": a.passed} for a in r.accuracy],
            "checks": [asdict(c) for c in r.checks],
        }
        for r in reports
    ]
