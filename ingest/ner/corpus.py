"""Training corpora as spaCy ``DocBin`` files, tokenised exactly as the pipeline tokenises at run time."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc, DocBin, Span
from spacy.training import biluo_tags_to_spans, iob_to_biluo
from spacy.util import filter_spans

from ingest.records import Document


@dataclass(frozen=True, slots=True)
class AlignmentReport:
    """How many gold mentions became token spans, and how many had to be widened or were dropped."""

    mentions: int
    widened: int
    dropped: int


def documents_to_docs(
    nlp: Language, documents: Iterable[Document], labels: set[str]
) -> Iterator[tuple[Doc, AlignmentReport]]:
    """Tokenise each document and set its gold mentions of ``labels`` as entities.

    A mention whose edges fall inside a token is widened to whole tokens; overlapping mentions keep
    the longest.
    """
    for document in documents:
        doc = nlp.make_doc(document.text)
        spans: list[Span] = []
        widened = dropped = total = 0
        for mention in document.meta.get("gold_mentions", []):
            if mention.type not in labels:
                continue
            total += 1
            span = doc.char_span(mention.start, mention.end, label=mention.type, alignment_mode="expand")
            if span is None:
                dropped += 1
                continue
            widened += int(span.start_char != mention.start or span.end_char != mention.end)
            spans.append(span)
        kept = filter_spans(spans)
        doc.ents = kept
        yield doc, AlignmentReport(total, widened, dropped + len(spans) - len(kept))


def iob_sentences(path: Path, nlp: Language, label: str = "Gene") -> Iterator[Doc]:
    """Read a token-per-line IOB file (``token<TAB>B-X|I-X|O``, blank line between sentences)."""
    words: list[str] = []
    tags: list[str] = []
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            line = line.rstrip("\r\n")
            if not line.strip():
                if words:
                    yield _iob_doc(nlp, words, tags, label)
                words, tags = [], []
                continue
            token, _, tag = line.rpartition("\t")
            words.append(token)
            tags.append(tag if tag == "O" else f"{tag.split('-', 1)[0]}-{label}")
    if words:
        yield _iob_doc(nlp, words, tags, label)


def _iob_doc(nlp: Language, words: list[str], tags: list[str], label: str) -> Doc:
    doc = Doc(nlp.vocab, words=words, spaces=[True] * len(words))
    doc.ents = biluo_tags_to_spans(doc, iob_to_biluo(tags))
    return doc


def write_docbin(docs: Iterable[Doc], path: Path) -> int:
    """Write docs to a ``.spacy`` file; returns how many."""
    docbin = DocBin(store_user_data=False)
    count = 0
    for doc in docs:
        docbin.add(doc)
        count += 1
    path.parent.mkdir(parents=True, exist_ok=True)
    docbin.to_disk(path)
    return count
