"""A fresh compile of each catalogue function, against baselines measured in the same run.

Run:  python bench/compile_speed.py [--only elu,gelu] [--pointwise] [--repeat 3]

For every name, a new Python process imports symdl and compiles ``symdl.numpy_function(name)`` and
its derivative (derivation included: nothing is cached between processes).  Beside it, in the same
run and interleaved with it, ``python -c "import sympy"``: each line prints the compile's wall time
and its ratio to that baseline, so a busy machine slows both alike.  ``--pointwise`` also compiles
each name with the old sampler of ``symdl.numeric.forms``, which asked SymPy's ``Interval.contains``
about each of its ~2,200 points one by one, and prints how many times faster the NumPy mask is.
Each time is the median of ``--repeat`` runs.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time

import symdl

# The child compiles f and f' and prints nothing; POINTWISE first puts the old sampler back.
COMPILE = "import sys, symdl; symdl.numpy_function(sys.argv[1]); symdl.numpy_function(sys.argv[1], derivative=True)"
POINTWISE = """
import numpy as np
from symdl.numeric import forms
forms.inside = lambda interval, points: np.array([bool(interval.contains(float(p))) for p in points], dtype=bool)
"""


def wall(code: str, *args: str, repeat: int) -> float:
    """The median wall time of ``python -c code args`` over ``repeat`` runs."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", code, *args], check=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", help="comma-separated catalogue names (default: all)")
    parser.add_argument("--pointwise", action="store_true", help="also time the old pointwise sampler")
    parser.add_argument("--repeat", type=int, default=3)
    options = parser.parse_args()
    names = options.only.split(",") if options.only else symdl.names()
    header = f"{'name':<13}{'import sympy':>13}{'compile':>10}{'ratio':>8}"
    print(header + (f"{'pointwise':>11}{'faster':>8}" if options.pointwise else ""))
    ratios, speedups = [], []
    for name in names:
        baseline = wall("import sympy", repeat=options.repeat)
        compiled = wall(COMPILE, name, repeat=options.repeat)
        ratios.append(compiled / baseline)
        line = f"{name:<13}{baseline:12.2f}s{compiled:9.2f}s{compiled / baseline:7.1f}x"
        if options.pointwise:
            old = wall(POINTWISE + COMPILE, name, repeat=options.repeat)
            speedups.append(old / compiled)
            line += f"{old:10.2f}s{old / compiled:7.1f}x"
        print(line, flush=True)
    summary = f"median ratio to import sympy {statistics.median(ratios):.1f}x, largest {max(ratios):.1f}x"
    if speedups:
        summary += f"; mask over pointwise: median {statistics.median(speedups):.1f}x faster"
    print(summary)


if __name__ == "__main__":
    main()
