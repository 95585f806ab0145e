"""What ``symdl show`` and ``symdl derive`` show of a derivation, as one list of blocks.

The builder decides which facts are shown, in which order, and at which parameter values; the formats
write them: the terminal report (``symdl.render.text.show``), JSON (``symdl.render.data.show``) and the
LaTeX snippet (``symdl.render.latex.show_snippet``).  Each block's ``role`` says which fact it is and its
``value`` holds the fact (an expression, a ``Breakpoint``, the ``Properties``); a fact that was not found
is a text block whose ``text`` says why.
"""

from __future__ import annotations

from dataclasses import replace

from symdl.budget import NOT_IN_TIME
from symdl.engine.calculus import PROPERTIES, READABLE, Breakpoint, Derivation
from symdl.render.blocks import Block


def _at_values(b: Breakpoint, values: dict) -> Breakpoint:
    if not values:
        return b
    exprs = ("at", "value", "left", "right", "left_slope", "right_slope", "slope")
    return replace(b, **{name: getattr(b, name).subs(values) for name in exprs})


def facts(d: Derivation, substituted: bool) -> list[Block]:
    """The name, the parameters, definition, derivative, output form, breakpoints and properties; with
    ``substituted`` every formula at the derivation's parameter values, else in the parameters' names."""
    act = d.activation
    values = d.valuemap if substituted else {}
    out = [Block("heading", act.name, 1, role="name", names=act.aliases)]
    out += [Block("fact", p.name, role="parameter", value=(p.symbol, d.valuemap[p.symbol])) for p in act.parameters]
    out.append(Block("fact", "", role="definition", value=act.definition.subs(values)))
    out.append(Block("fact", "", role="derivative", value=d.derivative.subs(values)))
    if READABLE in d.notes:
        out.append(Block("text", f"as sympy.diff gives it: a readable form was {NOT_IN_TIME}", role="derivative"))
    if d.output_form is None:
        out.append(Block("text", d.output_form_note, role="output form"))
    else:
        out.append(Block("fact", "", role="output form", value=d.output_form.subs(values)))
    out += [Block("fact", "", role="breakpoint", value=_at_values(b, values)) for b in d.breakpoints]
    if d.properties is None:
        out.append(Block("text", d.notes.get(PROPERTIES, NOT_IN_TIME), role="properties"))
    else:
        out.append(Block("fact", "", role="properties", value=d.properties))
    return out


def of(blocks: list[Block], role: str) -> list[Block]:
    """The blocks of one role, in order."""
    return [block for block in blocks if block.role == role]


__all__ = ["facts", "of"]
