"""Evaluation against gold corpora: strict mention P/R/F1 and document-level concept-id P/R/F1.

Mention level is strict: a prediction counts only when start, end and type all match a gold mention.
Document level follows the BioCreative V CDR DNER convention: per document, the set of MeSH ids of
each type is compared with the gold set (composite ids ``D1|D2`` count as both; ``-1`` is ignored).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from ingest.pipeline import Extraction


@dataclass
class PRF:
    """Counts and the scores derived from them."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    def add(self, gold: set, pred: set) -> None:
        """Count one comparison of sets."""
        self.tp += len(gold & pred)
        self.fp += len(pred - gold)
        self.fn += len(gold - pred)

    def as_dict(self) -> dict[str, float | int]:
        """Precision, recall, F1 and the counts."""
        p = self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0
        r = self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(f, 4),
                "tp": self.tp, "fp": self.fp, "fn": self.fn}


def mention_scores(extractions: Iterable[Extraction], types: Iterable[str]) -> dict[str, dict[str, float | int]]:
    """Strict mention-level scores per type, plus ``all`` (micro-averaged over ``types``)."""
    wanted = set(types)
    scores: dict[str, PRF] = {t: PRF() for t in (*sorted(wanted), "all")}
    for ex in extractions:
        gold = {(m.start, m.end, m.type) for m in ex.document.meta.get("gold_mentions", []) if m.type in wanted}
        pred = {(m.start, m.end, m.type) for m in ex.mentions if m.type in wanted}
        for t in wanted:
            scores[t].add({g for g in gold if g[2] == t}, {p for p in pred if p[2] == t})
        scores["all"].add(gold, pred)
    return {t: s.as_dict() for t, s in scores.items()}


def concept_scores(extractions: Iterable[Extraction], types: Iterable[str]) -> dict[str, dict[str, float | int]]:
    """Document-level concept-id scores per type (ids compared without their ``MESH:`` prefix)."""
    wanted = set(types)
    scores: dict[str, PRF] = {t: PRF() for t in sorted(wanted)}
    for ex in extractions:
        for t in wanted:
            gold = {i for m in ex.document.meta.get("gold_mentions", []) if m.type == t and m.curie
                    for i in m.curie.split("|") if i != "-1"}
            pred = {m.curie.split(":", 1)[1] for m in ex.mentions if m.type == t and m.curie}
            scores[t].add(gold, pred)
    return {t: s.as_dict() for t, s in scores.items()}


def gold_types(extractions: Iterable[Extraction]) -> list[str]:
    """The entity types annotated in a corpus, most frequent first."""
    counts = Counter(m.type for ex in extractions for m in ex.document.meta.get("gold_mentions", []))
    return [t for t, _ in counts.most_common()]
