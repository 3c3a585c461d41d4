"""Extractions from literature into the graph: Publication nodes, MENTIONS, co-mention and relation edges.

A mention attaches to the graph node its identifiers reach: an existing node of the right category for
one of its cross-references (a MeSH-linked chemical lands on its ``DRUGBANK:`` Compound, a disease on
its ``DOID:`` Disease) or, failing that, a node keyed by its primary CURIE. Every edge keeps its
evidence (document, sentence, span, snippet, extractor, score); re-ingesting a document changes nothing.
Extracted relations (``causes``, ``treats_or_applied_or_studied_to_treat``, ``associated_with``) join the
same resolved nodes: one edge per subject-predicate-object, one evidence record per document behind it
(``support`` counts them) and the best score of any of them (``best_score``).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from dataclasses import dataclass, field

import pandas as pd

from cypher.identifiers import quote_identifier as q
from ingest.pipeline import EXTRACTOR_NAME, Extraction
from kg_engine.store.base import EdgeBatch, GraphStore, NodeBatch, UpsertResult
from ontologies import Edge, Provenance
from ontologies.schema import load_schema

# Mention types -> graph categories, and the xref prefixes that reach existing nodes of that category.
CATEGORY = {"Chemical": "Compound", "Disease": "Disease", "Gene": "Gene"}
GRAPH_PREFIXES = {"Compound": ("DRUGBANK:",), "Disease": ("DOID:",), "Gene": ("NCBIGene:",)}
SOURCE = "pubmed"
EVIDENCE_GAP = " … "  # joins the sentences of a relation's evidence in one snippet


@dataclass
class LiteratureBatchReport:
    """Counts for one batch written to the store."""

    documents: int = 0
    mentions: int = 0
    linked: int = 0
    attached_to_existing: int = 0
    relations: int = 0
    result: UpsertResult = field(default_factory=UpsertResult)


def write_extractions(store: GraphStore, extractions: list[Extraction], version: str) -> LiteratureBatchReport:
    """Upsert the publications, entities, MENTIONS, co-mention and relation edges of a batch of extractions."""
    report = LiteratureBatchReport(documents=len(extractions))
    resolve = _resolver(store, extractions)
    nodes: dict[tuple[str, str], str] = {}
    edges: list[Edge] = []
    categories: dict[str, str] = {}
    for ex in extractions:
        pub = publication_curie(ex)
        categories[pub] = "Publication"
        sentence_nodes: dict[tuple[int, int], set[str]] = {}
        node_of: dict[str, str] = {}
        for m in ex.mentions:
            report.mentions += 1
            if m.curie is None or m.type not in CATEGORY:
                continue
            report.linked += 1
            node, existing = resolve(m.type, m.curie, m.xrefs)
            report.attached_to_existing += int(existing)
            categories[node] = CATEGORY[m.type]
            node_of.setdefault(m.curie, node)
            nodes.setdefault((CATEGORY[m.type], node), ex.names.get(m.curie, m.text))
            evidence = Provenance(SOURCE, ex.document.id, m.sentence, (m.start, m.end), m.text, EXTRACTOR_NAME,
                                  version, m.score)
            edges.append(Edge(pub, "mentions", node, (evidence,), props={"primary_curie": m.curie}))
            if m.sentence:
                sentence_nodes.setdefault(m.sentence, set()).add(node)
        edges.extend(_co_mentions(ex, sentence_nodes, categories, version))
        edges.extend(relation_edges(ex, node_of))
        report.relations += len(ex.relations)
    _write_nodes(store, extractions, nodes, report)
    for batch in EdgeBatch.from_edges(edges, categories):
        report.result.add(store.upsert_edges(batch))
    return report


def publication_curie(ex: Extraction) -> str:
    """``PMID:`` for PubMed documents, ``DOC:`` for anything else."""
    prefix = "PMID" if ex.document.source == "pubmed" else "DOC"
    return f"{prefix}:{ex.document.id}"


def _co_mentions(
    ex: Extraction, sentence_nodes: dict[tuple[int, int], set[str]], categories: dict[str, str], version: str
) -> list[Edge]:
    """One evidence record per sentence in which two entities of different categories occur together."""
    edges = []
    for span, members in sentence_nodes.items():
        snippet = ex.document.text[span[0] : span[1]]
        for a, b in itertools.combinations(sorted(members), 2):
            if categories[a] == categories[b]:
                continue
            subject, obj = sorted((a, b), key=lambda c: (categories[c], c))
            prov = Provenance(SOURCE, ex.document.id, span, span, snippet, EXTRACTOR_NAME, version)
            edges.append(Edge(subject, "occurs_together_in_literature_with", obj, (prov,)))
    return edges


def relation_edges(ex: Extraction, node_of: dict[str, str]) -> list[Edge]:
    """One edge per extracted relation between the nodes its CURIEs resolved to, with one evidence record.

    The record names the document, the evidence sentences (the first as ``sentence_span``, all of them
    within ``span`` and joined in ``snippet``), the extractor, its version and the score; the edge's
    ``best_score`` is the highest score of any document behind it (the store keeps the maximum on merge).
    """
    schema = load_schema()
    edges = []
    for r in ex.relations:
        subject, obj = node_of.get(r.subject), node_of.get(r.object)
        if subject is None or obj is None or not r.evidence:
            continue
        spans = [p.span for p in r.evidence if p.span]
        span = (min(a for a, _ in spans), max(b for _, b in spans)) if spans else None
        first = r.evidence[0]
        snippet = EVIDENCE_GAP.join(p.snippet or "" for p in r.evidence)
        prov = Provenance(SOURCE, ex.document.id, first.sentence_span, span, snippet, r.extractor, first.version,
                          r.score)
        edges.append(Edge(subject, schema.predicate(r.predicate).name, obj, (prov,), props={"best_score": r.score}))
    return edges


def _write_nodes(
    store: GraphStore, extractions: list[Extraction], nodes: dict[tuple[str, str], str], report: LiteratureBatchReport
) -> None:
    pubs = pd.DataFrame([
        {"curie": publication_curie(ex), "name": ex.document.title or ex.document.id,
         "pmid": ex.document.meta.get("pmid"), "year": ex.document.meta.get("year")}
        for ex in extractions
    ])
    report.result.add(store.upsert_nodes(NodeBatch("Publication", pubs.drop_duplicates("curie"))))
    frame = pd.DataFrame([{"category": c, "curie": k, "name": n} for (c, k), n in nodes.items()])
    for category, part in frame.groupby("category") if len(frame) else []:
        batch = NodeBatch(str(category), part[["curie", "name"]].reset_index(drop=True))
        report.result.add(store.upsert_nodes(batch, on_conflict="keep"))


def _resolver(store: GraphStore, extractions: Iterable[Extraction]):  # type: ignore[no-untyped-def]
    """A function mapping (type, primary CURIE, xrefs) to (graph node CURIE, whether it already existed)."""
    wanted: dict[str, set[str]] = {cat: set() for cat in CATEGORY.values()}
    for ex in extractions:
        for m in ex.mentions:
            if m.type in CATEGORY and m.curie:
                wanted[CATEGORY[m.type]].update((m.curie, *m.xrefs))
    present = {cat: _present(store, cat, ids) for cat, ids in wanted.items()}

    def resolve(etype: str, curie: str, xrefs: tuple[str, ...]) -> tuple[str, bool]:
        cat = CATEGORY[etype]
        for x in (curie, *xrefs):
            if x.startswith(GRAPH_PREFIXES[cat]) and x in present[cat]:
                return x, True
        return curie, curie in present[cat]

    return resolve


def _present(store: GraphStore, category: str, ids: set[str]) -> set[str]:
    if not ids:
        return set()
    rows = store.query(f"MATCH (n:{q(category)}) WHERE n.curie IN $ids RETURN n.curie AS curie", {"ids": sorted(ids)})
    return set(rows["curie"])
