"""kg load interactions / kg load sider on the real files: counts, direction, idempotence, dead letters."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

from kg_engine.load.deadletter import DeadLetter
from kg_engine.load.interactions import load_interactions
from kg_engine.load.sider import load_sider


def _count(kg, cypher: str) -> int:
    return int(kg.query(cypher).iloc[0, 0])


def test_interactions_one_edge_per_pair_smaller_id_first(decision_engine):
    kg = decision_engine
    assert _count(kg, "MATCH (:Compound)-[r:interacts_with]->(:Compound) RETURN count(r)") == 48514
    assert _count(kg, "MATCH (a:Compound)-[r:interacts_with]->(b:Compound) WHERE a.curie >= b.curie "
                      "RETURN count(r)") == 0
    rows = kg.query("MATCH (a:Compound {curie: 'DRUGBANK:DB00682'})-[r:interacts_with]-(b:Compound "
                    "{curie: 'DRUGBANK:DB00945'}) RETURN r.sources AS s")
    assert list(rows["s"].iloc[0]) == ["chch-miner-drugbank-ddi"]


def test_sider_frequencies_on_side_effect_edges(decision_engine):
    rows = decision_engine.query(
        "MATCH (c:Compound {curie: 'DRUGBANK:DB00331'})-[r:has_side_effect]->(s:SideEffect {curie: 'UMLS:C0011991'}) "
        "RETURN r.frequency AS f, r.frequency_lower AS lo, r.frequency_upper AS hi, r.placebo_frequency AS pf, "
        "r.sources AS src")
    row = rows.iloc[0]
    assert "53.2%" in row["f"] and row["lo"] == row["hi"] == 0.532
    assert row["pf"] and "53.2%" not in row["pf"], "placebo-arm rates are kept apart"
    assert sorted(row["src"]) == ["hetionet-v1.0", "sider-4.1"]


def _bad_ddi(path: Path, shared_data: Path) -> Path:
    real = (shared_data / "interactions" / "chch_miner_drugbank_ddi.tsv").read_text().splitlines()
    lines = [*real[:6], "DB00862\tDB00862", "XX123\tDB00966", "DB00966\tDB00862", "DB00001", real[3]]
    path.write_text("\n".join(lines) + "\n")
    return path


def test_interactions_loader_idempotent_with_dead_letters(tmp_path, shared_data):
    from kg_engine.store.ladybug import LadybugStore

    store = LadybugStore(tmp_path / "g.lbdb")
    store.init_schema()
    source = _bad_ddi(tmp_path / "ddi.tsv", shared_data)
    with DeadLetter(tmp_path / "dead.jsonl") as dead:
        first = load_interactions(store, source, dead, shared_data / "vocab")
    entries = [json.loads(line) for line in (tmp_path / "dead.jsonl").read_text().splitlines()]
    reasons = {e["line"]: e["reason"] for e in entries}
    assert reasons[7] == "drug paired with itself" and "not a DrugBank id" in reasons[8]
    assert "listed before" in reasons[9] and "fields" in reasons[10] and "listed before" in reasons[11]
    assert all(e["file"] == str(source) for e in entries)
    assert _count(store, "MATCH ()-[r:interacts_with]->() RETURN count(r)") == 5
    named = store.query("MATCH (c:Compound {curie: 'DRUGBANK:DB00862'}) RETURN c.name AS n")["n"].iloc[0]
    assert named and named != "DRUGBANK:DB00862", "drugs new to the store are named from DrugBank"
    with DeadLetter(tmp_path / "dead2.jsonl") as dead:
        second = load_interactions(store, source, dead, shared_data / "vocab")
    assert first.inserted > 0 and second.inserted == 0
    assert _count(store, "MATCH ()-[r:interacts_with]->() RETURN count(r)") == 5
    store.close()


def test_sider_loader_joins_only_stored_edges_and_dead_letters_bad_rows(tmp_path, shared_data):
    import pandas as pd

    from kg_engine.store.base import EdgeBatch, EdgeType, NodeBatch
    from kg_engine.store.ladybug import LadybugStore

    root = tmp_path / "sider"
    root.mkdir()
    (root / "drugbank_pubchem.tsv").write_bytes((shared_data / "sider" / "drugbank_pubchem.tsv").read_bytes())
    with gzip.open(shared_data / "sider" / "meddra_freq.tsv.gz", "rt") as fh:
        metformin = [ln for ln in fh if ln.split("\t")[1] == "CID000004091"]  # metformin's stereo id
    bad = ["CID100004091\tCID000004091\tC0011991\t\t5%\tx\t0.05\tPT\tC0011991\tDiarrhoea\n", "too\tfew\n",
           "CID100004091\tCID099999999\tC0011991\t\t5%\t0.05\t0.05\tPT\tC0011991\tDiarrhoea\n"]
    with gzip.open(root / "meddra_freq.tsv.gz", "wt") as fh:
        fh.writelines([*metformin, *bad])
    store = LadybugStore(tmp_path / "g.lbdb")
    store.init_schema()
    store.upsert_nodes(NodeBatch("Compound", pd.DataFrame({"curie": ["DRUGBANK:DB00331"], "name": ["Metformin"]})))
    store.upsert_nodes(NodeBatch("SideEffect", pd.DataFrame({"curie": ["UMLS:C0011991", "UMLS:C0027497"],
                                                             "name": ["Diarrhoea", "Nausea"]})))
    pairs = pd.DataFrame({"subject": ["DRUGBANK:DB00331"] * 2, "object": ["UMLS:C0011991", "UMLS:C0027497"]})
    store.upsert_edges(EdgeBatch.build(EdgeType("Compound", "has_side_effect", "SideEffect"), pairs, "hetionet-v1.0"))
    with DeadLetter(tmp_path / "dead.jsonl") as dead:
        report = load_sider(store, root, dead)
    assert report.files[0].result.updated == 2 and report.files[0].result.inserted == 0
    assert _count(store, "MATCH ()-[r:has_side_effect]->() RETURN count(r)") == 2, "SIDER adds no edges"
    entries = [json.loads(line) for line in (tmp_path / "dead.jsonl").read_text().splitlines()]
    n = len(metformin)
    assert {e["line"] for e in entries} == {n + 1, n + 2, n + 3}
    assert any("not numbers" in e["reason"] for e in entries) and any("fields" in e["reason"] for e in entries)
    assert any("maps to no DrugBank id" in e["reason"] for e in entries)
    with DeadLetter(tmp_path / "dead2.jsonl") as dead:
        again = load_sider(store, root, dead)
    assert again.files[0].result.updated == 0 and again.files[0].result.unchanged == 2
    store.close()
