"""The read-only mode on real stores: the generated write corpus changes nothing, reads still run,
the database itself refuses a write when the guard is bypassed, and parameters are checked."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pandas as pd
import pytest

from kg_engine.engine import Engine
from kg_engine.errors import QueryError, ReadOnlyError
from kg_engine.store.base import EdgeBatch, EdgeType, GraphStore, NodeBatch
from ontologies import load_schema

BINDS = EdgeType("Compound", "directly_physically_interacts_with", "Gene")


def load_corpus() -> ModuleType:
    name = "readonly_corpus"
    if name not in sys.modules:
        path = Path(__file__).parents[2] / "cypher" / f"{name}.py"
        spec = importlib.util.spec_from_file_location(name, path)
        assert spec and spec.loader
        sys.modules[name] = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(sys.modules[name])
    return sys.modules[name]


corpus = load_corpus()


def _fill(store: GraphStore) -> None:
    store.init_schema(load_schema())
    compounds = pd.DataFrame({"curie": ["DRUGBANK:DB00619", "DRUGBANK:DB01254"], "name": ["Imatinib", "Dasatinib"]})
    store.upsert_nodes(NodeBatch("Compound", compounds))
    store.upsert_nodes(NodeBatch("Gene", pd.DataFrame({"curie": ["NCBIGene:25"], "name": ["ABL1"]})))
    pairs = pd.DataFrame({"subject": ["DRUGBANK:DB00619"], "object": ["NCBIGene:25"]})
    store.upsert_edges(EdgeBatch.build(BINDS, pairs, "hetionet-v1.0"))


@pytest.fixture
def reader(backend) -> GraphStore:
    """A read-only store over two compounds, a gene and an edge."""
    writer = backend.open()
    _fill(writer)
    backend.close(writer)
    return backend.open(read_only=True)


def _counts(store: GraphStore) -> tuple[dict, dict]:
    stats = store.stats()
    return {k: v for k, v in stats.nodes.items() if v}, {k: v for k, v in stats.edges.items() if v}


def test_generated_writes_are_refused_and_change_nothing(backend, reader: GraphStore, tmp_path: Path) -> None:
    out = tmp_path / "must-stay-empty"
    before = _counts(reader)
    cases = corpus.write_corpus(str(out), backend.name)
    passed = []
    for case in cases:
        try:
            reader.query(case.text)
        except ReadOnlyError as exc:
            if not str(exc).startswith("read-only mode refuses"):  # refused by the database, not the guard
                passed.append((case.text, str(exc)))
        except Exception as exc:  # any other outcome: it reached the database
            passed.append((case.text, type(exc).__name__))
        else:
            passed.append((case.text, "ran"))
    assert len(cases) >= 150
    assert passed == []
    assert _counts(reader) == before
    assert not out.exists()


def test_generated_reads_run_on_a_read_only_store(backend, reader: GraphStore) -> None:
    failed = []
    for case in corpus.read_corpus(backend.name):
        try:
            reader.query(case.text)
        except Exception as exc:  # collect every failure, not just the first
            failed.append((case.text, f"{type(exc).__name__}: {exc}"))
    assert failed == []


def test_engine_refuses_export_database_in_read_only_mode(backend, reader: GraphStore, tmp_path: Path) -> None:
    engine = Engine(reader, _settings(backend.name, tmp_path))
    with pytest.raises(ReadOnlyError, match=r"read-only mode refuses EXPORT DATABASE"):
        engine.query(f"EXPORT DATABASE '{tmp_path / 'export'}'")
    assert not (tmp_path / "export").exists()


def test_with_the_guard_bypassed_the_database_itself_refuses_a_write(
    backend, reader: GraphStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Neo4j: read-only stores run queries in READ transactions, so the server refuses the write."""
    module = sys.modules[type(reader).__module__]
    monkeypatch.setattr(module, "read_only_refusal", lambda *args: None)
    before = _counts(reader)
    with pytest.raises(ReadOnlyError):
        reader.query("CREATE (:Compound {curie: 'DRUGBANK:DB00002', name: 'x'})")
    with pytest.raises(ReadOnlyError):
        reader.query("MATCH (n:Compound) SET n.name = 'changed'")
    assert _counts(reader) == before
    names = reader.query("MATCH (n:Compound) RETURN n.name AS name ORDER BY name")["name"].tolist()
    assert names == ["Dasatinib", "Imatinib"]


@pytest.mark.parametrize("read_only", [False, True])
def test_missing_and_unused_parameters_are_query_errors(backend, read_only: bool) -> None:
    writer = backend.open()
    _fill(writer)
    store = writer
    if read_only:
        backend.close(writer)
        store = backend.open(read_only=True)
    lookup = "MATCH (n:Compound {curie: $c}) RETURN n.name AS name"
    with pytest.raises(QueryError, match=r"no value for query parameter\(s\) \$c"):
        store.query(lookup)
    with pytest.raises(QueryError, match=r"never uses: \$d"):
        store.query(lookup, {"c": "DRUGBANK:DB00619", "d": 1})
    with pytest.raises(QueryError, match=r"never uses: \$c"):
        store.query("MATCH (n:Compound) WHERE n.curie = '$c' RETURN n.name AS name", {"c": "x"})
    assert store.query(lookup, {"c": "DRUGBANK:DB00619"})["name"].tolist() == ["Imatinib"]


def _settings(backend_name: str, home: Path):
    from kg_engine.config import Settings

    return Settings.load(home=home, backend=backend_name)
