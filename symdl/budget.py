"""Time budgets: the last guard for work on what a user typed, and never a judge of what is true.

symdl's results never depend on the clock.  A catalogue declaration is derived by strategies whose work
is bounded by the expression itself (depth, degree, grid size), so it gives the same derivation on any
machine at any load, and no budget is ever started for it.  An expression a user typed may send SymPy's
general solvers into a search of no known bound; work on it runs under a budget, and a step that does not
finish in time raises ``OutOfTime``.  The caller reports that fact as "not found within the time limit"
(``NOT_IN_TIME``): never as "none exists", never as a guess.

A step runs in a forked child process that is killed when the budget is spent: a signal cannot interrupt
SymPy reliably (its ``except Exception`` clauses, or a gc callback, may receive the alarm instead).

The child is always forked, even when the process has other threads (a notebook kernel, a test runner):
it inherits everything the parent has already found (compiled functions, derivations), so its work is the
step alone.  A child started afresh (forkserver, spawn) would redo that work inside the budget, and whether
the step finished in time would depend on the machine's load.  The forked child runs the step and sends
one pickle through a pipe; should it block on a lock another thread held at the fork, it is killed at the
deadline like any step that does not finish: ``OutOfTime``, never a hang.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
import time
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, TypeVar

from symdl.errors import SymdlError

T = TypeVar("T")

NOT_IN_TIME = "not found within the time limit"
USER_SECONDS = 7.0  # the budget of one fact of a user's expression (the CLI: of all of them together)

_deadline: ContextVar[float | None] = ContextVar("symdl_deadline", default=None)
_in_child = False  # True in a guarded step's child process: its deadline is the parent's to enforce
_GRACE = 1.0  # the child ends itself this long after the deadline, should its parent not have (seconds)

# Where there is no fork (Windows), a spawned child imports symdl afresh: slower, the same answers.
_CONTEXT = multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn")


class OutOfTime(SymdlError):
    """A step on user input did not finish within its time budget."""

    def __init__(self, what: str = "this step") -> None:
        super().__init__(f"{what}: {NOT_IN_TIME}")


def clock() -> float:
    """The clock budgets are measured by (a test may make it hostile)."""
    return time.monotonic()


@contextmanager
def budget(seconds: float) -> Iterator[None]:
    """Guarded steps inside this block share ``seconds`` of wall time; an outer, earlier deadline stays."""
    deadline = clock() + seconds
    outer = _deadline.get()
    token = _deadline.set(deadline if outer is None else min(outer, deadline))
    try:
        yield
    finally:
        _deadline.reset(token)


@contextmanager
def unbounded() -> Iterator[None]:
    """Work on a declaration inside this block runs with no deadline, even within a user's budget (a
    document of the catalogue and your own activation): its result must not depend on the clock."""
    token = _deadline.set(None)
    try:
        yield
    finally:
        _deadline.reset(token)


def active() -> bool:
    """Whether a budget is running (the work is on user input)."""
    return _deadline.get() is not None


def in_child() -> bool:
    """Whether this is a guarded step's child process, which its parent kills at the deadline: what it finds
    goes back to the parent, which keeps it (``symdl.cache``); the child writes nothing of its own."""
    return _in_child


def guarded(what: str, step: Callable[..., T], *args: Any) -> T:
    """``step(*args)``; under a budget, in a child process that is killed at the deadline (``OutOfTime``).

    With no budget running the step is called directly: it is work on a declaration, bounded by its
    strategy, and its result must not depend on the machine's speed.  Inside a guarded step a nested one
    is called directly too: the outer child is killed at the deadline, and everything under it.
    """
    deadline = _deadline.get()
    if deadline is None or _in_child:
        return step(*args)
    remaining = deadline - clock()
    if remaining <= 0:
        raise OutOfTime(what)
    receiver, sender = _CONTEXT.Pipe(duplex=False)
    child = _CONTEXT.Process(target=_child, args=(sender, step, args, os.getpid(), remaining), daemon=True)
    with warnings.catch_warnings():  # Python 3.12+ warns of fork beside threads: see the module docstring
        warnings.filterwarnings("ignore", r".*multi-threaded, use of fork", DeprecationWarning)
        child.start()
    sender.close()
    try:
        if not receiver.poll(remaining):
            raise OutOfTime(what)
        ok, value = receiver.recv()
    except EOFError:  # the child died without an answer (out of memory, say)
        raise OutOfTime(what) from None
    finally:
        receiver.close()
        child.kill()
        child.join()
    if not ok:
        raise value
    return value


def _child(connection: Any, step: Callable[..., Any], args: tuple[Any, ...], parent: int, seconds: float) -> None:
    global _in_child
    _in_child = True  # steps nested in this one run here: the parent kills this process at the deadline
    threading.Thread(target=_watch, args=(parent, seconds + _GRACE), daemon=True).start()
    try:
        connection.send((True, step(*args)))
    except Exception as error:  # handed to the parent, which raises it there
        connection.send((False, error))
    finally:
        connection.close()


def _watch(parent: int, seconds: float) -> None:
    """In the child: end it after ``seconds``, or as soon as its parent is gone.  A parent killed before it could
    kill its child (a watchdog's SIGKILL, a closed terminal) would otherwise leave the child computing, an
    orphan, for as long as the step takes: with SymPy on an exponential tower, for good."""
    end = time.monotonic() + seconds
    while time.monotonic() < end and os.getppid() == parent:
        time.sleep(0.1)
    os._exit(1)


__all__ = [
    "NOT_IN_TIME",
    "USER_SECONDS",
    "OutOfTime",
    "active",
    "budget",
    "clock",
    "guarded",
    "in_child",
    "unbounded",
]
