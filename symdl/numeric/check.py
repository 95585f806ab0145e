"""The cross-check engine: every compiled function against its mathematics.

For each activation (scalar ones on the grid below; vector ones on random
vectors):
- compiled f  vs the definition evaluated by mpmath, in float64 and float32;
- compiled f' vs the symbolic derivative evaluated by mpmath, likewise;
- the symbolic derivative vs a central difference of the definition at 50 digits;
- the output form g(f(x)) vs f'(x), at 50 digits;
- the kink values of the compiled f' vs the convention the derivation records.

Accuracy is judged by backward stability: |computed - exact| <= 4 (1 + kappa) ulp(exact),
kappa = |x g'(x) / g(x)| the function's own condition number, ulp in the
input's precision; where |exact| is below ``TINY`` (deep underflow) an
absolute error up to ``TINY`` is correct.  The mpmath reference raises its
precision until two precisions agree, so it does not share the cancellation
of the naive formula it evaluates (1 + erf(x) at x = -26 needs 300 digits).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cache

import mpmath
import numpy as np
from sympy import Piecewise, symbols

from symdl.catalog import Activation, activation, i, j, n, xs
from symdl.engine.calculus import derive, y, ys
from symdl.engine.regions import as_piecewise
from symdl.functions import as_mpmath
from symdl.numeric.reference import DIGITS, TINY, Reference, exact, grid, mp_callable, points_in, reference

# --------------------------------------------------------------------------- accuracy


@dataclass(frozen=True)
class Accuracy:
    """Worst case of one compiled function on one dtype."""

    function: str
    dtype: str
    max_ulp: float  # largest error in ulps of the exact value (where that is above TINY)
    worst_ratio: float  # largest error / allowed error; <= 1 passes
    worst_x: float
    nonfinite: int  # NaN or inf outputs for finite input with a finite exact value
    points: int

    @property
    def passed(self) -> bool:
        return self.worst_ratio <= 1 and self.nonfinite == 0


def accuracy(name: str, compiled: Callable, ref: Reference, dtype: np.dtype) -> Accuracy:
    """Compare a compiled function with a reference at the reference's points (already in ``dtype``)."""
    dtype = np.dtype(dtype)
    with np.errstate(all="ignore"):
        got = np.asarray(compiled(ref.points.astype(dtype)), dtype=np.float64)
        exact_in_dtype = np.abs(ref.hi).astype(dtype)
        ulp = np.spacing(exact_in_dtype).astype(np.float64)
        error = np.abs((got - ref.hi) - ref.lo)
        allowed = 4 * (1 + ref.kappa) * ulp
        tiny = np.abs(ref.hi) < TINY[dtype]
        allowed = np.where(tiny, np.maximum(allowed, TINY[dtype]), allowed)
        representable = np.abs(ref.hi) <= float(np.finfo(dtype).max)
        nonfinite = ~np.isfinite(got) & representable
        ratio = np.where(representable & ~nonfinite, error / allowed, 0.0)
        ulps = np.where(representable & ~tiny & ~nonfinite, error / ulp, 0.0)
    worst = int(np.argmax(ratio))
    return Accuracy(
        name,
        dtype.name,
        float(ulps.max()),
        float(ratio[worst]),
        float(ref.points[worst]),
        int(nonfinite.sum()),
        len(ref.points),
    )


# --------------------------------------------------------------------------- the mathematics


@dataclass(frozen=True)
class Check:
    """One cross-check: what was compared, whether it agreed, and the worst disagreement."""

    name: str
    passed: bool
    detail: str


def _sample_points(act: Activation, count: int = 201) -> list[mpmath.mpf]:
    """Points in [-10, 10] away from every breakpoint (finite differences and branches are clean there)."""
    d = derive(act)
    cuts = [float(b.at.subs(d.valuemap)) for b in d.breakpoints]
    points = [mpmath.mpf(-10) + mpmath.mpf(20) * k / (count - 1) + mpmath.mpf(1) / 977 for k in range(count)]
    return [p for p in points if all(abs(p - c) > 1e-3 for c in cuts)]


def derivative_vs_difference(act: Activation) -> Check:
    """The symbolic derivative against a central difference of the definition, h = 1e-20, at 60 digits."""
    d = derive(act)
    f = mp_callable(act.definition, d.valuemap)
    df = mp_callable(d.derivative, d.valuemap)
    worst = mpmath.mpf(0)
    with mpmath.workdps(60):
        h = mpmath.mpf(10) ** -20
        for t in _sample_points(act):
            difference = (f(t + h) - f(t - h)) / (2 * h)
            worst = max(worst, abs(df(t) - difference) / (1 + abs(difference)))
    return Check("f' vs central difference", worst < mpmath.mpf(10) ** -30, f"max relative gap {mpmath.nstr(worst, 3)}")


def output_form_vs_derivative(act: Activation) -> Check:
    """g(f(x)) against f'(x) at 50 digits, where an output form exists."""
    d = derive(act)
    if d.output_form is None:
        return Check("output form", True, f"{d.output_form_note} (nothing to check)")
    f = mp_callable(act.definition, d.valuemap)
    df = mp_callable(d.derivative, d.valuemap)
    g = as_mpmath(y, as_piecewise(d.output_form.subs(d.valuemap)).rewrite(Piecewise))
    worst = mpmath.mpf(0)
    with mpmath.workdps(DIGITS):
        for t in _sample_points(act):
            worst = max(worst, abs(g(f(t)) - df(t)) / (1 + abs(df(t))))
    return Check("output form g(f) = f'", worst < mpmath.mpf(10) ** -40, f"max relative gap {mpmath.nstr(worst, 3)}")


def kink_values(act: Activation) -> Check:
    """The compiled f' at each breakpoint against the slope the derivation records (autograd's choice)."""
    from symdl.numeric.compile import numpy_function

    d = derive(act)
    if not d.breakpoints:
        return Check("kink values", True, "no breakpoints")
    compiled = numpy_function(act, derivative=True)
    wrong = []
    for b in d.breakpoints:
        at, used = float(b.at.subs(d.valuemap)), float(b.slope.subs(d.valuemap))
        got = float(compiled(at))
        if abs(got - used) > 4 * np.spacing(abs(used)):
            wrong.append(f"f'({at:g}) = {got:g}, not {used:g}")
    points = ", ".join(
        f"f'({float(b.at.subs(d.valuemap)):g}) = {float(b.slope.subs(d.valuemap)):g}" for b in d.breakpoints
    )
    return Check("kink values", not wrong, "; ".join(wrong) or points)


# --------------------------------------------------------------------------- vectors


def vectors(seed: int = 0) -> list[np.ndarray]:
    """Random logit vectors (n = 2, 3, 5, 10; spread 1, 10, 100) and far-apart ones."""
    rng = np.random.default_rng(seed)
    out = [spread * rng.standard_normal(n) for n in (2, 3, 5, 10) for spread in (1.0, 10.0, 100.0) for _ in range(8)]
    out += [np.array([1000.0, 1000.0, 1000.0]), np.array([-745.0, 0.0, 745.0]), np.array([0.0, 40.0, -40.0, 1e-9])]
    return out


def vector_accuracy(act: Activation, derivative: bool, dtype: str = "float64") -> Accuracy:
    """Compiled vector function (or its Jacobian) against mpmath on the definition with explicit n.

    kappa of each entry is sum_k |x_k d(entry)/dx_k| / |entry|, the componentwise condition number.
    """
    from symdl.numeric.compile import numpy_function

    compiled = numpy_function(act, derivative=derivative)
    dt = np.dtype(dtype)
    worst_ratio, worst_ulp, worst_x, bad, count = 0.0, 0.0, 0.0, 0, 0
    for v in vectors():
        v = v.astype(dt).astype(np.float64)
        got = np.asarray(compiled(v.astype(dt)), dtype=np.float64).ravel()
        exact, kappa = _vector_exact(act, derivative, tuple(v))
        ulp = np.spacing(np.abs(exact).astype(dt)).astype(np.float64)
        error = np.abs(got - exact)
        tiny = np.abs(exact) < TINY[dt]
        allowed = np.where(tiny, np.maximum(4 * (1 + kappa) * ulp, TINY[dt]), 4 * (1 + kappa) * ulp)
        bad += int((~np.isfinite(got)).sum())
        ratio = error / allowed
        count += len(exact)
        if ratio.max() > worst_ratio:
            worst_ratio, worst_x = float(ratio.max()), float(v[0])
        worst_ulp = max(worst_ulp, float(np.where(tiny, 0, error / ulp).max()))
    return Accuracy(compiled.name, dtype, worst_ulp, worst_ratio, worst_x, bad, count)


def _vector_exact(act: Activation, derivative: bool, v: tuple[float, ...]) -> tuple[np.ndarray, np.ndarray]:
    """Exact entries and their componentwise kappa (central differences).

    The precision doubles until two precisions 30 digits apart agree on every entry: the
    Jacobian's diagonal (1 - s_i) s_i cancels as written when s_i is within 1e-76 of 1.
    """
    function = _explicit(act, derivative, len(v))
    dps = 70
    while True:
        with mpmath.workdps(dps):
            low = function([mpmath.mpf(t) for t in v])
        with mpmath.workdps(dps + 30):
            values = function([mpmath.mpf(t) for t in v])
        settled = all(
            abs(a - b) <= abs(b) * mpmath.mpf(10) ** -40 and (b != 0 or dps >= 450)  # zeros: see ``exact``
            for a, b in zip(low, values, strict=True)
        )
        if settled or dps > 2000:
            break
        dps *= 2
    with mpmath.workdps(dps + 30):
        point = [mpmath.mpf(t) for t in v]
        sensitivity = [mpmath.mpf(0)] * len(values)
        for k, t in enumerate(point):
            h = mpmath.mpf(10) ** (-dps // 2) * max(1, abs(t))
            up = function([*point[:k], t + h, *point[k + 1 :]])
            down = function([*point[:k], t - h, *point[k + 1 :]])
            for e, (a, b) in enumerate(zip(up, down, strict=True)):
                sensitivity[e] += abs(t * (a - b) / (2 * h))
    exact = np.array([float(value) for value in values])
    pairs = zip(sensitivity, values, strict=True)
    kappa = np.array([float(s / abs(value)) if value != 0 else 0.0 for s, value in pairs])
    return exact, kappa


def _sample_vectors(count: int = 12) -> list[list[mpmath.mpf]]:
    """Logit vectors n = 2, 3, 5 in [-10, 10] for the 60-digit checks (exact binary fractions)."""
    rng = np.random.default_rng(1)
    draws = [np.round(rng.uniform(-10, 10, n), 6) for n in (2, 3, 5) for _ in range(count)]
    return [[mpmath.mpf(float(t)) for t in v] for v in draws]


def jacobian_vs_difference(act: Activation) -> Check:
    """The symbolic Jacobian against central differences of the definition, h = 1e-20, at 60 digits."""
    worst = mpmath.mpf(0)
    with mpmath.workdps(60):
        h = mpmath.mpf(10) ** -20
        for v in _sample_vectors():
            f, jac = _explicit(act, False, len(v)), _explicit(act, True, len(v))
            entries = jac(v)
            for col in range(len(v)):
                up = f([t + h if k == col else t for k, t in enumerate(v)])
                down = f([t - h if k == col else t for k, t in enumerate(v)])
                for row in range(len(v)):
                    difference = (up[row] - down[row]) / (2 * h)
                    worst = max(worst, abs(entries[row * len(v) + col] - difference) / (1 + abs(difference)))
    gap = f"max relative gap {mpmath.nstr(worst, 3)}"
    return Check("Jacobian vs central difference", worst < mpmath.mpf(10) ** -30, gap)


def vector_output_form_vs_jacobian(act: Activation) -> Check:
    """The output form (y_i, y_j the outputs) against the Jacobian, entry by entry, at 50 digits."""
    d = derive(act)
    form = d.output_form
    if form is None:
        return Check("output form", True, f"{d.output_form_note} (nothing to check)")
    g = as_mpmath((ys[i], ys[j], i, j), form.rewrite(Piecewise))
    worst = mpmath.mpf(0)
    with mpmath.workdps(DIGITS):
        for v in _sample_vectors():
            out, entries = _explicit(act, False, len(v))(v), _explicit(act, True, len(v))(v)
            for a in range(len(v)):
                for b in range(len(v)):
                    exact = entries[a * len(v) + b]
                    worst = max(worst, abs(g(out[a], out[b], a, b) - exact) / (1 + abs(exact)))
    return Check("output form g(f) = J", worst < mpmath.mpf(10) ** -40, f"max relative gap {mpmath.nstr(worst, 3)}")


@cache
def _explicit(act: Activation, derivative: bool, size: int) -> Callable:
    """The vector function (or its Jacobian, row-major) for n = size, as an mpmath function of a list."""
    names = symbols(f"v0:{size}", real=True)
    plain = {xs[m + 1]: names[m] for m in range(size)}
    if derivative:
        jac = derive(act).derivative
        entries = [jac.subs({i: a + 1, j: b + 1, n: size}).doit().subs(plain) for a in range(size) for b in range(size)]
    else:
        entries = [act.definition.subs({i: a + 1, n: size}).doit().subs(plain) for a in range(size)]
    compiled = as_mpmath(names, entries, cse=True)  # the sum of exponentials once, not once per entry
    return lambda point: compiled(*point)


# --------------------------------------------------------------------------- the report


@dataclass(frozen=True)
class Report:
    """All checks of one activation."""

    activation: str
    accuracy: tuple[Accuracy, ...] = ()
    checks: tuple[Check, ...] = field(default=())

    @property
    def passed(self) -> bool:
        return all(a.passed for a in self.accuracy) and all(c.passed for c in self.checks)


# --------------------------------------------------------------------------- denser than the grid

DENSE_SEED = 14  # symdl check --dense N: the same N points on every machine unless --seed says otherwise
_LOG_BINADES = (-997, 9)  # 2^-997 < 1e-300 and 700 < 2^10: the binades that hold [1e-300, 700]


def dense_points(count: int, seed: int = DENSE_SEED) -> np.ndarray:
    """``count`` random points for ``symdl check --dense``: the first half (rounded up) with magnitudes
    log-uniform from 1e-300 to 700 and a random sign, the rest uniform in [-50, 50].

    Bit for bit the same on every machine for one (count, seed): NumPy's PCG64 stream and its uniform
    doubles are specified, and a log-uniform magnitude is built without libm (a power of two drawn
    uniformly among the binades, times a mantissa uniform in [1, 2): log-uniform at the resolution of
    binades), then clipped to [1e-300, 700].
    """
    rng = np.random.default_rng(seed)
    logs = count - count // 2
    exponents = rng.integers(_LOG_BINADES[0], _LOG_BINADES[1], logs, endpoint=True)
    magnitudes = np.clip(np.ldexp(rng.uniform(1.0, 2.0, logs), exponents), 1e-300, 700.0)
    signs = np.where(rng.integers(0, 2, logs) == 1, 1.0, -1.0)
    return np.concatenate([signs * magnitudes, rng.uniform(-50.0, 50.0, count // 2)])


@cache
def _reference_for(
    act: Activation, derivative: bool, dtype: str, stride: int = 1, dense: int = 0, seed: int = DENSE_SEED
) -> Reference:
    expr = derive(act).derivative if derivative else act.definition
    points = grid()[::stride]
    if dense:
        points = np.concatenate([points, dense_points(dense, seed)])
    return reference(expr, act.params, points_in(np.dtype(dtype), points), floor=TINY[np.dtype(dtype)])


def check_accuracy(
    act: Activation,
    dtypes: Iterable[str] = ("float64", "float32"),
    stride: int = 1,
    dense: int = 0,
    seed: int = DENSE_SEED,
    derivatives: Iterable[bool] = (False, True),
) -> list[Accuracy]:
    """Accuracy of the compiled f and f' (``derivatives``: which) on the grid (every ``stride``-th point) in each
    dtype, plus ``dense`` random points (``dense_points``) for a scalar function; vector functions keep their
    vectors."""
    from symdl.numeric.compile import numpy_function

    results = []
    for derivative in derivatives:
        if act.is_vector:
            results += [vector_accuracy(act, derivative, dtype) for dtype in dtypes]
            continue
        compiled = numpy_function(act, derivative=derivative)
        for dtype in dtypes:
            ref = _reference_for(act, derivative, dtype, stride, dense, seed)
            results.append(accuracy(compiled.name, compiled, ref, np.dtype(dtype)))
    return results


def check(name: str | Activation, stride: int = 1, dense: int = 0, seed: int = DENSE_SEED) -> Report:
    """Every check of one activation (``stride`` > 1 thins the grid, for a quick look; ``dense`` adds
    that many random points, ``dense_points(dense, seed)``, to a scalar function's grid)."""
    act = activation(name)
    if act.is_vector:
        checks = [jacobian_vs_difference(act), vector_output_form_vs_jacobian(act), kink_values(act)]
    else:
        checks = [derivative_vs_difference(act), output_form_vs_derivative(act), kink_values(act)]
    return Report(act.name, tuple(check_accuracy(act, stride=stride, dense=dense, seed=seed)), tuple(checks))


__all__ = [
    "DENSE_SEED",
    "Accuracy",
    "Check",
    "Report",
    "check",
    "check_accuracy",
    "dense_points",
    "exact",
    "grid",
    "reference",
]
