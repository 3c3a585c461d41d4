"""Training and evaluation of the chemical-induces-disease model on BC5CDR-style corpora.

Candidates come from the pipeline's predicted, linked mentions (or from the gold mentions, to compare);
a candidate is positive when the document's gold CID relations hold its (chemical, disease) MeSH pair.
Stage one and stage two (``ingest.relation_model``) are scikit-learn logistic regressions; stage two
learns from stage-one scores that are out-of-fold on the training documents (grouped by document), as
they will be on new text. The regularisation strength and the decision threshold are chosen by the
end-to-end document-level F1 on the development documents. Scoring follows the BioCreative V CDR
convention: per document, the set of predicted (chemical MeSH, disease MeSH) pairs against the gold set.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
from sklearn.feature_extraction import DictVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold

from ingest.records import Document, Mention
from ingest.relation_features import DocumentContext, candidate_pairs, pair_features
from ingest.relation_model import CidModel, GoldDocument, LinearModel, RelationPriors, stacked_features
from ontologies.kb import AliasIndex
from ontologies.mesh import MeshTree

MESH = "MESH:"
C_GRID = (0.1, 0.3, 1.0)
THRESHOLDS = tuple(round(t, 2) for t in np.arange(0.1, 0.86, 0.05))
FOLDS = 5
Sentences = Callable[[str], list[tuple[int, int]]]


@dataclass
class Example:
    """The candidates of one document: keys, stage-one features without priors, labels."""

    document: GoldDocument
    keys: list[tuple[str, str]] = field(default_factory=list)
    features: list[dict[str, float]] = field(default_factory=list)
    labels: list[int] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Selection:
    """One point of the selection grid and its dev scores."""

    c: float
    threshold: float
    scores: dict[str, float | int]


def gold_document(document: Document) -> GoldDocument:
    """The gold CID pairs and annotated chemical/disease ids of a corpus document, as ``MESH:`` CURIEs."""
    pairs = frozenset((MESH + c, MESH + d) for label, c, d in document.meta.get("gold_relations", [])
                      if label == "CID")
    ids: dict[str, set[str]] = {"Chemical": set(), "Disease": set()}
    for m in document.meta.get("gold_mentions", []):
        if m.type in ids and m.curie:
            ids[m.type].update(MESH + i for i in m.curie.split("|") if i != "-1")
    return GoldDocument(document.id, pairs, frozenset(ids["Chemical"]), frozenset(ids["Disease"]))


def retired_ids(documents: Iterable[Document], index: AliasIndex) -> dict[str, str]:
    """Gold MeSH ids that today's MeSH no longer has, mapped to the concept their annotated mentions name.

    BC5CDR (2015) uses ids since retired: lamotrigine's supplementary record became a descriptor. Such an
    id is mapped to the current MeSH concept that the exact alias lookup of ``index`` gives for most of
    the mentions annotated with it; ids whose mentions name nothing current stay as they are.
    """
    votes: dict[str, Counter[str]] = defaultdict(Counter)
    for document in documents:
        for m in document.meta.get("gold_mentions", []):
            for gold_id in (m.curie or "").split("|"):
                if gold_id in ("", "-1") or MESH + gold_id in index.links:
                    continue
                link = index.lookup(m.type, m.text)
                if link is not None and link.curie.startswith(MESH):
                    votes[gold_id][link.curie.removeprefix(MESH)] += 1
    return {gold_id: max(counts, key=lambda c: (counts[c], c)) for gold_id, counts in votes.items()}


def with_ids(document: Document, mapping: Mapping[str, str]) -> Document:
    """``document`` with its gold mention and relation ids rewritten through ``mapping`` (bare MeSH ids)."""
    if not mapping:
        return document

    def remap(curie: str | None) -> str | None:
        return "|".join(mapping.get(i, i) for i in curie.split("|")) if curie else curie

    meta = dict(document.meta)
    meta["gold_mentions"] = [replace(m, curie=remap(m.curie)) for m in meta.get("gold_mentions", [])]
    meta["gold_relations"] = [(label, mapping.get(c, c), mapping.get(d, d))
                              for label, c, d in meta.get("gold_relations", [])]
    return replace(document, meta=meta)


def gold_mentions(document: Document, sentences: Sentences) -> list[Mention]:
    """The corpus's own mentions with ``MESH:`` CURIEs (one per id of a composite) and their sentences."""
    spans = sentences(document.text)
    out = []
    for m in document.meta.get("gold_mentions", []):
        sentence = next((s for s in spans if s[0] <= m.start < s[1]), None)
        for curie in (m.curie or "").split("|"):
            if curie and curie != "-1":
                out.append(replace(m, curie=MESH + curie, sentence=sentence))
    return out


def examples(pairs: Iterable[tuple[Document, Sequence[Mention]]], tree: MeshTree | None) -> list[Example]:
    """Candidates, features and labels of each (document, mentions)."""
    out = []
    for document, mentions in pairs:
        ctx = DocumentContext(document.text, len(document.title), list(mentions), tree)
        example = Example(gold_document(document))
        for cand in candidate_pairs(mentions):
            example.keys.append((cand.subject, cand.object))
            example.features.append(pair_features(cand, ctx))
            example.labels.append(int((cand.subject, cand.object) in example.document.pairs))
        out.append(example)
    return out


def fit(train: Sequence[Example], c: float, threshold: float, version: str) -> CidModel:
    """Fit both stages on ``train``, priors counted from the same documents (left out per document)."""
    priors = RelationPriors.from_gold(e.document for e in train)
    rows, labels, groups = _rows(train, priors, leave_out=True)
    stage1 = _logistic(rows, labels, c)
    out_of_fold = _out_of_fold(rows, labels, groups, c)
    stage2 = _logistic(_stack(train, rows, out_of_fold), labels, c)
    return CidModel(stage1, stage2, priors, threshold, version)


def select(train: Sequence[Example], dev: Sequence[Example], version: str,
           grid: Sequence[float] = C_GRID) -> tuple[CidModel, Selection, list[Selection]]:
    """Fit on ``train`` for each C, pick C and threshold by dev F1; return the best model, its point, every point."""
    points: list[Selection] = []
    best: tuple[Selection, CidModel] | None = None
    for c in grid:
        model = fit(train, c, 0.5, version)
        scored = [(e, model.score(e.features, e.keys)) for e in dev]
        for threshold in THRESHOLDS:
            predicted = {e.document.doc_id: {k for k, p in zip(e.keys, ps, strict=True) if p >= threshold}
                         for e, ps in scored}
            scores = cid_scores(dev, predicted)
            points.append(Selection(c, threshold, scores))
            if best is None or float(scores["f1"]) > float(best[0].scores["f1"]):
                best = (points[-1], replace(model, threshold=threshold))
    assert best is not None
    return best[1], best[0], points


def cross_validate(train: Sequence[Example], dev: Sequence[Example], c: float, threshold: float,
                   folds: int = FOLDS) -> dict[str, set[tuple[str, str]]]:
    """Pairs asserted in each dev document by a model fitted on ``train`` plus the other folds of ``dev``.

    With C and the threshold fixed, this estimates what a model refit on train+dev does on new abstracts
    whose candidates are as noisy as dev's (the training abstracts' own candidates come from an NER
    trained on them, so they are cleaner than any new text's).
    """
    predicted: dict[str, set[tuple[str, str]]] = {}
    for k in range(folds):
        rest = [e for i, e in enumerate(dev) if i % folds != k]
        predicted.update(predict(fit([*train, *rest], c, threshold, "cross-validation"), dev[k::folds]))
    return predicted


def predict(model: CidModel, docs: Sequence[Example]) -> dict[str, set[tuple[str, str]]]:
    """The pairs ``model`` asserts per document."""
    return {e.document.doc_id: {k for k, p in zip(e.keys, model.score(e.features, e.keys), strict=True)
                                if p >= model.threshold}
            for e in docs}


def cid_scores(docs: Sequence[Example], predicted: Mapping[str, set[tuple[str, str]]]) -> dict[str, float | int]:
    """Document-level P/R/F1 of predicted pairs against every gold pair (also those no candidate reached)."""
    return pair_scores({e.document.doc_id: e.document.pairs for e in docs}, predicted)


def pair_scores(gold: Mapping[str, frozenset[tuple[str, str]]], predicted: Mapping[str, set[tuple[str, str]]]
                ) -> dict[str, float | int]:
    """P/R/F1 of per-document sets of pairs; documents without gold pairs count their predictions as wrong."""
    tp = fp = fn = 0
    for doc_id in gold.keys() | predicted.keys():
        got, want = predicted.get(doc_id, set()), gold.get(doc_id, frozenset())
        tp, fp, fn = tp + len(got & want), fp + len(got - want), fn + len(want - got)
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(f, 4), "tp": tp, "fp": fp, "fn": fn}


def candidate_recall(docs: Sequence[Example]) -> float:
    """The share of gold pairs that are candidates at all (the ceiling of recall)."""
    gold = sum(len(e.document.pairs) for e in docs)
    return round(sum(sum(e.labels) for e in docs) / gold, 4) if gold else 0.0


def _rows(docs: Sequence[Example], priors: RelationPriors, leave_out: bool
          ) -> tuple[list[dict[str, float]], np.ndarray, list[str]]:
    rows, labels, groups = [], [], []
    for e in docs:
        for (s, o), feats, y in zip(e.keys, e.features, e.labels, strict=True):
            rows.append({**feats, **priors.features(s, o, e.document if leave_out else None)})
            labels.append(y)
            groups.append(e.document.doc_id)
    return rows, np.asarray(labels), groups


def _logistic(rows: list[dict[str, float]], labels: np.ndarray, c: float) -> LinearModel:
    vec = DictVectorizer()
    clf = LogisticRegression(C=c, max_iter=5000).fit(vec.fit_transform(rows), labels)
    return LinearModel(dict(zip(vec.feature_names_, clf.coef_[0].tolist(), strict=True)), float(clf.intercept_[0]))


def _out_of_fold(rows: list[dict[str, float]], labels: np.ndarray, groups: list[str], c: float) -> list[float]:
    scores = np.zeros(len(rows))
    for fit_idx, held_idx in GroupKFold(FOLDS).split(rows, labels, groups):
        model = _logistic([rows[i] for i in fit_idx], labels[fit_idx], c)
        scores[held_idx] = [model.score(rows[i]) for i in held_idx]
    return scores.tolist()


def _stack(docs: Sequence[Example], rows: list[dict[str, float]], scores: list[float]) -> list[dict[str, float]]:
    out: list[dict[str, float]] = []
    for e in docs:
        n = len(e.keys)
        out.extend(stacked_features(rows[len(out) : len(out) + n], e.keys, scores[len(out) : len(out) + n]))
    return out


def selection_table(points: Sequence[Selection]) -> list[dict[str, Any]]:
    """The best threshold per C, for the model card."""
    best: dict[float, Selection] = {}
    for p in points:
        if p.c not in best or float(p.scores["f1"]) > float(best[p.c].scores["f1"]):
            best[p.c] = p
    return [{"C": c, "threshold": s.threshold, **s.scores} for c, s in sorted(best.items())]
