"""Records exchanged between layers: nodes, edges and the provenance behind them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class Provenance:
    """Where a fact came from.

    For text-derived facts also the document, the sentence and the exact span (character offsets into
    the document text) of the evidence.
    """

    source: str
    doc_id: str | None = None
    sentence_span: tuple[int, int] | None = None
    span: tuple[int, int] | None = None
    snippet: str | None = None
    extractor: str | None = None
    version: str | None = None
    confidence: float | None = None

    def is_textual(self) -> bool:
        """True when the provenance points into a document (evidence to keep per edge)."""
        return self.doc_id is not None or self.snippet is not None


@dataclass(frozen=True, slots=True)
class Node:
    """A graph node keyed by CURIE, with its category (a schema category name)."""

    curie: str
    category: str
    name: str | None = None
    props: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Edge:
    """A typed edge between two CURIEs; identity is (subject, predicate, object, qualifiers)."""

    subject: str
    predicate: str
    object: str
    provenance: tuple[Provenance, ...]
    qualifiers: tuple[tuple[str, str], ...] = ()
    props: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.provenance:
            raise ValueError(f"edge {self.subject} -{self.predicate}-> {self.object} has no provenance")
