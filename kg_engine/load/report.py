"""Load reports: per-file counts that a CLI or a test can read."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from kg_engine.store.base import UpsertResult

# progress(label, done, total): called as a loader advances through its files.
Progress = Callable[[str, int, int], None]


def no_progress(label: str, done: int, total: int) -> None:
    """A progress callback that does nothing."""


@dataclass
class FileReport:
    """What happened to one input file."""

    file: str
    read: int = 0
    malformed: int = 0
    result: UpsertResult = field(default_factory=UpsertResult)

    @property
    def rejected(self) -> int:
        """Malformed rows plus rows the store could not attach."""
        return self.malformed + len(self.result.rejected)


@dataclass
class LoadReport:
    """A whole load job."""

    source: str
    files: list[FileReport] = field(default_factory=list)
    deadletter: str | None = None

    @property
    def inserted(self) -> int:
        """New nodes and edges."""
        return sum(f.result.inserted for f in self.files)

    @property
    def rejected(self) -> int:
        """Rows dead-lettered."""
        return sum(f.rejected for f in self.files)
