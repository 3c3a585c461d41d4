"""Phenotype rankers over every annotated disease at once: Resnik best-match average and a likelihood ratio.

Both work on sparse disease x term matrices built once from :class:`PhenotypeKB`:

- ``direct[d, a]``: the frequency of annotation ``a`` of disease ``d`` (``default_frequency`` when the
  annotation gives none);
- ``up[d, t]``: the highest frequency among ``d``'s annotations at ``t`` or below it (how likely a patient
  with ``d`` shows ``t`` or something more specific), and its binary form ``closure``;
- ``expected[d, t]``: 1 when ``d`` *expects* ``t`` or something below it: an annotation with a frequency of at
  least ``EXPECTED_FREQUENCY`` (HPO's "very frequent" and "obligate") or with none stated (OMIM lists the
  disease's defining features without one);
- ``ic[t]``: information content, ``-log`` of the share of diseases whose closure holds ``t``.

:class:`ResnikRanker` (Phenomizer) scores a disease by the mean, over the patient's terms, of the best
``IC(MICA)`` with the disease's annotations, averaged with the same in the other direction.

:class:`LikelihoodRanker` (LIRICAL-style) sums log likelihood ratios. An observed term ``q`` gets, for each
disease, the best of ``up[d, a] / background[a]`` over ``q`` and its ancestors ``a`` (an ancestor match —
the disease has something in ``q``'s branch — is discounted by ``imprecision``), never below
``floor`` (an unexplained finding); ``NOT`` annotations of ``q`` or an ancestor give ``not_ratio``. An
excluded term ``e`` gives ``(1 - up[d, e]) / (1 - background[e])`` (capped at ``exclusion_cap``), so a disease
that expects the excluded finding loses.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

from kg_engine.diagnosis.knowledge import PHENOTYPIC_ABNORMALITY, PhenotypeKB

__all__ = ["EXPECTED_FREQUENCY", "LikelihoodRanker", "LrParams", "PhenotypeMatrices", "ResnikRanker"]

# A disease expects a finding it has in at least this share of its patients. Below it, patients often lack the
# finding, and case reports list it as excluded because it belongs to the disease.
EXPECTED_FREQUENCY = 0.8


@dataclass(frozen=True, slots=True)
class LrParams:
    """The likelihood-ratio ranker's constants (chosen on half the dev genes; see ``kg eval diagnosis``)."""

    default_frequency: float = 0.5
    min_frequency: float = 0.05
    imprecision: float = 0.05
    floor: float = 0.5
    max_ratio: float = 1e6
    not_ratio: float = 0.01
    exclusion_cap: float = 0.9
    exclusion_weight: float = 0.25
    specific_only: bool = True


@dataclass
class PhenotypeMatrices:
    """The sparse matrices both rankers read."""

    kb: PhenotypeKB
    default_frequency: float = 0.5
    min_frequency: float = 0.05
    direct: sp.csc_matrix = field(init=False)
    up: sp.csc_matrix = field(init=False)
    closure: sp.csc_matrix = field(init=False)
    negated: sp.csc_matrix = field(init=False)
    ancestors: sp.csc_matrix = field(init=False)
    ic: np.ndarray = field(init=False)
    background: np.ndarray = field(init=False)
    root: int = field(init=False)
    up_max: np.ndarray = field(init=False)
    expected: sp.csc_matrix = field(init=False)

    def __post_init__(self) -> None:
        kb = self.kb
        n_d, n_t = len(kb.diseases), len(kb.terms)
        freq = np.where(np.isnan(kb.ann_freq), self.default_frequency, kb.ann_freq)
        freq = np.maximum(freq, self.min_frequency).astype(np.float64)
        self.direct = sp.csc_matrix((freq, (kb.ann_disease, kb.ann_term)), shape=(n_d, n_t))
        anc = kb.ancestors
        self.ancestors = anc.tocsc()
        # up[d, t] = max over annotations a of d with t in ancestors(a) of freq(a)
        lens = np.diff(kb.anc_indptr)[kb.ann_term]
        rows = np.repeat(kb.ann_disease, lens)
        cols = np.concatenate([kb.ancestors_of(a) for a in kb.ann_term]) if len(lens) else np.zeros(0, np.int32)
        vals = np.repeat(freq, lens)
        linear = rows.astype(np.int64) * n_t + cols
        order = np.lexsort((-vals, linear))
        linear, vals = linear[order], vals[order]
        first = np.r_[True, linear[1:] != linear[:-1]]
        self.up = sp.csc_matrix((vals[first], (linear[first] // n_t, linear[first] % n_t)), shape=(n_d, n_t))
        self.closure = sp.csc_matrix((np.ones(int(first.sum())), (linear[first] // n_t, linear[first] % n_t)),
                                     shape=(n_d, n_t))
        expects = np.repeat(np.isnan(kb.ann_freq) | (kb.ann_freq >= EXPECTED_FREQUENCY), lens)[order]
        marked = np.unique(linear[expects])
        self.expected = sp.csc_matrix((np.ones(len(marked)), (marked // n_t, marked % n_t)), shape=(n_d, n_t))
        counts = np.asarray(self.closure.sum(axis=0)).ravel()
        self.ic = -np.log(np.maximum(counts, 1) / n_d)
        self.background = np.maximum(np.asarray(self.up.sum(axis=0)).ravel() / n_d, 0.5 / n_d)
        negated = sp.csc_matrix((np.ones(len(kb.not_term)), (kb.not_disease, kb.not_term)), shape=(n_d, n_t))
        # a NOT annotation of t rules out t and everything below it
        self.negated = (negated @ anc.T.tocsc()).tocsc() if negated.nnz else negated
        self.negated.data[:] = 1.0
        self.root = kb.index[PHENOTYPIC_ABNORMALITY]
        self.up_max = np.zeros(n_t)  # per term, the largest value of its ``up`` column (0 when empty)
        filled = np.diff(self.up.indptr) > 0
        if filled.any():
            self.up_max[filled] = np.maximum.reduceat(self.up.data, self.up.indptr[:-1][filled])

    def columns_max(self, matrix: sp.csc_matrix, cols: np.ndarray, weights: np.ndarray) -> np.ndarray:
        """Per disease, max over ``cols`` of ``matrix[d, c] * weights[c]`` (dense vector)."""
        out = np.zeros(matrix.shape[0])
        for col, weight in zip(cols, weights, strict=True):
            lo, hi = matrix.indptr[col], matrix.indptr[col + 1]
            if hi > lo:
                _max_into(out, matrix.indices[lo:hi], matrix.data[lo:hi] * weight)
        return out

    def column(self, matrix: sp.csc_matrix, col: int) -> np.ndarray:
        """One column as a dense vector."""
        out = np.zeros(matrix.shape[0])
        lo, hi = matrix.indptr[col], matrix.indptr[col + 1]
        out[matrix.indices[lo:hi]] = matrix.data[lo:hi]
        return out


def _max_into(out: np.ndarray, idx: np.ndarray, values: np.ndarray) -> None:
    """``out[idx] = max(out[idx], values)`` (indices within one CSC column are unique)."""
    out[idx] = np.maximum(out[idx], values)


def most_specific(kb: PhenotypeKB, terms: list[int]) -> list[int]:
    """Drop terms that are ancestors of another given term (the specific term says more)."""
    covered: set[int] = set()
    for t in terms:
        covered.update(int(a) for a in kb.ancestors_of(t) if a != t)
    return [t for t in terms if t not in covered]


class ResnikRanker:
    """Phenomizer's Resnik best-match average (symmetric)."""

    name = "resnik_bma"

    def __init__(self, matrices: PhenotypeMatrices) -> None:
        self.m = matrices
        counts = np.asarray((matrices.direct > 0).sum(axis=1)).ravel()
        self.binary = (matrices.direct > 0).astype(np.float64).tocsr()
        self.n_annotations = np.maximum(counts, 1)

    def mica(self, term: int) -> np.ndarray:
        """IC of the most informative common ancestor of ``term`` with every term (dense, per term)."""
        anc = self.m.kb.ancestors_of(term)
        return self.m.columns_max(self.m.ancestors, anc, self.m.ic[anc])

    def score(self, observed: list[int], excluded: list[int] | None = None) -> np.ndarray:
        """Per disease, the symmetric best-match average (excluded terms are not used).

        The patient's ancestors are gathered once: their closure columns become one dense block (``[diseases,
        union]``) from which each term takes the max over its own ancestors, and the best MICA of every term
        with any patient term is one column max over the union (max is associative, so the figures are those of
        the term-by-term loop).
        """
        if not observed:
            return np.zeros(len(self.m.kb.diseases))
        kb, m = self.m.kb, self.m
        ancestors = [kb.ancestors_of(q) for q in observed]
        union = np.unique(np.concatenate(ancestors))
        block = m.closure[:, union].toarray()
        block *= m.ic[union][None, :]
        to_disease = np.zeros(len(kb.diseases))
        for anc in ancestors:
            to_disease += block[:, np.searchsorted(union, anc)].max(axis=1)
        best_for_term = m.columns_max(m.ancestors, union, m.ic[union])
        from_disease = (self.binary @ best_for_term) / self.n_annotations
        return 0.5 * (to_disease / len(observed) + from_disease)


class LikelihoodRanker:
    """LIRICAL-style phenotype likelihood ratios (log scale), with excluded and ``NOT`` terms."""

    name = "likelihood_ratio"

    def __init__(self, matrices: PhenotypeMatrices, params: LrParams | None = None) -> None:
        self.m = matrices
        self.p = params or LrParams()

    def term_ratios(self, q: int) -> np.ndarray:
        """Per disease, the log likelihood ratio of observing ``q``."""
        anc = self.m.kb.ancestors_of(q)
        weights = np.where(anc == q, 1.0, self.p.imprecision) / self.m.background[anc]
        weights[anc == self.m.root] = 0.0  # every disease has "Phenotypic abnormality": no evidence
        useful = self.m.up_max[anc] * weights > self.p.floor  # the others never rise above the floor
        ratio = np.clip(self.m.columns_max(self.m.up, anc[useful], weights[useful]), self.p.floor, self.p.max_ratio)
        ratio[self.m.columns_max(self.m.negated, np.array([q]), np.ones(1)) > 0] = self.p.not_ratio
        return np.log(ratio)

    def excluded_ratios(self, e: int) -> np.ndarray:
        """Per disease, the log likelihood ratio of ``e`` being absent."""
        present = np.minimum(self.m.column(self.m.up, e), self.p.exclusion_cap)
        present[self.m.column(self.m.negated, e) > 0] = 0.0
        background = min(self.m.background[e], self.p.exclusion_cap)
        return self.p.exclusion_weight * np.log((1.0 - present) / (1.0 - background))

    def contributions(self, observed: list[int], excluded: list[int]) -> tuple[np.ndarray, np.ndarray]:
        """(observed x diseases, excluded x diseases) log ratios."""
        if self.p.specific_only:
            observed = most_specific(self.m.kb, observed)
        n_d = len(self.m.kb.diseases)
        obs = np.vstack([self.term_ratios(q) for q in observed]) if observed else np.zeros((0, n_d))
        exc = self.excluded_block(excluded) if excluded else np.zeros((0, n_d))
        return obs, exc

    def excluded_block(self, excluded: list[int]) -> np.ndarray:
        """``[len(excluded), diseases]`` :meth:`excluded_ratios` of several terms in one sparse slice."""
        cols = np.asarray(excluded, dtype=np.int64)
        background = np.minimum(self.m.background[cols], self.p.exclusion_cap)
        # a disease without the term (or with a NOT annotation of it) gets the column's constant; only the
        # stored entries need their own logarithm
        base = self.p.exclusion_weight * np.log((1.0 - np.zeros(len(cols))) / (1.0 - background))
        out = np.repeat(base[:, None], self.m.up.shape[0], axis=1)
        sub = self.m.up[:, cols]
        col = np.repeat(np.arange(len(cols)), np.diff(sub.indptr))
        present = np.minimum(sub.data, self.p.exclusion_cap)
        out[col, sub.indices] = self.p.exclusion_weight * np.log((1.0 - present) / (1.0 - background[col]))
        neg = self.m.negated[:, cols]
        col = np.repeat(np.arange(len(cols)), np.diff(neg.indptr))
        out[col, neg.indices] = base[col]
        return out

    def score(self, observed: list[int], excluded: list[int] | None = None) -> np.ndarray:
        """Per disease, the summed log likelihood ratio."""
        obs, exc = self.contributions(observed, excluded or [])
        return obs.sum(axis=0) + exc.sum(axis=0)
