"""The units of a batch job: documents to extract, what became of each, and the step that extracts a batch.

Every document a job reads is keyed by (source index, ordinal): its position among the documents the
reader yields from that source. Sources do not change while a job is resumable (the job's identity
covers their sizes and modification times), so the key names the same document on every run.
"""

from __future__ import annotations

from collections.abc import Container, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from spacy.language import Language

from ingest.pipeline import Extraction, Extractor
from ingest.readers import read_any
from ingest.records import Document, ReadError

PIPE_BATCH = 32  # documents per nlp.pipe call (and per task handed to a worker)


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

    @property
    def dead_letter_key(self) -> tuple[str, int | None, str | None]:
        """What identifies this rejection in a dead-letter file: (file, line, document id)."""
        return (self.file, self.line, self.doc_id)


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
    extraction: Extraction | None = None
    rejection: Rejection | None = None


@dataclass(frozen=True, slots=True)
class WorkBatch:
    """Documents to extract together, and the reader's rejections met while gathering them."""

    pending: list[Pending]
    rejections: list[Rejection]


Done = Container[tuple[int, int]]  # (source, ordinal) of documents done in an earlier run


def read_work(source: int, path: Path, done: Done) -> Iterator[Pending | Rejection]:
    """The documents of one source not yet done, with the reader's rejections in reading order."""
    rejected: list[Rejection] = []
    for ordinal, document in enumerate(read_any(path, lambda e: rejected.append(Rejection.from_read_error(source, e)))):
        yield from rejected
        rejected.clear()
        if (source, ordinal) not in done:
            yield Pending(source, ordinal, document)
    yield from rejected


def work_batches(sources: Sequence[Path], done: Done, size: int = PIPE_BATCH) -> Iterator[WorkBatch]:
    """Batches of up to ``size`` pending documents over all sources, each with the rejections met on the way."""
    batch = WorkBatch([], [])
    for index, path in enumerate(sources):
        for item in read_work(index, Path(path), done):
            if isinstance(item, Rejection):
                batch.rejections.append(item)
                continue
            batch.pending.append(item)
            if len(batch.pending) >= size:
                yield batch
                batch = WorkBatch([], [])
    if batch.pending or batch.rejections:
        yield batch


def extract_work(nlp: Language, batch: WorkBatch, files: Sequence[str]) -> list[Outcome]:
    """Run the pipeline over a batch; a document that makes it fail is rejected and the rest go on.

    Args:
        nlp: The literature pipeline.
        batch: Documents to extract and rejections to pass through.
        files: Source file names by source index (for rejection messages).
    """
    outcomes = [Outcome(r.source, r.ordinal, r.doc_id, rejection=r) for r in batch.rejections]
    try:
        extractions = list(Extractor(nlp, batch_size=PIPE_BATCH).extract(p.document for p in batch.pending))
    except Exception:  # one bad document must not fail its batch: retry them one by one
        return outcomes + [_extract_one(nlp, p, files) for p in batch.pending]
    return outcomes + [Outcome(p.source, p.ordinal, p.document.id, extraction=ex)
                       for p, ex in zip(batch.pending, extractions, strict=True)]


def _extract_one(nlp: Language, item: Pending, files: Sequence[str]) -> Outcome:
    try:
        (extraction,) = Extractor(nlp).extract([item.document])
    except Exception as exc:  # reported per document, with the error's type and message
        reason = f"{item.document.id}: pipeline failed: {type(exc).__name__}: {exc}"
        rejection = Rejection(item.source, files[item.source], reason, None, item.document.id, item.ordinal)
        return Outcome(item.source, item.ordinal, item.document.id, rejection=rejection)
    return Outcome(item.source, item.ordinal, item.document.id, extraction=extraction)
