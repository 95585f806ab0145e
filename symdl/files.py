"""Files written all or nothing: a temporary file beside the target, renamed over it when complete.

What a target may be:
- ``-``: standard output (nothing is renamed);
- a new file: created with the mode a file the user writes gets (0666 less the umask);
- an existing regular file: replaced, keeping its permission bits (a 0600 file stays 0600) and, where the
  process may set them, its owner and group; a file this process may not write (read-only) is refused;
- a symbolic link: followed to the regular file it points at, which is replaced as above; the link stays a link
  (a link to nothing, or to anything but a regular file, is refused);
- anything else that exists (a directory, a FIFO, a device such as /dev/full, a socket): refused with one line,
  before anything is written.
A failure leaves the target as it was and no temporary file behind.  Like every rename-over writer, replacing a
file gives it a new inode: its other hard links keep the old contents.
"""

from __future__ import annotations

import contextlib
import os
import stat
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

from symdl.errors import BadOutput

STDOUT = "-"

_KINDS = {
    stat.S_ISDIR: "a directory",
    stat.S_ISFIFO: "a FIFO (named pipe)",
    stat.S_ISCHR: "a character device",
    stat.S_ISBLK: "a block device",
    stat.S_ISSOCK: "a socket",
}


def writable_target(path: str | Path) -> Path:
    """The regular file writing PATH replaces (a symbolic link followed; ``-`` is standard output), or a
    ``BadOutput`` line saying why not.

    Called before the work, so that a target symdl will refuse is refused at once; ``write_whole`` calls it again.
    """
    if str(path) == STDOUT:
        return Path(STDOUT)
    given = Path(path)
    target = Path(os.path.realpath(given)) if given.is_symlink() else given
    try:
        mode = target.stat().st_mode
    except FileNotFoundError:
        if given.is_symlink():
            raise BadOutput(f"cannot write {path}: it is a symbolic link to {target}, which does not exist") from None
        return target
    except OSError as error:
        raise BadOutput(f"cannot write {path}: {error.strerror or error}") from None
    if stat.S_ISREG(mode):
        if not os.access(target, os.W_OK):
            raise BadOutput(f"cannot write {path}: the file is read-only; make it writable or give another name")
        return target
    kind = next((name for test, name in _KINDS.items() if test(mode)), "not a regular file")
    via = f" (a symbolic link to {target})" if target != given else ""
    raise BadOutput(f"cannot write {path}{via}: it is {kind}, not a regular file; give a file name")


def write_whole(path: str | Path, write: Callable[[IO[Any]], None], binary: bool = False) -> Path:
    """Call ``write`` on a temporary file beside PATH, then rename it over PATH; PATH ``-`` is standard output.

    A failure (an OSError becomes one ``BadOutput`` line; anything else propagates) removes the
    temporary file and leaves PATH as it was.
    """
    if str(path) == STDOUT:
        write(sys.stdout.buffer if binary else sys.stdout)
        return Path(STDOUT)
    target, handle = writable_target(path), None
    opened = {"mode": "wb"} if binary else {"mode": "w", "encoding": "utf-8"}
    try:
        existing = target.stat() if target.exists() else None
        with tempfile.NamedTemporaryFile(
            dir=target.parent, prefix=f".{target.name}.", suffix=".part", delete=False, **opened
        ) as handle:
            write(handle)
        if existing is None:
            os.chmod(handle.name, 0o666 & ~_umask())  # as a file the user writes, not the temporary file's 0600
        else:
            _keep_owner(handle.name, existing)
            os.chmod(handle.name, stat.S_IMODE(existing.st_mode))
        os.replace(handle.name, target)
    except BaseException as error:
        if handle is not None:
            Path(handle.name).unlink(missing_ok=True)
        if isinstance(error, OSError):
            raise BadOutput(f"cannot write {path}: {error.strerror or error}") from None
        raise
    return Path(path)


def _keep_owner(name: str, existing: os.stat_result) -> None:
    """Give the new file the old one's owner and group, where this process may (root may; others keep theirs)."""
    if (existing.st_uid, existing.st_gid) != (os.geteuid(), os.getegid()):
        with contextlib.suppress(PermissionError):
            os.chown(name, existing.st_uid, existing.st_gid)


def _umask() -> int:
    """The process's umask (reading it means setting it: put it straight back)."""
    umask = os.umask(0)
    os.umask(umask)
    return umask


__all__ = ["STDOUT", "writable_target", "write_whole"]
