"""Tags of a question -> a typed ``Plan``, or an abstention with a reason.

The answer type is the first answer noun (``drugs``, ``genes``) or, without one, what the relation cue
reaches from the anchor. Nouns in between make a chain (``drugs that bind genes associated with X``); each
link takes the cue written between its two ends, else a spare cue, else the noun's own relation
(``targets`` -> binds), else the pair's usual relation, else a two-hop link through a middle category.
Anchors of one category combine by ``both``/``and`` (and), ``or`` (or) and ``but not`` (not).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from cypher import nl_lexicon as lex
from cypher.nl import Entity, Grounder, Tag, Tagged, normalize, tag
from cypher.plan import AllNodes, Anchor, Combine, Hop, NodeSet, Plan, PlanError, Rank, Traverse, edge_rules
from ontologies import load_schema

Triple = tuple[str, str, str]
DEFAULT_TOP = 10
_PREDICT = ("could", "might", "candidate", "candidates", "repurpose", "repurposed", "repurposing", "predict",
            "predicted", "new targets", "new target", "new indications", "new uses")


class Unsure(Exception):
    """The parse cannot stand: the message says why (shown to the user as the abstention reason)."""


@dataclass(frozen=True, slots=True)
class Parse:
    """A question's plan, or why there is none; ``entities`` are the grounded anchors."""

    question: str
    plan: Plan | None
    reason: str | None = None
    entities: tuple[Entity, ...] = ()

    @property
    def abstained(self) -> bool:
        """True when no plan was made."""
        return self.plan is None


def parse(question: str, grounder: Grounder, available: Collection[Triple] | None = None) -> Parse:
    """Parse ``question`` into a plan, or an abstention with its reason.

    ``available`` (the stored (subject, predicate, object) triples) turns a plan over edges the store lacks
    into an abstention.
    """
    tagged = tag(question, grounder)
    try:
        _check_scope(tagged)
        tags = _absorb(tagged.tags)
        plan, entities = _build(tagged, tags)
        if available is not None:
            _check_available(plan, set(available))
    except (Unsure, PlanError) as exc:
        return Parse(question, None, str(exc))
    return Parse(question, plan, None, tuple(entities))


def _check_scope(tagged: Tagged) -> None:
    text = normalize(tagged.question)
    for phrase in lex.WH_OUT:
        if text == phrase or text.startswith(phrase + " "):
            raise Unsure(f"the graph holds relationships between entities, not answers to '{phrase} ...' questions")
    outs = tagged.of("out")
    if outs:
        raise Unsure(f"the graph holds no {outs[0].value} ('{outs[0].text}')")
    unknown = [t.text for t in tagged.of("unknown") if len(t.text) > 2]
    if len(unknown) >= 2:
        raise Unsure(f"unsure parse: did not understand {', '.join(repr(u) for u in unknown)}")


def _absorb(tags: list[Tag]) -> list[Tag]:
    """Let a noun next to an entity of its category name that entity.

    ``the gene ABL1``, ``X as a side effect``: the noun narrows the entity to its category and leaves only
    its relation behind, as a cue.
    """
    content = [t for t in tags if t.kind != "filler"]
    out = list(tags)
    for i, t in enumerate(content):
        if t.kind != "noun":
            continue
        for j in (i - 1, i + 1):
            if 0 <= j < len(content) and content[j].kind == "entity":
                ent = content[j]
                kept = tuple(e for e in ent.value if e.category == t.value[0])
                if kept:
                    k = out.index(ent)
                    out[k] = Tag("entity", ent.start, ent.end, ent.text, kept)
                    out[out.index(t)] = Tag("cue", t.start, t.end, t.text, t.value[1]) if t.value[1] else \
                        Tag("filler", t.start, t.end, t.text)
                    break
    return out


def _hop(key: str, source: str, target: str) -> Hop | None:
    """A hop for relation ``key`` from ``source`` nodes to ``target`` nodes, if the schema has one."""
    for predicate, quals in lex.RELATIONS.get(key, ()):
        directions = ("both",) if source == target and predicate in _symmetric() else ("out", "in")
        for direction in directions:
            try:
                hop = Hop(predicate, direction, target, quals)  # type: ignore[arg-type]
                hop.rule_from(source)
                return hop
            except PlanError:
                continue
    return None


def _symmetric() -> frozenset[str]:
    from cypher.plan import SYMMETRIC

    return SYMMETRIC


def _link(source: str, target: str, keys: list[str]) -> list[Hop] | None:
    """Hops from ``source`` to ``target``: the first key that fits, else the pair's default, else via a middle."""
    ordered = sorted(dict.fromkeys(keys), key=lambda k: lex.PRIORITY.index(k) if k in lex.PRIORITY else 99)
    default = lex.DEFAULTS.get(frozenset({source, target}))
    for key in [*ordered, *([default] if default else [])]:
        hop = _hop(key, source, target)
        if hop:
            return [hop]
    for middle in load_schema().categories:
        for key in ordered:
            first = _hop(key, middle, target)
            back = lex.DEFAULTS.get(frozenset({source, middle}))
            second = _hop(back, source, middle) if back and first else None
            if first and second:
                return [second, first]
            first = _hop(key, source, middle)
            on = lex.DEFAULTS.get(frozenset({middle, target}))
            then = _hop(on, middle, target) if on and first else None
            if first and then:
                return [first, then]
    return None


def _cues_between(tags: list[Tag], start: int, end: int) -> list[str]:
    return [t.value for t in tags if t.kind == "cue" and start <= t.start < end]  # type: ignore[misc]


def _build(tagged: Tagged, tags: list[Tag]) -> tuple[Plan, list[Entity]]:
    entities = [t for t in tags if t.kind == "entity"]
    kinds = {t.kind for t in tags}
    first = tagged.words[0] if tagged.words else ""
    if _is_prediction(tagged, tags):
        return _predict_plan(tags, entities)
    if "count" in kinds:
        return _list_plan(tags, entities, "count")
    if first in lex.BOOLEAN_STARTS and len(entities) >= 2:
        return _boolean_plan(tags, entities)
    if first in lex.BOOLEAN_STARTS and len(entities) < 2:
        raise Unsure("a yes/no question needs two things the graph can relate; found "
                     + (repr(entities[0].text) if entities else "none"))
    return _list_plan(tags, entities, "list")


def _is_prediction(tagged: Tagged, tags: list[Tag]) -> bool:
    """Whether the question asks for predicted (not stored) answers: could / might / candidate / repurpose ..."""
    text = f" {normalize(tagged.question)} "
    words = {t.text.lower() for t in tags if t.kind in ("unknown", "filler", "noun")}
    return any(w in words for w in _PREDICT) or any(f" {p} " in text for p in _PREDICT if " " in p)


def _predict_plan(tags: list[Tag], entities: list[Tag]) -> tuple[Plan, list[Entity]]:
    """A ``predict`` plan: one anchor, one hop to the answer type; the engine's ranker fills the answers."""
    if not entities:
        raise Unsure("a prediction question needs a drug, disease or gene to predict for")
    plan, anchors = _list_plan([t for t in tags if t.kind != "most"], entities[:1], "list")
    if not (isinstance(plan.select, Traverse) and isinstance(plan.select.source, Anchor)):
        raise Unsure("predicted answers cover one-hop questions about one entity (drugs for a disease, targets "
                     "of a drug, genes of a disease)")
    nums = [t.value for t in tags if t.kind == "num"]
    return Plan("predict", plan.select, limit=int(nums[0]) if nums else DEFAULT_TOP), anchors  # type: ignore[call-overload]


def _categories(ent: Tag) -> list[str]:
    return list(dict.fromkeys(e.category for e in ent.value))  # type: ignore[union-attr]


def _pick(ent: Tag, category: str) -> Entity:
    return next(e for e in ent.value if e.category == category)  # type: ignore[union-attr]


def _boolean_plan(tags: list[Tag], entities: list[Tag]) -> tuple[Plan, list[Entity]]:
    a, b = entities[0], entities[1]
    keys = [t.value for t in tags if t.kind == "cue"] + [t.value[1] for t in tags if t.kind == "noun" and t.value[1]]
    for ca in _categories(a):
        for cb in _categories(b):
            hops = _link(ca, cb, keys)  # type: ignore[arg-type]
            if hops:
                node: NodeSet = Anchor(ca, (_pick(a, ca).curie,))
                for hop in hops:
                    node = Traverse(node, hop)
                return Plan("boolean", node, contains=(_pick(b, cb).curie,)), [_pick(a, ca), _pick(b, cb)]
    raise Unsure(f"no relation the graph holds links {a.text!r} and {b.text!r}")


def _list_plan(tags: list[Tag], entities: list[Tag], kind: str) -> tuple[Plan, list[Entity]]:
    most = next((t for t in tags if t.kind == "most"), None)
    nouns = [t for t in tags if t.kind == "noun" and (most is None or t.start < most.start)]
    rank_noun = next((t for t in tags if t.kind == "noun" and most is not None and t.start > most.start), None)
    if most is not None and rank_noun is None:
        raise Unsure("a 'most' question needs what to count (the most genes, side effects ...)")
    if not entities:
        if rank_noun is None or not nouns:
            raise Unsure("no entity of the graph was recognised in the question")
        select: NodeSet = AllNodes(nouns[0].value[0])  # type: ignore[index]
        return _ranked(tags, select, nouns[0], rank_noun, most, kind), []
    select, anchors = _chain(tags, nouns, entities, allow_spare=rank_noun is None)
    if rank_noun is not None:
        return _ranked(tags, select, nouns[0] if nouns else None, rank_noun, most, kind), anchors
    return Plan(kind, select), anchors  # type: ignore[arg-type]


def _ranked(tags: list[Tag], select: NodeSet, head: Tag | None, rank_noun: Tag, most: Tag | None,
            kind: str) -> Plan:
    rank_cat = rank_noun.value[0]  # type: ignore[index]
    near = sorted((t for t in tags if t.kind == "cue"), key=lambda t: abs(t.start - (most.start if most else 0)))
    keys = [t.value for t in near] + ([rank_noun.value[1]] if rank_noun.value[1] else [])  # type: ignore[index]
    hop = next((h for k in keys if (h := _hop(k, select.category, rank_cat))), None)  # type: ignore[arg-type]
    default = lex.DEFAULTS.get(frozenset({select.category, rank_cat}))
    hop = hop or (_hop(default, select.category, rank_cat) if default else None)
    if hop is None:
        raise Unsure(f"no relation links {select.category} to {rank_cat} to count")
    nums = [t.value for t in tags if t.kind == "num"]
    singular = head is not None and not head.text.endswith("s") and not any(t.kind == "top" for t in tags)
    k = int(nums[0]) if nums else (1 if singular else DEFAULT_TOP)  # type: ignore[call-overload]
    return Plan(kind if kind != "list" else "list", select, rank=Rank(hop), limit=k)  # type: ignore[arg-type]


def _answer_category(tags: list[Tag], nouns: list[Tag], anchor_cat: str) -> str:
    if nouns:
        return nouns[0].value[0]  # type: ignore[index]
    keys = [t.value for t in tags if t.kind == "cue"]
    for key in sorted(keys, key=lambda k: lex.PRIORITY.index(k) if k in lex.PRIORITY else 99):  # type: ignore[arg-type]
        for predicate, _ in lex.RELATIONS.get(key, ()):  # type: ignore[call-overload]
            for rule in edge_rules().values():
                if rule.predicate == predicate and anchor_cat in (rule.subject, rule.object):
                    return rule.object if rule.subject == anchor_cat else rule.subject
    partners = {c for pair in lex.DEFAULTS for c in pair if anchor_cat in pair and c != anchor_cat}
    if len(partners) == 1:
        return partners.pop()
    raise Unsure("the question names no relation or answer type the graph holds")


def _chain(tags: list[Tag], nouns: list[Tag], entities: list[Tag], allow_spare: bool) -> tuple[NodeSet, list[Entity]]:
    """The answer set: from the anchors back through the nouns to the answer type."""
    errors = []
    categories = list(dict.fromkeys(c for ent in entities for c in _categories(ent)))
    for strict in (True, False):  # first a category the question's own words link to the answer
        for category in categories:
            try:
                return _chain_for(tags, nouns, entities, category, allow_spare, strict)
            except Unsure as exc:
                errors.append(str(exc))
    raise Unsure(errors[0] if errors else "no anchor")


def _chain_for(tags: list[Tag], nouns: list[Tag], entities: list[Tag], category: str,
               allow_spare: bool, strict: bool = False) -> tuple[NodeSet, list[Entity]]:
    answer = _answer_category(tags, nouns, category)
    cats = [answer, *(n.value[0] for n in nouns[1:]), category] if nouns else [answer, category]  # type: ignore[index]
    marks = [n.start for n in nouns] if nouns else [0]
    marks = [*marks, entities[0].start]
    between = [_cues_between(tags, marks[i], marks[i + 1]) for i in range(len(cats) - 1)]
    used = {k for ks in between for k in ks}
    spare = [t.value for t in tags if t.kind == "cue" and t.value not in used] if allow_spare else []
    hints = [n.value[1] for n in nouns if n.value[1]]  # type: ignore[index]
    hops: list[Hop] = []
    for i in range(len(cats) - 1, 0, -1):  # from the anchor towards the answer
        keys = [*between[i - 1], *spare, *hints]
        if strict and i == len(cats) - 1 and len(entities) > 1 and not any(_hop(k, cats[i], cats[i - 1]) for k in keys):
            raise Unsure(f"no cue links {cats[i]} to {cats[i - 1]}")
        link = _link(cats[i], cats[i - 1], keys)  # type: ignore[arg-type]
        if link is None:
            raise Unsure(f"no relation the graph holds links {cats[i]} to {cats[i - 1]}")
        hops.extend(link)
    anchors = [e for e in entities if category in _categories(e)]
    node: NodeSet | None = None
    picked = []
    for idx, ent in enumerate(anchors):
        path: NodeSet = Anchor(category, (_pick(ent, category).curie,))
        picked.append(_pick(ent, category))
        for hop in hops:
            path = Traverse(path, hop)
        node = path if node is None else Combine(_op(tags, anchors, idx), node, path)
    assert node is not None
    return node, picked


def _op(tags: list[Tag], anchors: list[Tag], idx: int) -> str:
    prev, cur = anchors[idx - 1], anchors[idx]
    span = [t.kind for t in tags if prev.end <= t.start < cur.start]
    after = [t.kind for t in tags if t.start >= cur.end] if idx == len(anchors) - 1 else []
    if "not" in span or "not" in after:
        return "not"
    return "or" if "or" in span else "and"


def _check_available(plan: Plan, available: set[Triple]) -> None:
    """Abstain when a hop walks a relationship the store holds no edges of."""
    hops: list[tuple[str, Hop]] = []

    def walk(node: NodeSet) -> None:
        if isinstance(node, Traverse):
            walk(node.source)
            hops.append((node.source.category, node.hop))
        elif isinstance(node, Combine):
            walk(node.left)
            walk(node.right)

    walk(plan.select)
    if plan.rank is not None:
        hops.append((plan.select.category, plan.rank.hop))
    for source, hop in hops:
        rule = hop.rule_from(source)
        if (rule.subject, rule.predicate, rule.object) not in available:
            raise Unsure(f"the graph holds no {rule.subject}-{rule.predicate}-{rule.object} edges")


__all__ = ["Grounder", "Parse", "Unsure", "parse"]
