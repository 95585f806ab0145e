"""The command line: the real commands, their output, and one-line errors with exit status 2."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.conftest import run_symdl


def test_list_shows_every_activation(capsys):
    import symdl

    code, out, _ = run_symdl(capsys, "list")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split() == ["name", "aliases", "parameters", "formula"]
    assert [line.split()[0] for line in lines[1:]] == symdl.names()
    assert any(line.startswith("sigmoid") and "logistic" in line and "1/(1 + exp(-x))" in line for line in lines)


def test_list_json(capsys):
    code, out, _ = run_symdl(capsys, "list", "--json")
    data = {row["name"]: row for row in json.loads(out)}
    assert code == 0 and data["elu"]["parameters"] == {"alpha": "1"}


def test_show_text(capsys):
    code, out, _ = run_symdl(capsys, "show", "sigmoid")
    assert code == 0
    for needed in ("definition", "derivative", "output form", "y⋅(1 - y)", "sup |f'|", "1/4", "(0, 1)"):
        assert needed in out


def test_show_json_keys_and_values(capsys):
    code, out, _ = run_symdl(capsys, "show", "relu", "--json")
    data = json.loads(out)
    assert code == 0
    assert {"name", "definition_latex", "derivative_latex", "output_form_latex", "kinks", "properties"} <= set(data)
    assert data["kinks"][0]["at"]["float"] == 0 and data["kinks"][0]["value_used"]["float"] == 0
    assert data["properties"]["range"]["text"] == "[0, ∞)"


def test_show_json_null_output_form(capsys):
    _, out, _ = run_symdl(capsys, "show", "gelu", "--json")
    assert json.loads(out)["output_form_latex"] is None


def _strict(text: str):
    """JSON as a strict parser reads it: NaN, Infinity and -Infinity are not JSON."""

    def refuse(constant: str):
        raise ValueError(f"{constant} is not JSON")

    return json.loads(text, parse_constant=refuse)


@pytest.mark.parametrize(
    "args",
    [
        ("list", "--json"),
        ("show", "relu", "--json"),  # its limit at +inf is infinite
        ("show", "logsigmoid", "--json"),  # ... and at -inf
        ("derive", "exp(x)", "--json"),
        ("forward", "--json"),
        ("backward", "--json"),
    ],
)
def test_every_json_is_strict(capsys, args):
    code, out, _ = run_symdl(capsys, *args)
    assert code == 0
    _strict(out)


def test_a_non_finite_float_is_written_as_its_name(capsys):
    _, out, _ = run_symdl(capsys, "show", "logsigmoid", "--json")
    limits = _strict(out)["properties"]
    assert limits["limit_neg_inf"] == {"text": "-oo", "latex": "-\\infty", "float": "-inf"}
    assert float(limits["limit_neg_inf"]["float"]) == float("-inf")


def test_json_text_names_what_json_cannot_hold():
    import numpy as np

    from symdl.render.json_text import json_text

    data = {"a": [float("nan"), float("inf"), -np.inf, 1.5], "b": (np.float64("nan"), {"c": -float("inf")})}
    assert _strict(json_text(data)) == {"a": ["nan", "inf", "-inf", 1.5], "b": ["nan", {"c": "-inf"}]}


def test_show_with_parameter(capsys):
    code, out, _ = run_symdl(capsys, "show", "elu", "--param", "alpha=0.5", "--json")
    data = json.loads(out)
    assert code == 0
    assert data["parameters"]["alpha"]["float"] == 0.5
    assert data["kinks"][0]["value_used"]["float"] == 0.5
    assert data["properties"]["continuity"] == "C^0"


def test_show_latex(capsys):
    code, out, _ = run_symdl(capsys, "show", "tanh", "--latex")
    assert code == 0 and r"1 - \tanh^{2}{\left(x \right)}" in out


@pytest.mark.parametrize(
    "args, message",
    [
        (("show", "sigmod"), "did you mean sigmoid?"),
        (("show", "elu", "--param", "alpha=abc"), "expected a number"),
        (("show", "elu", "--param", "alpha=-1"), "outside its valid range"),
        (("show", "elu", "--param", "gamma=1"), "has no parameter 'gamma'"),
        (("show", "elu", "--param", "alpha"), "write NAME=VALUE"),
        (("frobnicate",), "No such command"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(capsys, args, message):
    code, out, err = run_symdl(capsys, *args)
    assert code == 2
    assert out == ""
    assert len(err.strip().splitlines()) == 1 and message in err and "Traceback" not in err


def test_console_script_and_module_entry_point():
    for command in (["symdl", "show", "sigmod"], [sys.executable, "-m", "symdl", "show", "sigmod"]):
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        assert done.returncode == 2
        assert (
            done.stderr.strip()
            == "symdl: unknown activation 'sigmod'; did you mean sigmoid? (`symdl list` shows them all)"
        )
