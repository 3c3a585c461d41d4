"""Batch jobs over documents: runners (local processes, Ray), checkpoints for ``--resume``, outcomes.

Runners share one shape: entered as a context manager (before the store is opened), then
``run(sources, done)`` yields an ``Outcome`` for every document of ``sources`` that ``done`` does not
hold, running its ``task`` (``kg_engine.jobs.tasks``: literature, or ``kg_engine.clinical.NoteTask`` for
notes). The job loop (``kg_engine.jobs.run``) writes results in batches and commits each to the checkpoint.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Protocol

from kg_engine.errors import ConfigError
from kg_engine.jobs.checkpoint import Checkpoint, DoneRanges, JobIdentity
from kg_engine.jobs.tasks import Task
from kg_engine.jobs.work import Outcome, Rejection

RUNNERS = ("local", "ray")

__all__ = ["RUNNERS", "Checkpoint", "DoneRanges", "JobIdentity", "Outcome", "Rejection", "Runner", "check_runner"]


class Runner(Protocol):
    """Extracts documents; see the module docstring."""

    name: str
    task: Task

    def __enter__(self) -> Runner: ...

    def __exit__(self, *exc: object) -> None: ...

    def run(self, sources: Sequence[Path], done: DoneRanges) -> Iterator[Outcome]:
        """Outcomes of the documents of ``sources`` not in ``done``."""
        ...


def check_runner(name: str) -> str:
    """The normalised runner name; an error listing the valid ones otherwise (and when Ray is missing)."""
    runner = name.strip().lower()
    if runner not in RUNNERS:
        raise ConfigError(f"unknown runner {name!r}; valid: {', '.join(RUNNERS)}")
    if runner == "ray":
        try:
            import ray.data  # noqa: F401
        except ImportError as exc:
            raise ConfigError("--runner ray needs Ray: pip install 'kg-engine[ray]'") from exc
    return runner
