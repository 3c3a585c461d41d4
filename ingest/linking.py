"""Entity linking as a spaCy component: abbreviations through their long forms, then the alias index.

Links every mention: the entities in ``doc.ents`` and the spans of ``doc.spans[MENTION_GROUP]`` (mentions
tagged in a separate pass, which may overlap an entity: "insulin" is a chemical in BC5CDR and a gene in
BC2GM). Results go to ``doc._.links``, keyed by (start char, end char, type): the primary CURIE (MeSH for
chemicals and diseases, NCBI Gene for genes), xrefs reaching the graph (DOID, DRUGBANK, HGNC), the score
and the concept's name. Entities also get ``span._.curie`` / ``xrefs`` / ``link_score`` for convenience.
"""

from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc, Span

from ingest.fuzzy import FuzzyLinker
from ontologies.kb import AliasIndex, Link

LINKER = "kg_linker"
MENTION_GROUP = "mentions"
_PLURAL_ENDINGS = (("ies", "y"), ("es", ""), ("s", ""))


def register_extensions() -> None:
    """Declare the span attributes the linker sets (idempotent)."""
    for name, default in (("curie", None), ("xrefs", ()), ("link_score", None), ("concept_name", None)):
        if not Span.has_extension(name):
            Span.set_extension(name, default=default)
    if not Doc.has_extension("links"):
        Doc.set_extension("links", default=None)


def mention_spans(doc: Doc) -> list[Span]:
    """Every mention of a doc: its entities, then the separately tagged spans, in text order."""
    extra = list(doc.spans[MENTION_GROUP]) if MENTION_GROUP in doc.spans else []
    return sorted([*doc.ents, *extra], key=lambda s: (s.start_char, s.end_char, s.label_))


def link_of(doc: Doc, span: Span) -> Link | None:
    """The concept a mention was linked to, if any (with its score in ``doc._.links``)."""
    found = (doc._.links or {}).get((span.start_char, span.end_char, span.label_))
    return found[0] if found else None


class AliasLinker:
    """Links each entity of a doc to a concept of its type; the index is handed in, never built here."""

    def __init__(self, nlp: Language, name: str) -> None:
        register_extensions()
        self.name = name
        self.index: AliasIndex | None = None
        self.fuzzy: dict[str, FuzzyLinker] = {}

    def set_index(self, index: AliasIndex, fuzzy: dict[str, FuzzyLinker] | None = None) -> None:
        """Attach the alias index and, per entity type, a fuzzy stage for what exact lookup misses."""
        self.index = index
        self.fuzzy = fuzzy or {}

    def __call__(self, doc: Doc) -> Doc:
        """Set the link attributes on every entity of ``doc``."""
        if self.index is None:
            raise RuntimeError("kg_linker has no alias index: call set_index() before running the pipeline")
        long_forms = _long_forms(doc)
        links: dict[tuple[int, int, str], tuple[Link, float]] = {}
        missed: list[Span] = []
        for span in mention_spans(doc):
            link, score = self._link(span, long_forms)
            if link is None:
                missed.append(span)
            else:
                links[(span.start_char, span.end_char, span.label_)] = (link, score)
        for etype, linker in self.fuzzy.items():
            spans = [s for s in missed if s.label_ == etype]
            texts = [long_forms.get(s.text, s.text) for s in spans]
            for span, match in zip(spans, linker.best(texts) if spans else [], strict=True):
                if match is not None:
                    links[(span.start_char, span.end_char, span.label_)] = (
                        self.index.links[match.curie], round(match.similarity, 4))
        doc._.links = links
        for ent in doc.ents:
            if (found := links.get((ent.start_char, ent.end_char, ent.label_))) is not None:
                _set(ent, *found)
        return doc

    def _link(self, ent: Span, long_forms: dict[str, str]) -> tuple[Link | None, float]:
        assert self.index is not None
        candidates = [(ent.text, 1.0)]
        if ent.text in long_forms:  # an abbreviation defined in this document: its long form decides
            candidates.insert(0, (long_forms[ent.text], 1.0))
        candidates += [(ent.text[: -len(end)] + rep, 0.9) for end, rep in _PLURAL_ENDINGS if ent.text.endswith(end)]
        for text, score in candidates:
            link = self.index.lookup(ent.label_, text)
            if link is not None:
                return link, score
        return None, 0.0


def _set(ent: Span, link: Link, score: float) -> None:
    ent._.curie, ent._.xrefs, ent._.link_score, ent._.concept_name = link.curie, link.xrefs, score, link.name


def _long_forms(doc: Doc) -> dict[str, str]:
    if not Doc.has_extension("abbreviations"):
        return {}
    return {abbr.text: str(abbr._.long_form) for abbr in doc._.abbreviations}


@Language.factory(LINKER, requires=["doc.ents"], assigns=["span._.curie", "span._.xrefs", "span._.link_score"])
def make_linker(nlp: Language, name: str) -> AliasLinker:
    """SpaCy factory for ``kg_linker``."""
    return AliasLinker(nlp, name)
