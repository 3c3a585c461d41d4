"""Dead-letter files: every rejected row or document, with where it came from and why."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO


@dataclass
class DeadLetter:
    """A JSONL sink for rejected items; one file per job, rewritten when the job runs again.

    ``append`` keeps what the file holds (a resumed job adds to its earlier run's entries).
    """

    path: Path
    append: bool = False
    count: int = 0
    _fh: TextIO | None = field(default=None, repr=False)

    def write(self, file: str, line: int | None, reason: str, record: Any = None) -> None:
        """Record one rejected item."""
        if self._fh is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._fh = self.path.open("a" if self.append else "w", encoding="utf-8")
        entry = {"file": file, "line": line, "reason": reason, "record": record}
        self._fh.write(json.dumps(entry, default=str) + "\n")
        self.count += 1

    def flush(self) -> None:
        """Push what was written to disk (before a job records the rejections as done)."""
        if self._fh is not None:
            self._fh.flush()
            os.fsync(self._fh.fileno())

    def close(self) -> None:
        """Flush and close the file (if anything was written)."""
        if self._fh is not None:
            self._fh.close()
            self._fh = None

    def __enter__(self) -> DeadLetter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
