"""Compiled functions take what a student passes them: scalars, lists, any shape and float type."""

from __future__ import annotations

import mpmath
import numpy as np
import pytest

import symdl
from tests.conftest import SCALAR, VECTOR


def _mp(name, derivative=False):
    act = symdl.activation(name)
    from tests.conftest import mp_function

    return mp_function(symdl.derivative(act) if derivative else act.definition, act)


@pytest.mark.parametrize("name", SCALAR)
@pytest.mark.parametrize("derivative", [False, True], ids=["f", "df"])
def test_shapes_scalars_lists_and_empty(name, derivative):
    f = symdl.numpy_function(name, derivative=derivative)
    grid = np.linspace(-4, 4, 24).reshape(2, 3, 4)
    out = f(grid)
    assert out.shape == (2, 3, 4) and out.dtype == np.float64
    flat = f(grid.ravel())
    assert np.array_equal(out.ravel(), flat)  # shape does not change values
    scalar = f(0.7)
    assert np.ndim(scalar) == 0 and isinstance(scalar, np.floating)
    assert f([0.7, -0.3]).shape == (2,)
    assert f(np.array(0.7)).shape == ()
    assert f(np.empty((0, 3))).shape == (0, 3)
    assert f([1, 2]).dtype == np.float64  # integers become float64


@pytest.mark.parametrize("name", SCALAR)
@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
def test_float_types_are_kept(name, dtype):
    x = np.linspace(-5, 5, 11).astype(dtype)
    for derivative in (False, True):
        out = symdl.numpy_function(name, derivative=derivative)(x)
        assert out.dtype == dtype


@pytest.mark.parametrize("name", SCALAR)
@pytest.mark.parametrize("derivative", [False, True], ids=["f", "df"])
def test_nan_propagates(name, derivative):
    out = symdl.numpy_function(name, derivative=derivative)(np.array([np.nan, 1.0, np.nan]))
    assert np.isnan(out[0]) and np.isnan(out[2]) and np.isfinite(out[1])


@pytest.mark.parametrize("name", SCALAR)
@pytest.mark.parametrize("derivative", [False, True], ids=["f", "df"])
def test_infinities_give_the_limits(name, derivative):
    """f(+-inf) is lim f(x), x -> +-inf, as SymPy's limit finds it on the declaration (or derivative)."""
    from sympy import Piecewise, limit, oo, piecewise_fold

    act = symdl.activation(name)
    expr = symdl.derivative(act) if derivative else act.definition
    expr = piecewise_fold(expr.subs(act.params).rewrite(Piecewise))
    got = symdl.numpy_function(name, derivative=derivative)(np.array([-np.inf, np.inf]))
    for value, side in zip(got, (-oo, oo), strict=True):
        branch = expr
        if isinstance(expr, Piecewise):  # the branch that holds far out on this side
            branch = next(e for e, c in expr.args if c.subs(symdl.activation(name).x, side * 10**9) == True)  # noqa: E712
        expected = limit(branch, act.x, side)
        assert value == pytest.approx(float(expected), abs=1e-300, rel=1e-15)


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
@pytest.mark.parametrize("name", SCALAR)
def test_extreme_finite_inputs_never_warn_or_nan(name, dtype):
    """+-max, +-1e308 (float64) and the like: no warning (errors here), no NaN, and inf only where the
    exact value is beyond the float range (SELU at the float's maximum)."""
    info = np.finfo(dtype)
    big = float(info.max)
    mags = [big, big / 2, *(10.0**k for k in (308, 300, 200, 100, 38, 20, 10, 4) if 10.0**k < big)]
    x = np.array([*mags, *(-m for m in mags), float(info.tiny), -float(info.tiny), 0.0], dtype=dtype)
    for derivative in (False, True):
        out = symdl.numpy_function(name, derivative=derivative)(x)
        assert not np.isnan(out).any()
        reference = _mp(name, derivative)
        for point, value in zip(x, out, strict=True):
            if np.isinf(value):
                with mpmath.workdps(30):
                    assert abs(reference(mpmath.mpf(float(point)))) > float(info.max)


@pytest.mark.parametrize("name", VECTOR)
def test_vector_functions_along_an_axis(name):
    f, jac = symdl.numpy_function(name), symdl.numpy_function(name, derivative=True)
    x = np.arange(24.0).reshape(2, 3, 4) / 7
    last = f(x)
    assert last.shape == x.shape
    first = f(x, axis=0)
    assert np.allclose(np.moveaxis(first, 0, -1), f(np.moveaxis(x, 0, -1)), rtol=0, atol=1e-15)
    assert jac(x).shape == (2, 3, 4, 4)
    assert f(x.astype(np.float32)).dtype == np.float32
    assert f(np.empty((0, 4))).shape == (0, 4)
    with pytest.raises(symdl.SymdlError, match="acts on vectors"):
        f(1.0)


def test_softmax_of_huge_equal_logits_is_uniform():
    """Naive exp(x)/sum(exp(x)) gives NaN for (1000, 1000, 1000)."""
    out = symdl.numpy_function("softmax")(np.array([1000.0, 1000.0, 1000.0]))
    assert np.array_equal(out, np.full(3, 1 / 3))


def test_softmax_limits_with_infinite_logits():
    sm = symdl.numpy_function("softmax")
    assert np.array_equal(sm(np.array([np.inf, np.inf, 0.0])), [0.5, 0.5, 0.0])
    assert np.array_equal(sm(np.array([-np.inf, 0.0, 0.0])), [0.0, 0.5, 0.5])
    assert np.isnan(sm(np.array([np.nan, 0.0]))).all()


def test_parameters_are_keywords_with_defaults():
    elu = symdl.numpy_function("elu")
    assert elu(-1.0) == pytest.approx(np.expm1(-1.0))
    assert elu(-1.0, alpha=0.5) == pytest.approx(0.5 * np.expm1(-1.0))
    with pytest.raises(symdl.BadParameter, match="has no parameter 'beta'"):
        elu(1.0, beta=2)
    with pytest.raises(symdl.BadParameter, match="finite"):
        elu(1.0, alpha=float("nan"))


def test_the_input_is_never_modified():
    x = np.linspace(-3, 3, 101)
    before = x.copy()
    for name in SCALAR + VECTOR:
        for derivative in (False, True):
            symdl.numpy_function(name, derivative=derivative)(x)
    assert np.array_equal(x, before)


def test_identity_returns_a_copy():
    x = np.ones(3)
    out = symdl.numpy_function("identity")(x)
    out[0] = 5
    assert x[0] == 1


def test_non_numbers_are_refused():
    with pytest.raises(symdl.SymdlError, match="expected real numbers"):
        symdl.numpy_function("relu")(np.array(["a", "b"]))


def test_expressions_compile_too():
    """An output form (in y) compiles like an activation; composed with f it gives f' where y(1 - y)
    does not cancel (|x| small), and the expression must be in one variable."""
    sigmoid, slope = symdl.numpy_function("sigmoid"), symdl.numpy_function("sigmoid", derivative=True)
    g = symdl.numpy_function(symdl.output_form("sigmoid"))
    x = np.linspace(-3, 3, 61)
    assert np.allclose(g(sigmoid(x)), slope(x), rtol=1e-14, atol=0)
    d_of_g = symdl.numpy_function(symdl.output_form("tanh"), derivative=True)  # d/dy (1 - y^2) = -2y
    assert d_of_g(0.5) == pytest.approx(-1.0)
    with pytest.raises(symdl.SymdlError, match="in x or y alone"):
        symdl.numpy_function(symdl.output_form("elu"))  # alpha is left in it


def _big_input(size: int, dtype=np.float64) -> np.ndarray:
    """Every kind of value a long array holds: the grid's range, extremes, zeros, inf and NaN."""
    rng = np.random.default_rng(7)
    x = (4 * rng.standard_normal(size)).astype(dtype)
    x[::97] = rng.uniform(-800, 800, x[::97].size).astype(dtype)
    big, tiny = np.finfo(dtype).max, np.finfo(dtype).tiny
    specials = np.array([0.0, -0.0, np.inf, -np.inf, np.nan, big, -big, tiny], dtype=dtype)
    x[5::1001] = specials[np.arange(x[5::1001].size) % len(specials)]
    return x


@pytest.mark.parametrize("name", SCALAR)
@pytest.mark.parametrize("derivative", [False, True], ids=["f", "df"])
def test_long_arrays_in_blocks_equal_short_ones(name, derivative):
    """Long inputs run a block at a time (symdl.numeric.compile._BLOCK); the blocks must stitch exactly."""
    from symdl.numeric.compile import _BLOCK

    f = symdl.numpy_function(name, derivative=derivative)
    params = {s.name: float(v) * 3 / 4 for s, v in symdl.activation(name).params.items()}  # not folded in
    for dtype, kwargs in ((np.float64, {}), (np.float32, {}), (np.float64, params)):
        x = _big_input(3 * _BLOCK + 17, dtype)
        before = x.copy()
        with np.errstate(all="raise"):
            whole = f(x.reshape(-1, 1), **kwargs).ravel()
        pieces = np.concatenate([f(x[s : s + 50_000], **kwargs) for s in range(0, x.size, 50_000)])
        assert whole.dtype == dtype and np.array_equal(whole, pieces, equal_nan=True)
        assert np.array_equal(x, before, equal_nan=True)


@pytest.mark.parametrize("name", VECTOR)
def test_many_rows_in_blocks_equal_few(name):
    from symdl.numeric.logsumexp import _BLOCK_ROWS

    f = symdl.numpy_function(name)
    x = _big_input((2 * _BLOCK_ROWS + 3) * 6).reshape(2, -1, 3)  # rows of 3, in a 3-d array
    whole = f(x).reshape(-1, 3)
    rows = x.reshape(-1, 3)
    pieces = np.concatenate([f(rows[s : s + _BLOCK_ROWS]) for s in range(0, len(rows), _BLOCK_ROWS)])
    assert np.array_equal(whole, pieces, equal_nan=True)
