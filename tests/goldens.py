"""The commands whose whole output is kept under ``tests/goldens/``: every catalogue entry shown, the documents
of the whole catalogue and of the lecture's eight, and the network's forward and backward passes.

The goldens were written by ``python tests/goldens.py`` and read through against the lecture and the
references named in the tests; ``tests/test_goldens.py`` proves every command still prints them byte for
byte, and ``bench/determinism.py`` that a saturated machine prints the same.  A change of output on purpose
is made by regenerating them and saying why in the commit.
"""

from __future__ import annotations

import contextlib
import io
import sys
from pathlib import Path

FOLDER = Path(__file__).parent / "goldens"
LECTURE = ["sigmoid", "softmax", "tanh", "relu", "leaky_relu", "prelu", "elu", "selu"]
CLASSIFIER = ["--hidden-activation", "sigmoid", "--output-activation", "softmax", "--loss", "cross_entropy"]


def commands() -> dict[str, list[str]]:
    """Golden file name -> the ``symdl`` arguments that print it."""
    from symdl.catalog import CATALOGUE

    runs = {}
    for name in sorted(a.name for a in CATALOGUE):
        runs[f"show-{name}.txt"] = ["show", name]
        runs[f"show-{name}.json"] = ["show", name, "--json"]
    runs["latex-all-standalone.tex"] = ["latex", "--all", "--format", "standalone"]
    runs["latex-all.md"] = ["latex", "--all", "--format", "markdown"]
    runs["latex-lecture-beamer-en.tex"] = ["latex", *LECTURE, "--format", "beamer", "--lang", "en"]
    runs["latex-lecture-beamer-ko.tex"] = ["latex", *LECTURE, "--format", "beamer", "--lang", "ko"]
    runs["forward.txt"] = ["forward"]
    runs["forward.json"] = ["forward", "--json"]
    runs["forward-sigmoid.tex"] = ["forward", "--hidden-activation", "sigmoid", "--latex"]
    runs["backward.txt"] = ["backward"]
    runs["backward.json"] = ["backward", "--json"]
    runs["backward-classifier.txt"] = ["backward", *CLASSIFIER]
    runs["backward-classifier.json"] = ["backward", *CLASSIFIER, "--json"]
    runs["backward-classifier.md"] = ["backward", *CLASSIFIER, "--markdown"]
    return runs


def output(args: list[str]) -> str:
    """What ``symdl ARGS`` prints on standard output, run in this process; a non-zero exit is a failure."""
    from symdl.cli import main

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        try:
            main(args)
        except SystemExit as done:
            if done.code:
                raise AssertionError(f"symdl {' '.join(args)} exited {done.code}") from None
    return out.getvalue()


def write(folder: Path = FOLDER) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for file_name, args in commands().items():
        (folder / file_name).write_text(output(args), encoding="utf-8")


if __name__ == "__main__":
    write(Path(sys.argv[1]) if len(sys.argv) > 1 else FOLDER)
