"""The catalogue's listing (``symdl list``): name, aliases, parameters and formula of every activation.

``symdl list`` must answer at once, and SymPy alone takes a second to import, so
the listing is kept in ``symdl/data/listing.json``, generated from the
declarations by this module and read back without SymPy.  A test proves the file
is current (``tests/test_listing.py``); after changing a declaration, regenerate it:

    python -m symdl.render.listing
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

STORED = Path(__file__).parent.parent / "data" / "listing.json"


def rows() -> list[dict[str, Any]]:
    """The listing, computed from the declarations (imports SymPy and the catalogue)."""
    from symdl.catalog import CATALOGUE
    from symdl.render.notation import tex
    from symdl.render.text import one_line, short_number

    out = []
    for act in sorted(CATALOGUE, key=lambda declared: declared.name):  # the declarations, not what a process defined
        out.append(
            {
                "name": act.name,
                "aliases": list(act.aliases),
                "parameters": {p.name: str(p.default) for p in act.parameters},
                "parameters_shown": ", ".join(
                    f"{one_line(p.symbol)}={short_number(p.default)}" for p in act.parameters
                ),
                "formula": one_line(act.definition),
                "formula_latex": tex(act.definition, act),
            }
        )
    return out


def stored() -> list[dict[str, Any]]:
    """The listing as ``symdl/data/listing.json`` holds it (no SymPy)."""
    return json.loads(STORED.read_text(encoding="utf-8"))


def text(listing: list[dict[str, Any]]) -> str:
    """The listing as ``symdl list`` prints it: one aligned row per activation."""
    table = [("name", "aliases", "parameters", "formula")]
    table += [(r["name"], ", ".join(r["aliases"]), r["parameters_shown"], r["formula"]) for r in listing]
    widths = [max(len(row[c]) for row in table) for c in range(3)]
    return "\n".join(
        "  ".join(cell.ljust(w) for cell, w in zip(row[:3], widths, strict=True)) + "  " + row[3] for row in table
    )


def write() -> None:
    """Regenerate ``symdl/data/listing.json`` from the declarations."""
    STORED.write_text(json.dumps(rows(), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    write()
