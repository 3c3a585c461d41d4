"""Store fixtures: every backend behind one factory, and a small real Hetionet slice to load into it.

The slice is cut at test time from the shared Hetionet files (never copied into the repository):
imatinib and dasatinib, every gene they bind, up- or down-regulate, and those edges.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pytest

from kg_engine.config import Settings
from kg_engine.load.tabular import read_table
from kg_engine.store.base import EdgeBatch, EdgeType, GraphStore, NodeBatch, UpsertResult
from ontologies import load_schema
from ontologies.curies import hetionet_curie

NEO4J_SKIP = "KG_NEO4J_URI not set: no Neo4j server to test against (scripts/test.sh starts one)"
NEO4J_REQUIRED = "KG_REQUIRE_NEO4J=1 but KG_NEO4J_URI is not set: the Neo4j half of the suite cannot run"
SLICE_COMPOUNDS = ("DB00619", "DB01254")


@dataclass
class Backend:
    """Opens stores of one backend on the test's database and closes whatever is left open."""

    name: str
    opener: Callable[[bool], GraphStore]
    opened: list[GraphStore] = field(default_factory=list)

    def open(self, read_only: bool = False) -> GraphStore:
        store = self.opener(read_only)
        self.opened.append(store)
        return store

    def close(self, store: GraphStore) -> None:
        self.opened.remove(store)
        store.close()

    def close_all(self) -> None:
        while self.opened:
            self.close(self.opened[-1])


def _ladybug_backend(tmp_path: Path) -> Backend:
    from kg_engine.store.ladybug import LadybugStore

    return Backend("ladybug", lambda read_only: LadybugStore(tmp_path / "graph.lbdb", read_only=read_only))


def _neo4j_backend() -> Backend:
    """The server named by ``KG_NEO4J_URI``; without one, skip, or fail when ``KG_REQUIRE_NEO4J=1``.

    A server that is named but does not answer always fails: the user asked for it.
    """
    if not os.environ.get("KG_NEO4J_URI"):
        if os.environ.get("KG_REQUIRE_NEO4J") == "1":
            pytest.fail(NEO4J_REQUIRED, pytrace=False)
        pytest.skip(NEO4J_SKIP)
    from kg_engine.errors import StoreError
    from kg_engine.store.neo4j import Neo4jStore

    settings = Settings.load(backend="neo4j")
    try:
        wiper = Neo4jStore.from_settings(settings, read_only=False)
    except StoreError as exc:
        pytest.fail(f"the Neo4j test server does not answer: {exc}", pytrace=False)
    try:
        wiper.query("MATCH (n) DETACH DELETE n")
    finally:
        wiper.close()
    return Backend("neo4j", lambda read_only: Neo4jStore.from_settings(settings, read_only=read_only))


@pytest.fixture(params=["ladybug", pytest.param("neo4j", marks=pytest.mark.neo4j)])
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Backend]:
    """One backend per parameter, on an empty database (Neo4j: wiped before the test)."""
    chosen = _ladybug_backend(tmp_path) if request.param == "ladybug" else _neo4j_backend()
    yield chosen
    chosen.close_all()


@pytest.fixture
def store(backend: Backend) -> GraphStore:
    """A writable, empty store with the schema initialised."""
    opened = backend.open()
    opened.init_schema(load_schema())
    return opened


@dataclass(frozen=True)
class HetionetSlice:
    """Nodes and edge batches of the slice; edge frames keep the source file's ``_line``."""

    compounds: NodeBatch
    genes: NodeBatch
    binds: EdgeBatch
    upregulates: EdgeBatch
    downregulates: EdgeBatch
    other_binds: EdgeBatch  # Compound_Binds_Gene rows of compounds outside the slice

    @property
    def edge_batches(self) -> list[EdgeBatch]:
        return [self.binds, self.upregulates, self.downregulates]

    def load(self, store: GraphStore) -> list[UpsertResult]:
        """Upsert every node and edge batch; return the results in that order."""
        results = [store.upsert_nodes(self.compounds), store.upsert_nodes(self.genes)]
        return results + [store.upsert_edges(batch) for batch in self.edge_batches]


def _edge_rows(path: Path, compounds: tuple[str, ...] | None, exclude: bool = False) -> pd.DataFrame:
    frame = read_table(path).frame.set_axis(["start", "end", "_line"], axis=1)
    chosen = frame["start"].isin(compounds or ())
    frame = frame[~chosen] if exclude else frame[chosen]
    return pd.DataFrame({
        "subject": [hetionet_curie("Compound", c) for c in frame["start"]],
        "object": [hetionet_curie("Gene", g) for g in frame["end"]],
        "_line": frame["_line"].to_numpy(),
    })


def _batch(hetionet_dir: Path, abbrev: str, file: str, exclude: bool = False) -> EdgeBatch:
    schema = load_schema()
    mapping = schema.hetionet_metaedges()[abbrev]
    pairs = _edge_rows(hetionet_dir / "edges" / file, SLICE_COMPOUNDS, exclude)
    et = EdgeType(mapping.subject, mapping.predicate, mapping.object)
    return EdgeBatch.build(et, pairs.reset_index(drop=True), schema.source_name("hetionet"), mapping.qualifiers)


def _nodes(hetionet_dir: Path, category: str, curies: set[str]) -> NodeBatch:
    table = read_table(hetionet_dir / "hetionet-v1.0-nodes.tsv", required=("id", "name", "kind")).frame
    table = table[table["kind"] == category]
    table = table.assign(curie=[hetionet_curie(category, i.split("::", 1)[1]) for i in table["id"]])
    chosen = table[table["curie"].isin(curies)].sort_values("curie")
    return NodeBatch(category, chosen[["curie", "name"]].reset_index(drop=True))


@pytest.fixture(scope="session")
def hetionet_slice(hetionet_dir: Path) -> HetionetSlice:
    """Imatinib and dasatinib with every Compound-binds/up/down-Gene edge and the genes they reach."""
    binds = _batch(hetionet_dir, "CbG", "Compound_Binds_Gene.tsv")
    up = _batch(hetionet_dir, "CuG", "Compound_Upregulates_Gene.tsv")
    down = _batch(hetionet_dir, "CdG", "Compound_Downregulates_Gene.tsv")
    other = _batch(hetionet_dir, "CbG", "Compound_Binds_Gene.tsv", exclude=True)
    genes = set().union(*(set(b.frame["object"]) for b in (binds, up, down)))
    compounds = {hetionet_curie("Compound", c) for c in SLICE_COMPOUNDS}
    return HetionetSlice(
        compounds=_nodes(hetionet_dir, "Compound", compounds),
        genes=_nodes(hetionet_dir, "Gene", genes),
        binds=binds,
        upregulates=up,
        downregulates=down,
        other_binds=EdgeBatch(other.type, other.frame.head(5).reset_index(drop=True)),
    )
