"""Hetionet v1.0 (nodes TSV + Neo4j-import edge TSVs) into a graph store, in bulk."""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pandas as pd

from kg_engine.errors import LoadError
from kg_engine.load.deadletter import DeadLetter
from kg_engine.load.report import FileReport, LoadReport, Progress, no_progress
from kg_engine.load.tabular import Table, read_table
from kg_engine.store.base import EdgeBatch, EdgeType, GraphStore, NodeBatch
from ontologies import CurieError, Schema, load_schema
from ontologies.curies import hetionet_curie, hetionet_prefix
from ontologies.schema import EdgeMapping

NODES_FILE = "hetionet-v1.0-nodes.tsv"
METAEDGES_FILE = "metaedges-v1.0.tsv"
_ENDPOINT = re.compile(r"^:(START|END)_ID\((?P<kind>[^)]+)\)$")


def load_hetionet(
    store: GraphStore,
    root: Path,
    deadletter: DeadLetter,
    schema: Schema | None = None,
    progress: Progress = no_progress,
) -> LoadReport:
    """Load nodes, then every edge file under ``root/edges``; bad rows go to ``deadletter``."""
    schema = schema or load_schema()
    source = schema.source_name("hetionet")
    report = LoadReport(source=source, deadletter=str(deadletter.path))
    edge_files = sorted((root / "edges").glob("*.tsv"))
    if not (root / NODES_FILE).is_file():
        raise LoadError(f"{root / NODES_FILE}: Hetionet node file not found")
    total = 1 + len(edge_files)
    progress("nodes", 0, total)
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="kg-read") as reader:
        # Arrow parses the edge files (without the GIL) while the nodes are written.
        tables = [reader.submit(read_table, path) for path in edge_files]
        report.files.append(_load_nodes(store, root / NODES_FILE, schema, deadletter))
        metaedges = _metaedge_index(root / METAEDGES_FILE, schema)
        files: list[FileReport] = []
        batches: list[EdgeBatch] = []
        for done, (path, table) in enumerate(zip(edge_files, tables, strict=True), start=1):
            progress(path.name, done, total)
            file_report, batch = _read_edges(path, table.result(), metaedges, source, deadletter)
            files.append(file_report)
            batches.append(batch)
    progress("writing edges", total - 1, total)
    # One call for every file: files of one edge type (Anatomy expresses / up- / down-regulates Gene) are
    # written together, which is the fast path of a first load.
    for path, file_report, result in zip(edge_files, files, store.upsert_edge_batches(batches), strict=True):
        for row in result.rejected.to_dict("records"):
            deadletter.write(str(path), int(row["_line"]), row["reason"], [row["subject"], row["object"]])
        file_report.result = result
    report.files.extend(files)
    progress("done", total, total)
    return report


def _load_nodes(store: GraphStore, path: Path, schema: Schema, deadletter: DeadLetter) -> FileReport:
    """Upsert nodes, one batch per category."""
    table = read_table(path, required=("id", "name", "kind"))
    report = FileReport(str(path), read=len(table.frame) + len(table.bad))
    _dead_rows(deadletter, path, table.bad, report)
    frame = table.frame
    frame["curie"] = [_node_curie(i) for i in frame["id"]]
    frame["category"] = [_category(schema, k) for k in frame["kind"]]
    invalid = frame["curie"].isna() | frame["category"].isna()
    for row in frame[invalid].to_dict("records"):
        reason = "unknown node kind" if row["category"] is None else "unparseable node id"
        deadletter.write(str(path), row["_line"], f"{reason}: {row['id']!r} ({row['kind']})", row["id"])
        report.malformed += 1
    frame = frame[~invalid]
    for category, part in frame.groupby("category", sort=True):
        batch = NodeBatch(str(category), part[["curie", "name"]].reset_index(drop=True))
        report.result.add(store.upsert_nodes(batch))
    return report


def _read_edges(
    path: Path,
    table: Table,
    metaedges: dict[tuple[str, str, str], EdgeMapping],
    source: str,
    deadletter: DeadLetter,
) -> tuple[FileReport, EdgeBatch]:
    """One parsed edge file as a batch of its metaedge's type; malformed rows are dead-lettered here."""
    report = FileReport(str(path), read=len(table.frame) + len(table.bad))
    mapping = _mapping_for(path, table.header, metaedges)
    start_kind, end_kind = (_ENDPOINT.match(h).group("kind") for h in table.header)  # type: ignore[union-attr]
    _dead_rows(deadletter, path, table.bad, report)
    frame = table.frame.set_axis([":start", ":end", "_line"], axis=1)
    pairs = pd.DataFrame({
        "subject": _curies(frame[":start"], start_kind),
        "object": _curies(frame[":end"], end_kind),
        "hetionet_metaedge": mapping.label,
        "_line": frame["_line"],
    })
    et = EdgeType(mapping.subject, mapping.predicate, mapping.object)
    return report, EdgeBatch.build(et, pairs, source, mapping.qualifiers)


def _metaedge_index(path: Path, schema: Schema) -> dict[tuple[str, str, str], EdgeMapping]:
    """Index the schema's metaedge mappings by (source kind, verb, target kind), kinds without spaces."""
    table = read_table(path, required=("metaedge", "abbreviation"))
    mappings = schema.hetionet_metaedges()
    index: dict[tuple[str, str, str], EdgeMapping] = {}
    for name, abbrev in zip(table.frame["metaedge"], table.frame["abbreviation"], strict=True):
        src, verb, dst = (p.strip() for p in re.split(r" [-<>] ", name))
        if abbrev not in mappings:
            raise LoadError(f"{path}: metaedge {abbrev} ({name}) has no mapping in the schema")
        index[(src.replace(" ", ""), verb.lower(), dst.replace(" ", ""))] = mappings[abbrev]
    return index


def _mapping_for(path: Path, header: list[str], metaedges: dict[tuple[str, str, str], EdgeMapping]) -> EdgeMapping:
    matches = [_ENDPOINT.match(h) for h in header]
    if len(header) != 2 or not all(matches):
        raise LoadError(f"{path}:1: expected ':START_ID(Kind)<TAB>:END_ID(Kind)', found {header}")
    src, dst = (m.group("kind").replace(" ", "") for m in matches)  # type: ignore[union-attr]
    verb = path.stem.split("_")[1].lower() if path.stem.count("_") >= 2 else ""
    mapping = metaedges.get((src, verb, dst))
    if mapping is None:
        raise LoadError(f"{path}: no Hetionet metaedge {src} - {verb} - {dst}")
    return mapping


def _curies(ids: pd.Series, kind: str) -> pd.Series:
    prefix = hetionet_prefix(kind)
    if prefix is not None:  # Gene, Compound, ...: the id is the local part (vectorised: 10^5 ids a file)
        local = ids.str.strip()
        return (prefix + ":" + local).where(local != "", None)
    unique = {i: _safe_curie(kind, i) for i in ids.unique()}
    return ids.map(unique)


def _safe_curie(kind: str, local: str) -> str | None:
    try:
        return hetionet_curie(kind, local)
    except CurieError:
        return None


def _node_curie(node_id: str) -> str | None:
    kind, sep, local = node_id.partition("::")
    return _safe_curie(kind, local) if sep and local else None


def _category(schema: Schema, kind: str) -> str | None:
    try:
        return schema.hetionet_kind(kind).name
    except ValueError:
        return None


def _dead_rows(deadletter: DeadLetter, path: Path, bad: list, report: FileReport) -> None:
    for row in bad:
        deadletter.write(str(path), row.line, row.reason, row.raw)
    report.malformed += len(bad)
