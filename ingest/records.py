"""Records ingest produces: documents, mentions and relations, each carrying its provenance."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ontologies.records import Provenance

__all__ = ["Document", "Mention", "Provenance", "ReadError", "Relation"]


@dataclass(frozen=True, slots=True)
class Document:
    """A text to process. ``text`` is what offsets count over (for PubMed: title + " " + abstract)."""

    id: str
    source: str
    title: str
    text: str
    meta: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Mention:
    """An entity mention: character offsets into ``Document.text``, its type and linked identifiers."""

    doc_id: str
    start: int
    end: int
    text: str
    type: str
    curie: str | None = None
    xrefs: tuple[str, ...] = ()
    score: float | None = None
    assertion: str | None = None
    sentence: tuple[int, int] | None = None


@dataclass(frozen=True, slots=True)
class Relation:
    """A relation between two CURIEs asserted by a document, with the evidence spans behind it."""

    subject: str
    predicate: str
    object: str
    doc_id: str
    evidence: tuple[Provenance, ...]
    score: float
    extractor: str


@dataclass(frozen=True, slots=True)
class ReadError:
    """A document that could not be read: where it is and why."""

    file: str
    reason: str
    line: int | None = None
    doc_id: str | None = None
