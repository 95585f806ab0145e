"""The floors of the numeric compiler, over the whole catalogue.

On the grid (20,001 points evenly over [-50, 50], 2,000 log-spaced |x| in
[1e-300, 700], both signs), in float64 and float32, every compiled f and f'
is within 4 (1 + kappa) ulp of mpmath's value of the definition (of the
symbolic derivative), kappa the function's own condition number; below 1e-300
an absolute error of 1e-300 is allowed (TINY of symdl.numeric.check for float32).
Vector functions are checked the same way on random and far-apart logit vectors.
"""

from __future__ import annotations

import mpmath
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import symdl
from symdl.numeric.check import TINY, check_accuracy, exact, mp_callable
from symdl.numeric.stable import mpmath_function
from tests.conftest import SCALAR, VECTOR


@pytest.mark.slow
@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("derivative", [False, True], ids=["f", "df"])
@pytest.mark.parametrize("name", SCALAR + VECTOR)
def test_backward_stable_on_the_grid(name, derivative, dtype):
    """One test per function, f or f', and dtype: each computes its own references, so they spread over workers."""
    (result,) = check_accuracy(symdl.activation(name), dtypes=(dtype,), derivatives=(derivative,))
    assert result.dtype == dtype and result.points > 0
    assert result.nonfinite == 0, result
    assert result.worst_ratio <= 1, result


@pytest.mark.parametrize("name", SCALAR)
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(t=st.floats(min_value=-60, max_value=60, allow_nan=False, allow_infinity=False))
def test_backward_stable_at_random_points(name, t):
    act = symdl.activation(name)
    for derivative in (False, True):
        expr = symdl.derivative(act) if derivative else act.definition
        compiled = symdl.numpy_function(act, derivative=derivative)
        value = exact(mp_callable(expr, act.params), t, magnitude=mpmath_function(expr, act.params))
        got = float(compiled(t))
        if abs(value) < TINY[np.dtype(np.float64)]:
            assert abs(got - float(value)) <= TINY[np.dtype(np.float64)]
            continue
        slope = mpmath_function(expr.diff(act.x), act.params)
        with mpmath.workdps(30):
            kappa = float(abs(mpmath.mpf(t) * slope(mpmath.mpf(t)) / value))
        assert abs(got - float(value)) <= 4 * (1 + kappa) * np.spacing(abs(float(value))), (t, got, value)


WITH_PARAMETERS = [a.name for a in symdl.catalog.CATALOGUE if a.params and not a.is_vector]


@pytest.mark.parametrize("name", WITH_PARAMETERS)
def test_backward_stable_with_other_parameters(name):
    """The kernel that takes parameters (not the one with the defaults folded in), at 3/4 of the defaults."""
    from sympy import Rational

    from symdl.numeric.check import accuracy, grid, points_in, reference

    act = symdl.activation(name)
    values = {s: v * Rational(3, 4) for s, v in act.params.items()}
    keywords = {s.name: float(v) for s, v in values.items()}
    points = points_in(np.dtype(np.float64), grid()[::10])
    for derivative in (False, True):
        expr = symdl.derivative(act) if derivative else act.definition
        compiled = symdl.numpy_function(act, derivative=derivative)
        result = accuracy(
            name, lambda v, c=compiled: c(v, **keywords), reference(expr, values, points), np.dtype("float64")
        )
        assert result.passed, result
