"""Scored associations from sentence co-occurrence and trigger words: treats, gene-disease, chemical-gene.

No annotated corpus for these relations is at hand, so they are rules, not a trained model: each
sentence in which both ends are mentioned scores ``BASE``, more with a trigger word of the relation
between the two mentions (``BETWEEN``) or elsewhere in the sentence (``SENTENCE``), less with a word
speaking for another relation between them or a negation cue in the sentence; a document's score for
a pair is the noisy-or of its sentences' scores. ``kg eval associations`` measures how often the pairs
found are also asserted by curated sources (PharmacotherapyDB, Hetionet).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from ingest.relation_features import (
    CAUSE_WORDS,
    NEGATION_WORDS,
    TREAT_WORDS,
    DocumentContext,
    PairCandidate,
    candidate_pairs,
    closest_pair,
)

BASE = 0.3
BETWEEN = 0.45
SENTENCE = 0.25
AGAINST = 0.2
NEGATED = 0.5
MIN_SCORE = 0.6
MAX_EVIDENCE = 3


@dataclass(frozen=True, slots=True)
class AssociationKind:
    """One association: the schema's text-relation label, the entity types and the words that speak for it."""

    label: str
    subject_type: str
    object_type: str
    triggers: frozenset[str]
    against: frozenset[str] = frozenset()


GENE_DISEASE_WORDS = frozenset({
    "associated", "association", "mutation", "mutations", "mutant", "mutated", "polymorphism", "polymorphisms",
    "variant", "variants", "allele", "alleles", "genotype", "genotypes", "carriers", "susceptibility", "risk",
    "linked", "linkage", "expression", "expressed", "overexpression", "deficiency", "deficient", "levels",
    "gene", "loss", "defect", "defects", "causes", "caused", "marker", "elevated", "increased", "decreased",
})
CHEMICAL_GENE_WORDS = frozenset({
    "inhibitor", "inhibitors", "inhibits", "inhibited", "inhibition", "inhibiting", "agonist", "agonists",
    "antagonist", "antagonists", "binds", "binding", "bound", "activates", "activated", "activation", "induced",
    "induces", "induction", "expression", "upregulated", "downregulated", "upregulation", "downregulation",
    "blocker", "blockers", "blocks", "blocked", "blockade", "receptor", "receptors", "substrate", "levels",
    "increased", "decreased", "suppressed", "suppression", "stimulated", "stimulation", "reduced", "enhanced",
})
TREATS = AssociationKind("chemical_treats_disease", "Chemical", "Disease", TREAT_WORDS,
                         CAUSE_WORDS - {"associated", "association", "patients", "use", "receiving", "after"})
GENE_DISEASE = AssociationKind("gene_associated_with_disease", "Gene", "Disease", GENE_DISEASE_WORDS)
CHEMICAL_GENE = AssociationKind("chemical_associated_with_gene", "Chemical", "Gene", CHEMICAL_GENE_WORDS)
KINDS = (TREATS, GENE_DISEASE, CHEMICAL_GENE)


@dataclass(frozen=True, slots=True)
class Association:
    """A scored pair and the sentences (spans) behind it, best first."""

    kind: AssociationKind
    candidate: PairCandidate
    score: float
    sentences: tuple[tuple[int, int], ...]


def associations(kind: AssociationKind, ctx: DocumentContext, min_score: float = MIN_SCORE) -> list[Association]:
    """The pairs of ``kind`` in a document scoring at least ``min_score``."""
    found = []
    for cand in candidate_pairs(ctx.mentions, kind.subject_type, kind.object_type):
        scored = sorted(((sentence_score(kind, c, ctx), span) for span, c in _by_sentence(cand).items()),
                        key=lambda t: (-t[0], t[1]))
        if not scored:
            continue
        miss = 1.0
        for score, _ in scored:
            miss *= 1.0 - score
        total = round(1.0 - miss, 4)
        if total >= min_score:
            found.append(Association(kind, cand, total, tuple(span for _, span in scored[:MAX_EVIDENCE])))
    return found


def sentence_score(kind: AssociationKind, cand: PairCandidate, ctx: DocumentContext) -> float:
    """The score of one sentence in which both ends of ``cand`` (restricted to that sentence) occur."""
    pair = closest_pair(cand)
    if pair is None:
        return 0.0
    first, second = sorted(pair, key=lambda m: m.start)
    between = set(ctx.words(first.end, second.start)) if second.start > first.end else set()
    sentence = set(ctx.words(*first.sentence)) if first.sentence else between
    score = BASE
    if between & kind.triggers:
        score += BETWEEN
    elif sentence & kind.triggers:
        score += SENTENCE
    if between & kind.against:
        score -= AGAINST
    if sentence & NEGATION_WORDS:
        score *= NEGATED
    return min(max(score, 0.05), 0.95)


def _by_sentence(cand: PairCandidate) -> dict[tuple[int, int], PairCandidate]:
    """The candidate restricted to each sentence in which both of its ends are mentioned."""
    subjects: dict[tuple[int, int], list] = defaultdict(list)
    objects: dict[tuple[int, int], list] = defaultdict(list)
    for m in cand.subject_mentions:
        if m.sentence:
            subjects[m.sentence].append(m)
    for m in cand.object_mentions:
        if m.sentence:
            objects[m.sentence].append(m)
    return {span: PairCandidate(cand.subject, cand.object, tuple(subjects[span]), tuple(objects[span]))
            for span in sorted(subjects.keys() & objects.keys())}
