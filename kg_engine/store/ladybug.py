"""The embedded default backend: LadybugDB on disk, bulk upserts through ``COPY ... FROM`` Arrow tables."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd
import pyarrow as pa

from cypher.identifiers import quote_identifier as q
from cypher.params import parameter_problem
from cypher.readonly import read_only_refusal
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
    from torch_geometric.data import HeteroData

_WRITE_HINTS = ("read-only", "read only")


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
                str(self.path), read_only=read_only, buffer_pool_size=buffer_pool_mb * 1024 * 1024
            )
        except RuntimeError as exc:
            raise StoreError(f"cannot open graph store at {self.path}: {exc}") from exc
        self._conn: ladybug.Connection = ladybug.Connection(self._db)
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
        df = self._run("CALL show_tables() RETURN name, type").get_as_df()
        return dict(zip(df["name"], df["type"], strict=True))

    def _pairs(self, rel_table: str) -> set[tuple[str, str]]:
        df = self._run(f"CALL show_connection({_literal(rel_table)}) RETURN *").get_as_df()
        return set(zip(df.iloc[:, 0], df.iloc[:, 1], strict=True))

    def _table_columns(self, table: str) -> dict[str, str]:
        if table not in self._columns:
            df = self._run(f"CALL table_info({_literal(table)}) RETURN *").get_as_df()
            self._columns[table] = dict(zip(df["name"], df["type"], strict=True))
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
        self._check_writable()
        self._ensure_node_table(batch.category)
        props = self._ensure_columns(batch.category, batch.frame, skip=set())
        existing = self._fetch(
            f"MATCH (n:{q(batch.category)}) WHERE n.curie IN $ids RETURN "
            + ", ".join(f"n.{q(c)} AS {q(c)}" for c in props if c in batch.frame.columns),
            {"ids": batch.frame["curie"].tolist()},
        )
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
        of one type pays the fast path once. Results come back per batch, in order.
        """
        self._check_writable()
        by_type: dict[EdgeType, list[int]] = defaultdict(list)
        for i, batch in enumerate(batches):
            by_type[batch.type].append(i)
        results: list[UpsertResult] = [UpsertResult() for _ in batches]
        for et, members in by_type.items():
            for i, result in zip(members, self._upsert_same_type(et, [batches[i] for i in members]), strict=True):
                results[i] = result
        return results

    def _upsert_same_type(self, et: EdgeType, batches: list[EdgeBatch]) -> list[UpsertResult]:
        self._ensure_rel_pair(et)
        for batch in batches:
            self._ensure_columns(et.predicate, batch.frame, skip={"subject", "object"})
        props = [c for c in self._table_columns(et.predicate) if c not in {"subject", "object"}]
        batches = [b.with_qualifiers(c for c in props if c.endswith("_qualifier")) for b in batches]
        subjects = pd.unique(pd.concat([b.frame["subject"] for b in batches], ignore_index=True))
        objects = pd.unique(pd.concat([b.frame["object"] for b in batches], ignore_index=True))
        wanted = set().union(*(b.frame.columns for b in batches))
        existing = self._existing_edges(et, [c for c in props if c in wanted], subjects)
        known_subjects, known_objects = self._curies(et.subject, subjects), self._curies(et.object, objects)
        plans = [
            plan_edge_upsert(_restrict(existing, b), b, known_subjects, known_objects) for b in batches
        ]
        new = [p[0] for p in plans]
        if len(batches) > 1 and _overlapping(new, ["subject", "object", *batches[0].qualifier_columns]):
            # Two batches add the same edge: each must see the other's, so take them one at a time.
            return [self._upsert_same_type(et, [b])[0] for b in batches]
        fresh = [frame for frame in new if len(frame)]
        if fresh:
            frame = pd.concat(fresh, ignore_index=True) if len(fresh) > 1 else fresh[0]
            frame = frame.rename(columns={"subject": "from", "object": "to"}).reindex(columns=["from", "to", *props])
            self._copy(et.predicate, frame, {"from": et.subject, "to": et.object})
        results = []
        for batch, (added, changed, unchanged, rejected) in zip(batches, plans, strict=True):
            if len(changed):
                self._update_edges(et, changed, batch.qualifier_columns)
            results.append(UpsertResult(len(added), len(changed), unchanged, rejected))
        return results

    def _existing_edges(self, et: EdgeType, props: list[str], subjects: Sequence[str]) -> pd.DataFrame:
        """Stored edges of ``et``: only those of ``subjects`` when the batch is small, else all of them."""
        ret = ", ".join(["a.curie AS subject", "b.curie AS object", *(f"r.{q(c)} AS {q(c)}" for c in props)])
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
        start, node, params = _scope(wanted)
        return pd.Index(self._fetch(f"{start}MATCH (n:{q(category)}{node}) RETURN n.curie AS curie", params)["curie"])

    def _copy(self, table: str, frame: pd.DataFrame, options: dict[str, str]) -> None:
        opts = ", ".join(f"{k}={_literal(v)}" for k, v in options.items())
        table_arrow = pa.Table.from_pandas(frame.reset_index(drop=True), preserve_index=False)
        self._run(f"COPY {q(table)} FROM $frame" + (f" ({opts})" if opts else ""), {"frame": table_arrow})

    def _unwind(self, statement: str, rows: pd.DataFrame, chunk: int = 5000) -> None:
        records = rows.astype(object).where(rows.notna(), None).to_dict("records")
        for start in range(0, len(records), chunk):
            self._run(statement, {"rows": records[start : start + chunk]})

    # --- reads --------------------------------------------------------------------------------------

    def query(self, cypher: str, params: Mapping[str, Any] | None = None) -> pd.DataFrame:
        """Run a parameterised Cypher query; a backend error becomes a ``QueryError`` with its message.

        Raises:
            ReadOnlyError: the store is read-only and the guard refuses the statement (the database's own
                read-only mode lets ``EXPORT DATABASE``, ``LOAD FROM``, ``ATTACH`` and settings through).
            QueryError: a parameter is used without a value or given but unused, or the database failed.
        """
        if self.read_only and (refusal := read_only_refusal(cypher, "ladybug")):
            raise ReadOnlyError(f"{refusal} (the graph store at {self.path} is open read-only)")
        if problem := parameter_problem(cypher, params):
            raise QueryError(problem)
        return self._fetch(cypher, dict(params or {}))

    def stats(self) -> StoreStats:
        """Node counts per table and edge counts per (subject, predicate, object)."""
        tables = self._tables()
        nodes = {
            name: int(self._fetch(f"MATCH (n:{q(name)}) RETURN count(n) AS c")["c"].iloc[0])
            for name, kind in tables.items() if kind == "NODE"
        }
        edges: dict[tuple[str, str, str], int] = {}
        for et in self.edge_types():
            df = self._fetch(f"MATCH (:{q(et.subject)})-[r:{q(et.predicate)}]->(:{q(et.object)}) RETURN count(r) AS c")
            edges[et.as_tuple()] = int(df["c"].iloc[0])
        return StoreStats(nodes, edges)

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
        self._conn.close()
        self._db.close()

    # --- plumbing -----------------------------------------------------------------------------------

    def _check_writable(self) -> None:
        if self.read_only:
            raise ReadOnlyError(f"the graph store at {self.path} is open read-only")

    def _fetch(self, cypher: str, params: Mapping[str, Any] | None = None) -> pd.DataFrame:
        table = self._run(cypher, params).get_as_arrow()
        frame = table.to_pandas()
        for name, column in zip(table.column_names, table.columns, strict=True):
            if pa.types.is_nested(column.type):
                frame[name] = column.to_pylist()  # plain lists and dicts with Python values, not numpy
        return frame

    def _run(self, cypher: str, params: Mapping[str, Any] | None = None) -> Any:
        try:
            return self._conn.execute(cypher, dict(params or {}))
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


def _restrict(existing: pd.DataFrame, batch: EdgeBatch) -> pd.DataFrame:
    """The stored edges with only the columns ``batch`` carries (plus its qualifiers)."""
    keep = [c for c in existing.columns if c in batch.frame.columns or c.endswith("_qualifier")]
    return existing[keep]


def _overlapping(frames: list[pd.DataFrame], key: list[str]) -> bool:
    """Whether any edge identity occurs in more than one of ``frames``."""
    frames = [f for f in frames if len(f)]
    qualifiers = [c for c in key if c.endswith("_qualifier")]
    signatures = [_constant_values(f, qualifiers) for f in frames]
    if None not in signatures and len(set(signatures)) == len(signatures):
        return False  # each frame holds one qualifier combination of its own (Hetionet's files)
    keyed = [f[key].fillna("").drop_duplicates() for f in frames]
    return len(keyed) > 1 and bool(pd.concat(keyed, ignore_index=True).duplicated().any())


def _constant_values(frame: pd.DataFrame, columns: list[str]) -> tuple[str, ...] | None:
    """The one value each of ``columns`` takes in ``frame`` (null as ""), or None when any varies."""
    values = []
    for col in columns:
        filled = frame[col].fillna("") if col in frame else pd.Series([""])
        if filled.nunique() != 1:
            return None
        values.append(str(filled.iloc[0]))
    return tuple(values)


def _column_type(series: pd.Series) -> str:
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
