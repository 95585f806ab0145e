"""The worked derivation: every step verified by the engine, and a wrong step caught."""

from __future__ import annotations

import mpmath
import pytest
from sympy import Mul, Rational, S, Symbol, atan, exp, oo, pi

import symdl
from symdl.catalog import CATALOGUE, x
from symdl.engine import steps
from symdl.engine.regions import Region
from symdl.engine.steps import derivative_cases, evaluated, verify, working
from symdl.errors import DerivationError
from tests.conftest import LECTURE, SCALAR, VECTOR, mp_function

POINTS = [Rational(k, 3) + Rational(1, 7) for k in range(-12, 13, 4)]  # no breakpoint of the catalogue


def inside(region, point, values):
    interval = region.interval(values)
    return bool(interval.contains(point))


@pytest.mark.parametrize("name", [a.name for a in CATALOGUE])
def test_every_step_was_checked(name):
    w = working(name)
    assert w.branches
    for branch in w.branches:
        assert branch.steps[0].rule == "definition" and branch.steps[0].check == ""
        assert len(branch.steps) >= 2
        for step in branch.steps[1:]:
            assert step.check in ("sympy", "40 digits"), (name, step)


@pytest.mark.parametrize("name", LECTURE)
def test_lecture_steps_are_proved_symbolically(name):
    """For the lecture's eight, SymPy proves every step; no step rests on the 40-digit check."""
    w = working(name)
    assert {s.check for b in w.branches for s in b.steps[1:]} == {"sympy"}


@pytest.mark.parametrize("name", SCALAR)
def test_every_step_is_the_derivative_on_its_branch(name):
    """Each step, evaluated, is mpmath's numerical derivative of the declaration (an oracle outside symdl)."""
    act = symdl.activation(name)
    w = working(name)
    f = mp_function(act.definition, act)
    for branch in w.branches:
        branch_expr = branch.where[0].expr
        for point in POINTS:
            if not any(inside(r, point, act.params) for r in branch.where):
                continue
            expected = mpmath.diff(f, mpmath.mpf(point.p) / point.q)
            for step in branch.steps:
                value = evaluated(step.expr, act, branch_expr).subs(act.params).subs(x, point)
                assert abs(mpmath.mpf(value.evalf(30)) - expected) < mpmath.mpf(10) ** -25, (name, point, step)


def test_sigmoid_reads_like_the_textbook():
    """(1 + e^-x)^-1 -> e^-x/(1 + e^-x)^2 -> (1/(1 + e^-x))(e^-x/(1 + e^-x)) -> sigma(1 - sigma)."""
    (branch,) = working("sigmoid").branches
    assert [s.rule for s in branch.steps] == ["definition", "power", "simplify", "factor", "output", "name"]
    u = 1 + exp(-x)
    assert branch.steps[2].expr == exp(-x) / u**2
    sigma = steps.named(symdl.activation("sigmoid"))(x)
    assert branch.steps[-1].expr == sigma * (1 - sigma)


def test_tanh_is_worked_from_its_exponential_definition():
    (branch,) = working("tanh").branches
    assert [s.rule for s in branch.steps] == ["definition", "quotient", "split", "output", "name"]
    assert branch.steps[0].expr.args[0] == (exp(x) - exp(-x)) / (exp(x) + exp(-x))


def test_relu_is_worked_per_branch_with_its_kink():
    w = working("relu")
    assert [(b.where[0].lo, b.where[0].hi) for b in w.branches] == [(0, oo), (-oo, 0)]
    assert [b.steps[-1].expr for b in w.branches] == [1, 0]
    (kink,) = w.kinks
    assert (kink.at, kink.left_slope, kink.right_slope, kink.slope) == (0, 0, 1, 0)


def test_a_wrong_step_is_caught():
    act = symdl.activation("sigmoid")
    region = Region(-oo, oo, False, False, act.definition)
    right = exp(-x) / (1 + exp(-x)) ** 2
    wrong = -exp(-x) / (1 + exp(-x)) ** 2  # the sign slip students make
    assert verify(right, right * 1, act, act.definition, region, {}) == "sympy"
    with pytest.raises(DerivationError, match="does not follow"):
        verify(right, wrong, act, act.definition, region, {})


def test_a_wrong_rule_stops_the_derivation(monkeypatch):
    """If the chain rule forgot the inner derivative, the engine refuses to print the working."""

    def forgetful_power_rule(expr, var):
        base, power = expr.as_base_exp()
        return Mul(power, base ** (power - 1), evaluate=False)

    steps._working.cache_clear()
    monkeypatch.setenv("SYMDL_NO_CACHE", "1")  # worked here, not read from the derivation cache
    monkeypatch.setitem(steps.RULES, "power", forgetful_power_rule)
    try:
        with pytest.raises(DerivationError, match="sigmoid"):
            working("sigmoid")
    finally:
        steps._working.cache_clear()


def test_numeric_check_where_sympy_gives_up():
    """An identity SymPy does not simplify is checked at 40 digits; a false one is still refused."""
    act = symdl.activation("sigmoid")
    positive = Region(S(0), oo, False, False, x)
    assert verify(atan(x) + atan(1 / x), pi / 2, act, x, positive, {}) == "40 digits"
    with pytest.raises(DerivationError):
        verify(atan(x) + atan(1 / x), pi / 2 + Rational(1, 10**20), act, x, positive, {})


@pytest.mark.parametrize("name", VECTOR)
def test_vector_working_ends_in_the_outputs(name):
    (branch,) = working(name).branches
    assert branch.steps[-1].rule == "name"
    assert branch.steps[-1].expr.has(steps.Output)


def test_derivative_cases_say_where_pytorch_value_is_used():
    alpha = Symbol("alpha", positive=True)
    rows = derivative_cases(symdl.derive("leaky_relu"))
    assert [(r.expr, len(r.kinks)) for r in rows] == [(1, 0), (alpha, 0), (alpha, 1)]
    rows = derivative_cases(symdl.derive("leaky_relu"), shown=[alpha])
    assert [(r.expr, len(r.kinks)) for r in rows] == [(1, 0), (Rational(1, 100), 0), (Rational(1, 100), 1)]
    assert rows[-1].kinks[0].at == 0


def test_elu_join_is_noted_only_symbolically():
    """At alpha = 1 ELU is differentiable at 0, but not for other alpha: the working says so."""
    w = working("elu")
    assert not w.kinks
    (join,) = w.joins
    alpha = Symbol("alpha", positive=True)
    assert (join.at, join.left_slope, join.right_slope) == (0, alpha, 1)
    assert not working("elu", shown=[alpha]).joins
