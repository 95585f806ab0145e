"""Vector activations built on a sum of exponentials, compiled through log-sum-exp.

softmax, log-softmax and softmin are each f_i = F(x_i, S) with
S = sum_j exp(a x_j).  Such an f is shift invariant, so it is a function of
the logit difference D_i = a x_i - log S <= 0 alone; SymPy finds F(D)
(softmax: exp(D); log-softmax: D; softmin: exp(D) with a = -1) or says the
function is not of this kind.  The compiled code then never overflows:

    t = a x;  m = max(t);  E = exp(t - m);  s = sum(E);  D = t - m - log(s)

and exp(D) is read off as E / s, so the exponentials are computed once.  Rows
with +inf entries take the limit (the mass is shared by the +inf entries);
NaN propagates along its row.  The Jacobian comes from the output form
(softmax: y_i (delta_ij - y_j)) with y computed as above, as an array of shape
x.shape + (n,) along the last axis.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any

import numpy as np
from sympy import Expr, KroneckerDelta, Sum, Symbol, exp, expand_log, log, simplify

from symdl.catalog import Activation, i, j, xs
from symdl.engine.calculus import derive, ys
from symdl.errors import BadParameter, DerivationError, SymdlError

D = Symbol("D", real=True)


@dataclass(frozen=True)
class LogSumExpForm:
    """f_i = F(D), D = a x_i - log sum_j exp(a x_j)."""

    coefficient: float  # a
    component: Expr  # F(D)
    jacobian: Expr | None  # output form g(y_i, y_j, delta_ij), if any


@cache
def form(act: Activation) -> LogSumExpForm:
    """The log-sum-exp form of a vector declaration, or a DerivationError saying why there is none."""
    sums = list(act.definition.atoms(Sum))
    if len(sums) != 1 or not isinstance(sums[0].function, exp):
        raise DerivationError(f"{act.name}: not of the form F(x_i, sum_j exp(a x_j))")
    (total,) = sums
    exponent = total.function.args[0]
    a = exponent.coeff(xs[j])
    if (exponent - a * xs[j]).has(xs[j]) or not a.is_number or a == 0:
        raise DerivationError(f"{act.name}: the sum's exponent {exponent} is not a multiple of x_j")
    s = Symbol("S", positive=True)
    component = act.definition.subs(total, s).subs(xs[i], (D + log(s)) / a)
    component = simplify(expand_log(component, force=True))
    if component.has(s) or component.free_symbols - {D}:
        raise DerivationError(f"{act.name}: not shift invariant, so not a function of x_i - log-sum-exp")
    return LogSumExpForm(float(a), component, derive(act).output_form)


@dataclass(frozen=True)
class VectorFunction:
    """A compiled vector activation: ``f(x, axis=-1)``; with ``derivative`` the Jacobian (last axis)."""

    name: str
    form: LogSumExpForm
    derivative: bool
    params: tuple = ()

    def __call__(self, x_in: Any, axis: int = -1, **params: Any) -> Any:
        if params:
            raise BadParameter(f"{self.name} has no parameter {sorted(params)[0]!r} (it has no parameters)")
        array = np.asarray(x_in)
        if array.dtype.kind in "iub":
            array = array.astype(np.float64)
        elif array.dtype.kind != "f":
            raise SymdlError(f"{self.name}: expected real numbers, got an array of {array.dtype}")
        if array.ndim == 0:
            raise SymdlError(f"{self.name}: acts on vectors; got a scalar (pass a list or an array)")
        dtype = array.dtype
        work = np.moveaxis(array.astype(np.float64) if dtype != np.float64 else array, axis, -1)
        with np.errstate(over="ignore", under="ignore", invalid="ignore"):
            y = _evaluate(self.form, work)
            out = _jacobian(self.form, y) if self.derivative else np.moveaxis(y, -1, axis)
            return out.astype(dtype, copy=False)


# Below this |a x| no exp over- or underflows (to a subnormal): softmax needs no shift by the row maximum.
_SAFE = 700.0


# Rows per block: a block's temporaries stay in cache and are reused by the allocator
# (whole-array temporaries of 10^7 entries are fresh pages, and cost more than the arithmetic).
_BLOCK_ROWS = 4096


def _evaluate(f: LogSumExpForm, x: np.ndarray) -> np.ndarray:
    """f along the last axis, a block of rows at a time."""
    rows = x.reshape(-1, x.shape[-1]) if x.ndim != 2 and x.size else x
    if rows.ndim != 2 or rows.shape[0] <= _BLOCK_ROWS:
        return _evaluate_block(f, x)
    out = np.empty(rows.shape, dtype=np.float64)
    for start in range(0, rows.shape[0], _BLOCK_ROWS):
        out[start : start + _BLOCK_ROWS] = _evaluate_block(f, rows[start : start + _BLOCK_ROWS])
    return out.reshape(x.shape)


def _evaluate_block(f: LogSumExpForm, x: np.ndarray) -> np.ndarray:
    """f along the last axis.

    exp(D) (softmax, softmin) is E / s, accurate to a few ulps however it is
    shifted, so the row maximum (a slow reduction) is only subtracted when
    some |a x| is large enough for exp to overflow or underflow.  D itself
    (log-softmax) needs the shift: for the largest entry D = -log(1 + rest),
    tiny when that entry dominates, and computed as log1p of the sum of the
    other exponentials (log of the whole sum would cancel).
    """
    if x.shape[-1] == 0 or x.size == 0:
        return np.empty_like(x)
    t = np.multiply(x, f.coefficient) if f.coefficient != 1 else x
    softmax_like = f.component == exp(D)
    if softmax_like and t.min() >= -_SAFE and t.max() <= _SAFE:  # False for NaN: NaN keeps to its row below
        e = np.exp(t)
        np.divide(e, _row_sums(e), out=e)
        return e
    m = _row_max(t)
    infinite = np.isposinf(m)
    if infinite.any():  # the limit: the +inf entries share the mass
        t = np.where(infinite, np.where(np.isposinf(t), 0.0, -np.inf), t)
        m = np.where(infinite, 0.0, m)
    if softmax_like:
        e = np.subtract(t, m, out=t if t is not x else None)
        np.exp(e, out=e)
        np.divide(e, _row_sums(e), out=e)
        return e
    # exp of the shifted logits with the row maxima (e = 1) masked out, summed: the rest
    shifted = np.subtract(t, m, out=t if t is not x else None)
    others = shifted != 0
    e = np.exp(shifted)
    np.multiply(e, others, out=e)
    rest = _row_sums(e)
    n = t.shape[-1]
    if np.count_nonzero(others) != others.size // n * (n - 1):  # a tied maximum: add back all but one
        rest += (n - 1) - _row_counts(others)
    log_s = np.log1p(rest)
    if f.component == D:
        return np.subtract(shifted, log_s, out=shifted)
    return _lambdify_d(f.component)(shifted - log_s, np.exp(shifted - log_s))


def _row_counts(mask: np.ndarray) -> np.ndarray:
    """How many entries of each row are True, kept as an axis (einsum on bytes: no slow reduction)."""
    if mask.shape[-1] < 256:
        return np.einsum("...j->...", mask.view(np.uint8))[..., None].astype(np.float64)
    return np.einsum("...j->...", mask, dtype=np.float64)[..., None]


def _row_max(t: np.ndarray) -> np.ndarray:
    """Maximum over the last axis, kept as an axis; column by column for short rows (several times faster)."""
    if t.shape[-1] > 32:
        return np.max(t, axis=-1, keepdims=True)
    m = t[..., 0].copy()
    for column in range(1, t.shape[-1]):
        np.maximum(m, t[..., column], out=m)
    return m[..., None]


def _row_sums(e: np.ndarray) -> np.ndarray:
    """Sums over the last axis, kept as an axis (einsum is several times faster than sum here)."""
    return np.einsum("...j->...", e)[..., None]


@cache
def _lambdify_d(component: Expr) -> Callable:
    """F(D) as NumPy; exp(D) is read off as the ratio E/s already computed."""
    from sympy import lambdify

    ratio = Symbol("ratio")
    return lambdify((D, ratio), component.subs(exp(D), ratio), modules="numpy")


def _jacobian(f: LogSumExpForm, y: np.ndarray) -> np.ndarray:
    """The Jacobian from the output form, with delta_ij - p_j made stable on the diagonal.

    p (the softmax, or exp of the log-softmax) sums to 1, so 1 - p_i is the sum of
    the other p's.  Computed as 1 - p_i it is exact enough where p_i <= 1/2; for the
    one entry a row may have above 1/2 it is the sum of the others, which never
    cancels (1 - p_i would lose every digit for a dominant entry).
    """
    if f.jacobian is None:
        raise DerivationError("no output form for this vector function's Jacobian")
    form, uses_exp = _complement_form(f.jacobian)
    p = np.exp(y) if uses_exp else y
    n = p.shape[-1]
    small = p <= 0.5
    others = _row_sums(p * small)  # every row has at most one p above 1/2
    diagonal_values = np.where(small, 1.0 - p, others)
    complement = np.empty((*p.shape, n))
    np.negative(np.broadcast_to(p[..., None, :], complement.shape), out=complement)
    diagonal = np.arange(n)
    complement[..., diagonal, diagonal] = diagonal_values
    yi, yj = y[..., :, None], y[..., None, :]
    out = _lambdify_jacobian(form)(yi, yj, complement)
    return out if out.shape == complement.shape else np.array(np.broadcast_to(out, complement.shape))


_Q = Symbol("Q")  # delta_ij - p_j


def _complement_form(jacobian: Expr) -> tuple[Expr, bool]:
    """The output form with delta_ij - p_j as Q; whether p_j is exp(y_j) (log-softmax) or y_j."""
    delta = KroneckerDelta(i, j)
    for p, uses_exp in ((ys[j], False), (exp(ys[j]), True)):
        replaced = jacobian.subs(delta - p, _Q).subs(p - delta, -_Q)
        if not replaced.has(delta):
            return replaced, uses_exp
    raise DerivationError(f"cannot write {jacobian} with delta_ij - p_j")


@cache
def _lambdify_jacobian(form: Expr) -> Callable:
    from sympy import lambdify

    yi, yj = Symbol("yi"), Symbol("yj")
    return lambdify((yi, yj, _Q), form.xreplace({ys[i]: yi, ys[j]: yj}), modules="numpy")


@cache
def vector_function(act: Activation, derivative: bool = False) -> VectorFunction:
    name = f"{act.name}'" if derivative else act.name
    return VectorFunction(name, form(act), derivative)


__all__ = ["LogSumExpForm", "VectorFunction", "form", "vector_function"]
