"""Training and selection data for the diagnosis fusion model: simulated patients and real dev cases.

Candidates of many patients are computed in worker processes (the LR ranker over every disease is the costly
step); the phrases' token states are computed once in the parent. Real dev cases are split by gene folder
exactly as ``kg eval diagnosis`` splits them: sorted folders, even positions the *selection* half (early
stopping, choices), odd positions the *report* half (never read during training).
"""

from __future__ import annotations

import multiprocessing as mp
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from kg_engine.diagnosis.patient import Patient
from kg_engine.diagnosis.service import Diagnoser
from kg_engine.fusion.features import MAX_FINDINGS, CaseInput, scale_features
from kg_engine.fusion.simulate import SimulatedPatient
from kg_engine.fusion.text import TEXT_DIM, PhraseCache

__all__ = ["Query", "build_inputs", "dev_halves", "patient_query"]

_WORKER: Diagnoser | None = None


@dataclass(frozen=True, slots=True)
class Query:
    """Term indices of one patient, the wording of each finding, and the gold disease indices (if known)."""

    observed: tuple[int, ...]
    excluded: tuple[int, ...]
    observed_phrases: tuple[str, ...]
    excluded_phrases: tuple[str, ...]
    gold: tuple[int, ...] = ()


def patient_query(diagnoser: Diagnoser, patient: Patient, wording: dict[str, str] | None = None) -> Query:
    """A :class:`Query` of a patient; findings are worded as in ``wording`` (text spans), else by HPO label."""
    kb, wording = diagnoser.kb, wording or {}
    obs = [kb.index[t] for t in patient.observed]
    exc = [kb.index[t] for t in patient.excluded]
    gold = tuple(kb.disease_index[d] for d in patient.diagnosis if d in kb.disease_index)
    return Query(tuple(obs), tuple(exc), tuple(wording.get(t, kb.term_names[kb.index[t]]) for t in patient.observed),
                 tuple(wording.get(t, kb.term_names[kb.index[t]]) for t in patient.excluded), gold)


def simulated_query(p: SimulatedPatient) -> Query:
    """The :class:`Query` of a simulated patient."""
    return Query(p.observed, p.excluded, p.observed_phrases, p.excluded_phrases, (p.disease,))


def _init(diagnoser: Diagnoser) -> None:
    global _WORKER
    _WORKER = diagnoser


def _candidates(job: tuple[tuple[int, ...], tuple[int, ...], int, int, int]) -> tuple[np.ndarray, np.ndarray]:
    observed, excluded, top, resnik_top, series_top = job
    assert _WORKER is not None
    kb = _WORKER.kb
    holder = _Terms([kb.terms[t] for t in observed], [kb.terms[t] for t in excluded])
    cands = _WORKER.candidates(holder, top, resnik_top, series_top)  # type: ignore[arg-type]
    return np.array([c.disease for c in cands], dtype=np.int64), np.stack([c.features for c in cands])


@dataclass(frozen=True, slots=True)
class _Terms:
    observed: list[str]
    excluded: list[str]


def candidate_lists(diagnoser: Diagnoser, queries: Sequence[Query], top: int, workers: int = 1,
                    resnik_top: int = 0, series_top: int = 0) -> list[tuple[np.ndarray, np.ndarray]]:
    """Each query's candidates, (indices, raw features), as :meth:`Diagnoser.candidates` gives them.

    Computed in ``workers`` forked processes.
    """
    jobs = [(q.observed, q.excluded, top, resnik_top, series_top) for q in queries]
    if workers <= 1 or len(jobs) < 64 or "fork" not in mp.get_all_start_methods():
        _init(diagnoser)
        return [_candidates(j) for j in jobs]
    with mp.get_context("fork").Pool(workers, initializer=_init, initargs=(diagnoser,)) as pool:
        return pool.map(_candidates, jobs, chunksize=64)


def assemble(query: Query, cands: tuple[np.ndarray, np.ndarray], phrases: PhraseCache) -> CaseInput:
    """A :class:`CaseInput` from a query, its candidates and the phrase token states."""
    idx, raw = cands
    golds = set(query.gold)
    pos = next((k for k, d in enumerate(idx.tolist()) if d in golds), -1)
    obs = list(zip(query.observed, query.observed_phrases, strict=True))[:MAX_FINDINGS]
    exc = list(zip(query.excluded, query.excluded_phrases, strict=True))[: max(MAX_FINDINGS - len(obs), 8)]
    findings = np.array([t for t, _ in obs] + [t for t, _ in exc], dtype=np.int64)
    kinds = np.array([0] * len(obs) + [1] * len(exc), dtype=np.int64)
    states = [phrases.tokens(p) for _, p in obs] + [phrases.tokens(p) for _, p in exc]
    if states:
        tokens = np.concatenate(states)
        token_kinds = np.concatenate([np.full(len(s), k, dtype=np.int64) for s, k in zip(states, kinds, strict=True)])
    else:
        tokens, token_kinds = np.zeros((0, TEXT_DIM), np.float16), np.zeros(0, np.int64)
    feats = scale_features(raw, len(query.observed), len(query.excluded))
    return CaseInput(idx, feats, raw[:, 0].astype(np.float32), findings, kinds, tokens, token_kinds, pos)


def build_inputs(diagnoser: Diagnoser, queries: Sequence[Query], phrases: PhraseCache, top: int,
                 workers: int = 1, resnik_top: int = 0, series_top: int = 0) -> list[CaseInput]:
    """Fusion inputs of many queries (phrases encoded first, candidates in parallel)."""
    phrases.encode([p for q in queries for p in (*q.observed_phrases, *q.excluded_phrases)])
    cands = candidate_lists(diagnoser, queries, top, workers, resnik_top, series_top)
    return [assemble(q, c, phrases) for q, c in zip(queries, cands, strict=True)]


def dev_halves(groups: Sequence[str]) -> tuple[set[str], set[str]]:
    """(selection, report) halves of the gene folders: sorted, even positions select, odd report."""
    ordered = sorted(set(groups))
    return set(ordered[0::2]), set(ordered[1::2])


def read_dev(diagnoser: Diagnoser, folder: Path) -> list[tuple[Patient, str]]:
    """Every phenopacket under ``folder`` as (patient, gene folder); unusable files are skipped."""
    from kg_engine.diagnosis.evaluate import read_cases

    return [(c.patient, c.group) for c in read_cases(diagnoser, [folder], lambda *_: None)]
