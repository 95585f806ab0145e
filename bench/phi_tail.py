"""The table of ``symdl.ufuncs.numpy_ndtr``: Chebyshev series of the normal CDF's left tail.

Run:  python bench/phi_tail.py        (prints the table; tests/test_phi.py proves the one in
symdl/ufuncs.py is what this prints)

For x < -1/2, Phi(x) = exp(-x^2/2) R(t), t = -x, where R(t) = Phi(-t) e^(t^2/2) (the Mills ratio
over sqrt(2 pi)) is smooth and slowly varying.  R is given piecewise as Chebyshev series: on
[lo, hi] in s = (2t - lo - hi)/(hi - lo), and from ``TAIL`` on as R(t) = h(u)/t in u = 1/t^2,
s = 2 u TAIL^2 - 1, each written out in powers of s for Horner's rule.  Each series is cut
where its Chebyshev coefficients fall below 2^-60 of the first; the coefficients are computed at
60 digits by mpmath (``mpmath.ncdf``) and converted to powers of s there, then rounded once.
"""

from __future__ import annotations

import mpmath

PIECES = ((0.5, 1.0), (1.0, 2.0), (2.0, 3.0), (3.0, 4.5), (4.5, 6.5))
TAIL = 6.5
_SAMPLES = 40
_CUT = mpmath.mpf(2) ** -60


def _mills(t: mpmath.mpf) -> mpmath.mpf:
    return mpmath.ncdf(-t) * mpmath.exp(t * t / 2)


def _tail(u: mpmath.mpf) -> mpmath.mpf:
    return _mills(1 / mpmath.sqrt(u)) / mpmath.sqrt(u) if u > 0 else mpmath.mpf(1)


def _chebyshev(f, a, b) -> tuple[float, ...]:
    a, b = mpmath.mpf(a), mpmath.mpf(b)
    angles = [mpmath.pi * (j + mpmath.mpf(1) / 2) / _SAMPLES for j in range(_SAMPLES)]
    values = [f((a + b) / 2 + (b - a) / 2 * mpmath.cos(t)) for t in angles]
    c = [2 * mpmath.fsum(v * mpmath.cos(k * t) for v, t in zip(values, angles, strict=True)) / _SAMPLES
         for k in range(_SAMPLES)]  # fmt: skip
    c[0] /= 2
    last = max(k for k in range(_SAMPLES) if abs(c[k]) > abs(c[0]) * _CUT)
    return tuple(float(v) for v in _monomial(c[: last + 1]))


def _monomial(c: list[mpmath.mpf]) -> list[mpmath.mpf]:
    """The series sum c_k T_k(s) as the coefficients of 1, s, s^2, ... (for Horner's rule)."""
    out = [mpmath.mpf(0)] * len(c)
    previous, current = [mpmath.mpf(1)], [mpmath.mpf(0), mpmath.mpf(1)]  # T_0, T_1
    for k, ck in enumerate(c):
        t = previous if k == 0 else current
        if k >= 2:
            nxt = [mpmath.mpf(0)] + [2 * v for v in current]
            for m, v in enumerate(previous):
                nxt[m] -= v
            previous, current = current, nxt
            t = current
        for m, v in enumerate(t):
            out[m] += ck * v
    return out


def table() -> tuple[tuple[tuple[float, float, tuple[float, ...]], ...], tuple[float, tuple[float, ...]]]:
    """((lo, hi, coefficients) per piece, (TAIL, coefficients of h))."""
    with mpmath.workdps(60):
        pieces = tuple((lo, hi, _chebyshev(_mills, lo, hi)) for lo, hi in PIECES)
        tail = (TAIL, _chebyshev(_tail, 0, 1 / mpmath.mpf(TAIL) ** 2))
    return pieces, tail


def main() -> None:
    pieces, (start, tail) = table()
    print("_PHI_PIECES = (")
    for lo, hi, c in pieces:
        print(f"    ({lo!r}, {hi!r}, (")
        for v in c:
            print(f"        {v!r},")
        print("    )),")
    print(")")
    print(f"_PHI_TAIL = ({start!r}, (")
    for v in tail:
        print(f"    {v!r},")
    print("))")


if __name__ == "__main__":
    main()
