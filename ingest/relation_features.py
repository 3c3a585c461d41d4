"""Features for relation extraction over linked mentions: candidate pairs per document and what describes them.

A candidate is a (subject CURIE, object CURIE) pair of two types (Chemical, Disease) that a document's
linked mentions name, wherever they occur: BC5CDR's chemical-induced-disease relations are document
level and often cross sentences. Features describe how the pair occurs: sentence co-occurrence, token
distance, trigger words between and around the closest pair of mentions, title mentions, mention
frequencies and the disease's place in the MeSH hierarchy relative to the document's other diseases.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from ingest.records import Mention
from ontologies.mesh import MeshTree

_WORD = re.compile(r"[a-z0-9]+")
# Trigger lexicons, matched on lower-cased words between or around a pair of mentions.
CAUSE_WORDS = frozenset({
    "induced", "induce", "induces", "inducing", "induction", "caused", "cause", "causes", "causing", "associated",
    "association", "related", "due", "following", "after", "developed", "develop", "developing", "produced",
    "produce", "produces", "toxicity", "toxic", "adverse", "resulted", "result", "resulting", "complication",
    "complications", "attributed", "secondary", "risk", "occurred", "occurrence", "evoked", "elicited",
    "provoked", "precipitated", "exacerbated", "onset", "intoxication", "overdose", "abuse", "use", "receiving",
})
TREAT_WORDS = frozenset({
    "treatment", "treated", "treating", "treat", "treats", "therapy", "therapeutic", "prevent", "prevented",
    "prevents", "prevention", "protect", "protects", "protected", "protective", "protection", "attenuated",
    "attenuate", "attenuates", "reversed", "reverse", "reverses", "inhibited", "antagonized", "improved",
    "improve", "improves", "relief", "relieve", "alleviated", "ameliorated", "efficacy", "effective",
    "management", "manage", "control", "controlled", "benefit", "beneficial", "against", "reduce", "reduced",
    "reduces",
})
NEGATION_WORDS = frozenset({"no", "not", "without", "neither", "nor", "absence", "absent", "failed", "lack",
                            "none", "never", "unlikely"})
# How many words left of the first and right of the second mention count as their context.
WINDOW = 3
MAX_BETWEEN = 20
# MeSH tree-number prefix naming a branch (``C10`` nervous system diseases, ``D03`` heterocyclic compounds).
BRANCH_CHARS = 3


@dataclass(frozen=True, slots=True)
class PairCandidate:
    """A (subject, object) pair of linked CURIEs of one document, with the mentions that name each."""

    subject: str
    object: str
    subject_mentions: tuple[Mention, ...]
    object_mentions: tuple[Mention, ...]


def candidate_pairs(mentions: Iterable[Mention], subject_type: str = "Chemical",
                    object_type: str = "Disease") -> list[PairCandidate]:
    """Every pair of a linked ``subject_type`` CURIE and a linked ``object_type`` CURIE, sorted by CURIEs."""
    by_curie: dict[str, dict[str, list[Mention]]] = {subject_type: defaultdict(list), object_type: defaultdict(list)}
    for m in mentions:
        if m.curie and m.type in by_curie:
            by_curie[m.type][m.curie].append(m)
    subjects, objects = by_curie[subject_type], by_curie[object_type]
    return [PairCandidate(s, o, tuple(subjects[s]), tuple(objects[o]))
            for s in sorted(subjects) for o in sorted(objects) if s != o]


@dataclass
class DocumentContext:
    """What features need to know about a whole document: its text, title end and linked mentions."""

    text: str
    title_end: int
    mentions: list[Mention]
    tree: MeshTree | None = None
    counts: Counter[str] = field(init=False)
    type_totals: Counter[str] = field(init=False)
    top: dict[str, str] = field(init=False)
    curies_by_type: dict[str, set[str]] = field(init=False)
    sentence_order: dict[tuple[int, int], int] = field(init=False)

    def __post_init__(self) -> None:
        linked = [m for m in self.mentions if m.curie]
        self.counts = Counter(m.curie for m in linked if m.curie)
        self.type_totals = Counter(m.type for m in linked)
        self.curies_by_type = defaultdict(set)
        for m in linked:
            self.curies_by_type[m.type].add(str(m.curie))
        self.top = {t: max(sorted(cs), key=lambda c: self.counts[c]) for t, cs in self.curies_by_type.items()}
        spans = sorted({m.sentence for m in self.mentions if m.sentence})
        self.sentence_order = {span: i for i, span in enumerate(spans)}

    def words(self, start: int, end: int) -> list[str]:
        """Lower-cased word tokens of ``text[start:end]``."""
        return _WORD.findall(self.text[start:end].lower())


def pair_features(candidate: PairCandidate, context: DocumentContext) -> dict[str, float]:
    """Features of one candidate: numeric values and indicator keys (``between=induced``) for a vectorizer."""
    feats: dict[str, float] = {}
    feats.update(_entity_features("s", candidate.subject, candidate.subject_mentions, context))
    feats.update(_entity_features("o", candidate.object, candidate.object_mentions, context))
    feats.update(_sentence_features(candidate, context))
    feats.update(_hierarchy_features(candidate, context))
    return feats


def _entity_features(side: str, curie: str, mentions: Sequence[Mention], ctx: DocumentContext) -> dict[str, float]:
    etype = mentions[0].type
    count = ctx.counts[curie]
    first = min(m.start for m in mentions)
    feats = {
        f"{side}_count_log": math.log1p(count),
        f"{side}_share": count / max(ctx.type_totals[etype], 1),
        f"{side}_is_top": float(ctx.top.get(etype) == curie),
        f"{side}_in_title": float(any(m.end <= ctx.title_end for m in mentions)),
        f"{side}_first_pos": first / max(len(ctx.text), 1),
        f"{side}_n_types_log": math.log1p(len(ctx.curies_by_type[etype])),
    }
    for m in mentions:  # "cocaine-induced", "induced by cocaine", "cocaine toxicity" anywhere in the text
        after = ctx.words(m.end, min(len(ctx.text), m.end + 20))[:1]
        before = ctx.words(max(0, m.start - 20), m.start)[-2:]
        if after and after[0] in CAUSE_WORDS:
            feats[f"{side}_next={after[0]}"] = 1.0
        if before and before[-1] in CAUSE_WORDS | {"by", "with", "of"}:
            feats[f"{side}_prev={' '.join(before)}"] = 1.0
    return feats


def closest_pair(candidate: PairCandidate) -> tuple[Mention, Mention] | None:
    """The subject and object mentions sharing a sentence at the smallest character distance."""
    best: tuple[int, Mention, Mention] | None = None
    for s in candidate.subject_mentions:
        for o in candidate.object_mentions:
            if s.sentence is None or s.sentence != o.sentence:
                continue
            gap = max(o.start - s.end, s.start - o.end, 0)
            if best is None or gap < best[0]:
                best = (gap, s, o)
    return (best[1], best[2]) if best else None


def _sentence_features(candidate: PairCandidate, ctx: DocumentContext) -> dict[str, float]:
    s_sents = {m.sentence for m in candidate.subject_mentions if m.sentence}
    o_sents = {m.sentence for m in candidate.object_mentions if m.sentence}
    shared = s_sents & o_sents
    feats: dict[str, float] = {"cooc_sents_log": math.log1p(len(shared)), "cooc_any": float(bool(shared))}
    feats["cooc_title"] = float(any(span[0] < ctx.title_end for span in shared))
    order = ctx.sentence_order
    gaps = [abs(order[a] - order[b]) for a in s_sents for b in o_sents if a in order and b in order]
    feats["sent_gap_min"] = float(min(gaps, default=10))
    for span in shared:
        words = set(ctx.words(*span))
        feats["sent_cause"] = feats.get("sent_cause", 0.0) + float(bool(words & CAUSE_WORDS))
        feats["sent_treat"] = feats.get("sent_treat", 0.0) + float(bool(words & TREAT_WORDS))
        feats["sent_negation"] = feats.get("sent_negation", 0.0) + float(bool(words & NEGATION_WORDS))
    pair = closest_pair(candidate)
    if pair is not None:
        feats.update(_pair_context(*pair, ctx))
    return feats


def _pair_context(subject: Mention, obj: Mention, ctx: DocumentContext) -> dict[str, float]:
    """Words between and around the closest pair, their trigger classes and the token distance."""
    first, second = sorted((subject, obj), key=lambda m: m.start)
    order = "so" if first is subject else "os"
    between = ctx.words(first.end, second.start) if second.start > first.end else []
    sentence = first.sentence or (0, len(ctx.text))
    left = ctx.words(sentence[0], first.start)[-WINDOW:]
    right = ctx.words(second.end, sentence[1])[:WINDOW]
    feats = {
        "tok_dist_log": math.log1p(len(between)),
        f"order={order}": 1.0,
        "overlap": float(second.start < first.end),
        "between_cause": float(bool(set(between) & CAUSE_WORDS)),
        "between_treat": float(bool(set(between) & TREAT_WORDS)),
        "between_negation": float(bool(set(between) & NEGATION_WORDS)),
        "around_cause": float(bool(set(left + right) & CAUSE_WORDS)),
        "around_treat": float(bool(set(left + right) & TREAT_WORDS)),
    }
    if len(between) <= MAX_BETWEEN:
        for word in between:
            feats[f"between={order}:{word}"] = 1.0
    for word in left:
        feats[f"left={word}"] = 1.0
    for word in right:
        feats[f"right={word}"] = 1.0
    return feats


def _hierarchy_features(candidate: PairCandidate, ctx: DocumentContext) -> dict[str, float]:
    """MeSH branches of both ends, and whether the document names a more specific or more general concept.

    BC5CDR annotates the most specific disease (and chemical) a relation holds for, so a disease with a
    descendant elsewhere in the same document is rarely the annotated one.
    """
    if ctx.tree is None:
        return {}
    tree = ctx.tree
    feats: dict[str, float] = {"o_depth": float(tree.depth(candidate.object))}
    for side, curie, etype in (("s", candidate.subject, "Chemical"), ("o", candidate.object, "Disease")):
        others = ctx.curies_by_type.get(etype, set()) - {curie}
        feats[f"{side}_has_descendant"] = float(any(tree.is_ancestor(curie, c) for c in others))
        feats[f"{side}_has_ancestor"] = float(any(tree.is_ancestor(c, curie) for c in others))
        feats[f"{side}_in_tree"] = float(curie in tree.tree_numbers)
        for number in tree.tree_numbers.get(curie, ()):
            feats[f"{side}_branch={number[:BRANCH_CHARS]}"] = 1.0
    return feats
