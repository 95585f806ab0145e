"""The same answer at any load: symdl's outputs on a quiet machine and on a saturated one, byte for byte.

Run:  python bench/determinism.py [--busy N] [--keep DIR]

Each pass runs, in a fresh process, the golden commands of ``tests/goldens.py``: ``symdl show NAME`` and
``--json`` for every catalogue name, ``symdl latex --all --format standalone`` and ``--format markdown``, the
Beamer deck of the lecture's eight in English and Korean, and the forward and backward passes.  The first
pass runs on a quiet machine; the second with N busy-loop processes beside it (default: one per core).
Every output of the two passes must be byte-identical; any file that differs is named and the exit
status is 1.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from goldens import write as write_outputs  # one list of commands for both


def _busy(stop: multiprocessing.Event) -> None:
    while not stop.is_set():
        for _ in range(100_000):
            pass


def one_pass(folder: Path, busy: int) -> float:
    """Write the outputs in a fresh process beside ``busy`` busy loops; the wall time it took."""
    stop = multiprocessing.Event()
    loops = [multiprocessing.Process(target=_busy, args=(stop,), daemon=True) for _ in range(busy)]
    for loop in loops:
        loop.start()
    start = time.perf_counter()
    try:
        subprocess.run([sys.executable, __file__, "--write", str(folder)], check=True)
    finally:
        stop.set()
        for loop in loops:
            loop.join()
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--busy", type=int, default=os.cpu_count() or 2, help="busy loops in the loaded pass")
    parser.add_argument("--keep", type=Path, help="keep both passes' outputs under this folder")
    parser.add_argument("--write", type=Path, help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.write:
        write_outputs(options.write)
        return 0
    root = options.keep or Path(tempfile.mkdtemp(prefix="symdl-determinism-"))
    quiet, loaded = root / "quiet", root / "loaded"
    for folder in (quiet, loaded):
        folder.mkdir(parents=True, exist_ok=True)
    print(f"quiet pass:  {one_pass(quiet, 0):6.1f} s")
    print(f"loaded pass: {one_pass(loaded, options.busy):6.1f} s with {options.busy} busy loops")
    names = sorted(p.name for p in quiet.iterdir())
    differ = [n for n in names if (quiet / n).read_bytes() != (loaded / n).read_bytes()]
    differ += [p.name for p in loaded.iterdir() if not (quiet / p.name).exists()]
    if differ:
        print(f"{len(differ)} of {len(names)} outputs DIFFER: {', '.join(differ)}  (both passes in {root})")
        return 1
    print(f"all {len(names)} outputs byte-identical (in {root})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
