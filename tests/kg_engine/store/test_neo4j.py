"""Neo4j backend without a server: connection errors, the statements it sends (through a recording fake
driver), conversion of driver values, and the ``neo4j-admin`` CSV export (from a LadybugDB source).

The behaviour against a real server is covered by ``test_contract.py`` when ``KG_NEO4J_URI`` is set.
"""

from __future__ import annotations

import csv
import importlib
import json
import re
import socket
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

import pandas as pd
import pytest

from kg_engine.config import Settings
from kg_engine.errors import ConfigError, QueryError, ReadOnlyError, StoreError
from kg_engine.store.base import EdgeBatch, EdgeType, GraphStore, NodeBatch
from ontologies import load_schema

if TYPE_CHECKING:
    from conftest import HetionetSlice

from kg_engine.store.neo4j import Neo4jStore, export_admin_import

IMATINIB, ABL1 = "DRUGBANK:DB00619", "NCBIGene:25"
HOSTILE = "Imatinib'}) DETACH DELETE n //"
BINDS = EdgeType("Compound", "directly_physically_interacts_with", "Gene")
AFFECTS = EdgeType("Compound", "affects", "Gene")
Responder = Callable[[str, dict[str, Any]], list[list[Any]]]


# --- a recording fake of the driver ------------------------------------------------------------------


class FakeResult:
    def __init__(self, keys: list[str], rows: list[list[Any]]) -> None:
        self._keys, self._rows = keys, rows

    def __iter__(self) -> Iterator[_Record]:
        return iter(_Record(r) for r in self._rows)

    def keys(self) -> list[str]:
        return self._keys

    def consume(self) -> None:
        return None


class _Record:
    def __init__(self, row: list[Any]) -> None:
        self._row = row

    def values(self) -> list[Any]:
        return self._row


class FakeDriver:
    """Records every (transaction kind, session mode, statement, parameters); answers via ``responder``."""

    def __init__(self) -> None:
        self.log: list[tuple[str, str, str, dict[str, Any]]] = []
        self.responder: Responder = lambda cypher, params: []
        self.closed = False

    def verify_connectivity(self) -> None:
        return None

    def session(self, database: str, default_access_mode: str, bookmark_manager: Any) -> FakeSession:
        return FakeSession(self, default_access_mode)

    def close(self) -> None:
        self.closed = True

    def statements(self, kind: str | None = None) -> list[tuple[str, dict[str, Any]]]:
        return [(c, p) for k, _, c, p in self.log if kind in (None, k)]


class FakeSession:
    def __init__(self, driver: FakeDriver, mode: str) -> None:
        self.driver, self.mode = driver, mode

    def __enter__(self) -> FakeSession:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def execute_read(self, work: Callable[..., Any], *args: Any) -> Any:
        return work(_Tx(self, "read"), *args)

    def execute_write(self, work: Callable[..., Any], *args: Any) -> Any:
        return work(_Tx(self, "write"), *args)


class _Tx:
    def __init__(self, session: FakeSession, kind: str) -> None:
        self.session, self.kind = session, kind

    def run(self, cypher: str, params: dict[str, Any]) -> FakeResult:
        driver = self.session.driver
        driver.log.append((self.kind, self.session.mode, cypher, params))
        return FakeResult(_return_keys(cypher), driver.responder(cypher, params))


def _return_keys(cypher: str) -> list[str]:
    """The column names of a statement's RETURN clause (aliases, else the expressions)."""
    if "RETURN" not in cypher:
        return []
    items, depth, current = [], 0, ""
    for char in cypher.rsplit("RETURN", 1)[1] + ",":
        depth += (char in "([{") - (char in ")]}")
        if char == "," and depth == 0:
            items.append(current.strip())
            current = ""
        else:
            current += char
    return [item.split(" AS ")[-1].strip("`") for item in items]


@pytest.fixture
def neo4j() -> ModuleType:
    """The driver package; tests that need it are skipped without the ``neo4j`` extra."""
    return pytest.importorskip("neo4j")


@pytest.fixture
def fake(neo4j: ModuleType, monkeypatch: pytest.MonkeyPatch) -> FakeDriver:
    driver = FakeDriver()
    monkeypatch.setattr(neo4j.GraphDatabase, "driver", lambda uri, auth=None, **config: driver)
    return driver


def _known(curies: set[str], pairs: list[list[Any]] | None = None) -> Responder:
    """Answer endpoint look-ups with the CURIEs in ``curies`` and edge look-ups with ``pairs``."""

    def respond(cypher: str, params: dict[str, Any]) -> list[list[Any]]:
        if "$pairs" in cypher:
            return pairs or []
        if cypher.endswith("RETURN n.curie AS curie"):
            return [[c] for c in params["ids"] if c in curies]
        return []

    return respond


# --- connecting --------------------------------------------------------------------------------------


def test_from_settings_needs_a_uri() -> None:
    with pytest.raises(ConfigError, match="KG_NEO4J_URI"):
        Neo4jStore.from_settings(Settings(backend="neo4j"))


def test_unreachable_server_names_the_uri_never_the_password(neo4j: ModuleType) -> None:
    with socket.socket() as sock:  # a port that was free a moment ago: nothing listens there
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    uri = f"bolt://127.0.0.1:{port}"
    with pytest.raises(StoreError, match=re.escape(uri)) as info:
        Neo4jStore.from_settings(Settings(backend="neo4j", neo4j_uri=uri, neo4j_password="s3cret-pw"))
    assert "s3cret-pw" not in str(info.value)


def test_bad_uri_scheme_is_a_config_error(neo4j: ModuleType) -> None:
    with pytest.raises(ConfigError, match="not a Neo4j URI"):
        Neo4jStore("ftp://example.org", password="s3cret-pw")


def test_missing_driver_says_how_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    import kg_engine.store

    monkeypatch.setitem(sys.modules, "neo4j", None)
    monkeypatch.delitem(sys.modules, "kg_engine.store.neo4j")
    monkeypatch.delattr(kg_engine.store, "neo4j", raising=False)  # restored, with sys.modules, afterwards
    module = importlib.import_module("kg_engine.store.neo4j")  # a fresh import: works without the driver
    with pytest.raises(ConfigError, match=re.escape("pip install 'kg-engine[neo4j]'")):
        module.Neo4jStore("neo4j://localhost:7687")


# --- statements --------------------------------------------------------------------------------------


def test_init_schema_creates_one_uniqueness_constraint_per_category(fake: FakeDriver) -> None:
    Neo4jStore("neo4j://fake").init_schema(load_schema())
    statements = [c for c, _ in fake.statements("write")]
    assert len(statements) == len(load_schema().categories)
    assert "CREATE CONSTRAINT `kg_Gene_curie` IF NOT EXISTS FOR (n:`Gene`) REQUIRE n.curie IS UNIQUE" in statements


def test_node_values_travel_only_as_parameters(fake: FakeDriver) -> None:
    frame = pd.DataFrame({"curie": [IMATINIB], "name": [HOSTILE], "mass": [493.6], "_line": [2]})
    result = Neo4jStore("neo4j://fake").upsert_nodes(NodeBatch("Compound", frame))
    assert (result.inserted, result.updated, result.unchanged) == (1, 0, 0)
    assert all(HOSTILE not in cypher for cypher, _ in fake.statements())
    [(cypher, params)] = fake.statements("write")
    assert cypher == "UNWIND $rows AS row MERGE (n:`Compound` {curie: row.curie}) SET n += row.props"
    assert params == {"rows": [{"curie": IMATINIB, "props": {"name": HOSTILE, "mass": 493.6}}]}


def test_existing_unchanged_nodes_are_not_written(fake: FakeDriver) -> None:
    fake.responder = lambda cypher, params: [[IMATINIB, "Imatinib"]]
    frame = pd.DataFrame({"curie": [IMATINIB], "name": ["Imatinib"]})
    result = Neo4jStore("neo4j://fake").upsert_nodes(NodeBatch("Compound", frame))
    assert (result.inserted, result.unchanged) == (0, 1)
    assert fake.statements("write") == []


def test_reads_and_writes_go_in_batches(fake: FakeDriver) -> None:
    frame = pd.DataFrame({"curie": [f"DRUGBANK:DB0000{i}" for i in range(5)], "name": list("abcde")})
    Neo4jStore("neo4j://fake", batch_rows=2).upsert_nodes(NodeBatch("Compound", frame))
    assert [len(p["ids"]) for _, p in fake.statements("read")] == [2, 2, 1]
    assert [len(p["rows"]) for _, p in fake.statements("write")] == [2, 2, 1]


def test_edge_merge_names_qualifiers_and_rejects_missing_endpoints(fake: FakeDriver) -> None:
    fake.responder = _known({IMATINIB, ABL1})
    pairs = pd.DataFrame({"subject": [IMATINIB, IMATINIB], "object": [ABL1, "NCBIGene:999999"], "_line": [7, 9]})
    quals = load_schema().hetionet_metaedges()["CdG"].qualifiers
    result = Neo4jStore("neo4j://fake").upsert_edges(EdgeBatch.build(AFFECTS, pairs, "hetionet-v1.0", quals))
    assert result.inserted == 1
    assert result.rejected[["_line", "reason"]].to_dict("records") == [
        {"_line": 9, "reason": "object NCBIGene:999999 is not a stored Gene"}
    ]
    [(cypher, params)] = fake.statements("write")
    assert (
        "MERGE (a)-[r:`affects` {`object_aspect_qualifier`: row.quals.`object_aspect_qualifier`, "
        "`object_direction_qualifier`: row.quals.`object_direction_qualifier`}]->(b) SET r += row.props"
    ) in cypher
    assert params["rows"] == [{
        "subject": IMATINIB, "object": ABL1, "props": {"sources": ["hetionet-v1.0"]},
        "quals": {"object_aspect_qualifier": "expression", "object_direction_qualifier": "decreased"},
    }]


def test_first_batch_of_an_empty_edge_type_creates_without_reading_edges(fake: FakeDriver) -> None:
    known = _known({IMATINIB, ABL1})
    fake.responder = lambda cypher, params: [[False]] if cypher.startswith("RETURN EXISTS") else known(cypher, params)
    pair = pd.DataFrame({"subject": [IMATINIB], "object": [ABL1]})
    quals = load_schema().hetionet_metaedges()["CdG"].qualifiers
    batch = EdgeBatch.build(AFFECTS, pair, "hetionet-v1.0", quals)
    results = Neo4jStore("neo4j://fake").upsert_edge_batches([batch, batch])
    assert [r.inserted for r in results] == [1, 1]  # the fake stores nothing: the second finds no edge either
    assert len([c for c, _ in fake.statements("read") if "$pairs" in c]) == 1  # the second batch's look-up
    [(create, params), (merge, _)] = fake.statements("write")
    assert create.endswith("CREATE (a)-[r:`affects`]->(b) SET r += row.quals, r += row.props")
    assert "MERGE (a)-[r:`affects` {" in merge
    assert params["rows"] == [{
        "subject": IMATINIB, "object": ABL1, "props": {"sources": ["hetionet-v1.0"]},
        "quals": {"object_aspect_qualifier": "expression", "object_direction_qualifier": "decreased"},
    }]


def test_stored_qualifiers_join_the_identity_of_unqualified_edges(fake: FakeDriver) -> None:
    stored = {"sources": ["hetionet-v1.0"], "object_direction_qualifier": "increased"}
    fake.responder = _known({IMATINIB, ABL1}, [[IMATINIB, ABL1, stored]])
    pair = pd.DataFrame({"subject": [IMATINIB], "object": [ABL1]})
    result = Neo4jStore("neo4j://fake").upsert_edges(EdgeBatch.build(AFFECTS, pair, "pubmed"))
    assert (result.inserted, result.updated) == (1, 0)
    [(cypher, params)] = fake.statements("write")
    assert "{`object_direction_qualifier`: row.quals.`object_direction_qualifier`}" in cypher
    assert params["rows"][0]["quals"] == {"object_direction_qualifier": ""}


def test_sources_merge_updates_the_one_stored_edge(fake: FakeDriver) -> None:
    fake.responder = _known({IMATINIB, ABL1}, [[IMATINIB, ABL1, {"sources": ["hetionet-v1.0"]}]])
    pair = pd.DataFrame({"subject": [IMATINIB], "object": [ABL1]})
    result = Neo4jStore("neo4j://fake").upsert_edges(EdgeBatch.build(BINDS, pair, "pubmed"))
    assert (result.inserted, result.updated) == (0, 1)
    [(cypher, params)] = fake.statements("write")
    assert cypher.startswith("UNWIND $rows AS row MATCH (a:`Compound` {curie: row.subject})")
    assert cypher.endswith("WHERE true SET r += row.props")
    assert params["rows"][0]["props"] == {"sources": ["hetionet-v1.0", "pubmed"]}


# --- queries -----------------------------------------------------------------------------------------


def test_read_only_refuses_writes_before_sending_and_reads_in_read_transactions(
    neo4j: ModuleType, fake: FakeDriver
) -> None:
    store = Neo4jStore("neo4j://fake", read_only=True)
    with pytest.raises(ReadOnlyError, match="CREATE"):
        store.query("CREATE (n:Compound {curie: $c})", {"c": IMATINIB})
    with pytest.raises(ReadOnlyError):
        store.upsert_nodes(NodeBatch("Compound", pd.DataFrame({"curie": [IMATINIB], "name": ["x"]})))
    assert fake.log == []
    store.query("MATCH (n:Compound) RETURN n.curie AS curie")
    assert [(kind, mode) for kind, mode, _, _ in fake.log] == [("read", neo4j.READ_ACCESS)]


@pytest.mark.parametrize(
    ("code", "error"),
    [
        ("Neo.ClientError.Statement.SyntaxError", QueryError),
        ("Neo.ClientError.Statement.AccessMode", ReadOnlyError),
        ("Neo.ClientError.Security.Unauthorized", StoreError),
        ("Neo.DatabaseError.General.UnknownError", StoreError),
    ],
)
def test_server_errors_become_catalogue_errors(
    neo4j: ModuleType, fake: FakeDriver, code: str, error: type[Exception]
) -> None:
    def fail(cypher: str, params: dict[str, Any]) -> list[list[Any]]:
        raise neo4j.exceptions.Neo4jError._hydrate_neo4j(code=code, message="Invalid input 'RETURN'")

    fake.responder = fail
    with pytest.raises(error, match="Invalid input 'RETURN'"):
        Neo4jStore("neo4j://fake").query("MATCH (n RETURN n")


def test_lost_connection_is_a_store_error_naming_the_uri(neo4j: ModuleType, fake: FakeDriver) -> None:
    def fail(cypher: str, params: dict[str, Any]) -> list[list[Any]]:
        raise neo4j.exceptions.ServiceUnavailable("connection lost")

    fake.responder = fail
    with pytest.raises(StoreError, match="neo4j://fake"):
        Neo4jStore("neo4j://fake").stats()


def test_graph_values_become_plain_dicts(neo4j: ModuleType, fake: FakeDriver) -> None:
    from neo4j.graph import Graph, Node, Path

    graph = Graph()
    drug = Node(graph, "4:x:1", 1, ["Compound"], {"curie": IMATINIB, "name": "Imatinib"})
    gene = Node(graph, "4:x:2", 2, ["Gene"], {"curie": ABL1})
    rel = graph.relationship_type("directly_physically_interacts_with")(graph, "5:x:1", 1, {"sources": ["a"]})
    rel._start_node, rel._end_node = drug, gene  # what the driver's hydration does
    fake.responder = lambda cypher, params: [[drug, rel, Path(drug, rel), [gene], neo4j.time.Date(2024, 5, 1)]]
    row = Neo4jStore("neo4j://fake").query("MATCH p = (n)-[r]->(m) RETURN n, r, p, [m] AS ms, date() AS d").iloc[0]
    assert row["n"] == {"_ID": "4:x:1", "_LABEL": "Compound", "curie": IMATINIB, "name": "Imatinib"}
    assert row["r"] == {
        "_ID": "5:x:1", "_LABEL": "directly_physically_interacts_with", "_SRC": "4:x:1", "_DST": "4:x:2",
        "sources": ["a"],
    }
    assert [n["curie"] for n in row["p"]["_NODES"]] == [IMATINIB, ABL1]
    assert row["ms"] == [{"_ID": "4:x:2", "_LABEL": "Gene", "curie": ABL1}]
    assert str(row["d"]) == "2024-05-01"


def test_stats_and_to_pyg_from_server_rows(fake: FakeDriver) -> None:
    def respond(cypher: str, params: dict[str, Any]) -> list[list[Any]]:
        if "UNWIND labels(n)" in cypher:
            return [["Compound", 1], ["Gene", 2]]
        if "count(*) AS c" in cypher:
            return [["Compound", "affects", "Gene", 2]]
        if "n.curie AS curie" in cypher:
            return [["Compound", IMATINIB], ["Gene", ABL1], ["Gene", "NCBIGene:27"]]
        return [
            ["Compound", "affects", "Gene", IMATINIB, ABL1, [["object_direction_qualifier", "increased"]]],
            ["Compound", "affects", "Gene", IMATINIB, "NCBIGene:27", [["object_direction_qualifier", "decreased"]]],
        ]

    fake.responder = respond
    store = Neo4jStore("neo4j://fake")
    stats = store.stats()
    assert (stats.nodes, stats.edges) == ({"Compound": 1, "Gene": 2}, {AFFECTS.as_tuple(): 2})
    assert store.edge_types() == [AFFECTS]
    data = store.to_pyg()
    up = data["Compound", "affects_increased", "Gene"].edge_index.tolist()
    assert (data["Compound"].curie[up[0][0]], data["Gene"].curie[up[1][0]]) == (IMATINIB, ABL1)
    down = data["Compound", "affects_decreased", "Gene"].edge_index.tolist()
    assert data["Gene"].curie[down[1][0]] == "NCBIGene:27"
    store.close()
    assert fake.closed


# --- neo4j-admin export ------------------------------------------------------------------------------


@pytest.fixture
def loaded(tmp_path: Path, hetionet_slice: HetionetSlice) -> Iterator[GraphStore]:
    from kg_engine.store.ladybug import LadybugStore

    store = LadybugStore(tmp_path / "graph.lbdb")
    store.init_schema(load_schema())
    hetionet_slice.load(store)
    yield store
    store.close()


def _read_csv(path: Path) -> tuple[list[str], list[list[str]]]:
    with path.open(encoding="utf-8", newline="") as fh:
        header, *rows = list(csv.reader(fh))
    return header, rows


def test_export_writes_one_file_per_category_and_edge_type(
    tmp_path: Path, loaded: GraphStore, hetionet_slice: HetionetSlice
) -> None:
    files = export_admin_import(tmp_path / "import", loaded)
    assert [p.name for p in files] == [
        "nodes_Compound.csv", "nodes_Gene.csv", "relationships_Compound_affects_Gene.csv",
        "relationships_Compound_directly_physically_interacts_with_Gene.csv", "import.sh",
    ]
    header, rows = _read_csv(files[0])
    assert header == ["curie:ID(Compound)", "name", ":LABEL"]
    assert sorted(rows) == sorted([c, n, "Compound"] for c, n in hetionet_slice.compounds.frame.to_numpy().tolist())
    assert len(_read_csv(files[1])[1]) == len(hetionet_slice.genes.frame)


def test_export_relationship_files(tmp_path: Path, loaded: GraphStore, hetionet_slice: HetionetSlice) -> None:
    files = {p.name: p for p in export_admin_import(tmp_path, loaded)}
    header, rows = _read_csv(files["relationships_Compound_directly_physically_interacts_with_Gene.csv"])
    assert header == [":START_ID(Compound)", ":END_ID(Gene)", ":TYPE", "sources:string[]"]
    expected = set(zip(hetionet_slice.binds.frame["subject"], hetionet_slice.binds.frame["object"], strict=True))
    assert {(r[0], r[1]) for r in rows} == expected and len(rows) == len(expected)
    assert {r[2] for r in rows} == {"directly_physically_interacts_with"}
    header, rows = _read_csv(files["relationships_Compound_affects_Gene.csv"])
    assert header[:4] == [":START_ID(Compound)", ":END_ID(Gene)", ":TYPE", "sources:string[]"]
    assert sorted(header[4:]) == ["object_aspect_qualifier", "object_direction_qualifier"]
    direction = header.index("object_direction_qualifier")
    counts = pd.Series([r[direction] for r in rows]).value_counts().to_dict()
    up, down = len(hetionet_slice.upregulates.frame), len(hetionet_slice.downregulates.frame)
    assert counts == {"increased": up, "decreased": down}


def test_export_keeps_arrays_and_evidence_json(tmp_path: Path, loaded: GraphStore) -> None:
    evidence = json.dumps([{"doc_id": "PMID:1", "snippet": 'imatinib, "STI-571", inhibits ABL1'}])
    frame = pd.DataFrame({"subject": [IMATINIB], "object": [ABL1], "sources": [["pubmed"]], "evidence": [evidence]})
    loaded.upsert_edges(EdgeBatch(BINDS, frame))
    path = tmp_path / "relationships_Compound_directly_physically_interacts_with_Gene.csv"
    export_admin_import(tmp_path, loaded)
    header, rows = _read_csv(path)
    assert header == [":START_ID(Compound)", ":END_ID(Gene)", ":TYPE", "sources:string[]", "evidence", "support:long"]
    [row] = [r for r in rows if r[:2] == [IMATINIB, ABL1]]
    assert row[3] == "hetionet-v1.0;pubmed"
    assert json.loads(row[4]) == json.loads(evidence)


def test_export_refuses_values_holding_the_array_delimiter(tmp_path: Path, loaded: GraphStore) -> None:
    pair = pd.DataFrame({"subject": [IMATINIB], "object": [ABL1]})
    loaded.upsert_edges(EdgeBatch.build(BINDS, pair, "a;b"))
    with pytest.raises(StoreError, match="delimiter"):
        export_admin_import(tmp_path, loaded)


def test_import_script_has_the_exact_command(tmp_path: Path, loaded: GraphStore) -> None:
    files = export_admin_import(tmp_path, loaded, database="hetionet")
    script = files[-1].read_text(encoding="utf-8")
    command = script[script.index("neo4j-admin") :].replace("\\\n", " ").split()
    assert command == [
        "neo4j-admin", "database", "import", "full",
        "--nodes=nodes_Compound.csv", "--nodes=nodes_Gene.csv",
        "--relationships=relationships_Compound_affects_Gene.csv",
        "--relationships=relationships_Compound_directly_physically_interacts_with_Gene.csv",
        '--array-delimiter=";"', "hetionet",
    ]
    assert files[-1].stat().st_mode & 0o111
