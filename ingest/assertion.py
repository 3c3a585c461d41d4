"""Assertion status of a mention in clinical text: affirmed, negated, possible, historical or family.

NegEx / ConText-style rules (Chapman et al. 2001; Harkema et al. 2009). A sentence is tokenised; trigger
phrases are matched longest-first, left to right, so that a pseudo-trigger ("no increase", "not only",
"gram negative") or a longer trigger ("no history of", "not ruled out") hides the shorter one inside it.
A pre-trigger governs the words after it, a post-trigger the words before it, up to ``window`` words, never
past a termination term ("but", "however", "except", "which" ...), a pseudo-trigger, a clause break (";")
or the sentence end. Negation and uncertainty scopes also end at each other's triggers ("no fever, possible
pneumonia"). When several categories govern a mention: negated, then family, possible, historical. A mention
no trigger governs takes the default of its section ("FAMILY HISTORY:" -> family, "PAST MEDICAL HISTORY:" ->
historical), else affirmed.

Public: :func:`assert_status` (pure Python, offsets in, :class:`Assertion` out, with the trigger for
explanation), the spaCy component ``kg_assertion`` (sets ``span._.assertion`` on every entity) and
:func:`evaluate_negex` (scores against the NegEx annotated sentences).
"""

from __future__ import annotations

import csv
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from ingest.sections import section_at

__all__ = [
    "ASSERTION",
    "DEFAULT_WINDOW",
    "Assertion",
    "Status",
    "Trigger",
    "assert_status",
    "evaluate_negex",
    "load_negex_rows",
    "sentence_bounds",
]

ASSERTION = "kg_assertion"
DEFAULT_SPAN_KEYS = ("mentions", "findings")  # span groups annotated besides doc.ents
DEFAULT_WINDOW = 10  # words a trigger reaches; chosen on NegEx reports 1-40 (5: 0.985, 6: 0.987, 10: 0.992 acc)


class Status(StrEnum):
    """Assertion values (stored as plain strings in ``Mention.assertion``)."""

    affirmed = "affirmed"
    negated = "negated"
    possible = "possible"
    historical = "historical"
    family = "family"


# Trigger kinds: a status category, or one of the two that only shape scopes.
PSEUDO = "pseudo"
TERMINATE = "terminate"
PRE, POST, BOTH = "pre", "post", "both"


@dataclass(frozen=True, slots=True)
class Trigger:
    """A trigger phrase found in the text: its kind, direction and character offsets in the full text."""

    phrase: str
    kind: str
    direction: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Assertion:
    """The status of one mention and why: the trigger that decided it (None when affirmed or by section)."""

    status: Status
    trigger: Trigger | None = None
    section: str | None = None

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form: status, trigger phrase and offsets, section name."""
        trig = self.trigger
        return {
            "status": self.status.value,
            "trigger": trig.phrase if trig else None,
            "trigger_start": trig.start if trig else None,
            "trigger_end": trig.end if trig else None,
            "section": self.section,
        }


# --- trigger lists: standard NegEx (Chapman) and ConText (Harkema) phrases, lower case ----------------------

_NEGATED_PRE = """
no | not | without | denies | denied | deny | denying | absence of | absent | negative for | free of | never |
never had | never developed | no evidence | no evidence of | no evidence to suggest | no new evidence |
no other evidence | no sign of | no signs of | no suggestion of | no findings of | no findings to indicate |
no radiographic evidence of | no mammographic evidence of | no history of | no hx of | no complaints of |
no cause of | no abnormal | no new | no significant | no suspicious | no other | nor | neither |
not appear | not appreciate | not associated with | not complain of | not demonstrate | not exhibit |
not feel | not had | not have | not know of | not known to have | not reveal | not see | not to be |
cannot see | fails to reveal | failed to reveal | did not reveal | rather than | ruled out | rules out |
ruled him out | ruled her out | ruled the patient out | unremarkable for | with no | without any |
without any evidence of | without evidence | without evidence of | without indication of | without sign of |
without signs of | resolution of | resolved | declined | declines | n't | negative | w/o |
no family history of | no family hx of | negative family history for | family history negative for
"""

_NEGATED_POST = """
ruled out | is ruled out | was ruled out | are ruled out | were ruled out | been ruled out | has been ruled out |
have been ruled out | being ruled out | was excluded | were excluded | is excluded | are excluded |
been excluded | was negative | were negative | is negative | are negative | negative | free | absent |
is absent | was absent | were absent | resolved | has resolved | have resolved | not seen | not present |
not identified | not demonstrated | not found | not noted | not detected | unlikely | is unlikely |
was unlikely | none
"""

_POSSIBLE_PRE = """
possible | possibly | probable | probably | likely | questionable | question of | questioned | query |
suspect | suspected | suspicious for | suspicion of | suspicion for | concern for | concerning for |
worrisome for | worry for | suggestive of | suggests | suggesting | may | may be | might | could |
could be | rule out | rule him out | rule her out | rule the patient out | r/o | to rule out |
rule out for | evaluate for | evaluation for | to evaluate for | assess for | to assess for | workup for |
work up for | screen for | screening for | test for | tested for | testing for | checked for |
cannot rule out | can not rule out | could not rule out | cannot exclude | can not exclude |
not rule out | differential diagnosis | differential includes | ddx | versus | vs | either |
presumed | presumably | equivocal | uncertain | unclear | if | in case |
should he develop | should she develop | should the patient develop | return for | return if
"""

_POSSIBLE_POST = """
cannot be excluded | can not be excluded | could not be excluded | cannot be ruled out | can not be ruled out |
could not be ruled out | not excluded | not been excluded | not ruled out | not been ruled out |
is not excluded | was not excluded | is not ruled out | was not ruled out | is possible | was possible |
is suspected | was suspected | is questioned | versus | vs | or not | is likely | was likely | suspected |
possible | probable | questionable | ?
"""

_HISTORICAL_PRE = """
history of | h/o | hx of | hx | previous | previously | prior | status post | s/p | past medical history of |
past history of | past medical history | remote | remote history of | history significant for
"""

_HISTORICAL_POST = """
in the past | years ago | months ago | in childhood | as a child | previously | in the distant past
"""

_FAMILY_PRE = """
family history | family history of | family hx | fh | fhx | mother | father | mom | dad | brother | brothers |
sister | sisters | sibling | siblings | aunt | aunts | uncle | uncles | grandmother | grandfather |
grandparent | grandparents | cousin | cousins | parent | parents | son | sons | daughter | daughters |
maternal | paternal | niece | nephew | family member | family members | relative | relatives
"""

_FAMILY_POST = """
in the family | in his family | in her family | in family | runs in the family | in mother | in father
"""

# Pseudo-triggers: look like triggers but are not (NegEx's pseudo list plus ConText's).
_PSEUDO = """
no increase | no increased | no change | without change | without interval change |
without significant change | no changes | no interval change | no significant change |
no suspicious change | no definite change | no significant interval change | not extend | not cause |
not drain | not certain if | not certain whether | not necessarily | not only | not just | not clear |
without difficulty | gram negative | gram-negative | not rule out |
not ruled out | not been ruled out | not excluded | not been excluded | nothing else | no other than |
history and physical | history and | history taking | social history | poor history | sexual history |
medical history and | patient history | clinical history | history of present illness | present illness |
brief history | prior to | previous to | family history noncontributory | family history non-contributory |
whether or not | not had a chance | not been able | not able | not sure | not well | not completely |
not fully | not entirely | not necessary | not needed | not required | unable to rule out | unable to exclude |
by his mother | by her mother | with his mother | with her mother | with his wife | with her husband |
lives with | accompanied by
"""

_TERMINATE = """
but | however | although | though | nevertheless | nonetheless | yet | still | aside from | except |
except for | apart from | other than | besides | because | since | unless | whereas | while |
which | who | whom | whose | as the cause of | as the source of | as the reason of | as the etiology of |
as the origin of | as the cause for | cause of | cause for | causes of | causes for | source of | source for |
sources of | etiology of | etiology for | origin of | origin for | origins of | reason of | reason for |
reasons for | secondary to | due to | presents | presented | presenting | complains | complained | reports |
reported | states | stated | there is | there are | there was | there were | found | showed | shows |
revealed | reveals
"""


def _parse(block: str) -> list[str]:
    return [p.strip() for p in block.replace("\n", " ").split("|") if p.strip()]


_WORD = re.compile(r"\w+?(?=n't\b)|n't|\w+(?:[/-]\w+)*(?:'\w+)?|[^\w\s]")


def _phrase_tokens(phrase: str) -> tuple[str, ...]:
    return tuple(m.group(0) for m in _WORD.finditer(phrase))


def _build_rules() -> dict[tuple[str, ...], list[tuple[str, str]]]:
    table: list[tuple[str, str, str]] = []
    for block, kind, direction in (
        (_NEGATED_PRE, Status.negated.value, PRE),
        (_NEGATED_POST, Status.negated.value, POST),
        (_POSSIBLE_PRE, Status.possible.value, PRE),
        (_POSSIBLE_POST, Status.possible.value, POST),
        (_HISTORICAL_PRE, Status.historical.value, PRE),
        (_HISTORICAL_POST, Status.historical.value, POST),
        (_FAMILY_PRE, Status.family.value, PRE),
        (_FAMILY_POST, Status.family.value, POST),
        (_PSEUDO, PSEUDO, BOTH),
        (_TERMINATE, TERMINATE, BOTH),
    ):
        table += [(phrase, kind, direction) for phrase in _parse(block)]
    rules: dict[tuple[str, ...], list[tuple[str, str]]] = {}
    for phrase, kind, direction in table:
        entries = rules.setdefault(_phrase_tokens(phrase), [])
        if (kind, direction) not in entries:
            entries.append((kind, direction))
    return rules


_RULES = _build_rules()
_MAX_PHRASE = max(len(k) for k in _RULES)
_PRIORITY = (Status.negated, Status.family, Status.possible, Status.historical)
# Scopes of these kinds end at a trigger of the other kind (uncertainty and negation override each other).
_BLOCKERS = {Status.negated.value: {Status.possible.value}, Status.possible.value: {Status.negated.value}}
_CLAUSE_BREAK = {";", ":"}  # a header or label starts a new context

# Sentence ends: . ! ? followed by space and an upper-case letter, digit or "*" (de-identification marks);
# blank lines; a section header run is left to the sections module.
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9*\"(\[])|\n\s*\n")
_ABBREVIATIONS = ("dr.", "mr.", "mrs.", "ms.", "vs.", "e.g.", "i.e.", "st.", "no.", "approx.", "fig.")


def sentence_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    """Return the character span of the sentence holding ``text[start:end]`` (rule-based, no model)."""
    left, right = 0, len(text)
    for match in _SENTENCE_END.finditer(text):
        if text[max(0, match.start() - 8) : match.start()].lower().endswith(_ABBREVIATIONS):
            continue
        if match.end() <= start:
            left = match.end()
        elif match.start() >= end:
            right = match.start()
            break
    return left, right


@dataclass(frozen=True, slots=True)
class _Token:
    text: str
    start: int
    end: int
    is_word: bool


def _tokens(text: str, offset: int) -> list[_Token]:
    return [
        _Token(m.group(0).lower(), m.start() + offset, m.end() + offset, m.group(0)[0].isalnum() or m.group(0) == "n't")
        for m in _WORD.finditer(text)
    ]


def _match_triggers(tokens: list[_Token], skip: tuple[int, int]) -> list[tuple[int, int, str, str, str]]:
    """Longest-first, left-to-right trigger matches as (first token, end token, phrase, kind, direction).

    Tokens ``skip[0]:skip[1]`` (the mention itself) never take part in a trigger.
    """
    found = []
    i = 0
    while i < len(tokens):
        if skip[0] <= i < skip[1]:
            i = skip[1]
            continue
        limit = min(len(tokens), i + _MAX_PHRASE)
        if i < skip[0]:
            limit = min(limit, skip[0])
        for j in range(limit, i, -1):
            key = tuple(t.text for t in tokens[i:j])
            if key in _RULES:
                phrase = " ".join(key)
                for kind, direction in _RULES[key]:
                    found.append((i, j, phrase, kind, direction))
                i = j
                break
        else:
            i += 1
    return found


def _words_between(tokens: list[_Token], a: int, b: int) -> int:
    return sum(1 for t in tokens[a:b] if t.is_word)


def _blocked(tokens: list[_Token], triggers: list[tuple[int, int, str, str, str]], kind: str, a: int, b: int) -> bool:
    """Whether something between token ``a`` (incl.) and ``b`` (excl.) ends a scope of ``kind``."""
    if any(t.text in _CLAUSE_BREAK for t in tokens[a:b]) or _crosses_bracket(tokens, a, b):
        return True
    stoppers = {TERMINATE, PSEUDO} | _BLOCKERS.get(kind, set())
    return any(a <= first and end <= b and other in stoppers for first, end, _, other, _ in triggers)


def _crosses_bracket(tokens: list[_Token], a: int, b: int) -> bool:
    """Whether tokens ``a:b`` hold a ")" closing a bracket opened before ``a``.

    A trigger inside a parenthesis does not reach out of it: "no fever (or chills)" keeps its scope, "(slides
    not submitted) ... leukemia" has none.
    """
    depth = 0
    for t in tokens[a:b]:
        if t.text in "([":
            depth += 1
        elif t.text in ")]":
            if depth == 0:
                return True
            depth -= 1
    return False


def assert_status(
    text: str,
    start: int,
    end: int,
    *,
    sentence: tuple[int, int] | None = None,
    window: int = DEFAULT_WINDOW,
    use_sections: bool = True,
) -> Assertion:
    """Return the assertion status of the mention ``text[start:end]``.

    Args:
        text: The whole note (or sentence); offsets count over it.
        start: First character of the mention.
        end: One past its last character.
        sentence: The span of the mention's sentence, when the caller knows it (a spaCy parse); otherwise a
            rule-based splitter finds it.
        window: How many words after a pre-trigger (before a post-trigger) it governs.
        use_sections: Fall back on the section default (family history -> family, past medical history ->
            historical) when no trigger governs the mention.

    Returns:
        The :class:`Assertion`, with the deciding trigger (its phrase and character offsets in ``text``).

    Raises:
        ValueError: The offsets are not a non-empty span inside ``text``.
    """
    if not (0 <= start < end <= len(text)):
        raise ValueError(f"mention offsets {start}:{end} are outside the text (length {len(text)})")
    left, right = sentence if sentence is not None else sentence_bounds(text, start, end)
    left, right = min(left, start), max(right, end)
    tokens = _tokens(text[left:right], left)
    inside = [k for k, t in enumerate(tokens) if t.end > start and t.start < end]
    m_first, m_end = (inside[0], inside[-1] + 1) if inside else (0, 0)
    triggers = _match_triggers(tokens, (m_first, m_end))

    governing: dict[str, tuple[int, Trigger]] = {}  # kind -> (distance in words, nearest trigger)
    for first, last, phrase, kind, direction in triggers:
        if kind in (PSEUDO, TERMINATE):
            continue
        trig = Trigger(phrase, kind, direction, tokens[first].start, tokens[last - 1].end)
        if direction in (PRE, BOTH) and last <= m_first:
            distance = _words_between(tokens, last, m_first)
            if distance < window and not _blocked(tokens, triggers, kind, last, m_first):
                _keep(governing, kind, distance, trig)
        if direction in (POST, BOTH) and first >= m_end:
            distance = _words_between(tokens, m_end, first)
            if distance < window and not _blocked(tokens, triggers, kind, m_end, first):
                _keep(governing, kind, distance, trig)
    for status in _PRIORITY:
        if status.value in governing:
            return Assertion(status, governing[status.value][1])
    if use_sections:
        section = section_at(text, start)
        if section is not None and section.kind in (Status.family.value, Status.historical.value):
            return Assertion(Status(section.kind), None, section.name)
    return Assertion(Status.affirmed)


def _keep(governing: dict[str, tuple[int, Trigger]], kind: str, distance: int, trig: Trigger) -> None:
    if kind not in governing or distance < governing[kind][0]:
        governing[kind] = (distance, trig)


# --- spaCy component ----------------------------------------------------------------------------------------


def register_extensions() -> None:
    """Declare ``span._.assertion`` and ``span._.assertion_trigger`` (idempotent)."""
    from spacy.tokens import Span

    for name in ("assertion", "assertion_trigger"):
        if not Span.has_extension(name):
            Span.set_extension(name, default=None)


class AssertionComponent:
    """Sets ``span._.assertion`` (a :class:`Status` value) and ``span._.assertion_trigger`` on every mention.

    Mentions are the entities and the spans of the groups named in ``span_keys`` (mentions tagged in a
    separate pass, findings matched against a vocabulary).
    """

    def __init__(self, name: str, window: int = DEFAULT_WINDOW, use_sections: bool = True,
                 span_keys: Iterable[str] = DEFAULT_SPAN_KEYS) -> None:
        register_extensions()
        self.name = name
        self.window = window
        self.use_sections = use_sections
        self.span_keys = tuple(span_keys)

    def __call__(self, doc: Any) -> Any:
        """Annotate the mentions in place; sentence spans come from the doc when it has sentence boundaries."""
        has_sents = doc.has_annotation("SENT_START")
        groups = [doc.spans[key] for key in self.span_keys if key in doc.spans]
        for span in [*doc.ents, *(s for group in groups for s in group)]:
            sentence = (span.sent.start_char, span.sent.end_char) if has_sents else None
            result = assert_status(doc.text, span.start_char, span.end_char, sentence=sentence, window=self.window,
                                   use_sections=self.use_sections)
            span._.assertion = result.status.value
            span._.assertion_trigger = result.trigger
        return doc


def _register_factory() -> None:
    from spacy.language import Language

    if Language.has_factory(ASSERTION):
        return

    @Language.factory(ASSERTION, requires=["doc.ents"], assigns=["span._.assertion"],
                      default_config={"window": DEFAULT_WINDOW, "use_sections": True,
                                      "span_keys": list(DEFAULT_SPAN_KEYS)})
    def make_assertion(nlp: Language, name: str, window: int, use_sections: bool, span_keys: list[str]
                       ) -> AssertionComponent:
        """SpaCy factory for ``kg_assertion``."""
        return AssertionComponent(name, window, use_sections, span_keys)


_register_factory()


# --- evaluation against the NegEx annotated sentences -------------------------------------------------------


@dataclass(frozen=True, slots=True)
class NegexRow:
    """One annotated NegEx sentence: report, concept, sentence, the concept's offsets and the gold label."""

    report: int
    concept: str
    sentence: str
    start: int
    end: int
    gold: str


def _find_concept(concept: str, sentence: str) -> tuple[int, int] | None:
    """Locate the concept: its upper-cased occurrence first (the annotators' mark), else case-insensitively."""
    pattern = r"\s+".join(re.escape(part) for part in concept.split())
    if not pattern:
        return None
    for flags in (0, re.IGNORECASE):
        for match in re.finditer(pattern, sentence, flags):
            if flags == re.IGNORECASE or match.group(0) == match.group(0).upper():
                return match.start(), match.end()
    return None


def load_negex_rows(path: Path) -> tuple[list[NegexRow], list[dict[str, Any]]]:
    """Read the NegEx TSV; returns the usable rows and the skipped ones (line number and reason)."""
    rows: list[NegexRow] = []
    skipped: list[dict[str, Any]] = []
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh, delimiter="\t")
        for line, raw in enumerate(reader, start=2):
            try:
                concept, sentence, gold = raw["Concept"].strip(), raw["Sentence"], raw["Negation"].strip()
                report = int(raw["Report No."])
            except (KeyError, TypeError, ValueError, AttributeError) as exc:
                skipped.append({"line": line, "reason": f"malformed row: {exc}"})
                continue
            span = _find_concept(concept, sentence)
            if span is None:
                skipped.append({"line": line, "reason": f"concept {concept!r} not found in its sentence"})
                continue
            rows.append(NegexRow(report, concept, sentence, span[0], span[1], gold))
    return rows, skipped


def _prf(tp: int, fp: int, fn: int) -> dict[str, float]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(f, 4)}


def evaluate_negex(
    path: Path | None = None,
    reports: tuple[int, int] | None = None,
    window: int = DEFAULT_WINDOW,
    errors: int = 0,
) -> dict[str, Any]:
    """Score :func:`assert_status` on the NegEx annotated sentences (negated -> Negated, else Affirmed).

    Args:
        path: The TSV (``Report No.``, ``Concept``, ``Sentence``, ``Negation``); default: the shared
            ``negex/annotations_reports_1-60.tsv``.
        reports: Only reports in this inclusive range (a development / held-out split).
        window: Passed to :func:`assert_status`.
        errors: How many misclassified rows to include (for error analysis).

    Returns:
        accuracy, per-class precision / recall / F1 for Negated and Affirmed, counts, confusion matrix
        (gold -> predicted), the predicted fine-grained statuses, skipped rows, and optional errors.
    """
    if path is None:
        from ontologies.data import data_dir

        path = data_dir() / "negex" / "annotations_reports_1-60.tsv"
    rows, skipped = load_negex_rows(path)
    if reports is not None:
        rows = [r for r in rows if reports[0] <= r.report <= reports[1]]
    confusion: Counter[tuple[str, str]] = Counter()
    fine: Counter[str] = Counter()
    wrong: list[dict[str, Any]] = []
    for row in rows:
        result = assert_status(row.sentence, row.start, row.end, sentence=(0, len(row.sentence)), window=window,
                               use_sections=False)
        fine[result.status.value] += 1
        predicted = "Negated" if result.status is Status.negated else "Affirmed"
        confusion[(row.gold, predicted)] += 1
        if predicted != row.gold and len(wrong) < errors:
            wrong.append({"report": row.report, "concept": row.concept, "gold": row.gold,
                          **result.as_dict(), "sentence": _excerpt(row)})
    labels = ("Negated", "Affirmed")
    total = sum(confusion.values())
    correct = sum(confusion[(g, g)] for g in labels)
    result: dict[str, Any] = {
        "path": str(path),
        "reports": list(reports) if reports else None,
        "window": window,
        "n": total,
        "accuracy": round(correct / total, 4) if total else 0.0,
    }
    for label in labels:
        other = labels[1 - labels.index(label)]
        result[label.lower()] = _prf(confusion[(label, label)], confusion[(other, label)], confusion[(label, other)])
    result["counts"] = {"gold": {g: sum(confusion[(g, p)] for p in labels) for g in labels},
                        "predicted": {p: sum(confusion[(g, p)] for g in labels) for p in labels},
                        "predicted_status": dict(fine)}
    result["confusion"] = {g: {p: confusion[(g, p)] for p in labels} for g in labels}
    result["skipped"] = skipped
    if errors:
        result["errors"] = wrong
    return result


def _excerpt(row: NegexRow, width: int = 120) -> str:
    a, b = max(0, row.start - width), min(len(row.sentence), row.end + width // 2)
    return row.sentence[a : row.start] + "[[" + row.sentence[row.start : row.end] + "]]" + row.sentence[row.end : b]


def statuses(mentions: Iterable[tuple[str, int, int]]) -> list[Assertion]:
    """Assertion of each ``(text, start, end)`` triple (convenience for batch callers)."""
    return [assert_status(text, start, end) for text, start, end in mentions]
