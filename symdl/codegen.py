"""Printing SymPy expressions as NumPy ufunc calls that reuse their temporaries.

``a*(exp(x) - 1)`` printed the usual way allocates a fresh array for every
operation; here each operation writes into a temporary its operand no longer
needs (``expm1(t, out=t)``), so an expression costs one allocation per leaf,
not per node.  Common subexpressions are computed once (``sympy.cse``) and
never overwritten.  Numbers print as Python floats, which NumPy treats as
weakly typed: float32 input stays float32.

Integer powers are products (``x**3`` is ``x*x*x``; ``numpy.power`` with an
integer exponent is a libm call per element), negative powers divisions.
``expit``, ``softplus`` and ``log_expit`` have fast NumPy forms built on SIMD
``exp`` (SciPy's ufuncs are several times slower): ``1/(1 + exp(-u))`` is
accurate for every u (where ``exp(-u)`` overflows the value underflows to 0
anyway), and ``softplus(u) = max(u, log1p(exp(min(u, 36))))``: past 36 the
exact value rounds to u itself.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from itertools import count
from typing import Any

import numpy as np
import scipy.special as sc
from sympy import (
    Add,
    Expr,
    Function,
    Max,
    Min,
    Mul,
    Piecewise,
    Pow,
    Rational,
    S,
    Symbol,
    cse,
    nfloat,
    oo,
    simplify,
)

from symdl.catalog import x
from symdl.origin import cancelling_sums, patch
from symdl.primitives import Maximum, Minimum
from symdl.regions import Region, grouped
from symdl.stable import stabilize


def _expit(u: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    t = np.negative(u, out=out)
    np.exp(t, out=t)
    np.add(t, 1.0, out=t)
    return np.reciprocal(t, out=t)


def _expit_neg(u: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """expit(-u) = 1/(1 + exp(u)), without computing -u first."""
    t = np.exp(u, out=out)
    np.add(t, 1.0, out=t)
    return np.reciprocal(t, out=t)


def _softplus(u: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """log(1 + exp(u)), accurate for every u: log1p(exp(u)) is, until exp overflows; beyond
    u = 36 the exact value rounds to u itself (e^-u < ulp(u)/2 in float64 and float32), so
    softplus(u) = max(u, log1p(exp(min(u, 36))))."""
    t = np.minimum(u, 36.0)
    np.exp(t, out=t)
    np.log1p(t, out=t)
    return np.maximum(u, t, out=out if out is not None else t)


def _log_expit(u: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """log(expit(u)) = -softplus(-u) = min(u, -log1p(exp(min(-u, 36))))."""
    t = np.negative(u)
    np.minimum(t, 36.0, out=t)
    np.exp(t, out=t)
    np.log1p(t, out=t)
    np.negative(t, out=t)
    return np.minimum(u, t, out=out if out is not None else t)


# SymPy function name -> (name in the namespace, callable taking out=)
UFUNCS: dict[str, tuple[str, Callable[..., Any]]] = {
    "exp": ("exp", np.exp),
    "expm1": ("expm1", np.expm1),
    "log": ("log", np.log),
    "log1p": ("log1p", np.log1p),
    "tanh": ("tanh", np.tanh),
    "sinh": ("sinh", np.sinh),
    "cosh": ("cosh", np.cosh),
    "sin": ("sin", np.sin),
    "cos": ("cos", np.cos),
    "tan": ("tan", np.tan),
    "atan": ("arctan", np.arctan),
    "Abs": ("absolute", np.absolute),
    "erf": ("erf", sc.erf),
    "erfc": ("erfc", sc.erfc),
    "Phi": ("ndtr", sc.ndtr),
    "expit": ("expit", _expit),
    "log_expit": ("log_expit", _log_expit),
}

NAMESPACE: dict[str, Any] = {name: fn for name, fn in UFUNCS.values()} | {
    "expit_neg": _expit_neg,
    "softplus": _softplus,
    "add": np.add,
    "subtract": np.subtract,
    "multiply": np.multiply,
    "divide": np.divide,
    "negative": np.negative,
    "reciprocal": np.reciprocal,
    "sqrt": np.sqrt,
    "power": np.power,
    "minimum": np.minimum,
    "maximum": np.maximum,
    "clip": np.clip,
}


@dataclass
class _Op:
    dest: str  # an SSA value, "%n"
    function: str
    args: list[str]  # SSA values or scalar code
    keywords: str = ""


class Emitter:
    """Emits assignments computing expressions in the array variables it is told about.

    Expressions become a list of single-assignment operations first; a
    liveness pass then lets each operation write into an operand that dies
    there (a temporary, or a ``consumable`` array of the kernel's own), so an
    expression allocates one array per live value, not per operation.
    """

    def __init__(self, arrays: set[Symbol], names: Mapping[Symbol, str], prefix: str) -> None:
        self.arrays = set(arrays)  # symbols bound to arrays (x, shared temporaries)
        self.names = dict(names)  # symbol -> name in the code (x, p0, ...)
        self.lines: list[str] = []
        self.prefix = prefix
        self.buffers = (f"{prefix}{n}" for n in count())
        self.ops: list[_Op] = []
        self.ssa = (f"%{n}" for n in count())
        self.values: dict[Symbol, str] = {}  # array symbol -> SSA value or code name
        self.patches: set[Symbol] = set()  # arrays fixed up near the origin (symdl.origin)

    # --------------------------------------------------------------- public

    def assign(self, expr: Expr, consumable: Iterable[Symbol] = ()) -> tuple[str, bool]:
        """Lines computing ``expr``: the name holding it, and whether it is a fresh array of its own.

        Arrays of ``consumable`` symbols (the kernel's own, e.g. a clipped input)
        may be overwritten at their last use.
        """
        expr = nfloat(expr, 17, exponent=False)
        temps, (reduced,) = cse(expr, symbols=(Symbol(f"_s{n}") for n in count()))
        self.ops = []
        inputs = {}
        for symbol in self.arrays:
            if symbol not in self.values:
                inputs[symbol] = next(self.ssa)
                self.values[symbol] = inputs[symbol]
        for symbol, sub in temps:
            if self.is_array(sub):
                self.values[symbol] = self.value(sub)
                self.arrays.add(symbol)
            else:
                self.names[symbol] = f"({self.scalar(sub)})"
        result = self.value(reduced)
        reusable = {v for s, v in inputs.items() if s in set(consumable)}
        name, owned = self._emit(result, reusable, {v: self.names[s] for s, v in inputs.items()})
        for symbol in inputs:  # later assigns see the arrays under their code names again
            del self.values[symbol]
        return name, owned

    def is_array(self, expr: Expr) -> bool:
        return bool(expr.free_symbols & self.arrays)

    # --------------------------------------------------------------- SSA

    def op(self, function: str, *args: str, keywords: str = "") -> str:
        dest = next(self.ssa)
        self.ops.append(_Op(dest, function, list(args), keywords))
        return dest

    def _emit(self, result: str, reusable: set[str], input_names: dict[str, str]) -> tuple[str, bool]:
        """Buffers for the SSA values: an operation writes into an operand that dies there, if allowed."""
        last_use: dict[str, int] = {}
        for n, op in enumerate(self.ops):
            for a in op.args:
                last_use[a] = n
        last_use[result] = len(self.ops)
        buffer = dict(input_names)
        owned = set(reusable)  # values whose buffer the kernel owns
        for n, op in enumerate(self.ops):
            args = [buffer.get(a, a) for a in op.args]
            target = next((a for a in op.args if a in owned and last_use.get(a) == n), None)
            extra = f", {op.keywords}" if op.keywords else ""
            if target is not None:
                buffer[op.dest] = buffer[target]
                self.lines.append(f"{op.function}({', '.join(args)}{extra}, out={buffer[target]})")
            else:
                buffer[op.dest] = next(self.buffers)
                self.lines.append(f"{buffer[op.dest]} = {op.function}({', '.join(args)}{extra})")
            owned.add(op.dest)
        if result not in buffer:  # a scalar expression
            return result, False
        return buffer[result], result in owned

    # --------------------------------------------------------------- expressions

    def scalar(self, expr: Expr) -> str:
        if expr.is_number:
            return repr(float(expr))
        return _ScalarPrinter(self.names).doprint(expr)

    def value(self, expr: Expr) -> str:
        """The SSA value (or scalar code) of an expression."""
        if not self.is_array(expr):
            return f"({self.scalar(expr)})"
        if isinstance(expr, Symbol):
            return self.values[expr]
        if isinstance(expr, Add):
            return self.add(expr)
        if isinstance(expr, Mul):
            return self.mul(expr)
        if isinstance(expr, Pow):
            return self.pow(expr)
        if isinstance(expr, (Maximum, Minimum, Max, Min)):
            return self.extremum(expr)
        if isinstance(expr, Function) and type(expr).__name__ in UFUNCS:
            (arg,) = expr.args
            if type(expr).__name__ == "expit" and arg.could_extract_minus_sign():
                return self.op("expit_neg", self.value(-arg))  # 1/(1 + exp(u)): no negation pass
            return self.op(UFUNCS[type(expr).__name__][0], self.value(arg))
        raise NotImplementedError(f"cannot compile {expr} to NumPy")

    def extremum(self, expr: Expr) -> str:
        """max/min as numpy.maximum/minimum (ties do not matter for values); min(c1, max(c0, e)) as a clip."""
        outer_max = isinstance(expr, (Maximum, Max))
        inner_type = (Minimum, Min) if outer_max else (Maximum, Max)
        scalars = [a for a in expr.args if not self.is_array(a)]
        inner = [a for a in expr.args if isinstance(a, inner_type) and len(a.args) == 2]
        if len(expr.args) == 2 and len(scalars) == 1 and len(inner) == 1:
            bound = scalars[0]
            other = [a for a in inner[0].args if not self.is_array(a)]
            arrays = [a for a in inner[0].args if self.is_array(a)]
            if len(other) == 1 and len(arrays) == 1:
                lo, hi = (bound, other[0]) if outer_max else (other[0], bound)
                return self.op("clip", self.value(arrays[0]), f"({self.scalar(lo)})", f"({self.scalar(hi)})")
        args = sorted(expr.args, key=lambda a: not self.is_array(a))  # an array first: the faster loop
        acc = self.value(args[0])
        for arg in args[1:]:
            acc = self.op("maximum" if outer_max else "minimum", acc, self.value(arg))
        return acc

    def add(self, expr: Add) -> str:
        scalars = [t for t in expr.args if not self.is_array(t)]
        arrays = sorted((t for t in expr.args if self.is_array(t)), key=lambda t: t.could_extract_minus_sign())
        first = arrays[0]
        acc = self.value(-first) if first.could_extract_minus_sign() else self.value(first)
        if first.could_extract_minus_sign():
            acc = self.op("negative", acc)
        for term in arrays[1:]:
            minus = term.could_extract_minus_sign()
            acc = self.op("subtract" if minus else "add", acc, self.value(-term if minus else term))
        if scalars:
            acc = self.op("add", acc, f"({self.scalar(Add(*scalars))})")
        return acc

    def mul(self, expr: Mul) -> str:
        softplus = _as_softplus(expr)
        if softplus is not None:  # -log_expit(-u) is softplus(u): two negations fewer
            coeff, u = softplus
            acc = self.op("softplus", self.value(u))
            return acc if coeff == 1 else self.op("multiply", acc, f"({self.scalar(coeff)})")
        coeff = Mul(*[f for f in expr.args if not self.is_array(f)])
        numerator, denominator = [], []
        for f in expr.args:
            if not self.is_array(f):
                continue
            base, exponent = f.as_base_exp()
            if exponent.is_number and exponent.is_negative:
                denominator.append(base ** (-exponent))
            else:
                numerator.append(f)
        if numerator:
            acc = self.value(numerator[0])
            if coeff.is_number and abs(coeff) < 1 and len(numerator) + len(denominator) > 1:
                # shrink before growing: x * 6 / 6 overflows at x = 1e308, x / 6 * 6 does not
                acc = self.op("multiply", acc, f"({self.scalar(coeff)})")
                coeff = Rational(1)
            for f in numerator[1:]:
                acc = self.op("multiply", acc, self.value(f))
        else:
            acc = f"({self.scalar(coeff)})"
            coeff = Rational(1)
        for f in denominator:
            acc = self.op("divide", acc, self.value(f))
        if coeff == -1:
            acc = self.op("negative", acc)
        elif coeff != 1:
            acc = self.op("multiply", acc, f"({self.scalar(coeff)})")
        return acc

    def pow(self, expr: Pow) -> str:
        base, exponent = expr.args
        if not exponent.is_number:
            return self.op("power", self.value(base), f"({self.scalar(exponent)})")
        if exponent.is_negative:
            return self.op("divide", "1.0", self.value(base ** (-exponent)))
        name = self.value(base)
        if exponent == 1:
            return name
        if exponent.is_Integer and exponent <= 4:
            acc = self.op("multiply", name, name)
            for _ in range(int(exponent) - 2):
                acc = self.op("multiply", acc, name)
            return acc
        if exponent == Rational(1, 2):
            return self.op("sqrt", name)
        if (2 * exponent).is_Integer and exponent < 8:
            acc = self.op("sqrt", name)  # base**(k + 1/2) = base**k * sqrt(base)
            for _ in range(int(exponent)):
                acc = self.op("multiply", acc, name)
            return acc
        return self.op("power", name, repr(float(exponent)))


def _as_softplus(expr: Mul) -> tuple[Expr, Expr] | None:
    """expr = c * (-log_expit(-u)) = c * softplus(u): (c, u), else None."""
    factors = Mul.make_args(expr)
    logs = [f for f in factors if type(f).__name__ == "log_expit" and f.args[0].could_extract_minus_sign()]
    if len(logs) != 1:
        return None
    rest = Mul(*[f for f in factors if f is not logs[0]])
    if rest.has(x):
        return None
    return -rest, -logs[0].args[0]


class _ScalarPrinter:
    """Scalar subexpressions (parameters and constants) as plain Python arithmetic."""

    def __init__(self, names: Mapping[Symbol, str]) -> None:
        from sympy.printing.pycode import PythonCodePrinter

        self.printer = PythonCodePrinter({"fully_qualified_modules": True})
        self.names = names

    def doprint(self, expr: Expr) -> str:
        renamed = expr.xreplace({s: Symbol(n) for s, n in self.names.items() if isinstance(s, Symbol)})
        return self.printer.doprint(renamed)


__all__ = ["NAMESPACE", "UFUNCS", "Emitter", "kernel_source"]


# =========================================================================== kernels from regions

NAMESPACE |= {"isnan": np.isnan, "nan": np.nan, "inf": np.inf, "f64": np.float64, "math": math}
NAMESPACE |= {"array": np.array, "full": np.full, "sign": np.sign, "flatnonzero": np.flatnonzero}


def _literal(value: Expr, names: Mapping[Symbol, str]) -> str:
    if value in (oo, -oo):
        return "inf" if value == oo else "-inf"
    return f"({_ScalarPrinter(names).doprint(nfloat(value, 17))})" if not value.is_number else repr(float(value))


def _breakpoint(value: Expr, names: Mapping[Symbol, str]) -> str:
    """A breakpoint in a comparison (kernels compute in float64, so 0.1 is the float64 0.1)."""
    return _literal(value, names)


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
    for dtype in (np.float64,):
        scope = dict(NAMESPACE, x=np.array([float(at.subs(values))], dtype=dtype))
        exec("\n".join(emitter.lines), scope)
        if float(np.asarray(eval(name, scope)).reshape(-1)[0]) != float(np.asarray(constant.subs(values), dtype)):
            return False
    return True


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
    """Sums that cancel at the origin become arrays fixed up near 0 by their Padé approximant (symdl.origin).

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
) -> str:
    """The source of ``kernel(x, params..., lo, hi)``: x is a 1-d float array; returns a new array.

    Without a ``Piecewise``, the expression (max, min and abs included) is one
    NumPy expression.  With one: constant end regions become a clip of the
    input; an even or odd function is computed on |x| (times sign(x)); what is
    left is one branch, a sum of masked constants, or a masked sum of branches.
    """
    lines = []
    if clamp == (True, True):
        lines.append("x = clip(x, lo, hi)")
    elif clamp[0]:
        lines.append("x = maximum(x, lo)")
    elif clamp[1]:
        lines.append("x = minimum(x, hi)")
    fresh = any(clamp)
    odd = False
    if not expr.has(Piecewise):
        lines += _single(form(expr, Region(-oo, oo, False, False, expr)), names, fresh)
    else:
        branches = [(r, form(r.expr, r)) for r in regs]
        constant = all(not e.has(x) for _, e in branches)
        folded = None if constant else _fold(branches, values)
        if folded is not None and len(_groups(folded[1])) >= len(_groups(branches)):
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
            lines += _single(branches[0][1], names, fresh)
        elif constant:
            lines += _constants(branches, names)
        else:
            lines += _blend(branches, names)
    if odd:
        lines.append("multiply(out, sign(s), out=out)")
    lines.append("return out")
    args = ", ".join(["x", *names.values(), "lo", "hi"])
    body = "\n".join("    " + line for line in lines)
    return f"def kernel({args}):\n{body}"


# A constant result keeps NaN inputs NaN; the global max (no temporary) says whether there are any.
_NAN_STAYS = ["if x.size and isnan(x.max()):", "    out[isnan(x)] = nan"]


def single_kernel(expr: Expr) -> Callable[[np.ndarray], np.ndarray]:
    """A kernel for one parameter-free expression as it stands (for measuring forms, symdl.forms)."""
    lines = [*_single(expr, {}, False), "return out"]
    scope = dict(NAMESPACE)
    exec("def k(x):\n" + "\n".join("    " + line for line in lines), scope)
    return scope["k"]


def _single(expr: Expr, names: Mapping[Symbol, str], fresh: bool) -> list[str]:
    """One expression; ``fresh``: x already is an array of the kernel's own (a clip of the input)."""
    if not expr.has(x):
        return [f"out = full(x.shape, {_literal(expr, names)}, x.dtype)", *_NAN_STAYS]
    emitter = Emitter({x}, {x: "x", **names}, "t")
    patched = _patched(expr, x, emitter, "c")
    result, owned = emitter.assign(patched, consumable=emitter.patches | ({x} if fresh else set()))
    if owned or (result == "x" and fresh):
        return [*emitter.lines, f"out = {result}"]
    return [*emitter.lines, f"out = array({result}, copy=True)"]


def _mask(region: Region, names: Mapping[Symbol, str]) -> str:
    """The region as a boolean expression in x, from at most two comparisons."""
    if region.is_point:
        return f"(x == {_breakpoint(region.lo, names)})"
    parts = []
    if region.lo != -oo:
        parts.append(f"(x {'>=' if region.lo_closed else '>'} {_breakpoint(region.lo, names)})")
    if region.hi != oo:
        parts.append(f"(x {'<=' if region.hi_closed else '<'} {_breakpoint(region.hi, names)})")
    return " & ".join(parts)


def _groups(branches: list[tuple[Region, Expr]]) -> list[tuple[Expr, list[Region]]]:
    """Regions with the same branch, together: hardshrink's two x's are one mask and one product."""
    return grouped(branches)


def _group_mask(where: list[Region], names: Mapping[Symbol, str]) -> str:
    return " | ".join(f"({_mask(r, names)})" for r in where)


def _constants(branches: list[tuple[Region, Expr]], names: Mapping[Symbol, str]) -> list[str]:
    """Piecewise constants: sum of mask * value in x's dtype; NaN input stays NaN."""
    terms = [(_group_mask(where, names), value) for value, where in _groups(branches) if value != 0]
    if not terms:
        return ["out = full(x.shape, 0.0, x.dtype)", *_NAN_STAYS]
    lines = []
    for n, (mask, value) in enumerate(terms):
        scaled = f"multiply({mask}, {_literal(value, names)}, dtype=x.dtype)"
        term = f"({mask}).astype(x.dtype)" if value == 1 else scaled
        lines.append(f"out = {term}" if n == 0 else f"out += {term}")
    return lines + _NAN_STAYS


def _blend(branches: list[tuple[Region, Expr]], names: Mapping[Symbol, str]) -> list[str]:
    """sum of mask * branch: exact, no numpy.where (slow), NaN and inf flow through.

    A branch is evaluated on x clipped to its own regions, so where it is not
    selected it is finite (0 * finite = 0), unless it is linear and its regions
    reach both infinities (then it is finite wherever it is not selected).
    """
    lines = [f"m{n} = {_group_mask(where, names)}" for n, (e, where) in enumerate(_groups(branches)) if e != 0]
    first = True
    for n, (expr, where) in enumerate(_groups(branches)):
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
            emitter = Emitter({var}, {var: f"x{n}" if clipped else "x", **names}, f"t{n}_")
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
        for region, expr in branches:
            if region.interval(values).contains(point):
                return expr.subs(x, point)
        raise AssertionError(point)

    for parity in (1, -1):
        mirrored = all(
            simplify(expr - parity * _branch_at(branches, -_inside(region, values), values).subs(x, -x)) == 0
            for region, expr in branches
            if not region.is_point
        )
        at_points = all(simplify((owner(e) - parity * owner(-e)).subs(values)) == 0 for e in ends)
        if mirrored and at_points:
            right = [(_truncate(region, values), expr) for region, expr in branches if _reaches_right(region, values)]
            if simplify((right[0][1].subs(x, 0) - owner(0)).subs(values)) == 0:
                return parity, right
    return None


def _inside(region: Region, values: Mapping[Symbol, Expr]) -> Expr:
    return region.sample(values)


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
