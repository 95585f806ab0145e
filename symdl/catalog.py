"""The activation catalogue: every activation symdl knows, declared once.

A declaration is a row of the lecture's table and nothing more: the name,
aliases, the LaTeX name it prints with, its parameters with exact defaults,
and its definition as a SymPy expression.  Derivatives, textbook forms,
ranges and plot limits are never typed: ``symdl.engine.calculus`` derives them.
Where the lecture writes a function differently from its standard definition,
the declaration also gives the lecture's form (``lecture=``) and where the
standard comes from (``reference=``); what the difference is (a parameter
written as its value, fixed, or a scale left out) is derived by the views
(``symdl.engine.lecture.lecture_form``), never typed.

Conventions the declarations encode:
- Where a function has a kink, the branch written as selected there is the
  one PyTorch's autograd differentiates (``Maximum``/``Minimum`` pick their
  first argument on a tie; a ``Piecewise`` picks its first true condition);
  ``symdl.engine.conventions`` holds what autograd was measured to give.
- Parameters default to PyTorch's defaults, as exact rationals.
- ``constraints`` are what the parameters must meet for the definition to be
  the function it names (hardtanh's min_val < max_val), each with its reason;
  ``Activation.values`` refuses a value that breaks one.
- Vector functions (softmax and its kin) are written for component ``i`` of an
  ``n``-vector ``x``; their derivative is the Jacobian.
"""

from __future__ import annotations

import difflib
import re
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from sympy import (
    Expr,
    Gt,
    Indexed,
    IndexedBase,
    Le,
    Lt,
    Ne,
    Piecewise,
    Rational,
    S,
    Sum,
    Symbol,
    atan,
    erf,
    exp,
    log,
    pi,
    sqrt,
    symbols,
    tanh,
)
from sympy.core.numbers import Number
from sympy.core.relational import Relational

from symdl.errors import BadParameter, UnknownActivation
from symdl.primitives import Maximum, Minimum

# The variable every scalar definition is written in.
x = Symbol("x", real=True)

# Vector functions: component i of x = (x_1, ..., x_n); j is the summation
# index, as on the lecture's softmax slide.
xs = IndexedBase("x", real=True)
i, j, k = symbols("i j k", integer=True, positive=True)
n = Symbol("n", integer=True, positive=True)

# Parameters.  A symbol's name is also its name on the command line.
alpha = Symbol("alpha", positive=True)
beta = Symbol("beta", positive=True)
lam = Symbol("lambda", positive=True)
min_val = Symbol("min_val", real=True)
max_val = Symbol("max_val", real=True)
threshold = Symbol("threshold", real=True)
value = Symbol("value", real=True)
lower = Symbol("lower", positive=True)
upper = Symbol("upper", positive=True)


@dataclass(frozen=True)
class Param:
    """A parameter: its symbol, exact default, and how it prints (the values it may take are the
    declaration's ``constraints``)."""

    symbol: Symbol
    default: Expr
    tex: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "default", _exact(self.default, self.symbol.name))

    @property
    def name(self) -> str:
        return self.symbol.name


@dataclass(frozen=True)
class Constraint:
    """A condition on the parameters without which the definition is not the function it names, and why.

    ``holds`` is a SymPy relation in the parameter symbols, written unevaluated where the symbol's
    assumptions would decide it at once (``Gt(alpha, 0, evaluate=False)`` for a positive alpha), so that it
    prints and is checked exactly against the values a user gives.
    """

    holds: Relational
    why: str

    def __post_init__(self) -> None:
        if not isinstance(self.holds, Relational):
            raise TypeError(
                f"constraint {self.holds!r} ({self.why}): write it unevaluated, e.g. Gt(alpha, 0, evaluate=False)"
            )

    @property
    def symbols(self) -> set[Symbol]:
        return self.holds.free_symbols

    def __str__(self) -> str:
        """``alpha <= 1``, ``min_val < max_val``, ``alpha != 0``: the relation as a user types values."""
        return f"{self.holds.lhs} {self.holds.rel_op} {self.holds.rhs}"


def _implied(symbol: Symbol) -> Constraint | None:
    """What a parameter symbol's own assumptions require: SymPy simplifies with them, so a value against
    them would make every derived fact wrong."""
    if symbol.is_positive:
        return Constraint(Gt(symbol, 0, evaluate=False), f"SymPy takes {symbol.name} to be positive")
    if symbol.is_nonnegative:
        return Constraint(Le(0, symbol, evaluate=False), f"SymPy takes {symbol.name} to be non-negative")
    return None


def _exact(number: Any, what: str) -> Expr:
    """An exact SymPy number from an int, a Fraction-like, a decimal string or a SymPy number."""
    if isinstance(number, float):
        raise TypeError(f"{what}: write defaults exactly (a Rational or a decimal string), not the float {number!r}")
    if isinstance(number, str):
        return Rational(number)
    value = S(number)
    if not isinstance(value, Number) and not value.is_number:
        raise TypeError(f"{what}: default must be a number, not {number!r}")
    return value


@dataclass(frozen=True)
class Activation:
    """One declaration: name, definition, the LaTeX name, aliases and parameters.

    ``params`` may be given as ``{symbol: default}`` or ``{symbol: Param(...)}``;
    ``act.params`` is always ``{symbol: exact default}``.  ``constraints`` are what the parameters must meet
    (``Activation.values`` refuses a value that breaks one); what a parameter symbol's assumptions require
    (alpha positive: alpha > 0) is added where not declared.  ``lecture`` is the function as the lecture
    writes it, in x and (some of) the parameters, where that differs from the definition; ``reference``
    names where the standard definition comes from ("Klambauer et al., 2017", "PyTorch").
    """

    name: str
    definition: Expr
    tex: str
    aliases: tuple[str, ...] = ()
    parameters: tuple[Param, ...] = field(default=())
    lecture: Expr | None = None
    reference: tuple[str, ...] = ()
    constraints: tuple[Constraint, ...] = ()

    def __init__(
        self,
        name: str,
        definition: Expr,
        *,
        tex: str,
        aliases: Iterable[str] = (),
        params: Mapping[Symbol, Any] | Iterable[Param] = (),
        lecture: Expr | None = None,
        reference: Iterable[str] = (),
        constraints: Iterable[Constraint] = (),
    ) -> None:
        if isinstance(params, Mapping):
            params = tuple(p if isinstance(p, Param) else Param(s, p) for s, p in params.items())
        object.__setattr__(self, "name", name)
        object.__setattr__(self, "definition", S(definition))
        object.__setattr__(self, "tex", tex)
        object.__setattr__(self, "aliases", tuple(aliases))
        object.__setattr__(self, "parameters", tuple(params))
        object.__setattr__(self, "lecture", None if lecture is None else S(lecture))
        object.__setattr__(self, "reference", tuple(reference))
        for what, expr in (("definition", self.definition), ("lecture's form", self.lecture)):
            if expr is None:
                continue
            unknown = expr.free_symbols - {x, i, n} - {p.symbol for p in self.parameters}
            unknown = {s for s in unknown if not _is_index_part(s)}
            if unknown:
                names = ", ".join(sorted(str(s) for s in unknown))
                raise BadParameter(f"{name}: the {what} uses {names}, which is neither x nor a declared parameter")
        object.__setattr__(self, "constraints", _with_implied(tuple(constraints), self.parameters, name))
        self.check(self.params)  # the defaults themselves must meet every constraint

    # The public API's names (DESIGN.md): act.x, act.expr, act.params.
    @property
    def expr(self) -> Expr:
        return self.definition

    @cached_property
    def is_vector(self) -> bool:
        return self.definition.has(xs)

    @property
    def x(self) -> Symbol | IndexedBase:
        return xs if self.is_vector else x

    @property
    def params(self) -> dict[Symbol, Expr]:
        return {p.symbol: p.default for p in self.parameters}

    def param(self, name: str) -> Param:
        for p in self.parameters:
            if p.name == name:
                return p
        have = ", ".join(p.name for p in self.parameters) or "no parameters"
        raise BadParameter(f"{self.name} has no parameter {name!r} (it has {have})")

    def values(self, overrides: Mapping[str | Symbol, Any] | None = None) -> dict[Symbol, Expr]:
        """The parameter values to use: the defaults, with ``overrides`` applied and every constraint checked.

        Every path that takes parameter values comes here (``derive``, so ``-p``/``--param``; a network
        spec's ``parameters``; ``symdl.define``'s activations), so a value that breaks a constraint is
        refused once, in one line naming the constraint and the value."""
        values = self.params
        given: dict[Symbol, Any] = {}
        for key, raw in (overrides or {}).items():
            p = self.param(key.name if isinstance(key, Symbol) else str(key))
            values[p.symbol] = parse_number(raw, f"{self.name}: parameter {p.name}")
            given[p.symbol] = raw
        self.check(values, given)
        return values

    def check(self, values: Mapping[Symbol, Expr], given: Mapping[Symbol, Any] | None = None) -> None:
        """``BadParameter`` naming the first constraint that ``values`` break; ``given`` is what the user
        typed for each value (the rest are defaults)."""
        given = {} if given is None else given
        for c in self.constraints:
            if c.holds.subs(values) != S.true:
                involved = [p.symbol for p in self.parameters if p.symbol in c.symbols]
                raise BadParameter(_broken(self.name, c, involved, values, given))

    @property
    def tex_grouped(self) -> str:
        """The name ready for a prime: \\sigma, \\operatorname{ReLU}; (\\log\\sigma) if it is several symbols."""
        single = re.fullmatch(r"\\[A-Za-z]+|\\operatorname\{[^{}]*\}|[A-Za-z]", self.tex)
        return self.tex if single else f"({self.tex})"

    def _repr_latex_(self) -> str:
        from sympy import latex

        return f"$\\displaystyle {self.tex}({latex(self.x)}) = {latex(self.definition)}$"


def _is_index_part(symbol: Any) -> bool:
    return isinstance(symbol, (Indexed, IndexedBase)) or symbol in (j, k)


def _with_implied(declared: tuple[Constraint, ...], parameters: tuple[Param, ...], name: str) -> tuple[Constraint, ...]:
    """The declared constraints, then those the parameter symbols' assumptions imply and no declaration states."""
    symbols = {p.symbol for p in parameters}
    for c in declared:
        if not c.symbols <= symbols:
            unknown = ", ".join(sorted(s.name for s in c.symbols - symbols))
            raise BadParameter(f"{name}: the constraint {c} uses {unknown}, which is not a declared parameter")
    implied = [c for c in map(_implied, (p.symbol for p in parameters)) if c is not None]
    return declared + tuple(c for c in implied if all(c.holds != d.holds for d in declared))


def _broken(
    name: str, c: Constraint, involved: list[Symbol], values: Mapping[Symbol, Expr], given: Mapping[Symbol, Any]
) -> str:
    """One line: which values break which constraint, why it is there, and what to choose."""
    if not given:
        return f"{name}: its default parameters do not meet {c} ({c.why}); declare defaults that do"
    if len(involved) == 1:
        (s,) = involved
        return (
            f"{name}: parameter {s.name}={given.get(s, values[s])} is outside its valid range: it needs {c} "
            f"({c.why}); choose a value with {c}"
        )
    shown = ", ".join(f"{s.name}={given[s]}" if s in given else f"{s.name}={values[s]} (default)" for s in involved)
    return f"{name}: parameters {shown} do not meet {c} ({c.why}); choose values with {c}"


# Numbers from user text: ASCII digits only, at most MAX_DIGITS significant digits, and a value float64 can hold
# (no larger in magnitude than its largest finite value, and 0 or not rounded to 0: above 2**-1075).
MAX_DIGITS = 50
FLOAT64_MAX = Rational(int(sys.float_info.max))
FLOAT64_ZERO = Rational(1, 2**1075)  # half the smallest subnormal: this and below round to 0
_NUMBER = re.compile(r"\s*([+-]?)([0-9]*)(?:\.([0-9]*))?(?:[eE]([+-]?[0-9]+))?(?:\s*/\s*([0-9]+))?\s*", re.ASCII)


def beyond_float64(value: Expr) -> str | None:
    """Why an exact number cannot be a float64 (too large, or not 0 but rounded to 0), or None if it can."""
    if not value.is_Rational:
        return None
    if abs(value) > FLOAT64_MAX:
        return _TOO_LARGE
    if value != 0 and abs(value) <= FLOAT64_ZERO:
        return _TOO_SMALL
    return None


_TOO_LARGE = "is beyond float64's range (about 1.8e308); write a smaller number"
_TOO_SMALL = "is not 0 but float64 rounds it to 0 (below about 2.5e-324); write 0 or a larger number"


def _shown(raw: Any) -> str:
    """RAW as the user wrote it, cut to one short line: a 5000-digit literal is not echoed back."""
    if isinstance(raw, int) and raw.bit_length() > 200:
        return f"an integer of {len(str(abs(raw))) if raw.bit_length() < 10_000 else 'more than 3000'} digits"
    text = repr(str(raw))
    return text if len(text) <= 40 else f"{text[:24]}...{text[-8:]} ({len(str(raw))} characters)"


def _decimal(whole: str, fraction: str, exponent: str) -> tuple[int, int]:
    """Digits WHOLE.FRACTION times 10**EXPONENT as (significant digits, power of ten), converting at most
    MAX_DIGITS digits to an int; an exponent of six digits or more stands for a power beyond any float64."""
    digits = (whole + fraction).lstrip("0")
    significant = digits.rstrip("0")
    if len(significant) > MAX_DIGITS:
        raise _TooLong(len(significant))
    shift = exponent.lstrip("+-").lstrip("0")
    scale = int(exponent or "0") if len(shift) < 6 else (-1 if exponent.startswith("-") else 1) * 10**100
    return int(significant or "0"), scale - len(fraction) + len(digits) - len(significant)


class _TooLong(Exception):
    """A literal with more significant digits than MAX_DIGITS (its count is the argument)."""


def parse_number(raw: Any, what: str) -> Expr:
    """An exact rational from user text ("0.2", "1/4", "-3", "1e-2") or a Python number.

    User text never reaches ``sympify``: only this pattern is accepted, in ASCII digits, with at most
    ``MAX_DIGITS`` significant digits and a value float64 can hold (``beyond_float64``).
    """
    if isinstance(raw, bool):
        raise BadParameter(f"{what}: expected a number, got {raw!r}")
    if isinstance(raw, float):
        if raw != raw or raw in (float("inf"), float("-inf")):
            raise BadParameter(f"{what}: expected a finite number, got {raw!r}")
        return Rational(repr(raw))
    if isinstance(raw, int) and raw.bit_length() > 1100:  # before any conversion to text or SymPy
        raise BadParameter(f"{what}: {_shown(raw)} {_TOO_LARGE}")
    if isinstance(raw, (int, Rational)):
        number = S(raw)
        if number.is_Integer and len(str(abs(number)).rstrip("0")) > MAX_DIGITS:
            raise BadParameter(f"{what}: {_shown(raw)} has more than {MAX_DIGITS} significant digits; round it")
    else:
        number = _number_from_text(str(raw), what, _shown(raw))
    problem = beyond_float64(number)
    if problem:
        raise BadParameter(f"{what}: {_shown(raw)} {problem}")
    return number


def _number_from_text(text: str, what: str, shown: str) -> Expr:
    """The exact value of TEXT, a decimal or a fraction such as 1/3; a BadParameter naming WHAT and SHOWN if none."""
    match = _NUMBER.fullmatch(text)
    if not match or not (match.group(2) or match.group(3)):
        foreign = next((c for c in text if not c.isascii()), None)
        if foreign is not None:
            raise BadParameter(
                f"{what}: {shown} has {foreign!r}, which is not ASCII; write numbers with the digits 0-9, "
                "e.g. 0.2 or 1/4"
            )
        raise BadParameter(f"{what}: expected a number such as 0.2 or 1/4, got {shown}")
    sign, whole, fraction, exponent, denominator = match.groups()
    try:
        top, power = _decimal(whole, fraction or "", exponent or "")
        bottom, down = _decimal(denominator, "", "") if denominator is not None else (1, 0)
    except _TooLong as error:
        raise BadParameter(
            f"{what}: {shown} has {error.args[0]} significant digits; symdl reads at most {MAX_DIGITS}: round it"
        ) from None
    if bottom == 0:
        raise BadParameter(f"{what}: {shown} divides by zero")
    if top == 0:
        return S.Zero
    power -= down
    magnitude = power + len(str(top)) - len(str(bottom))  # log10 of the value, within 2
    if not -340 < magnitude < 320:  # far outside float64: 10**power is never built
        raise BadParameter(f"{what}: {shown} {_TOO_LARGE if magnitude > 0 else _TOO_SMALL}")
    number = Rational(top, bottom) * Rational(10) ** power
    return -number if sign == "-" else number


def positive(symbol: Symbol, why: str) -> Constraint:
    """symbol > 0, kept unevaluated (a positive symbol would make it True at once)."""
    return Constraint(Gt(symbol, 0, evaluate=False), why)


# The leak of LeakyReLU, PReLU and RReLU: max(a x, x) is x for x > 0 and a x for x < 0 only while a <= 1.
_LEAK = (
    Constraint(Le(alpha, 1), "max(αx, x) is the leaky x-or-αx only for α ≤ 1; beyond, it picks αx for x > 0"),
    positive(alpha, "a leak: α = 0 is ReLU and α < 0 makes it non-monotonic"),
)

# The constants of SELU, to the 32 digits Klambauer et al. (2017) give.
SELU_SCALE = Rational("1.0507009873554804934193349852946")
SELU_ALPHA = Rational("1.6732632423543772848170429916717")

CATALOGUE: tuple[Activation, ...] = (
    # The lecture's eight.
    Activation("sigmoid", 1 / (1 + exp(-x)), tex=r"\sigma", aliases=("logistic",)),
    Activation(
        "softmax",
        exp(xs[i]) / Sum(exp(xs[j]), (j, 1, n)),
        tex=r"\operatorname{softmax}",
    ),
    Activation("tanh", tanh(x), tex=r"\tanh"),
    Activation("relu", Maximum(0, x), tex=r"\operatorname{ReLU}"),
    Activation(
        "leaky_relu",
        Maximum(alpha * x, x),
        tex=r"\operatorname{LeakyReLU}",
        params={alpha: Rational(1, 100)},
        lecture=Maximum(Rational(1, 100) * x, x),
        constraints=_LEAK,
    ),
    Activation(
        "prelu",
        Maximum(alpha * x, x),
        tex=r"\operatorname{PReLU}",
        params={alpha: Rational(1, 4)},
        constraints=_LEAK,  # PyTorch learns α; the max form is PReLU only while it stays in (0, 1]
    ),
    Activation(
        "elu",
        Piecewise((x, x > 0), (alpha * (exp(x) - 1), True)),
        tex=r"\operatorname{ELU}",
        params={alpha: 1},
        lecture=Piecewise((x, x >= 0), (exp(x) - 1, x < 0)),
        reference=("PyTorch",),
        constraints=(
            positive(alpha, "the negative branch α(eˣ − 1) saturates at −α, below 0, as Clevert et al. define it"),
        ),
    ),
    Activation(
        "selu",
        lam * Piecewise((x, x > 0), (alpha * (exp(x) - 1), True)),
        tex=r"\operatorname{SELU}",
        params={lam: SELU_SCALE, alpha: SELU_ALPHA},
        lecture=Piecewise((x, x >= 0), (alpha * (exp(x) - 1), x < 0)),
        reference=("Klambauer et al., 2017", "PyTorch"),
        constraints=(
            positive(lam, "λ scales both branches; λ ≤ 0 would flip or flatten the function"),
            positive(alpha, "the negative branch λα(eˣ − 1) saturates at −λα, below 0"),
        ),
    ),
    # The rest of torch.nn's activations, with PyTorch's defaults.
    Activation("identity", x, tex=r"\operatorname{id}", aliases=("linear",)),
    Activation(
        "softplus",
        log(1 + exp(beta * x)) / beta,
        tex=r"\operatorname{softplus}",
        params={beta: 1},
        constraints=(
            positive(beta, "log(1 + e^(βx))/β divides by β, and β < 0 mirrors it into a decreasing function"),
        ),
    ),
    Activation("logsigmoid", log(1 / (1 + exp(-x))), tex=r"\log\sigma"),
    Activation("gelu", x / 2 * (1 + erf(x / sqrt(2))), tex=r"\operatorname{GELU}"),
    Activation(
        "gelu_tanh",
        x / 2 * (1 + tanh(sqrt(2 / pi) * (x + Rational(44715, 10**6) * x**3))),
        tex=r"\operatorname{GELU}_{\tanh}",
        aliases=("gelu_approx",),
    ),
    Activation("silu", x / (1 + exp(-x)), tex=r"\operatorname{SiLU}", aliases=("swish",)),
    Activation("mish", x * tanh(log(1 + exp(x))), tex=r"\operatorname{Mish}"),
    Activation(
        "celu",
        Piecewise((x, x > 0), (alpha * (exp(x / alpha) - 1), True)),
        tex=r"\operatorname{CELU}",
        params={alpha: 1},
        constraints=(
            Constraint(Ne(alpha, 0, evaluate=False), "x/α: CELU divides by α"),
            positive(alpha, "the negative branch α(e^(x/α) − 1) saturates at −α, below 0, as ELU's"),
        ),
    ),
    Activation("softsign", x / (1 + abs(x)), tex=r"\operatorname{softsign}"),
    Activation(
        "hardtanh",
        Piecewise((min_val, x <= min_val), (max_val, x >= max_val), (x, True)),
        tex=r"\operatorname{HardTanh}",
        params=(Param(min_val, -1, tex=r"x_{\min}"), Param(max_val, 1, tex=r"x_{\max}")),
        constraints=(Constraint(Lt(min_val, max_val), "a clip to [min_val, max_val]: otherwise its branches overlap"),),
    ),
    # PyTorch's own definitions, relu6(x + 3) / 6 and x relu6(x + 3) / 6: their ties give
    # hardsigmoid'(+-3) = 0, hardswish'(-3) = 0 and hardswish'(3) = 1, as autograd does.
    Activation(
        "hardsigmoid",
        Minimum(6, Maximum(0, x + 3)) / 6,
        tex=r"\operatorname{HardSigmoid}",
    ),
    Activation(
        "hardswish",
        x * Minimum(6, Maximum(0, x + 3)) / 6,
        tex=r"\operatorname{HardSwish}",
    ),
    Activation("relu6", Minimum(6, Maximum(0, x)), tex=r"\operatorname{ReLU6}"),
    Activation("tanhshrink", x - tanh(x), tex=r"\operatorname{Tanhshrink}"),
    Activation(
        "softshrink",
        Piecewise((x - lam, x > lam), (x + lam, x < -lam), (0, True)),
        tex=r"\operatorname{SoftShrink}",
        params={lam: Rational(1, 2)},
        constraints=(positive(lam, "the dead zone [−λ, λ]: λ = 0 is the identity, λ < 0 makes the branches overlap"),),
    ),
    Activation(
        "hardshrink",
        Piecewise((x, x > lam), (x, x < -lam), (0, True)),
        tex=r"\operatorname{HardShrink}",
        params={lam: Rational(1, 2)},
        constraints=(positive(lam, "the dead zone [−λ, λ]: λ = 0 is the identity, λ < 0 makes the branches overlap"),),
    ),
    Activation(
        "rrelu",
        Maximum((lower + upper) / 2 * x, x),
        tex=r"\operatorname{RReLU}",
        params={lower: Rational(1, 8), upper: Rational(1, 3)},
        constraints=(
            positive(lower, "a leak, as LeakyReLU's: every slope drawn is > 0"),
            positive(upper, "a leak, as LeakyReLU's: every slope drawn is > 0"),
            Constraint(Le(lower, upper), "the slope is drawn from U(lower, upper) in training: lower ≤ upper"),
            Constraint(Le(upper, 1), "max(ax, x) is RReLU only for slopes a ≤ 1"),
        ),
    ),
    Activation(
        "threshold",
        Piecewise((x, x > threshold), (value, True)),
        tex=r"\operatorname{Threshold}",
        params=(Param(threshold, Rational(1, 10), tex=r"\theta"), Param(value, 20, tex="v")),
        # No constraint: x above θ, v at or below it is PyTorch's Threshold for every real θ and v.
    ),
    Activation(
        "log_softmax",
        log(exp(xs[i]) / Sum(exp(xs[j]), (j, 1, n))),
        tex=r"\log\operatorname{softmax}",
    ),
    Activation(
        "softmin",
        exp(-xs[i]) / Sum(exp(-xs[j]), (j, 1, n)),
        tex=r"\operatorname{softmin}",
    ),
    # Classic entries of the activation-function tables.
    Activation("binary_step", Piecewise((0, x < 0), (1, True)), tex=r"H", aliases=("step", "heaviside")),
    Activation("arctan", atan(x), tex=r"\arctan", aliases=("atan",)),
    Activation("gaussian", exp(-(x**2)), tex=r"\operatorname{Gaussian}"),
    Activation(
        "isru",
        x / sqrt(1 + alpha * x**2),
        tex=r"\operatorname{ISRU}",
        params={alpha: 1},
        constraints=(positive(alpha, "1 + αx² must stay positive for every x, and α = 0 is the identity"),),
    ),
)


def name_key(name: str) -> str:
    """Names match case-insensitively, with or without '_' and '-'."""
    return re.sub(r"[\s_\-]", "", name.lower())


_BY_KEY: dict[str, Activation] = {}
for _act in CATALOGUE:
    for _name in (_act.name, *_act.aliases):
        if name_key(_name) in _BY_KEY:
            raise RuntimeError(f"catalogue: {_name!r} is declared twice")
        _BY_KEY[name_key(_name)] = _act

# Activations a user defined in this process (symdl.define); same namespace.
_CUSTOM: dict[str, Activation] = {}


def names() -> list[str]:
    """The sorted catalogue names (aliases excluded), with custom definitions."""
    return sorted([a.name for a in CATALOGUE] + [a.name for a in _CUSTOM.values()])


def activation(name_or_activation: str | Activation) -> Activation:
    """The declaration for a name or alias; an ``Activation`` is returned as is."""
    if isinstance(name_or_activation, Activation):
        return name_or_activation
    if not isinstance(name_or_activation, str):
        raise UnknownActivation(f"expected an activation name, got {name_or_activation!r}")
    key = name_key(name_or_activation)
    found = _CUSTOM.get(key) or _BY_KEY.get(key)
    if found is None:
        raise UnknownActivation(_unknown_message(name_or_activation))
    return found


def _unknown_message(name: str) -> str:
    known = {name_key(n): n for n in names()} | {name_key(alias): alias for a in CATALOGUE for alias in a.aliases}
    scored = sorted(
        ((difflib.SequenceMatcher(None, name_key(name), key).ratio(), known[key]) for key in known), reverse=True
    )
    close = [n for score, n in scored if score >= 0.6 and score >= scored[0][0] - 0.05]
    hint = f"; did you mean {' or '.join(close[:3])}?" if close else ""
    return f"unknown activation {name!r}{hint} (`symdl list` shows them all)"


def register(act: Activation) -> Activation:
    """Make a custom activation usable by name everywhere (``symdl.define`` calls this)."""
    key = name_key(act.name)
    if key in _BY_KEY:
        raise BadParameter(f"{act.name!r} is already a catalogue activation; choose another name")
    _CUSTOM[key] = act
    return act
