"""What PyTorch's autograd gives where a function has a kink or a jump, measured.

Run with PyTorch installed (it is not a dependency of symdl; a separate venv will do):

    python -m venv /tmp/torchenv && /tmp/torchenv/bin/pip install torch
    /tmp/torchenv/bin/python bench/measure_torch_kinks.py > measured.txt

For every breakpoint of every catalogue activation (at its default parameters and at one other
setting), and for each primitive a user can write that has a kink or a jump (abs, max, min, where;
sign and heaviside, which the parser does not take but PyTorch has), it evaluates the PyTorch
function on one float64 value exactly at the point and asks autograd for d f / d x there.  A
function whose backward raises (torch.heaviside) is recorded with the error instead of a number.

The output is the ``MEASURED`` block of ``symdl/engine/conventions.py``, printed ready to paste,
with the torch version it was measured with; the tests check symdl's rules against it.  This
script imports only torch, so that it runs in a venv without symdl.
"""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction

import torch
import torch.nn.functional as F

SELU_SCALE = 1.0507009873554804934193349852946
SELU_ALPHA = 1.6732632423543772848170429916717


def _f(text: str) -> float:
    return float(Fraction(text))


def _t(value: float) -> torch.Tensor:
    return torch.tensor(value, dtype=torch.float64)


# (catalogue name, its parameters by symdl's names, the PyTorch call, the breakpoints): one row per setting.
Call = Callable[[torch.Tensor, dict[str, float]], torch.Tensor]
CATALOGUE: list[tuple[str, dict[str, str], str, Call, list[str]]] = [
    ("relu", {}, "F.relu(x)", lambda x, p: F.relu(x), ["0"]),
    ("leaky_relu", {"alpha": "1/100"}, "F.leaky_relu(x, alpha)", lambda x, p: F.leaky_relu(x, p["alpha"]), ["0"]),
    ("leaky_relu", {"alpha": "1/5"}, "F.leaky_relu(x, alpha)", lambda x, p: F.leaky_relu(x, p["alpha"]), ["0"]),
    ("prelu", {"alpha": "1/4"}, "F.prelu(x, [alpha])", lambda x, p: F.prelu(x, _t(p["alpha"]).reshape(1)), ["0"]),
    ("prelu", {"alpha": "1/2"}, "F.prelu(x, [alpha])", lambda x, p: F.prelu(x, _t(p["alpha"]).reshape(1)), ["0"]),
    (
        "rrelu",
        {"lower": "1/8", "upper": "1/3"},
        "F.rrelu(x, lower, upper, training=False)",
        lambda x, p: F.rrelu(x, p["lower"], p["upper"], training=False),
        ["0"],
    ),
    (
        "rrelu",
        {"lower": "1/10", "upper": "3/10"},
        "F.rrelu(x, lower, upper, training=False)",
        lambda x, p: F.rrelu(x, p["lower"], p["upper"], training=False),
        ["0"],
    ),
    ("elu", {"alpha": "1"}, "F.elu(x, alpha)", lambda x, p: F.elu(x, p["alpha"]), ["0"]),
    ("elu", {"alpha": "1/2"}, "F.elu(x, alpha)", lambda x, p: F.elu(x, p["alpha"]), ["0"]),
    ("selu", {}, "F.selu(x)", lambda x, p: F.selu(x), ["0"]),
    (
        "selu",
        {"lambda": "2", "alpha": "1/2"},
        "torch.ops.aten.elu(x, alpha, lambda, 1)  (F.selu's kernel, other constants)",
        lambda x, p: torch.ops.aten.elu(x, p["alpha"], p["lambda"], 1.0),
        ["0"],
    ),
    ("celu", {"alpha": "1"}, "F.celu(x, alpha)", lambda x, p: F.celu(x, p["alpha"]), ["0"]),
    ("celu", {"alpha": "1/2"}, "F.celu(x, alpha)", lambda x, p: F.celu(x, p["alpha"]), ["0"]),
    ("softsign", {}, "F.softsign(x)", lambda x, p: F.softsign(x), ["0"]),
    (
        "hardtanh",
        {"min_val": "-1", "max_val": "1"},
        "F.hardtanh(x, min_val, max_val)",
        lambda x, p: F.hardtanh(x, p["min_val"], p["max_val"]),
        ["-1", "1"],
    ),
    (
        "hardtanh",
        {"min_val": "-2", "max_val": "3"},
        "F.hardtanh(x, min_val, max_val)",
        lambda x, p: F.hardtanh(x, p["min_val"], p["max_val"]),
        ["-2", "3"],
    ),
    ("relu6", {}, "F.relu6(x)", lambda x, p: F.relu6(x), ["0", "6"]),
    ("hardsigmoid", {}, "F.hardsigmoid(x)", lambda x, p: F.hardsigmoid(x), ["-3", "3"]),
    ("hardswish", {}, "F.hardswish(x)", lambda x, p: F.hardswish(x), ["-3", "3"]),
    (
        "softshrink",
        {"lambda": "1/2"},
        "F.softshrink(x, lambda)",
        lambda x, p: F.softshrink(x, p["lambda"]),
        ["-1/2", "1/2"],
    ),
    ("softshrink", {"lambda": "1"}, "F.softshrink(x, lambda)", lambda x, p: F.softshrink(x, p["lambda"]), ["-1", "1"]),
    (
        "hardshrink",
        {"lambda": "1/2"},
        "F.hardshrink(x, lambda)",
        lambda x, p: F.hardshrink(x, p["lambda"]),
        ["-1/2", "1/2"],
    ),
    ("hardshrink", {"lambda": "1"}, "F.hardshrink(x, lambda)", lambda x, p: F.hardshrink(x, p["lambda"]), ["-1", "1"]),
    (
        "threshold",
        {"threshold": "1/10", "value": "20"},
        "F.threshold(x, threshold, value)",
        lambda x, p: F.threshold(x, p["threshold"], p["value"]),
        ["1/10"],
    ),
    (
        "threshold",
        {"threshold": "1", "value": "-2"},
        "F.threshold(x, threshold, value)",
        lambda x, p: F.threshold(x, p["threshold"], p["value"]),
        ["1"],
    ),
    ("binary_step", {}, "torch.heaviside(x, 1)", lambda x, p: torch.heaviside(x, _t(1.0)), ["0"]),
]

# (primitive, the expression in symdl's language, the same in PyTorch, the point).
Plain = Callable[[torch.Tensor], torch.Tensor]
PRIMITIVES: list[tuple[str, str, str, Plain, str]] = [
    ("abs", "abs(x)", "torch.abs(x)", torch.abs, "0"),
    ("abs", "abs(x - 1)", "torch.abs(x - 1)", lambda x: torch.abs(x - 1), "1"),
    ("sign", "sign(x)", "torch.sign(x)", torch.sign, "0"),
    ("heaviside", "heaviside(x)", "torch.heaviside(x, 1)", lambda x: torch.heaviside(x, _t(1.0)), "0"),
    ("max", "max(0, x)", "torch.maximum(0, x)", lambda x: torch.maximum(torch.zeros_like(x), x), "0"),
    ("max", "max(x, 0)", "torch.maximum(x, 0)", lambda x: torch.maximum(x, torch.zeros_like(x)), "0"),
    ("max", "max(x/5, x)", "torch.maximum(x/5, x)", lambda x: torch.maximum(x / 5, x), "0"),
    ("min", "min(0, x)", "torch.minimum(0, x)", lambda x: torch.minimum(torch.zeros_like(x), x), "0"),
    ("min", "min(x/5, x)", "torch.minimum(x/5, x)", lambda x: torch.minimum(x / 5, x), "0"),
    ("where", "where(x > 0, x, 2*x)", "torch.where(x > 0, x, 2*x)", lambda x: torch.where(x > 0, x, 2 * x), "0"),
    ("where", "where(x >= 0, x, 2*x)", "torch.where(x >= 0, x, 2*x)", lambda x: torch.where(x >= 0, x, 2 * x), "0"),
    (
        "where",
        "where(x < 0, 0, 1)",
        "torch.where(x < 0, 0., 1.)",
        lambda x: torch.where(x < 0, _t(0.0), _t(1.0)),
        "0",
    ),
    (
        "where",
        "where(x > 0, sqrt(x), 0)",
        "torch.where(x > 0, torch.sqrt(x), 0.)",
        lambda x: torch.where(x > 0, torch.sqrt(x), _t(0.0)),
        "0",
    ),
    (
        "where",
        "x + where(x < 0, 0, 1)",
        "x + torch.where(x < 0, 0., 1.)",
        lambda x: x + torch.where(x < 0, 0.0, 1.0),
        "0",
    ),
]


def gradient(f: Call, params: dict[str, float], at: str) -> float | str:
    """d f / d x at the point in float64, or the first line of the error autograd raised."""
    x = torch.tensor(_f(at), dtype=torch.float64, requires_grad=True)
    try:
        (g,) = torch.autograd.grad(f(x, params), x)
    except RuntimeError as error:
        return "raises: " + str(error).strip().splitlines()[0]
    return g.item()


def _plain(f: Plain) -> Call:
    return lambda x, params: f(x)


def _literal(value: float | str) -> str:
    return 'float("nan")' if isinstance(value, float) and value != value else repr(value)


def main() -> None:
    print(f'MEASURED_WITH = "{torch.__version__.split("+")[0]}"  # torch.__version__ {torch.__version__}')
    print("# (catalogue name, its parameters, the PyTorch call, x, d f/d x at x: a float64, or what autograd raised)")
    print("MEASURED_CATALOGUE: tuple[tuple[str, dict[str, str], str, str, float | str], ...] = (")
    for name, params, call, f, points in CATALOGUE:
        floats = {k: _f(v) for k, v in params.items()}
        for at in points:
            measured = _literal(gradient(f, floats, at))
            print(f"    ({name!r}, {params!r}, {call!r}, {at!r}, {measured}),")
    print(")")
    print("# (primitive, an expression in symdl's language, the same in PyTorch, x, d f/d x at x, as above)")
    print("MEASURED_PRIMITIVES: tuple[tuple[str, str, str, str, float | str], ...] = (")
    for name, expression, call, f, at in PRIMITIVES:
        print(f"    ({name!r}, {expression!r}, {call!r}, {at!r}, {_literal(gradient(_plain(f), {}, at))}),")
    print(")")


if __name__ == "__main__":
    main()
