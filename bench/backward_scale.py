"""How exact backpropagation scales: the whole flow for dense networks of growing size.

Run:  python bench/backward_scale.py [--sizes 3-3-2 8-8-4 16-16-10 32-32-10] [--direct 3-3-2 8-8-4]
      [--hidden sigmoid] [--output softmax] [--loss cross_entropy] [--batch 1]

Each network has fixed seeded rational weights, biases and inputs (multiples of 1/8 in [-1, 1]) and a
one-hot target.  For each size it runs ``symdl.network.backward.backpropagate`` without direct differentiation
(forward pass, chain rule exact, float64 backprop, finite differences, the update, the checks) and
prints the time, the peak memory traced by ``tracemalloc`` (in a second run: tracing slows Python down)
and the size of the exact gradients: the number of distinct subexpressions of all of them together
(shared parts counted once), against the parameter count.  The chain rule's matrix form reuses every δ,
so that size grows linearly with the parameters.  For the sizes given to ``--direct`` it also times
direct differentiation of the expanded loss (whose size grows with every path through the network) and
says whether it equals the chain rule exactly.

Target (issue 6): 16-16-10 under 10 s.
"""

from __future__ import annotations

import argparse
import random
import time
import tracemalloc
from itertools import pairwise

from sympy import Expr, ImmutableMatrix, Rational
from sympy.core.cache import clear_cache

import symdl
from symdl.network.backward import Backward, backpropagate
from symdl.network.spec import Layer, Network

SEED = 6


def network(sizes: tuple[int, ...], hidden: str, output: str, loss: str, batch: int) -> Network:
    """A dense network with seeded weights k/8, k in [-8, 8], and a one-hot target per example."""
    rnd = random.Random(SEED)

    def entries(rows: int, cols: int) -> ImmutableMatrix:
        return ImmutableMatrix(rows, cols, lambda r, c: Rational(rnd.randint(-8, 8), 8))

    identity = symdl.activation("identity")
    layers = [Layer(entries(a, b), entries(1, b), identity) for a, b in pairwise(sizes)]
    target = ImmutableMatrix(batch, sizes[-1], lambda r, c: int(c == r % sizes[-1]))
    net = Network(entries(batch, sizes[0]), layers, f"{'-'.join(map(str, sizes))}", target, loss)
    return net.with_activations(hidden=hidden, output=output)


def distinct(matrices: list[ImmutableMatrix]) -> int:
    """Distinct subexpressions of all the entries together: the size of the shared expression graph."""
    seen: set[Expr] = set()
    stack = [e for m in matrices for e in m]
    while stack:
        e = stack.pop()
        if e not in seen:
            seen.add(e)
            stack.extend(e.args)
    return len(seen)


def measure(net: Network, direct: bool) -> tuple[Backward, float, float]:
    """Time (a plain run) and peak memory (a second run under tracemalloc, which slows Python down);
    SymPy's cache is cleared before each, so neither run profits from the other."""
    clear_cache()
    start = time.perf_counter()
    result = backpropagate(net, direct=direct)
    seconds = time.perf_counter() - start
    clear_cache()
    tracemalloc.start()
    backpropagate(net, direct=direct)
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    return result, seconds, peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", nargs="+", default=["3-3-2", "8-8-4", "16-16-10", "32-32-10"])
    parser.add_argument("--direct", nargs="*", default=["3-3-2", "8-8-4"], help="Sizes to differentiate directly.")
    parser.add_argument("--hidden", default="sigmoid")
    parser.add_argument("--output", default="softmax")
    parser.add_argument("--loss", default="cross_entropy")
    parser.add_argument("--batch", type=int, default=1)
    args = parser.parse_args()

    backpropagate(network((3, 3, 2), args.hidden, args.output, args.loss, 1))  # compile f' once
    print(f"hidden {args.hidden}, output {args.output}, loss {args.loss}, batch {args.batch}, seed {SEED}")
    header = f"{'network':>9} {'params':>6} {'time s':>7} {'peak MiB':>8} {'expr nodes':>10} {'nodes/param':>11}"
    header += f"  {'checks':<6} {'direct s':>8}  direct = chain"
    print(header)
    for text in args.sizes:
        sizes = tuple(int(s) for s in text.split("-"))
        net = network(sizes, args.hidden, args.output, args.loss, args.batch)
        result, seconds, peak = measure(net, direct=False)
        params = sum(g.exact.rows * g.exact.cols for g in result.gradients)
        nodes = distinct([g.exact for g in result.gradients])
        line = f"{text:>9} {params:>6} {seconds:>7.2f} {peak:>8.1f} {nodes:>10} {nodes / params:>11.1f}"
        line += f"  {'ok' if result.checks.agrees else 'FAIL':<6}"
        if text in args.direct:
            directly, direct_seconds, _ = measure(net, direct=True)
            line += f" {direct_seconds:>8.2f}  {directly.checks.direct}"
        print(line, flush=True)


if __name__ == "__main__":
    main()
