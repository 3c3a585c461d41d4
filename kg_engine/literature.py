"""Literature jobs: extract mentions to JSONL, ingest them into the graph, evaluate against gold corpora."""

from __future__ import annotations

import itertools
import json
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from spacy.language import Language

from ingest.pipeline import Extraction, Extractor, build_pipeline, packaged_model_dir
from ingest.readers import read_any
from ingest.records import Document, ReadError
from kg_engine.config import Settings
from kg_engine.kb import load_fuzzy, load_or_build
from kg_engine.load.deadletter import DeadLetter
from kg_engine.load.literature import write_extractions
from kg_engine.store.base import GraphStore

Status = Callable[[str], None]
Tick = Callable[[int], None]


@dataclass
class JobReport:
    """Summary of a literature job."""

    documents: int = 0
    dead_lettered: int = 0
    mentions: int = 0
    linked: int = 0
    attached_to_existing: int = 0
    seconds: float = 0.0
    deadletter: str | None = None

    @property
    def docs_per_second(self) -> float:
        """Throughput over the whole job."""
        return self.documents / self.seconds if self.seconds else 0.0


def load_nlp(settings: Settings, model_dir: Path | None = None, status: Status = lambda _: None) -> Language:
    """The literature pipeline with the cached knowledge base (built on first use)."""
    index = load_or_build(settings, status)
    return build_pipeline(index, model_dir or packaged_model_dir(), load_fuzzy(settings, index, status))


def read_sources(sources: Iterable[Path], dead: DeadLetter) -> Iterator[Document]:
    """Documents from every source; unreadable ones go to the dead-letter file and are skipped."""

    def reject(error: ReadError) -> None:
        dead.write(error.file, error.line, f"{error.doc_id or 'document'}: {error.reason}", error.doc_id)

    for path in sources:
        yield from read_any(Path(path), reject)


def extract_to_jsonl(
    nlp: Language, sources: list[Path], out: Path, dead: DeadLetter, workers: int = 1, tick: Tick = lambda _: None
) -> JobReport:
    """Write one JSON line per document (``Extraction.to_json``)."""
    report = JobReport(deadletter=str(dead.path))
    started = time.perf_counter()
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", encoding="utf-8") as fh:
        for ex in _extract(nlp, read_sources(sources, dead), workers):
            fh.write(json.dumps(ex.to_json()) + "\n")
            _count(report, ex)
            tick(1)
    report.seconds = time.perf_counter() - started
    report.dead_lettered = dead.count
    return report


def ingest_literature(
    nlp: Language, store: GraphStore, sources: list[Path], dead: DeadLetter, version: str,
    workers: int = 1, batch_size: int = 200, tick: Tick = lambda _: None,
) -> JobReport:
    """Extract and write to the store in batches (bulk upserts, not row by row)."""
    report = JobReport(deadletter=str(dead.path))
    started = time.perf_counter()
    extractions = _extract(nlp, read_sources(sources, dead), workers)
    while batch := list(itertools.islice(extractions, batch_size)):
        written = write_extractions(store, batch, version)
        report.attached_to_existing += written.attached_to_existing
        for ex in batch:
            _count(report, ex)
        tick(len(batch))
    report.seconds = time.perf_counter() - started
    report.dead_lettered = dead.count
    return report


def _extract(nlp: Language, documents: Iterable[Document], workers: int) -> Iterator[Extraction]:
    return Extractor(nlp, n_process=workers).extract(documents)


def _count(report: JobReport, ex: Extraction) -> None:
    report.documents += 1
    report.mentions += len(ex.mentions)
    report.linked += sum(1 for m in ex.mentions if m.curie)
