"""LaTeX of one activation: its definition, derivative, worked derivation and notes, in the lecture's notation.

Every formula is printed from what the engine derived (``symdl.engine.calculus``, ``symdl.engine.steps``); nothing
here knows a derivative.  Each function returns a ``Tex`` (a str that Jupyter shows as a formula).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sympy import Matrix, Symbol

from symdl.catalog import Activation, activation, i, j
from symdl.engine.calculus import Derivation, derive
from symdl.engine.cases import derivative_cases, own_terms
from symdl.engine.conventions import claim
from symdl.engine.lecture import lecture_form
from symdl.engine.naming import in_own_terms, written
from symdl.engine.steps import working
from symdl.render.conditions import cases
from symdl.render.facts import facts
from symdl.render.notation import DEFAULT_STYLE, Notation, Style, notation, tex
from symdl.render.printer import decimal
from symdl.render.words import LECTURE_WORDS, RULE_WORDS, cited, title, words

ONE_LINE = 70  # a branch's steps go on one line if together they are at most this many characters of LaTeX


class Tex(str):
    """LaTeX math (without delimiters); Jupyter displays it as a formula."""

    def _repr_latex_(self) -> str:
        return f"$\\displaystyle {self}$"


Params = Mapping[str | Symbol, Any] | None  # parameter values, as for symdl.derive


def _setup(act: str | Activation, style: Style, params: Params) -> tuple[Derivation, Notation]:
    d = derive(act, params)
    return d, notation(d.activation, style, d.valuemap)


def definition(act: str | Activation, style: Style = DEFAULT_STYLE, params: Params = None) -> Tex:
    """f(x) = its definition: ``\\sigma(x) = \\frac{1}{1 + e^{-x}}``, ``\\tanh x = \\frac{e^x - e^{-x}}{...}``."""
    d, w = _setup(act, style, params)
    lhs = w.definition_lhs()
    rhs = w(written(d.activation.definition).subs(w.substitution))
    return Tex(lhs if rhs == lhs else f"{lhs} = {rhs}")


def derivative(act: str | Activation, style: Style = DEFAULT_STYLE, params: Params = None) -> Tex:
    """f'(x), simplified, with its form in f beside it; piecewise as cases saying where f' is undefined."""
    d, w = _setup(act, style, params)
    if d.activation.is_vector:
        own = own_terms(d, w.shown)
        return Tex(f"{w.derivative_lhs()} = {w(own if own is not None else d.derivative.subs(w.substitution))}")
    rows = derivative_cases(d, w.shown)
    if len(rows) == 1 and not rows[0].kinks:
        forms = [w(rows[0].expr)]
        own = own_terms(d, w.shown)
        if own is not None and w(own) != forms[0]:
            forms.append(w(own))
        return Tex(f"{w.derivative_lhs()} = {' = '.join(forms)}")
    printer = w.printer()
    said = words(style.lang)
    printed = []
    for row in rows:
        value = w(row.expr)
        if row.own is not None and w(row.own) != value:
            value = f"{value} = {w(row.own)}"
        where = printer.condition(row.where)
        if row.kinks:
            pytorchs = all(claim(d.activation, b, d.valuemap).kind == "same" for b in row.kinks)
            where += rf" \text{{ ({said['undefined' if pytorchs else 'undefined_own']})}}"
        printed.append((value, where))
    return Tex(f"{w.derivative_lhs()} = {cases(printed)}")


def jacobian_matrix(act: str | Activation, style: Style = DEFAULT_STYLE, size: int = 3) -> Tex:
    """The Jacobian of a vector function for n = ``size``, written in its outputs: (s_i(delta_ij - s_j))."""
    d, w = _setup(act, style, None)
    form = d.output_form if d.output_form is not None else d.derivative
    entries = Matrix(size, size, lambda r, c: form.subs({i: r + 1, j: c + 1}).doit())
    printed = r" \\ ".join(" & ".join(w(in_own_terms(e, d.activation)) for e in entries.row(r)) for r in range(size))
    var = w.var
    return Tex(rf"\frac{{\partial s}}{{\partial {var}}} = \begin{{pmatrix}} {printed} \end{{pmatrix}}")


def worked(act: str | Activation, style: Style = DEFAULT_STYLE, params: Params = None) -> Tex:
    """The worked derivation ("미분 계산") as an ``aligned`` block; every line was verified by the engine."""
    d, w = _setup(act, style, params)
    said = words(style.lang)
    work = working(d.activation, params, w.shown)
    printer = w.printer()
    lines = []
    if work.cases is not None:
        definition_ = w(d.activation.definition.subs(w.substitution))
        lines.append(f"{w.definition_lhs()} &= {definition_} = {w(work.cases.expr)}")
    several = len(work.branches) > 1
    for branch in work.branches:
        prefix = rf"{_where(printer, branch.where)}:\quad " if several else ""
        printed = _dedupe([(w(s.expr, powers=s.powers), s.rule) for s in branch.steps])
        if sum(len(text) for text, _ in printed) <= ONE_LINE:
            lines.append(f"{prefix}{w.derivative_lhs()} &= " + " = ".join(text for text, _ in printed))
            continue
        for n_, (text, rule) in enumerate(printed):
            note = rf" && \text{{{said[RULE_WORDS[rule]]}}}" if rule in RULE_WORDS else ""
            lines.append((f"{prefix}{w.derivative_lhs()} &= " if n_ == 0 else "&= ") + text + note)
    for b in work.kinks:
        lines += _kink_lines(b, w, said)
    for b in work.joins:
        lines += _join_lines(b, w, said)
    return Tex(r"\begin{aligned} " + r" \\ ".join(lines) + r" \end{aligned}")


def _where(printer: Any, where: Any) -> str:
    return printer.condition(where).removeprefix(r"\text{if } ")


def _dedupe(printed: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Consecutive lines that print the same are printed once (the first keeps its rule)."""
    out: list[tuple[str, str]] = []
    for text, rule in printed:
        if not out or out[-1][0] != text:
            out.append((text, rule))
    return out


def _kink_lines(b: Any, w: Notation, said: dict[str, str]) -> list[str]:
    """Where f' is undefined: the one-sided slopes (or the jump), then the value used and whose it is."""
    at = w(b.at)
    if b.continuous:
        why = rf"{w.derivative_lhs(at, '-')} = {w(b.left_slope)} \ne {w(b.right_slope)} = {w.derivative_lhs(at, '+')}"
    else:
        why = said["jump"].format(left=w(b.left), right=w(b.right))
    return [
        rf"{w.var} = {at}:\quad & {why} && \text{{{said['not_differentiable']}}}",
        rf"& {w.derivative_lhs(at)} = {w(b.slope)} && {_whose(b, w, said)}",
    ]


def _join_lines(b: Any, w: Notation, said: dict[str, str]) -> list[str]:
    """A breakpoint that is smooth only at some parameter values: ELU at 0 only if alpha = 1."""
    at = w(b.at)
    sides = rf"{w.derivative_lhs(at, '-')} = {w(b.left_slope)},\ {w.derivative_lhs(at, '+')} = {w(b.right_slope)}"
    return [
        rf"{w.var} = {at}:\quad & {sides} && \text{{{said['only_if']} }} {w(b.left_slope)} = {w(b.right_slope)}",
        rf"& {w.derivative_lhs(at)} = {w(b.slope)} && {_whose(b, w, said)}",
    ]


def _whose(b: Any, w: Notation, said: dict[str, str]) -> str:
    """Whose value f' takes at a breakpoint: PyTorch's (measured, with the torch version), or symdl's own
    convention and what PyTorch gives there, or that PyTorch has none (``symdl.engine.conventions``)."""
    c = claim(w.act, b, dict(w.values))
    text = said[f"claim.{c.kind}"].format(version=c.version, torch=c.torch.replace("_", r"\_"))
    return rf"\text{{{text}}}" + (rf"\ {w(c.pytorch)}" if c.kind == "differs" else "")


def notes(act: str | Activation, style: Style = DEFAULT_STYLE, params: Params = None) -> list[str]:
    """Text lines under the formulas: parameter values written by name, and where the lecture differs."""
    d, w = _setup(act, style, params)
    said = words(style.lang)
    out = []
    differs, stated = lecture_notes(d.activation, w)
    if w.hidden and (params is not None or not {s for s, _ in w.hidden} <= stated):  # else the lecture's note says
        given = ", ".join(f"{w(s)} = {number(v)}" for s, v in w.hidden)
        source = said["defaults" if len(w.hidden) > 1 else "default"] if params is None else ""
        out.append(f"{said['where']} ${given}$" + (f" ({source})." if source else "."))
    return out + differs


def lecture_notes(act: Activation, w: Notation) -> tuple[list[str], set[Symbol]]:
    """Where the lecture's form differs from the definition, said so that no student copies the wrong formula
    (derived: ``symdl.engine.lecture.lecture_form``), and the parameters whose standard values the notes state."""
    form = lecture_form(act)
    if form is None:
        return [], set()
    said = LECTURE_WORDS[w.style.lang]
    name, source = title(act), cited(act.reference, w.style.lang)
    standard = said["standard" if source else "standard_unsourced"].format(name=name, source=source)
    out, stated = [], set()

    def defaults(symbols: list[Symbol]) -> str:
        stated.update(symbols)
        return ", ".join(f"${w(s)} = {number(act.params[s])}$" for s in symbols)

    if form.fixed:
        where = [said["where"].format(expr=f"${w(e)}$", condition=f"${w(c)}$") for e, c in form.differs]
        symbols = [s for s, _ in form.fixed]
        out.append(
            said["fixed"].format(
                name=name,
                fixed=", ".join(f"${w(s)} = {number(v)}$" for s, v in form.fixed),
                where=", ".join(where),
                standard=standard,
                parameter=said["parameter" if len(symbols) == 1 else "parameters"],
                names=", ".join(f"${w(s)}$" for s in symbols),
                values=defaults(symbols),
            )
        )
    if form.omitted:
        out.append(
            said["omitted"].format(
                name=name,
                omitted=", ".join(f"${w(s)}$" for s in form.omitted),
                standard=standard,
                values=defaults([p.symbol for p in act.parameters]),
            )
        )
    return out, stated


def number(value: Any) -> str:
    """A parameter value exactly: 0.25, 1.0507009873554804934193349852946, \\frac{1}{3}."""
    if getattr(value, "is_Rational", False) and value.q != 1 and decimal(abs(value)) is not None:
        return ("-" if value < 0 else "") + decimal(abs(value))
    return tex(value)


# --------------------------------------------------------------------------- the show command (plain SymPy LaTeX)


def lhs(d: Derivation, what: str) -> str:
    act = d.activation
    if act.is_vector:
        return {
            "definition": rf"{act.tex}(x)_i",
            "derivative": rf"\frac{{\partial {act.tex}(x)_i}}{{\partial x_j}}",
        }[what]
    return {"definition": rf"{act.tex}(x)", "derivative": rf"{act.tex_grouped}'(x)"}[what]


def show_snippet(d: Derivation, substituted: bool) -> str:
    """``symdl show --latex``: the definition, derivative and output form of ``symdl.render.facts`` as
    display-math lines (a form not found is a comment saying why)."""
    act = d.activation
    lines = []
    for block in facts(d, substituted):
        if block.role in ("definition", "derivative") and block.kind == "fact":
            lines.append(rf"\[ {lhs(d, block.role)} = {tex(block.value, act)} \]")
        elif block.role == "output form" and block.kind == "fact":
            lines.append(rf"\[ g(y) = {tex(block.value, act)}, \quad f'(x) = g\bigl(f(x)\bigr) \]")
        elif block.role == "output form":
            lines.append(f"% output form {block.text}")
    return "\n".join(lines)


__all__ = [
    "Tex",
    "activation",
    "definition",
    "derivative",
    "jacobian_matrix",
    "lecture_notes",
    "notes",
    "show_snippet",
    "worked",
]
