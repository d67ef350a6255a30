"""Errors reach raises on purpose.

Every error a user can cause (bad input, unknown person, empty workspace) is a
:class:`ReachError`; the CLI turns it into one line on stderr and an exit code.
Anything else escaping is a bug.
"""

from __future__ import annotations


class ReachError(Exception):
    """Base for every error reach raises on purpose."""

    exit_code = 1


class InputFormatError(ReachError):
    """An input file is unreadable, of an unknown format, or malformed as a whole."""

    exit_code = 2


class SchemaError(ReachError):
    """A table does not match its contract in :mod:`reach.schema`."""

    exit_code = 2


class WorkspaceError(ReachError):
    """The workspace is missing, empty, locked or from an incompatible version."""

    exit_code = 2


class ConfigError(ReachError):
    """A setting or config file is invalid."""

    exit_code = 2


class UnsafeOutput(ReachError):
    """An output path would replace or delete something reach did not write (the user's data)."""

    exit_code = 2


class PersonNotFound(ReachError, LookupError):
    """A person reference matched nobody (or too many people)."""

    def __str__(self) -> str:  # LookupError would add quotes otherwise
        return str(self.args[0]) if self.args else ""


class NoPath(ReachError):
    """Two people are not connected within the allowed number of hops."""
