"""The start-up and cache targets of issue 14, measured side by side in one run.

Run:  python bench/targets.py [--repeat 3] [--only NAMES]

Each command runs in a fresh process; its wall time is the best of ``--repeat``
runs, and the runs of all commands are interleaved so that a change in the
machine's load falls on every command alike.  Every ratio is against
``python -c "import sympy"`` measured in the same run (``python -c pass`` is
printed beside it).  The targets:

- ``symdl --help``, ``symdl --version`` and ``symdl list``: within 1.5x of ``import sympy``
  (they need no SymPy at all);
- a warm ``symdl show NAME`` for every catalogue name: within 1.5x of ``import sympy``;
- a warm ``symdl latex --all --format standalone``: within 2x of ``import sympy``;
- a cold derivation of the whole catalogue (every fact ``symdl show`` and
  ``symdl latex`` print, for every name, from an empty cache): within 60 s.

"Warm" means the derivation cache holds the entries (the cold run fills it);
the cache lives in a temporary directory (``SYMDL_CACHE_DIR``), never the user's.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time

from symdl.catalog import CATALOGUE

PYTHON = sys.executable
SCRIPT = shutil.which("symdl")
SYMDL = [SCRIPT] if SCRIPT else [PYTHON, "-m", "symdl"]  # the command as a user types it


def wall(argv: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    done = subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=False)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed ({done.returncode}): {done.stderr.decode()[-500:]}")
    return seconds


COLD = """
import symdl
from symdl.catalog import CATALOGUE
from symdl.cli import main
import contextlib, io
for act in CATALOGUE:
    with contextlib.redirect_stdout(io.StringIO()):
        for argv in (["show", act.name, "--json"], ["latex", act.name, "--format", "standalone"]):
            try:
                main(argv)
            except SystemExit as done:
                assert not done.code, (argv, done.code)
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--only", default="", help="comma-separated names for the warm show (default: all)")
    args = parser.parse_args()
    names = [n for n in args.only.split(",") if n] or [a.name for a in CATALOGUE]

    with tempfile.TemporaryDirectory() as cache:
        env = {**os.environ, "SYMDL_CACHE_DIR": cache}
        env.pop("SYMDL_NO_CACHE", None)
        cold = wall([PYTHON, "-c", COLD], env)

        commands: dict[str, tuple[list[str], float | None]] = {
            "python -c pass": ([PYTHON, "-c", "pass"], None),
            "python -c 'import sympy'": ([PYTHON, "-c", "import sympy"], None),
            "symdl --help": ([*SYMDL, "--help"], 1.5),
            "symdl --version": ([*SYMDL, "--version"], 1.5),
            "symdl list": ([*SYMDL, "list"], 1.5),
            "symdl latex --all --format standalone": ([*SYMDL, "latex", "--all", "--format", "standalone"], 2.0),
        }
        commands.update({f"symdl show {name}": ([*SYMDL, "show", name], 1.5) for name in names})
        best = {label: float("inf") for label in commands}
        for _ in range(args.repeat):
            for label, (argv, _target) in commands.items():
                best[label] = min(best[label], wall(argv, env))

    sympy = best["python -c 'import sympy'"]
    bare = best["python -c pass"]
    missed = []
    print(f"{'command':<44}{'wall s':>8}{'/ sympy':>9}{'/ pass':>8}  target")
    for label, (_argv, target) in commands.items():
        ratio = best[label] / sympy
        verdict = "" if target is None else (f"<= {target}x  " + ("met" if ratio <= target else "MISSED"))
        if target is not None and ratio > target:
            missed.append(label)
        print(f"{label:<44}{best[label]:8.2f}{ratio:9.2f}{best[label] / bare:8.2f}  {verdict}")
    shows = [best[f"symdl show {name}"] / sympy for name in names]
    print(f"warm show, {len(names)} names: worst {max(shows):.2f}x, median {sorted(shows)[len(shows) // 2]:.2f}x")
    print(
        f"cold derivation of the catalogue ({len(CATALOGUE)} names, show --json and latex): {cold:.1f} s  <= 60 s  "
        + ("met" if cold <= 60 else "MISSED")
    )
    if cold > 60:
        missed.append("cold catalogue")
    print("all targets met" if not missed else f"missed: {', '.join(missed)}")


if __name__ == "__main__":
    main()
