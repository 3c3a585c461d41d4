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

__all__ = ["EvalCase", "evaluate", "read_cases", "text_cases"]

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


def _report(ranks: np.ndarray, not_cited: np.ndarray, in_tune: np.ndarray, seconds: float) -> dict[str, Any]:
    covered = np.isfinite(ranks)
    return {"all": _metrics(ranks), "covered": _metrics(ranks[covered]), "not_cited": _metrics(ranks[not_cited]),
            "not_cited_covered": _metrics(ranks[not_cited & covered]),
            "tune_half": _metrics(ranks[in_tune]), "held_out_half": _metrics(ranks[~in_tune]),
            "cases_per_second": round(len(ranks) / seconds, 1) if seconds else None}


def evaluate(diagnoser: Diagnoser, cases: list[EvalCase], fusion: Any = None, text_ranker: Any = None,
             wordings: list[dict[str, str]] | None = None, rankers: set[str] | None = None) -> dict[str, Any]:
    """Metrics per ranker on all cases, on the not-cited subset and on the two halves of the groups.

    ``fusion`` (a :class:`~kg_engine.fusion.service.FusionDiagnoser`) adds the fusion model and each ablation
    its checkpoint holds (``fusion``, ``fusion_no_graph``, …); ``text_ranker`` the text-only MiniLM ranker.
    ``wordings`` (per case, HPO id -> the words of the text that named it) feed the fusion model's text side.
    The ``tune_half`` is the fusion model's selection half; ``held_out_half`` is its report half.
    ``rankers`` (names) limits the phenotype rankers run (``None``: all of them).
    """
    kb = diagnoser.kb
    golds = [[kb.disease_index[d] for d in c.patient.diagnosis if d in kb.disease_index] for c in cases]
    not_cited = np.array([bool(c.patient.pmids) and not set(c.patient.pmids) & kb.cited for c in cases], dtype=bool)
    groups = sorted({c.group for c in cases})
    tune = set(groups[0::2])
    in_tune = np.array([c.group in tune for c in cases], dtype=bool)
    result: dict[str, Any] = {"note": DISCLAIMER, "hpo_version": kb.version, "cases": len(cases),
                              "coverage": round(float(np.mean([bool(g) for g in golds])) if cases else 0.0, 4),
                              "uncovered_diagnoses": sorted({d for c, g in zip(cases, golds, strict=True)
                                                             if not g for d in c.patient.diagnosis}),
                              "dropped_terms": sum(len(c.patient.dropped) for c in cases),
                              "not_cited_cases": int(not_cited.sum()), "rankers": {}}
    for name in diagnoser.rankers:
        if rankers is not None and name not in rankers:
            continue
        start = time.perf_counter()
        ranks = np.array([_rank(diagnoser.scores(c.patient, name), g) if g else float("inf")
                          for c, g in zip(cases, golds, strict=True)])
        result["rankers"][name] = _report(ranks, not_cited, in_tune, time.perf_counter() - start)
    if text_ranker is not None and cases:
        start = time.perf_counter()
        scores = text_ranker.scores_many([c.patient for c in cases])
        ranks = np.array([_rank(s, g) if g else float("inf") for s, g in zip(scores, golds, strict=True)])
        result["rankers"][text_ranker.name] = _report(ranks, not_cited, in_tune, time.perf_counter() - start)
    if fusion is not None and cases:
        result["rankers"] |= _fusion_reports(fusion, cases, wordings, not_cited, in_tune)
    return result


def _fusion_reports(fusion: Any, cases: list[EvalCase], wordings: list[dict[str, str]] | None,
                    not_cited: np.ndarray, in_tune: np.ndarray) -> dict[str, Any]:
    from kg_engine.fusion.data import patient_query

    start = time.perf_counter()
    wordings = wordings or [{}] * len(cases)
    queries = [patient_query(fusion.diagnoser, c.patient, w) for c, w in zip(cases, wordings, strict=True)]
    inputs = fusion.inputs(queries, workers=2)
    shared = time.perf_counter() - start
    out = {}
    for variant in fusion.variants:
        start = time.perf_counter()
        ranks = fusion.gold_ranks(queries, variant, inputs)
        ranks[[not q.gold for q in queries]] = float("inf")
        name = "fusion" if variant == "fusion" else f"fusion_{variant}"
        out[name] = _report(ranks, not_cited, in_tune, shared + time.perf_counter() - start)
    return out


def text_cases(diagnoser: Diagnoser, cases: list[EvalCase], reader: Any,
               seed: int = 7) -> tuple[list[EvalCase], list[dict[str, str]]]:
    """Each case as an English description (HPO labels or synonyms, seeded) read back by the text matcher.

    Returns the text patients (same diagnosis, PMIDs and group; a text with no recognised finding keeps no
    terms and counts as a miss) and, per case, the words that named each found term.
    """
    from kg_engine.fusion.simulate import SimulatedPatient, read_synonyms, render
    from kg_engine.load.hpo import HpoRelease

    kb, rng = diagnoser.kb, np.random.default_rng(seed)
    synonyms = read_synonyms(HpoRelease.find().obo)
    out, wordings = [], []
    for case in cases:
        p = case.patient

        def word(term: str) -> str:
            options = synonyms.get(term, [])
            name = kb.term_names[kb.index[term]]
            return str(options[int(rng.integers(len(options)))]) if options and rng.random() < 0.5 else name.lower()

        sim = SimulatedPatient(-1, (), (), tuple(word(t) for t in p.observed), tuple(word(t) for t in p.excluded), True)
        text = render(sim, rng) if p.observed else "No findings were reported."
        observed, excluded = reader(text)
        patient = Patient(p.id, tuple(t for t in observed if t in kb.index),
                          tuple(t for t in excluded if t in kb.index), text, p.diagnosis, p.pmids)
        out.append(EvalCase(patient, case.group))
        wordings.append(dict(reader.wording))
    return out, wordings
