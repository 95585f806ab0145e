"""Files written all or nothing: a temporary file beside the target, renamed over it when complete."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

from symdl.errors import BadOutput


def write_whole(path: str | Path, write: Callable[[IO[Any]], None], binary: bool = False) -> Path:
    """Call ``write`` on a temporary file beside PATH, then rename it over PATH.

    A failure (an OSError becomes one ``BadOutput`` line; anything else propagates) removes the
    temporary file and leaves PATH as it was.
    """
    target, handle = Path(path), None
    opened = {"mode": "wb"} if binary else {"mode": "w", "encoding": "utf-8"}
    try:
        with tempfile.NamedTemporaryFile(
            dir=target.parent, prefix=f".{target.name}.", suffix=".part", delete=False, **opened
        ) as handle:
            write(handle)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(handle.name, 0o666 & ~umask)  # as a file the user writes, not the temporary file's 0600
        os.replace(handle.name, target)
    except BaseException as error:
        if handle is not None:
            Path(handle.name).unlink(missing_ok=True)
        if isinstance(error, OSError):
            raise BadOutput(f"cannot write {path}: {error.strerror or error}") from None
        raise
    return target


__all__ = ["write_whole"]
