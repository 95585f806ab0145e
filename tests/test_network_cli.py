"""``symdl forward``: the real command, its formats, and bad input as one line on stderr with exit status 2."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import run_symdl

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "lecture01.toml"


def line_of(out, start):
    return next(line for line in out.splitlines() if line.lstrip().startswith(start))


def test_default_is_the_lecture_network(capsys):
    code, out, err = run_symdl(capsys, "forward")
    assert code == 0 and err == ""
    assert line_of(out, "Z1 = X W1 + B1").endswith("= [4, 3, -2]")
    assert line_of(out, "Y = identity(Z2)").endswith("= [2, 1]")
    assert "check: exact and float64 agree" in out


def test_relu_hidden(capsys):
    code, out, _ = run_symdl(capsys, "forward", "--hidden-activation", "relu")
    assert code == 0
    assert line_of(out, "H1 = relu(Z1)").endswith("= [4, 3, 0]")
    assert line_of(out, "Y = identity(Z2)").endswith("= [2, 3]")


def test_config_file_and_json(capsys):
    code, out, _ = run_symdl(capsys, "forward", EXAMPLE, "--json", "--output-activation", "softmax")
    data = json.loads(out)
    assert code == 0 and data["source"] == str(EXAMPLE)
    assert data["forward"]["Z2"]["exact"] == [["2", "1"]]
    assert data["layers"][1]["activation"] == "softmax"
    assert data["check"]["agrees"] is True


@pytest.mark.parametrize(
    ("flags", "needed"),
    [
        (["--latex"], r"\documentclass"),
        (["--latex", "--exact"], r"\frac{1}{2}"),
        (["--markdown"], "# Forward pass"),
        (["--markdown", "--lang", "ko"], "# 순전파 계산"),
    ],
)
def test_formats(capsys, flags, needed):
    code, out, _ = run_symdl(capsys, "forward", *flags)
    assert code == 0 and needed in out


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        (
            EXAMPLE.read_text(encoding="utf-8").replace("[ 0, 1  ]]", "]"),
            "layer 2: H1 is 1×3 but W2 is 2×2",
        ),
        ("X = [1, 2, 1\n", "not valid TOML"),
        ('X = [1]\n[[layer]]\nW = [[nan]]\nB = [0]\nactivation = "relu"\n', "W1[1,1] is nan"),
        ('X = [1]\n[[layer]]\nW = [[1]]\nB = [0]\nactivation = "rleu"\n', "unknown activation 'rleu'"),
        ('X = [1]\n[[layer]]\nW = [[1]]\nactivation = "relu"\n', "layer 1: missing B"),
    ],
)
def test_bad_spec_is_one_line_and_status_2(capsys, tmp_path, spec, message):
    path = tmp_path / "net.toml"
    path.write_text(spec, encoding="utf-8")
    code, out, err = run_symdl(capsys, "forward", path)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and err.startswith(f"symdl: {path}: ") and message in err


@pytest.mark.parametrize(
    "args",
    [
        ["forward", "no/such/net.toml"],
        ["forward", "--hidden-activation", "nonsense"],
        ["forward", "--json", "--latex"],
    ],
)
def test_bad_arguments(capsys, args):
    code, out, err = run_symdl(capsys, *args)
    assert code == 2 and out == "" and err.count("\n") == 1 and err.startswith("symdl: ")


def test_the_installed_command():
    done = subprocess.run(
        [sys.executable, "-m", "symdl", "forward", "--hidden-activation", "relu"],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert done.returncode == 0 and done.stderr == ""
    assert line_of(done.stdout, "Y = identity(Z2)").endswith("= [2, 3]")


def test_disagreement_is_said_and_exits_1(capsys, monkeypatch):
    import symdl.network.forward as network

    right = network.numeric_activation
    monkeypatch.setattr(network, "numeric_activation", lambda layer: lambda z: right(layer)(z) + 1e-9)
    code, out, err = run_symdl(capsys, "forward")
    assert code == 1 and "check: exact and float64 DIFFER" in out
    assert err.startswith("symdl: the three computations disagree: ") and err.count("\n") == 1
