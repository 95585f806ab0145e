"""Networks at and beyond symdl's limits: non-finite float64 results said as such, sizes refused at load, a general
formula that grows linearly with depth, the time budget of the exact pass, and activations that are not real.

Expected values come from outside the code under test: the lecture's weights worked by hand (Z1 = 300 · column sums
of W1 = [900, 750, -300]), mpmath at 50 digits on the raw numbers, and the limits as the README states them.
"""

from __future__ import annotations

import dataclasses
import json
import pickle
import time
from dataclasses import replace
from itertools import pairwise
from pathlib import Path

import mpmath
import numpy as np
import pytest
from sympy import Matrix, Rational, Symbol, exp

import symdl
import symdl.network.backward as backward_module
import symdl.network.forward as forward_module
from symdl.budget import NOT_IN_TIME, OutOfTime
from symdl.errors import BadNetwork, BadParameter
from symdl.network.backward import backpropagate
from symdl.network.exact import Evaluator, tree_size
from symdl.network.spec import Layer, Network
from tests.conftest import SLIDE, SLIDE_TOML, run_symdl

DIGITS = 50  # mpmath's working precision for the expected values
EXP_HIDDEN = (
    SLIDE_TOML.replace("X = [1, 2, 1]", "X = [300, 300, 300]").replace('"identity"', '"myact"')
    + '\n[activations]\nmyact = "exp(x)"\n'
)


def chain(layers: int, activation: str = "sigmoid", weight: str = "1", bias: str = "1", x: str = "1") -> str:
    """A spec of ``layers`` one-unit layers, every weight and bias the same, target 1, MSE."""
    layer = f'[[layer]]\nW = [[{weight}]]\nB = [{bias}]\nactivation = "{activation}"\n'
    return f'X = [{x}]\ntarget = [1]\nloss = "mse"\nlearning_rate = 0.1\n' + layer * layers


def sigmoid_chain(layers: int, weight=1, bias=1, x=1) -> list:
    """z_l and h_l of a one-unit sigmoid chain, in mpmath (50 digits)."""
    with mpmath.workdps(DIGITS):
        h, out = mpmath.mpf(x), []
        for _ in range(layers):
            z = h * weight + bias
            h = 1 / (1 + mpmath.exp(-z))
            out.append((z, h))
        return out


def one_line(err: str) -> bool:
    return len(err.strip().splitlines()) == 1 and "Traceback" not in err


def spec_file(tmp_path, text: str):
    path = tmp_path / "net.toml"
    path.write_text(text, encoding="utf-8")
    return path


# --------------------------------------------------------------------------- 1. non-finite float64 is never agreement


def test_float64_overflow_is_reported_not_agreed():
    result = Network.from_text(EXP_HIDDEN, "exp.toml").forward()
    a = result.agreement
    # by hand: Z1 = 300 (1+1+1, 1+0.5+1, -1-1+1) = [900, 750, -300]; e^900 overflows float64 (max ≈ e^709.78)
    assert result.Z1.exact == Matrix([[900, 750, -300]])
    assert np.isinf(result.H1.numeric[0, 0]) and not a.agrees
    assert f"float64 overflows: H1[1,1] = inf; exact value ≈ {mpmath.nstr(mpmath.exp(900), 2)}" in a.non_finite
    assert "agree within" not in str(a) and "DIFFER by nan" not in str(a)
    # the exact values are still right where float64 is not: Z2[1,2] = (e^900 + e^750)/2 + e^-300 - 1/2
    with mpmath.workdps(DIGITS):
        expected = (mpmath.exp(900) + mpmath.exp(750)) / 2 + mpmath.exp(-300) - mpmath.mpf(1) / 2
        assert abs(Evaluator()(result.Z2.exact[0, 1]) / expected - 1) < mpmath.mpf(10) ** -35


def test_overflow_through_the_command_line_is_one_honest_report(capsys, tmp_path):
    code, out, err = run_symdl(capsys, "forward", spec_file(tmp_path, EXP_HIDDEN))
    assert code == 1
    assert "check: float64 overflows: H1[1,1] = inf" in out and "agree within" not in out
    assert err.startswith("symdl: the three computations disagree: float64 overflows") and one_line(err)


def test_overflow_as_strict_json(capsys, tmp_path):
    code, out, _ = run_symdl(capsys, "forward", spec_file(tmp_path, EXP_HIDDEN), "--json")

    def refuse(constant):
        raise AssertionError(f"non-standard JSON constant {constant}")

    data = json.loads(out, parse_constant=refuse)
    assert code == 1 and data["check"]["agrees"] is False
    assert data["check"]["float64_not_finite"].startswith("float64 overflows: H1[1,1] = inf")
    assert data["forward"]["H1"]["numeric"][0][:2] == ["inf", "inf"]


def test_overflow_on_the_board_is_said_not_agreed(capsys, tmp_path):
    code, out, _ = run_symdl(capsys, "forward", spec_file(tmp_path, EXP_HIDDEN), "--markdown")
    check = out.split("## Check")[1]
    assert code == 1 and "Float64 overflows: H1[1,1] = inf" in check and "same numbers" not in check


BIG = 'X = [1e200]\ntarget = [0]\n[[layer]]\nW = [[1e200]]\nB = [0]\nactivation = "identity"\n'


def test_backward_overflow_is_reported_not_agreed(capsys, tmp_path):
    """x w = 1e200 · 1e200 = 1e400 is beyond float64; L = (1e400 - 0)² / 1 = 1e800 exactly."""
    result = backpropagate(Network.from_text(BIG))
    assert result.value == Rational(10) ** 800 and np.isinf(result.loss_numeric)
    assert not result.checks.agrees and "float64 overflows: Z1[1,1] = inf; exact value ≈ 1.0e+400" in str(result.checks)
    assert "within" not in str(result.checks) and result.checks.finite_difference_error is None
    code, out, err = run_symdl(capsys, "backward", spec_file(tmp_path, BIG), "--markdown")
    assert code == 1 and "Float64 overflows: Z1[1,1] = inf" in out and "largest relative difference" not in out
    assert err.startswith("symdl: the gradients disagree: ") and one_line(err)


@pytest.mark.parametrize(
    "spec, place",
    [
        (SLIDE_TOML.replace("X = [1, 2, 1]", "X = [1, 1e400, 1]"), "X[2]"),
        (SLIDE_TOML.replace("B = [1, -0.5]", "B = [1, -1e309]"), "B2[2]"),
    ],
)
def test_numbers_beyond_float64_are_refused_at_input(capsys, tmp_path, spec, place):
    code, out, err = run_symdl(capsys, "forward", spec_file(tmp_path, spec))
    assert code == 2 and out == "" and one_line(err)
    assert place in err and "float64" in err


def test_numbers_beyond_float64_are_refused_through_the_library():
    layer = Layer(Matrix([[1]]), Matrix([[0]]), symdl.activation("identity"))
    with pytest.raises(BadNetwork, match=r"X\[1,1\] = 1\.0e\+400 does not fit in float64"):
        Network(Matrix([[10**400]]), (layer,))
    with pytest.raises((BadNetwork, BadParameter), match="float64"):
        Network(Matrix([[1]]), (layer,), target=Matrix([[1]]), learning_rate="1e400")


def test_learning_rate_beyond_float64_is_one_line(capsys):
    code, out, err = run_symdl(capsys, "backward", "--learning-rate", "1e400")
    assert code == 2 and out == "" and one_line(err) and "learning" in err


def test_an_update_beyond_float64_is_reported_honestly(capsys):
    """η = 1e300 on the lecture's network: the exact new loss is far beyond float64, and float64 says inf or NaN."""
    mpmath.mp.dps, saved = DIGITS, mpmath.mp.dps
    eta = mpmath.mpf(10) ** 300
    # by hand (README): dL/dW2 = [[4, 4], [3, 3], [-2, -2]], dL/dB2 = [1, 1], δ1 = [1.5, -0.5, 1], dL/dW1 = Xᵀ δ1
    x, t = [1, 2, 1], [1, 0]
    w1 = [[1, 1, -1], [1, 0.5, -1], [1, 1, 1]]
    w2 = [[1, 0.5], [-1, 0.5], [0, 1]]
    d1 = [1.5, -0.5, 1]
    w1 = [[w1[i][j] - eta * x[i] * d1[j] for j in range(3)] for i in range(3)]
    b1 = [-eta * d for d in d1]
    w2 = [[w2[i][j] - eta * g for j, g in enumerate(row)] for i, row in enumerate([[4, 4], [3, 3], [-2, -2]])]
    b2 = [1 - eta, -0.5 - eta]
    h = [mpmath.fsum(x[i] * w1[i][j] for i in range(3)) + b1[j] for j in range(3)]
    y = [mpmath.fsum(h[i] * w2[i][k] for i in range(3)) + b2[k] for k in range(2)]
    expected = ((y[0] - t[0]) ** 2 + (y[1] - t[1]) ** 2) / 2
    mpmath.mp.dps = saved

    code, out, err = run_symdl(capsys, "backward", "--learning-rate", "1e300")
    assert code == 0, err
    line = next(line for line in out.splitlines() if line.strip().startswith("loss:"))
    assert line.startswith(f"  loss: 1 -> {mpmath.nstr(expected, 10)}, went UP")
    assert "float64 gives" in out and "for the new loss: its pass overflows" in out
    update = backpropagate(replace(symdl.lecture_network(), learning_rate="1e300")).update
    assert update.after == np.inf and not update.decreased
    assert abs(Evaluator()(update.loss_after) / expected - 1) < mpmath.mpf(10) ** -30


# --------------------------------------------------------------------------- 2. size limits, refused at load


def dense(sizes: list[int], examples: int = 1) -> str:
    """A spec of identity layers of these sizes (the inputs first), every number 1, ``examples`` rows of X."""

    def row(n: int) -> str:
        return "[" + ", ".join(["1"] * n) + "]"

    layers = "".join(
        f'[[layer]]\nW = [{", ".join([row(b)] * a)}]\nB = {row(b)}\nactivation = "identity"\n'
        for a, b in pairwise(sizes)
    )
    return f"X = [{', '.join([row(sizes[0])] * examples)}]\n" + layers


@pytest.mark.parametrize(
    "spec, says",
    [
        (chain(17), "17 layers, but symdl computes networks of at most 16 layers"),
        (dense([1, 33]), "33 columns, but symdl computes networks of at most 32 units per layer"),
        (dense([1, 1], examples=9), "9 rows, but symdl computes networks of at most 8 examples"),
        # 30-30-30-2: 30·30 + 30 + 30·30 + 30 + 30·2 + 2 = 1922 weights and biases
        (dense([30, 30, 30, 2]), "1922 weights and biases, but symdl computes networks of at most 1400 parameters"),
        # a 20-20 layer: 20·20 + 20 = 420 weights and biases, and 8 examples: 3360 together
        (dense([20, 20], examples=8), "420 weights and biases and X 8 rows, 3360 together"),
    ],
    ids=["layers", "units", "examples", "parameters", "parameters-times-examples"],
)
def test_beyond_the_limits_is_one_line(capsys, tmp_path, spec, says):
    code, out, err = run_symdl(capsys, "forward", spec_file(tmp_path, spec))
    assert code == 2 and out == "" and one_line(err)
    assert says in err and "see the README" in err


def test_a_thousand_by_thousand_layer_is_refused_before_it_is_read(capsys, tmp_path):
    row = "[" + ", ".join(["1"] * 1000) + "]"
    spec = f'X = {row}\n[[layer]]\nW = [{", ".join([row] * 1000)}]\nB = {row}\nactivation = "identity"\n'
    start = time.monotonic()
    code, out, err = run_symdl(capsys, "forward", spec_file(tmp_path, spec))
    assert code == 2 and out == "" and one_line(err) and "characters" in err
    assert time.monotonic() - start < 5


def test_limits_hold_for_networks_built_in_python():
    act = symdl.activation("identity")
    layers = tuple(Layer(Matrix([[1]]), Matrix([[0]]), act) for _ in range(17))
    with pytest.raises(BadNetwork, match="at most 16 layers"):
        Network(Matrix([[1]]), layers)


# --------------------------------------------------------------------------- 3. the general formula, linear in depth


def test_sixteen_sigmoid_layers_forward():
    """The issue's deep network: 16 one-unit sigmoid layers (10 took 3.7 s and 16 never answered)."""
    start = time.monotonic()
    result = Network.from_text(chain(16)).forward()
    elapsed = time.monotonic() - start
    expected = sigmoid_chain(16)
    assert result.agreement.agrees
    assert abs(Evaluator()(result.Y.exact[0, 0]) - expected[-1][1]) < mpmath.mpf(10) ** -35
    assert result.Y.numeric[0, 0] == pytest.approx(float(expected[-1][1]), rel=4e-16)
    # each layer in the previous layer's named output: z16_1 = h15_1 w16_11 + b16_1, not sixteen σ's deep
    h15, w, b = (Symbol(name, real=True) for name in ("h15_1", "w16_11", "b16_1"))
    assert result.Z16.general[0, 0] == h15 * w + b
    assert max(tree_size(e) for step in result for e in step.general) <= 8
    assert elapsed < 10


def test_general_formula_of_a_wide_deep_network_stays_small():
    """6 layers of 3 sigmoid units: put together the last z would hold 3^5 copies of layer 1; named it holds 7 terms."""
    layer = "[[layer]]\nW = [[0.5, -1, 0.25], [1, 0.5, -0.5], [-0.25, 1, 1]]\nB = [0, 0.5, -0.5]\n"
    spec = "X = [1, 0.5, -1]\n" + (layer + 'activation = "sigmoid"\n') * 6
    result = Network.from_text(spec).forward()
    assert result.agreement.agrees and result.agreement.general == "identical"
    for step in result:
        for entry in step.general:
            assert tree_size(entry) <= 25, step.name
    assert result.together() is None  # put together, the last z would be hundreds of nodes: not written
    h = [Symbol(f"h5_{i}", real=True) for i in (1, 2, 3)]
    w = [Symbol(f"w6_{i}1", real=True) for i in (1, 2, 3)]
    assert result.Z6.general[0, 0] == sum(hi * wi for hi, wi in zip(h, w, strict=True)) + Symbol("b6_1", real=True)


def test_ten_sigmoid_layers_backward_agree():
    """The issue's deep backward (6 layers took 14.7 s, 10 never answered), and no false alarm from finite
    differences: the first layer's gradient (about 1e-7) is checked by the chain rule, and here against mpmath."""
    result = backpropagate(Network.from_text(chain(10)))
    assert result.checks.agrees, result.checks
    chain_values = sigmoid_chain(10)
    # ∂L/∂w1 = 2 (y - t) · Π_l σ'(z_l) · Π_{l ≥ 2} w_l · x, with σ' = h (1 - h), every w = x = 1
    y = chain_values[-1][1]
    with mpmath.workdps(DIGITS):
        expected = 2 * (y - 1) * mpmath.fprod(h * (1 - h) for _, h in chain_values)
    assert float(result["W1"].value[0, 0]) == pytest.approx(float(expected), rel=1e-14)


# --------------------------------------------------------------------------- 4. the exact pass under the time budget


def test_an_exact_pass_that_does_not_finish_says_so(monkeypatch):
    monkeypatch.setattr(forward_module, "SECONDS", 0.5)
    monkeypatch.setattr(forward_module, "_exact", lambda network: time.sleep(60))  # runs in the guarded child
    start = time.monotonic()
    with pytest.raises(OutOfTime, match=f"the exact forward pass: {NOT_IN_TIME}"):
        dataclasses.replace(symdl.lecture_network(), builtin=False).forward()  # as a user's spec: timed
    assert time.monotonic() - start < 5  # the child was stopped at the deadline, not waited for


def test_the_guarded_child_inherits_the_parent_beside_other_threads(monkeypatch):
    """A notebook kernel or a test runner has threads: the child is still forked, so it runs what the parent
    has (here a patched step), not a fresh import that would redo the parent's work inside the budget."""
    import threading

    stop = threading.Event()
    waiting = threading.Thread(target=stop.wait, daemon=True)
    waiting.start()
    try:
        test_an_exact_pass_that_does_not_finish_says_so(monkeypatch)
        monkeypatch.undo()  # the real pass and budget from here
        hidden = Layer(Matrix(SLIDE["W1"]), Matrix(SLIDE["B1"]), symdl.activation("elu"))
        output = Layer(Matrix(SLIDE["W2"]), Matrix(SLIDE["B2"]), symdl.activation("identity"))
        elu = Network(Matrix(SLIDE["X"]), [hidden, output])  # built in Python: timed, answered from the parent's work
        assert elu.timed and threading.active_count() > 1
        result = elu.forward()
        assert result.H1.exact[0, 2].doit() == exp(-2) - 1  # ELU(-2) = e^-2 - 1 (alpha = 1)
        assert result.Y.exact[0, 0] == 2 and result.agreement.agrees  # 4 - 3 + 0 + 1
    finally:
        stop.set()
        waiting.join()


def test_out_of_time_through_the_command_line_is_one_line(capsys, monkeypatch):
    monkeypatch.setattr(forward_module, "SECONDS", 0.0)  # every budget spent before the pass begins
    monkeypatch.setattr(backward_module, "SECONDS", 0.0)
    spec = Path(__file__).parents[1] / "examples" / "lecture01.toml"  # a user's file (the built-in is never timed)
    for command in ("forward", "backward"):
        code, out, err = run_symdl(capsys, command, str(spec))
        assert code == 2 and out == "" and one_line(err) and NOT_IN_TIME in err, command


def test_a_result_comes_back_whole_from_the_guarded_child():
    """The pass runs in a child process: its values, activations by name included, pickle and compare equal."""
    result = symdl.lecture_network().with_activations(hidden="sigmoid").forward()
    again = pickle.loads(pickle.dumps(result.Y.exact))
    assert again == result.Y.exact and str(again[0, 0]) == "-sigmoid(3) + sigmoid(4) + 1"


# --------------------------------------------------------------------------- 5. activations that are not real


@pytest.mark.parametrize("expression, name", [("sqrt(x)", "sqrt"), ("log(x)", "log")])
def test_a_network_activation_that_is_not_real_is_refused_at_definition(capsys, tmp_path, expression, name):
    # with the lecture's weights Z1 = [4, 3, -2]: sqrt(-2) and log(-2) are not real numbers
    spec = SLIDE_TOML.replace('"identity"', '"myact"', 1) + f'\n[activations]\nmyact = "{expression}"\n'
    code, out, err = run_symdl(capsys, "forward", spec_file(tmp_path, spec))
    assert code == 2 and out == "" and one_line(err)
    assert "activations.myact" in err and name in err and "real" in err


def test_a_complex_intermediate_is_one_clear_error(monkeypatch):
    """An activation built in Python around ``define`` (log on all of ℝ): the exact pass names the entry."""
    from sympy import log

    from symdl.catalog import Activation, x

    monkeypatch.setattr(forward_module, "numeric_activation", lambda layer: lambda z: np.zeros_like(z))
    act = Activation("mylog", log(x), tex=r"\operatorname{mylog}")
    net = Network(Matrix([[1, -3]]), (Layer(Matrix([[1, 0], [0, 1]]), Matrix([[0, 0]]), act),), "mylog.toml")
    # one layer, so its output is Y: Y[1,2] = log(-3) = log 3 + iπ
    with pytest.raises(BadNetwork, match=r"^mylog\.toml: Y\[1,2\] = log\(3\) \+ I\*pi is not a real number; "):
        net.forward()


def test_the_evaluator_refuses_what_is_not_real():
    from sympy import log, sqrt

    assert abs(Evaluator()(Rational(1, 3)) - mpmath.mpf(1) / 3) < mpmath.mpf(10) ** -15
    for value in (log(-2), sqrt(-2)):
        with pytest.raises(BadNetwork, match="is not a real number"):
            Evaluator()(value)
