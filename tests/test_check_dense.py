"""symdl check --dense N: random points beyond the grid, the same on every machine."""

from __future__ import annotations

import json

import numpy as np
import pytest

from symdl.numeric.check import DENSE_SEED, dense_points, grid


def test_dense_points_are_deterministic_and_cover_the_stated_ranges():
    points = dense_points(10_001)
    assert np.array_equal(points, dense_points(10_001))  # the same draw every time
    assert not np.array_equal(points, dense_points(10_001, seed=DENSE_SEED + 1))
    assert len(points) == 10_001
    logs, uniform = points[:5001], points[5001:]  # half rounded up log-uniform, the rest uniform
    magnitudes = np.abs(logs)
    assert magnitudes.min() >= 1e-300 and magnitudes.max() <= 700.0
    decades = np.log10(magnitudes)
    assert decades.min() < -290 and decades.max() > 2.5  # both ends of [1e-300, 700] are reached
    counts, _ = np.histogram(decades, bins=10, range=(-300, np.log10(700)))
    assert counts.min() > 0.7 * counts.mean()  # log-uniform: every tenth of the decades holds its share
    assert np.all(np.abs(uniform) <= 50.0) and uniform.min() < -45 and uniform.max() > 45
    for part in (logs, uniform):
        assert 0.4 < np.mean(part > 0) < 0.6  # both signs
    assert np.isfinite(points).all()


def test_dense_bad_count_is_one_line_and_status_2(capsys):
    from symdl.cli import main

    for bad in ("0", "-5", "many"):
        with pytest.raises(SystemExit) as done:
            main(["check", "--only", "relu", "--dense", bad])
        assert done.value.code == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and "--dense" in err


def test_seed_without_dense_is_refused(capsys):
    from symdl.cli import main

    with pytest.raises(SystemExit) as done:
        main(["check", "--only", "relu", "--seed", "3"])
    assert done.value.code == 2
    assert "--dense" in capsys.readouterr().err


def test_dense_check_of_a_cheap_function_passes(capsys):
    from symdl.cli import main

    main(["check", "--only", "softsign", "--dense", "300", "--seed", "7", "--quick", "--json", "--jobs", "1"])
    (report,) = json.loads(capsys.readouterr().out)
    assert report["activation"] == "softsign" and report["passed"]
    float64 = [a for a in report["accuracy"] if a["dtype"] == "float64"]
    extra = set(dense_points(300, seed=7)) - set(grid()[::10])
    assert all(a["points"] == len(set(grid()[::10])) + len(extra) for a in float64)
