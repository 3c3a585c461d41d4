"""The units of a batch job: documents to extract, what became of each, and the step that extracts a batch.

Every document a job reads is keyed by (source index, ordinal): its position among the documents the
reader yields from that source. Sources do not change while a job is resumable (the job's identity
covers their sizes and modification times), so the key names the same document on every run.
"""

from __future__ import annotations

from collections.abc import Container, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ingest.records import Document, ReadError
from kg_engine.jobs.tasks import LITERATURE, PIPE_BATCH, Read, Result, Task

if TYPE_CHECKING:
    from spacy.language import Language

__all__ = ["PIPE_BATCH", "Done", "Outcome", "Pending", "Rejection", "WorkBatch", "extract_work", "read_work",
           "work_batches"]


@dataclass(frozen=True, slots=True)
class Rejection:
    """A document rejected by the reader (``ordinal`` None) or by the pipeline, and why."""

    source: int
    file: str
    reason: str
    line: int | None = None
    doc_id: str | None = None
    ordinal: int | None = None

    @classmethod
    def from_read_error(cls, source: int, error: ReadError) -> Rejection:
        """The rejection of a document the reader could not read."""
        return cls(source, error.file, error.reason, error.line, error.doc_id)


@dataclass(frozen=True, slots=True)
class Pending:
    """A document waiting for the pipeline."""

    source: int
    ordinal: int
    document: Document


@dataclass(frozen=True, slots=True)
class Outcome:
    """What became of one document: its extraction, or its rejection."""

    source: int
    ordinal: int | None
    doc_id: str | None
    extraction: Result | None = None
    rejection: Rejection | None = None


@dataclass(frozen=True, slots=True)
class WorkBatch:
    """Documents to extract together, and the reader's rejections met while gathering them."""

    pending: list[Pending]
    rejections: list[Rejection]


Done = Container[tuple[int, int]]  # (source, ordinal) of documents done in an earlier run


def read_work(source: int, path: Path, done: Done, read: Read) -> Iterator[Pending | Rejection]:
    """The documents of one source not yet done, with the reader's rejections in reading order."""
    rejected: list[Rejection] = []
    for ordinal, document in enumerate(read(path, lambda e: rejected.append(Rejection.from_read_error(source, e)))):
        yield from rejected
        rejected.clear()
        if (source, ordinal) not in done:
            yield Pending(source, ordinal, document)
    yield from rejected


def work_batches(sources: Sequence[Path], done: Done, size: int = PIPE_BATCH, task: Task = LITERATURE
                 ) -> Iterator[WorkBatch]:
    """Batches of up to ``size`` pending documents over all sources, each with the rejections met on the way."""
    batch = WorkBatch([], [])
    read = task.reader()
    for index, path in enumerate(sources):
        for item in read_work(index, Path(path), done, read):
            if isinstance(item, Rejection):
                batch.rejections.append(item)
                continue
            batch.pending.append(item)
            if len(batch.pending) >= size:
                yield batch
                batch = WorkBatch([], [])
    if batch.pending or batch.rejections:
        yield batch


def extract_work(nlp: Language, batch: WorkBatch, files: Sequence[str], task: Task = LITERATURE) -> list[Outcome]:
    """Run the pipeline over a batch; a document that makes it fail is rejected and the rest go on.

    Args:
        nlp: The task's pipeline.
        batch: Documents to extract and rejections to pass through.
        files: Source file names by source index (for rejection messages).
        task: What the job does with its documents.
    """
    outcomes = [Outcome(r.source, r.ordinal, r.doc_id, rejection=r) for r in batch.rejections]
    try:
        extractions = task.extract(nlp, [p.document for p in batch.pending])
    except Exception:  # one bad document must not fail its batch: retry them one by one
        return outcomes + [_extract_one(nlp, p, files, task) for p in batch.pending]
    return outcomes + [Outcome(p.source, p.ordinal, p.document.id, extraction=ex)
                       for p, ex in zip(batch.pending, extractions, strict=True)]


def _extract_one(nlp: Language, item: Pending, files: Sequence[str], task: Task) -> Outcome:
    try:
        (extraction,) = task.extract(nlp, [item.document])
    except Exception as exc:  # reported per document, as the task words it
        meta = item.document.meta
        file, line = str(meta.get("file") or files[item.source]), meta.get("line")
        rejection = Rejection(item.source, file, task.failure(item.document, exc),
                              line if isinstance(line, int) else None, item.document.id, item.ordinal)
        return Outcome(item.source, item.ordinal, item.document.id, rejection=rejection)
    return Outcome(item.source, item.ordinal, item.document.id, extraction=extraction)
