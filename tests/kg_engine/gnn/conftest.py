"""A small real graph for GNN tests: the Compound/Disease/Gene/Anatomy edge files of Hetionet, loaded at test time."""

from __future__ import annotations

from pathlib import Path

import pytest
from torch_geometric.data import HeteroData

from kg_engine.load.deadletter import DeadLetter
from kg_engine.load.hetionet import load_hetionet
from kg_engine.load.indications import load_indications
from kg_engine.store.ladybug import LadybugStore

EDGE_FILES = (
    "Compound_Treats_Disease.tsv",
    "Compound_Palliates_Disease.tsv",
    "Compound_Binds_Gene.tsv",
    "Compound_Resembles_Compund.tsv",
    "Disease_Associates_Gene.tsv",
    "Disease_Resembles_Disease.tsv",
    "Disease_Localizes_Anatomy.tsv",
)


def _subset(hetionet_dir: Path, out: Path) -> Path:
    (out / "edges").mkdir(parents=True)
    ids: set[str] = set()
    for name in EDGE_FILES:
        raw = (hetionet_dir / "edges" / name).read_bytes()
        (out / "edges" / name).write_bytes(raw)
        eol = b"\r\n" if b"\r\n" in raw else b"\r" if b"\r" in raw else b"\n"
        lines = [ln for ln in raw.split(eol) if ln]
        kinds = [h.split(b"(")[1].rstrip(b")").decode() for h in lines[0].split(b"\t")]
        for line in lines[1:]:
            for kind, local in zip(kinds, line.decode().split("\t"), strict=True):
                ids.add(f"{kind}::{local}")
    node_lines = (hetionet_dir / "hetionet-v1.0-nodes.tsv").read_text(encoding="utf-8").splitlines()
    kept = [ln for ln in node_lines[1:] if ln.split("\t", 1)[0] in ids]
    (out / "hetionet-v1.0-nodes.tsv").write_text("\n".join([node_lines[0], *kept]) + "\n", encoding="utf-8")
    (out / "metaedges-v1.0.tsv").write_bytes((hetionet_dir / "metaedges-v1.0.tsv").read_bytes())
    return out


@pytest.fixture(scope="session")
def gnn_home(tmp_path_factory: pytest.TempPathFactory, hetionet_dir: Path, shared_data: Path) -> Path:
    """An engine home whose store holds the subset graph plus PharmacotherapyDB indications."""
    home = tmp_path_factory.mktemp("gnn-home")
    root = _subset(hetionet_dir, tmp_path_factory.mktemp("hetionet-gnn"))
    store = LadybugStore(home / "graph.lbdb")
    store.init_schema()
    with DeadLetter(home / "dead.jsonl") as dead:
        load_hetionet(store, root, dead)
        load_indications(store, shared_data / "pharmacotherapydb" / "indications.tsv", dead)
    store.close()
    return home


@pytest.fixture(scope="session")
def small_graph(gnn_home: Path) -> HeteroData:
    """The subset store exported to ``HeteroData`` (read-only open)."""
    store = LadybugStore(gnn_home / "graph.lbdb", read_only=True)
    try:
        return store.to_pyg(split_qualifiers=True)
    finally:
        store.close()
