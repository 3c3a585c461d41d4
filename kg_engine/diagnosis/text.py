"""Free text and clinical notes -> observed and excluded HPO terms, with the note pipeline's matcher and NegEx.

The note pipeline's HPO finding matcher (``ingest.findings``) and assertion status (``ingest.assertion``) run
on a light spaCy pipeline (tokenizer, line-aware sentences, findings, assertion: no NER, no linker), so a case
description takes milliseconds. Its terms come from the same HPO release as the rankers (``hp.obo``), with
every synonym HPO lists (exact, layperson, plural forms, UK spellings) and a plural for phrases ending in a
count noun ("seizures", "arachnoid cysts"); they are cached under ``$KG_HOME/cache/diagnosis``.

Negated findings ("no hearing loss", "the following features were excluded: ...") become excluded terms;
findings attributed to relatives are left out.
"""

from __future__ import annotations

import bisect
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kg_engine.diagnosis.knowledge import PHENOTYPIC_ABNORMALITY

if TYPE_CHECKING:
    from spacy.language import Language

    from ingest.findings import FindingTerm
    from kg_engine.load.hpo import HpoRelease

__all__ = ["SENTENCE_ASSERTION", "SentenceAssertion", "TextFindings", "build_text_pipeline",
           "extract_findings", "finding_terms", "load_text_pipeline", "plural"]

TERMS_VERSION = "hpo-text-terms-v1"
SENTENCE_ASSERTION = "kg_sentence_assertion"
_UNCOUNTABLE = re.compile(r"(ia|ism|osis|itis|ness|ity|ing|ed|al|ic|ous|ly|ae|ies|us|s|x|sh|ch|um|a|ical|ive|"
                          r"[^aeiou]y)$")
_WORD_Y = re.compile(r"[^aeiou]y$")


def plural(phrase: str) -> str | None:
    """The plural of a phrase ending in a count noun ("Arachnoid cyst" -> "Arachnoid cysts"), else None."""
    words = phrase.split(" ")
    last = words[-1]
    if len(last) < 4 or not last.isalpha() or _UNCOUNTABLE.search(last.lower()):
        return None
    return " ".join([*words[:-1], last + "s"])


def finding_terms(cache_dir: Path, release: HpoRelease | None = None) -> list[FindingTerm]:
    """HPO finding terms of the release (names, synonyms, plurals), built once and cached as JSON."""
    from ingest.findings import FindingTerm, load_hpo_terms
    from kg_engine.load.hpo import HpoRelease
    from ontologies.hpo import read_obo

    release = release or HpoRelease.find()
    ontology = read_obo(release.obo)
    path = cache_dir / f"{TERMS_VERSION}-{ontology.version}.json"
    if path.is_file():
        return [FindingTerm.from_json(raw) for raw in json.loads(path.read_text(encoding="utf-8"))]
    records = []
    for term in ontology.live():
        phrases = [term.name, *(text for text, _, kind in term.synonyms if kind != "abbreviation")]
        extra = [p for p in (plural(x) for x in phrases) if p is not None]
        records.append({"id": term.id, "name": term.name, "synonyms": sorted(set(phrases[1:] + extra) - {term.name}),
                        "relations": {"is_a": list(term.parents)}})
    cache_dir.mkdir(parents=True, exist_ok=True)
    source = cache_dir / f"{TERMS_VERSION}-{ontology.version}.records.json"
    source.write_text(json.dumps(records), encoding="utf-8")
    terms = load_hpo_terms(source, PHENOTYPIC_ABNORMALITY)
    source.unlink()
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps([t.to_json() for t in terms]), encoding="utf-8")
    tmp.replace(path)
    return terms


def build_text_pipeline(terms: list[FindingTerm]) -> Language:
    """Tokenizer, line sentences, sentencizer, HPO findings and assertion status (:class:`SentenceAssertion`)."""
    import spacy

    from ingest.findings import FINDING_GROUP, FINDINGS
    from ingest.note_pipeline import LINE_SENTENCES

    _register_factory()
    nlp = spacy.blank("en")
    nlp.add_pipe(LINE_SENTENCES)
    nlp.add_pipe("sentencizer")
    nlp.add_pipe(FINDINGS).set_terms(terms)
    nlp.add_pipe(SENTENCE_ASSERTION, config={"span_keys": [FINDING_GROUP]})
    return nlp


def load_text_pipeline(cache_dir: Path, version: str | None = None) -> Language:
    """:func:`build_text_pipeline` over the release's terms, with its phrase matcher cached (pickled).

    Building the matcher tokenises some 57k phrases (10-30 s); the pickled matcher loads in a few seconds.
    ``version`` (the HPO release, e.g. ``PhenotypeKB.version``) names the cache without reading ``hp.obo``.
    """
    import pickle

    from ingest.findings import FINDINGS, FindingTerm

    path = cache_dir / f"{TERMS_VERSION}-{version}.matcher.pkl" if version else None
    if path is not None and path.is_file():
        with path.open("rb") as handle:
            saved = pickle.load(handle)  # a file this function wrote into the home's cache
        nlp = build_text_pipeline([])
        finder = nlp.get_pipe(FINDINGS)
        finder.terms = {curie: FindingTerm.from_json(raw) for curie, raw in saved["terms"].items()}
        for curie in finder.terms:
            nlp.vocab.strings.add(curie)  # the matcher reports ids as hashes of these strings
        finder.matcher = saved["matcher"]
        return nlp
    nlp = build_text_pipeline(finding_terms(cache_dir))
    if path is not None:
        finder = nlp.get_pipe(FINDINGS)
        tmp = path.with_suffix(".tmp")
        with tmp.open("wb") as handle:
            pickle.dump({"terms": {c: t.to_json() for c, t in finder.terms.items()}, "matcher": finder.matcher}, handle)
        tmp.replace(path)
    return nlp


@dataclass(frozen=True, slots=True)
class TextFindings:
    """HPO ids a text affirms and denies, with the matched phrases (``(start, end, id, status)``)."""

    observed: tuple[str, ...]
    excluded: tuple[str, ...]
    spans: tuple[tuple[int, int, str, str], ...]


def extract_findings(nlp: Language, text: str) -> TextFindings:
    """Findings of one text; negated ones are excluded, family-history ones dropped.

    Raises:
        ValueError: The text is empty.
    """
    from ingest.findings import FINDING_GROUP

    if not text or not text.strip():
        raise ValueError("empty text: describe the patient's findings")
    doc = nlp(text)
    observed: list[str] = []
    excluded: list[str] = []
    spans = []
    for span in doc.spans.get(FINDING_GROUP, []):
        status = span._.assertion or "affirmed"
        spans.append((span.start_char, span.end_char, span.kb_id_, status))
        if status == "negated":
            excluded.append(span.kb_id_)
        elif status != "family":
            observed.append(span.kb_id_)
    listed = _listed_exclusions(doc)
    for start, end, term, status in spans:
        if status != "negated" and any(a <= start and end <= b for a, b in listed):
            excluded.append(term)
            observed = [t for t in observed if t != term]
    observed = list(dict.fromkeys(observed))
    excluded = [t for t in dict.fromkeys(excluded) if t not in observed]
    return TextFindings(tuple(observed), tuple(excluded), tuple(spans))


_CUE = re.compile(r"\b(?:were|was|are|is|been)\s+"
                  r"(?:excluded|absent|ruled out|not (?:observed|present|found|seen|reported))"
                  r"|\b(?:excluded|absent|negative)\s*(?:findings|features)?\s*:", re.IGNORECASE)


def _listed_exclusions(doc: object) -> list[tuple[int, int]]:
    """Character ranges of lists that a sentence states are absent.

    "The following features were excluded: A, B" (the list after the cue) and "A and B were absent" (the
    list before it, from the sentence start or the last semicolon); NegEx's word window misses long lists.
    """
    ranges = []
    for sent in doc.sents:  # type: ignore[attr-defined]
        text, offset = sent.text, sent.start_char
        for cue in _CUE.finditer(text):
            if text[cue.end() : cue.end() + 2].lstrip().startswith(":") or cue.group().rstrip().endswith(":"):
                ranges.append((offset + cue.end(), offset + len(text)))
            else:
                left = text.rfind(";", 0, cue.start()) + 1
                ranges.append((offset + left, offset + cue.start()))
    return ranges


class _Sentence:
    """One sentence's tokens and, per token, the ends of the trigger phrases starting there (shortest first)."""

    def __init__(self, text: str, left: int, right: int) -> None:
        from ingest import assertion as ax

        self.left, self.right = left, right
        self.tokens = ax._tokens(text[left:right], left)
        self.starts = [t.start for t in self.tokens]
        self.ends_at = [t.end for t in self.tokens]
        words = [t.text for t in self.tokens]
        n = len(words)
        self.ends = [[j for j in range(i + 1, min(n, i + ax._MAX_PHRASE) + 1) if tuple(words[i:j]) in ax._RULES]
                     for i in range(n)]

    def triggers(self, skip: tuple[int, int]) -> list[tuple[int, int, str, str, str]]:
        """``ingest.assertion._match_triggers`` of this sentence from the precomputed phrase ends."""
        from ingest import assertion as ax

        tokens, found, i, n = self.tokens, [], 0, len(self.tokens)
        while i < n:
            if skip[0] <= i < skip[1]:
                i = skip[1]
                continue
            limit = min(n, i + ax._MAX_PHRASE)
            if i < skip[0]:
                limit = min(limit, skip[0])
            j = next((j for j in reversed(self.ends[i]) if j <= limit), None)
            if j is None:
                i += 1
                continue
            key = tuple(t.text for t in tokens[i:j])
            phrase = " ".join(key)
            found.extend((i, j, phrase, kind, direction) for kind, direction in ax._RULES[key])
            i = j
        return found


def sentence_status(text: str, sentence: _Sentence, start: int, end: int, window: int, use_sections: bool) -> Any:
    """``ingest.assertion.assert_status`` of a mention inside ``sentence`` (tokens and triggers reused)."""
    from ingest import assertion as ax
    from ingest.sections import section_at

    tokens = sentence.tokens
    lo = bisect.bisect_right(sentence.ends_at, start)  # first token ending after the mention starts
    hi = bisect.bisect_left(sentence.starts, end)  # tokens starting before the mention ends
    m_first, m_end = (lo, hi) if hi > lo else (0, 0)
    triggers = sentence.triggers((m_first, m_end))
    governing: dict[str, tuple[int, Any]] = {}
    for first, last, phrase, kind, direction in triggers:
        if kind in (ax.PSEUDO, ax.TERMINATE):
            continue
        trig = ax.Trigger(phrase, kind, direction, tokens[first].start, tokens[last - 1].end)
        if direction in (ax.PRE, ax.BOTH) and last <= m_first:
            distance = ax._words_between(tokens, last, m_first)
            if distance < window and not ax._blocked(tokens, triggers, kind, last, m_first):
                ax._keep(governing, kind, distance, trig)
        if direction in (ax.POST, ax.BOTH) and first >= m_end:
            distance = ax._words_between(tokens, m_end, first)
            if distance < window and not ax._blocked(tokens, triggers, kind, m_end, first):
                ax._keep(governing, kind, distance, trig)
    for status in ax._PRIORITY:
        if status.value in governing:
            return ax.Assertion(status, governing[status.value][1])
    if use_sections:
        section = section_at(text, start)
        if section is not None and section.kind in (ax.Status.family.value, ax.Status.historical.value):
            return ax.Assertion(ax.Status(section.kind), None, section.name)
    return ax.Assertion(ax.Status.affirmed)


class SentenceAssertion:
    """The note pipeline's assertion status (``kg_assertion``), with each sentence tokenised and scanned once.

    A case description is one or two long sentences naming dozens of findings; ``kg_assertion`` re-reads the
    sentence (spaCy's ``span.sent`` walk, tokens, trigger scan) for every finding, ~200 ms per case. Here a
    sentence's tokens and trigger phrase ends are computed once and each finding only rescans the phrase ends
    (the same longest-first, left-to-right matches, since a finding's own tokens still break the scan). A
    finding that crosses its sentence's end falls back to ``ingest.assertion.assert_status``.
    """

    def __init__(self, name: str, window: int, use_sections: bool, span_keys: Iterable[str]) -> None:
        from ingest.assertion import register_extensions

        register_extensions()
        self.name, self.window, self.use_sections, self.span_keys = name, window, use_sections, tuple(span_keys)

    def __call__(self, doc: Any) -> Any:
        """Set ``span._.assertion`` and ``span._.assertion_trigger`` on the spans of ``span_keys``."""
        from ingest.assertion import assert_status

        spans = [s for key in self.span_keys if key in doc.spans for s in doc.spans[key]]
        if not spans:
            return doc
        bounds = [(s.start_char, s.end_char) for s in doc.sents] if doc.has_annotation("SENT_START") else []
        firsts = [b[0] for b in bounds]
        sentences: dict[int, _Sentence] = {}
        for span in spans:
            k = bisect.bisect_right(firsts, span.start_char) - 1
            if k < 0 or span.end_char > bounds[k][1]:
                result = assert_status(doc.text, span.start_char, span.end_char, sentence=bounds[k] if k >= 0 else None,
                                       window=self.window, use_sections=self.use_sections)
            else:
                if k not in sentences:
                    sentences[k] = _Sentence(doc.text, *bounds[k])
                result = sentence_status(doc.text, sentences[k], span.start_char, span.end_char, self.window,
                                         self.use_sections)
            span._.assertion = result.status.value
            span._.assertion_trigger = result.trigger
        return doc


def _register_factory() -> None:
    from spacy.language import Language

    from ingest.assertion import DEFAULT_WINDOW

    if Language.has_factory(SENTENCE_ASSERTION):
        return

    @Language.factory(SENTENCE_ASSERTION, assigns=["span._.assertion"],
                      default_config={"window": DEFAULT_WINDOW, "use_sections": True, "span_keys": ["findings"]})
    def make_sentence_assertion(nlp: Language, name: str, window: int, use_sections: bool,
                                span_keys: list[str]) -> SentenceAssertion:
        """SpaCy factory for ``kg_sentence_assertion``."""
        return SentenceAssertion(name, window, use_sections, span_keys)
