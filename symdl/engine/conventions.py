"""What symdl uses where f' is undefined, and what PyTorch's autograd gives there: measured, not assumed.

At a kink or a jump symdl uses the slope of the branch selected there (the declaration's order fixes it,
``symdl.primitives``).  Whether PyTorch gives the same is a fact about PyTorch, so it was measured:
``bench/measure_torch_kinks.py`` evaluates each function's PyTorch form in float64 exactly at its
breakpoints and asks autograd for the derivative.  Its output is ``MEASURED_CATALOGUE`` and
``MEASURED_PRIMITIVES`` below, with the torch version, ``MEASURED_WITH``.  From those measurements:

- ``TORCH``: each catalogue activation with a breakpoint, the PyTorch function it is, and what autograd
  gives at each breakpoint, in the declaration's parameters (``None``: PyTorch has no derivative there);
- ``LOCAL``: what autograd uses for each primitive a user can write, at its kink: torch.abs'(0) = 0,
  torch.sign' = 0, a tie of torch.maximum or torch.minimum splits the gradient 1/2 and 1/2, torch.where
  sends it to the selected branch only (0 times the other branch's slope, so an infinite slope there
  gives NaN), torch.heaviside has none.  ``autograd`` applies them by the chain rule to a user's
  expression, as PyTorch's autograd would to the same expression written with those functions;
- ``claim``: what may be said about the value symdl uses at one breakpoint.

``tests/test_conventions.py`` checks every entry of ``TORCH`` and ``autograd`` on every expression of
``MEASURED_PRIMITIVES`` against the measurements.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache

from sympy import Abs, Dummy, Expr, Heaviside, Piecewise, S, Symbol, diff, sign

from symdl.budget import USER_SECONDS, OutOfTime, budget, guarded
from symdl.catalog import CATALOGUE, Activation, alpha, lam, lower, max_val, min_val, threshold, upper, x
from symdl.engine.calculus import Breakpoint
from symdl.primitives import Maximum, Minimum

# --------------------------------------------------------------------------- the measurements

# Printed by bench/measure_torch_kinks.py; measured on torch 2.14.1 (CPU, float64).
MEASURED_WITH = "2.14.1"  # torch.__version__ 2.14.1+cu130
# (catalogue name, its parameters, the PyTorch call, x, d f/d x at x: a float64, or what autograd raised)
MEASURED_CATALOGUE: tuple[tuple[str, dict[str, str], str, str, float | str], ...] = (
    ("relu", {}, "F.relu(x)", "0", 0.0),
    ("leaky_relu", {"alpha": "1/100"}, "F.leaky_relu(x, alpha)", "0", 0.01),
    ("leaky_relu", {"alpha": "1/5"}, "F.leaky_relu(x, alpha)", "0", 0.2),
    ("prelu", {"alpha": "1/4"}, "F.prelu(x, [alpha])", "0", 0.25),
    ("prelu", {"alpha": "1/2"}, "F.prelu(x, [alpha])", "0", 0.5),
    ("rrelu", {"lower": "1/8", "upper": "1/3"}, "F.rrelu(x, lower, upper, training=False)", "0", 0.22916666666666666),
    ("rrelu", {"lower": "1/10", "upper": "3/10"}, "F.rrelu(x, lower, upper, training=False)", "0", 0.2),
    ("elu", {"alpha": "1"}, "F.elu(x, alpha)", "0", 1.0),
    ("elu", {"alpha": "1/2"}, "F.elu(x, alpha)", "0", 0.5),
    ("selu", {}, "F.selu(x)", "0", 1.7580993408473766),
    (
        "selu",
        {"lambda": "2", "alpha": "1/2"},
        "torch.ops.aten.elu(x, alpha, lambda, 1)  (F.selu's kernel, other constants)",
        "0",
        1.0,
    ),
    ("celu", {"alpha": "1"}, "F.celu(x, alpha)", "0", 1.0),
    ("celu", {"alpha": "1/2"}, "F.celu(x, alpha)", "0", 1.0),
    ("softsign", {}, "F.softsign(x)", "0", 1.0),
    ("hardtanh", {"min_val": "-1", "max_val": "1"}, "F.hardtanh(x, min_val, max_val)", "-1", 0.0),
    ("hardtanh", {"min_val": "-1", "max_val": "1"}, "F.hardtanh(x, min_val, max_val)", "1", 0.0),
    ("hardtanh", {"min_val": "-2", "max_val": "3"}, "F.hardtanh(x, min_val, max_val)", "-2", 0.0),
    ("hardtanh", {"min_val": "-2", "max_val": "3"}, "F.hardtanh(x, min_val, max_val)", "3", 0.0),
    ("relu6", {}, "F.relu6(x)", "0", 0.0),
    ("relu6", {}, "F.relu6(x)", "6", 0.0),
    ("hardsigmoid", {}, "F.hardsigmoid(x)", "-3", 0.0),
    ("hardsigmoid", {}, "F.hardsigmoid(x)", "3", 0.0),
    ("hardswish", {}, "F.hardswish(x)", "-3", 0.0),
    ("hardswish", {}, "F.hardswish(x)", "3", 1.0),
    ("softshrink", {"lambda": "1/2"}, "F.softshrink(x, lambda)", "-1/2", 0.0),
    ("softshrink", {"lambda": "1/2"}, "F.softshrink(x, lambda)", "1/2", 0.0),
    ("softshrink", {"lambda": "1"}, "F.softshrink(x, lambda)", "-1", 0.0),
    ("softshrink", {"lambda": "1"}, "F.softshrink(x, lambda)", "1", 0.0),
    ("hardshrink", {"lambda": "1/2"}, "F.hardshrink(x, lambda)", "-1/2", 0.0),
    ("hardshrink", {"lambda": "1/2"}, "F.hardshrink(x, lambda)", "1/2", 0.0),
    ("hardshrink", {"lambda": "1"}, "F.hardshrink(x, lambda)", "-1", 0.0),
    ("hardshrink", {"lambda": "1"}, "F.hardshrink(x, lambda)", "1", 0.0),
    ("threshold", {"threshold": "1/10", "value": "20"}, "F.threshold(x, threshold, value)", "1/10", 0.0),
    ("threshold", {"threshold": "1", "value": "-2"}, "F.threshold(x, threshold, value)", "1", 0.0),
    ("binary_step", {}, "torch.heaviside(x, 1)", "0", "raises: derivative for aten::heaviside is not implemented"),
)
# (primitive, an expression in symdl's language, the same in PyTorch, x, d f/d x at x, as above)
MEASURED_PRIMITIVES: tuple[tuple[str, str, str, str, float | str], ...] = (
    ("abs", "abs(x)", "torch.abs(x)", "0", 0.0),
    ("abs", "abs(x - 1)", "torch.abs(x - 1)", "1", 0.0),
    ("sign", "sign(x)", "torch.sign(x)", "0", 0.0),
    (
        "heaviside",
        "heaviside(x)",
        "torch.heaviside(x, 1)",
        "0",
        "raises: derivative for aten::heaviside is not implemented",
    ),
    ("max", "max(0, x)", "torch.maximum(0, x)", "0", 0.5),
    ("max", "max(x, 0)", "torch.maximum(x, 0)", "0", 0.5),
    ("max", "max(x/5, x)", "torch.maximum(x/5, x)", "0", 0.6),
    ("min", "min(0, x)", "torch.minimum(0, x)", "0", 0.5),
    ("min", "min(x/5, x)", "torch.minimum(x/5, x)", "0", 0.6),
    ("where", "where(x > 0, x, 2*x)", "torch.where(x > 0, x, 2*x)", "0", 2.0),
    ("where", "where(x >= 0, x, 2*x)", "torch.where(x >= 0, x, 2*x)", "0", 1.0),
    (
        "where",
        "where(x < 0, 0, 1)",
        "torch.where(x < 0, 0., 1.)",
        "0",
        "raises: element 0 of tensors does not require grad and does not have a grad_fn",
    ),
    ("where", "where(x > 0, sqrt(x), 0)", "torch.where(x > 0, torch.sqrt(x), 0.)", "0", float("nan")),
    ("where", "x + where(x < 0, 0, 1)", "x + torch.where(x < 0, 0., 1.)", "0", 1.0),
)

# --------------------------------------------------------------------------- the catalogue


@dataclass(frozen=True)
class TorchFunction:
    """A catalogue activation's PyTorch function, and what autograd gives at each of its breakpoints."""

    call: str  # "torch.nn.functional.relu"
    at: tuple[tuple[Expr, Expr | None], ...]  # (breakpoint, d f/d x there; None: no derivative), in the parameters
    why_none: str = ""  # where autograd gives none, what it does instead


def _f(name: str, *at: tuple[Expr, Expr | None]) -> TorchFunction:
    return TorchFunction(f"torch.nn.functional.{name}", tuple((S(p), None if g is None else S(g)) for p, g in at))


# Every breakpoint of every catalogue activation (kinks, jumps and smooth joins alike), as measured.
TORCH: dict[str, TorchFunction] = {
    "relu": _f("relu", (0, 0)),
    "leaky_relu": _f("leaky_relu", (0, alpha)),  # negative_slope = alpha
    "prelu": _f("prelu", (0, alpha)),  # weight = [alpha]
    "rrelu": _f("rrelu", (0, (lower + upper) / 2)),  # training=False: the mean slope, as symdl declares it
    "elu": _f("elu", (0, alpha)),
    "selu": _f("selu", (0, lam * alpha)),  # other constants: torch.ops.aten.elu(x, alpha, lambda, 1)
    "celu": _f("celu", (0, 1)),
    "softsign": _f("softsign", (0, 1)),
    "hardtanh": _f("hardtanh", (min_val, 0), (max_val, 0)),
    "relu6": _f("relu6", (0, 0), (6, 0)),
    "hardsigmoid": _f("hardsigmoid", (-3, 0), (3, 0)),
    "hardswish": _f("hardswish", (-3, 0), (3, 1)),
    "softshrink": _f("softshrink", (-lam, 0), (lam, 0)),  # lambd = lambda
    "hardshrink": _f("hardshrink", (-lam, 0), (lam, 0)),
    "threshold": _f("threshold", (threshold, 0)),
    "binary_step": TorchFunction(
        "torch.heaviside",
        ((S.Zero, None),),
        why_none="torch.heaviside: autograd raises, its derivative is not implemented",
    ),
}

# --------------------------------------------------------------------------- the primitives


class NoDerivative(Exception):
    """PyTorch's autograd gives no derivative here (the message says why)."""


class Undecided(Exception):
    """No rule can be applied here (a condition that does not evaluate to true or false)."""


Value = Callable[[Expr], Expr]  # a subexpression's value at the point
Gradient = Callable[[Expr], Expr]  # a subexpression's derivative as autograd computes it, at the point


@dataclass(frozen=True)
class Local:
    """What autograd does for one primitive: its PyTorch function and its derivative at any point, kinks included."""

    torch: str
    rule: Callable[[Expr, Value, Gradient], Expr]


def _abs(node: Expr, value: Value, d: Gradient) -> Expr:
    (u,) = node.args
    return sign(value(u)) * d(u)  # sign(0) = 0: torch.abs'(0) = 0, measured


def _sign(node: Expr, value: Value, d: Gradient) -> Expr:
    return S.Zero * d(node.args[0])  # torch.sign' = 0 everywhere, 0 included, measured


def _heaviside(node: Expr, value: Value, d: Gradient) -> Expr:
    raise NoDerivative("torch.heaviside: autograd raises, its derivative is not implemented")


TIE = S.Half  # a tie of torch.maximum or torch.minimum: each argument gets half the gradient, measured


def _extremum(first_wins: Callable[[Expr], bool]) -> Callable[[Expr, Value, Gradient], Expr]:
    def rule(node: Expr, value: Value, d: Gradient) -> Expr:
        a, b = node.args
        gap = value(a) - value(b)
        if gap.is_zero:
            share = TIE
        elif gap.is_extended_real and gap.is_zero is False:
            share = S.One if first_wins(gap) else S.Zero
        else:
            raise Undecided(f"{node}: which argument wins is not decided at this point")
        return _weighted(((share, a), (1 - share, b)), d)

    return rule


def _where(node: Expr, value: Value, d: Gradient) -> Expr:
    """torch.where: the selected branch gets the gradient, every other branch 0 times its own derivative."""
    chosen = None
    for n_, (_, condition) in enumerate(node.args):
        verdict = value(condition)
        if verdict not in (S.true, S.false):
            raise Undecided(f"{condition} is not decided at this point")
        if verdict == S.true:
            chosen = n_
            break
    if chosen is None:
        raise Undecided(f"{node}: no branch holds at this point")
    return _weighted(((S.One if n_ == chosen else S.Zero, e) for n_, (e, _) in enumerate(node.args)), d)


def _weighted(parts, d: Gradient) -> Expr:
    """Σ share · d(part) over the parts that reach x (0 · ∞ is NaN, as in float64)."""
    return sum((share * d(part) for share, part in parts if _reaches_x(part)), S.Zero)


LOCAL: dict[type, Local] = {
    Abs: Local("torch.abs", _abs),
    sign: Local("torch.sign", _sign),
    Heaviside: Local("torch.heaviside", _heaviside),
    Maximum: Local("torch.maximum", _extremum(lambda gap: gap > 0)),
    Minimum: Local("torch.minimum", _extremum(lambda gap: gap < 0)),
    Piecewise: Local("torch.where", _where),
}


@cache
def _reaches_x(expr: Expr) -> bool:
    """Whether autograd's graph connects expr to x: a where's condition does not, its branches do."""
    if expr == x:
        return True
    if isinstance(expr, Piecewise):
        return any(_reaches_x(e) for e, _ in expr.args)
    return any(_reaches_x(arg) for arg in expr.args)


def autograd(expr: Expr, at: Expr) -> Expr:
    """d expr/dx at x = at as PyTorch's autograd gives it for the same expression written with torch.abs,
    torch.maximum, torch.minimum and torch.where (``LOCAL``), every other function by its derivative.

    ``expr`` and ``at`` carry no parameters (substitute them first).  ``NoDerivative`` where PyTorch gives
    none, ``Undecided`` where no rule can be applied."""
    if not _reaches_x(expr):
        raise NoDerivative("the expression does not reach x through a differentiable operation: autograd raises")
    values: dict[Expr, Expr] = {}
    slopes: dict[Expr, Expr] = {}

    def value(e: Expr) -> Expr:
        if e not in values:
            values[e] = e.subs(x, at)
        return values[e]

    def d(e: Expr) -> Expr:
        if e not in slopes:
            slopes[e] = _slope(e, value, d)
        return slopes[e]

    return d(expr)


def _slope(e: Expr, value: Value, d: Gradient) -> Expr:
    if not _reaches_x(e):
        return S.Zero  # a constant: not in autograd's graph
    if e == x:
        return S.One
    local = LOCAL.get(type(e))
    if local is not None:
        return local.rule(e, value, d)
    total = S.Zero
    for n_, arg in enumerate(e.args):  # the chain rule, one argument at a time
        if not _reaches_x(arg):
            continue
        u = Dummy("u")
        partial = diff(e.func(*(u if m == n_ else a for m, a in enumerate(e.args))), u)
        total += value(partial.subs(u, arg)) * d(arg)
    return total


def written_with(expr: Expr) -> str:
    """The PyTorch functions a user's expression is written with, as the claim names them: "torch.abs"."""
    found = {local.torch for kind, local in LOCAL.items() if expr.atoms(kind)}
    return ", ".join(sorted(found)) or "torch"


# --------------------------------------------------------------------------- the claim


@dataclass(frozen=True)
class Claim:
    """What may be said about the value symdl uses at one breakpoint, and what PyTorch gives there."""

    used: Expr  # f'(at) as symdl uses it: the slope of the branch selected there
    pytorch: Expr | None  # what PyTorch's autograd gives there; None where it gives no derivative
    torch: str  # the PyTorch function(s) the rule was measured on
    why_none: str = ""  # where PyTorch gives no derivative: what autograd does instead
    covered: bool = True  # False: no measured rule covers this point, and nothing is said about PyTorch

    @property
    def kind(self) -> str:
        """ "same" as PyTorch, "differs" from it, "none" (PyTorch has no derivative there) or "unknown"."""
        if not self.covered:
            return "unknown"
        if self.pytorch is None:
            return "none"
        return "same" if _equal(self.used, self.pytorch) else "differs"

    @property
    def version(self) -> str:
        return MEASURED_WITH


def claim(act: Activation, b: Breakpoint, values: Mapping[Symbol, Expr]) -> Claim:
    """The claim at breakpoint ``b`` of ``act`` at parameter ``values``: a catalogue activation by ``TORCH``,
    any other by ``autograd`` on its definition (a user's expression runs under the time budget)."""
    return _claim(act, b, tuple(sorted(values.items(), key=lambda kv: kv[0].name)))


@cache
def _claim(act: Activation, b: Breakpoint, values: tuple[tuple[Symbol, Expr], ...]) -> Claim:
    sub = dict(values)
    used = b.slope.subs(sub)
    if act in CATALOGUE:
        function = TORCH.get(act.name)
        rules = function.at if function is not None else ()
        found = [g for p, g in rules if _equal(p.subs(sub), b.at.subs(sub))]
        if not found:
            return Claim(used, None, function.call if function is not None else "", covered=False)
        gradient = found[0]
        return Claim(used, None if gradient is None else gradient.subs(sub), function.call, function.why_none)
    definition = act.definition.subs(sub)
    torch = written_with(definition)
    try:
        with budget(USER_SECONDS):
            found, why = guarded("what PyTorch gives at a breakpoint", _user, definition, b.at.subs(sub))
    except OutOfTime:
        return Claim(used, None, torch, covered=False)
    if why is None and found is None:
        return Claim(used, None, torch, covered=False)
    return Claim(used, found, torch, why or "")


def _user(definition: Expr, at: Expr) -> tuple[Expr | None, str | None]:
    """(autograd's value, None), or (None, why PyTorch has none), or (None, None) where no rule applies."""
    try:
        return autograd(definition, at), None
    except NoDerivative as why:
        return None, str(why)
    except Undecided:
        return None, None


def _equal(a: Expr, b: Expr) -> bool:
    difference = S(a) - S(b)
    if difference.has(S.NaN):
        return False
    if difference.is_zero is not None:
        return bool(difference.is_zero)
    return abs(difference.evalf(40)) < S(10) ** -30


__all__ = [
    "LOCAL",
    "MEASURED_CATALOGUE",
    "MEASURED_PRIMITIVES",
    "MEASURED_WITH",
    "TORCH",
    "Claim",
    "Local",
    "NoDerivative",
    "TorchFunction",
    "Undecided",
    "autograd",
    "claim",
    "written_with",
]
