"""A kernel's source from the regions of an expression: how the branches are put together.

``kernel_source`` decides the shape of the compiled function; ``symdl.numeric.codegen``
prints each branch.  Without a ``Piecewise`` the expression (max, min and abs
included) is one NumPy expression.  With one: constant end regions that join
their neighbour become a clip of the input (ReLU is max(x, 0), hardtanh
clip(x, -1, 1)); an even or odd function is computed on |x| (times sign(x))
when that removes branches; what is left is one branch, a sum of masked
constants, or a masked sum of branches, each evaluated on its input clipped
to its own region, so a branch that is not selected cannot overflow.
numpy.where is not used: on random masks it is five to ten times slower than
multiplying by the mask.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np
from sympy import Expr, Piecewise, S, Symbol, nfloat, oo, simplify

from symdl.catalog import x
from symdl.engine.regions import Region, grouped
from symdl.numeric.codegen import NAMESPACE, Emitter, ScalarPrinter
from symdl.numeric.origin import cancelling_sums, patch
from symdl.numeric.stable import stabilize


def _literal(value: Expr, names: Mapping[Symbol, str]) -> str:
    if value in (oo, -oo):
        return "inf" if value == oo else "-inf"
    return f"({ScalarPrinter(names).doprint(nfloat(value, 17))})" if not value.is_number else repr(float(value))


def _clip(lo: Expr, hi: Expr, var: str, names: Mapping[Symbol, str]) -> str:
    if lo == -oo and hi == oo:
        return var
    if lo == -oo:
        return f"minimum({var}, {_literal(hi, names)})"
    if hi == oo:
        return f"maximum({var}, {_literal(lo, names)})"
    return f"clip({var}, {_literal(lo, names)}, {_literal(hi, names)})"


def _joins_exactly(constant: Expr, branch: Expr, at: Expr, values: Mapping[Symbol, Expr]) -> bool:
    """The constant branch meets its neighbour at ``at`` for all parameters, and to the bit at the defaults."""
    if simplify(branch.subs(x, at) - constant) != 0:
        return False
    emitter = Emitter({x}, {x: "x"}, "j")
    name, _ = emitter.assign(branch.subs(values))
    scope = dict(NAMESPACE, x=np.array([float(at.subs(values))]))
    exec("\n".join(emitter.lines), scope)
    return float(np.asarray(eval(name, scope)).reshape(-1)[0]) == float(constant.subs(values))


def _absorb_constant_ends(branches: list[tuple[Region, Expr]], values) -> tuple[list[tuple[Region, Expr]], Expr, Expr]:
    """Constant end regions that join their neighbour continuously become a clip of the input.

    relu = max(x, 0), hardtanh = clip(x, -1, 1), relu6 = clip(x, 0, 6): the
    neighbour evaluated on the clipped input gives the constant by continuity.
    """
    lo, hi = -oo, oo
    while len(branches) > 1 and not branches[0][1].has(x) and not branches[0][0].is_point:
        (region, constant), (_, neighbour) = branches[0], branches[1]
        if not _joins_exactly(constant, neighbour, region.hi, values):
            break
        lo, branches = region.hi, branches[1:]
    while len(branches) > 1 and not branches[-1][1].has(x) and not branches[-1][0].is_point:
        (region, constant), (_, neighbour) = branches[-1], branches[-2]
        if not _joins_exactly(constant, neighbour, region.lo, values):
            break
        hi, branches = region.lo, branches[:-1]
    return branches, lo, hi


def _patched(expr: Expr, var: Symbol, emitter: Emitter, prefix: str) -> Expr:
    """Sums that cancel at the origin become arrays fixed up near 0 by their Padé approximant (symdl.numeric.origin).

    The patched arrays are the kernel's own: they join ``emitter.patches`` (consumable later).
    """
    for m, (node, order) in enumerate(cancelling_sums(expr.subs(var, x) if var != x else expr)):
        p = patch(node, order)
        if p.radius == 0:
            continue
        name = f"{prefix}{m}"
        direct, owned = emitter.assign(node.subs(x, var) if var != x else node)
        v = emitter.names[var]
        emitter.lines += [
            f"{name} = {direct}" if owned else f"{name} = array({direct}, copy=True)",
            f"near = flatnonzero(({v} > {-p.radius!r}) & ({v} < {p.radius!r}))",
            "if near.size:",
            f"    z = {v}[near]",
            "    u = z * z" if p.squared else "    u = z.copy()",
            *("    " + line for line in _horner("num", p.numerator)),
            *("    " + line for line in _horner("den", p.denominator)),
            "    divide(num, den, out=num)",
            *(["    multiply(num, z, out=num)"] * p.order),
            f"    {name}[near] = num",
        ]
        symbol = Symbol(name)
        emitter.arrays.add(symbol)
        emitter.names[symbol] = name
        emitter.patches.add(symbol)
        expr = expr.xreplace({node.subs(x, var) if var != x else node: symbol})
    return expr


def _horner(name: str, coefficients: tuple[float, ...]) -> list[str]:
    """Lines computing c0 + u*(c1 + u*(c2 + ...)) into ``name``, in place (lowest power first)."""
    lines = [f"{name} = full(u.shape, {coefficients[-1]!r})"]
    for c in reversed(coefficients[:-1]):
        lines += [f"multiply({name}, u, out={name})", f"add({name}, {c!r}, out={name})"]
    return lines


def kernel_source(
    expr: Expr,
    regs: tuple[Region, ...],
    names: Mapping[Symbol, str],
    clamp: tuple[bool, bool],
    values: Mapping[Symbol, Expr],
    form: Callable[[Expr, Region], Expr] = lambda e, _: stabilize(e),
    balanced: bool = False,
    ends: tuple[Expr, Expr] | None = None,
) -> str:
    """The source of ``kernel(x, params..., lo, hi)``: x is a 1-d float array; returns a new array.

    Without a ``Piecewise``, the expression (max, min and abs included) is one
    NumPy expression.  With one: constant end regions become a clip of the
    input; an even or odd function is computed on |x| (times sign(x)); what is
    left is one branch, a sum of masked constants, or a masked sum of branches.
    ``balanced``: products divide as they multiply (``symdl.numeric.codegen``); ``ends``: the
    limits at -inf and +inf, written where the input is infinite (a balanced x/cosh(x) is inf/inf there).
    """
    lines = []
    if ends is not None:  # computed at 0 instead, so that inf/inf never warns; then overwritten
        lines += ["at_inf = flatnonzero(isinf(x))", "up = x[at_inf] > 0", "if at_inf.size:"]
        lines += ["    x = array(x, copy=True)", "    x[at_inf] = 0.0"]
    if clamp == (True, True):
        lines.append("x = clip(x, lo, hi)")
    elif clamp[0]:
        lines.append("x = maximum(x, lo)")
    elif clamp[1]:
        lines.append("x = minimum(x, hi)")
    fresh = any(clamp)
    odd = False
    if not expr.has(Piecewise):
        lines += _single(form(expr, Region(-oo, oo, False, False, expr)), names, fresh, balanced)
    else:
        branches = [(r, form(r.expr, r)) for r in regs]
        constant = all(not e.has(x) for _, e in branches)
        folded = None if constant else _fold(branches, values)
        if folded is not None and _remaining(folded[1], values) >= _remaining(branches, values):
            folded = None  # |x| and sign(x) cost two passes: only worth it when branches go away
        if folded is not None:
            parity, branches = folded
            odd = parity == -1
            lines += ["s = x", "x = absolute(s)"]
            fresh = True
        branches, lo, hi = _absorb_constant_ends(branches, values)
        if (lo, hi) != (-oo, oo):
            lines.append(f"x = {_clip(lo, hi, 'x', names)}")
            fresh = True
        if len(branches) == 1:
            lines += _single(branches[0][1], names, fresh, balanced)
        elif constant:
            lines += _constants(branches, names)
        else:
            lines += _blend(branches, names, balanced)
    if odd:
        lines.append("multiply(out, sign(s), out=out)")
    if ends is not None:
        lo_end, hi_end = (_literal(end, names) for end in ends)
        lines += ["if at_inf.size:", f"    out[at_inf] = where(up, {hi_end}, {lo_end})"]
    lines.append("return out")
    args = ", ".join(["x", *names.values(), "lo", "hi"])
    body = "\n".join("    " + line for line in lines)
    return f"def kernel({args}):\n{body}"


# A constant result keeps NaN inputs NaN; the global max (no temporary) says whether there are any.
_NAN_STAYS = ["if x.size and isnan(x.max()):", "    out[isnan(x)] = nan"]


def single_kernel(expr: Expr, balanced: bool = False) -> Callable[[np.ndarray], np.ndarray]:
    """A kernel for one parameter-free expression as it stands (for measuring forms, symdl.numeric.forms)."""
    lines = [*_single(expr, {}, False, balanced), "return out"]
    scope = dict(NAMESPACE)
    exec("def k(x):\n" + "\n".join("    " + line for line in lines), scope)
    scope["k"].lines = lines  # what it computes, for symdl.numeric.forms to weigh
    return scope["k"]


def _remaining(branches: list[tuple[Region, Expr]], values: Mapping[Symbol, Expr]) -> int:
    """How many distinct branches are left to evaluate once constant ends became a clip."""
    return len(grouped(_absorb_constant_ends(branches, values)[0]))


def _single(expr: Expr, names: Mapping[Symbol, str], fresh: bool, balanced: bool = False) -> list[str]:
    """One expression; ``fresh``: x already is an array of the kernel's own (a clip of the input)."""
    if not expr.has(x):  # one pass that keeps NaN (a clip to [c, c]), not a fill and a search for NaN
        value = _literal(expr, names)
        return [f"out = clip(x, {value}, {value}, out=x)" if fresh else f"out = clip(x, {value}, {value})"]
    emitter = Emitter({x}, {x: "x", **names}, "t", balanced)
    patched = _patched(expr, x, emitter, "c")
    result, owned = emitter.assign(patched, consumable=emitter.patches | ({x} if fresh else set()))
    if owned or (result == "x" and fresh):
        return [*emitter.lines, f"out = {result}"]
    return [*emitter.lines, f"out = array({result}, copy=True)"]


def _mask(region: Region, names: Mapping[Symbol, str]) -> str:
    """The region as a boolean expression in x, from at most two comparisons."""
    if region.is_point:
        return f"(x == {_literal(region.lo, names)})"
    parts = []
    if region.lo != -oo:
        parts.append(f"(x {'>=' if region.lo_closed else '>'} {_literal(region.lo, names)})")
    if region.hi != oo:
        parts.append(f"(x {'<=' if region.hi_closed else '<'} {_literal(region.hi, names)})")
    return " & ".join(parts)


def _group_mask(where: list[Region], names: Mapping[Symbol, str]) -> str:
    return " | ".join(f"({_mask(r, names)})" for r in where)


def _constants(branches: list[tuple[Region, Expr]], names: Mapping[Symbol, str]) -> list[str]:
    """Piecewise constants: sum of mask * value in x's dtype; NaN input stays NaN."""
    terms = [(_group_mask(where, names), value) for value, where in grouped(branches) if value != 0]
    if not terms:
        return ["out = full(x.shape, 0.0, x.dtype)", *_NAN_STAYS]
    lines = []
    for n, (mask, value) in enumerate(terms):
        scaled = f"multiply({mask}, {_literal(value, names)}, dtype=x.dtype)"
        term = f"({mask}).astype(x.dtype)" if value == 1 else scaled
        lines.append(f"out = {term}" if n == 0 else f"out += {term}")
    return lines + _NAN_STAYS


def _blend(branches: list[tuple[Region, Expr]], names: Mapping[Symbol, str], balanced: bool = False) -> list[str]:
    """sum of mask * branch: exact, no numpy.where (slow), NaN and inf flow through.

    A branch is evaluated on x clipped to its own regions, so where it is not
    selected it is finite (0 * finite = 0), unless it is linear and its regions
    reach both infinities (then it is finite wherever it is not selected).
    """
    groups = grouped(branches)  # hardshrink's two x's are one mask and one product
    lines = [f"m{n} = {_group_mask(where, names)}" for n, (e, where) in enumerate(groups) if e != 0]
    first = True
    for n, (expr, where) in enumerate(groups):
        if expr == 0:
            continue
        if not expr.has(x):
            term = f"multiply(m{n}, {_literal(expr, names)}, dtype=x.dtype)"
        else:
            lo, hi = where[0].lo, where[-1].hi
            clipped = not _harmless(expr) or (lo, hi) != (-oo, oo)
            var = Symbol(f"x{n}") if clipped else x
            if clipped:
                lines.append(f"x{n} = {_clip(lo, hi, 'x', names)}")
            emitter = Emitter({var}, {var: f"x{n}" if clipped else "x", **names}, f"t{n}_", balanced)
            patched = _patched(expr.subs(x, var), var, emitter, f"c{n}_")
            value, owned = emitter.assign(patched, consumable=emitter.patches | ({var} if clipped else set()))
            lines += emitter.lines
            term = f"multiply({value}, m{n}, out={value})" if owned else f"multiply(m{n}, {value})"
        lines.append(f"out = {term}" if first else f"out += {term}")
        first = False
    return lines


def _harmless(expr: Expr) -> bool:
    """A branch that cannot overflow or warn for any finite input: a polynomial in x of degree <= 1."""
    poly = expr.as_poly(x) if expr.is_polynomial(x) else None
    return poly is not None and poly.degree() <= 1


def _fold(branches: list[tuple[Region, Expr]], values: Mapping[Symbol, Expr]):
    """(parity, the branches on [0, inf)) if f(-x) = parity * f(x) everywhere, else None.

    Checked branch by branch on mirrored open intervals (symbolically, in the
    parameters) and at every breakpoint with the branch that owns it, so the
    value symdl uses at a kink is kept.
    """
    if len(branches) < 2:
        return None
    ends = sorted({float(r.lo.subs(values)) for r, _ in branches if r.lo != -oo})
    if [-e for e in reversed(ends)] != ends:
        return None

    def owner(point: float) -> Expr:
        return _branch_at(branches, point, values).subs(x, point)

    for parity in (1, -1):
        mirrored = all(
            simplify(expr - parity * _branch_at(branches, -region.sample(values), values).subs(x, -x)) == 0
            for region, expr in branches
            if not region.is_point
        )
        at_points = all(simplify((owner(e) - parity * owner(-e)).subs(values)) == 0 for e in ends)
        if mirrored and at_points:
            right = [(_truncate(region, values), expr) for region, expr in branches if _reaches_right(region, values)]
            if simplify((right[0][1].subs(x, 0) - owner(0)).subs(values)) == 0:
                return parity, right
    return None


def _branch_at(branches, point: Expr, values) -> Expr:
    for region, expr in branches:
        if region.interval(values).contains(point):
            return expr
    raise AssertionError(point)


def _reaches_right(region: Region, values) -> bool:
    return region.hi == oo or float(region.hi.subs(values)) > 0 or (region.is_point and region.lo == 0)


def _truncate(region: Region, values) -> Region:
    if region.lo == -oo or float(region.lo.subs(values)) < 0:
        return Region(S.Zero, region.hi, True, region.hi_closed, region.expr)
    return region


__all__ = ["kernel_source", "single_kernel"]
