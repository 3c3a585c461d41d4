"""A small real store for the API tests: a slice of Hetionet (treats, palliates, binds and their nodes)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

pytest.importorskip("fastapi")

EDGE_FILES = {"Compound_Treats_Disease.tsv": None, "Compound_Palliates_Disease.tsv": None,
              "Compound_Binds_Gene.tsv": 3000}


@pytest.fixture(scope="session")
def api_home(tmp_path_factory: pytest.TempPathFactory, hetionet_dir: Path, shared_data: Path) -> Path:
    """KG_HOME: the slice (treats/palliates edges, the first binds edges, their nodes) and PharmacotherapyDB."""
    root = tmp_path_factory.mktemp("api-data")
    (root / "edges").mkdir()
    ids: set[str] = set()
    for name, rows in EDGE_FILES.items():
        text = (hetionet_dir / "edges" / name).read_bytes().replace(b"\r\n", b"\n").replace(b"\r", b"\n").decode()
        lines = [ln for ln in text.splitlines() if ln]
        lines = lines[: rows + 1] if rows else lines
        (root / "edges" / name).write_text("\n".join(lines) + "\n", encoding="utf-8")
        kinds = [h.split("(")[1].rstrip(")") for h in lines[0].split("\t")]
        for line in lines[1:]:
            ids.update(f"{k}::{v}" for k, v in zip(kinds, line.split("\t"), strict=True))
    node_lines = (hetionet_dir / "hetionet-v1.0-nodes.tsv").read_text(encoding="utf-8").splitlines()
    kept = [ln for ln in node_lines[1:] if ln.split("\t", 1)[0] in ids]
    (root / "hetionet-v1.0-nodes.tsv").write_text("\n".join([node_lines[0], *kept]) + "\n", encoding="utf-8")
    (root / "metaedges-v1.0.tsv").write_bytes((hetionet_dir / "metaedges-v1.0.tsv").read_bytes())
    from kg_engine import Engine

    home = tmp_path_factory.mktemp("api-home")
    with Engine.open(home, data_dir=shared_data) as kg:
        kg.init()
        kg.load_hetionet(root)
        kg.load_indications(shared_data / "pharmacotherapydb" / "indications.tsv")
    return home


@pytest.fixture(scope="session")
def api_engine(api_home: Path, shared_data: Path) -> Iterator[object]:
    """The engine on that store, read-only, shared by the TestClient tests."""
    from kg_engine import Engine

    kg = Engine.open(api_home, read_only=True, data_dir=shared_data)
    yield kg
    kg.close()
