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

from sympy import (
    Le,
    Lt,
    Ne,
    Piecewise,
    Rational,
    Sum,
    Symbol,
    atan,
    erf,
    exp,
    log,
    pi,
    sqrt,
    tanh,
)

from symdl.declaration import Activation, Constraint, Param, i, j, k, n, positive, x, xs
from symdl.errors import BadParameter, UnknownActivation
from symdl.numbers import beyond_float64, parse_number
from symdl.primitives import Maximum, Minimum

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
LECTURE: tuple[str, ...] = tuple(a.name for a in CATALOGUE[:8])  # the lecture's eight, declared first above


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


# The declaration's records and the number reader, where the modules that use the catalogue find them.
__all__ = [
    "CATALOGUE",
    "LECTURE",
    "SELU_ALPHA",
    "SELU_SCALE",
    "Activation",
    "Constraint",
    "Param",
    "activation",
    "beyond_float64",
    "i",
    "j",
    "k",
    "n",
    "name_key",
    "names",
    "parse_number",
    "register",
    "x",
    "xs",
]
