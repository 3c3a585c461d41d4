"""A session store holding a slice of the real Hetionet graph (a few edge files, their nodes)."""

from __future__ import annotations

from pathlib import Path

import pytest

EDGE_FILES = ("Compound_Treats_Disease.tsv", "Compound_Binds_Gene.tsv", "Compound_Palliates_Disease.tsv",
              "PharmacologicClass_Includes_Compound.tsv")


@pytest.fixture(scope="session")
def ask_home(tmp_path_factory: pytest.TempPathFactory, hetionet_dir: Path, shared_data: Path) -> Path:
    """KG_HOME with those edge files loaded; nodes are the ones the edges touch."""
    root = tmp_path_factory.mktemp("ask-data")
    (root / "edges").mkdir()
    ids: set[str] = set()
    for name in EDGE_FILES:
        raw = (hetionet_dir / "edges" / name).read_bytes()
        (root / "edges" / name).write_bytes(raw)
        lines = raw.replace(b"\r\n", b"\n").replace(b"\r", b"\n").decode().splitlines()
        kinds = [h.split("(")[1].rstrip(")") for h in lines[0].split("\t")]
        for line in lines[1:]:
            if line:
                ids.update(f"{k}::{v}" for k, v in zip(kinds, line.split("\t"), strict=True))
    node_lines = (hetionet_dir / "hetionet-v1.0-nodes.tsv").read_text(encoding="utf-8").splitlines()
    kept = [ln for ln in node_lines[1:] if ln.split("\t", 1)[0].replace("Pharmacologic Class", "PharmacologicClass")
            .replace(" ", "") in ids or ln.split("\t", 1)[0] in ids]
    (root / "hetionet-v1.0-nodes.tsv").write_text("\n".join([node_lines[0], *kept]) + "\n", encoding="utf-8")
    (root / "metaedges-v1.0.tsv").write_bytes((hetionet_dir / "metaedges-v1.0.tsv").read_bytes())
    from kg_engine import Engine

    home = tmp_path_factory.mktemp("ask-home")
    with Engine.open(home, data_dir=shared_data) as kg:
        kg.init()
        kg.load_hetionet(root)
    return home


@pytest.fixture(scope="session")
def ask_engine(ask_home: Path, shared_data: Path):
    """The engine on that store, read-only, shared by the session's tests."""
    from kg_engine import Engine

    kg = Engine.open(ask_home, read_only=True, data_dir=shared_data)
    yield kg
    kg.close()
