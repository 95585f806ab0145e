"""Every golden command prints, byte for byte, the output kept under ``tests/goldens/`` (see goldens.py)."""

from __future__ import annotations

import pytest
from goldens import FOLDER, commands, output

RUNS = commands()


def test_every_golden_has_its_command():
    assert sorted(p.name for p in FOLDER.iterdir()) == sorted(RUNS)


@pytest.mark.parametrize("file_name", sorted(RUNS))
def test_output_is_the_golden(file_name):
    assert output(RUNS[file_name]) == (FOLDER / file_name).read_text(encoding="utf-8")
