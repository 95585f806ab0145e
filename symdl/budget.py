"""Time budgets: the last guard for work on what a user typed, and never a judge of what is true.

symdl's results never depend on the clock.  A catalogue declaration is derived by strategies whose work
is bounded by the expression itself (depth, degree, grid size), so it gives the same derivation on any
machine at any load, and no budget is ever started for it.  An expression a user typed may send SymPy's
general solvers into a search of no known bound; work on it runs under a budget, and a step that does not
finish in time raises ``OutOfTime``.  The caller reports that fact as "not found within the time limit"
(``NOT_IN_TIME``): never as "none exists", never as a guess.

A step runs in a forked child process that is killed when the budget is spent: a signal cannot interrupt
SymPy reliably (its ``except Exception`` clauses, or a gc callback, may receive the alarm instead).
"""

from __future__ import annotations

import multiprocessing
import threading
import time
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

_FORK = multiprocessing.get_context("fork")
_FORKSERVER = multiprocessing.get_context("forkserver")
_FORKSERVER.set_forkserver_preload(["symdl.engine.solving"])  # SymPy and the guarded steps, imported once


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
    context = _FORK if threading.active_count() == 1 else _FORKSERVER
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(target=_child, args=(sender, step, args), daemon=True)
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


def _child(connection: Any, step: Callable[..., Any], args: tuple[Any, ...]) -> None:
    global _in_child
    _in_child = True  # steps nested in this one run here: the parent kills this process at the deadline
    try:
        connection.send((True, step(*args)))
    except Exception as error:  # handed to the parent, which raises it there
        connection.send((False, error))
    finally:
        connection.close()


__all__ = ["NOT_IN_TIME", "USER_SECONDS", "OutOfTime", "active", "budget", "clock", "guarded", "unbounded"]
