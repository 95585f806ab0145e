"""The safe parser and define: user text becomes SymPy only through a whitelist."""

from __future__ import annotations

import numpy as np
import pytest
from sympy import Piecewise, Rational, Symbol, erfc, exp, log, pi, tanh

import symdl
from symdl.catalog import x
from symdl.parse import parse
from symdl.primitives import Maximum


@pytest.mark.parametrize(
    "text, expected",
    [
        ("x*tanh(log(1+exp(x)))", x * tanh(log(1 + exp(x)))),
        ("x*tanh(softplus(x))", x * tanh(log(1 + exp(x)))),  # a catalogue activation by name
        ("0.5*x", Rational(1, 2) * x),  # exact: 0.5 is 1/2
        ("x^2 + x**3 - -x", x**2 + x**3 + x),
        ("-x^2", -(x**2)),  # the power binds tighter than the minus
        ("2**-x", 2 ** (-x)),
        ("max(0.01*x, x)", Maximum(Rational(1, 100) * x, x)),
        ("where(x > 0, x, 0.5*(exp(x) - 1))", Piecewise((x, x > 0), (Rational(1, 2) * (exp(x) - 1), True))),
        ("sigmoid(2*x)", 1 / (1 + exp(-2 * x))),
        ("erfc(pi*x) + ln(2)", erfc(pi * x) + log(2)),  # every name of symdl.functions.PRIMITIVES
    ],
)
def test_accepted_expressions(text, expected):
    assert parse(text) == expected


@pytest.mark.parametrize(
    "text, message",
    [
        ('__import__("os")', "unexpected '\"'"),
        ("x.__class__", "unexpected '.'"),
        ("foo(x)", "unknown function 'foo'"),
        ("y + 1", "unknown name 'y'"),
        ("x +", "found the end"),
        ("exp(x", r"expected '\)'"),
        ("abs(x, 2)", "abs takes 1 argument"),
        ("softmax(x)", "not a function of one number"),
        ("where(x, 1, 2)", "needs a comparison"),
        ("", "empty expression"),
        ("1e999999", "position 1 of '1e999999': '1e999999' is beyond float64's range"),
        ("x*1e-400", "position 3 .* float64 rounds it to 0"),
        ("x*" + "1" * 51, "51 significant digits"),
        ("x*\u09ea", r"position 3 .*BENGALI DIGIT FOUR\) is not an ASCII digit"),  # looks like 8
        ("x*\uff18", "FULLWIDTH DIGIT EIGHT"),
        ("\u0445 + 1", "position 1 .*CYRILLIC SMALL LETTER HA"),  # looks like x
        ("x\u00d72", r"position 2 .*MULTIPLICATION SIGN\) is not ASCII"),
        ("x*9**9**9", r"position 4 of 'x\*9\*\*9\*\*9': this power is about 10\^3.697e\+08, beyond float64's range"),
        ("(2*x)**(9**9)", "beyond float64's range"),  # SymPy would compute 2**(9**9) exactly
        ("x*2**-1075", "float64 rounds it to 0"),
        ("(1+1e-40)**(10**40)*x", "exact value would have about"),
        ("x*1e300*1e300", r"position 8 .*1.00E\+600, which is beyond float64's range"),
        ("x/(x-x)", r"position 2 of 'x/\(x-x\)': division by zero"),
        ("x*0**-1", "0 to a negative power"),
        ("x*log(0)", "position 3 .*not a finite number"),
        ("x*(-1)^(1/2)", "position 7 .*this is I, not a real number"),
        ("where(log(-1) > 0, x, 1)", "I\\*pi, not a real number"),
        ("max(1, tanh(1000))", "position 1 .*cannot decide how these numbers compare"),  # SymPy cannot order them
        ("(" * 50 + "x" + ")" * 50, "nested more than"),
        ("x" * 1001, "longer than"),
    ],
)
def test_refused_expressions_get_one_line(text, message):
    with pytest.raises(symdl.SymdlError, match=message) as error:
        parse(text)
    assert "\n" not in str(error.value)


def test_parameters_must_be_declared():
    a = Symbol("a", real=True)
    assert parse("max(a*x, x)", {"a": a}) == Maximum(a * x, x)
    with pytest.raises(symdl.BadExpression, match="unknown name 'a'"):
        parse("max(a*x, x)")


def test_a_defined_activation_is_usable_everywhere():
    act = symdl.define("my_mish", "x*tanh(softplus(x))")
    assert symdl.activation("my_mish") is act and "my_mish" in symdl.names()
    assert act.tex == r"\operatorname{my\_mish}"
    # the engine derives it like a catalogue entry; the compiled function is stable in the tails
    assert symdl.output_form(act) is None
    f = symdl.numpy_function("my_mish")
    out = f(np.array([-1000.0, 0.0, 1000.0]))
    assert np.isfinite(out).all() and out[2] == 1000.0
    assert symdl.derive("my_mish").properties.range.inf < -0.3


def test_define_with_parameters():
    act = symdl.define("my_leaky", "max(a*x, x)", {"a": "0.2"})
    assert act.params == {Symbol("a", real=True): Rational(1, 5)}
    assert [float(b.slope.subs(act.params)) for b in symdl.derive(act).kinks] == [0.2]
    assert symdl.numpy_function(act)(-1.0, a=0.3) == pytest.approx(-0.3)


@pytest.mark.parametrize(
    "name, text, params, message",
    [
        ("relu", "x", None, "already a catalogue activation"),
        ("9lives", "x", None, "use letters"),
        ("const", "2", None, "does not depend on x"),
        ("unused", "x", {"a": "1"}, "does not appear"),
        ("badparam", "x*b", {"b": "nan"}, "expected a number"),
        ("shadow", "x*exp", {"exp": "1"}, "not allowed"),
    ],
)
def test_define_refuses_bad_declarations(name, text, params, message):
    with pytest.raises(symdl.SymdlError, match=message):
        symdl.define(name, text, params)


def test_derive_command(capsys):
    from symdl.cli import main

    main(["derive", "max(a*x, x)", "-p", "a=0.2", "--name", "leaky_two", "--json"])
    import json

    data = json.loads(capsys.readouterr().out)
    assert data["name"] == "leaky_two" and data["kinks"][0]["value_used"]["text"] == "a"
    assert data["parameters"]["a"]["float"] == 0.2
    with pytest.raises(SystemExit) as done:
        main(["derive", "x + foo(x)"])
    assert done.value.code == 2
    assert "unknown function 'foo'" in capsys.readouterr().err
