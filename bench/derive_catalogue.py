"""Time to derive the whole catalogue from scratch (derivative, output form, breakpoints, properties).

Run:  python bench/derive_catalogue.py

Issue 2 asks for "seconds, not minutes". Each activation's time is printed, slowest first; a second
pass shows the cache (every view calls symdl.derive freely).
"""

from __future__ import annotations

import time

import symdl
from symdl.catalog import CATALOGUE


def main() -> None:
    times = []
    start = time.perf_counter()
    for act in CATALOGUE:
        t = time.perf_counter()
        symdl.derive(act)
        times.append((time.perf_counter() - t, act.name))
    total = time.perf_counter() - start
    again = time.perf_counter()
    for act in CATALOGUE:
        symdl.derive(act)
    cached = time.perf_counter() - again
    for seconds, name in sorted(times, reverse=True)[:8]:
        print(f"{name:<13}{seconds:7.2f} s")
    count = len(CATALOGUE)
    print(f"whole catalogue ({count} activations): {total:.1f} s; again, from the cache: {cached * 1e3:.1f} ms")


if __name__ == "__main__":
    main()
