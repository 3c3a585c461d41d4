"""Clinical-note jobs: the note pipeline with its cached HPO terms, the note-id salt, ``kg ingest notes``.

Heavy inputs are built once under ``$KG_HOME``: the linker's knowledge base (``kg_engine.kb``) and the HPO
finding terms (``kb/hpo-findings-v1.json``). The salt that keys note-id hashes comes from ``KG_NOTE_SALT``
(or ``note_salt`` in ``kg.toml``), else from ``$KG_HOME/secrets/note-salt``, generated on first use with
owner-only permissions. Keep it: with another salt the same note gets another node.
"""

from __future__ import annotations

import json
import os
import secrets
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from spacy.language import Language

from ingest.findings import FindingTerm, load_hpo_terms
from ingest.note_pipeline import NoteExtraction, build_note_pipeline, extract_notes, failure_reason
from ingest.notes import read_notes
from ingest.pipeline import packaged_model_dir
from ingest.readers import OnError
from ingest.records import Document, ReadError
from kg_engine.config import Settings
from kg_engine.jobs import Checkpoint, Runner
from kg_engine.jobs.local import LocalRunner
from kg_engine.jobs.run import JobReport, Tick, run_job
from kg_engine.jobs.tasks import LITERATURE, PipelineSpec, Read, Result
from kg_engine.kb import KB_VERSION, load_fuzzy, load_or_build
from kg_engine.load.deadletter import DeadLetter
from kg_engine.load.notes import note_curie, write_note_extractions
from kg_engine.store.base import GraphStore

__all__ = ["FINDINGS_VERSION", "NoteJobReport", "NoteReader", "NoteTask", "findings_path", "ingest_notes",
           "load_findings", "load_note_nlp", "note_identity", "note_salt", "read_note_sources", "run_notes"]

FINDINGS_VERSION = "hpo-findings-v1"
SALT_BYTES = 32
MAX_NOTE_CHARS = 1_000_000  # spaCy's Language.max_length, which the note pipeline keeps

Status = Callable[[str], None]


@dataclass
class NoteJobReport(JobReport):
    """Summary of a notes job; ``mentions`` and ``by_status`` count the edges written."""

    by_status: Counter[str] = field(default_factory=Counter)

    @property
    def notes(self) -> int:
        """Notes extracted and written by this run."""
        return self.documents

    @property
    def notes_per_second(self) -> float:
        """Throughput over the whole run (reading, pipeline and store writes)."""
        return self.docs_per_second

    def add(self, result: Result) -> None:
        """Count one written note (its mentions are counted as their edges are written)."""
        self.documents += 1

    def to_json(self) -> dict[str, object]:
        """The summary as plain values (``asdict`` would rebuild the counter from its items)."""
        return {**super().to_json(), "by_status": dict(self.by_status)}


def findings_path(settings: Settings) -> Path:
    """Where the HPO finding terms are cached."""
    return settings.home / "kb" / f"{FINDINGS_VERSION}.json"


def load_findings(settings: Settings, status: Status = lambda _: None, rebuild: bool = False) -> list[FindingTerm]:
    """The HPO finding terms, read from ``vocab/hp.json`` once and cached as JSON under ``$KG_HOME/kb``."""
    path = findings_path(settings)
    if path.is_file() and not rebuild:
        return [FindingTerm.from_json(raw) for raw in json.loads(path.read_text(encoding="utf-8"))]
    source = settings.resolve_data_dir() / "vocab" / "hp.json"
    if not source.is_file():
        raise FileNotFoundError(f"no HPO at {source}: clinical findings need vocab/hp.json")
    status(f"building HPO finding terms from {source} (once; cached afterwards)")
    terms = load_hpo_terms(source)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps([t.to_json() for t in terms]), encoding="utf-8")
    tmp.replace(path)
    return terms


def load_note_nlp(settings: Settings, model_dir: Path | None = None, status: Status = lambda _: None) -> Language:
    """The note pipeline with the cached knowledge base and HPO terms (each built on first use)."""
    index = load_or_build(settings, status)
    fuzzy = load_fuzzy(settings, index, status)
    return build_note_pipeline(index, load_findings(settings, status), model_dir or packaged_model_dir(), fuzzy)


def note_salt(settings: Settings) -> bytes:
    """The salt of note-id hashes: the setting when given, else the one kept under ``$KG_HOME`` (made if absent)."""
    if settings.note_salt:
        return settings.note_salt.encode("utf-8")
    path = settings.home / "secrets" / "note-salt"
    if not path.is_file():
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(secrets.token_hex(SALT_BYTES))
    return path.read_text(encoding="utf-8").strip().encode("utf-8")


class NoteReader:
    """Reads notes from sources in order; rejects an id already read (in any source) and an over-long note.

    One instance reads one pass over a job's sources: it remembers the ids it has met.
    """

    def __init__(self, id_field: str = "id", text_field: str = "text", max_chars: int | None = None) -> None:
        self.id_field = id_field
        self.text_field = text_field
        self.max_chars = max_chars
        self.seen: dict[str, str] = {}

    def __call__(self, path: Path, on_error: OnError) -> Iterator[Document]:
        """The good notes of ``path``; bad rows go to ``on_error`` (never with the note's text)."""
        for doc in read_notes(Path(path), on_error, self.id_field, self.text_field):
            if (reason := self._problem(doc)) is not None:
                on_error(ReadError(doc.meta["file"], reason, doc.meta.get("line"), doc.id))
                continue
            self.seen[doc.id] = f"{doc.meta['file']}:{doc.meta['line']}" if doc.meta.get("line") else doc.meta["file"]
            yield doc

    def _problem(self, doc: Document) -> str | None:
        if doc.id in self.seen:
            return f"note id {doc.id!r} already read at {self.seen[doc.id]}"
        if self.max_chars is not None and len(doc.text) > self.max_chars:
            return f"note is {len(doc.text):,} characters; the pipeline takes at most {self.max_chars:,}"
        return None


def _dead_letter_record(note_id: str | None) -> dict[str, str] | None:
    return {"note_id": note_id} if note_id else None


def read_note_sources(sources: Iterable[Path], dead: DeadLetter, id_field: str = "id", text_field: str = "text",
                      max_chars: int | None = None) -> Iterator[Document]:
    """Notes from every source; bad rows, repeated ids and over-long notes go to the dead-letter file."""

    def reject(error: ReadError) -> None:
        dead.write(error.file, error.line, error.reason, _dead_letter_record(error.doc_id))

    read = NoteReader(id_field, text_field, max_chars)
    for path in sources:
        yield from read(Path(path), reject)


@dataclass(frozen=True, slots=True)
class NoteTask:
    """The batch-job task of ``kg ingest notes``: the notes reader, the note pipeline, note results as JSON.

    Dead-letter entries name a note by file, line and id, with a reason that never quotes its text.
    """

    id_field: str = "id"
    text_field: str = "text"
    max_chars: int | None = MAX_NOTE_CHARS
    shared_reader: ClassVar[bool] = True  # ids are checked across sources

    def reader(self) -> Read:
        """A ``NoteReader`` for one pass over the sources."""
        return NoteReader(self.id_field, self.text_field, self.max_chars)

    def extract(self, nlp: Language, documents: Sequence[Document]) -> list[Result]:
        """``ingest.note_pipeline.extract_notes``."""
        return list(extract_notes(nlp, documents))

    def failure(self, document: Document, exc: Exception) -> str:
        """The error's type only: its message may quote the note."""
        return failure_reason(exc)

    def dead_letter_record(self, doc_id: str | None) -> Any:
        """``{"note_id": ...}``."""
        return _dead_letter_record(doc_id)

    def encode(self, result: Result) -> dict[str, Any]:
        """``codec.note_extraction_to_json``."""
        from kg_engine.jobs.codec import note_extraction_to_json

        return note_extraction_to_json(result)  # type: ignore[arg-type]

    def decode(self, data: dict[str, Any]) -> Result:
        """``codec.note_extraction_from_json``."""
        from kg_engine.jobs.codec import note_extraction_from_json

        return note_extraction_from_json(data)

    def prepare(self, settings: Settings, status: Status) -> None:
        """The knowledge base and the HPO finding terms."""
        LITERATURE.prepare(settings, status)
        load_findings(settings, status)

    def load(self, spec: PipelineSpec) -> Language:
        """``load_note_nlp`` with the spec's NER model."""
        return load_note_nlp(spec.settings(), spec.model_dir)


def note_identity(model_dir: Path | None, task: NoteTask, keep_raw_text: bool, salt: bytes,
                  kb: str = KB_VERSION) -> str:
    """The pipeline's part of a notes job's identity: models, knowledge base, columns, raw text, the salt.

    The salt enters as 8 hex digits of a keyed hash of a constant, so that a job resumed with another salt
    (which would key its notes differently) is another job.
    """
    from kg_engine.literature import model_meta

    meta = model_meta(model_dir)
    salt_check = note_curie("kg-engine salt check", salt).split(":", 1)[1][:8]
    return (f"{meta.get('name', 'ner')}-{meta.get('version', '0')}+{kb}+{FINDINGS_VERSION}"
            f"+columns={task.id_field},{task.text_field}+raw-text={keep_raw_text}+salt={salt_check}")


def run_notes(
    runner: Runner, store: GraphStore, sources: Sequence[Path], dead: DeadLetter, version: str, salt: bytes, *,
    keep_raw_text: bool = False, checkpoint: Checkpoint | None = None, batch_size: int = 64,
    tick: Tick = lambda _: None,
) -> NoteJobReport:
    """``kg ingest notes``: one bulk write per batch (``kg_engine.load.notes``), then its checkpoint commit."""
    report = NoteJobReport()

    def write(batch: list[NoteExtraction]) -> None:
        written = write_note_extractions(store, batch, version, salt, keep_raw_text)
        report.mentions += written.mentions
        report.by_status.update(written.by_status)

    return run_job(runner, sources, dead, checkpoint or Checkpoint.in_memory(), batch_size, tick, write, report)


def ingest_notes(
    nlp: Language, store: GraphStore, sources: list[Path], dead: DeadLetter, version: str, salt: bytes, *,
    keep_raw_text: bool = False, id_field: str = "id", text_field: str = "text", batch_size: int = 64,
    workers: int = 1, tick: Tick = lambda _: None,
) -> NoteJobReport:
    """Read, extract and write notes to the store in batches, locally, without a checkpoint."""
    runner = LocalRunner(nlp, workers, task=NoteTask(id_field, text_field, nlp.max_length))
    return run_notes(runner, store, sources, dead, version, salt, keep_raw_text=keep_raw_text,
                     batch_size=batch_size, tick=tick)
