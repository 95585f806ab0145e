"""JSON-ready views (``--json``): plain dicts of strings, numbers, booleans and None."""

from __future__ import annotations

from typing import Any

from sympy import Expr

from symdl.engine.calculus import Derivation
from symdl.render.facts import facts, of
from symdl.render.notation import tex
from symdl.render.text import interval, one_line


def _number(value: Expr, act) -> dict[str, Any]:
    out: dict[str, Any] = {"text": one_line(value), "latex": tex(value, act)}
    try:
        out["float"] = float(value.evalf(20)) if value.is_number else None
    except TypeError:
        out["float"] = None
    return out


def show(d: Derivation, substituted: bool) -> dict[str, Any]:
    """``symdl show --json``: the blocks of ``symdl.render.facts`` as plain data, formulas in LaTeX."""
    act = d.activation
    blocks = facts(d, substituted)
    (form,) = of(blocks, "output form")
    points = [b.value for b in of(blocks, "breakpoint")]
    (found,) = of(blocks, "properties")
    p = found.value
    return {
        "name": act.name,
        "aliases": list(act.aliases),
        "parameters": {b.text: _number(b.value[1], act) for b in of(blocks, "parameter")},
        "vector": act.is_vector,
        "definition_latex": tex(of(blocks, "definition")[0].value, act),
        "derivative_latex": tex(of(blocks, "derivative")[0].value, act),
        "output_form_latex": tex(form.value, act) if form.kind == "fact" else None,
        "output_form_note": None if form.kind == "fact" else form.text,
        "kinks": [
            {
                "at": _number(b.at, act),
                "left_slope": _number(b.left_slope, act),
                "right_slope": _number(b.right_slope, act),
                "value_used": _number(b.slope, act),
                "continuous": b.continuous,
            }
            for b in points
            if b.is_kink
        ],
        "breakpoints": [
            {
                "at": _number(b.at, act),
                "value_used": _number(b.slope, act),
                "continuous": b.continuous,
                "differentiable": b.differentiable,
                "order": b.order,
            }
            for b in points
        ],
        "not_found_in_time": list(d.not_in_time),
        "not_found": d.notes,
        "properties": None
        if p is None
        else {
            "range": {"text": interval(p.range), "latex": tex(p.range, act)},
            "at_zero": _number(p.at_zero, act),
            "slope_at_zero": _number(p.slope_at_zero, act),
            "max_slope": _number(p.max_slope, act),
            "limit_neg_inf": _number(p.limit_neg, act),
            "limit_pos_inf": _number(p.limit_pos, act),
            "monotonic": p.monotonic,
            "zero_centred": p.zero_centred,
            "continuity": p.continuity_text,
            "note": p.note or None,
        },
    }
