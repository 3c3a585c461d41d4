"""``kg eval diagnosis``: top-1/3/10 and MRR of every ranker on the same cases, with coverage.

Cases come from folders of phenopackets (``*.json``, searched recursively; a case's group is its folder, the
gene in phenopacket-store) or JSONL files (the batch format plus ``"diagnosis"``). A case whose diagnosis
the knowledge lacks counts as a miss and is reported under coverage. Cases whose source PMID
(``metaData.externalReferences``) no annotation of the release cites are also scored on their own, as are
the two halves of the groups (sorted; even positions ``tune``, odd ``held_out``) on which the LR ranker's
constants were chosen and checked.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from kg_engine.diagnosis.patient import Patient, PatientError, TextReader, from_phenopacket, from_record
from kg_engine.diagnosis.service import DISCLAIMER, Diagnoser

__all__ = ["EvalCase", "evaluate", "read_cases"]

Reject = Callable[[str, int | None, str], None]


@dataclass(frozen=True, slots=True)
class EvalCase:
    """A patient and the group (folder) it came from."""

    patient: Patient
    group: str


def read_cases(diagnoser: Diagnoser, paths: list[Path], reject: Reject,
               text_reader: TextReader | None = None) -> Iterator[EvalCase]:
    """Cases from phenopacket folders / files and JSONL files; unusable ones go to ``reject(file, line, why)``."""
    kb = diagnoser.kb
    for path in paths:
        files = sorted(path.rglob("*.json")) if path.is_dir() else [path]
        for file in files:
            if file.suffix == ".jsonl":
                yield from _jsonl_cases(diagnoser, file, reject, text_reader)
                continue
            try:
                packet = json.loads(file.read_text(encoding="utf-8"))
                yield EvalCase(from_phenopacket(kb, packet, strict=False), file.parent.name)
            except (json.JSONDecodeError, PatientError) as exc:
                reject(str(file), None, str(exc))


def _jsonl_cases(diagnoser: Diagnoser, file: Path, reject: Reject,
                 text_reader: TextReader | None) -> Iterator[EvalCase]:
    with file.open(encoding="utf-8") as handle:
        for line_no, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
                patient = from_record(diagnoser.kb, record, text_reader, strict=False)
            except json.JSONDecodeError as exc:
                reject(str(file), line_no, f"invalid JSON: {exc.msg}")
                continue
            except PatientError as exc:
                reject(str(file), line_no, str(exc))
                continue
            yield EvalCase(patient, str(record.get("group") or file.stem))


def _rank(scores: np.ndarray, gold: list[int]) -> float:
    """1-based rank of the best-placed gold disease (ties share the middle rank); inf when absent."""
    if not gold:
        return float("inf")
    best = max(gold, key=lambda g: scores[g])
    return 1 + float((scores > scores[best]).sum()) + float((scores == scores[best]).sum() - 1) // 2


def _metrics(ranks: np.ndarray) -> dict[str, float]:
    if not len(ranks):
        return {"cases": 0}
    return {"cases": len(ranks), "top1": round(float((ranks <= 1).mean()), 4),
            "top3": round(float((ranks <= 3).mean()), 4), "top10": round(float((ranks <= 10).mean()), 4),
            "mrr": round(float((1 / ranks).mean()), 4)}


def evaluate(diagnoser: Diagnoser, cases: list[EvalCase]) -> dict[str, Any]:
    """Metrics per ranker on all cases, on the not-cited subset and on the two halves of the groups."""
    kb = diagnoser.kb
    golds = [[kb.disease_index[d] for d in c.patient.diagnosis if d in kb.disease_index] for c in cases]
    not_cited = np.array([bool(c.patient.pmids) and not set(c.patient.pmids) & kb.cited for c in cases])
    groups = sorted({c.group for c in cases})
    tune = set(groups[0::2])
    in_tune = np.array([c.group in tune for c in cases])
    result: dict[str, Any] = {"note": DISCLAIMER, "hpo_version": kb.version, "cases": len(cases),
                              "coverage": round(float(np.mean([bool(g) for g in golds])) if cases else 0.0, 4),
                              "uncovered_diagnoses": sorted({d for c, g in zip(cases, golds, strict=True)
                                                             if not g for d in c.patient.diagnosis}),
                              "dropped_terms": sum(len(c.patient.dropped) for c in cases),
                              "not_cited_cases": int(not_cited.sum()), "rankers": {}}
    for name in diagnoser.rankers:
        start = time.perf_counter()
        ranks = np.array([_rank(diagnoser.scores(c.patient, name), g) if g else float("inf")
                          for c, g in zip(cases, golds, strict=True)])
        seconds = time.perf_counter() - start
        covered = np.isfinite(ranks)
        result["rankers"][name] = {
            "all": _metrics(ranks), "covered": _metrics(ranks[covered]), "not_cited": _metrics(ranks[not_cited]),
            "not_cited_covered": _metrics(ranks[not_cited & covered]),
            "tune_half": _metrics(ranks[in_tune]), "held_out_half": _metrics(ranks[~in_tune]),
            "cases_per_second": round(len(cases) / seconds, 1) if seconds else None,
        }
    return result
