"""Clinical-note jobs: the note pipeline with its cached HPO terms, the note-id salt, ``kg ingest notes``.

Heavy inputs are built once under ``$KG_HOME``: the linker's knowledge base (``kg_engine.kb``) and the HPO
finding terms (``kb/hpo-findings-v1.json``). The salt that keys note-id hashes comes from ``KG_NOTE_SALT``
(or ``note_salt`` in ``kg.toml``), else from ``$KG_HOME/secrets/note-salt``, generated on first use with
owner-only permissions. Keep it: with another salt the same note gets another node.
"""

from __future__ import annotations

import itertools
import json
import os
import secrets
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from spacy.language import Language

from ingest.findings import FindingTerm, load_hpo_terms
from ingest.note_pipeline import NoteExtractor, build_note_pipeline
from ingest.notes import read_notes
from ingest.pipeline import packaged_model_dir
from ingest.records import Document, ReadError
from kg_engine.config import Settings
from kg_engine.kb import load_fuzzy, load_or_build
from kg_engine.load.deadletter import DeadLetter
from kg_engine.load.notes import write_note_extractions
from kg_engine.store.base import GraphStore

__all__ = ["FINDINGS_VERSION", "NoteJobReport", "findings_path", "ingest_notes", "load_findings", "load_note_nlp",
           "note_salt", "read_note_sources"]

FINDINGS_VERSION = "hpo-findings-v1"
SALT_BYTES = 32

Status = Callable[[str], None]
Tick = Callable[[int], None]


@dataclass
class NoteJobReport:
    """Summary of a notes job."""

    notes: int = 0
    dead_lettered: int = 0
    mentions: int = 0
    by_status: Counter[str] = field(default_factory=Counter)
    seconds: float = 0.0
    deadletter: str | None = None

    @property
    def notes_per_second(self) -> float:
        """Throughput over the whole job (reading, pipeline and store writes)."""
        return self.notes / self.seconds if self.seconds else 0.0


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


def read_note_sources(sources: Iterable[Path], dead: DeadLetter, id_field: str = "id", text_field: str = "text",
                      max_chars: int | None = None) -> Iterator[Document]:
    """Notes from every source; bad rows, repeated ids and over-long notes go to the dead-letter file."""

    def reject(error: ReadError) -> None:
        dead.write(error.file, error.line, error.reason, {"note_id": error.doc_id} if error.doc_id else None)

    seen: dict[str, str] = {}
    for path in sources:
        for doc in read_notes(Path(path), reject, id_field, text_field):
            where = f"{doc.meta['file']}:{doc.meta['line']}" if doc.meta.get("line") else doc.meta["file"]
            if doc.id in seen:
                reject(ReadError(doc.meta["file"], f"note id {doc.id!r} already read at {seen[doc.id]}",
                                 doc.meta.get("line"), doc.id))
            elif max_chars is not None and len(doc.text) > max_chars:
                reject(ReadError(doc.meta["file"], f"note is {len(doc.text):,} characters; the pipeline takes "
                                 f"at most {max_chars:,}", doc.meta.get("line"), doc.id))
            else:
                seen[doc.id] = where
                yield doc


def ingest_notes(
    nlp: Language, store: GraphStore, sources: list[Path], dead: DeadLetter, version: str, salt: bytes, *,
    keep_raw_text: bool = False, id_field: str = "id", text_field: str = "text", batch_size: int = 64,
    workers: int = 1, tick: Tick = lambda _: None,
) -> NoteJobReport:
    """Read, extract and write notes to the store in batches (bulk upserts); see ``kg_engine.load.notes``."""
    report = NoteJobReport(deadletter=str(dead.path))
    started = time.perf_counter()

    def failed(doc: Document, reason: str) -> None:
        dead.write(doc.meta.get("file", "?"), doc.meta.get("line"), reason, {"note_id": doc.id})

    documents = read_note_sources(sources, dead, id_field, text_field, nlp.max_length)
    extractions = NoteExtractor(nlp, n_process=workers).extract(documents, failed)
    while batch := list(itertools.islice(extractions, batch_size)):
        written = write_note_extractions(store, batch, version, salt, keep_raw_text)
        report.notes += written.notes
        report.mentions += written.mentions
        report.by_status.update(written.by_status)
        tick(len(batch))
    report.seconds = time.perf_counter() - started
    report.dead_lettered = dead.count
    return report
