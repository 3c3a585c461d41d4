"""PharmacotherapyDB indications (treats / palliates / non-indication) into a graph store."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from kg_engine.load.deadletter import DeadLetter
from kg_engine.load.report import FileReport, LoadReport, Progress, no_progress
from kg_engine.load.tabular import read_table
from kg_engine.store.base import EdgeBatch, EdgeType, GraphStore, NodeBatch
from ontologies import CurieError, Schema, SchemaError, load_schema, normalize_curie

COLUMNS = ("doid_id", "drugbank_id", "disease", "drug", "category", "n_curators", "n_resources")


def load_indications(
    store: GraphStore,
    path: Path,
    deadletter: DeadLetter,
    schema: Schema | None = None,
    progress: Progress = no_progress,
) -> LoadReport:
    """Load indications as Compound -> Disease edges.

    Endpoints missing from the store are added as nodes; existing nodes are left as they are.
    """
    schema = schema or load_schema()
    source = schema.source_name("pharmacotherapydb")
    progress(path.name, 0, 1)
    table = read_table(path, required=COLUMNS)
    report = FileReport(str(path), read=len(table.frame) + len(table.bad))
    for bad in table.bad:
        deadletter.write(str(path), bad.line, bad.reason, bad.raw)
    report.malformed += len(table.bad)
    frame = _valid_rows(table.frame, schema, path, deadletter, report)
    for category, column, name in (("Compound", "subject", "drug"), ("Disease", "object", "disease")):
        nodes = frame[[column, name]].set_axis(["curie", "name"], axis=1).drop_duplicates("curie")
        report.result.add(store.upsert_nodes(NodeBatch(category, nodes), on_conflict="keep"))
    for predicate, part in frame.groupby("predicate", sort=True):
        pairs = part[["subject", "object", "n_curators", "n_resources", "_line"]]
        batch = EdgeBatch.build(EdgeType("Compound", str(predicate), "Disease"), pairs, source)
        result = store.upsert_edges(batch)
        for row in result.rejected.to_dict("records"):
            deadletter.write(str(path), int(row["_line"]), row["reason"], [row["subject"], row["object"]])
        report.result.add(result)
    progress(path.name, 1, 1)
    return LoadReport(source=source, files=[report], deadletter=str(deadletter.path))


def _valid_rows(
    frame: pd.DataFrame, schema: Schema, path: Path, deadletter: DeadLetter, report: FileReport
) -> pd.DataFrame:
    keep: list[dict[str, object]] = []
    for row in frame.to_dict("records"):
        try:
            keep.append({
                **row,
                "subject": normalize_curie(row["drugbank_id"], "DRUGBANK"),
                "object": normalize_curie(row["doid_id"], "DOID"),
                "predicate": schema.indication_predicate(row["category"]).name,
                "n_curators": int(row["n_curators"]),
                "n_resources": int(row["n_resources"]),
            })
        except (CurieError, SchemaError, ValueError) as exc:
            deadletter.write(str(path), int(row["_line"]), str(exc), row)
            report.malformed += 1
    return pd.DataFrame(keep)
