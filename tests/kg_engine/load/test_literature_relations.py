"""Relation edges from literature: one edge per fact, evidence merged across documents, idempotent re-ingest."""

from __future__ import annotations

import json
import re
from collections import defaultdict
from pathlib import Path

import pytest

from ingest.pipeline import Extraction
from ingest.readers import read_pubtator
from ingest.relation_model import CidModel
from ingest.relation_train import gold_mentions
from ingest.relations import RelationExtractor, packaged_relation_dir
from kg_engine.load.literature import write_extractions
from kg_engine.store.ladybug import LadybugStore
from ontologies.mesh import MeshTree


def _sentences(text: str) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in re.finditer(r".+?(?:\.(?=\s)|$)\s*", text)]


@pytest.fixture(scope="module")
def extractions(shared_data: Path) -> list[Extraction]:
    """The first 120 BC5CDR train abstracts with their gold mentions and the shipped model's relations."""
    tree = MeshTree.from_tsv(shared_data / "vocab" / "mesh_descriptors.tsv")
    extractor = RelationExtractor(CidModel.load(packaged_relation_dir()), tree)
    docs = read_pubtator(shared_data / "bc5cdr" / "CDR_TrainingSet.PubTator.txt")
    out = []
    for _, doc in zip(range(120), docs, strict=False):
        mentions = gold_mentions(doc, _sentences)
        out.append(Extraction(doc, mentions, extractor.extract(doc, mentions)))
    return out


@pytest.fixture
def store(tmp_path: Path):
    s = LadybugStore(tmp_path / "graph.lbdb")
    s.init_schema()
    yield s
    s.close()


def test_relation_edges_merge_evidence_across_documents(store, extractions):
    by_fact: dict[tuple[str, str], list[tuple[str, float]]] = defaultdict(list)
    for ex in extractions:
        for r in ex.relations:
            if r.predicate == "biolink:causes":
                by_fact[(r.subject, r.object)].append((ex.document.id, r.score))
    (subject, obj), docs = max(by_fact.items(), key=lambda kv: (len(kv[1]), kv[0]))
    assert len(docs) >= 2  # a fact asserted by several abstracts of the subset
    for i in range(0, len(extractions), 50):  # in several batches, as a job writes them
        write_extractions(store, extractions[i : i + 50], "test")
    rows = store.query(
        "MATCH (c:Compound {curie: $s})-[r:causes]->(d:Disease {curie: $o}) "
        "RETURN r.support AS support, r.best_score AS best, r.evidence AS evidence", {"s": subject, "o": obj})
    assert len(rows) == 1
    evidence = json.loads(rows["evidence"].iloc[0])
    assert int(rows["support"].iloc[0]) == len(evidence) == len(docs)
    assert {e["doc_id"] for e in evidence} == {d for d, _ in docs}
    assert float(rows["best"].iloc[0]) == pytest.approx(max(s for _, s in docs))
    for e in evidence:
        assert e["snippet"] and e["extractor"].endswith(".cid") and e["version"] and e["confidence"] > 0
        assert e["sentence_span"][0] <= e["span"][0] < e["span"][1]


def test_relation_predicates_and_idempotent_reingest(store, extractions):
    write_extractions(store, extractions, "test")
    before = store.stats()
    counts = store.query("MATCH ()-[r:causes]->() RETURN count(r) AS n")
    expected = {(r.subject, r.object) for ex in extractions for r in ex.relations if r.predicate == "biolink:causes"}
    assert int(counts["n"].iloc[0]) == len(expected)
    treats = store.query("MATCH (:Compound)-[r:treats_or_applied_or_studied_to_treat]->(:Disease) RETURN count(r) AS n")
    assert int(treats["n"].iloc[0]) > 0
    again = write_extractions(store, extractions, "test")
    assert store.stats() == before
    assert again.result.inserted == 0 and again.result.updated == 0
