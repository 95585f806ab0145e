"""The loss declarations and what the engine derives from them.

Expected values are textbook facts typed here (∂/∂y of MSE is 2(y − t)/n; cross-entropy through softmax
gives s − t; BCE through sigmoid gives σ(z) − t per output) or mpmath at 50 digits on formulas typed here.
"""

from __future__ import annotations

import mpmath
import numpy as np
import pytest
from sympy import Float, Interval, KroneckerDelta, Symbol, exp, oo, simplify

import symdl
from symdl.catalog import j, n
from symdl.engine.calculus import ys
from symdl.errors import DerivationError, UnknownLoss
from symdl.network.losses import (
    LOSSES,
    domain,
    gradient,
    loss,
    loss_names,
    numpy_delta,
    numpy_gradient,
    numpy_loss,
    t,
    target_problem,
    through,
    zs,
)
from tests.conftest import LECTURE, VECTOR, mp_function

yj, tj = ys[j], t[j]


# --------------------------------------------------------------------------- the declarations


def test_names_and_aliases():
    assert loss_names() == ["mse", "bce", "cross_entropy"]
    assert loss("CE") is loss("cross_entropy") is loss("categorical-cross-entropy")
    assert loss("binary_cross_entropy").name == "bce"
    with pytest.raises(UnknownLoss, match=r"unknown loss 'mae'; did you mean mse\?"):
        loss("mae")
    assert "\n" not in str(UnknownLoss("x"))


@pytest.mark.parametrize(
    ("name", "textbook"),
    [
        ("mse", 2 * (yj - tj) / n),
        ("bce", -(tj / yj - (1 - tj) / (1 - yj)) / n),
        ("cross_entropy", -tj / yj),
    ],
)
def test_gradient_is_the_textbook_one(name, textbook):
    assert simplify(gradient(loss(name)) - textbook) == 0


def test_domain_is_where_the_logarithms_are_defined():
    assert domain(loss("mse")) == Interval(-oo, oo)
    assert domain(loss("bce")) == Interval.open(0, 1)
    assert domain(loss("cross_entropy")) == Interval.open(0, oo)


@pytest.mark.parametrize(
    ("name", "row", "problem"),
    [
        ("mse", [3, -7], None),
        ("bce", [1, 0], None),
        ("bce", [2, 0], "between 0 and 1"),
        ("cross_entropy", [1, 0], None),
        ("cross_entropy", [0.5, 0.4], "sum to 1"),
        ("cross_entropy", [-1, 2], "between 0 and 1"),
    ],
)
def test_targets(name, row, problem):
    from sympy import Rational

    found = target_problem(loss(name), [Rational(str(v)) for v in row])
    assert (found is None) if problem is None else (problem in found)


# --------------------------------------------------------------------------- the classic results, found by the engine


def test_cross_entropy_through_softmax_is_s_minus_t():
    rule = through("cross_entropy", "softmax")
    assert simplify(rule.result - (yj - tj)) == 0  # the textbook fact: dL/dz = softmax(z) - t
    rules = [step.rule for step in rule.steps]
    assert rules[0] == "chain" and "kronecker" in rules and rules[-1] == "targets"
    assert rule.steps[0].expr.has(KroneckerDelta)  # the Jacobian y_i (1_{i=j} - y_j) is a visible step
    assert all(step.check in ("sympy", "n = 2, 3, 4") for step in rule.steps[1:])


def test_bce_through_sigmoid_is_sigma_minus_t():
    rule = through("bce", "sigmoid")
    z = Symbol("z", real=True)
    sigma = 1 / (1 + exp(-z))  # typed: the textbook sigmoid
    per_output = rule.result.subs({yj: sigma, n: 1})
    assert simplify(per_output - (sigma - tj)) == 0
    assert simplify(rule.result - (yj - tj) / n) == 0  # the mean over n outputs divides by n
    assert rule.steps[0].rule == "chain" and rule.steps[-1].check == "sympy"


def test_mse_through_identity():
    assert simplify(through("mse", "identity").result - 2 * (yj - tj) / n) == 0


def _softmax(z):
    total = mpmath.fsum(mpmath.exp(v) for v in z)
    return [mpmath.exp(v) / total for v in z]


def _bce(y, t_):
    return -mpmath.fsum(b * mpmath.log(a) + (1 - b) * mpmath.log(1 - a) for a, b in zip(y, t_, strict=True)) / len(y)


TYPED_LOSS = {  # one example's loss, typed
    "mse": lambda y, t_: mpmath.fsum((a - b) ** 2 for a, b in zip(y, t_, strict=True)) / len(y),
    "bce": _bce,
    "cross_entropy": lambda y, t_: -mpmath.fsum(b * mpmath.log(a) for a, b in zip(y, t_, strict=True)),
}


@pytest.mark.parametrize(
    ("name", "act"),
    [(name, act) for name in ("mse", "cross_entropy", "bce") for act in ("softmax", "softmin")]
    + [("mse", "log_softmax")],
)
def test_vector_outputs_against_mpmath(name, act):
    """δ of any loss through a vector activation, against mpmath.diff of the typed composition."""
    typed = {
        "softmax": _softmax,
        "log_softmax": lambda z: [mpmath.log(v) for v in _softmax(z)],
        "softmin": lambda z: _softmax([-v for v in z]),
    }[act]
    logits = [mpmath.mpf("0.3"), mpmath.mpf("-1.2"), mpmath.mpf("0.7")]
    target = [mpmath.mpf("0.2"), mpmath.mpf("0.5"), mpmath.mpf("0.3")]
    outputs = typed(logits)

    delta = through(name, act).at(
        [Float(v, 50) for v in outputs], [Float(v, 50) for v in target], [Float(v, 50) for v in logits], {}
    )
    for col in range(3):

        def f(v, col=col):
            moved = list(logits)
            moved[col] = v
            return TYPED_LOSS[name](typed(moved), target)

        expected = mpmath.diff(f, logits[col])
        assert abs(mpmath.mpf(str(delta[col].evalf(40))) - expected) < mpmath.mpf(10) ** -30


@pytest.mark.parametrize("act", [name for name in LECTURE if name not in VECTOR])
def test_scalar_outputs_against_mpmath(act):
    """MSE through each of the lecture's activations, at a point away from every kink."""
    declared = symdl.activation(act)
    f = mp_function(declared.definition, declared)
    logits = [mpmath.mpf("0.8"), mpmath.mpf("-1.3")]
    target = [mpmath.mpf(1), mpmath.mpf(0)]
    outputs = [f(v) for v in logits]
    rule = through("mse", act)
    delta = rule.at(
        [Float(v, 50) for v in outputs],
        [Float(v, 50) for v in target],
        [Float(v, 50) for v in logits],
        declared.params,
    )
    for col in range(2):

        def g(v, col=col):
            moved = [f(u) for u in logits]
            moved[col] = f(v)
            return TYPED_LOSS["mse"](moved, target)

        expected = mpmath.diff(g, logits[col])
        assert abs(mpmath.mpf(str(delta[col].evalf(40))) - expected) < mpmath.mpf(10) ** -30


def test_a_step_that_is_not_equal_is_refused(monkeypatch):
    """The step check is not vacuous: a wrong simplification is caught before it is returned."""
    import symdl.network.losses as losses

    through.cache_clear()
    monkeypatch.setattr(losses, "_shortest", lambda g, slope: g * slope + 1)
    try:
        with pytest.raises(DerivationError, match="not equal to the one before"):
            through("mse", "sigmoid")
    finally:
        through.cache_clear()


# --------------------------------------------------------------------------- NumPy


@pytest.mark.parametrize("declared", LOSSES, ids=lambda d: d.name)
def test_numpy_loss_against_mpmath(declared):
    rng = np.random.default_rng(6)
    outputs = rng.uniform(0.05, 0.95, size=(4, 3))
    target = np.array([[1.0, 0, 0], [0, 1, 0], [0.25, 0.25, 0.5], [0, 0, 1]])
    got = numpy_loss(declared)(outputs, target)
    for r in range(4):
        expected = TYPED_LOSS[declared.name]([mpmath.mpf(v) for v in outputs[r]], [mpmath.mpf(v) for v in target[r]])
        assert abs(got[r] - float(expected)) <= 4e-16 * max(1.0, abs(float(expected)))
    with np.errstate(all="raise"):  # 0 log 0 = 0: a zero target never meets log(0)
        assert numpy_loss(loss("cross_entropy"))(np.array([[1.0, 0.0]]), np.array([[1.0, 0.0]]))[0] == 0.0


def test_numpy_gradient_and_delta():
    outputs = np.array([[0.7, 0.2, 0.1]])
    target = np.array([[1.0, 0.0, 0.0]])
    assert np.allclose(numpy_gradient(loss("mse"))(outputs, target), 2 * (outputs - target) / 3, rtol=1e-15)
    fused = numpy_delta(through("cross_entropy", "softmax"), {})
    assert np.array_equal(fused(outputs, target), outputs - target)
    assert numpy_delta(through("mse", "softmax"), {}) is None  # a sum over the outputs: composed instead
    assert through("mse", "gelu").uses_z and numpy_delta(through("mse", "gelu"), {}) is None
    assert zs[j] in through("mse", "gelu").result.free_symbols
