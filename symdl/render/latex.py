"""LaTeX views of derived objects."""

from __future__ import annotations

from symdl.calculus import Derivation
from symdl.render.notation import tex


def lhs(d: Derivation, what: str) -> str:
    act = d.activation
    if act.is_vector:
        return {
            "definition": rf"{act.tex}(x)_i",
            "derivative": rf"\frac{{\partial {act.tex}(x)_i}}{{\partial x_j}}",
        }[what]
    return {"definition": rf"{act.tex}(x)", "derivative": rf"{act.tex}'(x)"}[what]


def show_snippet(d: Derivation, substituted: bool) -> str:
    """Definition, derivative and output form as display-math lines."""
    act = d.activation
    values = d.valuemap if substituted else {}
    lines = [
        rf"\[ {lhs(d, 'definition')} = {tex(act.definition.subs(values), act)} \]",
        rf"\[ {lhs(d, 'derivative')} = {tex(d.derivative.subs(values), act)} \]",
    ]
    if d.output_form is not None:
        lines.append(rf"\[ g(y) = {tex(d.output_form.subs(values), act)}, \quad f'(x) = g\bigl(f(x)\bigr) \]")
    else:
        lines.append("% no output form: f' is not a function of f in closed form")
    return "\n".join(lines)
