"""The chemical-induces-disease model: relation priors, two stacked linear scorers, a threshold; JSON on disk.

Stage one scores every candidate pair of a document from its features (``ingest.relations``) and the
priors: how often the training corpus asserted the pair, the chemical as a cause and the disease as an
effect. Stage two rescores each pair knowing the stage-one scores of the document's other pairs (its
rank, whether it is the best disease for its chemical and the best chemical for its disease). Both are
logistic regressions fitted by ``ingest.relation_train``; here they are plain weight tables, so loading
and scoring need neither scikit-learn nor pickles.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

MODEL_FILE = "model.json"
CARD_FILE = "MODEL_CARD.json"


def model_version(folder: Path) -> str:
    """The version of the model in ``folder``: from its card (without loading the weights), else from the weights.

    Raises:
        FileNotFoundError: ``folder`` holds no relation model.
    """
    if not (folder / MODEL_FILE).is_file():
        raise FileNotFoundError(f"no relation model at {folder} (no {MODEL_FILE}); run `kg train relations` to "
                                "build one")
    card = folder / CARD_FILE
    source = card if card.is_file() else folder / MODEL_FILE
    return str(json.loads(source.read_text(encoding="utf-8")).get("version", "0"))


@dataclass(frozen=True, slots=True)
class GoldDocument:
    """The annotated relations and entity ids of one training document (CURIEs with prefix)."""

    doc_id: str
    pairs: frozenset[tuple[str, str]]
    subjects: frozenset[str]
    objects: frozenset[str]


@dataclass
class RelationPriors:
    """Counts over annotated training documents: pairs asserted, and how often each end took part."""

    pairs: Counter[tuple[str, str]] = field(default_factory=Counter)
    as_subject: Counter[str] = field(default_factory=Counter)  # documents asserting a relation from it
    as_object: Counter[str] = field(default_factory=Counter)
    subject_docs: Counter[str] = field(default_factory=Counter)  # documents mentioning it at all
    object_docs: Counter[str] = field(default_factory=Counter)

    @classmethod
    def from_gold(cls, documents: Iterable[GoldDocument]) -> RelationPriors:
        """Count the annotations of ``documents``."""
        priors = cls()
        for doc in documents:
            priors.pairs.update(doc.pairs)
            priors.as_subject.update({s for s, _ in doc.pairs})
            priors.as_object.update({o for _, o in doc.pairs})
            priors.subject_docs.update(doc.subjects)
            priors.object_docs.update(doc.objects)
        return priors

    def features(self, subject: str, obj: str, leave_out: GoldDocument | None = None) -> dict[str, float]:
        """Prior features of a pair; ``leave_out`` removes one training document's own annotations."""
        out = leave_out or GoldDocument("", frozenset(), frozenset(), frozenset())
        pair = self.pairs[(subject, obj)] - ((subject, obj) in out.pairs)
        as_subject = self.as_subject[subject] - any(s == subject for s, _ in out.pairs)
        as_object = self.as_object[obj] - any(o == obj for _, o in out.pairs)
        subject_docs = self.subject_docs[subject] - (subject in out.subjects)
        object_docs = self.object_docs[obj] - (obj in out.objects)
        return {
            "prior_pair_log": math.log1p(pair), "prior_pair_any": float(pair > 0),
            "prior_s_rate": (as_subject + 0.5) / (subject_docs + 1), "prior_s_log": math.log1p(as_subject),
            "prior_o_rate": (as_object + 0.5) / (object_docs + 1), "prior_o_log": math.log1p(as_object),
        }

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready form (pairs as ``[subject, object, count]`` rows)."""
        return {
            "pairs": sorted([s, o, n] for (s, o), n in self.pairs.items()),
            "as_subject": dict(sorted(self.as_subject.items())), "as_object": dict(sorted(self.as_object.items())),
            "subject_docs": dict(sorted(self.subject_docs.items())),
            "object_docs": dict(sorted(self.object_docs.items())),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> RelationPriors:
        """Inverse of ``to_json``."""
        return cls(Counter({(s, o): n for s, o, n in data["pairs"]}), Counter(data["as_subject"]),
                   Counter(data["as_object"]), Counter(data["subject_docs"]), Counter(data["object_docs"]))


@dataclass(frozen=True, slots=True)
class LinearModel:
    """A logistic regression over named features: ``sigmoid(bias + sum(weight[name] * value))``."""

    weights: dict[str, float]
    bias: float

    def score(self, features: dict[str, float]) -> float:
        """Probability of the positive class."""
        z = self.bias + sum(self.weights.get(name, 0.0) * value for name, value in features.items())
        return 1.0 / (1.0 + math.exp(-max(min(z, 35.0), -35.0)))

    def to_json(self) -> dict[str, Any]:
        """Weights rounded to 6 decimals, zeros dropped."""
        return {"bias": round(self.bias, 6),
                "weights": {k: round(v, 6) for k, v in sorted(self.weights.items()) if round(v, 6) != 0.0}}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> LinearModel:
        """Inverse of ``to_json``."""
        return cls({k: float(v) for k, v in data["weights"].items()}, float(data["bias"]))


def stacked_features(base: Sequence[dict[str, float]], keys: Sequence[tuple[str, str]],
                     scores: Sequence[float]) -> list[dict[str, float]]:
    """Stage-two features of one document's candidates: their features plus where their score stands.

    Args:
        base: Stage-one features, one dict per candidate.
        keys: (subject, object) of each candidate, in the same order.
        scores: Stage-one probabilities, in the same order.
    """
    best_subject: dict[str, float] = {}
    best_object: dict[str, float] = {}
    for (s, o), p in zip(keys, scores, strict=True):
        best_subject[s] = max(best_subject.get(s, 0.0), p)
        best_object[o] = max(best_object.get(o, 0.0), p)
    top = max(scores, default=0.0)
    out = []
    for feats, (s, o), p in zip(base, keys, scores, strict=True):
        clipped = min(max(p, 1e-6), 1 - 1e-6)
        out.append({
            **feats, "p1": p, "p1_logit": math.log(clipped / (1 - clipped)),
            "p1_rank_doc": math.log1p(sum(q > p for q in scores)),
            "p1_best_for_s": float(p >= best_subject[s]), "p1_best_for_o": float(p >= best_object[o]),
            "p1_ratio_doc": p / top if top else 0.0,
        })
    return out


@dataclass(frozen=True, slots=True)
class CidModel:
    """Priors, the two stages and the decision threshold; ``version`` names the trained artifact."""

    stage1: LinearModel
    stage2: LinearModel
    priors: RelationPriors
    threshold: float
    version: str

    def score(self, features: Sequence[dict[str, float]], keys: Sequence[tuple[str, str]]) -> list[float]:
        """Probabilities for one document's candidates (features without priors; priors are added here)."""
        full = [{**f, **self.priors.features(s, o)} for f, (s, o) in zip(features, keys, strict=True)]
        first = [self.stage1.score(f) for f in full]
        return [self.stage2.score(f) for f in stacked_features(full, keys, first)]

    def save(self, folder: Path, card: dict[str, Any]) -> Path:
        """Write ``model.json`` and ``MODEL_CARD.json`` into ``folder``."""
        folder.mkdir(parents=True, exist_ok=True)
        data = {"version": self.version, "threshold": self.threshold, "stage1": self.stage1.to_json(),
                "stage2": self.stage2.to_json(), "priors": self.priors.to_json()}
        (folder / MODEL_FILE).write_text(json.dumps(data, separators=(",", ":")), encoding="utf-8")
        (folder / CARD_FILE).write_text(json.dumps(card, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        return folder

    @classmethod
    def load(cls, folder: Path) -> CidModel:
        """Read a model written by ``save``."""
        path = folder / MODEL_FILE
        if not path.is_file():
            raise FileNotFoundError(f"no relation model at {folder}; run `kg train relations` to build one")
        data = json.loads(path.read_text(encoding="utf-8"))
        return cls(LinearModel.from_json(data["stage1"]), LinearModel.from_json(data["stage2"]),
                   RelationPriors.from_json(data["priors"]), float(data["threshold"]), str(data["version"]))
