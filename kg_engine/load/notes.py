"""Clinical-note extractions into the graph: pseudonymous ``ClinicalNote`` nodes and status-typed edges.

A note becomes a ``ClinicalNote`` node keyed ``NOTE:<keyed hash of its id>`` (HMAC-SHA256 with the
installation's salt), with no text and no original id unless raw text is asked for. Each mention becomes an
edge from the note to its finding (``PhenotypicFeature``, HPO), disease (``Disease``, DOID where the linker
reaches one, else MeSH) or drug (``Compound``, DrugBank). The edge's predicate comes from the mention's
assertion status through the schema (``mentions`` for affirmed / possible / historical,
``mentions_absence_of`` for negated, ``mentions_family_history_of`` for family), and the status is also the
``assertion_qualifier``, part of the edge's identity: a denied finding is never a positive ``mentions`` edge,
and a relative's disease is never attributed to the patient. Evidence snippets are masked
(``ingest.phi``) and name the note by its hash. Writing the same notes again changes nothing.
"""

from __future__ import annotations

import hashlib
import hmac
from collections import Counter
from dataclasses import dataclass, field

import pandas as pd

from ingest.note_pipeline import NOTE_EXTRACTOR, NoteExtraction
from ingest.phi import PhiMasker
from ingest.records import Mention
from kg_engine.store.base import EdgeBatch, GraphStore, NodeBatch, UpsertResult
from ontologies import Edge, Provenance, load_schema

__all__ = ["CATEGORY", "NOTE_SOURCE", "NotesBatchReport", "entity_curie", "note_curie", "write_note_extractions"]

NOTE_SOURCE = "clinical-notes"
NOTE_PREFIX = "NOTE"
CATEGORY = {"Finding": "PhenotypicFeature", "Disease": "Disease", "Chemical": "Compound"}
# Identifier spaces each mention type lands in, preferred first: the Hetionet spaces for diseases and drugs.
PREFERRED = {"Finding": ("HP:",), "Disease": ("DOID:", "MESH:"), "Chemical": ("DRUGBANK:",)}
SNIPPET_CHARS = 300


def note_curie(note_id: str, salt: bytes) -> str:
    """``NOTE:`` + 32 hex digits of HMAC-SHA256(salt, note id): stable, not reversible without the salt."""
    digest = hmac.new(salt, note_id.encode("utf-8"), hashlib.sha256).hexdigest()
    return f"{NOTE_PREFIX}:{digest[:32]}"


def entity_curie(mention: Mention) -> str | None:
    """The node a mention attaches to: its first identifier in the type's preferred spaces, in their order."""
    ids = [c for c in (mention.curie, *mention.xrefs) if c]
    for prefix in PREFERRED.get(mention.type, ()):
        for curie in ids:
            if curie.startswith(prefix):
                return curie
    return None


@dataclass
class NotesBatchReport:
    """Counts for one batch of notes written to the store."""

    notes: int = 0
    mentions: int = 0
    by_status: Counter[str] = field(default_factory=Counter)
    result: UpsertResult = field(default_factory=UpsertResult)


def write_note_extractions(store: GraphStore, extractions: list[NoteExtraction], version: str, salt: bytes,
                           keep_raw_text: bool = False) -> NotesBatchReport:
    """Upsert the notes, the entities they mention and one edge per (note, entity, status) with its evidence."""
    report = NotesBatchReport(notes=len(extractions))
    if not extractions:  # a job's batch may hold only rejected rows
        return report
    schema = load_schema()
    categories: dict[str, str] = {}
    names: dict[str, str] = {}
    edges: list[Edge] = []
    for ex in extractions:
        note = note_curie(ex.document.id, salt)
        categories[note] = "ClinicalNote"
        masker = PhiMasker(ex.document.text)
        for m in ex.mentions:
            node = entity_curie(m)
            if node is None or m.assertion is None:
                continue
            categories[node] = CATEGORY[m.type]
            names.setdefault(node, ex.names.get(m.curie or "", node))
            edges.append(_edge(note, node, m, masker, version, schema.note_predicate(m.assertion).name))
            report.mentions += 1
            report.by_status[m.assertion] += 1
    report.result.add(store.upsert_nodes(_note_nodes(extractions, salt, keep_raw_text)))
    _write_entities(store, names, categories, report.result)
    for batch in EdgeBatch.from_edges(edges, categories):
        report.result.add(store.upsert_edges(batch))
    return report


def _edge(note: str, node: str, m: Mention, masker: PhiMasker, version: str, predicate: str) -> Edge:
    start, end = _snippet_bounds(m, len(masker.text))
    evidence = Provenance(NOTE_SOURCE, note, m.sentence, (m.start, m.end), masker.mask(start, end), NOTE_EXTRACTOR,
                          version, m.score)
    return Edge(note, predicate, node, (evidence,), qualifiers=(("assertion_qualifier", str(m.assertion)),))


def _snippet_bounds(m: Mention, length: int) -> tuple[int, int]:
    """The mention's sentence, or a window of about ``SNIPPET_CHARS`` around the mention inside a long one."""
    start, end = m.sentence or (max(0, m.start - SNIPPET_CHARS // 2), min(length, m.end + SNIPPET_CHARS // 2))
    if end - start <= SNIPPET_CHARS:
        return start, end
    half = max(0, SNIPPET_CHARS - (m.end - m.start)) // 2
    return max(start, m.start - half), min(end, m.end + half)


def _note_nodes(extractions: list[NoteExtraction], salt: bytes, keep_raw_text: bool) -> NodeBatch:
    rows = []
    for ex in extractions:
        curie = note_curie(ex.document.id, salt)
        row = {"curie": curie, "name": curie}
        if keep_raw_text:
            row.update(note_id=ex.document.id, text=ex.document.text)
        rows.append(row)
    return NodeBatch("ClinicalNote", pd.DataFrame(rows).drop_duplicates("curie", keep="last"))


def _write_entities(store: GraphStore, names: dict[str, str], categories: dict[str, str],
                    result: UpsertResult) -> None:
    """Entity nodes by category; existing ones (Hetionet's, with their names) are kept as they are."""
    frame = pd.DataFrame([{"category": categories[c], "curie": c, "name": n} for c, n in names.items()])
    for category, part in frame.groupby("category") if len(frame) else []:
        batch = NodeBatch(str(category), part[["curie", "name"]].reset_index(drop=True))
        result.add(store.upsert_nodes(batch, on_conflict="keep"))
