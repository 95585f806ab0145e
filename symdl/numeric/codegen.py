"""Printing SymPy expressions as NumPy ufunc calls that reuse their temporaries.

``a*(exp(x) - 1)`` printed the usual way allocates a fresh array for every
operation; here each operation writes into a temporary its operand no longer
needs (``expm1(t, out=t)``), so an expression costs one allocation per leaf,
not per node.  Common subexpressions are computed once (``sympy.cse``) and
never overwritten.  Numbers print as Python floats (weakly typed in NumPy, so
they never change an array's dtype).

Integer powers are products (``x**3`` is ``x*x*x``; ``numpy.power`` with an
integer exponent is a libm call per element), negative powers divisions.
A *balanced* emitter (what the compiler falls back on when a kernel overflows
before its end) divides as it multiplies: ``x**2/cosh(x)**2`` is
``x/cosh(x)*x/cosh(x)``, never ``inf/inf`` at x = 1e200, and ``x/h**2`` is
``x/h/h``, never ``h*h``.
The function each SymPy class becomes is its record's in ``symdl.functions``.
``expit``, ``softplus`` and ``log_expit`` have fast NumPy forms there, built on SIMD
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
from sympy import (
    Add,
    Expr,
    Function,
    Max,
    Min,
    Mul,
    Pow,
    Rational,
    Symbol,
    cse,
    nfloat,
)

from symdl.functions import ufuncs
from symdl.primitives import Maximum, Minimum
from symdl.ufuncs import numpy_expit_neg

# SymPy function name -> (name in the namespace, callable taking out=): the records of symdl.functions
UFUNCS: dict[str, tuple[str, Callable[..., Any]]] = ufuncs()

NAMESPACE: dict[str, Any] = {name: fn for name, fn in UFUNCS.values()} | {
    "expit_neg": numpy_expit_neg,
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
    "isnan": np.isnan,
    "nan": np.nan,
    "inf": np.inf,
    "math": math,  # ScalarPrinter writes math.exp(p0) and the like
    "array": np.array,
    "full": np.full,
    "sign": np.sign,
    "flatnonzero": np.flatnonzero,
    "isinf": np.isinf,
    "where": np.where,
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

    def __init__(self, arrays: set[Symbol], names: Mapping[Symbol, str], prefix: str, balanced: bool = False) -> None:
        self.balanced = balanced  # products divide as they multiply (see the module docstring)
        self.arrays = set(arrays)  # symbols bound to arrays (x, shared temporaries)
        self.names = dict(names)  # symbol -> name in the code (x, p0, ...)
        self.lines: list[str] = []
        self.prefix = prefix
        self.buffers = (f"{prefix}{n}" for n in count())
        self.ops: list[_Op] = []
        self.ssa = (f"%{n}" for n in count())
        self.values: dict[Symbol, str] = {}  # array symbol -> SSA value or code name
        self.patches: set[Symbol] = set()  # arrays fixed up near the origin (symdl.numeric.origin)

    # --------------------------------------------------------------- public

    def assign(self, expr: Expr, consumable: Iterable[Symbol] = ()) -> tuple[str, bool]:
        """Lines computing ``expr``: the name holding it, and whether it is a fresh array of its own.

        Arrays of ``consumable`` symbols (the kernel's own, e.g. a clipped input)
        may be overwritten at their last use.
        """
        expr = nfloat(expr, 17, exponent=False)
        if self.balanced:  # cse would take 1/h^4 out of x^2/h^4 + 1/h^4 and leave x^2 * (1/h^4) to overflow
            temps, reduced = [], expr
        else:
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
        return ScalarPrinter(self.names).doprint(expr)

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
        if self.balanced and denominator:
            return self.balanced_mul(coeff, numerator, denominator)
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

    def balanced_mul(self, coeff: Expr, numerator: list[Expr], denominator: list[Expr]) -> str:
        """coeff * prod(numerator) / prod(denominator), one factor at a time, a division after each
        multiplication: a growing factor meets a growing divisor before either product overflows."""
        ups, downs = self.unit_factors(numerator), self.unit_factors(denominator)
        if ups:
            acc = ups.pop(0)
        else:
            acc, coeff = f"({self.scalar(coeff)})", Rational(1)
        while downs or ups:
            if downs:
                acc = self.op("divide", acc, downs.pop(0))
            if ups:
                acc = self.op("multiply", acc, ups.pop(0))
        if coeff == -1:
            return self.op("negative", acc)
        return acc if coeff == 1 else self.op("multiply", acc, f"({self.scalar(coeff)})")

    def unit_factors(self, factors: list[Expr]) -> list[str]:
        """The SSA values of the factors, an integer power b**k (k <= 8) as k copies of b."""
        values = []
        for f in factors:
            base, exponent = f.as_base_exp()
            if exponent.is_Integer and 1 <= exponent <= 8:
                values += [self.value(base)] * int(exponent)
            else:
                values.append(self.value(f))
        return values

    def pow(self, expr: Pow) -> str:
        base, exponent = expr.args
        if not exponent.is_number:
            return self.op("power", self.value(base), f"({self.scalar(exponent)})")
        if exponent.is_negative:
            if self.balanced:
                return self.balanced_mul(Rational(1), [], [base ** (-exponent)])
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


class ScalarPrinter:
    """Scalar subexpressions (parameters and constants) as plain Python arithmetic."""

    def __init__(self, names: Mapping[Symbol, str]) -> None:
        from sympy.printing.pycode import PythonCodePrinter

        self.printer = PythonCodePrinter({"fully_qualified_modules": True})
        self.names = names

    def doprint(self, expr: Expr) -> str:
        renamed = expr.xreplace({s: Symbol(n) for s, n in self.names.items() if isinstance(s, Symbol)})
        return self.printer.doprint(renamed)


__all__ = ["NAMESPACE", "UFUNCS", "Emitter", "ScalarPrinter"]
