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

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from kg_engine.diagnosis.knowledge import PHENOTYPIC_ABNORMALITY

if TYPE_CHECKING:
    from spacy.language import Language

    from ingest.findings import FindingTerm
    from kg_engine.load.hpo import HpoRelease

__all__ = ["TextFindings", "build_text_pipeline", "extract_findings", "finding_terms", "load_text_pipeline",
           "plural"]

TERMS_VERSION = "hpo-text-terms-v1"
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
    """Tokenizer, line sentences, sentencizer, HPO findings and assertion status."""
    import spacy

    from ingest.assertion import ASSERTION
    from ingest.findings import FINDING_GROUP, FINDINGS
    from ingest.note_pipeline import LINE_SENTENCES

    nlp = spacy.blank("en")
    nlp.add_pipe(LINE_SENTENCES)
    nlp.add_pipe("sentencizer")
    nlp.add_pipe(FINDINGS).set_terms(terms)
    nlp.add_pipe(ASSERTION, config={"span_keys": [FINDING_GROUP]})
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
