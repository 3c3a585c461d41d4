"""Job checkpoints: which documents of a job are done, kept under ``$KG_HOME/jobs/<job id>/``.

A job is identified by what it reads and how: its kind, every source's path, size and modification
time, the pipeline's model and knowledge-base versions and, for ``kg extract``, the output file. Its
folder holds ``job.json`` (identity and status) and ``commits.jsonl``, one line per committed batch
with the documents it finished as ordinal ranges per source. A line is appended (and fsynced) only
after the batch's results are safely written, so a job killed between the two does that batch again;
idempotent upserts keep the graph's counts exact, and ``kg extract`` truncates its output back to the
offset of the last commit. A partial last line (a kill during the append) is dropped when resuming.
"""

from __future__ import annotations

import bisect
import fcntl
import hashlib
import json
import os
import shutil
import time
import weakref
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from kg_engine.errors import JobStateError

RUNNING, COMPLETE = "running", "complete"
_OPEN: weakref.WeakSet[Checkpoint] = weakref.WeakSet()  # checkpoints holding their job's lock in this process


@dataclass(frozen=True, slots=True)
class JobIdentity:
    """What makes two runs the same job."""

    kind: str
    sources: tuple[tuple[str, int, int], ...]  # (resolved path, size in bytes, mtime in ns)
    model: str
    target: str | None = None

    @classmethod
    def of(cls, kind: str, sources: Sequence[Path], model: str, target: Path | None = None) -> JobIdentity:
        """The identity of a job reading ``sources`` with pipeline ``model`` (writing ``target``, if a file)."""
        return cls(kind, tuple(_fingerprint(Path(p)) for p in sources), model,
                   str(Path(target).resolve()) if target else None)

    @property
    def job_id(self) -> str:
        """``<kind>-<first 16 hex digits of the identity's SHA-256>``."""
        digest = hashlib.sha256(json.dumps(self.to_json(), sort_keys=True).encode()).hexdigest()
        return f"{self.kind}-{digest[:16]}"

    def to_json(self) -> dict[str, Any]:
        """The identity as written into ``job.json``."""
        return {"kind": self.kind, "sources": [list(s) for s in self.sources], "model": self.model,
                "target": self.target}


def _fingerprint(path: Path) -> tuple[str, int, int]:
    """(path, size, mtime) of a file; for a folder, the total size and latest mtime of the files in it."""
    if path.is_dir():
        stats = [p.stat() for p in sorted(path.rglob("*")) if p.is_file()]
        return (str(path.resolve()), sum(s.st_size for s in stats), max((s.st_mtime_ns for s in stats), default=0))
    stat = path.stat()
    return (str(path.resolve()), stat.st_size, stat.st_mtime_ns)


@dataclass
class DoneRanges:
    """Sets of ordinals per source, held as sorted, merged half-open ranges (compact for millions of documents)."""

    ranges: dict[int, list[tuple[int, int]]] = field(default_factory=dict)

    @staticmethod
    def compress(ordinals: Iterable[int]) -> list[tuple[int, int]]:
        """Sorted ordinals as ``[start, end)`` runs."""
        runs: list[tuple[int, int]] = []
        for o in sorted(set(ordinals)):
            if runs and runs[-1][1] == o:
                runs[-1] = (runs[-1][0], o + 1)
            else:
                runs.append((o, o + 1))
        return runs

    def add(self, source: int, runs: Iterable[Sequence[int]]) -> None:
        """Add ``[start, end)`` runs of one source, merging with what is there."""
        merged: list[tuple[int, int]] = []
        for start, end in sorted([*self.ranges.get(source, []), *((int(a), int(b)) for a, b in runs)]):
            if merged and start <= merged[-1][1]:
                merged[-1] = (merged[-1][0], max(merged[-1][1], end))
            else:
                merged.append((start, end))
        self.ranges[source] = merged

    def __contains__(self, key: tuple[int, int]) -> bool:
        source, ordinal = key
        runs = self.ranges.get(source, [])
        i = bisect.bisect_right(runs, (ordinal, float("inf"))) - 1
        return i >= 0 and runs[i][0] <= ordinal < runs[i][1]

    def count(self) -> int:
        """How many ordinals, over all sources."""
        return sum(end - start for runs in self.ranges.values() for start, end in runs)


@dataclass(eq=False)
class Checkpoint:
    """The commit log of one job; ``folder`` None keeps it in memory only (a job run without checkpoints)."""

    folder: Path | None
    identity: JobIdentity | None = None
    done: DoneRanges = field(default_factory=DoneRanges)
    resumed: bool = False
    offset: int = 0  # output bytes covered by the last commit (kg extract)
    _log: TextIO | None = field(default=None, repr=False)
    _lock: TextIO | None = field(default=None, repr=False)

    @classmethod
    def in_memory(cls) -> Checkpoint:
        """A checkpoint that records nothing on disk."""
        return cls(None)

    @classmethod
    def open(cls, home: Path, identity: JobIdentity, resume: bool = False, restart: bool = False) -> Checkpoint:
        """Open the job's checkpoint: resume it, start it over, or refuse when an interrupted run exists.

        Args:
            home: ``KG_HOME``; the checkpoint lives in ``home/jobs/<job id>``.
            identity: The job.
            resume: Skip what an earlier run of this job committed.
            restart: Discard an interrupted run's checkpoint and start over.

        Raises:
            JobStateError: An interrupted run that committed documents exists and neither ``resume`` nor
                ``restart`` was asked for, or another process is running this job now.
        """
        folder = home / "jobs" / identity.job_id
        folder.mkdir(parents=True, exist_ok=True)
        checkpoint = cls(folder, identity)
        checkpoint._acquire()
        state = checkpoint.state()
        if resume and state:
            checkpoint._load()
        elif state.get("status") == RUNNING and not restart and (committed := checkpoint._count_committed()):
            checkpoint.close()
            raise JobStateError(
                f"an interrupted run of this job exists ({committed:,} documents done, checkpoint {folder}); "
                "re-run with --resume to continue it or --restart to start over"
            )
        else:
            (folder / "commits.jsonl").unlink(missing_ok=True)
        checkpoint._write_state(RUNNING, {})
        checkpoint._log = (folder / "commits.jsonl").open("a", encoding="utf-8")
        return checkpoint

    @staticmethod
    def interrupted_elsewhere(home: Path, identity: JobIdentity) -> list[Path]:
        """Interrupted runs of the same kind over the same paths that are another job now (files or model changed)."""
        paths = [source[0] for source in identity.sources]
        found = []
        for path in sorted((home / "jobs").glob(f"{identity.kind}-*/job.json")):
            state = json.loads(path.read_text(encoding="utf-8"))
            same_paths = [s[0] for s in state["identity"]["sources"]] == paths
            if state["status"] == RUNNING and same_paths and state["job"] != identity.job_id:
                found.append(path.parent)
        return found

    def state(self) -> dict[str, Any]:
        """``job.json`` as written by the last run (empty when there was none)."""
        path = self._path("job.json")
        return json.loads(path.read_text(encoding="utf-8")) if path and path.is_file() else {}

    def is_done(self, source: int, ordinal: int) -> bool:
        """Whether an earlier run committed this document."""
        return (source, ordinal) in self.done

    def commit(self, finished: Iterable[tuple[int, int]], offset: int | None = None) -> None:
        """Record (source, ordinal) documents as done; call only once their results are written and flushed."""
        by_source: dict[int, list[int]] = {}
        for source, ordinal in finished:
            by_source.setdefault(source, []).append(ordinal)
        runs = {s: DoneRanges.compress(o) for s, o in by_source.items()}
        for source, source_runs in runs.items():
            self.done.add(source, source_runs)
        if offset is not None:
            self.offset = offset
        if self._log is None:
            return
        line = {"done": {str(s): r for s, r in runs.items()}, "offset": offset, "time": time.time()}
        self._log.write(json.dumps(line) + "\n")
        self._log.flush()
        os.fsync(self._log.fileno())

    def complete(self, summary: dict[str, Any]) -> None:
        """Mark the job complete (a later run without ``--resume`` starts over without asking)."""
        if self.folder is not None:
            self._write_state(COMPLETE, summary)

    def close(self) -> None:
        """Close the log and release the job's lock."""
        for fh in (self._log, self._lock):
            if fh is not None:
                fh.close()
        self._log = self._lock = None
        _OPEN.discard(self)

    def discard(self) -> None:
        """Delete the checkpoint folder."""
        self.close()
        if self.folder is not None:
            shutil.rmtree(self.folder, ignore_errors=True)

    def __enter__(self) -> Checkpoint:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _path(self, name: str) -> Path | None:
        return self.folder / name if self.folder is not None else None

    def _acquire(self) -> None:
        assert self.folder is not None
        self._lock = (self.folder / "lock").open("w", encoding="utf-8")
        try:
            fcntl.flock(self._lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self.close()
            raise JobStateError(f"this job is running in another process (checkpoint {self.folder})") from None
        _OPEN.add(self)

    def _commit_lines(self) -> list[dict[str, Any]]:
        """Committed lines; a partial last line (the job was killed while appending it) is dropped."""
        path = self._path("commits.jsonl")
        if path is None or not path.is_file():
            return []
        lines = []
        for raw in path.read_text(encoding="utf-8").splitlines():
            try:
                lines.append(json.loads(raw))
            except json.JSONDecodeError:
                break
        return lines

    def _count_committed(self) -> int:
        ranges = DoneRanges()
        for line in self._commit_lines():
            for source, runs in line["done"].items():
                ranges.add(int(source), runs)
        return ranges.count()

    def _load(self) -> None:
        lines = self._commit_lines()
        for line in lines:
            for source, runs in line["done"].items():
                self.done.add(int(source), runs)
            if line.get("offset") is not None:
                self.offset = int(line["offset"])
        path = self._path("commits.jsonl")
        assert path is not None
        path.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
        self.resumed = True

    def _write_state(self, status: str, summary: dict[str, Any]) -> None:
        path = self._path("job.json")
        assert path is not None and self.identity is not None
        state = {"job": self.identity.job_id, "status": status, "identity": self.identity.to_json(),
                 "updated": time.time(), "summary": summary}
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(state, indent=2), encoding="utf-8")
        tmp.replace(path)


def _forget_in_child() -> None:
    """In a forked worker, close the inherited lock and log (the lock stays with the parent).

    Otherwise a worker outliving a killed parent would keep the job locked against ``--resume``.
    """
    for checkpoint in list(_OPEN):
        for fh in (checkpoint._log, checkpoint._lock):
            if fh is not None:
                fh.close()
        checkpoint._log = checkpoint._lock = None
    _OPEN.clear()


os.register_at_fork(after_in_child=_forget_in_child)
