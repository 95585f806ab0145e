"""A dense sweep of every scalar f and f' against an independent rigorous reference (not CI).

Run:  python bench/dense_sweep.py [--n 1000000] [--only NAMES] [--jobs 2] [--seed 14]
      (needs the bench extra: pip install -e ".[bench]", for python-flint)

The points are ``symdl check --dense``'s (``symdl.numeric.check.dense_points``: half log-uniform
magnitudes in [1e-300, 700] with either sign, half uniform in [-50, 50]), in float64 and rounded to
float32.  The floor is symdl check's: |computed - exact| <= 4 (1 + kappa) ulp, kappa = |x g'/g|,
an absolute 1e-300 (float32: 5e-31) below that.  For each function and dtype it prints the worst
ratio error / allowed and where.

The reference is not mpmath (20 us to 2 ms a point: 10^6 points of the catalogue would take days
here) but FLINT's arb ball arithmetic, through python-flint: the expression as written (each branch
of a piecewise function on the points of its own region), evaluated on an exact input, gives a
ball that provably holds the true value; the precision is doubled (from 128 bits) until the
ball's radius is below 2^-70 of its midpoint (a cancellation such as 1 + erf(x) at x = -26 just
costs more bits).  kappa needs the slope g' only where the error exceeds 4 ulp (every kappa >= 0
allows that much) and its error / (4 ulp) exceeds the worst ratio so far, and is evaluated the same
way, to 2^-30.  arb is independent of the code under test (no NumPy, SciPy or mpmath),
so a bug shared by the compiler and the reference is not hidden.
"""

from __future__ import annotations

import argparse
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from fractions import Fraction

import numpy as np

_MAX_PREC = 1 << 14


def _arb_function(expr, x):
    """An evaluator of a SymPy expression in x on arb balls (the functions the catalogue's branches use)."""
    import sympy
    from flint import arb

    def build(e):
        if e == x:
            return lambda v: v
        if e.is_Integer or e.is_Rational:
            n, d = int(e.p), int(e.q)
            return lambda v: arb(n) / d
        if e == sympy.pi:
            return lambda v: arb.pi()
        if e == sympy.E:
            return lambda v: arb(1).exp()
        if e.is_Add or e.is_Mul:
            parts = [build(a) for a in e.args]
            if e.is_Add:

                def add(v):
                    total = parts[0](v)
                    for p in parts[1:]:
                        total = total + p(v)
                    return total

                return add

            def mul(v):
                total = parts[0](v)
                for p in parts[1:]:
                    total = total * p(v)
                return total

            return mul
        if e.is_Pow:
            base, power = build(e.base), e.exp
            if power.is_Integer:
                k = int(power)
                return (lambda v: base(v) ** k) if k >= 0 else (lambda v: 1 / base(v) ** (-k))
            if power == sympy.Rational(1, 2):
                return lambda v: base(v).sqrt()
            if power == sympy.Rational(-1, 2):
                return lambda v: 1 / base(v).sqrt()
            exponent = build(power)
            return lambda v: base(v) ** exponent(v)
        unary = {"exp": "exp", "log": "log", "tanh": "tanh", "atan": "atan", "erf": "erf", "erfc": "erfc",
                 "cosh": "cosh", "sinh": "sinh", "Abs": "__abs__"}  # fmt: skip
        name = type(e).__name__
        if name in unary:
            (arg,) = (build(a) for a in e.args)
            method = unary[name]
            return lambda v: getattr(arg(v), method)()
        raise NotImplementedError(f"no arb form for {name}")

    return build(expr)


def _settled(function, point: float, relative_bits: int):
    """The ball of function(point), precision doubled until its radius is below 2^-bits of its size."""
    from flint import arb, ctx

    prec = 128
    while True:
        ctx.prec = prec
        value = function(arb(point))
        if value.is_exact() or (value.rad() <= abs(value.mid()) * arb(2) ** -relative_bits):
            return value
        if prec >= _MAX_PREC:
            return value if value.contains(0) and value.rad() < arb(10) ** -330 else None
        prec *= 2


def _sweep(job):
    """Worst ratio of one compiled function on one dtype: (name, dtype, worst, at, points, seconds, unsettled)."""
    name, derivative, dtype, n, seed = job
    import symdl
    from symdl.engine.regions import regions
    from symdl.numeric.check import TINY, dense_points
    from symdl.numeric.forms import inside

    start = time.perf_counter()
    act = symdl.activation(name)
    expr = (symdl.derivative(act) if derivative else act.definition).subs(act.params)
    compiled = symdl.numpy_function(act, derivative=derivative)
    points = np.unique(dense_points(n, seed).astype(dtype).astype(np.float64))
    with np.errstate(all="ignore"):
        got = np.asarray(compiled(points.astype(dtype)), dtype=np.float64)
    owner = np.full(points.shape, -1)
    regs = regions(expr, act.x, {})
    for k, region in enumerate(regs):
        where = region.interval({})
        mask = (points == float(region.lo)) if region.is_point else inside(where, points)
        owner[(owner < 0) & mask] = k
    worst, at, unsettled = 0.0, float("nan"), 0
    tiny = TINY[np.dtype(dtype)]
    big = float(np.finfo(dtype).max)
    for k, region in enumerate(regs):
        value_of = _arb_function(region.expr, act.x)
        slope_of = _arb_function(region.expr.diff(act.x), act.x) if region.expr.has(act.x) else None
        for m in np.flatnonzero(owner == k):
            t = float(points[m])
            ball = _settled(value_of, t, 70)
            if ball is None:
                unsettled += 1
                continue
            exact = _fraction(ball.mid())
            hi = float(exact)
            if abs(hi) > big:
                continue  # beyond the dtype's range: inf is right
            if not np.isfinite(got[m]):
                worst, at = float("inf"), t
                continue
            error = abs(Fraction(float(got[m])) - exact)
            ulp = float(np.spacing(np.abs(np.asarray(hi, dtype=dtype))))
            if abs(hi) < tiny:
                allowed = max(4 * ulp, tiny)
            elif error <= 4 * Fraction(ulp) * Fraction(worst):
                continue  # below the worst so far whatever kappa is (kappa >= 0)
            else:
                slope = _settled(slope_of, t, 30) if slope_of is not None else None
                kappa = abs(t * _float(slope) / hi) if slope is not None and hi != 0 else 0.0
                allowed = 4 * (1 + kappa) * ulp
            ratio = float(error / Fraction(allowed))
            if ratio > worst:
                worst, at = ratio, t
    return name + ("'" if derivative else ""), dtype, worst, at, len(points), time.perf_counter() - start, unsettled


def _fraction(value) -> Fraction:
    man, exp = value.man_exp()
    man, exp = int(man), int(exp)
    return Fraction(man * 2**exp) if exp >= 0 else Fraction(man, 2 ** (-exp))


def _float(ball) -> float:
    return float(_fraction(ball.mid()))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=float, default=1e6, help="points per function (default 10^6)")
    parser.add_argument("--only", default=None, help="comma-separated names")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--seed", type=int, default=None)
    args = parser.parse_args(argv)
    import symdl
    from symdl.numeric.check import DENSE_SEED

    seed = DENSE_SEED if args.seed is None else args.seed
    names = args.only.split(",") if args.only else [n for n in symdl.names() if not symdl.activation(n).is_vector]
    jobs = [(name, d, dtype, int(args.n), seed) for name in names for d in (False, True)
            for dtype in ("float64", "float32")]  # fmt: skip
    print(f"dense sweep: {int(args.n):,} points per function (seed {seed}), arb reference; ratio = error / allowed")
    print(f"{'function':<14}{'dtype':<9}{'worst ratio':>12}{'at x':>26}{'points':>10}{'seconds':>9}")
    start, worst = time.perf_counter(), 0.0
    with ProcessPoolExecutor(args.jobs) as pool:
        for name, dtype, ratio, at, count, seconds, unsettled in pool.map(_sweep, jobs):
            note = f"  ({unsettled} points without a settled reference)" if unsettled else ""
            print(f"{name:<14}{dtype:<9}{ratio:>12.3f}{at:>26.17g}{count:>10}{seconds:>9.0f}{note}", flush=True)
            worst = max(worst, ratio)
    print(f"worst ratio {worst:.3f} (floor 1); {time.perf_counter() - start:.0f} s")
    return 0 if worst <= 1 else 1


if __name__ == "__main__":
    sys.exit(main())
