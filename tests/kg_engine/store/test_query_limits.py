"""``GraphStore.query`` with a timeout, a row cap and ``EXPLAIN``, on every backend (Neo4j: a real server)."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

import pandas as pd
import pytest

from kg_engine.errors import QueryError, ReadOnlyError
from kg_engine.store.base import GraphStore, NodeBatch
from ontologies import load_schema

if TYPE_CHECKING:
    from conftest import Backend

GENES = 1500
# Over a billion triples to compare: minutes on either backend, unless the timeout stops it.
SLOW = "MATCH (a:Gene), (b:Gene), (c:Gene) WHERE a.name < b.name AND b.name < c.name RETURN count(*) AS n"


def _fill(store: GraphStore) -> None:
    names = [f"G{i:05d}" for i in range(GENES)]
    store.upsert_nodes(NodeBatch("Gene", pd.DataFrame({"curie": [f"NCBIGene:{i}" for i in range(GENES)],
                                                       "name": names})))


def test_a_statement_past_its_timeout_is_stopped_and_the_next_one_runs_without_it(store: GraphStore) -> None:
    _fill(store)
    started = time.perf_counter()
    with pytest.raises(QueryError, match=r"ran past its timeout of 0\.5 s"):
        store.query(SLOW, timeout_s=0.5)
    assert time.perf_counter() - started < 30
    assert store.query("MATCH (g:Gene) RETURN count(g) AS n", timeout_s=30)["n"].iloc[0] == GENES
    slower_than_before = store.query("MATCH (a:Gene), (b:Gene) WHERE a.name < b.name AND b.name < 'G00100' "
                                     "RETURN count(*) AS n")  # no timeout left on the connection
    assert slower_than_before["n"].iloc[0] == 100 * 99 // 2


def test_max_rows_caps_the_rows_returned(store: GraphStore) -> None:
    _fill(store)
    rows = store.query("MATCH (g:Gene) RETURN g.curie AS curie ORDER BY g.name", max_rows=7)
    assert rows["curie"].tolist() == [f"NCBIGene:{i}" for i in range(7)]
    assert len(store.query("MATCH (g:Gene) RETURN g.curie AS curie", max_rows=GENES * 2)) == GENES


def test_explain_plans_without_running_on_a_read_only_store(backend: Backend) -> None:
    writer = backend.open()
    writer.init_schema(load_schema())
    _fill(writer)
    backend.close(writer)
    reader = backend.open(read_only=True)
    started = time.perf_counter()
    reader.query("EXPLAIN " + SLOW, timeout_s=30)  # planned, not run: returns at once
    assert time.perf_counter() - started < 10
    reader.query("EXPLAIN MATCH (g:Gene) WHERE g.curie IN $ids RETURN g.name AS name", {"ids": ["NCBIGene:1"]})
    with pytest.raises(QueryError):
        reader.query("EXPLAIN MATCH (g:Gene) RETURN g.name AS name ORDER BY")
    with pytest.raises(QueryError, match="ids"):
        reader.query("EXPLAIN MATCH (g:Gene) WHERE g.curie IN $ids RETURN g.name AS name")
    with pytest.raises(ReadOnlyError):
        reader.query("EXPLAIN MATCH (g:Gene) DETACH DELETE g")
    assert reader.query("MATCH (g:Gene) RETURN count(g) AS n")["n"].iloc[0] == GENES
