"""SIDER 4.1 side-effect frequencies, joined onto the store's ``has_side_effect`` edges.

``meddra_freq.tsv.gz`` has no header; its columns are: flat STITCH id, stereo STITCH id, UMLS id from the
label, placebo flag, frequency text, lower, upper, MedDRA level, UMLS id for MedDRA, side-effect name. A
stereo STITCH id ``CID0xxxxxxxx`` is PubChem compound ``xxxxxxxx``; ``drugbank_pubchem.tsv`` maps PubChem to
DrugBank, and the MedDRA UMLS id is the side effect's ``UMLS:`` CURIE (the join Hetionet itself used).

Per (compound, side effect) pair the drug-arm rows give ``frequency`` (the distinct frequency texts, most
frequent first, ``; ``-joined) and ``frequency_lower`` / ``frequency_upper``: the bounds of the label row that
reports the highest frequency (largest lower bound, then largest upper bound). Rows flagged ``placebo``
describe the placebo arm and go to ``placebo_frequency`` / ``placebo_upper`` instead, so a placebo rate is
never read as the drug's. Only pairs already stored as ``has_side_effect`` edges are updated (SIDER is joined
to them, not added); malformed rows and STITCH ids that no DrugBank id maps to go to the dead-letter file with
file, line and reason.
"""

from __future__ import annotations

import gzip
import re
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from cypher.identifiers import quote_identifier as q
from kg_engine.errors import LoadError
from kg_engine.load.deadletter import DeadLetter
from kg_engine.load.report import FileReport, LoadReport, Progress, no_progress
from kg_engine.store.base import EdgeBatch, EdgeType, GraphStore
from ontologies import Schema, load_schema

SOURCE_KEY = "sider"
FREQ_FILE = "meddra_freq.tsv.gz"
MAP_FILE = "drugbank_pubchem.tsv"
N_FIELDS = 10
_STEREO = re.compile(r"^CID[01](\d{8})$")
_UMLS = re.compile(r"^C\d{7}$")


@dataclass
class SiderRow:
    """One parsed frequency row."""

    line: int
    pubchem: str
    umls: str
    placebo: bool
    text: str
    lower: float
    upper: float


def side_effect_edge_type(schema: Schema | None = None) -> EdgeType:
    """The ``(Compound, has_side_effect, SideEffect)`` edge type SIDER is joined to."""
    spec = (schema or load_schema()).sources[SOURCE_KEY]["edge"]
    return EdgeType(spec["subject"], spec["predicate"], spec["object"])


def load_sider(
    store: GraphStore, root: Path, deadletter: DeadLetter, schema: Schema | None = None,
    progress: Progress = no_progress,
) -> LoadReport:
    """Join SIDER frequencies in ``root`` onto stored side-effect edges; idempotent."""
    schema = schema or load_schema()
    source = schema.source_name(SOURCE_KEY)
    freq_path, map_path = root / FREQ_FILE, root / MAP_FILE
    for path in (freq_path, map_path):
        if not path.is_file():
            raise LoadError(f"{path}: SIDER file not found")
    progress(FREQ_FILE, 0, 3)
    drugbank = read_pubchem_map(map_path)
    report = FileReport(str(freq_path))
    rows = list(_parse(freq_path, deadletter, report))
    progress("joining", 1, 3)
    et = side_effect_edge_type(schema)
    existing = _stored_pairs(store, et)
    frame = aggregate(rows, drugbank, existing, str(freq_path), deadletter, report)
    progress("writing", 2, 3)
    if len(frame):
        result = store.upsert_edges(EdgeBatch.build(et, frame, source))
        for row in result.rejected.to_dict("records"):
            deadletter.write(str(freq_path), None, row["reason"], [row["subject"], row["object"]])
        report.result.add(result)
    progress("done", 3, 3)
    return LoadReport(source=source, files=[report], deadletter=str(deadletter.path))


def read_pubchem_map(path: Path) -> dict[str, list[str]]:
    """PubChem compound id -> DrugBank CURIEs."""
    frame = pd.read_csv(path, sep="\t", dtype=str, keep_default_na=False)
    if not {"drugbank_id", "pubchem_id"} <= set(frame.columns):
        raise LoadError(f"{path}:1: expected columns drugbank_id, pubchem_id; found {list(frame.columns)}")
    out: dict[str, list[str]] = defaultdict(list)
    for db, pc in zip(frame["drugbank_id"], frame["pubchem_id"], strict=True):
        if db and pc:
            out[pc.strip().lstrip("0")].append(f"DRUGBANK:{db.strip()}")
    return out


def _parse(path: Path, deadletter: DeadLetter, report: FileReport) -> list[SiderRow]:
    rows: list[SiderRow] = []
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        for line_no, line in enumerate(fh, start=1):
            report.read += 1
            fields = line.rstrip("\r\n").split("\t")
            problem, row = _row(fields, line_no)
            if problem:
                deadletter.write(str(path), line_no, problem, fields)
                report.malformed += 1
            elif row is not None:
                rows.append(row)
    return rows


def _row(fields: list[str], line_no: int) -> tuple[str | None, SiderRow | None]:
    if len(fields) != N_FIELDS:
        return f"expected {N_FIELDS} fields, found {len(fields)}", None
    stereo = _STEREO.match(fields[1].strip())
    if stereo is None:
        return f"not a STITCH stereo id: {fields[1]!r}", None
    umls = fields[8].strip()
    if not _UMLS.match(umls):
        return f"not a UMLS CUI (MedDRA): {umls!r}", None
    placebo = fields[3].strip()
    if placebo not in ("", "placebo"):
        return f"unknown placebo flag {placebo!r}", None
    try:
        lower, upper = float(fields[5]), float(fields[6])
    except ValueError:
        return f"frequency bounds not numbers: {fields[5]!r}, {fields[6]!r}", None
    if not 0 <= lower <= upper <= 1:
        return f"frequency bounds out of order or range: {lower}, {upper}", None
    text = fields[4].strip() or f"{lower:.0%}-{upper:.0%}"
    return None, SiderRow(line_no, stereo.group(1).lstrip("0"), umls, placebo == "placebo", text, lower, upper)


def aggregate(rows: list[SiderRow], drugbank: dict[str, list[str]], existing: set[tuple[str, str]], file: str,
              deadletter: DeadLetter, report: FileReport) -> pd.DataFrame:
    """One row per stored (compound, side effect) pair with its drug-arm and placebo frequencies.

    Rows whose STITCH id maps to no DrugBank id are dead-lettered (one entry per PubChem id, at its first line);
    rows of pairs with no stored edge are skipped (SIDER lists more pairs than Hetionet kept).
    """
    groups: dict[tuple[str, str], list[SiderRow]] = defaultdict(list)
    unmapped: dict[str, int] = {}
    for row in rows:
        drugs = drugbank.get(row.pubchem)
        if not drugs:
            if row.pubchem not in unmapped:
                unmapped[row.pubchem] = row.line
                deadletter.write(file, row.line, f"PubChem {row.pubchem} maps to no DrugBank id", row.pubchem)
                report.malformed += 1
            continue
        for drug in drugs:
            pair = (drug, f"UMLS:{row.umls}")
            if pair in existing:
                groups[pair].append(row)
    records = [_summary(pair, group) for pair, group in sorted(groups.items())]
    columns = ["subject", "object", "frequency", "frequency_lower", "frequency_upper", "placebo_frequency",
               "placebo_upper"]
    return pd.DataFrame.from_records(records, columns=columns)


def _summary(pair: tuple[str, str], group: list[SiderRow]) -> dict[str, object]:
    drug = [r for r in group if not r.placebo]
    placebo = [r for r in group if r.placebo]
    top = max(drug, key=_strength, default=None)
    return {
        "subject": pair[0], "object": pair[1], "frequency": _texts(drug),
        "frequency_lower": top.lower if top else None, "frequency_upper": top.upper if top else None,
        "placebo_frequency": _texts(placebo), "placebo_upper": max((r.upper for r in placebo), default=None),
    }


def _strength(row: SiderRow) -> tuple[float, float]:
    """How frequent a row says the side effect is: its lower bound, then its upper bound."""
    return (row.lower, row.upper)


def _texts(rows: list[SiderRow]) -> str | None:
    """Distinct frequency texts, highest upper bound first."""
    if not rows:
        return None
    best: dict[str, tuple[float, float]] = {}
    for r in rows:
        best[r.text] = max(best.get(r.text, (0.0, 0.0)), _strength(r))
    return "; ".join(sorted(best, key=lambda t: (-best[t][0], -best[t][1], t)))


def _stored_pairs(store: GraphStore, et: EdgeType) -> set[tuple[str, str]]:
    cypher = (f"MATCH (c:{q(et.subject)})-[:{q(et.predicate)}]->(s:{q(et.object)}) "
              "RETURN c.curie AS subject, s.curie AS object")
    frame = store.query(cypher)
    return set(zip(frame["subject"], frame["object"], strict=True))
