"""The literature pipeline: scispaCy tokenizer, sentences, abbreviations, the project's NER, linking.

``build_pipeline`` assembles the spaCy ``Language``; ``Extractor`` turns ``Document`` records into
``Mention`` records (offsets over ``Document.text``) with their linked identifiers.
"""

from __future__ import annotations

import itertools
import multiprocessing
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import cast

import spacy
from spacy.language import Language
from spacy.tokens import Doc, Span

from ingest.dictionary import DICTIONARY
from ingest.fuzzy import FuzzyLinker
from ingest.linking import LINKER, MENTION_GROUP, link_of, mention_spans, register_extensions
from ingest.records import Document, Mention, Relation
from ingest.relations import RELATIONS, RelationComponent, RelationExtractor
from ontologies.kb import AliasIndex

EXTRACTOR_NAME = "kg_engine.ingest.pipeline"
SEPARATE_NER = "kg_separate_ner"
# NER components run on their own copy of each doc, so their mentions may overlap other entities: a gene
# product named like a chemical ("insulin") is a mention of both. Their spans go to doc.spans.
SEPARATE_PASS = ("ner_gene",)


class SeparatePassNER:
    """Runs a trained NER on a fresh copy of the doc and adds what it finds to ``doc.spans[MENTION_GROUP]``."""

    def __init__(self, nlp: Language, name: str) -> None:
        self.name = name
        self.ner: Callable[[Doc], Doc] | None = None

    def set_ner(self, ner: Callable[[Doc], Doc]) -> None:
        """The NER component to run (sourced from the trained model)."""
        self.ner = ner

    def __call__(self, doc: Doc) -> Doc:
        """Tag a copy of ``doc`` and keep the spans found."""
        if self.ner is None:
            raise RuntimeError(f"{self.name}: no NER set; build the pipeline with build_pipeline()")
        copy = self.ner(Doc(doc.vocab, words=[t.text for t in doc], spaces=[bool(t.whitespace_) for t in doc]))
        spans = [Span(doc, e.start, e.end, label=e.label_) for e in copy.ents]
        existing = list(doc.spans[MENTION_GROUP]) if MENTION_GROUP in doc.spans else []
        doc.spans[MENTION_GROUP] = existing + spans
        return doc


@Language.factory(SEPARATE_NER, assigns=["doc.spans"])
def make_separate_ner(nlp: Language, name: str) -> SeparatePassNER:
    """Factory of ``kg_separate_ner``."""
    return SeparatePassNER(nlp, name)


def packaged_model_dir() -> Path:
    """The NER model shipped inside the package (see its ``MODEL_CARD.json``)."""
    return Path(str(resources.files("ingest").joinpath("models", "ner")))


def build_pipeline(index: AliasIndex, model_dir: Path | None = None, fuzzy: dict[str, FuzzyLinker] | None = None,
                   relations: RelationExtractor | None = None, dictionary: Mapping[str, str] | None = None
                   ) -> Language:
    """Load the NER model; add sentence boundaries, abbreviations, the linker and, if given, the relations.

    ``dictionary`` (see ``ingest.dictionary``) adds disease and drug names the NER missed, before linking.
    """
    import scispacy.abbreviation  # noqa: F401  (registers the abbreviation_detector factory)

    import ingest.linking  # noqa: F401  (registers the kg_linker factory)

    register_extensions()
    model_dir = model_dir or packaged_model_dir()
    if not (model_dir / "meta.json").is_file():
        raise FileNotFoundError(f"no NER model at {model_dir}; run `kg train ner` to build one")
    nlp = spacy.load(model_dir)
    nlp.add_pipe("sentencizer", first=True)
    for name in SEPARATE_PASS:
        if name in nlp.pipe_names:
            _, ner = nlp.remove_pipe(name)
            nlp.add_pipe(SEPARATE_NER, name=name, last=True).set_ner(ner)
    if dictionary is not None:
        nlp.add_pipe(DICTIONARY).set_terms(dictionary)
    nlp.add_pipe("abbreviation_detector")
    nlp.add_pipe(LINKER).set_index(index, fuzzy)
    if relations is not None:
        nlp.add_pipe(RELATIONS).set_extractor(relations)
    return nlp


@dataclass(frozen=True, slots=True)
class Extraction:
    """What the pipeline found in one document."""

    document: Document
    mentions: list[Mention]
    relations: list[Relation] = field(default_factory=list)
    names: dict[str, str] = field(default_factory=dict)  # preferred name of each linked CURIE

    def to_json(self) -> dict[str, object]:
        """The ``kg extract`` JSONL line for this document."""
        return {
            "doc_id": self.document.id,
            "mentions": [
                {"start": m.start, "end": m.end, "text": m.text, "type": m.type, "curie": m.curie,
                 "xrefs": list(m.xrefs), "score": m.score}
                for m in self.mentions
            ],
            "relations": [
                {"subject": r.subject, "predicate": r.predicate, "object": r.object, "score": r.score,
                 "evidence": [{"start": p.sentence_span[0], "end": p.sentence_span[1]} for p in r.evidence
                              if p.sentence_span]}
                for r in self.relations
            ],
        }


class Extractor:
    """Runs a pipeline over documents in batches."""

    def __init__(self, nlp: Language, batch_size: int = 32, n_process: int = 1) -> None:
        self.nlp = nlp
        self.batch_size = batch_size
        self.n_process = n_process

    def extract(self, documents: Iterable[Document]) -> Iterator[Extraction]:
        """Yield one ``Extraction`` per document, in order.

        With ``n_process`` > 1, batches go to forked worker processes that return ``Extraction`` records
        (spaCy's own multiprocessing would ship whole ``Doc`` objects back, and scispaCy's abbreviation
        spans cannot be serialised). Workers inherit the loaded pipeline and knowledge base on fork.
        """
        batches = _batched(documents, self.batch_size)
        if self.n_process <= 1:
            for batch in batches:
                yield from _extract_batch(self.nlp, batch)
            return
        global _WORKER_NLP
        _WORKER_NLP = self.nlp
        context = multiprocessing.get_context("fork")
        with context.Pool(self.n_process) as pool:
            for extracted in pool.imap(_worker_batch, batches):
                yield from extracted


_WORKER_NLP: Language | None = None


def _worker_batch(batch: list[Document]) -> list[Extraction]:
    assert _WORKER_NLP is not None
    return _extract_batch(_WORKER_NLP, batch)


def _extract_batch(nlp: Language, batch: list[Document]) -> list[Extraction]:
    extractions = []
    relations = cast(RelationComponent, nlp.get_pipe(RELATIONS)) if RELATIONS in nlp.pipe_names else None
    for doc, document in nlp.pipe(((d.text, d) for d in batch), as_tuples=True):
        names = {link.curie: link.name for link, _ in (doc._.links or {}).values()}
        mentions = mentions_of(doc, document.id)
        found = relations.extract(document, mentions) if relations is not None else []
        extractions.append(Extraction(document, mentions, found, names=names))
    return extractions


def _batched(documents: Iterable[Document], size: int) -> Iterator[list[Document]]:
    iterator = iter(documents)
    while batch := list(itertools.islice(iterator, size)):
        yield batch


def mentions_of(doc: Doc, doc_id: str) -> list[Mention]:
    """The mentions of a processed doc (entities and separately tagged spans) as ``Mention`` records."""
    links = doc._.links or {}
    mentions = []
    for span in mention_spans(doc):
        link = link_of(doc, span)
        score = links[(span.start_char, span.end_char, span.label_)][1] if link else None
        mentions.append(Mention(
            doc_id=doc_id, start=span.start_char, end=span.end_char, text=span.text, type=span.label_,
            curie=link.curie if link else None, xrefs=link.xrefs if link else (), score=score,
            sentence=(span.sent.start_char, span.sent.end_char),
        ))
    return mentions
