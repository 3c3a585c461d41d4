"""Literature into the graph: publications, mentions with evidence, co-mentions; idempotent re-ingest."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from kg_engine.literature import ingest_literature
from kg_engine.load.deadletter import DeadLetter
from kg_engine.load.hetionet import load_hetionet
from kg_engine.store.ladybug import LadybugStore


@pytest.fixture
def store(tmp_path: Path, hetionet_dir: Path) -> LadybugStore:
    """A store holding every Hetionet node (no edges), so mentions can attach to existing nodes."""
    nodes_only = tmp_path / "hetionet"
    (nodes_only / "edges").mkdir(parents=True)
    for name in ("hetionet-v1.0-nodes.tsv", "metaedges-v1.0.tsv"):
        shutil.copy(hetionet_dir / name, nodes_only / name)
    s = LadybugStore(tmp_path / "graph.lbdb")
    s.init_schema()
    with DeadLetter(tmp_path / "h.jsonl") as dead:
        load_hetionet(s, nodes_only, dead)
    yield s
    s.close()


def _pubtator_subset(dev: Path, out: Path, n: int) -> Path:
    out.write_text("\n\n".join(dev.read_text().split("\n\n")[:n]) + "\n")
    return out


def _ingest(nlp, store, path, tmp_path):
    with DeadLetter(tmp_path / "lit.jsonl") as dead:
        return ingest_literature(nlp, store, [path], dead, "test", batch_size=16)


def test_ingest_attaches_evidence_and_is_idempotent(nlp, store, shared_data, tmp_path):
    path = _pubtator_subset(shared_data / "bc5cdr" / "CDR_DevelopmentSet.PubTator.txt", tmp_path / "dev40.txt", 40)
    report = _ingest(nlp, store, path, tmp_path)
    assert report.documents == 40 and report.dead_lettered == 0 and report.attached_to_existing > 0
    before = store.stats()
    assert before.nodes["Publication"] == 40
    rows = store.query(
        "MATCH (p:Publication)-[r:mentions]->(c:Compound) WHERE c.curie STARTS WITH 'DRUGBANK:' "
        "RETURN p.curie AS pub, c.curie AS drug, r.evidence AS evidence, r.support AS support LIMIT 5"
    )
    assert len(rows) > 0
    for ev, support in zip(rows["evidence"], rows["support"], strict=True):
        records = json.loads(ev)
        assert len(records) == support
        assert all(r["doc_id"] and r["span"] and r["sentence_span"] and r["snippet"] for r in records)
    co = store.query("MATCH (:Compound)-[r:occurs_together_in_literature_with]->(:Disease) RETURN count(r) AS n")
    assert int(co["n"].iloc[0]) > 0
    _ingest(nlp, store, path, tmp_path)
    assert store.stats() == before


KG = str(Path(sys.executable).parent / "kg")


def test_cli_extract_dead_letters_garbled_documents(kb_home, shared_data, tmp_path):
    blocks = (shared_data / "bc5cdr" / "CDR_DevelopmentSet.PubTator.txt").read_text().split("\n\n")[:8]
    lines = blocks[2].splitlines()
    blocks[2] = "\n".join([lines[0], *lines[2:]])
    tail = blocks[7].splitlines()
    blocks[7] = "\n".join([*tail[:3], tail[3][: len(tail[3]) // 2]])  # file cut inside an annotation line
    src = tmp_path / "garbled.txt"
    src.write_text("\n\n".join(blocks) + "\n")
    out = tmp_path / "out.jsonl"
    env = {**os.environ, "KG_HOME": str(kb_home), "KG_DATA_DIR": str(shared_data)}
    result = subprocess.run([KG, "extract", str(src), "--out", str(out)], capture_output=True, text=True, env=env,
                            timeout=600, check=False)
    assert result.returncode == 0, result.stderr
    lines = [json.loads(ln) for ln in out.read_text().splitlines()]
    broken = {blocks[2].split("|")[0], blocks[7].split("|")[0]}
    assert {ln["doc_id"] for ln in lines} == {b.split("|")[0] for b in blocks} - broken
    dead = [json.loads(ln) for ln in (kb_home / "deadletter" / "extract.jsonl").read_text().splitlines()]
    assert {d["record"] for d in dead} == broken and all(d["reason"] and d["line"] for d in dead)
    assert all(m["text"] and m["type"] in {"Chemical", "Disease", "Gene"} for ln in lines for m in ln["mentions"])
