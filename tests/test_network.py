"""The lecture's network: the spec, the forward pass three ways, and the check that they agree.

Expected values come from outside the code under test: worked by hand from the slide (Z1 = [4, 3, -2],
Y = [2, 1]; ReLU: Y = [2, 3]) or computed here with mpmath at 50 digits on the raw matrices (tests/conftest.py's
``SLIDE``, typed once).
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import mpmath
import numpy as np
import pytest
from sympy import Matrix, Rational, Symbol, exp, latex

import symdl
from symdl.errors import BadNetwork, UnknownActivation
from symdl.network.spec import Applied, Layer, Network
from tests.conftest import SCALAR, SLIDE, SLIDE_TOML, VECTOR, as_mpf, mp_function

ROOT = Path(__file__).resolve().parent.parent

# The slide's matrices as mpmath numbers; a bias is one row.
X, W1, B1, W2, B2 = (as_mpf(SLIDE[name]) for name in ("X", "W1", "B1", "W2", "B2"))
B1, B2 = B1[0], B2[0]

# The same slide as a spec; each test below changes what it is about.
LECTURE = SLIDE_TOML


def dense(h, w, b):
    """h W + b, row by row, in mpmath."""
    return [
        [mpmath.fsum(mpmath.mpf(row[i]) * w[i][j] for i in range(len(w))) + b[j] for j in range(len(b))] for row in h
    ]


def reference(hidden, output=lambda z: z):
    """Z1, H1, Z2, Y of the lecture's network, with the activations given as functions of one number."""
    z1 = dense(X, W1, B1)
    h1 = [[hidden(v) for v in row] for row in z1]
    z2 = dense(h1, W2, B2)
    return z1, h1, z2, [[output(v) for v in row] for row in z2]


def vector_reference(f):
    """As ``reference``, with a vector activation applied to each row of Z1."""
    z1 = dense(X, W1, B1)
    h1 = [f(row) for row in z1]
    z2 = dense(h1, W2, B2)
    return z1, h1, z2, z2


VECTOR_REFERENCES = {  # the textbook formulas, typed
    "softmax": lambda z: [mpmath.exp(v) / sum(mpmath.exp(u) for u in z) for v in z],
    "log_softmax": lambda z: [v - mpmath.log(sum(mpmath.exp(u) for u in z)) for v in z],
    "softmin": lambda z: [mpmath.exp(-v) / sum(mpmath.exp(-u) for u in z) for v in z],
}


def close(result, expected, exact_digits=40):
    """Every intermediate: exact to ``exact_digits`` digits, float64 to a few ulps, of the reference."""
    for step, ref in zip(result.steps, expected, strict=True):
        assert step.exact.shape == (len(ref), len(ref[0])), step.name
        for r, row in enumerate(ref):
            for c, value in enumerate(row):
                exact = mpmath.mpf(str(step.exact[r, c].doit().evalf(exact_digits + 5)))
                scale = max(abs(value), 1)
                assert abs(exact - value) <= scale * mpmath.mpf(10) ** -exact_digits, (step.name, r, c)
                assert abs(step.numeric[r, c] - value) <= 8 * np.finfo(np.float64).eps * scale, (step.name, r, c)


# --------------------------------------------------------------------------- the lecture's values, by hand


def test_lecture_network_as_on_the_slide():
    net = symdl.lecture_network()
    assert net.sizes == (3, 3, 2)
    got = {
        "X": net.inputs,
        "W1": net.layers[0].weights,
        "B1": net.layers[0].bias,
        "W2": net.layers[1].weights,
        "B2": net.layers[1].bias,
    }
    for name, matrix in got.items():
        assert matrix.tolist() == [list(row) for row in SLIDE[name]], name  # exact: 0.5 is 1/2
    assert [layer.activation.name for layer in net.layers] == ["identity", "identity"]


def test_the_typed_spec_says_what_the_example_says():
    """``SLIDE_TOML`` (derived from ``SLIDE``, one matrix a line) and examples/lecture01.toml, read by tomllib:
    the same X and the same layers; the example adds only its training keys."""
    typed = tomllib.loads(LECTURE)
    example = tomllib.loads((ROOT / "examples" / "lecture01.toml").read_text(encoding="utf-8"))
    assert set(example) - set(typed) == {"target", "loss", "learning_rate"}
    assert typed == {key: example[key] for key in typed}


def test_forward_identity_by_hand():
    result = symdl.lecture_network().forward()
    assert result.names == ("Z1", "H1", "Z2", "Y")
    assert result.Z1.exact.tolist() == [[4, 3, -2]]  # 1+2+1, 1+1+1, -1-2+1
    assert result.H1.exact.tolist() == [[4, 3, -2]]
    assert result.Z2.exact.tolist() == [[2, 1]]  # 4-3+0+1, 2+1.5-2-0.5
    assert result.Y.exact.tolist() == [[2, 1]]
    assert result.Y.numeric.tolist() == [[2.0, 1.0]] and result.Y.numeric.dtype == np.float64
    assert result.agreement.agrees and result.agreement.largest_ulps == 0
    assert result.agreement.general == "identical"


def test_forward_relu_by_hand():
    result = symdl.lecture_network().with_activations(hidden="relu").forward()
    assert result.H1.exact.tolist() == [[4, 3, 0]]
    assert result.Y.exact.tolist() == [[2, 3]]  # 4-3+0+1, 2+1.5+0-0.5
    assert result.Y.numeric.tolist() == [[2.0, 3.0]]
    assert result.agreement.agrees


def test_forward_sigmoid_against_mpmath():
    result = symdl.lecture_network().with_activations(hidden="sigmoid").forward()
    close(result, reference(lambda z: 1 / (1 + mpmath.exp(-z))))
    assert result.agreement.agrees


def test_forward_tanh_against_mpmath():
    result = symdl.lecture_network().with_activations(hidden="tanh", output="tanh").forward()
    close(result, reference(mpmath.tanh, mpmath.tanh))
    assert result.agreement.agrees


def test_sigmoid_stays_by_name_until_digits_are_asked():
    h1 = symdl.lecture_network().with_activations(hidden="sigmoid").forward().H1
    first = h1.exact[0, 0]
    assert isinstance(first, Applied) and first.args == (4,)
    assert first.doit() == 1 / (1 + exp(-4))
    assert latex(first) == r"\sigma(4)"
    assert str(first) == "sigmoid(4)"
    assert abs(mpmath.mpf(str(h1.digits(30)[0, 2])) - 1 / (1 + mpmath.exp(2))) < mpmath.mpf(10) ** -28


# --------------------------------------------------------------------------- the whole catalogue, hidden and output


@pytest.mark.parametrize("name", SCALAR)
def test_every_scalar_activation_in_the_hidden_layer(name):
    act = symdl.activation(name)
    result = symdl.lecture_network().with_activations(hidden=name).forward()
    assert result.agreement.agrees, str(result.agreement)
    f = mp_function(act.definition, act)
    close(result, reference(lambda z: f(z)))


@pytest.mark.parametrize("name", SCALAR)
def test_every_scalar_activation_in_the_output_layer(name):
    act = symdl.activation(name)
    result = symdl.lecture_network().with_activations(output=name).forward()
    assert result.agreement.agrees, str(result.agreement)
    f = mp_function(act.definition, act)
    close(result, reference(lambda z: z, lambda z: f(z)))


@pytest.mark.parametrize("name", VECTOR)
def test_vector_activations_in_the_hidden_layer(name):
    result = symdl.lecture_network().with_activations(hidden=name).forward()
    assert result.agreement.agrees, str(result.agreement)
    close(result, vector_reference(VECTOR_REFERENCES[name]))


def test_every_vector_activation_has_an_independent_reference():
    # SCALAR and VECTOR split the catalogue (conftest), so the parametrized tests above cover every entry;
    # the vector ones also need a hand-written reference here.
    assert set(VECTOR) == set(VECTOR_REFERENCES)


# --------------------------------------------------------------------------- the general formula


def test_general_formula_in_symbols():
    result = symdl.lecture_network().forward()
    x1, x2, x3 = (Symbol(f"x_{i}", real=True) for i in (1, 2, 3))
    w = {(i, j): Symbol(f"w1_{i}{j}", real=True) for i in (1, 2, 3) for j in (1, 2, 3)}
    b1 = Symbol("b1_1", real=True)
    assert result.Z1.general[0, 0] == x1 * w[1, 1] + x2 * w[2, 1] + x3 * w[3, 1] + b1
    v = {(i, j): Symbol(f"w2_{i}{j}", real=True) for i in (1, 2, 3) for j in (1, 2)}
    b2 = Symbol("b2_1", real=True)
    h = [Symbol(f"h1_{j}", real=True) for j in (1, 2, 3)]  # layer 2 is written in layer 1's named outputs
    assert result.Y.general[0, 0] == h[0] * v[1, 1] + h[1] * v[2, 1] + h[2] * v[3, 1] + b2
    z = [x1 * w[1, j] + x2 * w[2, j] + x3 * w[3, j] + Symbol(f"b1_{j}", real=True) for j in (1, 2, 3)]
    expected = z[0] * v[1, 1] + z[1] * v[2, 1] + z[2] * v[3, 1] + b2
    assert (result.together()[0, 0] - expected).expand() == 0  # put together: in x, w and b alone


def test_general_formula_keeps_the_activation_by_name():
    result = symdl.lecture_network().with_activations(hidden="sigmoid").forward()
    h1 = result.H1.general[0, 0]
    assert isinstance(h1, Applied) and r"\sigma(" in latex(h1)
    y1 = result.together()[0, 0]
    assert any(isinstance(a, Applied) for a in y1.atoms(Applied))
    assert r"\sigma(" in latex(y1)


# --------------------------------------------------------------------------- numbers, batches, parameters


def test_numbers_exact_whatever_their_spelling():
    spec = """
X = [1, 2, 1]
[[layer]]
W = [[0.5, "1/2", 5e-1], ["0.1", 1_000.25, -3]]
B = [0, 0, 0]
activation = "identity"
"""
    with pytest.raises(BadNetwork, match=r"layer 1: X is 1×3 but W1 is 2×3"):
        Network.from_text(spec)
    net = Network.from_text(spec.replace("X = [1, 2, 1]", "X = [1, 2]"))
    assert net.layers[0].weights.tolist() == [
        [Rational(1, 2), Rational(1, 2), Rational(1, 2)],
        [Rational(1, 10), Rational(4001, 4), -3],
    ]


def test_a_batch_runs_every_row():
    spec = LECTURE.replace("X = [1, 2, 1]", "X = [[1, 2, 1], [0, 0, 0], [1, -2, 0]]").replace('"identity"', '"relu"', 1)
    result = Network.from_text(spec).forward()
    # by hand: row 2 is all zeros, so Z1 = B1 = 0 and Y = B2;
    # row 3: Z1 = [1 - 2, 1 - 1, -1 + 2] = [-1, 0, 1], H1 = [0, 0, 1], Y = [1, 1 - 0.5]
    assert result.Z1.exact.tolist() == [[4, 3, -2], [0, 0, 0], [-1, 0, 1]]
    assert result.H1.exact.tolist() == [[4, 3, 0], [0, 0, 0], [0, 0, 1]]
    assert result.Y.exact.tolist() == [[2, 3], [1, Rational(-1, 2)], [1, Rational(1, 2)]]
    assert result.Y.numeric.shape == (3, 2) and result.agreement.agrees


def test_layer_parameters():
    spec = symdl.lecture_network()
    text = LECTURE.replace('"identity"', '"leaky_relu"\nparameters = { alpha = 0.2 }', 1)
    result = Network.from_text(text).forward()
    assert result.H1.exact.tolist() == [[4, 3, Rational(-2, 5)]]  # max(0.2 * -2, -2)
    assert result.Y.exact.tolist() == [[2, Rational(13, 5)]]  # 2 + 1.5 - 0.4 - 0.5
    assert result.Y.numeric[0].tolist() == pytest.approx([2.0, 2.6], abs=4e-16)
    assert spec.with_activations(hidden="leaky_relu").forward().H1.exact[0, 2] == Rational(-1, 50)


def test_custom_activation_from_the_spec():
    text = LECTURE.replace("[[layer]]", '[activations]\nnetmish = "x*tanh(softplus(x))"\n[[layer]]', 1)
    text = text.replace('"identity"', '"netmish"', 1)
    result = Network.from_text(text).forward()
    assert result.agreement.agrees
    close(result, reference(lambda z: z * mpmath.tanh(mpmath.log(1 + mpmath.exp(z)))))


def test_with_activations_checks_names():
    net = symdl.lecture_network()
    with pytest.raises(UnknownActivation, match="sigmoi"):
        net.with_activations(hidden="sigmoi")
    one_layer = Network.from_text('X = [1]\n[[layer]]\nW = [[2]]\nB = [1]\nactivation = "identity"\n')
    assert one_layer.forward().Y.exact.tolist() == [[3]]
    with pytest.raises(BadNetwork, match="no hidden layer"):
        one_layer.with_activations(hidden="relu")


# --------------------------------------------------------------------------- bad input: one clear line


BAD = [
    (
        "layer 2 shape",
        LECTURE.replace("[[1, 0.5], [-1, 0.5], [0, 1]]", "[[1, 0.5], [-1, 0.5]]"),
        "layer 2: H1 is 1×3 but W2 is 2×2",
    ),
    ("layer 1 shape", LECTURE.replace("X = [1, 2, 1]", "X = [1, 2]"), "layer 1: X is 1×2 but W1 is 3×3"),
    ("bias shape", LECTURE.replace("B = [0, 0, 0]", "B = [0, 0]"), "layer 1: B1 has 2 entries but W1 has 3 columns"),
    ("missing X", LECTURE.replace("X = [1, 2, 1]", ""), "missing X"),
    ("missing W", LECTURE.replace("W = [[1, 0.5], [-1, 0.5], [0, 1]]", ""), "layer 2: missing W"),
    ("missing B", LECTURE.replace("B = [1, -0.5]", ""), "layer 2: missing B"),
    (
        "missing activation",
        LECTURE.replace('activation = "identity"\n[[layer]]', "[[layer]]"),
        "layer 1: missing activation",
    ),
    ("unknown key", LECTURE.replace("B = [0, 0, 0]", "B = [0, 0, 0]\nb = 1"), "layer 1: unknown key 'b'"),
    ("unknown top key", "Y = 1\n" + LECTURE, "unknown key 'Y' at the top"),
    ("text entry", LECTURE.replace("0.5, -1]", '"half", -1]'), "W1[2,2]: expected a number"),
    ("boolean entry", LECTURE.replace("B = [1, -0.5]", "B = [true, -0.5]"), "B2[1]: expected a number"),
    ("nan", LECTURE.replace("0.5, -1]", "nan, -1]"), "W1[2,2] is nan; every entry must be a finite number"),
    ("inf", LECTURE.replace("B = [1, -0.5]", "B = [1, -inf]"), "B2[2] is -inf; every entry must be a finite number"),
    ("nan text", LECTURE.replace("X = [1, 2, 1]", 'X = [1, "NaN", 1]'), "X[2] is NaN"),
    ("ragged", LECTURE.replace("[1, 0.5, -1]", "[1, 0.5]"), "W1 row 2 has 2 entries but row 1 has 3"),
    ("flat W", LECTURE.replace("[[1, 0.5], [-1, 0.5], [0, 1]]", "[1, 0.5]"), "W2 must be a list of rows"),
    (
        "unknown activation",
        LECTURE.replace('"identity"', '"sigmoi"', 1),
        "layer 1: unknown activation 'sigmoi'; did you mean sigmoid",
    ),
    (
        "bad parameter",
        LECTURE.replace('"identity"', '"leaky_relu"\nparameters = { alpha = 2 }', 1),
        "layer 1: leaky_relu: parameter alpha=2 is outside its valid range",
    ),
    (
        "unknown parameter",
        LECTURE.replace('"identity"', '"relu"\nparameters = { alpha = 2 }', 1),
        "layer 1: relu has no parameter 'alpha'",
    ),
    ("no layers", "X = [1, 2, 1]\n", "no layers"),
    ("malformed", LECTURE.replace("B = [0, 0, 0]", "B = [0, 0, 0"), "not valid TOML"),
    ("bad custom", '[activations]\nbad = "x +* 2"\n' + LECTURE, "activations.bad: "),
]


@pytest.mark.parametrize(("text", "message"), [pytest.param(t, m, id=i) for i, t, m in BAD])
def test_bad_spec_one_line(text, message):
    with pytest.raises(symdl.SymdlError) as info:
        Network.from_text(text, "net.toml")
    said = str(info.value)
    assert isinstance(info.value, UnknownActivation if "unknown activation" in message else ValueError)
    assert said.startswith("net.toml: ") and message in said
    assert "\n" not in said


def test_missing_file(tmp_path):
    with pytest.raises(BadNetwork, match=r"no such file"):
        Network.from_toml(tmp_path / "missing.toml")


def test_built_in_python():
    """A network built in Python: plain matrices, an activation with parameters at their declared defaults."""
    hidden = Layer(Matrix(SLIDE["W1"]), Matrix(SLIDE["B1"]), symdl.activation("elu"))
    output = Layer(Matrix(SLIDE["W2"]), Matrix(SLIDE["B2"]), symdl.activation("identity"))
    result = Network(Matrix(SLIDE["X"]), [hidden, output]).forward()
    assert hidden.values == ((Symbol("alpha", positive=True), 1),)
    assert result.H1.exact[0, 2].doit() == exp(-2) - 1  # ELU(-2) = alpha (e^-2 - 1), alpha = 1
    assert result.Y.exact[0, 0] == 2 and result.agreement.agrees


def test_the_check_catches_a_wrong_numeric_path(monkeypatch):
    """The agreement check is not vacuous: a float64 path off by 1e-12 is reported, with where."""
    import symdl.network.forward as network

    right = network.numeric_activation
    monkeypatch.setattr(network, "numeric_activation", lambda layer: lambda z: right(layer)(z) + 1e-12)
    a = symdl.lecture_network().forward().agreement
    # by hand: y_2 picks up 1e-12 from each h (times 0.5, 0.5, 1) and its own 1e-12, so 3e-12, judged in
    # ulps of its row's scale: max(|4*1| + |3*-1| + |-2*0| + |1|, |4*0.5| + |3*0.5| + |-2*1| + |-0.5|) = 8
    assert not a.agrees and a.worst == "Y[1,2]"
    assert a.largest_ulps == pytest.approx(3e-12 / np.spacing(8.0), rel=1e-3)
    assert "DIFFER" in str(a)


def test_the_check_catches_a_wrong_general_formula(monkeypatch):
    import symdl.network.forward as network

    right = network._named
    monkeypatch.setattr(network, "_named", lambda general: [m.applyfunc(lambda e: e + 1) for m in right(general)])
    a = symdl.lecture_network().forward().agreement
    assert not a.agrees and a.general == "differs" and a.largest_ulps == 0
