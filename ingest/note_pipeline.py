"""The clinical-note pipeline: the literature pipeline plus line-aware sentences, HPO findings and assertion status.

``build_note_pipeline`` takes the literature ``Language`` (tokenizer, Chemical/Disease NER, abbreviations,
linker), drops the gene pass (notes are read for findings, diseases and drugs), and adds:

1. ``kg_line_sentences`` before the sentencizer: a line that starts with a capital, a digit or a bullet
   starts a sentence (notes are lists and headers as much as prose; NegEx scopes must not run across them);
2. ``kg_findings``: HPO findings by phrase matching (``ingest.findings``);
3. ``kg_assertion``: affirmed / negated / possible / historical / family for every entity and finding, with
   the section's default (``FAMILY HISTORY:`` -> family, ``PAST MEDICAL HISTORY:`` -> historical).

``NoteExtractor`` turns ``Document`` records into ``NoteExtraction`` records: mentions of findings (HPO),
diseases (MeSH, DOID xrefs) and drugs (chemicals that reach DrugBank), each with its assertion and section.
"""

from __future__ import annotations

import itertools
import multiprocessing
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc, Span

from ingest.assertion import ASSERTION
from ingest.findings import FINDING_GROUP, FINDINGS, FindingTerm
from ingest.fuzzy import FuzzyLinker
from ingest.linking import link_of, mention_spans
from ingest.pipeline import build_pipeline
from ingest.records import Document, Mention
from ingest.sections import Section, find_sections
from ontologies.kb import AliasIndex

__all__ = ["LINE_SENTENCES", "NOTE_EXTRACTOR", "NoteExtraction", "NoteExtractor", "build_note_pipeline",
           "extract_notes", "failure_reason", "note_mentions"]

NOTE_EXTRACTOR = "kg_engine.ingest.note_pipeline"
LINE_SENTENCES = "kg_line_sentences"
NOTE_TYPES = ("Finding", "Disease", "Chemical")
_BULLETS = frozenset("-*•·>#")


@Language.component(LINE_SENTENCES, assigns=["token.is_sent_start"])
def line_sentences(doc: Doc) -> Doc:
    """Start a sentence at each line that begins with a capital, a digit or a bullet, and after a blank line."""
    for token in doc[1:]:
        before = doc[token.i - 1]
        if token.is_space or "\n" not in before.text + before.whitespace_:
            continue
        first = token.text[0]
        blank = (before.text + before.whitespace_).count("\n") > 1
        if blank or first.isupper() or first.isdigit() or first in _BULLETS:
            token.is_sent_start = True
    return doc


def build_note_pipeline(index: AliasIndex, terms: Iterable[FindingTerm], model_dir: Path | None = None,
                        fuzzy: dict[str, FuzzyLinker] | None = None) -> Language:
    """The literature pipeline without its gene pass, with line sentences, HPO findings and assertion status."""
    nlp = build_pipeline(index, model_dir, fuzzy)
    if "ner_gene" in nlp.pipe_names:
        nlp.remove_pipe("ner_gene")
    nlp.add_pipe(LINE_SENTENCES, before="sentencizer")
    nlp.add_pipe(FINDINGS).set_terms(terms)
    nlp.add_pipe(ASSERTION, config={"span_keys": [FINDING_GROUP]})
    return nlp


@dataclass(frozen=True, slots=True)
class NoteExtraction:
    """What the pipeline found in one note: mentions (``assertion`` set), the sections, concept names."""

    document: Document
    mentions: list[Mention]
    sections: tuple[Section, ...] = ()
    names: dict[str, str] = field(default_factory=dict)

    def section_of(self, mention: Mention) -> Section | None:
        """The section holding a mention (None before the first known header)."""
        found = None
        for section in self.sections:
            if section.start <= mention.start < section.end:
                found = section
        return found

    def to_json(self) -> dict[str, object]:
        """Mentions with type, CURIE, assertion and section (the note's id and offsets; no text of it)."""
        return {
            "doc_id": self.document.id,
            "mentions": [
                {"start": m.start, "end": m.end, "type": m.type, "curie": m.curie, "xrefs": list(m.xrefs),
                 "score": m.score, "assertion": m.assertion,
                 "section": s.name if (s := self.section_of(m)) else None}
                for m in self.mentions
            ],
        }


def note_mentions(doc: Doc, doc_id: str, terms: dict[str, FindingTerm]) -> list[Mention]:
    """Findings, linked diseases and linked drugs of a processed note, in text order.

    A disease entity that overlaps a finding and reaches no DOID disease is a sign or symptom ("chest pain"
    is MeSH C23 and HPO alike): the finding stands for it. A chemical counts as a drug when it reaches
    DrugBank.
    """
    sentence = _sentence_of(doc)
    findings = [_finding(span, doc_id, terms, sentence) for span in doc.spans.get(FINDING_GROUP, [])]
    taken = [(f.start, f.end) for f in findings]
    mentions = list(findings)
    for span in mention_spans(doc):
        link = link_of(doc, span)
        if link is None or span.label_ not in NOTE_TYPES:
            continue
        ids = (link.curie, *link.xrefs)
        if span.label_ == "Chemical" and not any(x.startswith("DRUGBANK:") for x in ids):
            continue
        overlaps = any(a < span.end_char and span.start_char < b for a, b in taken)
        if span.label_ == "Disease" and overlaps and not any(x.startswith("DOID:") for x in ids):
            continue
        score = doc._.links[(span.start_char, span.end_char, span.label_)][1]
        mentions.append(Mention(doc_id, span.start_char, span.end_char, span.text, span.label_, link.curie,
                                link.xrefs, score, _assertion(span), sentence(span)))
    return sorted(mentions, key=lambda m: (m.start, m.end, m.type))


def _finding(span: Span, doc_id: str, terms: dict[str, FindingTerm],
             sentence: Callable[[Span], tuple[int, int] | None]) -> Mention:
    term = terms[span.kb_id_]
    return Mention(doc_id, span.start_char, span.end_char, span.text, span.label_, term.curie, term.xrefs, 1.0,
                   _assertion(span), sentence(span))


def _assertion(span: Span) -> str:
    return span._.assertion or "affirmed"


def _sentence_of(doc: Doc) -> Callable[[Span], tuple[int, int] | None]:
    has_sents = doc.has_annotation("SENT_START")
    return lambda span: (span.sent.start_char, span.sent.end_char) if has_sents else None


OnNoteError = Callable[[Document, str], None]


class NoteExtractor:
    """Runs the note pipeline over documents in batches; a note that breaks the pipeline is reported, not fatal.

    With ``n_process`` > 1, batches go to forked worker processes that inherit the loaded pipeline and
    return ``NoteExtraction`` records (the same scheme as ``ingest.pipeline.Extractor``).
    """

    def __init__(self, nlp: Language, batch_size: int = 32, n_process: int = 1) -> None:
        self.nlp = nlp
        self.batch_size = batch_size
        self.n_process = n_process

    def extract(self, documents: Iterable[Document], on_error: OnNoteError = lambda d, r: None
                ) -> Iterator[NoteExtraction]:
        """Yield one ``NoteExtraction`` per note that could be processed, in order.

        A batch that raises is re-run note by note; each failing note goes to ``on_error`` with the
        exception's type (never its message, which may quote the note).
        """
        iterator = iter(documents)
        batches = iter(lambda: list(itertools.islice(iterator, self.batch_size)), [])
        if self.n_process <= 1:
            results: Iterable[_BatchResult] = (_run_batch(self.nlp, batch) for batch in batches)
            yield from _unpack(results, on_error)
            return
        global _WORKER_NLP
        _WORKER_NLP = self.nlp
        with multiprocessing.get_context("fork").Pool(self.n_process) as pool:
            yield from _unpack(pool.imap(_worker_batch, batches), on_error)


# A batch's extractions, and the notes that failed with the reason.
_BatchResult = tuple[list[NoteExtraction], list[tuple[Document, str]]]
_WORKER_NLP: Language | None = None


def _unpack(results: Iterable[_BatchResult], on_error: OnNoteError) -> Iterator[NoteExtraction]:
    for extractions, failures in results:
        for document, reason in failures:
            on_error(document, reason)
        yield from extractions


def _worker_batch(batch: list[Document]) -> _BatchResult:
    assert _WORKER_NLP is not None
    return _run_batch(_WORKER_NLP, batch)


def extract_notes(nlp: Language, documents: Iterable[Document]) -> list[NoteExtraction]:
    """One ``NoteExtraction`` per note, in order; raises when the pipeline fails on any of them."""
    terms: dict[str, FindingTerm] = nlp.get_pipe(FINDINGS).terms
    return [_extraction(doc, d, terms) for doc, d in nlp.pipe(((d.text, d) for d in documents), as_tuples=True)]


def failure_reason(exc: Exception) -> str:
    """Why a note was not processed: the error's type only (its message may quote the note)."""
    return f"pipeline failed on this note ({type(exc).__name__})"


def _run_batch(nlp: Language, batch: list[Document]) -> _BatchResult:
    try:
        return extract_notes(nlp, batch), []
    except Exception:  # any component may fail on a strange note: find which note it was
        extractions, failures = [], []
        for document in batch:
            try:
                extractions.extend(extract_notes(nlp, [document]))
            except Exception as exc:  # reported by type only: a message may quote the note
                failures.append((document, failure_reason(exc)))
        return extractions, failures


def _extraction(doc: Doc, document: Document, terms: dict[str, FindingTerm]) -> NoteExtraction:
    mentions = note_mentions(doc, document.id, terms)
    names = {link.curie: link.name for link, _ in (doc._.links or {}).values()}
    names.update({m.curie: terms[m.curie].name for m in mentions if m.type == "Finding" and m.curie})
    return NoteExtraction(document, mentions, tuple(find_sections(doc.text)), names)
