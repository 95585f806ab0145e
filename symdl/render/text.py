"""Terminal views: one-line formulas for tables and Unicode pretty-print for ``symdl show``."""

from __future__ import annotations

from collections.abc import Mapping

from sympy import Expr, Indexed, Piecewise, Symbol
from sympy import pretty as sympy_pretty
from sympy.printing.pretty.pretty_symbology import greek_unicode
from sympy.printing.str import StrPrinter

from symdl.catalog import Activation
from symdl.engine.calculus import Breakpoint, Derivation
from symdl.engine.conventions import claim
from symdl.render.facts import facts, of


class _OneLine(StrPrinter):
    """SymPy's str printer with Greek parameters and ``a if c; b otherwise`` for Piecewise."""

    def _print_Symbol(self, expr):
        return greek_unicode.get(expr.name, expr.name)  # SymPy's own names: alpha, gamma, lambda

    def _print_Piecewise(self, expr: Piecewise) -> str:
        parts = []
        for e, c in expr.args:
            cond = "otherwise" if c == True else f"if {self._print(c)}"  # noqa: E712 - SymPy true
            parts.append(f"{self._print(e)} {cond}")
        return "(" + "; ".join(parts) + ")"

    def _print_Relational(self, expr) -> str:
        return super()._print_Relational(variable_first(expr))

    def _print(self, expr, **kwargs) -> str:
        if isinstance(expr, Indexed):  # Indexed brings its own str method, which wins otherwise
            return f"{self._print(expr.base)}_{','.join(self._print(i) for i in expr.indices)}"
        return super()._print(expr, **kwargs)

    def _print_Sum(self, expr) -> str:
        (var, lo, hi), body = expr.limits[0], expr.function
        return f"Σ_{self._print(var)}={self._print(lo)}..{self._print(hi)} {self.parenthesize(body, 50)}"

    def _print_KroneckerDelta(self, expr):
        return f"δ_{self._print(expr.args[0])}{self._print(expr.args[1])}"


def variable_first(rel):
    """``min_val >= x`` as ``x <= min_val``: the variable on the left, as a lecturer writes it."""
    lhs_vars = {s for s in rel.lhs.free_symbols if s.name in ("x", "y")}
    rhs_vars = {s for s in rel.rhs.free_symbols if s.name in ("x", "y")}
    return rel.reversed if rhs_vars and not lhs_vars else rel


def one_line(expr: Expr) -> str:
    text = _OneLine().doprint(expr)
    return text[1:-1] if isinstance(expr, Piecewise) else text


def short_number(value: Expr) -> str:
    """A parameter value in a table: exact if short, else 10 significant digits."""
    if value.is_Rational and value.q > 1000:
        return f"{float(value):.10g}"
    return one_line(value)


def pretty(expr: Expr) -> str:
    return sympy_pretty(expr, use_unicode=True)


def number(value: Expr) -> str:
    """A property value: exact form, with its decimal value where that helps."""
    if value.is_infinite:
        return _end(value)
    text = one_line(value)
    if value.is_number and not value.is_Rational and value.is_finite and not value.is_Float:
        return f"{text} ≈ {float(value.evalf(20)):.10g}"
    if value.is_Float:
        return f"≈ {float(value):.15g}"
    if value.is_Rational and value.q > 1000:
        return f"{text} ≈ {float(value):.17g}"
    return text


def interval(rng) -> str:
    from sympy import FiniteSet, Interval, Union

    if isinstance(rng, Interval):
        lo = "(" if rng.left_open else "["
        hi = ")" if rng.right_open else "]"
        return f"{lo}{_end(rng.start)}, {_end(rng.end)}{hi}"
    if isinstance(rng, FiniteSet):
        return "{" + ", ".join(_end(v) for v in rng) + "}"
    if isinstance(rng, Union):
        return " ∪ ".join(interval(part) for part in rng.args)
    return one_line(rng)


def _end(value: Expr) -> str:
    from sympy import oo

    if value == oo:
        return "∞"
    if value == -oo:
        return "-∞"
    if value.is_Float:
        return f"{float(value):.10g}"
    if value.is_Rational and value.q > 1000:
        return f"{float(value):.10g}"
    return one_line(value)


def breakpoint_line(b: Breakpoint, act: Activation, var: str = "x", values: Mapping[Symbol, Expr] | None = None) -> str:
    """One breakpoint: what f and f' do there, and the value of f' used, with whether PyTorch's autograd
    gives the same (``symdl.engine.conventions``: measured, with the torch version); ``values`` are the
    parameter values (the declaration's defaults if not given)."""
    at = one_line(b.at)
    if b.differentiable:
        status = f"smooth join (C^{b.order})" if b.order < 4 else "smooth join"
        return f"{var} = {at}: {status}; f'({at}) = {one_line(b.slope)}"
    if not b.continuous:
        status = f"jump: f → {one_line(b.left)} from the left, {one_line(b.right)} from the right"
    else:
        status = f"kink: f' → {one_line(b.left_slope)} from the left, {one_line(b.right_slope)} from the right"
    said = claim(act, b, act.params if values is None else values)
    own = f"symdl's convention, the slope of the branch selected at {var} = {at}"
    used = {
        "same": f", as in PyTorch ({said.torch}, torch {said.version})",
        "differs": f": {own}; PyTorch's autograd gives {one_line(said.pytorch)} ({said.torch}, torch {said.version})",
        "none": f": {own}; PyTorch has no derivative here ({said.why_none}; torch {said.version})",
        "unknown": f": {own}",
    }[said.kind]
    return f"{var} = {at}: {status}; f'({at}) = {one_line(b.slope)} is used{used}"


def show(d: Derivation, substituted: bool) -> str:
    """The Unicode report of ``symdl show``: the blocks of ``symdl.render.facts``, pretty-printed."""
    act = d.activation
    blocks = facts(d, substituted)
    (name,) = of(blocks, "name")
    lines = [name.text + (f"  (also: {', '.join(name.names)})" if name.names else "")]
    if act.parameters:
        shown = ", ".join(f"{one_line(s)} = {number(v)}" for s, v in (b.value for b in of(blocks, "parameter")))
        lines.append(f"parameters: {shown}")
    var = "x_i" if act.is_vector else "x"
    titles = {
        "definition": f"definition  f({var}) =",
        "derivative": "derivative  ∂f_i/∂x_j =" if act.is_vector else "derivative  f'(x) =",
        "output form": "output form  f' = g(f),  g(y) =",
    }
    for role, title in titles.items():
        lines += ["", title]
        for block in of(blocks, role):
            lines.append(_indent(pretty(block.value)) if block.kind == "fact" else f"  {_note(role, block.text)}")
    points = of(blocks, "breakpoint")
    if points:
        lines += ["", "breakpoints"] + [f"  {breakpoint_line(b.value, act, values=d.valuemap)}" for b in points]
    (found,) = of(blocks, "properties")
    if found.kind != "fact":
        return "\n".join([*lines, "", f"properties  {found.text}"])
    p = found.value
    lines += ["", "properties" + (f"  ({p.note})" if p.note else "")]
    rows = [
        ("range", interval(p.range)),
        ("f(0)", number(p.at_zero)),
        ("f'(0)", number(p.slope_at_zero)),
        ("sup |f'|", number(p.max_slope)),
        ("limits", f"{number(p.limit_neg)} as x → -∞, {number(p.limit_pos)} as x → ∞"),
        ("monotonic", p.monotonic),
        ("zero-centred", "yes" if p.zero_centred else "no"),
        ("continuity", p.continuity_text),
    ]
    lines += [f"  {k:<13}{v}" for k, v in rows]
    return "\n".join(lines)


def _note(role: str, text: str) -> str:
    """A note under a formula is bracketed (the derivative as sympy.diff gave it); a missing fact is not."""
    return f"({text})" if role == "derivative" else text


def _indent(block: str) -> str:
    return "\n".join("  " + line for line in block.splitlines())
