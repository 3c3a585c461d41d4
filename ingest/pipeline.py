"""The literature pipeline: scispaCy tokenizer, sentences, abbreviations, the project's NER, linking.

``build_pipeline`` assembles the spaCy ``Language``; ``Extractor`` turns ``Document`` records into
``Mention`` records (offsets over ``Document.text``) with their linked identifiers.
"""

from __future__ import annotations

import itertools
import multiprocessing
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import spacy
from spacy.language import Language
from spacy.tokens import Doc

from ingest.fuzzy import FuzzyLinker
from ingest.linking import LINKER, register_extensions
from ingest.records import Document, Mention, Relation
from ontologies.kb import AliasIndex

EXTRACTOR_NAME = "kg_engine.ingest.pipeline"


def packaged_model_dir() -> Path:
    """The NER model shipped inside the package (see its ``MODEL_CARD.json``)."""
    return Path(str(resources.files("ingest").joinpath("models", "ner")))


def build_pipeline(index: AliasIndex, model_dir: Path | None = None, fuzzy: dict[str, FuzzyLinker] | None = None
                   ) -> Language:
    """Load the NER model and add sentence boundaries, scispaCy's abbreviation detector and the linker."""
    import scispacy.abbreviation  # noqa: F401  (registers the abbreviation_detector factory)

    import ingest.linking  # noqa: F401  (registers the kg_linker factory)

    register_extensions()
    model_dir = model_dir or packaged_model_dir()
    if not (model_dir / "meta.json").is_file():
        raise FileNotFoundError(f"no NER model at {model_dir}; run `kg train ner` to build one")
    nlp = spacy.load(model_dir)
    nlp.add_pipe("sentencizer", first=True)
    nlp.add_pipe("abbreviation_detector")
    nlp.add_pipe(LINKER).set_index(index, fuzzy)
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
    for doc, document in nlp.pipe(((d.text, d) for d in batch), as_tuples=True):
        names = {ent._.curie: ent._.concept_name for ent in doc.ents if ent._.curie}
        extractions.append(Extraction(document, mentions_of(doc, document.id), names=names))
    return extractions


def _batched(documents: Iterable[Document], size: int) -> Iterator[list[Document]]:
    iterator = iter(documents)
    while batch := list(itertools.islice(iterator, size)):
        yield batch


def mentions_of(doc: Doc, doc_id: str) -> list[Mention]:
    """The entities of a processed doc as ``Mention`` records."""
    return [
        Mention(
            doc_id=doc_id, start=ent.start_char, end=ent.end_char, text=ent.text, type=ent.label_,
            curie=ent._.curie, xrefs=tuple(ent._.xrefs), score=ent._.link_score,
            sentence=(ent.sent.start_char, ent.sent.end_char),
        )
        for ent in doc.ents
    ]
