"""Errors and warnings for users of framing.

Every message is one sentence that names the file (or argument) and says what to do. The command line
prints it without a traceback.
"""

from __future__ import annotations

__all__ = ["FramingError", "FramingWarning"]


class FramingError(ValueError):
    """A problem with the user's input or options that stops the command (one clear sentence)."""


class FramingWarning(UserWarning):
    """Something in the input was repaired or skipped; it is also listed in ``Corpus.issues``."""
