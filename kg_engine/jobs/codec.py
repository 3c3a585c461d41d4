"""Plain JSON forms of the records a distributed job moves between processes and machines.

Documents go to the workers, extractions and rejections come back; JSON keeps them independent of
pickling and of the Python objects on either side. A document keeps only the ``meta`` values that are
JSON scalars (``pmid``, ``year``, ...); gold annotations a corpus reader attaches stay behind.

Table rows hold JSON strings, with ``""`` (never null) for an absent one: a block whose column is all
null would reach the next step as an Arrow null column, which numpy turns into NaN.
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any

from ingest.note_pipeline import NoteExtraction
from ingest.pipeline import Extraction
from ingest.records import Document, Mention, Relation
from ingest.sections import Section
from kg_engine.jobs.tasks import LITERATURE, Task
from kg_engine.jobs.work import Outcome, Pending, Rejection
from ontologies.records import Provenance

_SCALARS = (str, int, float, bool, type(None))


def document_to_json(document: Document) -> dict[str, Any]:
    """A document with its JSON-scalar ``meta`` values."""
    meta = {k: v for k, v in document.meta.items() if isinstance(v, _SCALARS)}
    return {"id": document.id, "source": document.source, "title": document.title, "text": document.text,
            "meta": meta}


def document_from_json(data: dict[str, Any]) -> Document:
    """Inverse of ``document_to_json``."""
    return Document(data["id"], data["source"], data["title"], data["text"], dict(data["meta"]))


def extraction_to_json(extraction: Extraction) -> dict[str, Any]:
    """An extraction, every record field included."""
    return {
        "document": document_to_json(extraction.document),
        "mentions": [dataclasses.asdict(m) for m in extraction.mentions],
        "relations": [dataclasses.asdict(r) for r in extraction.relations],
        "names": dict(extraction.names),
    }


def extraction_from_json(data: dict[str, Any]) -> Extraction:
    """Inverse of ``extraction_to_json``."""
    return Extraction(
        document_from_json(data["document"]),
        [_mention(m) for m in data["mentions"]],
        [_relation(r) for r in data["relations"]],
        dict(data["names"]),
    )


def note_extraction_to_json(extraction: NoteExtraction) -> dict[str, Any]:
    """A note's extraction, every record field included (the note's text travels only inside the job)."""
    return {
        "document": document_to_json(extraction.document),
        "mentions": [dataclasses.asdict(m) for m in extraction.mentions],
        "sections": [dataclasses.asdict(s) for s in extraction.sections],
        "names": dict(extraction.names),
    }


def note_extraction_from_json(data: dict[str, Any]) -> NoteExtraction:
    """Inverse of ``note_extraction_to_json``."""
    return NoteExtraction(
        document_from_json(data["document"]),
        [_mention(m) for m in data["mentions"]],
        tuple(Section(**s) for s in data["sections"]),
        dict(data["names"]),
    )


def pending_row(item: Pending) -> dict[str, Any]:
    """A document to extract as a table row."""
    return {"source": item.source, "ordinal": item.ordinal, "document": json.dumps(document_to_json(item.document)),
            "rejection": ""}


def rejection_row(item: Rejection) -> dict[str, Any]:
    """A reader's rejection as a table row (it travels with the documents to keep one stream)."""
    return {"source": item.source, "ordinal": -1, "document": "", "rejection": json.dumps(dataclasses.asdict(item))}


def outcome_to_row(outcome: Outcome, task: Task = LITERATURE) -> dict[str, Any]:
    """An outcome as a table row of plain values (the extraction encoded by ``task``)."""
    return {
        "source": outcome.source,
        "ordinal": -1 if outcome.ordinal is None else outcome.ordinal,
        "doc_id": outcome.doc_id or "",
        "extraction": json.dumps(task.encode(outcome.extraction)) if outcome.extraction else "",
        "rejection": json.dumps(dataclasses.asdict(outcome.rejection)) if outcome.rejection else "",
    }


def outcome_from_row(row: dict[str, Any], task: Task = LITERATURE) -> Outcome:
    """Inverse of ``outcome_to_row``."""
    ordinal = int(row["ordinal"])
    extraction = task.decode(json.loads(row["extraction"])) if row["extraction"] else None
    rejection = Rejection(**json.loads(row["rejection"])) if row["rejection"] else None
    return Outcome(int(row["source"]), None if ordinal < 0 else ordinal, row["doc_id"] or None, extraction, rejection)


def _span(value: Any) -> tuple[int, int] | None:
    return (int(value[0]), int(value[1])) if value is not None else None


def _mention(data: dict[str, Any]) -> Mention:
    return Mention(**{**data, "xrefs": tuple(data["xrefs"]), "sentence": _span(data["sentence"])})


def _provenance(data: dict[str, Any]) -> Provenance:
    return Provenance(**{**data, "sentence_span": _span(data["sentence_span"]), "span": _span(data["span"])})


def _relation(data: dict[str, Any]) -> Relation:
    return Relation(**{**data, "evidence": tuple(_provenance(p) for p in data["evidence"])})
