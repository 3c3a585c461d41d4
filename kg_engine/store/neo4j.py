"""The server backend: Neo4j through the official driver, batched ``UNWIND $rows ... MERGE`` upserts.

Planning (what is new, what changed, what cannot be attached) is shared with the embedded backend
(``plan_node_upsert`` / ``plan_edge_upsert``); this module only reads the stored rows a batch touches and
writes the plan back in write transactions of at most ``batch_rows`` rows. ``export_admin_import`` writes
``neo4j-admin database import full`` CSVs from any store, for first loads of large graphs.
"""

from __future__ import annotations

import csv
import itertools
import shlex
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from cypher.identifiers import quote_identifier as q
from cypher.params import parameter_problem
from cypher.readonly import read_only_refusal
from kg_engine.errors import ConfigError, QueryError, ReadOnlyError, StoreError
from kg_engine.store.base import (
    EdgeBatch,
    EdgeType,
    GraphStore,
    NodeBatch,
    OnConflict,
    StoreStats,
    UpsertResult,
    plan_edge_upsert,
    plan_node_upsert,
)
from ontologies import Schema, load_schema

if TYPE_CHECKING:
    from torch_geometric.data import HeteroData

    from kg_engine.config import Settings

BATCH_ROWS = 10_000
ARRAY_DELIMITER = ";"
_INSTALL_HINT = "the Neo4j backend needs the neo4j driver: pip install 'kg-engine[neo4j]'"
_EDGE_ENDS = ("subject", "object")


def _driver_module() -> ModuleType:
    """Import the ``neo4j`` driver only when the backend is used, so the package imports without it."""
    try:
        import neo4j
    except ImportError as exc:
        raise ConfigError(_INSTALL_HINT) from exc
    return neo4j


class Neo4jStore:
    """A Neo4j database: one label per category (unique ``curie``), one relationship type per predicate."""

    def __init__(
        self,
        uri: str,
        user: str = "neo4j",
        password: str | None = None,
        database: str = "neo4j",
        read_only: bool = False,
        batch_rows: int = BATCH_ROWS,
    ) -> None:
        """Connect and check the server answers.

        Raises:
            ConfigError: the driver is not installed, or ``uri`` is not a URI it accepts.
            StoreError: the server cannot be reached or refuses the credentials (the message names the
                URI, never the password).
        """
        self._neo4j = _driver_module()
        self.uri = uri
        self.database = database
        self.read_only = read_only
        self.batch_rows = batch_rows
        self._driver = self._connect(user, password)
        # One bookmark manager for every session: each read sees this store's earlier writes (clusters too).
        self._bookmarks = self._neo4j.GraphDatabase.bookmark_manager()

    @classmethod
    def from_settings(cls, settings: Settings, read_only: bool | None = None) -> Neo4jStore:
        """Open the server named by ``KG_NEO4J_URI`` / ``_USER`` / ``_PASSWORD`` / ``_DATABASE``."""
        if not settings.neo4j_uri:
            raise ConfigError("KG_NEO4J_URI is not set; the neo4j backend needs a server URI (neo4j://host:7687)")
        return cls(
            settings.neo4j_uri,
            settings.neo4j_user,
            settings.neo4j_password,
            settings.neo4j_database,
            read_only=settings.read_only if read_only is None else read_only,
        )

    def _connect(self, user: str, password: str | None) -> Any:
        errors = self._neo4j.exceptions
        auth = (user, password) if password is not None else None
        try:
            # No server notifications: probes for relationship types a store lacks (``kg ask`` checks which
            # schema triples hold edges) would otherwise print "type does not exist" warnings on stderr.
            driver = self._neo4j.GraphDatabase.driver(self.uri, auth=auth, notifications_min_severity="OFF")
        except (errors.ConfigurationError, ValueError) as exc:
            raise ConfigError(f"KG_NEO4J_URI={self.uri!r} is not a Neo4j URI: {_scrub(exc, password)}") from exc
        try:
            driver.verify_connectivity()
        except (errors.ServiceUnavailable, errors.AuthError, errors.SessionExpired) as exc:
            driver.close()
            what = f"refused the credentials of user {user!r}" if isinstance(exc, errors.AuthError) else "unreachable"
            raise StoreError(f"Neo4j at {self.uri}: {what}: {_scrub(exc, password)}") from exc
        return driver

    # --- schema -------------------------------------------------------------------------------------

    def init_schema(self, schema: Schema | None = None) -> None:
        """One uniqueness constraint on ``curie`` per category label (which also indexes it)."""
        schema = schema or load_schema()
        self._check_writable()
        for name in schema.categories:
            constraint = q(f"kg_{name}_curie")
            self._run(
                f"CREATE CONSTRAINT {constraint} IF NOT EXISTS FOR (n:{q(name)}) REQUIRE n.curie IS UNIQUE", write=True
            )

    def edge_types(self) -> list[EdgeType]:
        """The (subject label, type, object label) triples that have at least one relationship."""
        return [EdgeType(*key) for key in sorted(self.stats().edges)]

    # --- writes -------------------------------------------------------------------------------------

    def upsert_nodes(self, batch: NodeBatch, on_conflict: OnConflict = "update") -> UpsertResult:
        """Insert new nodes, update changed ones (non-null values override), both by ``MERGE`` on ``curie``."""
        self._check_writable()
        label = q(batch.category)
        batch = NodeBatch(batch.category, batch.frame[[c for c in batch.frame.columns if not c.startswith("_")]])
        ret = ", ".join(f"n.{q(c)} AS {q(c)}" for c in batch.frame.columns)
        ids = _unique(batch.frame["curie"])
        existing = self._read_in(f"MATCH (n:{label}) WHERE n.curie IN $ids RETURN {ret}", "ids", ids)
        new, changed, unchanged = plan_node_upsert(existing, batch, on_conflict)
        rows = [
            {"curie": rec["curie"], "props": _non_null(rec, skip={"curie"})}
            for rec in _records(pd.concat([new, changed]))
        ]
        self._write(f"UNWIND $rows AS row MERGE (n:{label} {{curie: row.curie}}) SET n += row.props", rows)
        return UpsertResult(inserted=len(new), updated=len(changed), unchanged=unchanged)

    def upsert_edges(self, batch: EdgeBatch) -> UpsertResult:
        """Insert new edges, merge sources/evidence/props into old ones (see ``upsert_edge_batches``)."""
        return self.upsert_edge_batches([batch])[0]

    def upsert_edge_batches(self, batches: Sequence[EdgeBatch]) -> list[UpsertResult]:
        """Upsert each batch in turn, in ``UNWIND`` chunks of ``batch_rows``.

        New edges are ``MERGE``d on endpoints + qualifiers, except in a first load: the first batch of an
        edge type with no stored edge before the call reads no stored edges and ``CREATE``s its new ones
        (no look-up per row). Later batches of that type take the merging path, as they may meet the
        edges the first one added.
        """
        self._check_writable()
        empty = {et for et in dict.fromkeys(b.type for b in batches) if self._is_empty(et)}
        results = []
        for batch in batches:
            results.append(self._upsert_edges(batch, first_load=batch.type in empty))
            empty.discard(batch.type)
        return results

    def _upsert_edges(self, batch: EdgeBatch, first_load: bool) -> UpsertResult:
        et = batch.type
        subjects = self._known(et.subject, batch.frame["subject"])
        objects = self._known(et.object, batch.frame["object"])
        existing = _edge_frame([], batch) if first_load else self._existing_edges(batch, subjects, objects)
        batch = _with_qualifiers(batch, existing)
        new, changed, unchanged, rejected = plan_edge_upsert(existing, batch, subjects, objects)
        quals = batch.qualifier_columns
        insert = _create_edges_statement(et) if first_load else _merge_edges_statement(et, quals)
        self._write(insert, _edge_rows(new, quals))
        self._write(_update_edges_statement(et, quals), _edge_rows(changed, quals))
        return UpsertResult(inserted=len(new), updated=len(changed), unchanged=unchanged, rejected=rejected)

    def _is_empty(self, et: EdgeType) -> bool:
        """Whether no ``et`` edge is stored; only a server's explicit ``false`` counts as empty."""
        pattern = f"(:{q(et.subject)})-[:{q(et.predicate)}]->(:{q(et.object)})"
        found = self._run(f"RETURN EXISTS {{ MATCH {pattern} }} AS found")
        return found["found"].tolist() == [False]

    def _known(self, category: str, curies: pd.Series) -> pd.Index:
        cypher = f"MATCH (n:{q(category)}) WHERE n.curie IN $ids RETURN n.curie AS curie"
        return pd.Index(self._read_in(cypher, "ids", _unique(curies))["curie"])

    def _existing_edges(self, batch: EdgeBatch, subjects: pd.Index, objects: pd.Index) -> pd.DataFrame:
        """Stored edges between the batch's (known) pairs: its columns plus every qualifier they carry."""
        et = batch.type
        frame = batch.frame
        ok = frame["subject"].isin(subjects) & frame["object"].isin(objects)
        pairs = [list(p) for p in frame.loc[ok, ["subject", "object"]].drop_duplicates().itertuples(index=False)]
        cypher = (
            f"UNWIND $pairs AS pair MATCH (a:{q(et.subject)} {{curie: pair[0]}})-[r:{q(et.predicate)}]->"
            f"(b:{q(et.object)} {{curie: pair[1]}}) "
            "RETURN a.curie AS subject, b.curie AS object, properties(r) AS props"
        )
        found = self._read_in(cypher, "pairs", pairs)
        return _edge_frame(list(zip(found["subject"], found["object"], found["props"], strict=True)), batch)

    def _write(self, statement: str, rows: list[dict[str, Any]]) -> None:
        """Run ``statement`` with ``$rows`` in write transactions of at most ``batch_rows`` rows."""
        if not rows:
            return
        with self._errors(), self._session() as session:
            for start in range(0, len(rows), self.batch_rows):
                session.execute_write(_consume, statement, {"rows": rows[start : start + self.batch_rows]})

    # --- reads --------------------------------------------------------------------------------------

    def query(self, cypher: str, params: Mapping[str, Any] | None = None, *, timeout_s: float | None = None,
              max_rows: int | None = None) -> pd.DataFrame:
        """Run parameterised Cypher; graph values come back as dicts (``_LABEL``, ``_ID``, properties).

        ``timeout_s`` becomes the transaction's timeout (the server terminates it); at most ``max_rows`` rows
        are pulled from the server, the rest is discarded with the transaction.

        Raises:
            ReadOnlyError: the store is read-only and the statement writes (checked before it is sent;
                the read transaction also makes the server refuse writes the check cannot see).
            QueryError: a parameter is used without a value or given but unused, or the server rejected
                the statement (carries its message).
        """
        if self.read_only and (refusal := read_only_refusal(cypher, "neo4j")):
            raise ReadOnlyError(f"{refusal} (the Neo4j store at {self.uri} is open read-only)")
        if problem := parameter_problem(cypher, params):
            raise QueryError(problem)
        return self._run(cypher, params, write=not self.read_only, timeout_s=timeout_s, max_rows=max_rows)

    def stats(self) -> StoreStats:
        """Node counts per label and edge counts per (subject label, type, object label)."""
        _, nodes = self._rows("MATCH (n) UNWIND labels(n) AS label RETURN label, count(*) AS c")
        _, edges = self._rows(
            "MATCH (a)-[r]->(b) RETURN labels(a)[0] AS subject, type(r) AS predicate, labels(b)[0] AS object, "
            "count(*) AS c"
        )
        return StoreStats(
            {str(label): int(c) for label, c in nodes},
            {(s, p, o): int(c) for s, p, o, c in edges},
        )

    def to_pyg(self, split_qualifiers: bool = True) -> HeteroData:
        """Export the graph to ``HeteroData``; qualified edges become their own relation when asked."""
        found = self._run("MATCH (n) RETURN labels(n)[0] AS category, n.curie AS curie")
        nodes = {str(cat): part["curie"].tolist() for cat, part in found.groupby("category", sort=True)}
        rels = self._run(
            "MATCH (a)-[r]->(b) RETURN labels(a)[0] AS s, type(r) AS p, labels(b)[0] AS o, a.curie AS subject, "
            "b.curie AS object, [k IN keys(r) WHERE k ENDS WITH '_qualifier' | [k, r[k]]] AS qualifiers"
        )
        edges = {(str(s), str(p), str(o)): _qualified(part) for (s, p, o), part in rels.groupby(["s", "p", "o"])}
        from kg_engine.store.pyg import build_heterodata  # torch is heavy: import only when exporting

        return build_heterodata(nodes, edges, split_qualifiers)

    def close(self) -> None:
        """Close the driver and its connection pool."""
        self._driver.close()

    # --- plumbing -----------------------------------------------------------------------------------

    def _check_writable(self) -> None:
        if self.read_only:
            raise ReadOnlyError(f"the Neo4j store at {self.uri} is open read-only")

    def _session(self) -> Any:
        mode = self._neo4j.READ_ACCESS if self.read_only else self._neo4j.WRITE_ACCESS
        return self._driver.session(
            database=self.database, default_access_mode=mode, bookmark_manager=self._bookmarks
        )

    def _run(self, cypher: str, params: Mapping[str, Any] | None = None, write: bool = False,
             timeout_s: float | None = None, max_rows: int | None = None) -> pd.DataFrame:
        """One managed transaction (read unless ``write``); rows converted to plain Python values."""
        keys, rows = self._rows(cypher, params, write, timeout_s, max_rows)
        return pd.DataFrame(rows, columns=keys)

    def _rows(self, cypher: str, params: Mapping[str, Any] | None = None, write: bool = False,
              timeout_s: float | None = None, max_rows: int | None = None) -> tuple[list[str], list[list[Any]]]:
        """``_run``'s column names and rows, without a frame (``stats`` reads counts only)."""
        collect = _collect if timeout_s is None else self._neo4j.unit_of_work(timeout=timeout_s)(_collect)
        with self._errors(timeout_s), self._session() as session:
            work = session.execute_write if write else session.execute_read
            keys, rows = work(collect, cypher, dict(params or {}), max_rows)
        graph = self._neo4j.graph
        return keys, [[_plain(v, graph) for v in row] for row in rows]

    def _read_in(self, cypher: str, name: str, values: list[Any]) -> pd.DataFrame:
        """Run a read whose list parameter ``name`` may be long, ``batch_rows`` items at a time."""
        parts = [
            self._run(cypher, {name: values[start : start + self.batch_rows]})
            for start in range(0, max(len(values), 1), self.batch_rows)
        ]
        return pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]

    @contextmanager
    def _errors(self, timeout_s: float | None = None) -> Iterator[None]:
        """Translate driver exceptions into the engine's error catalogue."""
        errors = self._neo4j.exceptions
        try:
            yield
        except errors.AuthError as exc:
            raise StoreError(f"Neo4j at {self.uri} refused the credentials: {exc.message}") from exc
        except errors.Neo4jError as exc:
            message = exc.message or str(exc)
            if timeout_s is not None and "TransactionTimedOut" in (exc.code or ""):
                raise QueryError(f"the query ran past its timeout of {timeout_s:g} s and was stopped") from exc
            if isinstance(exc, errors.ForbiddenOnReadOnlyDatabase) or "AccessMode" in (exc.code or ""):
                raise ReadOnlyError(message) from exc
            if isinstance(exc, errors.ClientError):
                raise QueryError(message) from exc
            raise StoreError(f"Neo4j at {self.uri}: {message}") from exc
        except errors.DriverError as exc:
            raise StoreError(f"Neo4j at {self.uri} is unreachable or dropped the connection: {exc}") from exc


# --- statements and rows ------------------------------------------------------------------------------


def _merge_edges_statement(et: EdgeType, quals: list[str]) -> str:
    """``MERGE`` on endpoints plus every qualifier, so differently qualified edges stay distinct."""
    pattern = ", ".join(f"{q(c)}: row.quals.{q(c)}" for c in quals)
    return (
        f"UNWIND $rows AS row MATCH (a:{q(et.subject)} {{curie: row.subject}}) "
        f"MATCH (b:{q(et.object)} {{curie: row.object}}) "
        f"MERGE (a)-[r:{q(et.predicate)}{' {' + pattern + '}' if quals else ''}]->(b) SET r += row.props"
    )


def _create_edges_statement(et: EdgeType) -> str:
    """``CREATE`` without looking for an equal edge: only for rows known to be new."""
    return (
        f"UNWIND $rows AS row MATCH (a:{q(et.subject)} {{curie: row.subject}}) "
        f"MATCH (b:{q(et.object)} {{curie: row.object}}) "
        f"CREATE (a)-[r:{q(et.predicate)}]->(b) SET r += row.quals, r += row.props"
    )


def _update_edges_statement(et: EdgeType, quals: list[str]) -> str:
    """Update the one edge whose qualifiers (absent counts as ``''``) equal the row's."""
    where = " AND ".join(f"coalesce(r.{q(c)}, '') = row.quals.{q(c)}" for c in quals) or "true"
    return (
        f"UNWIND $rows AS row MATCH (a:{q(et.subject)} {{curie: row.subject}})-[r:{q(et.predicate)}]->"
        f"(b:{q(et.object)} {{curie: row.object}}) WHERE {where} SET r += row.props"
    )


def _edge_rows(frame: pd.DataFrame, quals: list[str]) -> list[dict[str, Any]]:
    skip = {*_EDGE_ENDS, *quals}
    return [
        {
            "subject": rec["subject"],
            "object": rec["object"],
            "quals": {c: rec.get(c) or "" for c in quals},
            "props": _non_null(rec, skip=skip),
        }
        for rec in _records(frame)
    ]


def _edge_frame(found: list[tuple[str, str, dict[str, Any]]], batch: EdgeBatch) -> pd.DataFrame:
    """Stored (subject, object, properties) as the plan's frame: the batch's columns plus every qualifier."""
    wanted = [c for c in batch.frame.columns if not c.startswith("_") and c not in _EDGE_ENDS]
    rows = [
        {"subject": s, "object": o, **{k: v for k, v in props.items() if k in wanted or k.endswith("_qualifier")}}
        for s, o, props in found
    ]
    columns = list(dict.fromkeys([*_EDGE_ENDS, *wanted, *_keys(rows)]))
    # An empty frame must still hold objects: pandas refuses to merge string keys with float64 ones.
    existing = pd.DataFrame(rows).reindex(columns=columns) if rows else pd.DataFrame(columns=columns, dtype=object)
    if "sources" in existing:
        existing["sources"] = [v if isinstance(v, list) else [] for v in existing["sources"]]
    return existing


def _with_qualifiers(batch: EdgeBatch, existing: pd.DataFrame) -> EdgeBatch:
    """Make qualifiers that stored edges carry part of the batch's identity (absent = ``''``).

    Without this, an unqualified edge would merge into a qualified one between the same pair.
    """
    extra = [c for c in existing.columns if c.endswith("_qualifier") and c not in batch.frame.columns]
    if not extra:
        return batch
    return EdgeBatch(batch.type, batch.frame.assign(**dict.fromkeys(extra, "")))


def _qualified(part: pd.DataFrame) -> pd.DataFrame:
    quals = [dict(pairs) for pairs in part["qualifiers"]]
    frame = pd.DataFrame({"subject": part["subject"].to_numpy(), "object": part["object"].to_numpy()})
    for key in _keys(quals):
        frame[key] = [d.get(key) for d in quals]
    return frame


def _collect(tx: Any, cypher: str, params: dict[str, Any], max_rows: int | None = None
             ) -> tuple[list[str], list[list[Any]]]:
    result = tx.run(cypher, params)
    rows = [list(record.values()) for record in itertools.islice(result, max_rows)]
    return list(result.keys()), rows


def _consume(tx: Any, cypher: str, params: dict[str, Any]) -> None:
    tx.run(cypher, params).consume()


def _plain(value: Any, graph: ModuleType) -> Any:
    """Driver values as plain Python: nodes/relationships/paths become dicts shaped like LadybugDB's."""
    if isinstance(value, graph.Node):
        return {"_ID": value.element_id, "_LABEL": ":".join(sorted(value.labels)), **_plain(dict(value), graph)}
    if isinstance(value, graph.Relationship):
        ends = {"_SRC": _element_id(value.start_node), "_DST": _element_id(value.end_node)}
        return {"_ID": value.element_id, "_LABEL": value.type, **ends, **_plain(dict(value), graph)}
    if isinstance(value, graph.Path):
        return {"_NODES": _plain(list(value.nodes), graph), "_RELS": _plain(list(value.relationships), graph)}
    if isinstance(value, list):
        return [_plain(v, graph) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v, graph) for k, v in value.items()}
    if hasattr(value, "to_native"):
        return value.to_native()
    return value


def _element_id(node: Any) -> str | None:
    return node.element_id if node is not None else None


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows as dicts of plain Python values (the driver packs no numpy types); NaN becomes None."""
    return [{k: _py(v) for k, v in rec.items()} for rec in frame.to_dict("records")]


def _py(value: Any) -> Any:
    if isinstance(value, np.ndarray | tuple | list):
        return [_py(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and value != value:
        return None
    return value


def _non_null(rec: Mapping[str, Any], skip: set[str]) -> dict[str, Any]:
    return {k: v for k, v in rec.items() if k not in skip and not k.startswith("_") and v is not None}


def _unique(values: pd.Series) -> list[Any]:
    return [_py(v) for v in values.dropna().unique()]


def _keys(rows: list[dict[str, Any]]) -> list[str]:
    return list(dict.fromkeys(k for row in rows for k in row))


def _scrub(exc: BaseException, password: str | None) -> str:
    text = str(exc)
    return text.replace(password, "***") if password else text


# --- neo4j-admin import export ------------------------------------------------------------------------


def export_admin_import(out_dir: Path, store: GraphStore, database: str = "neo4j") -> list[Path]:
    """Write ``neo4j-admin database import full`` CSVs from any store, one ID space per category.

    A CURIE is unique within a category, not across them (``MESH:`` ids name symptoms, diseases and
    chemicals), so IDs are grouped by category: one ``nodes_<Category>.csv`` per category
    (``curie:ID(<Category>),name,...,:LABEL``), one ``relationships_<subject>_<predicate>_<object>.csv``
    per edge type (``:START_ID(<S>),:END_ID(<O>),:TYPE,sources:string[],...``, arrays joined by ``;``) and
    ``import.sh`` with the
    exact command. Categories and edge types come from ``store.stats()``; rows through ``store.query()``.

    Returns:
        The files written: node CSVs, relationship CSVs, then ``import.sh``.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    stats = store.stats()
    nodes = [_export_nodes(out_dir, store, cat) for cat, n in sorted(stats.nodes.items()) if n]
    rels = [_export_edges(out_dir, store, EdgeType(*key)) for key, n in sorted(stats.edges.items()) if n]
    return [*nodes, *rels, _write_import_script(out_dir, nodes, rels, database)]


def _export_nodes(out_dir: Path, store: GraphStore, category: str) -> Path:
    found = store.query(f"MATCH (n:{q(category)}) RETURN n AS n")
    props = [_stored(d) for d in found["n"]]
    extra = [k for k in _keys(props) if k not in {"curie", "name"} and any(p.get(k) is not None for p in props)]
    header = [f"curie:ID({category})", "name", *(_typed(k, props) for k in extra), ":LABEL"]
    rows = [[p.get("curie"), p.get("name"), *(p.get(k) for k in extra), category] for p in props]
    return _write_csv(out_dir / f"nodes_{category}.csv", header, rows)


def _export_edges(out_dir: Path, store: GraphStore, et: EdgeType) -> Path:
    found = store.query(
        f"MATCH (a:{q(et.subject)})-[r:{q(et.predicate)}]->(b:{q(et.object)}) "
        "RETURN a.curie AS subject, b.curie AS object, r AS r"
    )
    props = [_stored(d) for d in found["r"]]
    extra = [k for k in _keys(props) if k != "sources" and any(p.get(k) is not None for p in props)]
    ends = [f":START_ID({et.subject})", f":END_ID({et.object})"]
    header = [*ends, ":TYPE", "sources:string[]", *(_typed(k, props) for k in extra)]
    rows = [
        [s, o, et.predicate, p.get("sources"), *(p.get(k) for k in extra)]
        for s, o, p in zip(found["subject"], found["object"], props, strict=True)
    ]
    return _write_csv(out_dir / f"relationships_{et.subject}_{et.predicate}_{et.object}.csv", header, rows)


def _write_import_script(out_dir: Path, nodes: list[Path], rels: list[Path], database: str) -> Path:
    q(database)  # a plain database name: nothing for the shell to interpret
    args = [
        *(f"  --nodes={shlex.quote(p.name)}" for p in nodes),
        *(f"  --relationships={shlex.quote(p.name)}" for p in rels),
        f'  --array-delimiter="{ARRAY_DELIMITER}"',
        f"  {database}",
    ]
    text = "\n".join([
        "#!/bin/sh",
        "# Bulk import into an empty, stopped Neo4j database. Written by kg_engine.store.neo4j.export_admin_import.",
        "set -e",
        'cd "$(dirname "$0")"',
        "neo4j-admin database import full \\",
        " \\\n".join(args),
        "",
    ])
    path = out_dir / "import.sh"
    path.write_text(text, encoding="utf-8")
    path.chmod(0o755)
    return path


def _stored(value: Any) -> dict[str, Any]:
    """A node/relationship dict from ``query()`` without the backend's ``_``-prefixed bookkeeping keys."""
    return {k: _py(v) for k, v in dict(value).items() if not k.startswith("_")}


def _typed(key: str, props: list[dict[str, Any]]) -> str:
    """A header field with the ``neo4j-admin`` type of the column's first non-null value."""
    sample = next(p[key] for p in props if p.get(key) is not None)
    item = sample[0] if isinstance(sample, list) and sample else sample
    kind = (
        "boolean" if isinstance(item, bool)
        else "long" if isinstance(item, int)
        else "double" if isinstance(item, float)
        else "string"
    )
    if isinstance(sample, list):
        return f"{key}:{kind}[]"
    return key if kind == "string" else f"{key}:{kind}"


def _write_csv(path: Path, header: list[str], rows: list[list[Any]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows([_cell(v, path) for v in row] for row in rows)
    return path


def _cell(value: Any, path: Path) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        if any(ARRAY_DELIMITER in str(v) for v in value):
            raise StoreError(f"{path}: array value {value!r} contains the delimiter {ARRAY_DELIMITER!r}")
        return ARRAY_DELIMITER.join(_cell(v, path) for v in value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
