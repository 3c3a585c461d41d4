"""Masking of protected health information in evidence snippets taken from clinical notes.

What is masked, and with which placeholder:

- ``[DATE]``: numeric dates (3/14/2019, 2019-03-14, 14.03.2019, 3/2019) and dates with month names (Sep 27 2007,
  September 27, 2007, 27 Sep 2007, March 2019);
- ``[PHONE]``: telephone numbers, found by ``phonenumbers`` (Google's libphonenumber) for a default region;
- ``[EMAIL]``: e-mail addresses;
- ``[MRN]``: the value after a medical-record, account, patient-id or social-security label (MRN: 123456,
  Acct #: A-998), social-security-shaped numbers, and any run of seven or more digits;
- ``[NAME]``: the name after a title (Dr., Mr., Mrs., Ms., Miss, Prof.), the value of a name field (Name:,
  Patient Name:, Attending:, Signed by ...), a name followed by a credential (Jane Roe, MD), and a signature line;
- ``[AGE]``: ages over 89 (a HIPAA Safe Harbor identifier);
- ``**NAME[...]``-style marks that de-identification tools leave behind: by their kind.

Rules, not a model: they over-mask rather than under-mask (a seven-digit lab value becomes ``[MRN]``), and a
bare name without any of these cues is not found. Snippets are masked from spans found over the whole note,
so a label just outside the snippet still masks its value inside it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import phonenumbers

__all__ = ["PhiMasker", "PhiSpan", "find_phi", "mask_phi"]

_MONTH = (r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|"
          r"Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?")
_DAY = r"(?:[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?"
_DATES = [
    rf"\b{_MONTH}\s+{_DAY},?\s+(?:19|20)\d\d\b",  # Sep 27 2007, September 27, 2007
    rf"\b{_DAY}\s+{_MONTH},?\s+(?:19|20)\d\d\b",  # 27 Sep 2007
    rf"\b{_MONTH},?\s+(?:19|20)\d\d\b",  # March 2019
    rf"\b{_MONTH}\s+{_DAY}\b(?!\s*(?:mg|ml|units?|%))",  # Sep 27
    r"\b(?:0?[1-9]|1[0-2])[/-](?:0?[1-9]|[12]\d|3[01])[/-](?:\d{4}|\d\d)\b",  # 3/14/2019, 03-14-19
    r"\b(?:0?[1-9]|[12]\d|3[01])[./](?:0?[1-9]|1[0-2])[./](?:\d{4}|\d\d)\b",  # 14.03.2019, 14/03/2019
    r"\b(?:19|20)\d\d[-/.](?:0?[1-9]|1[0-2])[-/.](?:0?[1-9]|[12]\d|3[01])\b",  # 2019-03-14
    r"\b(?:0?[1-9]|1[0-2])/(?:19|20)\d\d\b",  # 3/2019
]
_TITLE = r"\b(?:Dr|Mr|Mrs|Ms|Miss|Prof)\.?[ \t]+"
_NAME_WORD = r"[A-Z][A-Za-z'\-]+"
_NAME_RUN = rf"(?:{_NAME_WORD}|[A-Z]\.)(?:[ \t](?:{_NAME_WORD}|[A-Z]\.?(?![A-Za-z])))*"  # one blank between words
_CREDENTIAL = r"(?:M\.?D\.?|D\.?O\.?|R\.?N\.?|N\.?P\.?|PA-C|P\.?A\.?|Ph\.?D\.?|MBBS|FACP|FACC)\b"
_NAME_LABEL = (r"(?:Patient[ \t]+Name|Name|Attending(?:[ \t]+Physician)?|Physician|Provider|Resident|Nurse|PCP|"
               r"Primary[ \t]+Care[ \t]+Physician|Referring[ \t]+Physician|Surgeon|Dictated[ \t]+by|"
               r"Transcribed[ \t]+by|(?:Electronically[ \t]+)?Signed[ \t]+by|Cosigned[ \t]+by|cc)")
_ID_LABEL = (r"(?:MRN|MR[ \t]*#|Med(?:ical)?[ \t]+Rec(?:ord)?(?:[ \t]+(?:Number|No\.?|#))?|Acc(?:oun)?t\.?"
             r"(?:[ \t]+(?:Number|No\.?))?[ \t]*#?|Patient[ \t]+ID|Pt[ \t]+ID|SSN|Social[ \t]+Security(?:[ \t]+"
             r"(?:Number|No\.?))?|Encounter(?:[ \t]+(?:Number|No\.?|ID))?|Visit[ \t]+(?:Number|No\.?|ID))")
_DEID_KINDS = {"NAME": "NAME", "DATE": "DATE", "ID-NUM": "MRN", "PHONE": "PHONE", "AGE": "AGE", "EMAIL": "EMAIL"}

# (label, pattern, group holding the part to mask: 0 = the whole match)
_RULES: list[tuple[str, re.Pattern[str], int]] = [
    ("DEID", re.compile(r"\*\*[A-Z][A-Z\-]*(?:\[[^\]\n]*\])?"), 0),
    ("EMAIL", re.compile(r"\b[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)+\b"), 0),
    *[("DATE", re.compile(p, re.IGNORECASE), 0) for p in _DATES],
    ("MRN", re.compile(rf"\b{_ID_LABEL}[ \t]*[:#]?[ \t]*([A-Z]{{0,3}}[\-]?\d[\dA-Z\-]{{2,}})", re.IGNORECASE), 1),
    ("MRN", re.compile(r"\b\d{3}-\d{2}-\d{4}\b"), 0),
    ("MRN", re.compile(r"(?<![\d.,])\d{7,}(?![\d.,]\d)"), 0),
    ("NAME", re.compile(rf"{_TITLE}({_NAME_RUN})"), 1),
    ("NAME", re.compile(rf"\b{_NAME_LABEL}[ \t]*:[ \t]*(?:{_TITLE})?({_NAME_RUN}(?:,[ \t]*{_NAME_RUN})*)"), 1),
    ("NAME", re.compile(rf"\b({_NAME_WORD}(?:[ \t]+[A-Z]\.)?[ \t]+{_NAME_WORD}),?[ \t]+{_CREDENTIAL}"), 1),
    ("NAME", re.compile(rf"^[ \t]*(?:--+|/s/)[ \t]*({_NAME_RUN})", re.MULTILINE), 1),
    ("AGE", re.compile(r"\b(?:9\d|1[0-4]\d)(?=[- ](?:year|yr|y/?o)\b)", re.IGNORECASE), 0),
]


@dataclass(frozen=True, slots=True)
class PhiSpan:
    """One stretch of protected health information: character offsets and the kind of placeholder."""

    start: int
    end: int
    label: str

    @property
    def placeholder(self) -> str:
        """What replaces the stretch: ``[DATE]``, ``[NAME]`` ..."""
        return f"[{self.label}]"


def find_phi(text: str, region: str = "US") -> list[PhiSpan]:
    """Every PHI stretch of ``text``, non-overlapping, in order (the longer of two overlapping ones wins)."""
    found = [*_rule_spans(text), *_phone_spans(text, region)]
    found.sort(key=lambda s: (s.start, -(s.end - s.start)))
    kept: list[PhiSpan] = []
    for span in found:
        if kept and span.start < kept[-1].end:
            if span.end > kept[-1].end and span.end - span.start > kept[-1].end - kept[-1].start:
                kept[-1] = span
            continue
        kept.append(span)
    return kept


def mask_phi(text: str, region: str = "US") -> str:
    """``text`` with every PHI stretch replaced by its placeholder."""
    return PhiMasker(text, region).mask(0, len(text))


class PhiMasker:
    """PHI spans of one note, found once; masks any stretch of it (an evidence snippet) on demand."""

    def __init__(self, text: str, region: str = "US") -> None:
        self.text = text
        self.spans = find_phi(text, region)

    def mask(self, start: int, end: int) -> str:
        """``text[start:end]`` with PHI replaced; a span cut by the stretch's edge is masked all the same."""
        pieces, at = [], start
        for span in self.spans:
            if span.end <= start or span.start >= end:
                continue
            pieces.append(self.text[at : max(at, span.start)])
            pieces.append(span.placeholder)
            at = max(at, min(span.end, end))
        pieces.append(self.text[at:end])
        return "".join(pieces)


def _rule_spans(text: str) -> list[PhiSpan]:
    spans = []
    for label, pattern, group in _RULES:
        for match in pattern.finditer(text):
            start, end = match.span(group)
            if start == end:
                continue
            if label == "DEID":
                kind = match.group(0)[2:].split("[", 1)[0]
                spans.append(PhiSpan(start, end, _DEID_KINDS.get(kind, "REDACTED")))
            else:
                spans.append(PhiSpan(start, end, label))
    return spans


def _phone_spans(text: str, region: str) -> list[PhiSpan]:
    matcher = phonenumbers.PhoneNumberMatcher(text, region, leniency=phonenumbers.Leniency.POSSIBLE)
    return [PhiSpan(m.start, m.end, "PHONE") for m in matcher]
