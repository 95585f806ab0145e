"""No result depends on the clock: with every time budget reported as spent, each catalogue derivation is
unchanged, and a user's expression says "not found within the time limit" for each fact it could not finish.

The hostile clock runs in a fresh process (no derivation cached, on disk either: ``SYMDL_NO_CACHE``), which
derives the whole catalogue and prints a fingerprint of every fact; this process derives it with the ordinary
clock and compares.  The tests of a user's expression against the clock derive it afresh too: a fact found
in time by another test is kept on disk, and would be read back, in time, by this one.
"""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from sympy import Basic, srepr

import symdl
from symdl.budget import NOT_IN_TIME, OutOfTime
from symdl.catalog import CATALOGUE
from symdl.engine.calculus import Derivation
from symdl.engine.output import NONE_TWO_SLOPES, NOT_FOUND
from symdl.engine.steps import working

CATALOGUE_NAMES = sorted(a.name for a in CATALOGUE)

# The hostile clock: each reading is a million seconds after the one before, so every budget has run out by
# the time it is first looked at.
HOSTILE = """
import itertools
import symdl.budget
_ticks = itertools.count(0, 10**6)
symdl.budget.clock = lambda: float(next(_ticks))
"""


def fingerprint(value) -> object:
    """Every fact of a derivation, exactly: SymPy objects by ``srepr``, records field by field."""
    if isinstance(value, Basic):
        return srepr(value)
    if isinstance(value, Derivation):
        return {name: fingerprint(getattr(value, name)) for name in (*Derivation.FACTS, "not_in_time")}
    if dataclasses.is_dataclass(value):
        return {f.name: fingerprint(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, tuple | list):
        return [fingerprint(v) for v in value]
    return value


def catalogue_fingerprints() -> dict[str, object]:
    return {name: fingerprint(symdl.derive(name)) for name in CATALOGUE_NAMES}


def in_fresh_process(setup: str, body: str) -> object:
    """Run ``setup`` then ``body`` (which sets ``result``) in a new interpreter; ``result`` as JSON."""
    script = (
        textwrap.dedent(setup) + "\n" + textwrap.dedent(body) + "\nimport json, sys\njson.dump(result, sys.stdout)\n"
    )
    environment = {**os.environ, "SYMDL_NO_CACHE": "1"}
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=600, check=False, env=environment
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout)


@pytest.mark.slow
def test_catalogue_derivations_do_not_depend_on_the_clock():
    hostile = in_fresh_process(
        HOSTILE,
        f"""
        import sys
        sys.path.insert(0, {str(Path(__file__).parent)!r})
        from test_determinism import catalogue_fingerprints
        result = catalogue_fingerprints()
        """,
    )
    ordinary = json.loads(json.dumps(catalogue_fingerprints()))
    assert sorted(hostile) == sorted(ordinary) == CATALOGUE_NAMES
    for name in ordinary:
        assert hostile[name] == ordinary[name], name


def test_a_users_expression_that_runs_out_of_time_is_one_line_not_a_guess():
    """Under the hostile clock every step on a user's expression runs out of time, the branches first:
    the library raises OutOfTime and ``symdl derive`` prints one line and exits 2."""
    result = in_fresh_process(
        HOSTILE,
        """
        import contextlib, io
        import symdl
        from symdl.cli import main
        act = symdl.define("late", "x*sigmoid(x) + x/3")
        try:
            symdl.derive(act).derivative
            raised = None
        except symdl.SymdlError as error:
            raised = [type(error).__name__, str(error)]
        err = io.StringIO()
        with contextlib.redirect_stderr(err):
            try:
                main(["derive", "x*sigmoid(x) + x/3", "--name", "late2"])
                code = 0
            except SystemExit as done:
                code = done.code
        result = {"raised": raised, "code": code, "output": err.getvalue()}
        """,
    )
    assert result["raised"] == ["OutOfTime", f"late: its branches: {NOT_IN_TIME}"]
    assert result["code"] == 2
    assert result["output"] == f"symdl: late2: its branches: {NOT_IN_TIME}\n"


def test_a_declaration_inside_a_users_budget_is_never_timed():
    """A document of catalogue entries and your own activation runs under one budget; the catalogue's facts
    (GELU's minimum needs the root solver) must still not depend on the clock."""
    hostile = in_fresh_process(
        HOSTILE,
        f"""
        import sys
        sys.path.insert(0, {str(Path(__file__).parent)!r})
        import symdl
        from symdl.budget import USER_SECONDS, budget
        from symdl.engine.steps import working
        from test_determinism import fingerprint
        with budget(USER_SECONDS):
            result = {{name: fingerprint(symdl.derive(name)) for name in ("gelu", "silu", "softmax")}}
            result["working"] = str(working("silu").branches[0].steps[-1].expr)
        """,
    )
    ordinary = json.loads(json.dumps({name: fingerprint(symdl.derive(name)) for name in ("gelu", "silu", "softmax")}))
    assert {k: hostile[k] for k in ordinary} == ordinary
    assert hostile["working"] == str(working("silu").branches[0].steps[-1].expr)


def test_the_lecture_network_is_never_timed():
    """The built-in network's passes are work on a declaration: under the hostile clock they print the goldens."""
    goldens = Path(__file__).parent / "goldens"
    hostile = in_fresh_process(
        HOSTILE,
        f"""
        import sys
        sys.path.insert(0, {str(Path(__file__).parent)!r})
        from goldens import output
        result = {{"forward": output(["forward"]), "backward": output(["backward"])}}
        """,
    )
    assert hostile["forward"] == (goldens / "forward.txt").read_text(encoding="utf-8")
    assert hostile["backward"] == (goldens / "backward.txt").read_text(encoding="utf-8")


def _core_then_hostile(monkeypatch, name: str, expression: str):
    """A user's derivation whose branches, slopes and breakpoints were found with time, asked for the rest
    under a clock on which every reading is 10^6 s after the last."""
    import itertools

    import symdl.budget

    monkeypatch.setenv("SYMDL_NO_CACHE", "1")
    act = symdl.define(name, expression)
    d = symdl.derive(act)
    d.breakpoints  # noqa: B018 - found with time: regions, slopes, breakpoints
    assert d.not_in_time == ()
    ticks = itertools.count(0, 10**6)
    monkeypatch.setattr(symdl.budget, "clock", lambda: float(next(ticks)))
    return act, d


def test_a_users_expression_reports_each_fact_not_found_in_time(monkeypatch):
    from symdl.render.text import show

    act, d = _core_then_hostile(monkeypatch, "late_facts", "x*sigmoid(x) + x/3")
    assert d.output_form is None and d.output_form_note == NOT_IN_TIME
    assert d.properties is None
    assert d.not_in_time == ("the output form", "the properties")
    with pytest.raises(OutOfTime, match=NOT_IN_TIME):  # asked anew (nothing late is kept): late again
        symdl.output_form(act)
    text = show(d, substituted=False)
    assert f"properties  {NOT_IN_TIME}" in text
    assert f"  {NOT_IN_TIME}\n" in text  # the output form's line
    assert "derivative  f'(x) =" in text  # what was found is shown


def test_the_same_expression_with_time_derives_every_fact(monkeypatch):
    monkeypatch.setenv("SYMDL_NO_CACHE", "1")
    monkeypatch.setattr(symdl.engine.calculus, "USER_SECONDS", 600.0)  # ample on any machine: this test is not of load
    act = symdl.define("on_time", "x*sigmoid(x) + x/3")
    d = symdl.derive(act)
    assert d.not_in_time == ()
    assert d.properties is not None and d.properties.monotonic == "increasing"  # f' = 1/3 + silu' > 0.23


def test_a_derivation_missing_a_fact_is_not_kept(monkeypatch):
    act, first = _core_then_hostile(monkeypatch, "kept_late", "x*sigmoid(2*x) + x/5")
    assert first.properties is None and first.not_in_time == ("the properties",)
    with pytest.raises(OutOfTime):
        symdl.output_form(act)
    monkeypatch.undo()
    monkeypatch.setenv("SYMDL_NO_CACHE", "1")
    monkeypatch.setattr(symdl.engine.calculus, "USER_SECONDS", 600.0)
    again = symdl.derive(act)
    assert again is not first
    assert again.not_in_time == () and again.properties is not None


@pytest.mark.parametrize(
    ("name", "note"),
    [
        # f' changes sign inside one region: f rises and falls there (a minimum), so one value of f comes with
        # two slopes.  Proved.
        ("gelu", NONE_TWO_SLOPES),
        ("silu", NONE_TWO_SLOPES),
        ("mish", NONE_TWO_SLOPES),
        ("gaussian", NONE_TWO_SLOPES),
        ("hardswish", NONE_TWO_SLOPES),
        # f = 20 on x <= 0.1 with slope 0, and at x = 20 with slope 1.  Proved.
        ("threshold", NONE_TWO_SLOPES),
        # tanhshrink' = tanh(x)^2 vanishes at 0 but never changes sign: tanhshrink is one-to-one, and
        # its inverse is not elementary.  symdl claims only that it found none.
        ("tanhshrink", NOT_FOUND),
    ],
)
def test_no_output_form_says_whether_none_exists_or_none_was_found(name, note):
    d = symdl.derive(name)
    assert d.output_form is None and d.output_form_note == note


def test_every_other_catalogue_entry_has_its_output_form():
    missing = {"gelu", "gelu_tanh", "silu", "mish", "gaussian", "hardswish", "threshold", "tanhshrink"}
    for name in CATALOGUE_NAMES:
        d = symdl.derive(name)
        assert (d.output_form is None) == (name in missing), name
        assert d.not_in_time == ()
