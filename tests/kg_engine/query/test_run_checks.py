"""How ``Asker`` runs compiled plans: ``EXPLAIN`` once per plan shape, then the statement with a timeout and a row
cap, through the store's public ``query`` (no backend internals)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd
import pytest

from cypher.plan_compile import Compiled
from kg_engine.errors import QueryError
from kg_engine.query.ask import Asker


class Recording:
    """A store that records every statement and the keyword arguments it was run with."""

    def __init__(self, store: Any) -> None:
        self.store = store
        self.read_only = store.read_only
        self.calls: list[tuple[str, dict[str, Any]]] = []

    def query(self, cypher: str, params: Mapping[str, Any] | None = None, **options: Any) -> pd.DataFrame:
        self.calls.append((cypher, options))
        return self.store.query(cypher, params, **options)


@pytest.fixture
def recorded(ask_engine: Any) -> tuple[Asker, Recording]:
    """A fresh asker (nothing checked yet) over a recording wrapper of the session's read-only store."""
    store = Recording(ask_engine.store)
    asker = Asker(store, "ladybug", None, None, row_cap=500, timeout_s=7.0)
    store.calls.clear()
    return asker, store


def test_each_plan_shape_is_explained_once_then_run_with_timeout_and_row_cap(recorded: tuple[Asker, Recording]
                                                                            ) -> None:
    asker, store = recorded
    first, second = asker.ask("What drugs treat hypertension?"), asker.ask("What drugs treat gout?")
    assert first["cypher"] == second["cypher"] and first["params"] != second["params"]
    assert first["answers"] and second["answers"]
    explains = [c for c, _ in store.calls if c.startswith("EXPLAIN ")]
    runs = [(c, o) for c, o in store.calls if not c.startswith("EXPLAIN ")]
    assert explains == ["EXPLAIN " + first["cypher"]]
    assert runs == [(first["cypher"], {"timeout_s": 7.0, "max_rows": 500})] * 2
    asker.ask("How many drugs treat gout?")  # another shape: explained once more
    assert sum(c.startswith("EXPLAIN ") for c, _ in store.calls) == 2


def test_a_statement_the_backend_cannot_plan_is_refused_before_it_runs(recorded: tuple[Asker, Recording]) -> None:
    asker, store = recorded
    broken = Compiled("MATCH (n:Compound) RETURN n.curie AS curie ORDER BY", {}, ("curie",))
    with pytest.raises(QueryError, match="does not plan on ladybug"):
        asker.run(broken)
    assert [c for c, _ in store.calls] == ["EXPLAIN " + broken.cypher]
