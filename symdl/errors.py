"""symdl's errors: one base class, so callers can catch everything symdl raises.

Every message names the input, the problem and the fix, in one line: the CLI
prints it as is and exits with status 2.
"""

from __future__ import annotations


class SymdlError(Exception):
    """Base class of every error symdl raises on purpose."""


class UnknownActivation(SymdlError, KeyError):
    """A name that is neither a catalogue name nor an alias."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0])


class BadParameter(SymdlError, ValueError):
    """A parameter that the activation does not have, or a value it cannot take."""


class DerivationError(SymdlError):
    """The engine could not derive something it was asked for."""


class NotFound(DerivationError):
    """A fact the engine's strategies did not find, and why (the message), which claims nothing about it."""


class BadNetwork(SymdlError, ValueError):
    """A network spec symdl cannot use: malformed TOML, a missing key, a bad number, shapes that do not fit."""


class UnknownLoss(SymdlError, KeyError):
    """A loss name symdl does not know (``symdl.network.losses.loss_names()`` lists them)."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0])


class BadOutput(SymdlError, ValueError):
    """A file symdl cannot write: a format it does not draw, a missing directory, no permission."""
