"""The NumPy forms of the stable primitives of ``symdl.primitives`` (expit, softplus, Phi, hypot1, ...).

Each takes an array (and ``out=``) and is accurate for every input; the
compiled kernels call them by the names their records in ``symdl.functions``
give.  They live apart from the SymPy classes so that deriving and printing
never import NumPy.
"""

from __future__ import annotations

import numpy as np

# Built on SIMD exp (SciPy's ufuncs are several times slower).


def numpy_expit(u: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """1/(1 + exp(-u)): accurate for every u (where exp(-u) overflows the value underflows to 0 anyway)."""
    t = np.negative(u, out=out)
    np.exp(t, out=t)
    np.add(t, 1.0, out=t)
    return np.reciprocal(t, out=t)


def numpy_expit_neg(u: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """expit(-u) = 1/(1 + exp(u)), without computing -u first."""
    t = np.exp(u, out=out)
    np.add(t, 1.0, out=t)
    return np.reciprocal(t, out=t)


def numpy_softplus(u: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """log(1 + exp(u)), accurate for every u: log1p(exp(u)) is, until exp overflows; beyond
    u = 36 the exact value rounds to u itself (e^-u < ulp(u)/2 in float64 and float32), so
    softplus(u) = max(u, log1p(exp(min(u, 36))))."""
    t = np.minimum(u, 36.0)
    np.exp(t, out=t)
    np.log1p(t, out=t)
    return np.maximum(u, t, out=out if out is not None else t)


def numpy_log_expit(u: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """log(expit(u)) = -softplus(-u) = min(u, -log1p(exp(min(-u, 36))))."""
    t = np.negative(u)
    np.minimum(t, 36.0, out=t)
    np.exp(t, out=t)
    np.log1p(t, out=t)
    np.negative(t, out=t)
    return np.minimum(u, t, out=out if out is not None else t)


# The normal CDF's left tail: Phi(x) = exp(-x^2/2) R(-x) for x < -1/2, R(t) = Phi(-t) e^(t^2/2) in
# pieces, in powers of s (see bench/phi_tail.py, which prints this table; tests/test_phi.py proves it current).
# fmt: off
_PHI_PIECES = (  # (lo, hi, coefficients of 1, s, s^2, ...), s = (2t - lo - hi)/(hi - lo)
    (0.5, 1.0, (
        0.30023246233995093,
        -0.04344198341161737,
        0.005309578503284336,
        -0.0005731926646200903,
        5.609375795978775e-05,
        -5.061392384264551e-06,
        4.2614146651909345e-07,
        -3.377649983809672e-08,
        2.5375941221220105e-09,
        -1.816925431296139e-10,
        1.2452304108751859e-11,
        -8.200107919882931e-13,
        5.271513461787267e-14,
        -3.233253960619889e-15,
    )),
    (1.0, 2.0, (
        0.2057806669773947,
        -0.045135639967670324,
        0.008796718384297977,
        -0.0015621237345647056,
        0.00025689669878750193,
        -3.957168191002314e-05,
        5.757568879309237e-06,
        -7.963919745288424e-07,
        1.0526227233431661e-07,
        -1.3350141569893763e-08,
        1.6303122660721867e-09,
        -1.9225776768054636e-10,
        2.1929722978881498e-11,
        -2.42881892668832e-12,
        2.731863099813862e-13,
        -2.8647795997494693e-14,
    )),
    (2.0, 3.0, (
        0.1413313313805753,
        -0.022806975974997205,
        0.003412056438198663,
        -0.00047889114866694633,
        6.360004342897213e-05,
        -8.044546576583708e-06,
        9.74054606263183e-07,
        -1.1336691004652993e-07,
        1.2725626088833e-08,
        -1.3816383539463438e-09,
        1.4543720710819317e-10,
        -1.486659891430739e-11,
        1.4798067285305804e-12,
        -1.4848712869721384e-13,
        1.4076075888048601e-14,
    )),
    (3.0, 4.5, (
        0.10003920963545321,
        -0.01784643320136237,
        0.0030394810205553887,
        -0.0004966927684847796,
        7.818991567454927e-05,
        -1.1896108887447476e-05,
        1.7540035550336509e-06,
        -2.512037510141271e-07,
        3.501455020714692e-08,
        -4.7581846031368836e-09,
        6.313419283690045e-10,
        -8.189880588684631e-11,
        1.0383863190986056e-11,
        -1.291843630536779e-12,
        1.6708244315512721e-13,
        -2.0045118665776445e-14,
    )),
    (4.5, 6.5, (
        0.07034269402512788,
        -0.012057463263229295,
        0.00201332303868338,
        -0.0003280621834902412,
        5.224525737177324e-05,
        -8.142653589017817e-06,
        1.243443771934833e-06,
        -1.862446924139562e-07,
        2.7387245910815e-08,
        -3.9572027539053194e-09,
        5.622618438887321e-10,
        -7.861796440656667e-11,
        1.0823898504320595e-11,
        -1.4647633806673656e-12,
        1.958329664534576e-13,
        -2.7808076649156093e-14,
        3.627249161236039e-15,
    )),
)
_PHI_TAIL = (6.5, (  # from TAIL on: R(t) = h(s)/t, s = 2 TAIL^2/t^2 - 1
    0.3943795127702741,
    -0.004412823968688502,
    0.00014205810683667162,
    -7.326847194252212e-06,
    5.096334075930953e-07,
    -4.3986047245660114e-08,
    4.485606184112472e-09,
    -5.234004028316685e-10,
    6.83267922008723e-11,
    -9.812970434514851e-12,
    1.5207603103901695e-12,
    -2.5427863744004266e-13,
    5.265397200607445e-14,
    -1.0237996049149403e-14,
))
# fmt: on
_PHI_EDGES = (*(lo for lo, _, _ in _PHI_PIECES[1:]), _PHI_TAIL[0])
_PHI_BLOCK = 1 << 16
_SPLIT = 134217729.0  # 2^27 + 1: Dekker's split of a float64 into halves whose products are exact


def numpy_ndtr(u: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """The normal CDF Phi(u) within about 3 ulp for every u (SciPy's ndtr misses by up to 9 ulp near
    u = -1.3 and by 130 near u = -8, where Phi is well conditioned enough for that to show in
    x Phi(x) and its derivative).  For u >= -1/2, ndtr (within 1.6 ulp there).  For u < -1/2,
    t = -u: exp(-t^2/2) R(t), R by its Chebyshev pieces (``_PHI_PIECES``, ``_PHI_TAIL``) in Horner
    form, and t^2 = p + e split exactly (Dekker), so exp(-t^2/2) = exp(-p/2) (1 - e/2): the square's
    rounding, which costs t^2/2 ulp in the naive exp(-t*t/2), costs nothing."""
    from scipy.special import ndtr

    u = np.asarray(u)
    scalar, flat = u.ndim == 0, np.atleast_1d(u)
    result = np.empty(flat.shape, np.result_type(flat, np.float32)) if out is None else np.atleast_1d(out)
    flat = flat.astype(np.float64, copy=False)  # computed in float64 whatever the input
    if flat.ndim == 1 and flat.size > 2 * _PHI_BLOCK:  # a block at a time: its temporaries stay in cache
        for start in range(0, flat.size, _PHI_BLOCK):
            part = slice(start, start + _PHI_BLOCK)
            result[part] = numpy_ndtr(flat[part].copy())
        return result
    tail = flat < -0.5
    left, right = np.flatnonzero(tail), np.flatnonzero(~tail)  # NaN goes right, to ndtr
    t = np.negative(flat[left])
    result[right] = ndtr(flat[right])
    if left.size:
        np.minimum(t, 40.0, out=t)  # Phi(-40) is below every float: no square to overflow
        piece = np.zeros(t.shape, np.uint8)
        for edge in _PHI_EDGES:
            piece += t >= edge
        order = np.argsort(piece, kind="stable")
        t = t[order]
        ends = np.searchsorted(piece[order], np.arange(len(_PHI_PIECES) + 2))
        r = np.empty(t.shape)
        for k, (lo, hi, c) in enumerate((*_PHI_PIECES, (_PHI_TAIL[0], np.inf, _PHI_TAIL[1]))):
            part = slice(ends[k], ends[k + 1])
            if part.start == part.stop:
                continue
            s = np.copy(t[part])
            if hi == np.inf:  # the tail, in 1/t^2
                np.multiply(s, s, out=s)
                np.divide(2.0 * lo * lo, s, out=s)
            else:
                np.multiply(s, 2.0 / (hi - lo), out=s)
            np.subtract(s, 1.0 if hi == np.inf else (lo + hi) / (hi - lo), out=s)
            h = r[part]
            h.fill(c[-1])
            for ck in c[-2::-1]:
                np.multiply(h, s, out=h)
                np.add(h, ck, out=h)
            if hi == np.inf:
                np.divide(h, t[part], out=h)
        p = t * t
        big = t * _SPLIT
        high = big - (big - t)
        low = np.subtract(t, high, out=t)
        e = high * high
        e -= p
        high *= 2.0
        high *= low
        e += high
        low *= low
        e += low  # t^2 - p, exactly
        e *= -0.5
        e *= r
        r += e  # R (1 - e/2)
        p *= -0.5
        np.exp(p, out=p)
        p *= r
        result[left[order]] = p
    return result[0] if scalar else result


_HYPOT_FAR = 2.0**28  # |u| beyond: sqrt(1 + u^2) = |u| (1 + u^-2/2 + ...) rounds to |u| (from 2^26 on)


def numpy_hypot1(u: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """sqrt(1 + u^2) = max(sqrt(1 + min(|u|, 2^28)^2), |u|): within an ulp, no square to overflow, and
    eight times faster than libm's hypot(u, 1)."""
    t = np.absolute(u, out=out)
    scalar, t = t.ndim == 0, np.atleast_1d(t)
    s = np.minimum(t, _HYPOT_FAR)
    np.multiply(s, s, out=s)
    np.add(s, 1.0, out=s)
    np.sqrt(s, out=s)
    np.maximum(s, t, out=t)
    return t[0] if scalar else t


def numpy_log1p_sq(u: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """log(1 + u^2) = log1p(u^2) while u^2 is a float, 2 log|u| beyond: there log(1 + u^2) is
    2 log|u| + log1p(u^-2), and u^-2 (below 1e-307) is far below the ulp of 2 log|u| (about 700)."""
    t = np.absolute(u, out=out)
    scalar, t = t.ndim == 0, np.atleast_1d(t)
    safe = np.sqrt(np.finfo(t.dtype).max) / 4  # float64: 3.4e153
    far = np.flatnonzero(t > safe)
    beyond = t[far]
    np.minimum(t, safe, out=t)
    np.multiply(t, t, out=t)
    np.log1p(t, out=t)
    if far.size:
        t[far] = 2.0 * np.log(beyond)
    return t[0] if scalar else t


_COSH_FAR = 64.0  # |u| beyond: log(cosh u) = |u| - log 2 + log1p(e^-2|u|), and e^-128 is below every ulp


def numpy_log_cosh(u: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """log(cosh u) = log1p(2 sinh(|u|/2)^2) for |u| <= 64 (cosh u - 1 without cancelling), |u| - log 2 beyond."""
    t = np.absolute(u, out=out)
    scalar, t = t.ndim == 0, np.atleast_1d(t)
    far = np.flatnonzero(t > _COSH_FAR)
    beyond = t[far]
    np.minimum(t, _COSH_FAR, out=t)
    np.multiply(t, 0.5, out=t)
    np.sinh(t, out=t)
    np.multiply(t, t, out=t)
    np.multiply(t, 2.0, out=t)
    np.log1p(t, out=t)
    if far.size:
        t[far] = beyond - np.log(2.0)
    return t[0] if scalar else t


__all__ = [
    "numpy_expit",
    "numpy_expit_neg",
    "numpy_hypot1",
    "numpy_log1p_sq",
    "numpy_log_cosh",
    "numpy_log_expit",
    "numpy_ndtr",
    "numpy_softplus",
]
