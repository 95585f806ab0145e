"""The time budget's child process: killed at the deadline by its parent, and gone on its own when the parent is
killed first (a watchdog's SIGKILL must not leave a SymPy search running as an orphan)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from symdl.budget import NOT_IN_TIME, OutOfTime, budget, guarded

PARENT = textwrap.dedent(
    """
    import os, sys, time
    from symdl.budget import budget, guarded

    def step(path):
        with open(path + ".tmp", "w") as out:
            out.write(str(os.getpid()))
        os.replace(path + ".tmp", path)
        time.sleep(600)

    with budget(float(sys.argv[2])):
        guarded("a step that never ends", step, sys.argv[1])
    """
)


def _running(pid: int) -> bool:
    """Whether the process exists and is not a zombie waiting to be reaped."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"


def _child_of(parent: subprocess.Popen, path: Path) -> int:
    deadline = time.monotonic() + 60
    while not path.exists():
        assert parent.poll() is None, "the parent ended before its child started"
        assert time.monotonic() < deadline, "the child never started"
        time.sleep(0.05)
    return int(path.read_text())


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads process states from /proc")
def test_a_child_whose_parent_is_killed_ends_itself(tmp_path):
    path = tmp_path / "child.pid"
    parent = subprocess.Popen([sys.executable, "-c", PARENT, str(path), "600"])
    try:
        child = _child_of(parent, path)
        assert _running(child)
        parent.send_signal(signal.SIGKILL)  # the parent cannot kill its child now
        parent.wait()
        gone = time.monotonic() + 10
        while _running(child) and time.monotonic() < gone:
            time.sleep(0.05)
        assert not _running(child), "the orphaned child kept computing after its parent was killed"
    finally:
        parent.kill()
        parent.wait()
        if path.exists() and _running(int(path.read_text())):
            os.kill(int(path.read_text()), signal.SIGKILL)


def test_a_step_past_its_deadline_is_out_of_time_and_its_child_is_gone(tmp_path):
    path = tmp_path / "child.pid"
    start = time.monotonic()
    with pytest.raises(OutOfTime, match=f"a step that never ends: {NOT_IN_TIME}"), budget(1.0):
        guarded("a step that never ends", _sleep_forever, str(path))
    assert time.monotonic() - start < 10
    assert not _running(int(path.read_text()))


def _sleep_forever(path: str) -> None:
    Path(path).write_text(str(os.getpid()))
    time.sleep(600)
