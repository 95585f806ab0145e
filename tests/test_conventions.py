"""Kink claims that are true: symdl says "as in PyTorch" only where PyTorch's autograd was measured to do the same.

The oracle is PyTorch itself: ``MEASURED_CATALOGUE`` and ``MEASURED_PRIMITIVES`` are what
``bench/measure_torch_kinks.py`` printed (torch's own float64 autograd at each breakpoint), and every rule of
``symdl.engine.conventions``, every value symdl uses and every printed claim is checked against them.
"""

from __future__ import annotations

import math
import re

import pytest
from sympy import Heaviside, Rational, S, sign

import symdl
from symdl.catalog import CATALOGUE, x
from symdl.engine.conventions import (
    MEASURED_CATALOGUE,
    MEASURED_PRIMITIVES,
    MEASURED_WITH,
    TORCH,
    NoDerivative,
    autograd,
    claim,
)
from symdl.parse import parse
from symdl.render.latex import derivative, worked
from symdl.render.notation import Style
from tests.conftest import run_symdl

VERSION = f"torch {MEASURED_WITH}"


def _raised(measured: float | str) -> bool:
    return isinstance(measured, str) and measured.startswith("raises: ")


def _matches(value, measured: float | str) -> bool:
    """An exact value against autograd's float64: equal to rounding, NaN to NaN; None where autograd raised."""
    if _raised(measured):
        return value is None
    if value is None:
        return False
    if math.isnan(measured):
        return value is S.NaN
    return float(value) == pytest.approx(measured, rel=1e-15, abs=1e-300)


def _symbols(name: str, params: dict[str, str]) -> dict:
    act = symdl.activation(name)
    return {act.param(k).symbol: Rational(v) for k, v in params.items()}


CATALOGUE_IDS = [f"{n}{p or ''}@{at}" for n, p, _, at, _ in MEASURED_CATALOGUE]
PRIMITIVE_IDS = [f"{expr}@{at}" for _, expr, _, at, _ in MEASURED_PRIMITIVES]


# --------------------------------------------------------------------------- the table against PyTorch


@pytest.mark.parametrize("name, params, call, at, measured", MEASURED_CATALOGUE, ids=CATALOGUE_IDS)
def test_every_catalogue_rule_is_what_torch_measured(name, params, call, at, measured):
    values = {**symdl.activation(name).params, **_symbols(name, params)}
    found = [g for p, g in TORCH[name].at if p.subs(values) == Rational(at)]
    assert len(found) == 1, f"{name}: no rule at x = {at}"
    assert _matches(None if found[0] is None else found[0].subs(values), measured)


@pytest.mark.parametrize("name, params, call, at, measured", MEASURED_CATALOGUE, ids=CATALOGUE_IDS)
def test_symdls_value_at_each_catalogue_breakpoint_is_torchs(name, params, call, at, measured):
    """The value symdl derives (the slope of the branch selected there) against autograd's; where autograd has
    none (torch.heaviside), symdl's value is its own and the claim says PyTorch has none."""
    d = symdl.derive(name, params)
    (b,) = [b for b in d.breakpoints if b.at.subs(d.valuemap) == Rational(at)]
    said = claim(d.activation, b, d.valuemap)
    if _raised(measured):
        assert said.kind == "none"
    else:
        assert _matches(b.slope.subs(d.valuemap), measured)
        assert said.kind == "same"


@pytest.mark.parametrize("primitive, expression, call, at, measured", MEASURED_PRIMITIVES, ids=PRIMITIVE_IDS)
def test_autograd_on_a_users_expression_is_what_torch_measured(primitive, expression, call, at, measured):
    expr = {"sign(x)": sign(x)}.get(expression) or parse(expression)  # the parser has no sign: SymPy's
    try:
        found = autograd(expr, Rational(at))
    except NoDerivative:
        found = None
    assert _matches(found, measured)


def test_sympys_heaviside_has_no_derivative_as_torchs():
    (row,) = [r for r in MEASURED_PRIMITIVES if r[0] == "heaviside"]
    assert _raised(row[-1])
    with pytest.raises(NoDerivative, match="heaviside"):
        autograd(Heaviside(x) + x, S.Zero)


# --------------------------------------------------------------------------- the table covers the catalogue

SETTINGS = sorted(
    {(n, tuple(sorted(p.items()))) for n, p, *_ in MEASURED_CATALOGUE} | {(a.name, ()) for a in CATALOGUE}
)


@pytest.mark.parametrize("name, params", SETTINGS, ids=[f"{n}{dict(p) or ''}" for n, p in SETTINGS])
def test_every_catalogue_breakpoint_has_a_measured_rule(name, params):
    d = symdl.derive(name, dict(params))
    if d.activation.is_vector:
        return
    for b in d.breakpoints:
        said = claim(d.activation, b, d.valuemap)
        assert said.kind in ("same", "none"), f"{name}: no rule at x = {b.at}"
        measured = [r for r in MEASURED_CATALOGUE if r[0] == name and r[3] == str(b.at.subs(d.valuemap))]
        assert measured or params == (), f"{name}{dict(params)} at x = {b.at}: not measured"
    assert (name in TORCH) == bool(d.breakpoints)  # no rule for a function without breakpoints


def test_every_rule_was_measured_at_the_defaults():
    for name, function in TORCH.items():
        defaults = symdl.activation(name).params
        for at, _ in function.at:
            point = at.subs(defaults)
            rows = [r for r in MEASURED_CATALOGUE if r[0] == name and Rational(r[3]) == point]
            assert rows, f"{name} at x = {point}: in the table but never measured"


# --------------------------------------------------------------------------- the printed claims


def _breakpoint_lines(out: str) -> list[str]:
    lines = out.splitlines()
    return [line.strip() for line in lines[lines.index("breakpoints") + 1 :] if line.startswith("  x = ")]


def _measured(name: str, point, values: dict) -> float | str:
    """What autograd gave for the catalogue activation at this point and these parameter values."""
    act = symdl.activation(name)
    rows = [
        r[-1]
        for r in MEASURED_CATALOGUE
        if r[0] == name
        and Rational(r[3]) == point
        and all(Rational(v) == values[act.param(k).symbol] for k, v in r[1].items())
    ]
    assert len(rows) == 1, f"{name} at x = {point}: measured {len(rows)} times"
    return rows[0]


def _torch_function(name: str) -> str:
    """The PyTorch function as the measurement names it: F.relu(x) is torch.nn.functional.relu."""
    call = next(r[2] for r in MEASURED_CATALOGUE if r[0] == name)
    return call.split("(")[0].replace("F.", "torch.nn.functional.")


SHOWN = [(name, {}) for name in sorted(TORCH)] + [
    ("elu", {"alpha": "1/2"}),
    ("hardtanh", {"min_val": "-2", "max_val": "3"}),
    ("leaky_relu", {"alpha": "1/5"}),
]


@pytest.mark.parametrize("name, params", SHOWN, ids=[f"{n}{p or ''}" for n, p in SHOWN])
def test_show_says_as_in_pytorch_only_where_torch_measured_the_same(capsys, name, params):
    code, out, _ = run_symdl(capsys, "show", name, *(a for k, v in params.items() for a in ("-p", f"{k}={v}")))
    assert code == 0
    d = symdl.derive(name, params)
    lines = _breakpoint_lines(out)
    assert len(lines) == len(d.breakpoints)
    for b, line in zip(d.breakpoints, lines, strict=True):
        if b.differentiable:
            assert "PyTorch" not in line  # f' exists there: there is nothing to choose
            continue
        measured = _measured(name, b.at.subs(d.valuemap), d.valuemap)
        if _raised(measured):
            assert "symdl's convention" in line and "PyTorch has no derivative here" in line
            assert "as in PyTorch" not in line
        else:
            assert line.endswith(f", as in PyTorch ({_torch_function(name)}, {VERSION})")


DERIVED = [r for r in MEASURED_PRIMITIVES if r[1] != "sign(x)"]  # the parser has no sign


@pytest.mark.parametrize("primitive, expression, call, at, measured", DERIVED, ids=[r[1] for r in DERIVED])
def test_derive_says_as_in_pytorch_only_where_torch_measured_the_same(
    capsys, primitive, expression, call, at, measured
):
    code, out, _ = run_symdl(capsys, "derive", expression, "--name", "measured")
    assert code == 0
    (line,) = [line for line in _breakpoint_lines(out) if line.startswith(f"x = {at}:")]
    used = Rational(line.split(f"f'({at}) = ")[1].split(" is used")[0])
    if _raised(measured):
        assert "symdl's convention" in line and "PyTorch has no derivative here" in line
        assert "as in PyTorch" not in line
    elif not math.isnan(measured) and float(used) == pytest.approx(measured, rel=1e-15, abs=0):
        function = re.search(r"torch\.\w+", call).group()  # x + torch.where(...): torch.where
        assert line.endswith(f", as in PyTorch ({function}, {VERSION})")
    else:
        said = line.split("PyTorch's autograd gives ")[1].split(" (")[0]
        assert "symdl's convention" in line and "as in PyTorch" not in line
        assert math.isnan(measured) if said == "nan" else float(Rational(said)) == pytest.approx(measured, rel=1e-15)


def test_the_issues_abs_no_longer_claims_pytorch(capsys):
    """`symdl derive "abs(x)"` said f'(0) = 1 "as in PyTorch"; torch.abs's gradient at 0 is 0."""
    (row,) = [r for r in MEASURED_PRIMITIVES if r[1] == "abs(x)"]
    code, out, _ = run_symdl(capsys, "derive", "abs(x)")
    (line,) = _breakpoint_lines(out)
    assert code == 0 and row[-1] == 0.0
    assert "f'(0) = 1 is used: symdl's convention" in line
    assert line.endswith(f"PyTorch's autograd gives 0 (torch.abs, {VERSION})")


def test_latex_says_pytorchs_value_only_where_measured():
    assert _raised(_measured("binary_step", 0, {}))
    assert _measured("relu", 0, {}) == 0.0
    relu = worked("relu")  # "PyTorch's value" on a slide: measured the same (the terminal names the version)
    assert r"\operatorname{ReLU}'(0) = 0 && \text{PyTorch's value}" in relu
    assert r"\text{ (undefined; PyTorch's value)}" in derivative("relu")
    step = worked("binary_step")
    assert r"H'(0) = 0 && \text{symdl's convention; PyTorch has no derivative here}" in step
    assert "PyTorch's value" not in step and "PyTorch's value" not in derivative("binary_step")
    assert r"\text{symdl의 규약; PyTorch에는 여기서 미분이 없음}" in worked("binary_step", Style(lang="ko"))


def test_latex_of_a_users_abs_gives_torchs_value_as_other():
    (row,) = [r for r in MEASURED_PRIMITIVES if r[1] == "abs(x)"]
    act = symdl.define("abs_in_latex", "abs(x)")
    assert r"\text{ (undefined; symdl's convention)}" in derivative(act)
    assert r"\text{symdl's convention; PyTorch (torch.abs) gives}\ 0" in worked(act)
    assert row[-1] == 0.0
