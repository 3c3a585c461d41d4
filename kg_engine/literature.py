"""Literature jobs: extract mentions to JSONL, ingest them into the graph, evaluate against gold corpora."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from spacy.language import Language

from ingest.pipeline import Extraction, build_pipeline, packaged_model_dir
from ingest.readers import read_any
from ingest.records import Document, ReadError
from ingest.relation_model import model_version
from ingest.relations import packaged_relation_dir
from kg_engine.config import Settings
from kg_engine.errors import JobStateError
from kg_engine.jobs import Checkpoint, Runner
from kg_engine.jobs.local import LocalRunner
from kg_engine.jobs.run import JobReport, recorded_rejections, run_job
from kg_engine.kb import KB_VERSION, load_dictionary, load_fuzzy, load_or_build
from kg_engine.load.deadletter import DeadLetter
from kg_engine.load.literature import write_extractions
from kg_engine.relation_jobs import load_relations
from kg_engine.store.base import GraphStore

__all__ = ["JobReport", "extract_to_jsonl", "ingest_literature", "load_nlp", "model_identity", "model_meta",
           "read_sources", "recorded_rejections", "run_extract", "run_ingest"]

Status = Callable[[str], None]
Tick = Callable[[int], None]


def load_nlp(settings: Settings, model_dir: Path | None = None, status: Status = lambda _: None,
             relations: bool = True, relation_dir: Path | None = None) -> Language:
    """The literature pipeline with the cached knowledge base (built on first use) and, by default, relations."""
    index = load_or_build(settings, status)
    extractor = load_relations(settings, relation_dir) if relations else None
    return build_pipeline(index, model_dir or packaged_model_dir(), load_fuzzy(settings, index, status), extractor,
                          load_dictionary(settings, index, status))


def read_sources(sources: Iterable[Path], dead: DeadLetter) -> Iterator[Document]:
    """Documents from every source; unreadable ones go to the dead-letter file and are skipped."""

    def reject(error: ReadError) -> None:
        dead.write(error.file, error.line, f"{error.doc_id or 'document'}: {error.reason}", error.doc_id)

    for path in sources:
        yield from read_any(Path(path), reject)


def model_identity(model_dir: Path | None = None, relation_dir: Path | None = None, kb: str = KB_VERSION) -> str:
    """``<name>-<version>`` of the NER model plus the knowledge base's and relation model's versions.

    Part of a job's identity: a run resumed with another model is another job.

    Raises:
        FileNotFoundError: A model folder holds no model.
    """
    meta = model_meta(model_dir)
    relations = model_version(relation_dir or packaged_relation_dir())
    return f"{meta.get('name', 'ner')}-{meta.get('version', '0')}+{kb}+{relations}"


def model_meta(model_dir: Path | None = None) -> dict[str, object]:
    """The NER model's ``meta.json`` (without loading the model)."""
    path = (model_dir or packaged_model_dir()) / "meta.json"
    if not path.is_file():
        raise FileNotFoundError(f"no NER model at {path.parent}; run `kg train ner` to build one")
    return dict(json.loads(path.read_text(encoding="utf-8")))


def extract_to_jsonl(
    nlp: Language, sources: list[Path], out: Path, dead: DeadLetter, workers: int = 1, tick: Tick = lambda _: None
) -> JobReport:
    """Write one JSON line per document (``Extraction.to_json``), locally, without a checkpoint."""
    return run_extract(LocalRunner(nlp, workers), sources, out, dead, tick=tick)


def ingest_literature(
    nlp: Language, store: GraphStore, sources: list[Path], dead: DeadLetter, version: str,
    workers: int = 1, batch_size: int = 200, tick: Tick = lambda _: None,
) -> JobReport:
    """Extract and write to the store in batches (bulk upserts), locally, without a checkpoint."""
    return run_ingest(LocalRunner(nlp, workers), store, sources, dead, version, batch_size=batch_size, tick=tick)


def run_extract(
    runner: Runner, sources: list[Path], out: Path, dead: DeadLetter, *, checkpoint: Checkpoint | None = None,
    batch_size: int = 200, tick: Tick = lambda _: None,
) -> JobReport:
    """``kg extract``: JSONL lines per batch, fsynced before the batch is committed to the checkpoint.

    A resumed job first truncates ``out`` to the end of its last committed batch (dropping lines, or a
    partial line, written after it), then appends.
    """
    checkpoint = checkpoint or Checkpoint.in_memory()
    with _output(out, checkpoint) as fh:

        def write(batch: list[Extraction]) -> int:
            fh.write(b"".join(json.dumps(ex.to_json()).encode() + b"\n" for ex in batch))
            fh.flush()
            os.fsync(fh.fileno())
            return fh.tell()

        return run_job(runner, sources, dead, checkpoint, batch_size, tick, write, JobReport())


def run_ingest(
    runner: Runner, store: GraphStore, sources: list[Path], dead: DeadLetter, version: str, *,
    checkpoint: Checkpoint | None = None, batch_size: int = 200, tick: Tick = lambda _: None,
) -> JobReport:
    """``kg ingest literature``: one bulk write per batch, committed to the checkpoint after it succeeds."""
    report = JobReport()

    def write(batch: list[Extraction]) -> None:
        report.attached_to_existing += write_extractions(store, batch, version).attached_to_existing

    return run_job(runner, sources, dead, checkpoint or Checkpoint.in_memory(), batch_size, tick, write, report)


@contextmanager
def _output(out: Path, checkpoint: Checkpoint) -> Iterator[BinaryIO]:
    """``out`` for writing: truncated to the last commit's offset when resuming, emptied otherwise."""
    out.parent.mkdir(parents=True, exist_ok=True)
    if not checkpoint.resumed:
        with out.open("wb") as fh:
            yield fh
        return
    size = out.stat().st_size if out.is_file() else 0
    if size < checkpoint.offset:
        raise JobStateError(f"{out} holds {size:,} bytes but the checkpoint committed {checkpoint.offset:,}; "
                            "it was changed since: re-run with --restart")
    out.touch()  # an earlier run may have committed only rejected documents (offset 0) before writing a line
    with out.open("r+b") as fh:
        fh.truncate(checkpoint.offset)
        fh.seek(checkpoint.offset)
        yield fh
