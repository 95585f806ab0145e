"""Speed of symdl's compiled activations against the textbook NumPy a user would write.

Run:  python bench/numeric_speed.py [--sizes 1e6 1e7] [--repeat 5] [--only NAMES]

For each activation f and its derivative f', on float64 arrays of each size,
the compiled function's best time over ``--repeat`` runs is divided by the best
time of the naive textbook expression below (in the same process, on the same
array).  Inputs are 4 * N(0, 1), where pre-activations live.  Floors
(issue 3): every ratio <= 1.5, and the median over the catalogue <= 1.2.
Where PyTorch happens to be installed, the ratio against torch's CPU
activation (forward) and its autograd (derivative) is printed too.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from math import pi, sqrt

import numpy as np
from scipy.special import erf

import symdl

SQ2, SQ2PI, C = sqrt(2.0), sqrt(2.0 * pi), sqrt(2.0 / pi)
LAM, ALPHA = 1.0507009873554805, 1.6732632423543772


def _sig(x):
    return 1 / (1 + np.exp(-x))


def _softmax(x):
    e = np.exp(x)
    return e / e.sum(-1, keepdims=True)


def _eye_minus(s, square):
    return (
        s[..., :, None] * (np.eye(s.shape[-1]) - s[..., None, :]) if square else np.eye(s.shape[-1]) - s[..., None, :]
    )


# The textbook NumPy a user writes by hand: (f, f').
NAIVE: dict[str, tuple[Callable, Callable]] = {
    "sigmoid": (_sig, lambda x: (lambda s: s * (1 - s))(_sig(x))),
    "tanh": (np.tanh, lambda x: 1 - np.tanh(x) ** 2),
    "relu": (lambda x: np.maximum(x, 0), lambda x: (x > 0).astype(x.dtype)),
    "leaky_relu": (lambda x: np.where(x > 0, x, 0.01 * x), lambda x: np.where(x > 0, 1.0, 0.01)),
    "prelu": (lambda x: np.where(x > 0, x, 0.25 * x), lambda x: np.where(x > 0, 1.0, 0.25)),
    "rrelu": (lambda x: np.where(x > 0, x, 11 / 48 * x), lambda x: np.where(x > 0, 1.0, 11 / 48)),
    "elu": (lambda x: np.where(x > 0, x, np.exp(x) - 1), lambda x: np.where(x > 0, 1.0, np.exp(x))),
    "celu": (lambda x: np.where(x > 0, x, np.exp(x) - 1), lambda x: np.where(x > 0, 1.0, np.exp(x))),
    "selu": (
        lambda x: LAM * np.where(x > 0, x, ALPHA * (np.exp(x) - 1)),
        lambda x: LAM * np.where(x > 0, 1.0, ALPHA * np.exp(x)),
    ),
    "identity": (lambda x: x.copy(), np.ones_like),
    "softplus": (lambda x: np.log1p(np.exp(x)), _sig),
    "logsigmoid": (lambda x: -np.log1p(np.exp(-x)), lambda x: 1 / (1 + np.exp(x))),
    "gelu": (
        lambda x: 0.5 * x * (1 + erf(x / SQ2)),
        lambda x: 0.5 * (1 + erf(x / SQ2)) + x * np.exp(-(x**2) / 2) / SQ2PI,
    ),
    "gelu_tanh": (
        lambda x: 0.5 * x * (1 + np.tanh(C * (x + 0.044715 * x**3))),
        lambda x: (lambda t: 0.5 * (1 + t) + 0.5 * x * (1 - t**2) * C * (1 + 3 * 0.044715 * x**2))(
            np.tanh(C * (x + 0.044715 * x**3))
        ),
    ),
    "silu": (lambda x: x / (1 + np.exp(-x)), lambda x: (lambda s: s * (1 + x * (1 - s)))(_sig(x))),
    "mish": (
        lambda x: x * np.tanh(np.log1p(np.exp(x))),
        lambda x: (lambda t: t + x * (1 - t**2) * _sig(x))(np.tanh(np.log1p(np.exp(x)))),
    ),
    "softsign": (lambda x: x / (1 + np.abs(x)), lambda x: 1 / (1 + np.abs(x)) ** 2),
    "hardtanh": (lambda x: np.clip(x, -1, 1), lambda x: ((x > -1) & (x < 1)).astype(x.dtype)),
    "hardsigmoid": (lambda x: np.clip(x / 6 + 0.5, 0, 1), lambda x: ((x > -3) & (x < 3)) / 6),
    "hardswish": (
        lambda x: x * np.clip(x + 3, 0, 6) / 6,
        lambda x: np.where(x < -3, 0.0, np.where(x > 3, 1.0, x / 3 + 0.5)),
    ),
    "relu6": (lambda x: np.clip(x, 0, 6), lambda x: ((x > 0) & (x < 6)).astype(x.dtype)),
    "tanhshrink": (lambda x: x - np.tanh(x), lambda x: np.tanh(x) ** 2),
    "softshrink": (
        lambda x: np.where(x > 0.5, x - 0.5, np.where(x < -0.5, x + 0.5, 0.0)),
        lambda x: (np.abs(x) > 0.5).astype(x.dtype),
    ),
    "hardshrink": (lambda x: np.where(np.abs(x) > 0.5, x, 0.0), lambda x: (np.abs(x) > 0.5).astype(x.dtype)),
    "threshold": (lambda x: np.where(x > 0.1, x, 20.0), lambda x: (x > 0.1).astype(x.dtype)),
    "binary_step": (lambda x: (x >= 0).astype(x.dtype), np.zeros_like),
    "arctan": (np.arctan, lambda x: 1 / (1 + x**2)),
    "gaussian": (lambda x: np.exp(-(x**2)), lambda x: -2 * x * np.exp(-(x**2))),
    "isru": (lambda x: x / np.sqrt(1 + x**2), lambda x: (1 / np.sqrt(1 + x**2)) ** 3),
    "softmax": (_softmax, lambda x: _eye_minus(_softmax(x), True)),
    "log_softmax": (lambda x: x - np.log(np.exp(x).sum(-1, keepdims=True)), lambda x: _eye_minus(_softmax(x), False)),
    "softmin": (lambda x: _softmax(-x), lambda x: -_eye_minus(_softmax(-x), True)),
}

TORCH = {  # torch.nn.functional names, where they exist
    "sigmoid": "sigmoid", "tanh": "tanh", "relu": "relu", "leaky_relu": "leaky_relu", "elu": "elu",
    "selu": "selu", "celu": "celu", "softplus": "softplus", "logsigmoid": "logsigmoid", "gelu": "gelu",
    "silu": "silu", "mish": "mish", "softsign": "softsign", "hardtanh": "hardtanh",
    "hardsigmoid": "hardsigmoid", "hardswish": "hardswish", "relu6": "relu6", "tanhshrink": "tanhshrink",
    "softshrink": "softshrink", "hardshrink": "hardshrink", "softmax": "softmax",
    "log_softmax": "log_softmax", "softmin": "softmin",
}  # fmt: skip


def best(f: Callable, x: np.ndarray, repeat: int) -> float:
    return ratio_times([f], x, repeat)[0]


def ratio_times(functions: list[Callable], x: np.ndarray, repeat: int, rounds: int = 3) -> list[float]:
    """Best time of each function: ``rounds`` rounds, each running every function ``repeat`` times in a row
    (back to back, so the allocator is in the same state for all), so a noisy moment hits all alike."""
    times: list[list[float]] = [[] for _ in functions]
    with np.errstate(all="ignore"):
        for _ in range(rounds):
            for f, record in zip(functions, times, strict=True):
                f(x)  # warm up (compilation, caches, the allocator)
                for _ in range(repeat):
                    start = time.perf_counter()
                    f(x)
                    record.append(time.perf_counter() - start)
    return [min(record) for record in times]


def torch_times(name: str, x: np.ndarray, repeat: int) -> tuple[float, float] | None:
    try:
        import torch
    except ImportError:
        return None
    fn = getattr(torch.nn.functional, TORCH.get(name, ""), None)
    if fn is None:
        return None
    t = torch.from_numpy(x)
    kwargs = {"dim": -1} if name in ("softmax", "log_softmax", "softmin") else {}

    def backward(_):
        leaf = t.clone().requires_grad_(True)
        fn(leaf, **kwargs).backward(torch.ones_like(leaf))

    return best(lambda _: fn(t, **kwargs), x, repeat), best(backward, x, repeat)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", nargs="+", type=float, default=[1e6, 1e7])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--only", nargs="+", default=None)
    args = parser.parse_args(argv)
    names = (
        [n for item in args.only for n in item.split(",") if n]
        if args.only
        else [n for n in symdl.names() if n in NAIVE]
    )
    rng = np.random.default_rng(0)
    for size in (int(s) for s in args.sizes):
        ratios: list[float] = []
        print(
            f"\nn = {size:,} float64, x = 4 N(0,1); time ratio symdl / naive NumPy (best of 3 rounds x {args.repeat})"
        )
        print(f"{'activation':<13}{'f':>7}{'f_prime':>9}{'naive f ms':>12}{'vs torch f':>12}{'vs torch df':>12}")
        for name in names:
            act = symdl.activation(name)
            x = 4 * rng.standard_normal((size // 10, 10) if act.is_vector else size)
            f, df = symdl.numpy_function(name), symdl.numpy_function(name, derivative=True)
            naive_f, naive_df = NAIVE[name]
            if act.is_vector and size > 10**6:  # a 10^7-entry Jacobian would be 10^8 numbers: f alone
                t_f, base = ratio_times([f, naive_f], x, args.repeat)
                ratios.append(t_f / base)
                print(f"{name:<13}{t_f / base:>7.2f}{'-':>9}{base * 1e3:>12.2f}", flush=True)
                continue
            t_f, base, t_df, base_df = ratio_times([f, naive_f, df, naive_df], x, args.repeat)
            r_f, r_df = t_f / base, t_df / base_df
            ratios += [r_f, r_df]
            torch_part = ""
            if (tt := torch_times(name, x, args.repeat)) is not None:
                torch_part = f"{t_f / tt[0]:>12.2f}{t_df / tt[1]:>12.2f}"
            print(f"{name:<13}{r_f:>7.2f}{r_df:>9.2f}{base * 1e3:>12.2f}{torch_part}", flush=True)
        median, worst = statistics.median(ratios), max(ratios)
        print(f"median ratio {median:.2f} (floor 1.2), worst {worst:.2f} (floor 1.5)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
