"""The normal CDF of the compiled code (symdl.ufuncs.numpy_ndtr), and GELU where SciPy's ndtr was not enough.

A dense sweep found gelu' at 1.5 x its bound near x = -1.276 and gelu at 1.13 x near -1.351: there
Phi's condition number (about 2.4) is larger than GELU's (|1 - 2.4|, and 0.7 for gelu'), and
SciPy's ndtr spends what Phi's own kappa allows (up to 9 ulp).  Expected values are mpmath's.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import mpmath
import numpy as np
import pytest

import symdl
from symdl.numeric.check import accuracy, reference
from symdl.ufuncs import _PHI_PIECES, _PHI_TAIL, numpy_ndtr

ROOT = Path(__file__).resolve().parent.parent


def test_the_table_is_what_bench_phi_tail_prints():
    spec = importlib.util.spec_from_file_location("phi_tail", ROOT / "bench" / "phi_tail.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.table() == (_PHI_PIECES, _PHI_TAIL)


def test_ndtr_within_3_ulp_everywhere_phi_is_a_float():
    rng = np.random.default_rng(5)
    points = np.concatenate([rng.uniform(-38, 6, 3000), -np.geomspace(0.4, 38, 400), [-0.5, -1.0, -6.5, -4.5]])
    got = numpy_ndtr(points)
    with mpmath.workdps(40):
        truth = [mpmath.ncdf(mpmath.mpf(float(t))) for t in points]
    ulps = [float(abs(mpmath.mpf(float(g)) - v)) / np.spacing(float(v)) for g, v in zip(got, truth, strict=True)]
    assert max(ulps) <= 3.5, points[int(np.argmax(ulps))]


def test_ndtr_keeps_nan_limits_dtype_and_out():
    out = numpy_ndtr(np.array([np.nan, -np.inf, np.inf, -1e300, 1e300, -40.0]))
    assert np.isnan(out[0]) and list(out[1:]) == [0.0, 1.0, 0.0, 1.0, 0.0]
    assert numpy_ndtr(np.array([-1.3], dtype=np.float32)).dtype == np.float32
    x = 4 * np.random.default_rng(0).standard_normal(300_000)  # in blocks, in place
    expected = numpy_ndtr(x)
    assert np.array_equal(numpy_ndtr(x, out=x), expected)


# the worst points of the sweep that found it (float64), and Phi's far tail where ndtr was off by 130 ulp
WORST = [-1.2761055430783372, -1.238640753019356, -1.2390409396544895, -1.3511157978507318, -1.2612901264726784,
         -8.071, -3.3, -0.83]  # fmt: skip


@pytest.mark.parametrize("derivative", [False, True])
def test_gelu_within_its_bound_where_ndtr_was_not(derivative):
    act = symdl.activation("gelu")
    expr = symdl.derivative(act) if derivative else act.definition
    compiled = symdl.numpy_function(act, derivative=derivative)
    result = accuracy("gelu", compiled, reference(expr, act.params, np.array(WORST)), np.dtype(np.float64))
    assert result.passed, result
