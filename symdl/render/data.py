"""JSON-ready views (``--json``): plain dicts of strings, numbers, booleans and None."""

from __future__ import annotations

from typing import Any

from sympy import Expr

from symdl.engine.calculus import Derivation
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
    act = d.activation
    values = d.valuemap if substituted else {}
    p = d.properties
    return {
        "name": act.name,
        "aliases": list(act.aliases),
        "parameters": {q.name: _number(d.valuemap[q.symbol], act) for q in act.parameters},
        "vector": act.is_vector,
        "definition_latex": tex(act.definition.subs(values), act),
        "derivative_latex": tex(d.derivative.subs(values), act),
        "output_form_latex": None if d.output_form is None else tex(d.output_form.subs(values), act),
        "output_form_note": d.output_form_note or None,
        "kinks": [
            {
                "at": _number(b.at.subs(values), act),
                "left_slope": _number(b.left_slope.subs(values), act),
                "right_slope": _number(b.right_slope.subs(values), act),
                "value_used": _number(b.slope.subs(values), act),
                "continuous": b.continuous,
            }
            for b in d.kinks
        ],
        "breakpoints": [
            {
                "at": _number(b.at.subs(values), act),
                "value_used": _number(b.slope.subs(values), act),
                "continuous": b.continuous,
                "differentiable": b.differentiable,
                "order": b.order,
            }
            for b in d.breakpoints
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
