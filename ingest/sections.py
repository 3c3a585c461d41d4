"""Section headers of clinical notes ("FAMILY HISTORY:", "PAST MEDICAL HISTORY:") and the section of an offset.

Only the headers that change how a mention should be read are classified: a mention under family history
is about a relative, one under past medical / surgical history is historical. Every other header (history
of present illness, assessment, medications, allergies ...) is recognised, so that it ends the previous
section, and named, but carries no default assertion.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

__all__ = ["Section", "find_sections", "section_at"]

# Normalised header name -> the section kind it opens. Kinds other than "family" and "historical" are
# informative only.
_KINDS: dict[str, str] = {
    "family history": "family",
    "family medical history": "family",
    "family hx": "family",
    "fh": "family",
    "past medical history": "historical",
    "past surgical history": "historical",
    "past medical and surgical history": "historical",
    "past history": "historical",
    "medical history": "historical",
    "surgical history": "historical",
    "pmh": "historical",
    "psh": "historical",
    "pmhx": "historical",
    "history of present illness": "present",
    "hpi": "present",
    "chief complaint": "present",
    "social history": "social",
    "medications": "medications",
    "current medications": "medications",
    "discharge medications": "medications",
    "medications on admission": "medications",
    "allergies": "allergies",
    "review of systems": "review",
    "ros": "review",
    "physical examination": "exam",
    "physical exam": "exam",
    "assessment": "assessment",
    "assessment and plan": "assessment",
    "impression": "assessment",
    "plan": "plan",
    "hospital course": "course",
    "laboratory data": "labs",
    "diagnosis": "assessment",
    "discharge diagnosis": "assessment",
    "discharge diagnoses": "assessment",
}

_COLON = re.compile(r":")
_WORDS_BEFORE = re.compile(r"[A-Za-z][A-Za-z/&]*")
_MAX_HEADER_WORDS = 5

@dataclass(frozen=True, slots=True)
class Section:
    """A section: its header text, normalised name, kind, and the character span from header to next header."""

    header: str
    name: str
    kind: str
    start: int
    end: int


def _normalise(header: str) -> str:
    return re.sub(r"\s+", " ", header.strip().lower())


def find_sections(text: str) -> list[Section]:
    """Return the known sections of ``text`` in order (see :func:`_find_sections`)."""
    return list(_find_sections(text))


@lru_cache(maxsize=16)  # the spaCy component asks once per entity of the same note
def _find_sections(text: str) -> tuple[Section, ...]:
    """Return the known sections of ``text`` in order; each runs until the next known header (or the end).

    A header is the longest run of up to five words right before a colon that names a known section, written
    in upper case or title case ("FAMILY HISTORY:", "Past Medical History:"); lower-case prose is no header.
    """
    heads: list[tuple[int, str, str, str]] = []
    for colon in _COLON.finditer(text):
        before = text[max(0, colon.start() - 80) : colon.start()]
        if before and not before[-1].isalpha() and not before[-1].isspace():
            continue
        words = list(_WORDS_BEFORE.finditer(before))[-_MAX_HEADER_WORDS:]
        for i in range(len(words)):
            raw = before[words[i].start() :].strip()
            name = _normalise(raw)
            if name in _KINDS and (raw == raw.upper() or raw.istitle()):
                start = colon.start() - len(before) + words[i].start()
                heads.append((start, raw, name, _KINDS[name]))
                break
    sections = []
    for i, (start, raw, name, kind) in enumerate(heads):
        end = heads[i + 1][0] if i + 1 < len(heads) else len(text)
        sections.append(Section(raw, name, kind, start, end))
    return tuple(sections)


def section_at(text: str, offset: int) -> Section | None:
    """Return the known section holding ``offset``, or None when it lies before every known header."""
    found = None
    for section in _find_sections(text):
        if section.start <= offset < section.end:
            found = section
    return found
