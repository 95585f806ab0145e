"""The lecture's own forms (``lecture=`` on a declaration): the difference from the definition is derived, not typed.

LeakyReLU's lecture form writes its slope's default as a value (so the default style prints max(0.01x, x)); ELU's
fixes alpha = 1, which leaves no trace in e^x - 1 (a note, alpha kept symbolic); SELU's leaves out the scale lambda.
"""

from __future__ import annotations

import pytest
from sympy import Piecewise, Rational, exp

from symdl.catalog import CATALOGUE, Activation, Param, activation, alpha, lam, x
from symdl.engine.lecture import lecture_form
from symdl.errors import BadParameter, DerivationError
from symdl.primitives import Maximum
from symdl.render import latex
from symdl.render.notation import Style, notation


def test_leaky_relu_writes_its_slope_as_the_default_value():
    form = lecture_form(activation("leaky_relu"))
    assert form.by_value == (alpha,)
    assert form.fixed == () and form.omitted == ()
    w = notation(activation("leaky_relu"), Style(), activation("leaky_relu").params)
    assert w.shown == (alpha,)
    assert latex.notes("leaky_relu") == []


def test_elu_fixes_alpha_at_one():
    form = lecture_form(activation("elu"))
    assert form.fixed == ((alpha, 1),)
    assert form.by_value == () and form.omitted == ()
    assert form.differs == ((exp(x) - 1, x < 0),)  # where the lecture's branch is not alpha (e^x - 1)
    w = notation(activation("elu"), Style(), activation("elu").params)
    assert w.shown == ()  # alpha stays symbolic
    assert latex.notes("elu") == [
        "The lecture's ELU fixes $\\alpha = 1$, i.e. $e^x - 1$ for $x < 0$; the standard ELU (PyTorch) has the "
        "parameter $\\alpha$, default $\\alpha = 1$."
    ]
    # Printed in the style's variable, not a typed x.
    assert "$e^z - 1$ for $z < 0$" in latex.notes("elu", Style(variable="z"))[0]


def test_selu_omits_the_scale_lambda():
    form = lecture_form(activation("selu"))
    assert form.omitted == (lam,)
    assert form.fixed == () and form.by_value == ()  # alpha is in the lecture's form: kept
    assert latex.notes("selu") == [
        "The lecture's SELU omits the scale $\\lambda$; the standard SELU (Klambauer et al., 2017; PyTorch) "
        "multiplies by it: $\\lambda = 1.0507009873554804934193349852946$, "
        "$\\alpha = 1.6732632423543772848170429916717$."
    ]
    assert "(Klambauer 외, 2017; PyTorch)" in latex.notes("selu", Style(lang="ko"))[0]


@pytest.mark.parametrize("act", [a for a in CATALOGUE if a.lecture is None], ids=lambda a: a.name)
def test_no_lecture_form_no_note(act):
    assert lecture_form(act) is None
    if not act.is_vector:
        w = notation(act, Style(), act.params)
        assert w.shown == ()
        assert latex.lecture_notes(act, w) == ([], set())


def test_prelu_notes_only_its_default():
    assert latex.notes("prelu") == ["where $\\alpha = 0.25$ (PyTorch's default)."]


def test_a_value_other_than_the_default_is_fixed():
    slope = Param(alpha, Rational(1, 100))
    act = Activation("slide_leaky", Maximum(alpha * x, x), tex="L", params=(slope,), lecture=Maximum(x / 5, x))
    form = lecture_form(act)
    assert form.fixed == ((alpha, Rational(1, 5)),) and form.by_value == ()
    note = latex.lecture_notes(act, notation(act, Style(), act.params))[0]
    assert note == [
        "The lecture's Slide leaky fixes $\\alpha = 0.2$, i.e. $\\frac{x}{5}$ for $x \\le 0$; the standard "
        "Slide leaky has the parameter $\\alpha$, default $\\alpha = 0.01$."
    ]


def test_a_lecture_form_that_is_no_value_of_the_definition_is_refused():
    act = Activation(
        "wrong",
        Piecewise((x, x > 0), (alpha * (exp(x) - 1), True)),
        tex="W",
        params={alpha: 1},
        lecture=Piecewise((x, x >= 0), (exp(2 * x) - 1, x < 0)),
    )
    with pytest.raises(DerivationError):
        lecture_form(act)


def test_a_lecture_form_names_only_declared_parameters():
    with pytest.raises(BadParameter, match="lecture's form uses beta"):
        from sympy import Symbol

        Activation("wrong", alpha * x, tex="W", params={alpha: 1}, lecture=Symbol("beta") * x)
