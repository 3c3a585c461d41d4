from __future__ import annotations

import json
from pathlib import Path

import pytest

from kg_engine.errors import LoadError
from kg_engine.load.deadletter import DeadLetter
from kg_engine.load.hetionet import load_hetionet
from kg_engine.store.ladybug import LadybugStore


@pytest.fixture
def store(tmp_path: Path) -> LadybugStore:
    s = LadybugStore(tmp_path / "graph.lbdb")
    s.init_schema()
    yield s
    s.close()


def _load(store: LadybugStore, root: Path, tmp_path: Path):
    with DeadLetter(tmp_path / "dead.jsonl") as dead:
        return load_hetionet(store, root, dead)


def _rows(path: Path) -> int:
    return len([ln for ln in path.read_text().splitlines()[1:] if ln.strip()])


def test_loads_every_row_with_provenance(store, hetionet_subset, tmp_path):
    report = _load(store, hetionet_subset, tmp_path)
    stats = store.stats()
    assert stats.node_total == _rows(hetionet_subset / "hetionet-v1.0-nodes.tsv")
    edge_rows = sum(_rows(p) for p in (hetionet_subset / "edges").glob("*.tsv"))
    assert stats.edge_total == edge_rows
    assert report.rejected == 0
    rows = store.query(
        "MATCH (c:Compound {curie: $c})-[r:directly_physically_interacts_with]->(g:Gene {curie: $g}) "
        "RETURN c.name AS drug, g.name AS gene, r.sources AS sources, r.hetionet_metaedge AS metaedge",
        {"c": "DRUGBANK:DB00619", "g": "NCBIGene:25"},
    )
    assert rows.to_dict("records") == [
        {"drug": "Imatinib", "gene": "ABL1", "sources": ["hetionet-v1.0"], "metaedge": "CbG"}
    ]


def test_qualifiers_keep_direction(store, hetionet_subset, tmp_path):
    _load(store, hetionet_subset, tmp_path)
    rows = store.query("MATCH (:Anatomy)-[r:expresses]->(:Gene) RETURN DISTINCT r.object_direction_qualifier AS d")
    assert rows["d"].tolist() == ["increased"]


def test_reload_changes_nothing(store, hetionet_subset, tmp_path):
    _load(store, hetionet_subset, tmp_path)
    before = store.stats()
    report = _load(store, hetionet_subset, tmp_path)
    assert store.stats() == before
    assert report.inserted == 0
    assert sum(f.result.updated for f in report.files) == 0


def test_bad_rows_are_dead_lettered_with_line_numbers(store, hetionet_subset, tmp_path):
    binds = hetionet_subset / "edges" / "Compound_Binds_Gene.tsv"
    raw = binds.read_bytes()
    eol = b"\r\n" if b"\r\n" in raw else b"\r"
    good = _rows(binds)
    bad = [b"DB00619", b"DB99999\t25", b"DB00619\t25\textra", b"DB00619\t25"]  # the last repeats a good row
    binds.write_bytes(raw + eol.join(bad) + eol)
    report = _load(store, hetionet_subset, tmp_path)
    dead = [json.loads(ln) for ln in (tmp_path / "dead.jsonl").read_text().splitlines()]
    assert {d["line"] for d in dead} == {good + 2, good + 3, good + 4}
    assert all(d["file"].endswith("Compound_Binds_Gene.tsv") for d in dead)
    reasons = " ".join(d["reason"] for d in dead)
    assert "expected 2 fields, found 1" in reasons and "DRUGBANK:DB99999 is not a stored Compound" in reasons
    assert report.rejected == 3
    count = store.query("MATCH (:Compound)-[r:directly_physically_interacts_with]->(:Gene) RETURN count(r) AS n")
    assert int(count["n"].iloc[0]) == good  # the repeated row is merged, not doubled


def test_missing_folder_is_a_load_error(store, tmp_path):
    with pytest.raises(LoadError, match="node file not found"):
        _load(store, tmp_path / "nowhere", tmp_path)
