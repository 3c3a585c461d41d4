"""The job loop shared by every batch job: outcomes in batches, written, dead-lettered, then committed.

``run_job`` takes a runner's outcomes ``batch_size`` at a time, hands the batch's results to the job's
``write`` (a bulk store upsert, JSONL lines), writes its rejections to the dead-letter file, flushes it and
only then commits the batch's documents to the checkpoint. A resumed job does not write again the
rejections its dead-letter file already holds.
"""

from __future__ import annotations

import itertools
import json
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from kg_engine.jobs import Checkpoint, Rejection, Runner
from kg_engine.jobs.tasks import Result, Task
from kg_engine.load.deadletter import DeadLetter

Tick = Callable[[int], None]
Write = Callable[[list[Any]], int | None]  # a batch's results -> the output offset after them (kg extract)
DeadLetterKey = tuple[str, int | None, str]  # file, line, the entry's record as JSON


@dataclass
class JobReport:
    """Summary of a batch job: what this run did and what an earlier run of the same job had done."""

    documents: int = 0  # extracted and written by this run
    skipped: int = 0  # done by an earlier run of the same job (--resume)
    dead_lettered: int = 0  # rejected by this run (written to the dead-letter file)
    dead_lettered_earlier: int = 0  # rejections met again that the dead-letter file already holds
    mentions: int = 0
    linked: int = 0
    attached_to_existing: int = 0
    seconds: float = 0.0
    write_seconds: float = 0.0  # of ``seconds``, spent writing results (store upserts, JSONL lines)
    deadletter: str | None = None
    job: str | None = None  # the checkpoint folder

    @property
    def docs_per_second(self) -> float:
        """Throughput of this run."""
        return self.documents / self.seconds if self.seconds else 0.0

    def add(self, result: Result) -> None:
        """Count one written document."""
        self.documents += 1
        self.mentions += len(result.mentions)
        self.linked += sum(1 for m in result.mentions if m.curie)

    def to_json(self) -> dict[str, object]:
        """The summary as plain values (kept in the checkpoint's ``job.json``)."""
        return {**asdict(self), "docs_per_second": round(self.docs_per_second, 2)}


def run_job(runner: Runner, sources: Sequence[Path], dead: DeadLetter, checkpoint: Checkpoint, batch_size: int,
            tick: Tick, write: Write, report: JobReport) -> JobReport:
    """Outcomes in batches: write the results, dead-letter the rejections, then commit the batch.

    Args:
        runner: Makes the outcomes (its task says how rejections are recorded).
        sources: What the job reads.
        dead: The job's dead-letter file.
        checkpoint: The job's checkpoint (``Checkpoint.in_memory()`` for a job that keeps none).
        batch_size: Documents per write and per commit.
        tick: Called with the number of documents of each finished batch.
        write: Writes a batch's results; returns the output's offset after them, for jobs writing a file.
        report: Filled in and returned.
    """
    report.deadletter, report.skipped = str(dead.path), checkpoint.done.count()
    report.job = str(checkpoint.folder) if checkpoint.folder else None
    recorded = recorded_rejections(dead.path) if checkpoint.resumed else set()
    started = time.perf_counter()
    outcomes = runner.run(sources, checkpoint.done)
    while batch := list(itertools.islice(outcomes, batch_size)):
        write_started = time.perf_counter()
        results = [o.extraction for o in batch if o.extraction is not None]
        offset = write(results) if results else None  # a batch may hold only rejections
        report.write_seconds += time.perf_counter() - write_started
        for rejection in (o.rejection for o in batch if o.rejection is not None):
            _dead_letter(dead, runner.task, rejection, recorded, report)
        dead.flush()
        checkpoint.commit([(o.source, o.ordinal) for o in batch if o.ordinal is not None], offset)
        for result in (o.extraction for o in batch if o.extraction is not None):
            report.add(result)
        tick(len(batch))
    report.seconds = time.perf_counter() - started
    checkpoint.complete(report.to_json())
    return report


def recorded_rejections(path: Path) -> set[DeadLetterKey]:
    """(file, line, record) of every entry a dead-letter file holds."""
    if not path.is_file():
        return set()
    entries = []
    for raw in path.read_text(encoding="utf-8").splitlines():
        try:
            entries.append(json.loads(raw))
        except json.JSONDecodeError:
            continue
    return {_key(e.get("file"), e.get("line"), e.get("record")) for e in entries}


def _key(file: str, line: int | None, record: Any) -> DeadLetterKey:
    return (file, line, json.dumps(record, sort_keys=True, default=str))


def _dead_letter(dead: DeadLetter, task: Task, rejection: Rejection, recorded: set[DeadLetterKey],
                 report: JobReport) -> None:
    record = task.dead_letter_record(rejection.doc_id)
    key = _key(rejection.file, rejection.line, record)
    if key in recorded:
        report.dead_lettered_earlier += 1
        return
    dead.write(rejection.file, rejection.line, rejection.reason, record)
    recorded.add(key)
    report.dead_lettered += 1
