"""The embedded default backend: LadybugDB on disk, bulk upserts through ``COPY ... FROM`` Arrow tables.

numpy, pandas and pyarrow are imported by the methods that read rows or write batches: opening a store and
counting its rows (``kg stats``) needs none of them.
"""

from __future__ import annotations

import re
import threading
from collections import defaultdict
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cypher.identifiers import quote_identifier as q
from cypher.params import parameter_problem
from cypher.readonly import read_only_refusal
from cypher.tokens import empty_aggregate_row, return_columns
from kg_engine.errors import QueryError, ReadOnlyError, StoreError
from kg_engine.store.base import (
    EdgeBatch,
    EdgeType,
    NodeBatch,
    OnConflict,
    StoreStats,
    UpsertResult,
    plan_edge_upsert,
    plan_node_upsert,
)
from ontologies import Schema, load_schema

if TYPE_CHECKING:
    import ladybug
    import numpy as np
    import pandas as pd
    import pyarrow as pa
    from torch_geometric.data import HeteroData

_WRITE_HINTS = ("read-only", "read only")
COPY_WORKERS = 2  # concurrent COPYs of a bulk upsert (different rel tables)


@dataclass(slots=True)
class _TypePlan:
    """One edge type's share of a bulk upsert: its batches, their plans and the frame to COPY."""

    et: EdgeType
    batches: list[EdgeBatch]
    plans: list[tuple[pd.DataFrame, pd.DataFrame, int, pd.DataFrame]]
    new: list[pd.DataFrame]  # new edges of each batch, in the rel table's column order
    sequential: bool = False


class LadybugStore:
    """A LadybugDB database directory holding one node table per category and one rel table per predicate."""

    def __init__(self, path: Path, read_only: bool = False, buffer_pool_mb: int = 2048) -> None:
        import ladybug

        self.path = Path(path)
        self.read_only = read_only
        if read_only and not self.path.exists():
            raise StoreError(f"no graph store at {self.path}; run `kg init` first")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._db = ladybug.Database(
                str(self.path),
                read_only=read_only,
                buffer_pool_size=buffer_pool_mb * 1024 * 1024,
                enable_multi_writes=not read_only,  # bulk loads COPY two rel tables at once
            )
        except RuntimeError as exc:
            raise StoreError(f"cannot open graph store at {self.path}: {exc}") from exc
        self._conn: ladybug.Connection = ladybug.Connection(self._db)
        self._local = threading.local()
        self._extra_connections: list[ladybug.Connection] = []
        self._columns: dict[str, dict[str, str]] = {}

    # --- schema -------------------------------------------------------------------------------------

    def init_schema(self, schema: Schema | None = None) -> None:
        """Create a node table per category and rel tables for every Hetionet metaedge pair."""
        schema = schema or load_schema()
        self._check_writable()
        for name in schema.categories:
            self._ensure_node_table(name)
        for mapping in schema.hetionet_metaedges().values():
            self._ensure_rel_pair(EdgeType(mapping.subject, mapping.predicate, mapping.object))

    def _ensure_node_table(self, category: str) -> None:
        self._run(f"CREATE NODE TABLE IF NOT EXISTS {q(category)}(curie STRING PRIMARY KEY, name STRING)")

    def _ensure_rel_pair(self, et: EdgeType) -> None:
        self._ensure_node_table(et.subject)
        self._ensure_node_table(et.object)
        tables = self._tables()
        if et.predicate not in tables:
            self._run(
                f"CREATE REL TABLE {q(et.predicate)}(FROM {q(et.subject)} TO {q(et.object)}, "
                "sources STRING[], evidence STRING)"
            )
        elif (et.subject, et.object) not in self._pairs(et.predicate):
            self._run(f"ALTER TABLE {q(et.predicate)} ADD IF NOT EXISTS FROM {q(et.subject)} TO {q(et.object)}")

    def _tables(self) -> dict[str, str]:
        return {name: kind for name, kind in self._run("CALL show_tables() RETURN name, type").get_all()}

    def _pairs(self, rel_table: str) -> set[tuple[str, str]]:
        rows = self._run(f"CALL show_connection({_literal(rel_table)}) RETURN *").get_all()
        return {(row[0], row[1]) for row in rows}

    def _table_columns(self, table: str) -> dict[str, str]:
        if table not in self._columns:
            result = self._run(f"CALL table_info({_literal(table)}) RETURN *")
            names = result.get_column_names()
            rows = [dict(zip(names, row, strict=True)) for row in result.get_all()]
            self._columns[table] = {row["name"]: row["type"] for row in rows}
        return self._columns[table]

    def _ensure_columns(self, table: str, frame: pd.DataFrame, skip: set[str]) -> list[str]:
        """Add property columns the frame has and the table lacks; return the table's property order."""
        cols = self._table_columns(table)
        for col in frame.columns:
            if col not in cols and col not in skip and not col.startswith("_"):
                ctype = _column_type(frame[col])
                self._run(f"ALTER TABLE {q(table)} ADD {q(col)} {ctype}")
                cols[col] = ctype
        return [c for c in cols if c not in skip]

    def edge_types(self) -> list[EdgeType]:
        """Every (subject, predicate, object) triple the rel tables allow."""
        return [
            EdgeType(src, name, dst)
            for name, kind in self._tables().items() if kind == "REL"
            for src, dst in sorted(self._pairs(name))
        ]

    # --- writes -------------------------------------------------------------------------------------

    def upsert_nodes(self, batch: NodeBatch, on_conflict: OnConflict = "update") -> UpsertResult:
        """Insert new nodes by COPY, update changed ones with one parameterised UNWIND."""
        import pandas as pd

        self._check_writable()
        self._ensure_node_table(batch.category)
        props = self._ensure_columns(batch.category, batch.frame, skip=set())
        ret = ", ".join(f"n.{q(c)} AS {q(c)}" for c in props if c in batch.frame.columns)
        if self._has_rows(f"MATCH (n:{q(batch.category)})"):
            existing = self._fetch(
                f"MATCH (n:{q(batch.category)}) WHERE n.curie IN $ids RETURN {ret}",
                {"ids": batch.frame["curie"].tolist()},
            )
        else:  # a first load: no need to send every id to the database
            existing = pd.DataFrame(columns=[c for c in props if c in batch.frame.columns], dtype=object)
        new, changed, unchanged = plan_node_upsert(existing, batch, on_conflict)
        changed = changed[[c for c in changed.columns if not c.startswith("_")]]
        if len(new):
            self._copy(batch.category, new.reindex(columns=props), {})
        if len(changed):
            sets = ", ".join(f"n.{q(c)} = coalesce(row.{q(c)}, n.{q(c)})" for c in changed.columns if c != "curie")
            self._unwind(f"UNWIND $rows AS row MATCH (n:{q(batch.category)} {{curie: row.curie}}) SET {sets}", changed)
        return UpsertResult(inserted=len(new), updated=len(changed), unchanged=unchanged)

    def upsert_edges(self, batch: EdgeBatch) -> UpsertResult:
        """Insert new edges by COPY; merge sources/evidence/props into existing ones."""
        return self.upsert_edge_batches([batch])[0]

    def upsert_edge_batches(self, batches: Sequence[EdgeBatch]) -> list[UpsertResult]:
        """Upsert many batches; the new edges of each edge type go in with one ``COPY``.

        LadybugDB appends to an empty rel table many times faster than to a filled one (a list column
        makes a second ``COPY`` into the same table ten times slower), so a first load of several files
        of one type pays the fast path once. Edge types are planned in this thread while the previous
        type's ``COPY`` runs on a second connection (the database releases the GIL and takes concurrent
        writers to different tables). Results come back per batch, in order.
        """
        self._check_writable()
        by_type: dict[EdgeType, list[int]] = defaultdict(list)
        for i, batch in enumerate(batches):
            by_type[batch.type].append(i)
        for et, members in by_type.items():  # schema changes first: none may run beside a COPY
            self._ensure_rel_pair(et)
            for i in members:
                self._ensure_columns(et.predicate, batches[i].frame, skip={"subject", "object"})
        self._drop_unused_evidence(batches)
        results: list[UpsertResult] = [UpsertResult() for _ in batches]
        order = sorted(by_type, key=lambda et: -sum(len(batches[i].frame) for i in by_type[et]))
        with ThreadPoolExecutor(max_workers=COPY_WORKERS, thread_name_prefix="kg-copy") as pool:
            copies = [
                (et, plan, pool.submit(self._copy_new, plan))
                for et in order
                for plan in [self._plan_same_type(et, [batches[i] for i in by_type[et]])]
            ]
            for et, plan, copy in copies:
                copy.result()
                if not plan.sequential:
                    for i, result in zip(by_type[et], self._finish_same_type(plan), strict=True):
                        results[i] = result
        for et, plan, _ in copies:  # after every COPY: these change the schema as they go
            if plan.sequential:
                for i, batch in zip(by_type[et], plan.batches, strict=True):
                    results[i] = self.upsert_edges(batch)
        for predicate in {et.predicate for et in by_type}:
            self._add_evidence(predicate)
        return results

    def _drop_unused_evidence(self, batches: Sequence[EdgeBatch]) -> None:
        """Drop the ``evidence`` column of empty rel tables that this upsert fills without evidence.

        LadybugDB writes every column of every copied row, nulls too (a third of a list column's cost), and
        a column added after the first COPY costs nothing: ``_add_evidence`` puts it back.
        """
        with_evidence = {b.type.predicate for b in batches if "evidence" in b.frame.columns}
        for predicate in {b.type.predicate for b in batches} - with_evidence:
            if "evidence" in self._table_columns(predicate) and not self._has_rows(f"MATCH ()-[r:{q(predicate)}]->()"):
                self._run(f"ALTER TABLE {q(predicate)} DROP evidence")
                del self._table_columns(predicate)["evidence"]

    def _add_evidence(self, rel_table: str) -> None:
        """Every rel table has an ``evidence`` column once it holds edges (null for structured sources)."""
        if "evidence" not in self._table_columns(rel_table):
            self._run(f"ALTER TABLE {q(rel_table)} ADD IF NOT EXISTS evidence STRING")
            self._table_columns(rel_table)["evidence"] = "STRING"

    def _plan_same_type(self, et: EdgeType, batches: list[EdgeBatch]) -> _TypePlan:
        import pandas as pd

        props = [c for c in self._table_columns(et.predicate) if c not in {"subject", "object"}]
        batches = [b.with_qualifiers(c for c in props if c.endswith("_qualifier")) for b in batches]
        subjects = pd.unique(pd.concat([b.frame["subject"] for b in batches], ignore_index=True))
        objects = pd.unique(pd.concat([b.frame["object"] for b in batches], ignore_index=True))
        wanted = set().union(*(b.frame.columns for b in batches))
        existing = self._existing_edges(et, [c for c in props if c in wanted], subjects)
        known_subjects, known_objects = self._curies(et.subject, subjects), self._curies(et.object, objects)
        plans = [plan_edge_upsert(_restrict(existing, b), b, known_subjects, known_objects) for b in batches]
        new = [p[0] for p in plans if len(p[0])]
        if len(batches) > 1 and _overlapping(new, ["subject", "object", *batches[0].qualifier_columns]):
            # Two batches add the same edge: each must see the other's, so they go one at a time later.
            return _TypePlan(et, batches, plans, [], sequential=True)
        columns = ["from", "to", *props]
        frames = [f.rename(columns={"subject": "from", "object": "to"}).reindex(columns=columns) for f in new]
        return _TypePlan(et, batches, plans, frames)

    def _copy_new(self, plan: _TypePlan) -> None:
        if plan.new:
            conn = self._copy_connection()
            self._copy(plan.et.predicate, plan.new, {"from": plan.et.subject, "to": plan.et.object}, conn)

    def _finish_same_type(self, plan: _TypePlan) -> list[UpsertResult]:
        """Apply each batch's updates."""
        results = []
        for batch, (added, changed, unchanged, rejected) in zip(plan.batches, plan.plans, strict=True):
            if len(changed):
                self._update_edges(plan.et, changed, batch.qualifier_columns)
            results.append(UpsertResult(len(added), len(changed), unchanged, rejected))
        return results

    def _copy_connection(self) -> ladybug.Connection:
        """A connection of the calling thread (the COPY workers each get one)."""
        import ladybug

        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._local.conn = ladybug.Connection(self._db)
            self._extra_connections.append(conn)
        return conn

    def _existing_edges(self, et: EdgeType, props: list[str], subjects: Sequence[str]) -> pd.DataFrame:
        """Stored edges of ``et``: only those of ``subjects`` when the batch is small, else all of them."""
        import pandas as pd

        ret = ", ".join(["a.curie AS subject", "b.curie AS object", *(f"r.{q(c)} AS {q(c)}" for c in props)])
        edges = f"MATCH (a:{q(et.subject)})-[r:{q(et.predicate)}]->(b:{q(et.object)})"
        if not self._has_rows(edges):
            return pd.DataFrame(columns=["subject", "object", *props], dtype=object)
        start, node, params = _scope(subjects)
        pattern = f"{start}MATCH (a:{q(et.subject)}{node})-[r:{q(et.predicate)}]->(b:{q(et.object)})"
        frame = self._fetch(f"{pattern} RETURN {ret}", params)
        if "sources" in frame:
            frame["sources"] = [v if v is not None else [] for v in frame["sources"]]
        return frame

    def _update_edges(self, et: EdgeType, rows: pd.DataFrame, qualifiers: list[str]) -> None:
        where = " AND ".join(f"coalesce(r.{q(c)}, '') = row.{q(c)}" for c in qualifiers) or "true"
        sets = ", ".join(f"r.{q(c)} = row.{q(c)}" for c in rows.columns if c not in {"subject", "object", *qualifiers})
        self._unwind(
            f"UNWIND $rows AS row MATCH (a:{q(et.subject)} {{curie: row.subject}})-[r:{q(et.predicate)}]->"
            f"(b:{q(et.object)} {{curie: row.object}}) WHERE {where} SET {sets}",
            rows,
        )

    def _curies(self, category: str, wanted: Sequence[str]) -> pd.Index:
        """Which of ``wanted`` are stored in ``category`` (reads the whole table for big batches)."""
        import pandas as pd

        start, node, params = _scope(wanted)
        return pd.Index(self._fetch(f"{start}MATCH (n:{q(category)}{node}) RETURN n.curie AS curie", params)["curie"])

    def _copy(
        self,
        table: str,
        frames: pd.DataFrame | list[pd.DataFrame],
        options: dict[str, str],
        conn: ladybug.Connection | None = None,
    ) -> None:
        opts = ", ".join(f"{k}={_literal(v)}" for k, v in options.items())
        arrow = _typed(_arrow(frames), self._table_columns(table))
        self._run(f"COPY {q(table)} FROM $frame" + (f" ({opts})" if opts else ""), {"frame": arrow}, conn)

    def _unwind(self, statement: str, rows: pd.DataFrame, chunk: int = 5000) -> None:
        records = rows.astype(object).where(rows.notna(), None).to_dict("records")
        for start in range(0, len(records), chunk):
            self._run(statement, {"rows": records[start : start + chunk]})

    # --- reads --------------------------------------------------------------------------------------

    def query(self, cypher: str, params: Mapping[str, Any] | None = None, *, timeout_s: float | None = None,
              max_rows: int | None = None) -> pd.DataFrame:
        """Run a parameterised Cypher query; a backend error becomes a ``QueryError`` with its message.

        ``timeout_s`` is the connection's query timeout for this statement only (the database interrupts
        it); ``max_rows`` caps the rows returned.

        Raises:
            ReadOnlyError: the store is read-only and the guard refuses the statement (the database's own
                read-only mode lets ``EXPORT DATABASE``, ``LOAD FROM``, ``ATTACH`` and settings through).
            QueryError: a parameter is used without a value or given but unused, the database failed, or
                the statement ran past ``timeout_s``.
        """
        if self.read_only and (refusal := read_only_refusal(cypher, "ladybug")):
            raise ReadOnlyError(f"{refusal} (the graph store at {self.path} is open read-only)")
        if problem := parameter_problem(cypher, params):
            raise QueryError(problem)
        try:
            frame = self._fetch_timed(cypher, dict(params or {}), timeout_s)
        except QueryError as exc:
            if not _names_unloaded_schema_table(str(exc)):
                raise
            # Neo4j answers a label or type nothing was loaded into as a match of no rows; so does this store
            # (no row, or the one row of aggregates over nothing: count 0, collect []).
            import pandas as pd

            row = empty_aggregate_row(cypher)
            frame = pd.DataFrame([row] if row is not None else [], columns=return_columns(cypher))
        return frame if max_rows is None else frame.head(max_rows)

    def _fetch_timed(self, cypher: str, params: dict[str, Any], timeout_s: float | None) -> pd.DataFrame:
        if timeout_s is None:
            frame = self._fetch(cypher, params)
        else:
            self._conn.set_query_timeout(max(1, round(timeout_s * 1000)))
            try:
                frame = self._fetch(cypher, params)
            except QueryError as exc:
                if str(exc).strip() == "Interrupted.":
                    raise QueryError(f"the query ran past its timeout of {timeout_s:g} s and was stopped") from exc
                raise
            finally:
                self._conn.set_query_timeout(0)
        return frame

    def stats(self) -> StoreStats:
        """Node counts per table and edge counts per (subject, predicate, object)."""
        tables = self._tables()
        nodes = {
            name: self._count(f"MATCH (n:{q(name)}) RETURN count(n)") for name, kind in tables.items() if kind == "NODE"
        }
        pattern = "MATCH (:{})-[r:{}]->(:{}) RETURN count(r)"
        edges = {
            et.as_tuple(): self._count(pattern.format(q(et.subject), q(et.predicate), q(et.object)))
            for et in self.edge_types()
        }
        return StoreStats(nodes, edges)

    def _count(self, cypher: str) -> int:
        return int(self._run(cypher).get_all()[0][0])

    def to_pyg(self, split_qualifiers: bool = True) -> HeteroData:
        """Export the graph to ``HeteroData``; qualified edges become their own relation when asked."""
        nodes = {
            name: self._fetch(f"MATCH (n:{q(name)}) RETURN n.curie AS curie")["curie"].tolist()
            for name, kind in self._tables().items() if kind == "NODE"
        }
        edges: dict[tuple[str, str, str], pd.DataFrame] = {}
        for et in self.edge_types():
            quals = [c for c in self._table_columns(et.predicate) if c.endswith("_qualifier")]
            ret = ", ".join(["a.curie AS subject", "b.curie AS object", *(f"r.{q(c)} AS {q(c)}" for c in quals)])
            frame = self._fetch(f"MATCH (a:{q(et.subject)})-[r:{q(et.predicate)}]->(b:{q(et.object)}) RETURN {ret}")
            edges[et.as_tuple()] = frame
        from kg_engine.store.pyg import build_heterodata  # torch is heavy: import only when exporting

        return build_heterodata(nodes, edges, split_qualifiers)

    def close(self) -> None:
        """Close the connection and database."""
        for conn in self._extra_connections:
            conn.close()
        self._conn.close()
        self._db.close()

    # --- plumbing -----------------------------------------------------------------------------------

    def _check_writable(self) -> None:
        if self.read_only:
            raise ReadOnlyError(f"the graph store at {self.path} is open read-only")

    def _has_rows(self, match: str) -> bool:
        """Whether the MATCH clause ``match`` (no parameters) finds anything."""
        return bool(self._run(f"{match} RETURN 1 LIMIT 1").get_all())

    def _fetch(self, cypher: str, params: Mapping[str, Any] | None = None) -> pd.DataFrame:
        import pyarrow as pa

        table = self._run(cypher, params).get_as_arrow()
        frame = table.to_pandas()
        for name, column in zip(table.column_names, table.columns, strict=True):
            if pa.types.is_nested(column.type):
                frame[name] = column.to_pylist()  # plain lists and dicts with Python values, not numpy
        return frame

    def _run(
        self, cypher: str, params: Mapping[str, Any] | None = None, conn: ladybug.Connection | None = None
    ) -> Any:
        try:
            return (conn or self._conn).execute(cypher, dict(params or {}))
        except RuntimeError as exc:
            message = str(exc)
            if any(h in message.lower() for h in _WRITE_HINTS):
                raise ReadOnlyError(message) from exc
            raise QueryError(message) from exc


# Batches touching more CURIEs than this read the whole table: one scan beats that many key lookups.
SCOPED_READ_LIMIT = 5_000


def _scope(curies: Sequence[str]) -> tuple[str, str, dict[str, Any]]:
    """(prefix, node-pattern property map, params) restricting a match to ``curies`` by primary-key lookups.

    ``WHERE n.curie IN $list`` would compare every stored node with every listed id.
    """
    if len(curies) > SCOPED_READ_LIMIT:
        return "", "", {}
    return "UNWIND $scope AS wanted ", " {curie: wanted}", {"scope": [str(c) for c in curies]}


_MISSING_TABLE = re.compile(r"Table (\w+) does not exist")


def _names_unloaded_schema_table(message: str) -> bool:
    """Whether a binder error names a schema category or predicate that has no table yet (nothing loaded)."""
    match = _MISSING_TABLE.search(message)
    if match is None:
        return False
    schema = load_schema()  # cached
    return match.group(1) in schema.categories or match.group(1) in schema.predicates


def _arrow(frames: pd.DataFrame | list[pd.DataFrame]) -> pa.Table:
    """Frames of the same columns as one Arrow table.

    Concatenating in Arrow, not pandas: pandas checks every value of a column that is all null in one
    frame (an unqualified file beside qualified ones) against the other's dtype, seconds for a large load.
    """
    import pandas as pd
    import pyarrow as pa

    if isinstance(frames, pd.DataFrame):
        frames = [frames]
    tables = [_arrow_table(f) for f in frames]
    if len(tables) == 1:
        return tables[0]
    return pa.concat_tables(tables, promote_options="permissive")


def _typed(table: pa.Table, columns: dict[str, str]) -> pa.Table:
    """Columns that are null in every row get the table's declared type (pandas makes them float NaN)."""
    import pyarrow as pa

    arrow_types = {
        "STRING": pa.string(), "STRING[]": pa.list_(pa.string()), "INT64": pa.int64(), "DOUBLE": pa.float64(),
        "BOOLEAN": pa.bool_(),
    }
    for i, name in enumerate(table.column_names):
        target = arrow_types.get(columns.get(name, ""))
        column = table.column(i)
        if target is not None and column.type != target and column.null_count == len(column):
            table = table.set_column(i, name, pa.nulls(len(column), target))
    return table


def _arrow_table(frame: pd.DataFrame) -> pa.Table:
    """One frame as Arrow; ``sources`` lists are converted once per distinct list object.

    A structured source gives every edge the same list object, so a million-edge file costs one conversion.
    """
    import pyarrow as pa

    frame = frame.reset_index(drop=True)
    if "sources" not in frame.columns or frame.empty:
        return pa.Table.from_pandas(frame, preserve_index=False)
    values = frame["sources"].to_numpy()
    codes, first = _distinct_objects(values)
    distinct = pa.array([_as_list(values[i]) for i in first], type=pa.list_(pa.string()))
    table = pa.Table.from_pandas(frame.drop(columns=["sources"]), preserve_index=False)
    column = distinct.take(pa.array(codes))
    return table.add_column(list(frame.columns).index("sources"), "sources", column)


def _distinct_objects(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(code of each value's object, position of each code's first value), by object identity."""
    import numpy as np
    import pandas as pd

    ids = np.fromiter(map(id, values), dtype=np.int64, count=len(values))
    codes, uniques = pd.factorize(ids)
    first = np.full(len(uniques), -1, dtype=np.int64)
    positions = np.arange(len(values))
    first[codes[::-1]] = positions[::-1]  # the last write wins: each code's first position
    return codes, first


def _as_list(value: Any) -> list[str] | None:
    if value is None or (isinstance(value, float) and value != value):
        return None
    return [str(v) for v in value]


def _restrict(existing: pd.DataFrame, batch: EdgeBatch) -> pd.DataFrame:
    """The stored edges with only the columns ``batch`` carries (plus its qualifiers)."""
    keep = [c for c in existing.columns if c in batch.frame.columns or c.endswith("_qualifier")]
    return existing[keep]


def _overlapping(frames: list[pd.DataFrame], key: list[str]) -> bool:
    """Whether any edge identity occurs in more than one of ``frames``."""
    import pandas as pd

    frames = [f for f in frames if len(f)]
    qualifiers = [c for c in key if c.endswith("_qualifier")]
    signatures = [_constant_values(f, qualifiers) for f in frames]
    if None not in signatures and len(set(signatures)) == len(signatures):
        return False  # each frame holds one qualifier combination of its own (Hetionet's files)
    keyed = [f[key].fillna("").drop_duplicates() for f in frames]
    return len(keyed) > 1 and bool(pd.concat(keyed, ignore_index=True).duplicated().any())


def _constant_values(frame: pd.DataFrame, columns: list[str]) -> tuple[str, ...] | None:
    """The one value each of ``columns`` takes in ``frame`` (null as ""), or None when any varies."""
    import pandas as pd

    values = []
    for col in columns:
        filled = frame[col].fillna("") if col in frame else pd.Series([""])
        if filled.nunique() != 1:
            return None
        values.append(str(filled.iloc[0]))
    return tuple(values)


def _column_type(series: pd.Series) -> str:
    import pandas as pd

    if pd.api.types.is_bool_dtype(series):
        return "BOOLEAN"
    if pd.api.types.is_integer_dtype(series):
        return "INT64"
    if pd.api.types.is_float_dtype(series):
        return "DOUBLE"
    sample = next((v for v in series if v is not None and v == v), None)
    if isinstance(sample, list | tuple):
        return "STRING[]"
    if isinstance(sample, bool):
        return "BOOLEAN"
    if isinstance(sample, int):
        return "INT64"
    if isinstance(sample, float):
        return "DOUBLE"
    return "STRING"


def _literal(name: str) -> str:
    """A table name as a string literal, for the procedures and options that take no parameters."""
    q(name)  # validates: plain identifiers only, so the quotes cannot be escaped
    return f"'{name}'"
