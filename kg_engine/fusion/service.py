"""Serving the fusion model: re-rank a patient's phenotype candidates, with evidence; the text-only ranker.

:class:`FusionDiagnoser` wraps a :class:`~kg_engine.diagnosis.service.Diagnoser` and a loaded checkpoint.
For each patient it takes the likelihood-ratio ranker's top ``K`` diseases (the checkpoint's ``top``; Resnik's
top ``resnik_top`` and predicted series members besides) with their features, scores them with the fusion
model (batched), and returns them best first with the same evidence as the phenotype ranker; diseases below
the candidates keep the LR order.

:class:`TextOnlyRanker` is the text-only baseline: the full-MiniLM vector of the patient's text against the
MiniLM vectors of every disease name (no HPO annotations, no graph).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from kg_engine.diagnosis.patient import Patient
from kg_engine.diagnosis.rankers import most_specific
from kg_engine.diagnosis.service import Diagnoser
from kg_engine.fusion.checkpoint import FusionBundle, find_checkpoint, load_bundle
from kg_engine.fusion.data import Query, build_inputs, patient_query
from kg_engine.fusion.features import CaseInput
from kg_engine.fusion.text import PhraseCache, resolve_device

__all__ = ["FusionDiagnoser", "TextOnlyRanker", "describe", "text_wording"]


def describe(diagnoser: Diagnoser, patient: Patient) -> str:
    """The patient's text, or an English list of its observed findings' labels."""
    if patient.text:
        return patient.text
    kb = diagnoser.kb
    return "Findings: " + ", ".join(kb.term_names[kb.index[t]] for t in patient.observed) + "."


def text_wording(text: str, spans: Sequence[tuple[int, int, str, str]]) -> dict[str, str]:
    """HPO id -> the words that named it in ``text`` (its first mention)."""
    out: dict[str, str] = {}
    for start, end, term, _ in spans:
        out.setdefault(term, text[start:end])
    return out


@dataclass
class FusionDiagnoser:
    """A phenotype diagnoser whose top candidates a fusion checkpoint re-ranks."""

    diagnoser: Diagnoser
    bundle: FusionBundle
    device: str = "cpu"
    phrases: PhraseCache = field(default_factory=PhraseCache)

    @classmethod
    def open(cls, diagnoser: Diagnoser, home: Path | None, device: str = "auto",
             path: Path | None = None) -> FusionDiagnoser | None:
        """The newest checkpoint of ``home`` (else the shipped one), checked against the graph; None if none."""
        from kg_engine.fusion.graph import phenotype_graph_fingerprint

        path = path or find_checkpoint(home)
        if path is None:
            return None
        device = resolve_device(device)
        bundle = load_bundle(path, phenotype_graph_fingerprint(diagnoser.kb), map_location=device)
        return cls(diagnoser, bundle, device, PhraseCache(device))

    @property
    def variants(self) -> list[str]:
        """The model variants the checkpoint holds (``fusion`` and its ablations)."""
        return list(self.bundle.models)

    def inputs(self, queries: Sequence[Query], workers: int = 1) -> list[CaseInput]:
        """The model inputs of the queries (their LR candidates and features); reusable across variants."""
        bundle = self.bundle
        return build_inputs(self.diagnoser, queries, self.phrases, bundle.top, workers, bundle.resnik_top,
                            bundle.series_top)

    def rank(self, queries: Sequence[Query], variant: str | None = None, inputs: Sequence[CaseInput] | None = None,
             workers: int = 1) -> list[tuple[np.ndarray, np.ndarray]]:
        """Per query, (disease indices, scores) of its re-ranked candidates, best first.

        ``variant`` None is the checkpoint's default variant (:attr:`FusionBundle.default_variant`).
        """
        from kg_engine.fusion.train import score_inputs

        variant = variant or self.bundle.default_variant
        inputs = inputs if inputs is not None else self.inputs(queries, workers)
        scores = score_inputs(self.bundle.models[variant], inputs, self.device)
        out = []
        for case, s in zip(inputs, scores, strict=True):
            order = np.lexsort((np.arange(len(s)), -s))
            out.append((case.candidates[order], s[order]))
        return out

    def gold_ranks(self, queries: Sequence[Query], variant: str = "fusion",
                   inputs: Sequence[CaseInput] | None = None) -> np.ndarray:
        """1-based rank of each query's best-placed gold disease (LR rank below the candidates; inf if none)."""
        ranks = []
        for q, (idx, _) in zip(queries, self.rank(queries, variant, inputs), strict=True):
            hits = [k for k, d in enumerate(idx.tolist()) if d in set(q.gold)]
            ranks.append(float(hits[0] + 1) if hits else np.inf)
        missing = [i for i, r in enumerate(ranks) if np.isinf(r) and queries[i].gold]
        for i in missing:  # outside the re-ranked candidates: the LR ranker's own rank
            q = queries[i]
            scores = self.diagnoser.lr.score(list(q.observed), list(q.excluded))
            ranks[i] = 1 + float(min((scores > scores[g]).sum() for g in q.gold))
        return np.array(ranks)

    def diagnose_many(self, patients: Sequence[Patient], top: int = 10,
                      wordings: Sequence[dict[str, str]] | None = None, evidence: bool = True,
                      variant: str | None = None, workers: int = 1) -> list[list[dict[str, Any]]]:
        """Ranked diagnoses of many patients (one batched model call; candidates in ``workers`` processes)."""
        wordings = wordings or [{}] * len(patients)
        queries = [patient_query(self.diagnoser, p, w) for p, w in zip(patients, wordings, strict=True)]
        return [self._entries(p, idx, s, top, evidence)
                for p, (idx, s) in zip(patients, self.rank(queries, variant, workers=workers), strict=True)]

    def diagnose(self, patient: Patient, top: int = 10, wording: dict[str, str] | None = None,
                 evidence: bool = True) -> list[dict[str, Any]]:
        """Ranked diagnoses of one patient, best first, with evidence (as ``Diagnoser.diagnose``)."""
        return self.diagnose_many([patient], top, [wording or {}], evidence)[0]

    def _entries(self, patient: Patient, idx: np.ndarray, scores: np.ndarray, top: int,
                 evidence: bool) -> list[dict[str, Any]]:
        d, kb = self.diagnoser, self.diagnoser.kb
        observed, excluded = d.indices(patient)
        if top > len(idx):  # below the candidates: the LR order, scored under the last candidate
            lr = d.lr.score(observed, excluded)
            rest = [int(i) for i in np.argsort(-lr, kind="stable") if i not in set(idx.tolist())][: top - len(idx)]
            floor = float(scores[-1]) if len(scores) else 0.0
            idx = np.concatenate([idx, np.array(rest, dtype=np.int64)])
            scores = np.concatenate([scores, floor - 1.0 - np.arange(len(rest))])
        obs = None
        if evidence:
            obs, _ = d.lr.contributions(observed, excluded)
            specific = most_specific(kb, observed) if d.params.specific_only else observed
        out = []
        for k, (dis, score) in enumerate(zip(idx[:top].tolist(), scores[:top].tolist(), strict=True)):
            entry: dict[str, Any] = {"curie": kb.diseases[dis], "ids": kb.disease_ids[dis],
                                     "name": kb.disease_names[dis], "score": round(float(score), 4), "rank": k + 1}
            if obs is not None:
                entry["evidence"] = d.evidence(dis, specific, excluded, obs)
            out.append(entry)
        return out


class TextOnlyRanker:
    """Patient text vs disease names, both as full-MiniLM sentence vectors (cosine; cached under ``cache_dir``)."""

    name = "text_minilm"

    def __init__(self, diagnoser: Diagnoser, phrases: PhraseCache, cache_dir: Path | None = None) -> None:
        self.diagnoser = diagnoser
        self.phrases, self.cache_dir = phrases, cache_dir
        self.names = phrases.sentence_vectors(diagnoser.kb.disease_names, cache_dir, max_length=32, batch_size=256)

    def scores_many(self, patients: Sequence[Patient]) -> np.ndarray:
        """``[len(patients), num_diseases]`` cosine similarities."""
        texts = [describe(self.diagnoser, p) for p in patients]
        return self.phrases.sentence_vectors(texts, self.cache_dir) @ self.names.T
