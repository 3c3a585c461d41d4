"""Simulated patients drawn from the HPO annotations, with English renderings, to train the fusion model.

A patient of disease ``d``:

- shows each annotated feature with its annotated frequency (0.5 when the annotation gives none);
- reports some features imprecisely: a feature becomes one of its ancestors (never the root nor one of the
  most general terms), as curators of case reports often record only the broader term;
- has noise: features drawn from the annotations of random other diseases (comorbidity, mis-annotation);
- has excluded features: features of ``d`` it was not drawn with, but only those ``d`` does not expect
  (:data:`~kg_engine.diagnosis.rankers.EXPECTED_FREQUENCY`), ``NOT`` annotations of ``d``, and features of
  other diseases.

Every term is an index into the knowledge base's phenotypic-abnormality terms, so a simulated patient never
holds a term outside HPO. Each finding is worded either with its HPO label (the HPO-input side) or with a
random HPO synonym (exact, layperson, plural) as a case description would word it; :func:`render` writes the
English case description.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from kg_engine.diagnosis.knowledge import PhenotypeKB
from kg_engine.diagnosis.rankers import EXPECTED_FREQUENCY, PhenotypeMatrices

__all__ = ["SimConfig", "SimulatedPatient", "Simulator", "render"]


@dataclass(frozen=True, slots=True)
class SimConfig:
    """How patients are drawn."""

    min_annotations: int = 3
    max_observed: int = 18
    imprecise: float = 0.25
    noise_max: int = 2
    # Case reports list as excluded the features of the patient's disease that the patient lacks: on the
    # selection half of the dev cases, 70 % of excluded terms are annotations of the patient's own disease, and
    # a patient lacking a feature annotated below 80 % has it listed as excluded about 40 % of the time. The
    # simulator does the same, but never for a feature the disease expects (80 % or more, or no frequency
    # stated): excluding those taught the model that "no hearing loss" points *to* Usher syndromes, where an
    # excluded finding must count against the diseases that expect it.
    excluded_own: float = 0.4
    excluded_other_max: int = 3
    text_share: float = 0.5
    # Share of patients whose disease has a predicted profile (no HPO annotations of its own, mostly named by
    # OMIM after the HPO release): recent case reports describe recently named diseases, a third of the
    # selection half's cases; uniform sampling would give them 8 %.
    predicted_share: float = 0.3
    default_frequency: float = 0.5
    min_ic: float = 1.0


@dataclass(frozen=True, slots=True)
class SimulatedPatient:
    """Term indices (``kb.terms``), the wording of each, and the disease index the patient has."""

    disease: int
    observed: tuple[int, ...]
    excluded: tuple[int, ...]
    observed_phrases: tuple[str, ...]
    excluded_phrases: tuple[str, ...]
    worded: bool


class Simulator:
    """Draws :class:`SimulatedPatient` records; the same seed gives the same patients.

    Args:
        kb: The phenotype knowledge.
        matrices: Its matrices (information content for imprecision).
        synonyms: ``term id -> synonyms`` (from ``hp.obo``) for the worded renderings.
    """

    def __init__(self, kb: PhenotypeKB, matrices: PhenotypeMatrices, synonyms: dict[str, list[str]],
                 config: SimConfig | None = None) -> None:
        self.kb, self.m, self.cfg = kb, matrices, config or SimConfig()
        self.synonyms = synonyms
        order = np.argsort(kb.ann_disease, kind="stable")
        self._ann_term, self._ann_freq = kb.ann_term[order], kb.ann_freq[order]
        self._ptr = np.searchsorted(kb.ann_disease[order], np.arange(len(kb.diseases) + 1))
        counts = np.diff(self._ptr)
        self.diseases = np.flatnonzero(counts >= self.cfg.min_annotations)
        self._not: dict[int, list[int]] = {}
        for d, t in zip(kb.not_disease.tolist(), kb.not_term.tolist(), strict=True):
            self._not.setdefault(d, []).append(t)

    def annotations(self, d: int) -> tuple[np.ndarray, np.ndarray]:
        """Terms and frequencies (NaN -> default) of disease ``d``."""
        terms, freq = self._annotated(d)
        return terms, np.where(np.isnan(freq), self.cfg.default_frequency, freq)

    def _annotated(self, d: int) -> tuple[np.ndarray, np.ndarray]:
        lo, hi = self._ptr[d], self._ptr[d + 1]
        return self._ann_term[lo:hi], self._ann_freq[lo:hi]

    def _lacked(self, d: int, shown: np.ndarray, rng: np.random.Generator) -> list[int]:
        """Features of ``d`` the patient lacks that a case report lists as excluded (never expected ones)."""
        terms, freq = self._annotated(d)
        may = ~shown & ~np.isnan(freq) & (freq < EXPECTED_FREQUENCY)
        may &= rng.random(len(terms)) < self.cfg.excluded_own
        return [int(t) for t in terms[may]]

    def _imprecise(self, t: int, rng: np.random.Generator) -> int:
        ancestors = [int(a) for a in self.kb.ancestors_of(t) if a != t and self.m.ic[a] >= self.cfg.min_ic]
        return int(rng.choice(ancestors)) if ancestors else t

    def _phrase(self, t: int, worded: bool, rng: np.random.Generator) -> str:
        term = self.kb.terms[t]
        options = self.synonyms.get(term, []) if worded else []
        if options and rng.random() < 0.7:
            return str(options[int(rng.integers(len(options)))])
        name = self.kb.term_names[t]
        return name[0].lower() + name[1:] if worded and not name[:2].isupper() else name

    def patient(self, d: int, rng: np.random.Generator) -> SimulatedPatient:
        """One patient of disease ``d``."""
        cfg = self.cfg
        terms, freq = self.annotations(d)
        shown = rng.random(len(terms)) < freq
        if not shown.any():
            shown[int(rng.choice(len(terms), p=freq / freq.sum()))] = True
        observed = [int(t) for t in terms[shown]]
        rng.shuffle(observed)
        observed = observed[: int(rng.integers(1, cfg.max_observed + 1))]
        observed = [self._imprecise(t, rng) if rng.random() < cfg.imprecise else t for t in observed]
        for _ in range(int(rng.integers(0, cfg.noise_max + 1))):
            other = int(rng.choice(self.diseases))
            observed.append(int(rng.choice(self.annotations(other)[0])))
        missing = self._lacked(d, shown, rng)
        negated = [t for t in self._not.get(d, []) if rng.random() < 0.5]
        others = []
        for _ in range(int(rng.integers(0, cfg.excluded_other_max + 1))):
            other = int(rng.choice(self.diseases))
            others.append(int(rng.choice(self.annotations(other)[0])))
        observed = list(dict.fromkeys(observed))
        expected = set(terms.tolist())
        excluded = [t for t in dict.fromkeys([*missing, *negated, *others])
                    if t not in observed and (t not in expected or t in missing)]
        rng.shuffle(excluded)
        worded = bool(rng.random() < cfg.text_share)
        return SimulatedPatient(
            int(d), tuple(observed), tuple(excluded),
            tuple(self._phrase(t, worded, rng) for t in observed),
            tuple(self._phrase(t, worded, rng) for t in excluded), worded)

    def sample(self, n: int, seed: int) -> list[SimulatedPatient]:
        """``n`` patients, a ``predicted_share`` of them with predicted-profile diseases, the rest annotated.

        Each disease is drawn uniformly within its pool (among those with enough annotations).
        """
        rng = np.random.default_rng(seed)
        predicted = np.array([bool(self.kb.inferred[d]) for d in self.diseases])
        pools = [self.diseases[~predicted], self.diseases[predicted]]
        share = self.cfg.predicted_share if len(pools[1]) else 0.0
        picks = [pools[int(rng.random() < share)] for _ in range(n)]
        return [self.patient(int(rng.choice(pool)), rng) for pool in picks]


_OPENINGS = ("The patient presented with {}.", "Clinical examination showed {}.", "She presented with {}.",
             "He was referred because of {}.", "Findings included {}.", "A child with {}.")
_EXCLUSIONS = ("The following features were excluded: {}.", "There was no {}.", "{} were absent.",
               "No {} was observed.")


def _join(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def render(patient: SimulatedPatient, rng: np.random.Generator) -> str:
    """An English case description of the patient's findings as worded."""
    parts = list(patient.observed_phrases)
    cut = max(1, len(parts) // 2) if len(parts) > 4 else len(parts)
    sentences = [_OPENINGS[int(rng.integers(len(_OPENINGS)))].format(_join(parts[:cut]))]
    if parts[cut:]:
        sentences.append(f"In addition, {_join(parts[cut:])} were noted.")
    if patient.excluded_phrases:
        template = _EXCLUSIONS[int(rng.integers(len(_EXCLUSIONS)))]
        excluded = _join(list(patient.excluded_phrases))
        sentences.append(template.format(excluded[0].upper() + excluded[1:] if template[0] == "{" else excluded))
    return " ".join(sentences)


def read_synonyms(obo_path: object) -> dict[str, list[str]]:
    """``term id -> exact / layperson / plural synonyms`` of an ``hp.obo`` (abbreviations left out)."""
    from ontologies.hpo import read_obo

    ontology = read_obo(obo_path)  # type: ignore[arg-type]
    return {t.id: [text for text, scope, kind in t.synonyms if scope == "EXACT" and kind != "abbreviation"]
            for t in ontology.live()}
