from __future__ import annotations

import json
from pathlib import Path

import pytest

from kg_engine.load.deadletter import DeadLetter
from kg_engine.load.hetionet import load_hetionet
from kg_engine.load.indications import load_indications
from kg_engine.store.ladybug import LadybugStore


@pytest.fixture
def store(tmp_path: Path, hetionet_subset: Path) -> LadybugStore:
    s = LadybugStore(tmp_path / "graph.lbdb")
    s.init_schema()
    with DeadLetter(tmp_path / "hetionet.jsonl") as dead:
        load_hetionet(s, hetionet_subset, dead)
    yield s
    s.close()


@pytest.fixture
def indications(shared_data: Path) -> Path:
    return shared_data / "pharmacotherapydb" / "indications.tsv"


def _load(store, path, tmp_path):
    with DeadLetter(tmp_path / "ind.jsonl") as dead:
        return load_indications(store, path, dead)


def _edges(store, predicate):
    rows = store.query(f"MATCH (:Compound)-[r:{predicate}]->(:Disease) RETURN count(r) AS n")
    return int(rows["n"].iloc[0])


def test_categories_map_to_predicates(store, indications, tmp_path):
    _load(store, indications, tmp_path)
    assert (_edges(store, "treats"), _edges(store, "ameliorates_condition"), _edges(store, "not_indicated_for")) == (
        755, 390, 243,
    )


def test_sources_merge_with_hetionet(store, indications, hetionet_subset, tmp_path):
    first_ctd = (hetionet_subset / "edges" / "Compound_Treats_Disease.tsv").read_text().splitlines()[1]
    drug, disease = first_ctd.split("\t")
    _load(store, indications, tmp_path)
    rows = store.query(
        "MATCH (c:Compound {curie: $c})-[r:treats]->(d:Disease {curie: $d}) RETURN r.sources AS s, r.n_curators AS n",
        {"c": f"DRUGBANK:{drug}", "d": disease},
    )
    assert len(rows) == 1
    assert rows["s"].iloc[0] == ["hetionet-v1.0", "pharmacotherapydb-v1.0"]
    assert rows["n"].iloc[0] >= 1


def test_reload_is_idempotent(store, indications, tmp_path):
    _load(store, indications, tmp_path)
    before = store.stats()
    report = _load(store, indications, tmp_path)
    assert store.stats() == before and report.inserted == 0


def test_existing_node_names_are_kept(store, indications, tmp_path):
    before = store.query("MATCH (c:Compound {curie: 'DRUGBANK:DB00619'}) RETURN c.name AS n")["n"].tolist()
    _load(store, indications, tmp_path)
    after = store.query("MATCH (c:Compound {curie: 'DRUGBANK:DB00619'}) RETURN c.name AS n")["n"].tolist()
    assert before == after == ["Imatinib"]


def test_bad_rows_are_reported_and_the_rest_loaded(store, indications, tmp_path):
    lines = indications.read_text().splitlines()
    garbled = [*lines[:6], "DOID:9352\tDB00331\tT2D\tMetformin\tMAYBE\t1\t1", "DOID:9352\tDB00331\tonly four\tx",
               "DOID:9352\tDB00331\tT2D\tMetformin\tDM\tmany\t1", *lines[6:]]
    path = tmp_path / "indications.tsv"
    path.write_text("\n".join(garbled) + "\n")
    report = _load(store, path, tmp_path)
    dead = [json.loads(ln) for ln in (tmp_path / "ind.jsonl").read_text().splitlines()]
    assert sorted(d["line"] for d in dead) == [7, 8, 9]
    assert any("unknown indication category 'MAYBE'" in d["reason"] for d in dead)
    assert report.rejected == 3
    assert _edges(store, "treats") == 755
