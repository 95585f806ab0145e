"""The ``symdl`` command line: thin commands over the library's views.

Bad input gets one line on stderr and exit status 2: never a traceback.  The commands live by subject:
``activations`` (list, show, derive, latex, check), ``network`` (forward, backward), ``figures`` (plot,
diagram); ``base`` holds what they share.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

import click

from symdl.cli import activations, figures, network
from symdl.cli.base import cli
from symdl.errors import SymdlError

COMMANDS = (activations, figures, network)  # each registers its commands on ``cli`` when imported


def main(argv: Sequence[str] | None = None) -> None:
    """Run the CLI; user errors become one line on stderr and exit status 2."""
    try:
        cli.main(args=list(argv) if argv is not None else None, prog_name="symdl", standalone_mode=False)
    except click.exceptions.Exit as done:
        sys.exit(done.exit_code)
    except click.Abort:
        click.echo("symdl: aborted", err=True)
        sys.exit(1)
    except click.UsageError as error:
        click.echo(f"symdl: {error.format_message()} (see symdl --help)", err=True)
        sys.exit(2)
    except SymdlError as error:
        click.echo(f"symdl: {error}", err=True)
        sys.exit(2)
    except Exception as error:  # an internal error: say so in one line, traceback on request
        if os.environ.get("SYMDL_DEBUG"):
            raise
        click.echo(
            f"symdl: internal error: {type(error).__name__}: {error} (set SYMDL_DEBUG=1 for the traceback)", err=True
        )
        sys.exit(1)


__all__ = ["cli", "main"]
