"""Natural language -> typed query plan, offline and without a language model.

A question is split into words, then tagged left to right, longest phrase first: grounded entities (through
a ``Grounder`` the engine supplies: exact names and synonyms, then typos, then MiniLM neighbours), relation
cues, answer-type nouns and shape words. ``cypher.nl_build`` turns the tags into a ``Plan``, or into an
abstention with a reason when the question asks for what the graph does not hold or the parse is unsure.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Protocol

from cypher import nl_lexicon as lex

_NON_WORD = re.compile(r"[^0-9A-Za-z]+")
MAX_ENTITY_WORDS = 8
MAX_LEXICON_WORDS = 5


@dataclass(frozen=True, slots=True)
class Entity:
    """A grounded node: CURIE, name, category, and how it was found (``exact`` | ``fuzzy`` | ``minilm``)."""

    curie: str
    name: str
    category: str
    score: float = 1.0
    how: str = "exact"


class Grounder(Protocol):
    """Finds nodes for a phrase; implemented engine-side over the store's nodes and the vocabularies."""

    def exact(self, phrase: str) -> list[Entity]:
        """Nodes a normalised phrase names exactly (names, synonyms, abbreviations, symbols)."""
        ...

    def fuzzy(self, phrase: str) -> list[Entity]:
        """Nodes a phrase names with a typo or in other words, best first (empty when unsure)."""
        ...


@dataclass(frozen=True, slots=True)
class Tag:
    """One tagged stretch of the question.

    ``kind`` is entity, cue, noun, count, both, not, or, most, top, num, out (an out-of-graph topic), filler
    or unknown.
    """

    kind: str
    start: int
    end: int
    text: str
    value: object = None


@dataclass
class Tagged:
    """A question's words and tags, in order."""

    question: str
    words: list[str]
    raw: list[str]
    tags: list[Tag] = field(default_factory=list)

    def of(self, kind: str) -> list[Tag]:
        """Tags of one kind, in question order."""
        return [t for t in self.tags if t.kind == kind]


def words_of(text: str) -> list[str]:
    """Question words as they were typed: apostrophes dropped (``Crohn's`` -> ``Crohns``), split on the rest."""
    return [w for w in _NON_WORD.split(text.replace("'", "").replace("\u2019", "")) if w]


def normalize(text: str) -> str:
    """The normal form phrases are matched in: lower-case words joined by single spaces."""
    return " ".join(words_of(text)).lower()


_SHAPES: dict[str, str] = {
    **{p: "count" for p in lex.COUNT_PHRASES}, **{p: "both" for p in lex.BOTH}, **{p: "not" for p in lex.NOT},
    **{p: "or" for p in lex.OR}, **{p: "most" for p in lex.MOST}, **{p: "top" for p in lex.TOP},
}


def _lexicon(phrase: str) -> tuple[str, object] | None:
    if phrase in lex.NOUNS:
        return "noun", lex.NOUNS[phrase]
    if phrase in lex.CUES:
        return "cue", lex.CUES[phrase]
    if phrase in _SHAPES:
        return _SHAPES[phrase], None
    if phrase in lex.OUT_OF_GRAPH:
        return "out", lex.OUT_OF_GRAPH[phrase]
    return None


def _plausible(words: list[str], raw: list[str], found: list[Entity]) -> list[Entity]:
    """Drop one-word matches that are ordinary words (``can``, ``set``) unless typed like a symbol."""
    if len(words) > 1:
        return found
    word, typed = words[0], raw[0]
    if word in lex.FILLERS or word in lex.CUES or word in lex.NOUNS or len(word) < 2:
        return [] if not any(c.isupper() for c in typed[1:]) or len(word) < 2 else found
    symbol_like = any(c.isdigit() for c in typed) or typed.isupper() or any(c.isupper() for c in typed[1:])
    if not symbol_like and len(word) <= 3:
        return [e for e in found if e.category != "Gene"]
    return found


def _entity_at(tagged: Tagged, i: int, grounder: Grounder) -> Tag | None:
    words, raw = tagged.words, tagged.raw
    for n in range(min(MAX_ENTITY_WORDS, len(words) - i), 0, -1):
        found = _plausible(words[i : i + n], raw[i : i + n], grounder.exact(" ".join(words[i : i + n])))
        if found:
            return Tag("entity", i, i + n, " ".join(raw[i : i + n]), tuple(found))
    return None


def _lexicon_at(words: list[str], i: int) -> Tag | None:
    for n in range(min(MAX_LEXICON_WORDS, len(words) - i), 0, -1):
        hit = _lexicon(" ".join(words[i : i + n]))
        if hit:
            return Tag(hit[0], i, i + n, " ".join(words[i : i + n]), hit[1])
    return None


def tag(question: str, grounder: Grounder) -> Tagged:
    """Tag a question: longest match first; an entity wins over a lexicon phrase only when it is longer."""
    raw = words_of(question)
    tagged = Tagged(question, [w.lower() for w in raw], raw)
    i = 0
    while i < len(raw):
        word = tagged.words[i]
        lexical = _lexicon_at(tagged.words, i)
        entity = _entity_at(tagged, i, grounder)
        if entity and (lexical is None or entity.end > lexical.end):
            best = entity
        elif lexical:
            best = lexical
        elif word.isdigit() or word in lex.NUMBERS:
            best = Tag("num", i, i + 1, word, int(word) if word.isdigit() else lex.NUMBERS[word])
        elif word in lex.FILLERS:
            best = Tag("filler", i, i + 1, word)
        else:
            best = Tag("unknown", i, i + 1, raw[i])
        tagged.tags.append(best)
        i = best.end
    _ground_unknown(tagged, grounder)
    return tagged


def _ground_unknown(tagged: Tagged, grounder: Grounder) -> None:
    """Runs of unknown words (with fillers inside them) go to the fuzzy stage as one phrase."""
    out: list[Tag] = []
    run: list[Tag] = []

    def flush() -> None:
        while run and run[-1].kind == "filler":
            out.append(run.pop())  # trailing fillers stay fillers (re-sorted below)
        if run:
            phrase = " ".join(t.text for t in run)
            found = grounder.fuzzy(phrase)
            if found:
                out.append(Tag("entity", run[0].start, run[-1].end, phrase, tuple(found)))
            else:
                out.extend(run)
        run.clear()

    for t in tagged.tags:
        if t.kind == "unknown" or (t.kind == "filler" and run and t.text in {"of", "s"}):
            run.append(t)
        else:
            flush()
            out.append(t)
    flush()
    tagged.tags = sorted(out, key=lambda t: t.start)
