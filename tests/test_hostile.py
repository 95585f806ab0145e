"""The hostile corpus (``tests/hostile.toml``): every reproduction of the hardening issue, and more, run
through the real command line with a watchdog.

Each case gives the command's arguments, the exit status it must end with, text its output must contain
(``says``) and text it must never contain (``never``; a traceback, an internal error, a claim of agreement
where there is none).  ``{toml}`` in the arguments is a network spec written from the case's ``toml``;
``{fifo}`` a named pipe; ``{digits5000}`` a 5000-digit integer, past Python's int-conversion limit.  A
case's ``network`` (layers, width, activation) writes a spec of that many layers of that many units, all
weights 1.  A case that takes longer than ``WATCHDOG`` seconds fails: symdl must answer in seconds on
anything a person types.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

CORPUS = tomllib.loads((Path(__file__).parent / "hostile.toml").read_text(encoding="utf-8"))["case"]
WATCHDOG = 15.0
ALWAYS_NEVER = ("Traceback", "internal error", "RuntimeWarning")


def _layers(layers: int, width: int, activation: str) -> str:
    row = "[" + ", ".join(["1"] * width) + "]"
    layer = f'[[layer]]\nW = [{", ".join([row] * width)}]\nB = {row}\nactivation = "{activation}"\n'
    return f'X = {row}\ntarget = {row}\nloss = "mse"\nlearning_rate = 0.1\n' + layer * layers


def _arguments(case: dict, tmp_path: Path) -> list[str]:
    places = {"tmp": str(tmp_path), "digits5000": "9" * 5000}
    if "network" in case:
        case = {**case, "toml": _layers(**case["network"])}
    if "toml" in case:
        spec = tmp_path / "net.toml"
        spec.write_text(case["toml"].replace("{digits5000}", places["digits5000"]), encoding="utf-8")
        places["toml"] = str(spec)
    if any("{fifo}" in a for a in case["args"]):
        fifo = tmp_path / "pipe"
        os.mkfifo(fifo)
        places["fifo"] = str(fifo)
    return [a.format(**places) for a in case["args"]]


# A case marked ``open`` is a defect not yet fixed (its issue stays open): expected to fail, strictly, so
# that the mark must go when it is fixed.
CASES = [
    pytest.param(
        case, id=case["id"], marks=[pytest.mark.xfail(reason=case["open"], strict=True)] if "open" in case else []
    )
    for case in CORPUS
]


@pytest.mark.parametrize("case", CASES)
def test_hostile_input_gets_a_clear_answer_in_seconds(case, tmp_path):
    args = _arguments(case, tmp_path)
    before = sorted(p.name for p in tmp_path.iterdir())
    try:
        done = subprocess.run(
            [sys.executable, "-m", "symdl", *args],
            capture_output=True,
            text=True,
            timeout=WATCHDOG,
            stdin=subprocess.DEVNULL,
            env={**os.environ, "PYTHONWARNINGS": "default"},
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"symdl {' '.join(args)}: no answer within {WATCHDOG} s")
    output = done.stdout + done.stderr
    assert done.returncode == case["code"], output[-2000:]
    for text in case.get("says", []):
        assert text in output, f"{text!r} not in:\n{output[-3000:]}"
    for text in (*ALWAYS_NEVER, *case.get("never", [])):
        assert text not in output, f"{text!r} in:\n{output[-3000:]}"
    if case["code"] == 2:  # refused: one line on stderr, nothing on stdout, no file made or changed
        assert done.stdout == "" and len(done.stderr.strip().splitlines()) == 1, output
        assert sorted(p.name for p in tmp_path.iterdir()) == before
    if "--json" in args and case["code"] == 0:

        def refuse(constant: str) -> None:
            raise AssertionError(f"non-standard JSON constant {constant}")

        json.loads(done.stdout, parse_constant=refuse)
