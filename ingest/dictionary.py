"""A dictionary pass for chemical and disease names the statistical NER missed.

The NER learns the names of its training corpus and is not consistent within a document. After it,
``kg_dictionary`` adds, where they overlap no mention the NER found (leftmost, longest first):

1. the other occurrences of chemical names the NER tagged elsewhere in the same document;
2. MeSH descriptor names and synonyms of diseases: a symptom the NER never saw ("drowsiness",
   "vomiting") is often missed, yet MeSH names it exactly;
3. drug names: names (up to three words) of chemicals that DrugBank knows, so new drugs
   ("etoricoxib", "remifentanil") are found without being in the training corpus. All of MeSH's chemical
   names were tried and rejected: drug classes and "drinking water", which BC5CDR does not annotate, cut
   chemical concept precision from 0.893 to 0.787 (a replay of the pass over cached dev mentions).

Names that an annotated corpus shows are mostly not mentions when they occur are left out.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass

from spacy.language import Language
from spacy.tokens import Doc

from ingest.linking import mention_spans
from ingest.records import Document
from ontologies.kb import AliasIndex

DICTIONARY = "kg_dictionary"
MAX_WORDS = 6
MIN_CHARS = 4  # shorter names are mostly abbreviations, ambiguous out of context
DRUG_MIN_CHARS = 5
DRUG_MAX_WORDS = 3
LOCAL_MIN_CHARS = 3  # names the NER tagged in the document, propagated to their other occurrences ...
PROPAGATED = ("Chemical",)  # ... for chemicals only: for diseases it cost more precision than it gained
MIN_ANNOTATED = 0.3  # a name annotated in fewer of its corpus occurrences is left out ...
MIN_SEEN = 2  # ... once it occurs at least this often
_WORD = re.compile(r"[A-Za-z0-9]+")


@dataclass(frozen=True, slots=True)
class Match:
    """A dictionary name found in a text: character span, entity type, the normalised name."""

    start: int
    end: int
    type: str
    name: str


def normalised(text: str) -> str:
    """The form names are compared in: lower-case words joined by single spaces."""
    return " ".join(word for _, _, word in _words(text))


def find(text: str, terms: Mapping[str, str]) -> Iterator[Match]:
    """Leftmost-longest matches of ``terms`` (normalised name -> type) over the words of ``text``.

    Words are ASCII letters and digits, so a name written with a Greek letter or an accent ("α-methyldopa")
    is left to the NER.
    """
    return _matches(_words(text), terms)


def _words(text: str) -> list[tuple[int, int, str]]:
    return [(m.start(), m.end(), m.group().lower()) for m in _WORD.finditer(text)]


def _matches(words: list[tuple[int, int, str]], terms: Mapping[str, str]) -> Iterator[Match]:
    i = 0
    while i < len(words):
        for n in range(min(MAX_WORDS, len(words) - i), 0, -1):
            name = " ".join(w[2] for w in words[i : i + n])
            if name in terms:
                yield Match(words[i][0], words[i + n - 1][1], terms[name], name)
                i += n
                break
        else:
            i += 1


def dictionary_terms(index: AliasIndex, annotated: Iterable[Document] = ()) -> dict[str, str]:
    """Disease and drug names (normalised -> type) from the alias index, less those rarely annotated.

    ``annotated`` are documents with ``meta["gold_mentions"]`` annotating chemicals and diseases
    (BC5CDR): a name that occurs there ``MIN_SEEN`` times or more but is a gold mention in under
    ``MIN_ANNOTATED`` of them is dropped.
    """
    terms = {alias: etype for (etype, alias), curie in index.exact.items()
             if _disease_name(etype, alias, curie) or _drug_name(etype, alias, curie, index)}
    seen: Counter[str] = Counter()
    hits: Counter[str] = Counter()
    for document in annotated:
        gold = {(m.start, m.end) for m in document.meta.get("gold_mentions", [])}
        for match in find(document.text, terms):
            seen[match.name] += 1
            hits[match.name] += (match.start, match.end) in gold
    return {name: etype for name, etype in terms.items()
            if seen[name] < MIN_SEEN or hits[name] / seen[name] >= MIN_ANNOTATED}


def _disease_name(etype: str, alias: str, curie: str) -> bool:
    return etype == "Disease" and curie.startswith("MESH:D") and len(alias) >= MIN_CHARS


def _drug_name(etype: str, alias: str, curie: str, index: AliasIndex) -> bool:
    if etype != "Chemical" or len(alias) < DRUG_MIN_CHARS or alias.count(" ") >= DRUG_MAX_WORDS:
        return False
    return curie.startswith("DRUGBANK:") or any(x.startswith("DRUGBANK:") for x in index.links[curie].xrefs)


class DictionaryMatcher:
    """Adds dictionary matches that overlap no NER mention to ``doc.ents``."""

    def __init__(self, nlp: Language, name: str) -> None:
        self.name = name
        self.terms: Mapping[str, str] | None = None

    def set_terms(self, terms: Mapping[str, str]) -> None:
        """The dictionary: normalised name -> entity type (see ``dictionary_terms``)."""
        self.terms = terms

    def __call__(self, doc: Doc) -> Doc:
        """Add the matches of ``doc`` that fall on token boundaries and overlap no mention."""
        if self.terms is None:
            raise RuntimeError(f"{self.name}: no dictionary set; call set_terms() first")
        taken = [(s.start_char, s.end_char) for s in mention_spans(doc)]
        local = {name: e.label_ for e in doc.ents
                 if e.label_ in PROPAGATED and len(name := normalised(e.text)) >= LOCAL_MIN_CHARS}
        words = _words(doc.text)
        added = []
        for match in [*_matches(words, local), *_matches(words, self.terms)]:
            if any(s < match.end and match.start < e for s, e in taken):
                continue
            span = doc.char_span(match.start, match.end, label=match.type)
            if span is not None:
                added.append(span)
                taken.append((match.start, match.end))
        if added:
            doc.ents = sorted([*doc.ents, *added], key=lambda s: s.start)
        return doc


@Language.factory(DICTIONARY, assigns=["doc.ents"])
def make_dictionary(nlp: Language, name: str) -> DictionaryMatcher:
    """SpaCy factory of ``kg_dictionary``."""
    return DictionaryMatcher(nlp, name)
