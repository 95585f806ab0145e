"""Parameter constraints on the declarations: every one refused, in one line naming it and the value, at each
entry point: the library (``Activation.values``, so ``derive``), ``-p``/``--param``, a network spec's
``parameters``, and a user's own activation (what ``symdl.define`` builds and registers)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sympy import Gt, Le, Rational, Symbol

import symdl
from symdl.catalog import CATALOGUE, Activation, Constraint, register, x
from symdl.primitives import Maximum
from tests.conftest import run_symdl

LECTURE = (Path(__file__).resolve().parent.parent / "examples" / "lecture01.toml").read_text(encoding="utf-8")

# (activation, the values given, the constraint they break): written by hand from each function's definition.
BROKEN = [
    ("leaky_relu", {"alpha": "2"}, "alpha <= 1"),
    ("leaky_relu", {"alpha": "0"}, "alpha > 0"),
    ("leaky_relu", {"alpha": "-0.1"}, "alpha > 0"),
    ("prelu", {"alpha": "1.5"}, "alpha <= 1"),
    ("prelu", {"alpha": "0"}, "alpha > 0"),
    ("rrelu", {"lower": "0.3", "upper": "0.2"}, "lower <= upper"),
    ("rrelu", {"lower": "0"}, "lower > 0"),
    ("rrelu", {"upper": "2"}, "upper <= 1"),
    ("rrelu", {"lower": "-1/2", "upper": "-1/4"}, "lower > 0"),
    ("rrelu", {"upper": "-1"}, "upper > 0"),
    ("elu", {"alpha": "0"}, "alpha > 0"),
    ("elu", {"alpha": "-1"}, "alpha > 0"),
    ("selu", {"lambda": "0"}, "lambda > 0"),
    ("selu", {"alpha": "-1.5"}, "alpha > 0"),
    ("softplus", {"beta": "0"}, "beta > 0"),
    ("softplus", {"beta": "-2"}, "beta > 0"),
    ("celu", {"alpha": "0"}, "alpha != 0"),
    ("celu", {"alpha": "-1"}, "alpha > 0"),
    ("hardtanh", {"min_val": "1", "max_val": "-1"}, "min_val < max_val"),
    ("hardtanh", {"min_val": "1"}, "min_val < max_val"),
    ("hardtanh", {"max_val": "-3"}, "min_val < max_val"),
    ("softshrink", {"lambda": "0"}, "lambda > 0"),
    ("hardshrink", {"lambda": "-0.5"}, "lambda > 0"),
    ("isru", {"alpha": "-1"}, "alpha > 0"),
    ("isru", {"alpha": "0"}, "alpha > 0"),
]
IDS = [f"{name}-{'-'.join(f'{k}={v}' for k, v in given.items())}" for name, given, _ in BROKEN]

# Values at the edge of what each definition allows, which must be taken.
ALLOWED = [
    ("leaky_relu", {"alpha": "1"}),
    ("prelu", {"alpha": "0.001"}),
    ("rrelu", {"lower": "0.2", "upper": "0.2"}),
    ("hardtanh", {"min_val": "-2", "max_val": "3"}),
    ("hardtanh", {"min_val": "0.5", "max_val": "0.75"}),
    ("threshold", {"threshold": "-5", "value": "-7"}),
    ("celu", {"alpha": "0.01"}),
    ("softplus", {"beta": "100"}),
]


def _expected(name: str, given: dict[str, str], constraint: str) -> list[str]:
    """What the one line must name: the activation, the constraint, and each value given that it involves."""
    return [name, constraint, *(f"{k}={v}" for k, v in given.items() if k in constraint.split())]


def test_every_declared_constraint_is_broken_by_a_case_here():
    declared = {(act.name, str(c)) for act in CATALOGUE for c in act.constraints}
    tried = {(name, constraint) for name, _, constraint in BROKEN}
    assert declared - tried == set()
    assert tried - declared == set()  # no case names a constraint the catalogue does not have


def test_the_issues_hardtanh_is_refused():
    """`symdl show hardtanh -p min_val=1 -p max_val=-1` printed a definition whose branches overlap."""
    with pytest.raises(symdl.BadParameter) as refused:
        symdl.derive("hardtanh", {"min_val": "1", "max_val": "-1"})
    message = str(refused.value)
    assert "\n" not in message
    assert "min_val=1, max_val=-1" in message and "min_val < max_val" in message


@pytest.mark.parametrize("name, given, constraint", BROKEN, ids=IDS)
def test_library_refuses(name, given, constraint):
    with pytest.raises(symdl.BadParameter) as refused:
        symdl.activation(name).values(given)
    message = str(refused.value)
    assert "\n" not in message
    for part in _expected(name, given, constraint):
        assert part in message
    with pytest.raises(symdl.BadParameter):
        symdl.derive(name, given)


@pytest.mark.parametrize("name, given, constraint", BROKEN, ids=IDS)
def test_command_line_refuses_in_one_line(capsys, name, given, constraint):
    args = [a for k, v in given.items() for a in ("-p", f"{k}={v}")]
    code, out, err = run_symdl(capsys, "show", name, *args)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and "Traceback" not in err
    for part in _expected(name, given, constraint):
        assert part in err


@pytest.mark.parametrize("name, given, constraint", BROKEN, ids=IDS)
def test_network_spec_refuses_in_one_line(capsys, tmp_path, name, given, constraint):
    table = ", ".join(f'{k} = "{v}"' for k, v in given.items())
    spec = tmp_path / "net.toml"
    spec.write_text(LECTURE.replace('"identity"', f'"{name}"\nparameters = {{ {table} }}', 1), encoding="utf-8")
    code, out, err = run_symdl(capsys, "forward", spec)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and "Traceback" not in err
    assert "layer 1" in err
    for part in _expected(name, given, constraint):
        assert part in err


@pytest.mark.parametrize("name, given", ALLOWED, ids=[n for n, _ in ALLOWED])
def test_values_inside_the_constraints_are_taken(name, given):
    values = symdl.activation(name).values(given)
    assert {s.name: v for s, v in values.items() if s.name in given} == {k: Rational(v) for k, v in given.items()}


def test_a_users_own_constraint_is_checked_on_every_value():
    """An activation of the user's own, registered the way ``symdl.define`` registers one."""
    a = Symbol("a", real=True)
    act = register(
        Activation(
            "leak_of_my_own",
            Maximum(a * x, x),
            tex="L",
            params={a: "0.1"},
            constraints=(Constraint(Le(a, 1), "max(ax, x) leaks only for a <= 1"),),
        )
    )
    assert symdl.derive("leak_of_my_own", {"a": "0.5"}).valuemap[a] == Rational(1, 2)
    with pytest.raises(symdl.BadParameter, match=r"a=3 is outside its valid range: it needs a <= 1 \(max\(ax, x\)"):
        symdl.derive(act, {"a": "3"})


def test_defaults_that_break_a_constraint_are_refused_at_the_declaration():
    a = Symbol("a", real=True)
    with pytest.raises(symdl.BadParameter, match="its default parameters do not meet a <= 1"):
        Activation("bad", Maximum(a * x, x), tex="B", params={a: 2}, constraints=(Constraint(Le(a, 1), "a leak"),))


def test_a_positive_symbol_implies_its_constraint():
    """A parameter SymPy takes as positive cannot be given 0: every derived fact would assume otherwise."""
    b = Symbol("b", positive=True)
    act = Activation("scaled", b * x, tex="S", params={b: 2})
    assert [str(c) for c in act.constraints] == ["b > 0"]
    with pytest.raises(symdl.BadParameter, match="b=0 is outside its valid range: it needs b > 0"):
        act.values({"b": 0})


def test_a_constraint_evaluated_away_is_refused():
    """``alpha > 0`` on a positive symbol is True at once; a declaration must write it unevaluated."""
    alpha = Symbol("alpha", positive=True)
    with pytest.raises(TypeError, match="unevaluated"):
        Constraint(alpha > 0, "a leak")
    assert str(Constraint(Gt(alpha, 0, evaluate=False), "a leak")) == "alpha > 0"


def test_define_still_works_with_parameters():
    act = symdl.define("leak_defined", "max(a*x, x)", {"a": "0.2"})
    assert act.constraints == ()  # a user's parameter is any real number unless declared otherwise
    d = symdl.derive(act, {"a": "0.5"})
    assert [(k.at, k.slope.subs(d.valuemap)) for k in d.kinks] == [(0, Rational(1, 2))]  # max's tie: a x
