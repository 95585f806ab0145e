"""``symdl list`` reads a listing generated from the declarations: it must be current, and need no SymPy."""

from __future__ import annotations

import json
import subprocess
import sys

from symdl.render.listing import rows, stored


def test_the_stored_listing_is_the_catalogues_own():
    assert stored() == rows(), "symdl/data/listing.json is stale: regenerate it with `python -m symdl.render.listing`"


def test_symdl_list_imports_no_sympy_and_prints_every_name():
    script = """
import contextlib, io, json, sys
from symdl.cli import main
out = io.StringIO()
with contextlib.redirect_stdout(out):
    try:
        main(["list", "--json"])
    except SystemExit as done:
        assert not done.code
print(json.dumps({"sympy": "sympy" in sys.modules, "names": [r["name"] for r in json.loads(out.getvalue())]}))
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=True)
    result = json.loads(done.stdout)
    assert result["sympy"] is False
    from symdl.catalog import CATALOGUE

    assert result["names"] == sorted(a.name for a in CATALOGUE)
