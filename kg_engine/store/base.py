"""The ``GraphStore`` protocol and the columnar batches every backend upserts.

Records (``Node``/``Edge``) are the contract between layers; for bulk work they are gathered into
batches of one node category or one (subject category, predicate, object category) edge type, held as
DataFrames. Planning an upsert (what is new, what changed, what cannot be attached) is backend-neutral
and lives here so both backends merge the same way.

pandas is imported by the functions that build or plan batches, not by this module: opening a store and
counting its rows (``kg stats``) must not pay for it.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, Protocol, runtime_checkable

from ontologies import Edge, Node, Schema

if TYPE_CHECKING:
    import pandas as pd
    from torch_geometric.data import HeteroData

OnConflict = Literal["update", "keep"]
# Edge property columns that keep the highest value on merge (the best score of any evidence behind an edge).
MAX_COLUMNS = frozenset({"best_score"})


@dataclass(frozen=True, slots=True)
class NodeBatch:
    """Nodes of one category: a frame with ``curie``, ``name`` and any property columns."""

    category: str
    frame: pd.DataFrame

    def __post_init__(self) -> None:
        missing = {"curie", "name"} - set(self.frame.columns)
        if missing:
            raise ValueError(f"node batch for {self.category} lacks columns {sorted(missing)}")

    @classmethod
    def from_nodes(cls, nodes: Iterable[Node]) -> list[NodeBatch]:
        """Group node records into one batch per category."""
        import pandas as pd

        rows: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for node in nodes:
            rows[node.category].append({"curie": node.curie, "name": node.name, **node.props})
        return [cls(cat, pd.DataFrame(r)) for cat, r in rows.items()]


@dataclass(frozen=True, slots=True)
class EdgeType:
    """One (subject category, predicate, object category) triple, PyG's ``(src, rel, dst)``."""

    subject: str
    predicate: str
    object: str

    def as_tuple(self) -> tuple[str, str, str]:
        """The PyG edge-type key."""
        return (self.subject, self.predicate, self.object)


@dataclass(frozen=True, slots=True)
class EdgeBatch:
    """Edges of one type, as a frame.

    Columns: ``subject``, ``object``, ``sources`` (list), optional ``evidence`` (JSON list of provenance
    records), qualifier columns (``*_qualifier``, part of the identity) and property columns. Columns
    starting with ``_`` (``_line``) are transient: never stored, but kept on rejected rows.
    """

    type: EdgeType
    frame: pd.DataFrame

    def __post_init__(self) -> None:
        missing = {"subject", "object", "sources"} - set(self.frame.columns)
        if missing:
            raise ValueError(f"edge batch for {self.type} lacks columns {sorted(missing)}")
        if "evidence" in self.frame.columns and "support" not in self.frame.columns:
            object.__setattr__(self, "frame", _with_support(self.frame))

    @classmethod
    def build(
        cls,
        edge_type: EdgeType,
        pairs: pd.DataFrame,
        source: str,
        qualifiers: Iterable[tuple[str, str]] = (),
    ) -> EdgeBatch:
        """A batch from a frame of ``subject``/``object`` (+ props) asserted by one structured source."""
        frame = pairs.copy()
        for key, value in qualifiers:
            frame[key] = value
        frame["sources"] = [[source]] * len(frame)
        return cls(edge_type, frame)

    @classmethod
    def from_edges(cls, edges: Iterable[Edge], categories: Mapping[str, str]) -> list[EdgeBatch]:
        """Group edge records by type; ``categories`` maps every endpoint CURIE to its category."""
        import pandas as pd

        rows: dict[EdgeType, list[dict[str, Any]]] = defaultdict(list)
        for edge in edges:
            et = EdgeType(categories[edge.subject], edge.predicate, categories[edge.object])
            textual = [_provenance_dict(p) for p in edge.provenance if p.is_textual()]
            rows[et].append({
                "subject": edge.subject, "object": edge.object, **dict(edge.qualifiers), **edge.props,
                "sources": sorted({p.source for p in edge.provenance}),
                "evidence": json.dumps(textual, sort_keys=True) if textual else None,
            })
        return [cls(et, pd.DataFrame(r)) for et, r in rows.items()]

    @property
    def qualifier_columns(self) -> list[str]:
        """Qualifier columns: part of the edge's identity."""
        return sorted(c for c in self.frame.columns if c.endswith("_qualifier"))

    def with_qualifiers(self, columns: Iterable[str]) -> EdgeBatch:
        """This batch with every qualifier column the store already has for its type (absent = unqualified).

        Without this, an unqualified edge would be taken for an existing qualified one of the same pair.
        """
        missing = [c for c in columns if c not in self.frame.columns]
        if not missing:
            return self
        return EdgeBatch(self.type, self.frame.assign(**dict.fromkeys(missing)))


def _empty_frame() -> pd.DataFrame:
    """No rejected rows (pandas is imported once a result is made, not with this module)."""
    import pandas as pd

    return pd.DataFrame()


@dataclass(slots=True)
class UpsertResult:
    """What an upsert did; ``rejected`` holds rows that could not be stored, with a ``reason`` column."""

    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: pd.DataFrame = field(default_factory=_empty_frame)

    def add(self, other: UpsertResult) -> None:
        """Accumulate another result into this one."""
        self.inserted += other.inserted
        self.updated += other.updated
        self.unchanged += other.unchanged
        if len(other.rejected):
            import pandas as pd

            self.rejected = pd.concat([self.rejected, other.rejected], ignore_index=True)


@dataclass(frozen=True, slots=True)
class StoreStats:
    """Node counts per category and edge counts per edge type."""

    nodes: dict[str, int]
    edges: dict[tuple[str, str, str], int]

    @property
    def node_total(self) -> int:
        """All nodes."""
        return sum(self.nodes.values())

    @property
    def edge_total(self) -> int:
        """All edges."""
        return sum(self.edges.values())


@runtime_checkable
class GraphStore(Protocol):
    """What every graph backend provides. Values always travel as query parameters."""

    read_only: bool

    def init_schema(self, schema: Schema) -> None:
        """Create labels/tables, constraints and indexes for ``schema`` (idempotent)."""

    def upsert_nodes(self, batch: NodeBatch, on_conflict: OnConflict = "update") -> UpsertResult:
        """Insert new nodes; update (``update``) or leave (``keep``) existing ones."""

    def upsert_edges(self, batch: EdgeBatch) -> UpsertResult:
        """Insert new edges and merge sources/evidence/properties into existing ones."""

    def upsert_edge_batches(self, batches: Sequence[EdgeBatch]) -> list[UpsertResult]:
        """``upsert_edges`` for many batches at once (a backend may write them together); results in order."""

    def query(self, cypher: str, params: Mapping[str, Any] | None = None, *, timeout_s: float | None = None,
              max_rows: int | None = None) -> pd.DataFrame:
        """Run a parameterised Cypher query and return its rows.

        Args:
            cypher: the statement (``EXPLAIN`` in front plans it without running it, on both backends).
            params: its parameters; a missing or unused one is a ``QueryError``.
            timeout_s: stop the statement after this many seconds (``QueryError`` saying so); None: no limit.
            max_rows: return at most this many rows.
        """

    def edge_types(self) -> list[EdgeType]:
        """The edge types present in the store."""

    def stats(self) -> StoreStats:
        """Counts of nodes and edges."""

    def to_pyg(self, split_qualifiers: bool = True) -> HeteroData:
        """The whole graph as a PyG ``HeteroData`` (``data[category].curie`` maps index -> CURIE)."""

    def close(self) -> None:
        """Release the connection."""


def plan_node_upsert(
    existing: pd.DataFrame, batch: NodeBatch, on_conflict: OnConflict
) -> tuple[pd.DataFrame, pd.DataFrame, int]:
    """Split a node batch into (rows to insert, rows to update, unchanged count).

    ``existing`` holds the stored rows for the batch's CURIEs (same columns where present).
    """
    import pandas as pd

    incoming = batch.frame.drop_duplicates("curie", keep="last")
    is_new = ~_member(incoming["curie"], pd.Index(existing["curie"]))
    new, old = incoming[is_new], incoming[~is_new]
    if on_conflict == "keep" or old.empty:
        return new, old.iloc[0:0], len(old)
    transient = [c for c in old.columns if c.startswith("_")]
    changed = _changed_rows(existing.set_index("curie"), old.drop(columns=transient).set_index("curie"))
    return new, old[old["curie"].isin(changed)], len(old) - len(changed)


def plan_edge_upsert(
    existing: pd.DataFrame, batch: EdgeBatch, known_subjects: pd.Index, known_objects: pd.Index
) -> tuple[pd.DataFrame, pd.DataFrame, int, pd.DataFrame]:
    """Split an edge batch into (insert, update-with-merged-values, unchanged count, rejected).

    Identity is (subject, object, qualifiers) within the batch's edge type. Rows whose endpoint is not
    stored are rejected with a reason; duplicate rows inside the batch are merged first.
    """
    key = ["subject", "object", *batch.qualifier_columns]
    frame = _fill_keys(batch.frame, batch.qualifier_columns)
    transient = [c for c in frame.columns if c.startswith("_")]
    ok = _member(frame["subject"], known_subjects) & _member(frame["object"], known_objects)
    rejected = frame[~ok].assign(reason=_missing_reason(frame[~ok], known_subjects, batch.type))
    frame = _dedupe(frame[ok].drop(columns=transient), key)
    if existing.empty:  # a first load: everything is new, nothing to merge with
        return _with_support(_unfill_keys(frame, batch.qualifier_columns)), frame.iloc[0:0], 0, rejected
    existing = _fill_keys(existing, batch.qualifier_columns)
    merged = frame.merge(existing, on=key, how="left", suffixes=("", "__old"), indicator=True)
    new = _with_support(_unfill_keys(frame[(merged["_merge"] == "left_only").to_numpy()], batch.qualifier_columns))
    both = merged[merged["_merge"] == "both"]
    if both.empty:
        return new, both, 0, rejected
    updates = _merge_existing(both, [c for c in frame.columns if c not in key and c != "support"])
    changed = updates.pop("__changed")
    return new, _with_support(updates[changed.to_numpy()]), int((~changed).sum()), rejected


def _with_support(frame: pd.DataFrame) -> pd.DataFrame:
    """``support``: how many evidence records an edge has (one edge per fact, many sentences behind it)."""
    if "evidence" not in frame.columns or frame.empty:
        return frame
    import pandas as pd

    counts = [len(json.loads(e)) if isinstance(e, str) and e else 0 for e in frame["evidence"]]
    return frame.assign(support=pd.array(counts, dtype="int64"))


def _member(values: pd.Series, index: pd.Index) -> pd.Series:
    """``values.isin(index)``, through a hash lookup (pandas' isin on Arrow strings loops in Python)."""
    import pandas as pd

    if not index.is_unique:
        index = index.drop_duplicates()
    return pd.Series(index.get_indexer(values) >= 0, index=values.index)


def _fill_keys(frame: pd.DataFrame, qualifier_columns: list[str]) -> pd.DataFrame:
    frame = frame.copy()
    for col in qualifier_columns:
        frame[col] = frame[col].fillna("") if col in frame.columns else ""
    return frame


def _unfill_keys(frame: pd.DataFrame, qualifier_columns: list[str]) -> pd.DataFrame:
    """New rows store an absent qualifier as null, not as the empty string used for matching."""
    if not qualifier_columns:
        return frame
    return frame.assign(**{c: frame[c].replace("", None) for c in qualifier_columns})


def _missing_reason(rows: pd.DataFrame, known_subjects: pd.Index, et: EdgeType) -> list[str]:
    return [
        f"subject {s} is not a stored {et.subject}" if s not in known_subjects
        else f"object {o} is not a stored {et.object}"
        for s, o in zip(rows["subject"], rows["object"], strict=True)
    ]


def _dedupe(frame: pd.DataFrame, key: list[str]) -> pd.DataFrame:
    dup = frame.duplicated(key, keep=False)
    if not dup.any():
        return frame
    import pandas as pd

    merged = [_merge_group(group) for _, group in frame[dup].groupby(key, sort=False)]
    return pd.concat([frame[~dup], pd.DataFrame(merged)], ignore_index=True)


def _merge_group(group: pd.DataFrame) -> dict[str, Any]:
    row = group.iloc[-1].to_dict()
    row["sources"] = sorted({s for lst in group["sources"] for s in lst})
    if "evidence" in group:
        row["evidence"] = _union_evidence(group["evidence"].tolist())
    for col in MAX_COLUMNS & set(group.columns):
        row[col] = _max(group[col].tolist())
    return row


def _merge_existing(both: pd.DataFrame, value_cols: list[str]) -> pd.DataFrame:
    import pandas as pd

    out = both.drop(columns=["_merge"]).copy()
    changed = pd.Series(False, index=out.index)
    for col in value_cols:
        old_col = f"{col}__old"
        if old_col not in out:
            changed |= out[col].notna().to_numpy()
            continue
        if col == "sources":
            pairs = zip(out[col], out[old_col], strict=True)
            merged = [sorted(set(a) | set(b if b is not None else ())) for a, b in pairs]
        elif col == "evidence":
            merged = [_union_evidence([b, a]) for a, b in zip(out[col], out[old_col], strict=True)]
        elif col in MAX_COLUMNS:
            merged = [_max([a, b]) for a, b in zip(out[col], out[old_col], strict=True)]
        else:
            merged = out[col].where(out[col].notna(), out[old_col]).tolist()
        diff = [not _same(m, o) for m, o in zip(merged, out[old_col], strict=True)]
        changed |= pd.Series(diff, index=out.index, dtype=bool)
        out[col] = merged
    return out.drop(columns=[c for c in out.columns if c.endswith("__old")]).assign(__changed=changed)


def _changed_rows(existing: pd.DataFrame, incoming: pd.DataFrame) -> set[str]:
    import pandas as pd

    changed: set[str] = set()
    for col in incoming.columns:
        new = incoming[col]
        old = existing[col].reindex(new.index) if col in existing else pd.Series(None, index=new.index)
        for curie, a, b in zip(new.index, new, old, strict=True):
            if not _isnull(a) and not _same(a, b):
                changed.add(curie)
    return changed


def _max(values: list[Any]) -> Any:
    present = [v for v in values if not _isnull(v)]
    return max(present) if present else None


def _union_evidence(values: list[Any]) -> str | None:
    seen: dict[str, dict[str, Any]] = {}
    for value in values:
        if isinstance(value, str) and value:
            for rec in json.loads(value):
                seen.setdefault(json.dumps(rec, sort_keys=True), rec)
    return json.dumps(list(seen.values()), sort_keys=True) if seen else None


def _provenance_dict(p: Any) -> dict[str, Any]:
    return {k: getattr(p, k) for k in p.__slots__ if getattr(p, k) is not None}


def _isnull(value: Any) -> bool:
    return value is None or (isinstance(value, float) and value != value)


def _same(a: Any, b: Any) -> bool:
    if _isnull(a) and _isnull(b):
        return True
    if isinstance(a, list | tuple) or isinstance(b, list | tuple):
        return list(a if a is not None else []) == list(b if b is not None else [])
    return bool(a == b)
