"""Tags of a question -> a typed ``Plan``, or an abstention with a reason.

The answer type is the first answer noun (``drugs``, ``genes``) or, without one, what the relation cue
reaches from the anchor. Nouns in between make a chain (``drugs that bind genes associated with X``); each
link takes the cue written between its two ends (the first link also a cue written outside them: "what side
effects do drugs for epilepsy *cause*"), else the noun's own relation (``targets`` -> binds), else the pair's
usual relation, else a two-hop link through a middle category.
Anchors of one category combine by ``both``/``and`` (and), ``or`` (or) and ``but not`` (not).

A cue keeps its meaning or the question is refused: when no relation it may stand for joins the two
categories, the link is neither the pair's usual relation nor a detour through another one (only a membership
bridge: a class's member drugs, a pathway's genes), and a causal cue ("cause", "induce", "lead to", "side
effect") says which causal relation is missing ("no causal relation between Compound and Disease"). Nor is a
link the usual relation when the question has a word the parser does not know where its verb would be
("drugs that *worsen* asthma" is not "drugs that treat asthma").
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import TypeVar

from cypher import nl_lexicon as lex
from cypher.nl import Entity, Grounder, Tag, Tagged, normalize, tag
from cypher.plan import (
    LOADS,
    AllNodes,
    Anchor,
    Combine,
    EdgeRule,
    Hop,
    NodeSet,
    Plan,
    PlanError,
    Rank,
    Traverse,
    edge_rules,
    walked_rules,
)
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
        stored = set(available) if available is not None else None
        plan, entities = _build(tagged, tags, stored)
        if stored is not None:
            _check_available(plan, stored)
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


def _ordered(keys: Sequence[str]) -> list[str]:
    return sorted(dict.fromkeys(keys), key=lambda k: lex.PRIORITY.index(k) if k in lex.PRIORITY else 99)


def _link(source: str, target: str, cues: Sequence[str], hints: Sequence[str] = (), unknown: Sequence[str] = ()
          ) -> list[Hop] | None:
    """Hops from ``source`` to ``target``.

    The first of the question's ``cues`` or the answer nouns' ``hints`` that fits; when a cue was given and none
    fits, a membership bridge to it or ``Unsure``; else the pair's default, else a detour through a middle
    category. ``unknown`` are words the parser did not understand where the link's verb would be: a link the
    question's own words do not name is then ``Unsure`` rather than guessed.
    """
    for key in _ordered([*cues, *hints]):
        hop = _hop(key, source, target)
        if hop:
            return [hop]
    if cues:  # the question names the relation: keep its meaning or refuse
        bridged = _via_middle(source, target, _ordered(cues), lex.BRIDGES)
        if bridged:
            return bridged
        raise Unsure(_unrelated(source, target, cues))
    if unknown:
        raise Unsure(f"did not understand {unknown[0]!r}: no relation of the graph between {target} and {source} "
                     "is named by it")
    default = lex.DEFAULTS.get(frozenset({source, target}))
    hop = _hop(default, source, target) if default else None
    if hop:
        return [hop]
    return _via_middle(source, target, _ordered(hints), None)


def _via_middle(source: str, target: str, keys: list[str], bridges: frozenset[str] | None) -> list[Hop] | None:
    """Two hops through a middle category: one of ``keys`` and the usual relation of the other pair.

    ``bridges`` limits that usual relation to these keys (``None``: any).
    """
    def bridge(a: str, b: str) -> str | None:
        key = lex.DEFAULTS.get(frozenset({a, b}))
        return key if key and (bridges is None or key in bridges) else None

    for middle in load_schema().categories:
        for key in keys:
            first = _hop(key, middle, target)
            back = bridge(source, middle)
            second = _hop(back, source, middle) if back and first else None
            if first and second:
                return [second, first]
            first = _hop(key, source, middle)
            on = bridge(middle, target)
            then = _hop(on, middle, target) if on and first else None
            if first and then:
                return [first, then]
    return None


def _between_pair(a: str, b: str) -> list[str]:
    """The predicates the schema relates categories ``a`` and ``b`` by (either direction)."""
    return sorted({r.predicate for r in edge_rules().values() if {r.subject, r.object} == {a, b}})


_KEY_NAMES = {"treats": "treatment", "palliates": "palliation", "not_indicated": "non-indication",
              "binds": "binding", "associated": "association", "presents": "symptom", "localizes": "location",
              "member": "class membership", "pathway": "pathway membership", "resembles": "similarity",
              "interacts": "interaction", "expresses": "expression", "up": "upregulation", "down": "downregulation",
              "processes": "Gene Ontology"}


def _unrelated(source: str, target: str, cues: Sequence[str]) -> str:
    """Why no relation a cue stands for links ``source`` to ``target``."""
    others = _between_pair(source, target)
    held = f"; the schema relates them only by {', '.join(others)}" if others else ""
    if any(k in lex.CAUSAL for k in cues):
        return f"no causal relation between {target} and {source} in this graph{held}"
    key = _ordered(cues)[0]
    return f"no {_KEY_NAMES.get(key, key)} relation between {target} and {source} in this graph{held}"


def _cues_between(tags: list[Tag], start: int, end: int) -> list[str]:
    return [t.value for t in tags if t.kind == "cue" and start <= t.start < end]  # type: ignore[misc]


def _unknown_between(tags: list[Tag], start: int, end: int) -> list[str]:
    return [t.text for t in tags if t.kind == "unknown" and start <= t.start < end]


def _build(tagged: Tagged, tags: list[Tag], available: set[Triple] | None = None) -> tuple[Plan, list[Entity]]:
    entities = [t for t in tags if t.kind == "entity"]
    kinds = {t.kind for t in tags}
    first = tagged.words[0] if tagged.words else ""
    if _is_prediction(tagged, tags):
        return _predict_plan(tags, entities, available)
    if "count" in kinds:
        return _list_plan(tags, entities, "count", available)
    if first in lex.BOOLEAN_STARTS and len(entities) >= 2:
        return _boolean_plan(tags, entities, available)
    if first in lex.BOOLEAN_STARTS and len(entities) < 2:
        raise Unsure("a yes/no question needs two things the graph can relate; found "
                     + (repr(entities[0].text) if entities else "none"))
    return _list_plan(tags, entities, "list", available)


def _is_prediction(tagged: Tagged, tags: list[Tag]) -> bool:
    """Whether the question asks for predicted (not stored) answers: could / might / candidate / repurpose ..."""
    text = f" {normalize(tagged.question)} "
    words = {t.text.lower() for t in tags if t.kind in ("unknown", "filler", "noun")}
    return any(w in words for w in _PREDICT) or any(f" {p} " in text for p in _PREDICT if " " in p)


def _predict_plan(tags: list[Tag], entities: list[Tag], available: set[Triple] | None = None
                  ) -> tuple[Plan, list[Entity]]:
    """A ``predict`` plan: one anchor, one hop to the answer type; the engine's ranker fills the answers."""
    if not entities:
        raise Unsure("a prediction question needs a drug, disease or gene to predict for")
    words = {w for p in _PREDICT for w in p.split()}  # the prediction words are understood: not unknown verbs
    kept = [Tag("filler", t.start, t.end, t.text) if t.kind == "unknown" and t.text.lower() in words else t
            for t in tags if t.kind != "most"]
    plan, anchors = _list_plan(kept, entities[:1], "list", available)
    if not (isinstance(plan.select, Traverse) and isinstance(plan.select.source, Anchor)):
        raise Unsure("predicted answers cover one-hop questions about one entity (drugs for a disease, targets "
                     "of a drug, genes of a disease)")
    nums = [t.value for t in tags if t.kind == "num"]
    return Plan("predict", plan.select, limit=int(nums[0]) if nums else DEFAULT_TOP), anchors  # type: ignore[call-overload]


def _categories(ent: Tag) -> list[str]:
    return list(dict.fromkeys(e.category for e in ent.value))  # type: ignore[union-attr]


def _pick(ent: Tag, category: str) -> Entity:
    return next(e for e in ent.value if e.category == category)  # type: ignore[union-attr]


def _boolean_plan(tags: list[Tag], entities: list[Tag], available: set[Triple] | None = None
                  ) -> tuple[Plan, list[Entity]]:
    a, b = entities[0], entities[1]
    # In a yes/no question a noun names the relation asked about ("is X a side effect of Y"), as a cue does.
    cues = [t.value for t in tags if t.kind == "cue"] + [t.value[1] for t in tags if t.kind == "noun" and t.value[1]]
    unknown = [t.text for t in tags if t.kind == "unknown"]
    errors: list[str] = []
    found: list[tuple[NodeSet, tuple[str, str]]] = []
    for ca in _categories(a):
        for cb in _categories(b):
            try:
                hops = _link(ca, cb, cues, (), unknown)  # type: ignore[arg-type]
                if not hops:
                    continue
                node: NodeSet = Anchor(ca, (_pick(a, ca).curie,))
                for hop in hops:
                    node = Traverse(node, hop)
                _check_stored(node, available)
            except Unsure as exc:
                errors.append(str(exc))
                continue
            found.append((node, (ca, cb)))
    if not found:
        raise Unsure(errors[0] if errors else f"no relation the graph holds links {a.text!r} and {b.text!r}")
    node, (ca, cb) = _curated_first(found)
    return Plan("boolean", node, contains=(_pick(b, cb).curie,)), [_pick(a, ca), _pick(b, cb)]


def _list_plan(tags: list[Tag], entities: list[Tag], kind: str, available: set[Triple] | None = None
               ) -> tuple[Plan, list[Entity]]:
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
    late = next((n for n in nouns[1:] if n.start > entities[0].start), None)
    if late is not None:  # "drugs that have <a disease> as a side effect": the noun is a role, not a link
        raise Unsure(_late_noun(tags, late, entities[0]))
    select, anchors = _chain(tags, nouns, entities, rank_noun is None, available)
    if rank_noun is not None:
        return _ranked(tags, select, nouns[0] if nouns else None, rank_noun, most, kind), anchors
    return Plan(kind, select), anchors  # type: ignore[arg-type]


def _late_noun(tags: list[Tag], noun: Tag, entity: Tag) -> str:
    """Why a noun after the anchor, behind other nouns, cannot be read."""
    gap = [t for t in tags if entity.end <= t.start < noun.start]
    if all(t.kind == "filler" for t in gap):
        cats = " or ".join(_categories(entity))
        name = entity.value[0].name  # type: ignore[index]
        return f"{name!r} is a {cats} in this graph, not a {noun.value[0]}"  # type: ignore[index]
    return f"unsure parse: {noun.text!r} follows {entity.text!r} and joins no part of the question"


def _ranked(tags: list[Tag], select: NodeSet, head: Tag | None, rank_noun: Tag, most: Tag | None,
            kind: str) -> Plan:
    rank_cat = rank_noun.value[0]  # type: ignore[index]
    near = sorted((t for t in tags if t.kind == "cue"), key=lambda t: abs(t.start - (most.start if most else 0)))
    keys = [t.value for t in near] + ([rank_noun.value[1]] if rank_noun.value[1] else [])  # type: ignore[index]
    hop = next((h for k in keys if (h := _hop(k, select.category, rank_cat))), None)  # type: ignore[arg-type]
    if hop is None and near and near[0].value in lex.CAUSAL:  # "genes that cause the most diseases"
        raise Unsure(_unrelated(rank_cat, select.category, [near[0].value]))  # type: ignore[list-item]
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


def _chain(tags: list[Tag], nouns: list[Tag], entities: list[Tag], allow_spare: bool,
           available: set[Triple] | None = None) -> tuple[NodeSet, list[Entity]]:
    """The answer set: from the anchors back through the nouns to the answer type.

    An anchor of several categories ("hypertension": a Disease and a SideEffect) takes the first whose chain
    the store holds edges of, curated edges before text-mined ones.
    """
    errors = []
    categories = list(dict.fromkeys(c for ent in entities for c in _categories(ent)))
    for strict in (True, False):  # first a category the question's own words link to the answer
        found = []
        for category in categories:
            try:
                node, picked = _chain_for(tags, nouns, entities, category, allow_spare, strict)
                _check_stored(node, available)
            except Unsure as exc:
                errors.append(str(exc))
                continue
            found.append((node, picked))
        if found:
            return _curated_first(found)
    raise Unsure(errors[0] if errors else "no anchor")


def _check_stored(node: NodeSet, available: set[Triple] | None) -> None:
    """``Unsure`` when ``node`` walks a relationship the store holds no edges of (nothing checked without a store)."""
    for rule in walked_rules(node) if available is not None else ():
        if (rule.subject, rule.predicate, rule.object) not in available:  # type: ignore[operator]
            raise Unsure(_missing(rule))


_T = TypeVar("_T")


def _curated_first(found: list[tuple[NodeSet, _T]]) -> tuple[NodeSet, _T]:
    """The first candidate that walks no text-mined relation, else the first."""
    return next((f for f in found if all(r.source != "literature" for r in walked_rules(f[0]))), found[0])


def _chain_for(tags: list[Tag], nouns: list[Tag], entities: list[Tag], category: str,
               allow_spare: bool, strict: bool = False) -> tuple[NodeSet, list[Entity]]:
    answer = _answer_category(tags, nouns, category)
    cats = [answer, *(n.value[0] for n in nouns[1:]), category] if nouns else [answer, category]  # type: ignore[index]
    marks = [n.start for n in nouns] if nouns else [0]
    marks = [*marks, entities[0].start]
    between = [_cues_between(tags, marks[i], marks[i + 1]) for i in range(len(cats) - 1)]
    used = {k for ks in between for k in ks}
    spare = [t.value for t in tags if t.kind == "cue" and t.value not in used] if allow_spare else []
    # A noun's own relation (``targets`` -> binds) hints at the links it ends; a causal one names its link as a
    # cue would ("side effects of X"): never the usual relation.
    own = [n.value[1] for n in nouns]  # type: ignore[index]
    unknown = [_unknown_between(tags, marks[i], marks[i + 1]) for i in range(len(cats) - 1)]
    loose = [t.text for t in tags if t.kind == "unknown" and not any(marks[i] <= t.start < marks[i + 1]
                                                                      for i in range(len(cats) - 1))]
    hops: list[Hop] = []
    for i in range(len(cats) - 1, 0, -1):  # from the anchor towards the answer
        # Cues and unknown words outside every link's span belong to the first: "what X do Y <verb>".
        cues = [*between[i - 1], *(spare if i == 1 else [])]
        hints = [h for h in own[i - 1 : i + 1] if h]
        keys = [*cues, *hints]
        if i - 1 < len(own) and own[i - 1] in lex.CAUSAL:
            cues.append(own[i - 1])
        if strict and i == len(cats) - 1 and len(entities) > 1 and not any(_hop(k, cats[i], cats[i - 1]) for k in keys):
            raise Unsure(f"no cue links {cats[i]} to {cats[i - 1]}")
        link = _link(cats[i], cats[i - 1], cues, hints,  # type: ignore[arg-type]
                     [*unknown[i - 1], *(loose if i == 1 else [])])
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
    for rule in plan.rules():
        if (rule.subject, rule.predicate, rule.object) not in available:
            raise Unsure(_missing(rule))


def _missing(rule: EdgeRule) -> str:
    """Why a plan over a triple the store holds no edges of is refused, and what would supply them."""
    triple = f"{rule.subject}-{rule.predicate}-{rule.object}"
    if rule.source == "literature":
        where = f"they are text-mined from abstracts: load literature with `{LOADS['literature']}`"
    else:
        where = f"load them with `{LOADS.get(rule.source, 'kg load')}`"
    lead = f"no causal relation between {rule.subject} and {rule.object} in this graph: " \
        if rule.predicate == "causes" else ""
    return f"{lead}the graph holds no {triple} edges ({where})"


__all__ = ["Grounder", "Parse", "Unsure", "parse"]
