"""Predicted phenotype profiles for OMIM diseases that MONDO knows and the HPO annotations do not (yet).

OMIM names a new disease years before the HPO project annotates it; a third of the published dev cases have
such a diagnosis. Without a profile a ranker cannot place them at all. Most of them extend a numbered series
("retinitis pigmentosa 98", "Meier-Gorlin syndrome 9") or name their hallmark findings ("neurodevelopmental
disorder with seizures and joint laxity"), so a profile is predicted from:

- **series siblings**: the annotated diseases whose name has the same stem (the name without its trailing
  number, type letter, "with …" clause or "susceptibility to"); each term weighs the mean of its frequency
  over the siblings (0 where a sibling lacks it), and the ``max_terms`` heaviest terms are kept;
- **the name**: HPO terms the text matcher finds in the disease's name, at ``name_frequency``.

A disease for which neither gives a term is left out. These profiles are predictions: the knowledge base
marks each such disease with its basis (:attr:`PhenotypeKB.inferred`), the diagnosis evidence says so, and
``kg load hpo`` writes none of them into the graph (they never become ``has_phenotype`` edges).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np

__all__ = ["InferredProfile", "infer_profiles", "name_stem"]

_SUSCEPTIBILITY = re.compile(r",?\s*(susceptibility to|somatic|digenic)\b.*$")
_CLAUSE = re.compile(r",?\s+(with|without|due to)\s+.*$")
_NUMBER = re.compile(r"[,;]?\s*(type\s+)?[0-9]+[a-z]?$")
_NAMED_TYPE = re.compile(r",\s*[a-z'-]+\s+type$")
_TRAILING = re.compile(r"[,;\s]+$")


def name_stem(name: str) -> str:
    """A disease name without its series number, type, qualifying clause or susceptibility note (lower case).

    >>> name_stem("Cardiomyopathy, familial hypertrophic, 31")
    'cardiomyopathy, familial hypertrophic'
    >>> name_stem("neuronopathy, distal hereditary motor, autosomal recessive 11, with spasticity")
    'neuronopathy, distal hereditary motor, autosomal recessive'
    """
    stem = _SUSCEPTIBILITY.sub("", name.lower().strip())
    stem = _TRAILING.sub("", _CLAUSE.sub("", stem))
    stem = _TRAILING.sub("", _NUMBER.sub("", stem))
    return _TRAILING.sub("", _NAMED_TYPE.sub("", stem))


@dataclass(frozen=True, slots=True)
class InferredProfile:
    """One predicted disease: its ids, name, terms (indices) with frequencies, and the basis in words."""

    key: str
    ids: list[str]
    name: str
    terms: np.ndarray
    frequencies: np.ndarray
    basis: str


def infer_profiles(
    candidates: Iterable[tuple[str, str, str]], known_names: list[list[str]],
    annotations: tuple[np.ndarray, np.ndarray, np.ndarray], term_index: dict[str, int],
    name_terms: Callable[[str], Iterable[str]], *, max_terms: int = 80, name_frequency: float = 0.8,
    default_frequency: float = 0.5,
) -> list[InferredProfile]:
    """Profiles for ``candidates`` (``(mondo id, omim id, name)``) the annotated diseases leave out.

    ``known_names[d]`` are the names of annotated disease ``d`` (its label and its ids' labels);
    ``annotations`` its ``(disease, term, frequency)`` arrays (NaN frequency -> ``default_frequency``);
    ``name_terms(name)`` the HPO ids a text matcher finds in a name (ids outside ``term_index`` are ignored).
    """
    siblings: dict[str, set[int]] = defaultdict(set)
    for d, names in enumerate(known_names):
        for name in names:
            siblings[name_stem(name)].add(d)
    profiles: dict[int, list[tuple[int, float]]] = defaultdict(list)
    for d, t, f in zip(*annotations, strict=True):
        profiles[int(d)].append((int(t), default_frequency if np.isnan(f) else float(f)))
    out = []
    for mondo, omim, name in candidates:
        stem = name_stem(name)
        series = sorted(siblings.get(stem, ()))
        weights: dict[int, float] = defaultdict(float)
        for d in series:
            for t, f in profiles[d]:
                weights[t] += f / len(series)
        weights = dict(sorted(weights.items(), key=lambda kv: (-kv[1], kv[0]))[:max_terms])
        named = sorted({term_index[h] for h in name_terms(name) if h in term_index})
        for t in named:
            weights[t] = max(weights.get(t, 0.0), name_frequency)
        if not weights:
            continue
        basis = [f"{len(series)} annotated diseases named '{stem} …'"] if series else []
        basis += [f"{len(named)} findings named in the disease name"] if named else []
        terms = np.array(sorted(weights), dtype=np.int32)
        out.append(InferredProfile(mondo, [mondo, omim], name, terms,
                                   np.array([weights[t] for t in terms], dtype=np.float32),
                                   "predicted profile: " + "; ".join(basis)))
    return out
