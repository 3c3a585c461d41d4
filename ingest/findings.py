"""Clinical findings normalised to the Human Phenotype Ontology: a term table and a spaCy phrase-matching component.

Terms come from the HPO's "Phenotypic abnormality" branch (``HP:0000118`` and everything below it through
``is_a``), so that modifiers, modes of inheritance, frequencies and the like ("Mild", "Acute", "Autosomal
dominant") are not findings. Each term is matched by its name and its synonyms, case-insensitively; short
acronym synonyms ("RA", "CP", "MI") are left out, because in clinical notes they usually mean something else
("room air", "chest pain"). A phrase that is a synonym of several terms and the name of none is ambiguous
and left out too.

``load_hpo_terms`` reads ``vocab/hp.json`` into ``FindingTerm`` records (the cacheable part); the
``kg_findings`` component matches them and puts the longest non-overlapping matches in
``doc.spans["findings"]`` with label ``Finding`` and the HPO id as ``kb_id_``.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

__all__ = ["FINDINGS", "FINDING_GROUP", "FINDING_LABEL", "FindingMatcher", "FindingTerm", "load_hpo_terms"]

FINDINGS = "kg_findings"
FINDING_GROUP = "findings"
FINDING_LABEL = "Finding"
PHENOTYPIC_ABNORMALITY = "HP:0000118"
_ACRONYM = re.compile(r"^[A-Za-z0-9]{1,6}s?$")
_MIN_CHARS = 3


@dataclass(frozen=True, slots=True)
class FindingTerm:
    """An HPO term: id, name, the phrases it is matched by, and MeSH / UMLS cross-references (as CURIEs)."""

    curie: str
    name: str
    phrases: tuple[str, ...]
    xrefs: tuple[str, ...] = ()

    def to_json(self) -> dict[str, object]:
        """JSON-ready form (the cache format)."""
        return {"curie": self.curie, "name": self.name, "phrases": list(self.phrases), "xrefs": list(self.xrefs)}

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> FindingTerm:
        """Inverse of :meth:`to_json`."""
        return cls(str(raw["curie"]), str(raw["name"]), tuple(raw["phrases"]), tuple(raw.get("xrefs", ())))


def load_hpo_terms(path: Path, root: str = PHENOTYPIC_ABNORMALITY) -> list[FindingTerm]:
    """Finding terms of ``hp.json`` (records with ``id``, ``name``, ``synonyms``, ``xrefs``, ``relations.is_a``).

    Args:
        path: The HPO as JSON records.
        root: Only this term and its descendants are findings.

    Raises:
        ValueError: ``root`` is not in the file.
    """
    records = json.loads(path.read_text(encoding="utf-8"))
    below = _descendants(records, root)
    owners: dict[str, set[str]] = defaultdict(set)  # lower-cased phrase -> terms using it
    names: dict[str, str] = {}
    for rec in records:
        if rec["id"] in below:
            names[rec["name"].lower()] = rec["id"]
            for phrase in (rec["name"], *rec.get("synonyms", ())):
                if _usable(phrase):
                    owners[phrase.lower()].add(rec["id"])
    terms = []
    for rec in records:
        if rec["id"] not in below:
            continue
        phrases = sorted({p for p in (rec["name"], *rec.get("synonyms", ()))
                          if _usable(p) and _owner(p.lower(), owners, names) == rec["id"]}, key=str.lower)
        if phrases:
            terms.append(FindingTerm(rec["id"], rec["name"], tuple(phrases), _xrefs(rec)))
    return terms


def _descendants(records: list[dict[str, Any]], root: str) -> set[str]:
    children: dict[str, list[str]] = defaultdict(list)
    for rec in records:
        for parent in (rec.get("relations") or {}).get("is_a", ()):
            children[parent].append(rec["id"])
    if root not in children and all(rec["id"] != root for rec in records):
        raise ValueError(f"HPO root term {root} is not in the file")
    seen: set[str] = set()
    stack = [root]
    while stack:
        term = stack.pop()
        if term not in seen:
            seen.add(term)
            stack.extend(children[term])
    return seen


def _usable(phrase: str) -> bool:
    phrase = phrase.strip()
    if len(phrase) < _MIN_CHARS:
        return False
    is_acronym = _ACRONYM.match(phrase) is not None and sum(ch.isupper() for ch in phrase) >= 2
    return not is_acronym


def _owner(phrase: str, owners: dict[str, set[str]], names: dict[str, str]) -> str | None:
    """The term a phrase stands for: the one it names, else its only user; None when ambiguous."""
    if phrase in names:
        return names[phrase]
    users = owners[phrase]
    return next(iter(users)) if len(users) == 1 else None


def _xrefs(rec: dict[str, Any]) -> tuple[str, ...]:
    prefixes = {"MSH": "MESH", "UMLS": "UMLS"}
    return tuple(sorted(f"{prefixes[x['namespace']]}:{x['id']}" for x in rec.get("xrefs", ())
                        if x.get("namespace") in prefixes))


class FindingMatcher:
    """Puts HPO findings in ``doc.spans["findings"]`` (label ``Finding``, ``kb_id_`` the HPO id)."""

    def __init__(self, nlp: Language, name: str) -> None:
        self.name = name
        self.vocab = nlp.vocab
        self.make_doc = nlp.make_doc
        self.matcher: PhraseMatcher | None = None
        self.terms: dict[str, FindingTerm] = {}

    def set_terms(self, terms: Iterable[FindingTerm]) -> None:
        """Build the phrase matcher over the terms' phrases (tokenised with the pipeline's tokenizer)."""
        self.terms = {t.curie: t for t in terms}
        matcher = PhraseMatcher(self.vocab, attr="LOWER")
        pairs = [(t.curie, p) for t in self.terms.values() for p in t.phrases]
        patterns: dict[str, list[Doc]] = defaultdict(list)
        for (curie, _), doc in zip(pairs, (self.make_doc(p) for _, p in pairs), strict=True):
            patterns[curie].append(doc)
        for curie, docs in patterns.items():
            matcher.add(curie, docs)
        self.matcher = matcher

    def __call__(self, doc: Doc) -> Doc:
        """Add the longest non-overlapping findings of ``doc`` to its ``findings`` span group."""
        if self.matcher is None:
            raise RuntimeError(f"{self.name}: no terms; call set_terms() before running the pipeline")
        spans = [Span(doc, start, end, label=FINDING_LABEL, kb_id=self.vocab.strings[key])
                 for key, start, end in self.matcher(doc)]
        doc.spans[FINDING_GROUP] = filter_spans(spans)
        return doc


@Language.factory(FINDINGS, assigns=["doc.spans"])
def make_findings(nlp: Language, name: str) -> FindingMatcher:
    """SpaCy factory of ``kg_findings`` (terms are handed in with ``set_terms``, never loaded here)."""
    return FindingMatcher(nlp, name)
