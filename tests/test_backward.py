"""Loss, backpropagation three ways and one update, for the lecture's network.

Expected values come from outside the code under test: worked by hand from the slide (identity and ReLU
networks, t = [1, 0]), or from an mpmath oracle typed below: the forward pass and the loss written with
the textbook activations on the raw matrices, differentiated by ``mpmath.diff`` at 50 digits.
"""

from __future__ import annotations

from dataclasses import replace

import mpmath
import numpy as np
import pytest
from sympy import ImmutableMatrix, Rational, exp, log

import symdl
from symdl.engine.verify import equal
from symdl.errors import BadNetwork, UnknownLoss
from symdl.network.backward import backpropagate
from symdl.network.spec import Network
from tests.conftest import SLIDE, as_mpf

half = Rational(1, 2)

# The slide's matrices (tests/conftest.py's SLIDE, exact) and the lecture's target.
X, W1, B1, W2, B2 = (SLIDE[name] for name in ("X", "W1", "B1", "W2", "B2"))
T = [[1, 0]]

TYPED = {  # the textbook activations, typed
    "identity": lambda z: z,
    "relu": lambda z: max(mpmath.mpf(0), z),
    "sigmoid": lambda z: 1 / (1 + mpmath.exp(-z)),
    "tanh": mpmath.tanh,
}


def oracle(hidden, output, loss, x=X, t=T):
    """(L, [dL/dW1, dL/dB1, dL/dW2, dL/dB2]) by mpmath: the typed network, mpmath.diff per parameter."""
    params = [as_mpf(m) for m in (W1, B1, W2, B2)]

    def value(p):
        total = 0
        for r, row in enumerate(x):
            z1 = [mpmath.fsum(row[i] * p[0][i][j] for i in range(3)) + p[1][0][j] for j in range(3)]
            h1 = [TYPED[hidden](v) for v in z1]
            z2 = [mpmath.fsum(h1[i] * p[2][i][k] for i in range(3)) + p[3][0][k] for k in range(2)]
            if output == "softmax":
                s = mpmath.fsum(mpmath.exp(v) for v in z2)
                y = [mpmath.exp(v) / s for v in z2]
            else:
                y = z2
            if loss == "mse":
                total += mpmath.fsum((a - b) ** 2 for a, b in zip(y, t[r], strict=True)) / 2
            else:
                total += -mpmath.fsum(b * mpmath.log(a) for a, b in zip(y, t[r], strict=True))
        return total / len(x)

    gradients = []
    for m in range(4):
        rows = []
        for r in range(len(params[m])):
            row = []
            for c in range(len(params[m][r])):

                def moved(v, m=m, r=r, c=c):
                    p = [[list(rr) for rr in mm] for mm in params]
                    p[m][r][c] = v
                    return value(p)

                row.append(mpmath.diff(moved, params[m][r][c]))
            rows.append(row)
        gradients.append(rows)
    return value(params), gradients


def lecture(hidden=None, output=None, **changes):
    net = symdl.lecture_network().with_activations(hidden, output)
    return replace(net, **changes) if changes else net


def digits(value):
    return mpmath.mpf(str(value.doit().evalf(45)))


# --------------------------------------------------------------------------- by hand


def test_identity_mse_by_hand():
    """t = [1, 0], Y = [2, 1]: L = ((2-1)^2 + (1-0)^2)/2 = 1, δ2 = 2(Y - T)/2 = [1, 1],
    δ1 = δ2 W2ᵀ = [1 + 0.5, -1 + 0.5, 0 + 1] = [1.5, -0.5, 1]."""
    result = backpropagate(lecture())
    assert result.value == 1 and result.loss_numeric == 1.0
    assert result["delta2"].exact.tolist() == [[1, 1]]
    assert result["delta1"].exact.tolist() == [[Rational(3, 2), -half, 1]]
    assert result["W2"].exact.tolist() == [[4, 4], [3, 3], [-2, -2]]  # H1ᵀ δ2, H1 = [4, 3, -2]
    assert result["B2"].exact.tolist() == [[1, 1]]
    assert result["W1"].exact.tolist() == [[Rational(3, 2), -half, 1], [3, -1, 2], [Rational(3, 2), -half, 1]]
    assert result["B1"].exact.tolist() == [[Rational(3, 2), -half, 1]]
    for g in result.gradients:
        assert g.direct == g.exact  # exact equality, entry by entry
        assert np.array_equal(g.numeric, np.array(g.exact.tolist(), dtype=float))
    assert result.checks.direct == "identical" and result.checks.agrees


def test_relu_mse_by_hand():
    """H1 = [4, 3, 0], Y = [2, 3]: L = (1 + 9)/2 = 5, δ2 = [1, 3], δ2 W2ᵀ = [2.5, 0.5, 3], ReLU'(Z1) = [1, 1, 0]."""
    result = backpropagate(lecture(hidden="relu"))
    assert result.value == 5
    assert result["W2"].exact.tolist() == [[4, 12], [3, 9], [0, 0]]
    assert result["delta1"].exact.tolist() == [[Rational(5, 2), half, 0]]
    assert result["W1"].exact.tolist() == [[Rational(5, 2), half, 0], [5, 1, 0], [Rational(5, 2), half, 0]]
    assert result["delta1"].slope.tolist() == [[1, 1, 0]]


def test_update_by_hand():
    """η = 0.01: W2 - 0.01 [[4, 4], [3, 3], [-2, -2]]; the loss after, from sympy on the raw matrices here."""
    result = backpropagate(lecture())
    u = result.update
    eta = Rational(1, 100)
    assert u.learning_rate == eta
    assert u.weights[1][0].tolist() == [
        [Rational(96, 100), Rational(46, 100)],
        [-Rational(103, 100), Rational(47, 100)],
        [Rational(2, 100), Rational(102, 100)],
    ]
    new = [
        ImmutableMatrix(m) - eta * ImmutableMatrix(g)
        for m, g in zip(
            (W1, B1, W2, B2),
            (
                [[3 * half, -half, 1], [3, -1, 2], [3 * half, -half, 1]],
                [[3 * half, -half, 1]],
                [[4, 4], [3, 3], [-2, -2]],
                [[1, 1]],
            ),
            strict=True,
        )
    ]
    y = (ImmutableMatrix(X) * new[0] + new[1]) * new[2] + new[3]
    expected = ((y[0] - 1) ** 2 + y[1] ** 2) / 2
    assert u.loss_before == 1 and u.loss_after == expected == Rational(5373389, 16000000)
    assert u.decreased and u.after < u.before and u.numeric_after == pytest.approx(float(expected), rel=1e-15)
    assert u.first_order == pytest.approx(-eta * 84.5)  # -η ‖∇L‖², ‖∇L‖² = 60 + 21 + 3.5 by hand
    for (w, b), (nw, nb) in zip(u.weights, u.numeric, strict=True):
        assert np.allclose(nw, np.array(w.tolist(), dtype=float), rtol=0, atol=1e-15)
        assert np.allclose(nb, np.array(b.tolist(), dtype=float), rtol=0, atol=1e-15)


def test_too_large_a_step_is_shown():
    """η = 0.1 overshoots: the loss goes from 1 to 9.333125 (sympy, here); η/4 = 0.025 is the first that helps."""
    result = backpropagate(lecture(learning_rate="0.1"))
    u = result.update
    eta = Rational(1, 10)
    grads = (
        [[3 * half, -half, 1], [3, -1, 2], [3 * half, -half, 1]],
        [[3 * half, -half, 1]],
        [[4, 4], [3, 3], [-2, -2]],
        [[1, 1]],
    )

    def loss_at(rate):
        new = [ImmutableMatrix(m) - rate * ImmutableMatrix(g) for m, g in zip((W1, B1, W2, B2), grads, strict=True)]
        y = (ImmutableMatrix(X) * new[0] + new[1]) * new[2] + new[3]
        return ((y[0] - 1) ** 2 + y[1] ** 2) / 2

    assert u.loss_after == loss_at(eta) == Rational("9.333125") and not u.decreased
    assert loss_at(eta / 2) >= 1 > loss_at(eta / 4) and u.smaller_rate == eta / 4


def test_batch_mean_and_relu_kinks():
    """Three examples, two with pre-activations exactly 0: the mean of the losses, ReLU'(0) = 0 there, and
    no finite differences (they would straddle the kink).  By hand: Y = [[2, 3], [1, -0.5], [1, 0.5]],
    T = [[1, 0], [0, 0], [1, 1]], losses 5, 0.625, 0.125, mean 23/12; δ2 = (Y - T)/3."""
    spec = symdl.lecture_network()
    net = replace(
        spec.with_activations(hidden="relu"),
        inputs=ImmutableMatrix([[1, 2, 1], [0, 0, 0], [1, -2, 0]]),
        target=ImmutableMatrix([[1, 0], [0, 0], [1, 1]]),
    )
    result = backpropagate(net)
    third = Rational(1, 3)
    assert result.value == Rational(23, 12)
    assert result["delta2"].exact.tolist() == [[third, 1], [third, -third / 2], [0, -third / 2]]
    # row 2 (Z1 = [0, 0, 0]) and the middle unit of row 3 (Z1 = [-1, 0, 1]) sit at the kink: ReLU'(0) = 0
    assert result["delta1"].exact.tolist() == [[Rational(5, 6), Rational(1, 6), 0], [0, 0, 0], [0, 0, -Rational(1, 6)]]
    assert result["W2"].exact.tolist() == [[Rational(4, 3), 4], [1, 3], [0, -Rational(1, 6)]]
    assert result["B2"].exact.tolist() == [[Rational(2, 3), Rational(2, 3)]]
    assert result["W1"].exact.tolist() == [
        [Rational(5, 6), Rational(1, 6), -Rational(1, 6)],
        [Rational(5, 3), Rational(1, 3), Rational(1, 3)],
        [Rational(5, 6), Rational(1, 6), 0],
    ]
    assert all(g.finite_difference is None for g in result.gradients)
    assert result.checks.finite_difference_error is None and "kink of relu" in result.checks.note
    assert result.checks.direct == "identical" and result.checks.agrees
    exact = np.array(result["delta1"].exact.tolist(), dtype=float)
    assert np.max(np.abs(result["delta1"].numeric - exact)) <= 2 * np.spacing(1.0)


# --------------------------------------------------------------------------- three ways, against the oracle

CASES = [(hidden, output, loss) for hidden in TYPED for output, loss in ((None, "mse"), ("softmax", "cross_entropy"))]


@pytest.fixture(scope="module")
def results():
    return {case: backpropagate(lecture(case[0], case[1], loss=case[2])) for case in CASES}


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c[0]}-{c[1] or 'identity'}-{c[2]}")
def test_three_ways_against_the_oracle(results, case):
    hidden, output, loss = case
    result = results[case]
    expected_loss, expected = oracle(hidden, output or "identity", loss)
    assert abs(digits(result.value) - expected_loss) < mpmath.mpf(10) ** -30
    assert result.checks.direct in ("identical", "simplifies to 0")  # chain rule and direct: exactly equal
    for g, reference in zip(result.gradients, expected, strict=True):
        ref = np.array([[float(v) for v in row] for row in reference])
        scale = max(float(max(abs(v) for row in reference for v in row)), 1e-300)
        for r, row in enumerate(reference):
            for c, v in enumerate(row):
                assert abs(digits(g.exact[r, c]) - v) < mpmath.mpf(10) ** -30 * max(1, abs(v)), (g.name, r, c)
                assert abs(digits(g.direct[r, c]) - v) < mpmath.mpf(10) ** -30 * max(1, abs(v)), (g.name, r, c)
        assert np.max(np.abs(g.numeric - ref)) <= 1e-12 * scale, g.name
        assert np.max(np.abs(g.finite_difference - ref)) <= 1e-6 * scale, g.name
    assert result.checks.agrees and result.checks.numeric_error <= 1e-12
    assert result.checks.finite_difference_error <= 1e-6


def test_sigmoid_slope_in_its_output_form(results):
    """f'(Z1) = H1 ⊙ (1 − H1): σ(4)(1 − σ(4)), written with σ by name."""
    slope = results[("sigmoid", None, "mse")]["delta1"].slope
    h = results[("sigmoid", None, "mse")].forward.H1.exact
    assert slope.tolist() == [[h[0, c] * (1 - h[0, c]) for c in range(3)]]
    assert str(slope[0, 0]) == "(1 - sigmoid(4))*sigmoid(4)"


def test_softmax_cross_entropy_delta_is_y_minus_t(results):
    result = results[("identity", "softmax", "cross_entropy")]
    y = result.forward.Y.exact
    assert result["delta2"].exact.tolist() == [[y[0, 0] - 1, y[0, 1]]]
    s1 = exp(2) / (exp(2) + exp(1))  # softmax([2, 1])_1, typed
    assert equal(result["delta2"].exact[0, 0], s1 - 1) in ("identical", "simplifies to 0")
    assert equal(result.value, -log(s1)) in ("identical", "simplifies to 0")


def test_softmax_hidden_layer_through_its_jacobian():
    """A vector activation in a hidden layer: δ1 row = (δ2 W2ᵀ) J, J = diag(s) − s sᵀ; against mpmath.diff."""
    result = backpropagate(lecture("softmax"))
    s = [mpmath.exp(v) for v in (4, 3, -2)]
    s = [v / mpmath.fsum(s) for v in s]
    back = [mpmath.mpf(v) for v in (Rational(3, 2), -half, 1)]  # δ2 W2ᵀ; δ2 = Y - T, below
    y = [s[0] - s[1] + 1, s[0] / 2 + s[1] / 2 + s[2] - half]
    delta2 = [y[0] - 1, y[1]]
    back = [delta2[0] * 1 + delta2[1] * half, delta2[0] * -1 + delta2[1] * half, delta2[1]]
    expected = [mpmath.fsum(back[i] * s[i] * ((i == j) - s[j]) for i in range(3)) for j in range(3)]
    for c in range(3):
        assert abs(digits(result["delta1"].exact[0, c]) - expected[c]) < mpmath.mpf(10) ** -30
    assert result.checks.direct in ("identical", "simplifies to 0") and result.checks.agrees


def test_equal_is_a_proof_not_a_number():
    """The exact comparison proves identities and is not fooled by a difference beyond 40 digits."""
    sigma = symdl.network.spec.applied(symdl.activation("sigmoid"))
    assert equal(sigma(4) * (1 - sigma(4)), exp(-4) / (1 + exp(-4)) ** 2) == "simplifies to 0"
    assert equal(exp(2) * exp(3), exp(5)) in ("identical", "simplifies to 0")
    assert equal(sigma(4), sigma(4) + Rational(1, 10**50)) == "equal to 40 digits"
    assert equal(sigma(4), sigma(3)) == "differs"


def test_direct_can_be_skipped():
    result = backpropagate(lecture(), direct=False)
    assert all(g.direct is None for g in result.gradients)
    assert result.checks.direct == "not computed" and result.checks.agrees


# --------------------------------------------------------------------------- the spec and bad input


def test_spec_keys():
    net = symdl.lecture_network()
    assert net.target.tolist() == [[1, 0]] and net.loss.name == "mse" and net.learning_rate == Rational(1, 100)
    text = """
X = [1, 2]
target = [0.5, 0.5]
loss = "ce"
learning_rate = "1/8"
[[layer]]
W = [[1, 0], [0, 1]]
B = [0, 0]
activation = "softmax"
"""
    net = Network.from_text(text)
    assert net.target.tolist() == [[half, half]] and net.loss.name == "cross_entropy"
    assert net.learning_rate == Rational(1, 8)
    without = Network.from_text(text.replace("target = [0.5, 0.5]\n", ""))
    with pytest.raises(BadNetwork, match="no target; add target"):
        backpropagate(without)


LECTURE_SPEC = symdl.network.spec.resources.files("symdl").joinpath("data/lecture01.toml").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("old", "new", "error", "message"),
    [
        ("target = [1, 0] ", "target = [1, 0, 0] ", BadNetwork, "target is 1×3 but Y is 1×2; write one row of 2"),
        ('loss = "mse" ', 'loss = "mae" ', UnknownLoss, "unknown loss 'mae'; did you mean mse?"),
        ('loss = "mse" ', "loss = 3 ", BadNetwork, "loss must be a name"),
        ('loss = "mse" ', 'loss = "ce" ', BadNetwork, "target row 1 is [1, 0]"),
        ("target = [1, 0] ", "target = [2, 0] ", None, None),
        ("learning_rate = 0.01 ", "learning_rate = 0 ", BadNetwork, "learning_rate is 0; it must be a positive"),
        ("learning_rate = 0.01 ", 'learning_rate = "fast" ', BadNetwork, "learning_rate: expected a number"),
        ("learning_rate = 0.01 ", "learning_rate = nan ", BadNetwork, "learning_rate is nan"),
        ("target = [1, 0] ", 'target = [1, "x"] ', BadNetwork, "target[2]: expected a number"),
    ],
)
def test_bad_training_keys(old, new, error, message):
    assert old in LECTURE_SPEC
    text = LECTURE_SPEC.replace(old, new)
    if error is None:  # a fine spec for MSE
        assert Network.from_text(text, "net.toml").target.tolist() == [[2, 0]]
        return
    if message == "target row 1 is [1, 0]":  # cross-entropy's targets must sum to 1: [1, 0] does, [1, 1] not
        text = text.replace("target = [1, 0] ", "target = [1, 1] ")
        message = "target row 1 is [1, 1]: cross_entropy needs each target row to sum to 1"
    with pytest.raises(error) as info:
        Network.from_text(text, "net.toml")
    said = str(info.value)
    assert said.startswith("net.toml: ") and message in said and "\n" not in said


def test_outputs_must_suit_the_loss():
    with pytest.raises(BadNetwork, match=r"loss bce needs every output in \(0, 1\), but Y\[1,1\] = 2"):
        backpropagate(lecture(loss="bce"))
    with pytest.raises(BadNetwork, match=r"use --output-activation softmax"):
        backpropagate(lecture(loss="cross_entropy"))
