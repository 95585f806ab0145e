"""The cross-check engine: its reference is right, its criterion has teeth, its command reports."""

from __future__ import annotations

import json

import mpmath
import numpy as np
import pytest
from sympy import exp, lambdify, log

import symdl
from symdl.catalog import x
from symdl.numeric.check import accuracy, exact, grid, mp_callable, reference


def test_the_grid_is_the_issues():
    g = grid()
    assert len(g) == 20001 + 4000
    assert g.min() == -700 and g.max() == 700
    assert np.count_nonzero((g >= -50) & (g <= 50)) >= 20001
    assert np.abs(g[g != 0]).min() == pytest.approx(1e-300)


@pytest.mark.parametrize(
    "name, point, reference",
    [
        ("gelu", -30.0, lambda t: t * mpmath.ncdf(t)),  # 1 + erf(-21.2) needs 200 digits as written
        ("gelu", -38.9, lambda t: t * mpmath.ncdf(t)),  # 1e-329, beneath every float
        ("gelu", -45.0, lambda t: t * mpmath.ncdf(t)),  # 1e-442: the engine says 0
        ("softplus", -245.0, lambda t: mpmath.log1p(mpmath.exp(t))),  # e^x absorbed by 1 at 60 and 90 digits
        ("tanhshrink", -4.65675e-41, lambda t: t - mpmath.tanh(t)),  # x - tanh x cancels in every form
        ("silu", -700.0, lambda t: t / (1 + mpmath.exp(-t))),
    ],
)
def test_exact_resolves_the_hard_points(name, point, reference):
    act = symdl.activation(name)
    from symdl.numeric.stable import mpmath_function

    got = exact(mp_callable(act.definition, act.params), point, magnitude=mpmath_function(act.definition, act.params))
    with mpmath.workdps(2000):
        truth = reference(mpmath.mpf(point))
    # beneath every float the engine may say 0; otherwise it must be right to 40 digits
    assert abs(got - truth) <= max(abs(truth) * mpmath.mpf(10) ** -40, mpmath.mpf(10) ** -320 if got == 0 else 0)


def test_the_criterion_catches_a_naive_formula():
    """log(1 + exp(x)) loses everything for x << 0: the floor must fail it, by orders of magnitude."""
    act = symdl.activation("softplus")
    naive = lambdify(x, log(1 + exp(x)), modules="numpy")
    ref = reference(act.definition, act.params, np.linspace(-50, -30, 41))
    with np.errstate(all="ignore"):
        result = accuracy("naive softplus", naive, ref, np.dtype(np.float64))
    assert not result.passed and result.worst_ratio > 1e10


def test_the_criterion_allows_what_rounding_the_input_costs():
    """GELU deep in its tail is ill-conditioned (kappa ~ x^2): gelu of the neighbouring float, what rounding x
    by one ulp costs, is hundreds of ulps off gelu(x), and the floor allows it."""
    act = symdl.activation("gelu")
    ref = reference(act.definition, act.params, np.linspace(-35, -20, 31))
    assert ref.kappa.min() > 300
    compiled = symdl.numpy_function("gelu")
    assert accuracy("gelu", compiled, ref, np.dtype(np.float64)).passed
    neighbour = accuracy("gelu, x one ulp off", lambda v: compiled(np.nextafter(v, 0)), ref, np.dtype(np.float64))
    assert neighbour.passed and neighbour.max_ulp > 100


@pytest.mark.parametrize(
    ("dtype", "tiny", "below", "above"),
    [
        # softplus(x) ~ e^x: e^-750 ~ 2e-326 (beneath every float), e^-720 ~ 2e-313 (subnormal); e^-680 ~ 5e-296
        (np.float64, 1e-300, [-750.0, -720.0], -680.0),
        # e^-80 ~ 2e-35, e^-75 ~ 3e-33, below float32's absolute 5e-31; e^-68 ~ 3e-30
        (np.float32, 5e-31, [-80.0, -75.0], -68.0),
    ],
    ids=["float64", "float32"],
)
def test_tiny_exact_values_have_an_absolute_tolerance(dtype, tiny, below, above):
    """Where the exact value is below the dtype's tiny, an absolute error up to tiny is right, however many ulps
    that is (0 for e^-720 is ~4e10 ulps off); a little more is not, and above tiny an underflowed 0 is not."""
    act = symdl.activation("softplus")
    ref = reference(act.definition, act.params, np.array(below))
    assert np.all(np.abs(ref.hi) < tiny)

    def constant(value):
        return lambda t: np.full(t.shape, value, dtype=dtype)

    assert accuracy("underflows to 0", constant(0.0), ref, np.dtype(dtype)).passed
    assert accuracy("half of tiny", constant(tiny / 2), ref, np.dtype(dtype)).passed
    wrong = accuracy("ten times tiny", constant(tiny * 10), ref, np.dtype(dtype))
    assert not wrong.passed and wrong.worst_ratio == pytest.approx(10, rel=1e-3)
    above_tiny = reference(act.definition, act.params, np.array([above]))
    assert abs(above_tiny.hi[0]) > tiny
    assert not accuracy("underflows to 0", constant(0.0), above_tiny, np.dtype(dtype)).passed


def test_check_reports_every_part():
    report = symdl.numeric.check.check("elu", stride=25)
    assert report.passed
    assert {a.dtype for a in report.accuracy} == {"float64", "float32"}
    assert [c.name for c in report.checks] == ["f' vs central difference", "output form g(f) = f'", "kink values"]


def test_check_command_json_and_exit_status(capsys):
    from symdl.cli import main

    main(["check", "--only", "relu,softsign", "--quick", "--json", "--jobs", "1"])  # returns: status 0
    data = json.loads(capsys.readouterr().out)
    assert [d["activation"] for d in data] == ["relu", "softsign"] and all(d["passed"] for d in data)


def test_check_command_fails_loudly_on_unknown_names(capsys):
    from symdl.cli import main

    with pytest.raises(SystemExit) as done:
        main(["check", "--only", "sigmod"])
    assert done.value.code == 2
    assert "did you mean sigmoid?" in capsys.readouterr().err


def test_vector_check_reports_every_part():
    report = symdl.numeric.check.check("softmax", stride=25)
    assert report.passed
    assert [c.name for c in report.checks] == ["Jacobian vs central difference", "output form g(f) = J", "kink values"]


def test_vector_checks_catch_a_wrong_jacobian(monkeypatch):
    # s_i (1 - s_j): the delta dropped from the diagonal's partner, a classic slip on slides.
    from sympy import Sum

    import symdl.numeric.check as checks
    from symdl.catalog import i, j, k, n, xs
    from symdl.engine.calculus import Derivation

    right = symdl.derive("softmax")
    s = lambda m: exp(xs[m]) / Sum(exp(xs[k]), (k, 1, n))
    # The same derivation with the Kronecker delta dropped from its Jacobian (every other fact as derived):
    # a Derivation computes its facts on first use and keeps them, so the wrong one is set in their place.
    wrong = Derivation(right.activation, right.values)
    wrong.__dict__.update(derivative=s(i) * (1 - s(j)), _output=right._output)
    monkeypatch.setattr(checks, "derive", lambda act, *rest: wrong)
    checks._explicit.cache_clear()
    try:
        act = symdl.activation("softmax")
        assert not checks.jacobian_vs_difference(act).passed
        assert not checks.vector_output_form_vs_jacobian(act).passed
    finally:
        checks._explicit.cache_clear()
