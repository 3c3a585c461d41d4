"""The catalogue of errors users see. The CLI turns each into a one-line message and exit code."""

from __future__ import annotations


class KgError(Exception):
    """Base of every error the engine reports to users (never shown with a traceback)."""

    exit_code = 1


class ConfigError(KgError):
    """A setting is missing or invalid (names the variable or file)."""

    exit_code = 2


class StoreError(KgError):
    """The graph store could not be opened or written."""


class QueryError(KgError):
    """The backend rejected a query (syntax, unknown label, bad parameter); carries its message."""


class ReadOnlyError(KgError):
    """A write was attempted on a store opened read-only."""


class LoadError(KgError):
    """A source file is missing or unreadable as a whole (single bad rows are dead-lettered instead)."""


class JobStateError(KgError):
    """A batch job cannot start as asked: an interrupted run of it exists, or it is running elsewhere."""

    exit_code = 3
