"""Relation extraction: ``Relation`` records, with evidence, from a document's linked mentions.

- chemical-induces-disease (``biolink:causes``): every (chemical, disease) pair of linked MeSH CURIEs
  in the document is a candidate; the trained ``CidModel`` (``ingest.relation_model``) scores it from
  the features of ``ingest.relation_features`` and keeps it above its threshold. Document level, as in
  BC5CDR: the two may be mentioned in different sentences.
- chemical-treats-disease, gene-disease and chemical-gene associations: scored sentence
  co-occurrences with trigger words (``ingest.associations``).

``RelationExtractor`` works on records, so training (gold or predicted mentions) and the pipeline share
it; the ``kg_relations`` pipeline component carries it through ``build_pipeline`` and into forked
workers, and ``Extractor`` calls it once per document after the mentions are known.
"""

from __future__ import annotations

from collections.abc import Sequence
from importlib import resources
from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc

from ingest.associations import KINDS, AssociationKind, associations
from ingest.records import Document, Mention, Provenance, Relation
from ingest.relation_features import DocumentContext, PairCandidate, candidate_pairs, closest_pair, pair_features
from ingest.relation_model import CidModel
from ontologies.mesh import MeshTree
from ontologies.schema import load_schema

RELATIONS = "kg_relations"
CID_EXTRACTOR = "kg_engine.ingest.relations.cid"
ASSOCIATION_EXTRACTOR = "kg_engine.ingest.relations.cooccurrence"
ASSOCIATION_VERSION = "1"
CID_LABEL = "chemical_induces_disease"
MAX_EVIDENCE = 3


def packaged_relation_dir() -> Path:
    """The chemical-induces-disease model shipped inside the package (see its ``MODEL_CARD.json``)."""
    return Path(str(resources.files("ingest").joinpath("models", "relations")))


class RelationExtractor:
    """Turns a document and its mentions into relations: the CID model, then the associations."""

    def __init__(self, cid: CidModel | None, tree: MeshTree | None = None,
                 kinds: Sequence[AssociationKind] = KINDS) -> None:
        self.cid = cid
        self.tree = tree
        self.kinds = tuple(kinds)
        schema = load_schema()
        self.predicates = {label: schema.text_relation_predicate(label).biolink
                           for label in (CID_LABEL, *(k.label for k in self.kinds))}

    def context(self, document: Document, mentions: Sequence[Mention]) -> DocumentContext:
        """What the features need to know about ``document``."""
        return DocumentContext(document.text, len(document.title), list(mentions), self.tree)

    def score_pairs(self, ctx: DocumentContext) -> list[tuple[PairCandidate, float]]:
        """Every chemical-disease candidate of a document with its CID probability."""
        if self.cid is None:
            return []
        candidates = candidate_pairs(ctx.mentions)
        features = [pair_features(c, ctx) for c in candidates]
        scores = self.cid.score(features, [(c.subject, c.object) for c in candidates])
        return list(zip(candidates, scores, strict=True))

    def extract(self, document: Document, mentions: Sequence[Mention]) -> list[Relation]:
        """The relations ``document`` asserts; a pair found to cause a disease is not also a treatment."""
        ctx = self.context(document, mentions)
        found: list[Relation] = []
        caused: set[tuple[str, str]] = set()
        if self.cid is not None:
            for cand, score in self.score_pairs(ctx):
                if score >= self.cid.threshold:
                    caused.add((cand.subject, cand.object))
                    found.append(self._relation(document, ctx, cand, CID_LABEL, score, _evidence(cand),
                                                CID_EXTRACTOR, self.cid.version))
        for kind in self.kinds:
            for assoc in associations(kind, ctx):
                key = (assoc.candidate.subject, assoc.candidate.object)
                if kind.subject_type == "Chemical" and kind.object_type == "Disease" and key in caused:
                    continue
                found.append(self._relation(document, ctx, assoc.candidate, kind.label, assoc.score,
                                            assoc.sentences, ASSOCIATION_EXTRACTOR, ASSOCIATION_VERSION))
        return found

    def _relation(self, document: Document, ctx: DocumentContext, cand: PairCandidate, label: str, score: float,
                  sentences: Sequence[tuple[int, int]], extractor: str, version: str) -> Relation:
        score = round(score, 4)
        evidence = tuple(
            Provenance(document.source, document.id, span, span, ctx.text[span[0] : span[1]], extractor, version,
                       score)
            for span in sentences
        )
        return Relation(cand.subject, self.predicates[label], cand.object, document.id, evidence, score, extractor)


def _evidence(cand: PairCandidate) -> tuple[tuple[int, int], ...]:
    """Sentences naming both ends (at most ``MAX_EVIDENCE``), else the closest sentence naming each."""
    shared = sorted({m.sentence for m in cand.subject_mentions if m.sentence}
                    & {m.sentence for m in cand.object_mentions if m.sentence})
    if shared:
        return tuple(shared[:MAX_EVIDENCE])
    pair = closest_pair(cand) or _nearest(cand)
    return tuple(sorted({m.sentence for m in pair if m.sentence}))


def _nearest(cand: PairCandidate) -> tuple[Mention, Mention]:
    """The subject and object mentions nearest to each other, in any sentences."""
    return min(((s, o) for s in cand.subject_mentions for o in cand.object_mentions),
               key=lambda p: (abs(p[0].start - p[1].start), p[0].start))


class RelationComponent:
    """Carries a ``RelationExtractor`` in the pipeline.

    Relations are document-level facts over the linked mentions, so ``Extractor`` asks this component
    for them once per document (with the ``Document`` record, whose title and id the doc lacks); the
    component leaves the ``Doc`` itself unchanged.
    """

    def __init__(self, nlp: Language, name: str) -> None:
        self.name = name
        self.extractor: RelationExtractor | None = None

    def set_extractor(self, extractor: RelationExtractor) -> None:
        """The extractor to run."""
        self.extractor = extractor

    def __call__(self, doc: Doc) -> Doc:
        """Nothing to do per doc (see the class docstring)."""
        return doc

    def extract(self, document: Document, mentions: Sequence[Mention]) -> list[Relation]:
        """The relations of one document."""
        if self.extractor is None:
            raise RuntimeError(f"{self.name}: no relation extractor set; build the pipeline with build_pipeline()")
        return self.extractor.extract(document, mentions)


@Language.factory(RELATIONS, requires=["doc.ents"])
def make_relations(nlp: Language, name: str) -> RelationComponent:
    """SpaCy factory for ``kg_relations``."""
    return RelationComponent(nlp, name)
