"""Loss functions, declared once in SymPy like the activations; their gradients derived, never typed.

A loss is written for one example: the network's output ``y = (y_1, ..., y_n)`` against the target
``t``, a sum over the outputs ``k``.  For a batch of ``m`` examples symdl takes the **mean over the
examples**, as PyTorch's ``reduction="mean"`` does (so MSE and BCE are the mean over every entry).

From a declaration the engine derives
- the gradient ``∂ℓ/∂y_j`` (``sympy.diff`` of the sum; the sum's Kronecker delta picks ``k = j``);
- where it is defined: the outputs ``y`` for which every logarithm's argument is positive;
- the output layer's ``δ_j = ∂ℓ/∂z_j`` for an output activation (``through``): the loss's gradient
  composed with the activation's derivative, in its output form where one exists (σ' = y(1 − y),
  softmax' = y_i(δ_ij − y_j)), simplified step by step.  The classic results are found here, not
  typed: cross-entropy through softmax gives ``y_j − t_j``, BCE through sigmoid ``(y_j − t_j)/n``.
  Every step is checked equal to the one before it before it is returned.
"""

from __future__ import annotations

import difflib
import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache, reduce
from itertools import pairwise
from typing import Any

import numpy as np
from scipy import special
from sympy import (
    Add,
    Expr,
    Function,
    ImmutableMatrix,
    Indexed,
    IndexedBase,
    Interval,
    KroneckerDelta,
    Mul,
    Piecewise,
    Rational,
    S,
    Sum,
    Symbol,
    count_ops,
    diff,
    lambdify,
    latex,
    log,
    oo,
    simplify,
    solveset,
)

from symdl.catalog import Activation, activation, i, j, k, n, name_key, x
from symdl.engine.calculus import derive, y, ys
from symdl.engine.readable import readable
from symdl.engine.verify import how_equal_for_every_n
from symdl.errors import DerivationError, UnknownLoss

# The target, and the output layer's pre-activation, component by component (the output is ``ys``).
t = IndexedBase("t", real=True)
zs = IndexedBase("z", real=True)

TARGETS = ("any", "probabilities", "distribution")


@dataclass(frozen=True)
class Loss:
    """One declaration: name, the loss of one example as a SymPy sum over the outputs, LaTeX name, aliases.

    ``targets`` says what a target may be: ``any`` number, ``probabilities`` (each in [0, 1]) or a
    ``distribution`` (entries >= 0 summing to 1: the engine may use that the targets sum to 1).
    ``pairs_with`` is the output activation the loss is taught with.
    """

    name: str
    definition: Expr
    tex: str
    aliases: tuple[str, ...] = ()
    targets: str = "any"
    pairs_with: str = "identity"

    def __post_init__(self) -> None:
        if self.targets not in TARGETS:
            raise ValueError(f"{self.name}: targets must be one of {', '.join(TARGETS)}")
        if len(self.definition.atoms(Sum)) != 1:
            raise ValueError(f"{self.name}: write the loss as one sum over the outputs k")

    def _repr_latex_(self) -> str:
        return f"$\\displaystyle {self.tex}(y, t) = {latex(self.definition)}$"


LOSSES: tuple[Loss, ...] = (
    Loss(
        "mse",
        Sum((ys[k] - t[k]) ** 2, (k, 1, n)) / n,
        tex=r"\operatorname{MSE}",
        aliases=("mean_squared_error", "l2"),
    ),
    Loss(
        "bce",
        -Sum(t[k] * log(ys[k]) + (1 - t[k]) * log(1 - ys[k]), (k, 1, n)) / n,
        tex=r"\operatorname{BCE}",
        aliases=("binary_cross_entropy",),
        targets="probabilities",
        pairs_with="sigmoid",
    ),
    Loss(
        "cross_entropy",
        -Sum(t[k] * log(ys[k]), (k, 1, n)),
        tex=r"\operatorname{CE}",
        aliases=("ce", "categorical_cross_entropy"),
        targets="distribution",
        pairs_with="softmax",
    ),
)


_BY_KEY: dict[str, Loss] = {
    name_key(alias): declared for declared in LOSSES for alias in (declared.name, *declared.aliases)
}


def loss_names() -> list[str]:
    """The losses symdl knows (aliases excluded)."""
    return [declared.name for declared in LOSSES]


def loss(name_or_loss: str | Loss) -> Loss:
    """The declaration for a name or alias (``"ce"`` is cross-entropy); a ``Loss`` is returned as is."""
    if isinstance(name_or_loss, Loss):
        return name_or_loss
    found = _BY_KEY.get(name_key(name_or_loss)) if isinstance(name_or_loss, str) else None
    if found is None:
        close = difflib.get_close_matches(name_key(str(name_or_loss)), list(_BY_KEY), n=1, cutoff=0.6)
        hint = f"; did you mean {_BY_KEY[close[0]].name}?" if close else ""
        raise UnknownLoss(f"unknown loss {name_or_loss!r}{hint} (the losses are {', '.join(loss_names())})")
    return found


# --------------------------------------------------------------------------- derived from the declaration


def parts(declared: Loss) -> tuple[Expr, Expr]:
    """(c, s) with ℓ = c · Σ_k s: the factor in front of the sum (in n) and the summand (in y_k, t_k)."""
    (total,) = declared.definition.atoms(Sum)
    factor = simplify(declared.definition / total)
    if factor.has(total) or factor.has(k):
        raise DerivationError(f"{declared.name}: the loss is not a multiple of its sum over k")
    return factor, total.function


@cache
def gradient(declared: Loss) -> Expr:
    """∂ℓ/∂y_j, derived: ``sympy.diff`` of the declaration, the sum's Kronecker delta summed out."""
    raw = diff(declared.definition, ys[j]).doit()
    # The sum over k picks out k = j, which SymPy guards with 1 <= j <= n; j is an output's index.
    raw = raw.replace(lambda e: isinstance(e, Piecewise), lambda e: e.args[0][0])
    return readable(raw)


@cache
def domain(declared: Loss) -> Interval:
    """The outputs y for which the loss is defined: where the argument of every logarithm is positive."""
    u = Symbol("u", real=True)
    summand = parts(declared)[1].xreplace({ys[k]: u})
    arguments = [f.args[0] for f in summand.atoms(log) if f.args[0].has(u)]
    return reduce(lambda a, b: a.intersect(b), (solveset(a > 0, u, S.Reals) for a in arguments), Interval(-oo, oo))


def target_problem(declared: Loss, row: list[Expr]) -> str | None:
    """What is wrong with one example's target for this loss (None if nothing): BCE's are in [0, 1], ..."""
    if declared.targets in ("probabilities", "distribution"):
        outside = [v for v in row if v < 0 or v > 1]
        if outside:
            return f"{declared.name} needs targets between 0 and 1"
    if declared.targets == "distribution" and sum(row) != 1:
        return f"{declared.name} needs each target row to sum to 1 (a probability distribution such as [1, 0])"
    return None


# --------------------------------------------------------------------------- the output layer's delta


@dataclass(frozen=True)
class DeltaStep:
    """One line of the output layer's derivation: the expression and why it equals the line before."""

    expr: Expr
    rule: str  # "chain", "expand", "kronecker", "targets", "simplify"
    check: str = ""  # how it was checked against the line before: "sympy" or "n = 2, 3, 4"


@dataclass(frozen=True)
class OutputDelta:
    """δ_j = ∂ℓ/∂z_j of the output layer for one loss and one output activation, derived step by step.

    The result is in the output ``y_j`` (``ys[j]``), the target ``t_j``, the number of outputs ``n``,
    the activation's parameters and, only where the derivative has no output form, ``z_j``.
    """

    loss: Loss
    activation: Activation
    steps: tuple[DeltaStep, ...]

    @property
    def result(self) -> Expr:
        return self.steps[-1].expr

    @property
    def uses_sum(self) -> bool:
        """True if δ_j still needs every output (a sum over i), e.g. MSE through softmax."""
        return self.result.has(Sum)

    @property
    def uses_z(self) -> bool:
        return self.result.has(zs)

    def at(self, outputs: list[Expr], targets: list[Expr], logits: list[Expr], values: Mapping[Symbol, Expr]) -> list:
        """δ_j of one example, exactly: the result with y, t, z and the parameters put in, for j = 1..n."""
        size = len(outputs)
        plain = self.result.subs(dict(values)).subs(n, size)
        fill = {ys[q + 1]: outputs[q] for q in range(size)}
        fill |= {t[q + 1]: targets[q] for q in range(size)} | {zs[q + 1]: logits[q] for q in range(size)}
        return [_concrete(plain, j, column + 1).xreplace(fill) for column in range(size)]

    def _repr_latex_(self) -> str:
        lines = [rf"\frac{{\partial \ell}}{{\partial z_j}} &= {latex(self.steps[0].expr)}"]
        lines += [f"&= {latex(s.expr)}" for s in self.steps[1:]]
        return "$\\displaystyle \\begin{aligned}" + r" \\ ".join(lines) + r"\end{aligned}$"


def _concrete(expr: Expr, index: Symbol, value: int) -> Expr:
    """An expression in an index with the index's value put in: sums written out, δ_ij evaluated."""
    return expr.subs(index, value).doit()


@cache
def through(declared: Loss | str, act: Activation | str) -> OutputDelta:
    """δ_j = ∂ℓ/∂z_j for ``y = f(z)``: the loss's gradient composed with f's derivative, step by step."""
    declared, act = loss(declared), activation(act)
    d = derive(act)  # symbolic in the parameters: the derivation at their declared values keeps their symbols
    if act.is_vector:
        steps = _vector_steps(declared, d.output_form, d.derivative)
    else:
        slope = d.output_form.subs(y, ys[j]) if d.output_form is not None else d.derivative.subs(x, zs[j])
        g = gradient(declared)
        steps = [DeltaStep(Mul(g, slope, evaluate=False), "chain"), DeltaStep(_shortest(g, slope), "simplify")]
    return OutputDelta(declared, act, _verified(declared, _distinct(steps)))


def _shortest(g: Expr, slope: Expr) -> Expr:
    """g · f' simplified where that is shorter (BCE through σ cancels to (y − t)/n), else the product itself."""
    if slope == 1:
        return g
    simplified = readable(simplify(g * slope))
    return simplified if count_ops(simplified) < count_ops(g * slope) else Mul(g, slope, evaluate=False)


def _vector_steps(declared: Loss, form: Expr | None, jac: Expr) -> list[DeltaStep]:
    """Σ_i ∂ℓ/∂y_i · ∂y_i/∂z_j, the product multiplied out, the Kronecker delta summed, the targets' sum used."""
    if form is None:  # pragma: no cover - every vector activation in the catalogue has an output form
        raise DerivationError("a vector output activation needs its Jacobian in its outputs")
    g = gradient(declared).xreplace({ys[j]: ys[i], t[j]: t[i]})
    steps = [DeltaStep(Sum(Mul(g, form, evaluate=False), (i, 1, n)), "chain")]
    summand = simplify(g * form).expand()
    steps.append(DeltaStep(Sum(summand, (i, 1, n)), "expand"))
    picked = Add(*(_sum_term(term) for term in Add.make_args(summand)))
    steps.append(DeltaStep(picked, "kronecker"))
    if declared.targets == "distribution":
        steps.append(DeltaStep(picked.subs(Sum(t[i], (i, 1, n)), 1), "targets"))
    final = steps[-1].expr
    if not final.has(Sum):
        steps.append(DeltaStep(readable(simplify(final)), "simplify"))
    return steps


def _sum_term(term: Expr) -> Expr:
    """Σ_i of one term: δ_ij picks i = j; a factor free of i comes out of the sum (y_j Σ_i t_i)."""
    if term.has(KroneckerDelta(i, j)):
        return term.subs(KroneckerDelta(i, j), 1).subs(i, j)
    inside = [f for f in Mul.make_args(term) if f.has(i)]
    outside = [f for f in Mul.make_args(term) if not f.has(i)]
    return Mul(*outside) * Sum(Mul(*inside), (i, 1, n))


def _distinct(steps: list[DeltaStep]) -> list[DeltaStep]:
    out = [steps[0]]
    for step in steps[1:]:
        if step.expr != out[-1].expr:
            out.append(step)
    return out


def _verified(declared: Loss, steps: list[DeltaStep]) -> tuple[DeltaStep, ...]:
    """Each step checked equal to the one before (``verify.how_equal_for_every_n``), with random rational
    outputs and targets that sum to 1 (a valid target for every loss)."""
    out = [steps[0]]
    for before, step in pairwise(steps):
        how = how_equal_for_every_n(before.expr, step.expr, j, _sample)
        if how is None:
            raise DerivationError(f"{declared.name}: step {step.rule!r} of δ is not equal to the one before")
        out.append(DeltaStep(step.expr, step.rule, how))
    return tuple(out)


def _sample(size: int) -> dict[Expr, Expr]:
    rnd = random.Random(size)
    weights = [Rational(rnd.randint(1, 9)) for _ in range(size)]
    targets = [w / sum(weights) for w in weights]
    fill = {ys[q + 1]: Rational(rnd.randint(1, 99), 100) for q in range(size)}
    return (
        fill
        | {t[q + 1]: targets[q] for q in range(size)}
        | {zs[q + 1]: Rational(rnd.randint(-9, 9), 4) for q in range(size)}
    )


# --------------------------------------------------------------------------- NumPy


def _plain(expr: Expr) -> tuple[Expr, tuple[Symbol, Symbol, Symbol]]:
    """An expression in y_j, t_j, z_j (or y_k, t_k) with plain symbols for them, for lambdify."""
    yy, tt, zz = Symbol("y_"), Symbol("t_"), Symbol("z_")
    plain = expr.replace(
        lambda e: isinstance(e, Indexed),
        lambda e: {ys: yy, t: tt, zs: zz}[e.base],
    )
    return plain, (yy, tt, zz)


_XLOGY = Function("xlogy")  # a log(b) with 0 log 0 = 0 (scipy.special.xlogy): a target of 0 adds nothing


def _xlogy(expr: Expr) -> Expr:
    """Every ``a * log(b)`` of a sum written as xlogy(a, b), so a zero target never meets log(0)."""

    def one(term: Expr) -> Expr:
        logs = [f for f in Mul.make_args(term) if isinstance(f, log)]
        if len(logs) != 1:
            return term
        rest = Mul(*(f for f in Mul.make_args(term) if f is not logs[0]))
        return _XLOGY(rest, logs[0].args[0])

    return Add(*(one(term) for term in Add.make_args(expr)))


def exact_loss(declared: Loss, outputs: ImmutableMatrix, target: ImmutableMatrix) -> Expr:
    """L = (1/m) Σ_r ℓ(Y_r, T_r) exactly: the declaration with the sum written out for these outputs."""
    written = declared.definition.subs(n, outputs.cols).doit()
    total = S.Zero
    for r in range(outputs.rows):
        fill = {ys[c + 1]: outputs[r, c] for c in range(outputs.cols)}
        fill |= {t[c + 1]: target[r, c] for c in range(outputs.cols)}
        total += written.xreplace(fill)
    return total / outputs.rows


@cache
def numpy_loss(declared: Loss) -> Callable[[np.ndarray, np.ndarray], np.ndarray]:
    """ℓ of every example (row) of Y against T, in float64: c(n) · Σ_k s(y_k, t_k)."""
    factor, summand = parts(declared)
    plain, (yy, tt, _) = _plain(_xlogy(summand))
    term = lambdify((yy, tt), plain, modules=[{"xlogy": special.xlogy}, "numpy"])
    front = lambdify(n, factor, modules="numpy")

    def f(outputs: np.ndarray, targets: np.ndarray) -> np.ndarray:
        terms = np.broadcast_to(np.asarray(term(outputs, targets), dtype=np.float64), outputs.shape)
        return float(front(outputs.shape[-1])) * terms.sum(axis=-1)

    return f


def numpy_delta(rule: OutputDelta, values: Mapping[Symbol, Any]) -> Callable[..., np.ndarray] | None:
    """δ of every example as NumPy, from the derived result, where it is entry by entry in y and t
    (no sum over the outputs, no z): y − t, 2(y − t)/n · y(1 − y), ...; None otherwise."""
    if rule.uses_sum or rule.uses_z:
        return None
    return _entrywise(rule.result.subs(dict(values)))


def numpy_gradient(declared: Loss) -> Callable[[np.ndarray, np.ndarray], np.ndarray]:
    """∂ℓ/∂y of every entry, in float64, from the derived gradient."""
    return _entrywise(gradient(declared))


def _entrywise(expr: Expr) -> Callable[[np.ndarray, np.ndarray], np.ndarray]:
    """An expression in y_j, t_j and n as NumPy on whole matrices, entry by entry, n the number of columns."""
    plain, (yy, tt, _) = _plain(expr)
    f = lambdify((yy, tt, n), plain, modules="numpy")
    return lambda outputs, targets: np.broadcast_to(
        np.asarray(f(outputs, targets, outputs.shape[-1]), float), outputs.shape
    )


__all__ = [
    "LOSSES",
    "DeltaStep",
    "Loss",
    "OutputDelta",
    "domain",
    "exact_loss",
    "gradient",
    "loss",
    "loss_names",
    "numpy_delta",
    "numpy_gradient",
    "numpy_loss",
    "parts",
    "t",
    "target_problem",
    "through",
    "zs",
]
