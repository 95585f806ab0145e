"""The catalogue: every activation declared once, with PyTorch's defaults."""

from __future__ import annotations

import pytest
from sympy import Rational, Symbol

import symdl
from symdl.catalog import CATALOGUE, parse_number
from tests.conftest import LECTURE


def test_catalogue_has_the_lecture_and_torch_activations():
    names = symdl.names()
    assert names == sorted(names)
    assert len(names) >= 28
    torch_and_classic = [
        "identity", "binary_step", "softplus", "logsigmoid", "gelu", "gelu_tanh", "silu", "mish",
        "celu", "softsign", "hardtanh", "hardsigmoid", "hardswish", "relu6", "tanhshrink",
        "softshrink", "hardshrink", "arctan", "gaussian", "log_softmax", "softmin",
    ]  # fmt: skip
    for name in LECTURE + torch_and_classic:
        assert name in names


@pytest.mark.parametrize(
    "alias, name",
    [("logistic", "sigmoid"), ("swish", "silu"), ("LeakyReLU", "leaky_relu"), ("Leaky-ReLU", "leaky_relu"),
     ("ReLU6", "relu6"), ("LogSoftmax", "log_softmax"), ("GELU", "gelu")],
)  # fmt: skip
def test_aliases_and_spellings_resolve(alias, name):
    assert symdl.activation(alias).name == name


def test_unknown_name_suggests_the_closest():
    with pytest.raises(symdl.UnknownActivation, match="did you mean sigmoid\\?"):
        symdl.activation("sigmod")
    with pytest.raises(symdl.SymdlError):
        symdl.activation("no-such-thing")


# PyTorch's documented defaults (torch.nn docs), typed here as the outside reference.
TORCH_DEFAULTS = {
    "leaky_relu": {"alpha": Rational(1, 100)},  # negative_slope=0.01
    "prelu": {"alpha": Rational(1, 4)},  # init=0.25
    "elu": {"alpha": 1},
    "celu": {"alpha": 1},
    "softplus": {"beta": 1},
    "hardtanh": {"min_val": -1, "max_val": 1},
    "softshrink": {"lambda": Rational(1, 2)},
    "hardshrink": {"lambda": Rational(1, 2)},
    "rrelu": {"lower": Rational(1, 8), "upper": Rational(1, 3)},
    "selu": {
        "lambda": Rational("1.0507009873554804934193349852946"),
        "alpha": Rational("1.6732632423543772848170429916717"),
    },
}


@pytest.mark.parametrize("name, defaults", TORCH_DEFAULTS.items())
def test_defaults_are_pytorchs_and_exact(name, defaults):
    act = symdl.activation(name)
    assert {s.name: v for s, v in act.params.items()} == defaults
    assert all(v.is_Rational or v.is_Integer for v in act.params.values())


@pytest.mark.parametrize("act", CATALOGUE, ids=lambda a: a.name)
def test_declaration_is_complete(act):
    assert act.tex and act.expr is act.definition
    assert act.x.name == "x"
    unknown = {s for s in act.expr.free_symbols if isinstance(s, Symbol)} - {act.x} - set(act.params)
    assert not {s.name for s in unknown} - {"i", "n", "x"}  # vector: the base label x, index i, size n


def test_vector_functions_are_marked():
    assert {a.name for a in CATALOGUE if a.is_vector} == {"softmax", "log_softmax", "softmin"}


@pytest.mark.parametrize(
    "text, value",
    [
        ("0.2", Rational(1, 5)),
        ("1/4", Rational(1, 4)),
        ("-3", -3),
        ("1e-2", Rational(1, 100)),
        (" 2.5 ", Rational(5, 2)),
    ],
)
def test_numbers_are_parsed_exactly(text, value):
    assert parse_number(text, "test") == value


@pytest.mark.parametrize("text", ["x", "1/0", "__import__('os')", "2**10", "nan", "inf", ""])
def test_bad_numbers_are_refused(text):
    with pytest.raises(symdl.BadParameter):
        parse_number(text, "test")


def test_parameter_checks():
    elu = symdl.activation("elu")
    assert elu.values({"alpha": "0.2"}) == {Symbol("alpha", positive=True): Rational(1, 5)}
    with pytest.raises(symdl.BadParameter, match="outside its valid range"):
        elu.values({"alpha": "-1"})
    with pytest.raises(symdl.BadParameter, match="has no parameter 'beta'"):
        elu.values({"beta": "1"})
    with pytest.raises(symdl.BadParameter, match="valid range"):
        symdl.activation("leaky_relu").values({"alpha": "2"})
