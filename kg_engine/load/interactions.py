"""Drug–drug interactions (ChCh-Miner, derived from DrugBank) into a graph store as ``interacts_with`` edges.

The source lists undirected pairs (``Drug1<TAB>Drug2``). Each pair is stored once, with a deterministic
direction: the smaller DrugBank CURIE is the subject. Drugs that the store does not hold yet are added as
``Compound`` nodes named from the DrugBank open vocabulary (when it is present), so every pair is kept.
Malformed rows (wrong field count, an id that is not a DrugBank id, a drug paired with itself) and repeated
pairs go to the dead-letter file with file, line and reason.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from kg_engine.load.deadletter import DeadLetter
from kg_engine.load.report import FileReport, LoadReport, Progress, no_progress
from kg_engine.load.tabular import read_table
from kg_engine.store.base import EdgeBatch, EdgeType, GraphStore, NodeBatch
from ontologies import Schema, load_schema

SOURCE_KEY = "drugbank_ddi"
COLUMNS = ("Drug1", "Drug2")
_DRUGBANK = re.compile(r"^DB\d{5}$")


def interaction_edge_type(schema: Schema | None = None) -> EdgeType:
    """The ``(Compound, interacts_with, Compound)`` edge type the schema names for this source."""
    spec = (schema or load_schema()).sources[SOURCE_KEY]["edge"]
    return EdgeType(spec["subject"], spec["predicate"], spec["object"])


def load_interactions(
    store: GraphStore,
    path: Path,
    deadletter: DeadLetter,
    vocab_dir: Path | None = None,
    schema: Schema | None = None,
    progress: Progress = no_progress,
) -> LoadReport:
    """Load the interaction pairs of ``path``; idempotent (a second load inserts nothing).

    Args:
        store: the graph store.
        path: the ChCh-Miner TSV (header ``Drug1<TAB>Drug2``).
        deadletter: sink for rejected rows.
        vocab_dir: folder holding ``drugbank_vocabulary.csv`` (names of drugs the store lacks), or None.
        schema: the project schema (default: the packaged one).
        progress: progress callback.
    """
    schema = schema or load_schema()
    source = schema.source_name(SOURCE_KEY)
    progress(path.name, 0, 2)
    table = read_table(path, required=COLUMNS)
    report = FileReport(str(path), read=len(table.frame) + len(table.bad))
    for bad in table.bad:
        deadletter.write(str(path), bad.line, bad.reason, bad.raw)
    report.malformed += len(table.bad)
    pairs = canonical_pairs(table.frame, path, deadletter, report)
    progress(path.name, 1, 2)
    et = interaction_edge_type(schema)
    _add_missing_drugs(store, pairs, vocab_dir, report)
    result = store.upsert_edges(EdgeBatch.build(et, pairs, source))
    for row in result.rejected.to_dict("records"):
        deadletter.write(str(path), int(row["_line"]), row["reason"], [row["subject"], row["object"]])
    report.result.add(result)
    progress(path.name, 2, 2)
    return LoadReport(source=source, files=[report], deadletter=str(deadletter.path))


def canonical_pairs(frame: pd.DataFrame, path: Path, deadletter: DeadLetter, report: FileReport) -> pd.DataFrame:
    """Valid rows as ``subject < object`` DrugBank CURIEs with their ``_line``; the rest dead-lettered."""
    a = frame["Drug1"].str.strip()
    b = frame["Drug2"].str.strip()
    valid_a, valid_b = a.str.match(_DRUGBANK), b.str.match(_DRUGBANK)
    bad = ~(valid_a & valid_b) | (a == b)
    for line, x, y, ok_a, ok_b in zip(frame["_line"][bad], a[bad], b[bad], valid_a[bad], valid_b[bad], strict=True):
        reason = f"not a DrugBank id: {x if not ok_a else y!r}" if not (ok_a and ok_b) else "drug paired with itself"
        deadletter.write(str(path), int(line), reason, [x, y])
    report.malformed += int(bad.sum())
    a, b, lines = a[~bad], b[~bad], frame["_line"][~bad]
    subject = "DRUGBANK:" + a.where(a < b, b)
    obj = "DRUGBANK:" + b.where(a < b, a)
    pairs = pd.DataFrame({"subject": subject, "object": obj, "_line": lines}).reset_index(drop=True)
    dup = pairs.duplicated(["subject", "object"], keep="first")
    for row in pairs[dup].to_dict("records"):
        deadletter.write(str(path), int(row["_line"]), "pair listed before (either order)", [row["subject"],
                                                                                             row["object"]])
    report.malformed += int(dup.sum())
    return pairs[~dup].reset_index(drop=True)


def _add_missing_drugs(store: GraphStore, pairs: pd.DataFrame, vocab_dir: Path | None, report: FileReport) -> None:
    """Add ``Compound`` nodes for drugs not stored yet (existing nodes are left as they are)."""
    drugs = sorted(set(pairs["subject"]) | set(pairs["object"]))
    names = _drug_names(vocab_dir)
    nodes = pd.DataFrame({"curie": drugs, "name": [names.get(d, d) for d in drugs]})
    report.result.add(store.upsert_nodes(NodeBatch("Compound", nodes), on_conflict="keep"))


def _drug_names(vocab_dir: Path | None) -> dict[str, str]:
    if vocab_dir is None or not (vocab_dir / "drugbank_vocabulary.csv").is_file():
        return {}
    from ontologies.xrefs import read_drugbank

    return {row.curie: row.name for row in read_drugbank(vocab_dir).rows}
