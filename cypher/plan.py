"""A typed query plan: anchors, schema-checked hops, set operations, filters, aggregates, order and limit.

Every part checks itself against ``ontologies/schema.yaml`` when it is built, so a plan naming an unknown
category or predicate, or walking a relationship against its direction, raises ``PlanError`` and can never
reach a compiler. ``cypher.plan_compile`` turns a plan into Cypher for each backend's dialect.

Example:
    >>> t2d = Anchor("Disease", ("DOID:9352",))
    >>> drugs = Traverse(t2d, Hop("treats", "in", "Compound"))
    >>> Plan("list", drugs).select.category
    'Compound'
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Literal

from ontologies import load_schema

Direction = Literal["out", "in", "both"]
Kind = Literal["list", "count", "boolean", "predict"]
# Relationship types whose stored direction carries no meaning: a hop along them matches either way.
SYMMETRIC = frozenset({"chemically_similar_to", "similar_to", "physically_interacts_with", "coexpressed_with"})
FILTER_PROPERTIES = frozenset({"name", "curie"})
FILTER_OPS = frozenset({"equals", "contains", "starts_with"})
MAX_ROWS = 10_000


class PlanError(ValueError):
    """A plan the schema does not allow: unknown label, wrong direction, mixed categories, bad limit."""


@dataclass(frozen=True, slots=True)
class EdgeRule:
    """One (subject, predicate, object) the schema allows, with the qualifier values its edges may carry."""

    subject: str
    predicate: str
    object: str
    qualifiers: frozenset[tuple[str, str]] = frozenset()
    source: str = "hetionet"  # the schema source that first supplies the triple (see ``LOADS``)


# How a home gets the edges of each source's triples (named in abstentions over edges the store lacks).
LOADS = {"hetionet": "kg load hetionet", "pharmacotherapydb": "kg load indications",
         "literature": "kg ingest literature"}


@cache
def edge_rules() -> dict[tuple[str, str, str], EdgeRule]:
    """Every allowed triple: Hetionet's metaedges, PharmacotherapyDB's and literature's relations.

    PharmacotherapyDB adds its compound -> disease predicates; literature the relations ``kg ingest literature``
    mines from abstracts (``chemical_induces_disease`` -> Compound ``causes`` Disease, with evidence).
    """
    schema = load_schema()
    rules: dict[tuple[str, str, str], set[tuple[str, str]]] = {}
    sources: dict[tuple[str, str, str], str] = {}
    for mapping in schema.hetionet_metaedges().values():
        key = (mapping.subject, mapping.predicate, mapping.object)
        rules.setdefault(key, set()).update(mapping.qualifiers)
        sources.setdefault(key, "hetionet")
    for category in schema.sources["pharmacotherapydb"]["categories"]:
        key = ("Compound", schema.indication_predicate(category).name, "Disease")
        rules.setdefault(key, set())
        sources.setdefault(key, "pharmacotherapydb")
    for label in schema.sources["literature"]["relations"]:
        words = label.split("_")  # <subject type>_<verb ...>_<object type>, as ingest.relations labels them
        key = (schema.category(words[0]).name, schema.text_relation_predicate(label).name,
               schema.category(words[-1]).name)
        rules.setdefault(key, set())
        sources.setdefault(key, "literature")
    return {key: EdgeRule(*key, frozenset(quals), sources[key]) for key, quals in rules.items()}


def check_category(name: str) -> str:
    """``name`` when it is one of the schema's categories (exact store label), else ``PlanError``."""
    if name not in load_schema().categories:
        raise PlanError(f"unknown category {name!r}; valid: {', '.join(sorted(load_schema().categories))}")
    return name


@dataclass(frozen=True, slots=True)
class Hop:
    """One step along a relationship type from the current node set to nodes of ``target``.

    ``direction`` is ``out`` when the current nodes are the relationship's subjects, ``in`` when they are its
    objects, ``both`` for symmetric predicates only. ``qualifiers`` pin qualifier values; a value of ``None``
    asks for edges without that qualifier (plain ``expresses`` rather than up/down regulation).
    """

    predicate: str
    direction: Direction
    target: str
    qualifiers: tuple[tuple[str, str | None], ...] = ()

    def __post_init__(self) -> None:
        if self.predicate not in load_schema().predicates:
            raise PlanError(f"unknown predicate {self.predicate!r}")
        check_category(self.target)
        if self.direction not in ("out", "in", "both"):
            raise PlanError(f"direction must be out, in or both, not {self.direction!r}")
        if self.direction == "both" and self.predicate not in SYMMETRIC:
            raise PlanError(f"{self.predicate} has a direction; walk it out or in")
        end = "subject" if self.direction == "in" else "object"
        if not any(getattr(r, end) == self.target for r in edge_rules().values() if r.predicate == self.predicate):
            raise PlanError(f"no {self.predicate} relationship has a {self.target} {end}")

    def rule_from(self, source: str) -> EdgeRule:
        """The schema rule this hop follows when it starts at ``source`` nodes (``PlanError`` if none)."""
        rules = edge_rules()
        key = (source, self.predicate, self.target) if self.direction != "in" else (self.target, self.predicate, source)
        rule = rules.get(key)
        if rule is None and self.direction == "both":
            rule = rules.get((self.target, self.predicate, source))
        if rule is None:
            arrow = {"out": f"({source})-[{self.predicate}]->({self.target})",
                     "in": f"({source})<-[{self.predicate}]-({self.target})",
                     "both": f"({source})-[{self.predicate}]-({self.target})"}[self.direction]
            raise PlanError(f"the schema has no {arrow}")
        allowed = {key for key, _ in rule.qualifiers}
        for key, value in self.qualifiers:
            if key not in allowed:
                raise PlanError(f"{self.predicate} edges carry no qualifier {key!r}")
            if value is not None and (key, value) not in rule.qualifiers:
                raise PlanError(f"{key}={value!r} is not a value {self.predicate} edges take")
        return rule


@dataclass(frozen=True, slots=True)
class Anchor:
    """Grounded entities of one category, given by CURIE."""

    category: str
    curies: tuple[str, ...]

    def __post_init__(self) -> None:
        check_category(self.category)
        if not self.curies or not all(isinstance(c, str) and ":" in c for c in self.curies):
            raise PlanError("an anchor needs one or more CURIEs")


@dataclass(frozen=True, slots=True)
class AllNodes:
    """Every node of one category (the start of a global top-k, for instance)."""

    category: str

    def __post_init__(self) -> None:
        check_category(self.category)


@dataclass(frozen=True, slots=True)
class Traverse:
    """The nodes reached from ``source`` by one ``hop``."""

    source: NodeSet
    hop: Hop

    def __post_init__(self) -> None:
        self.hop.rule_from(self.source.category)

    @property
    def category(self) -> str:
        """Category of the nodes reached."""
        return self.hop.target


@dataclass(frozen=True, slots=True)
class Combine:
    """A set operation over two node sets of one category: ``and`` (both), ``or`` (either), ``not`` (left only)."""

    op: Literal["and", "or", "not"]
    left: NodeSet
    right: NodeSet

    def __post_init__(self) -> None:
        if self.op not in ("and", "or", "not"):
            raise PlanError(f"set operation must be and, or or not, not {self.op!r}")
        if self.left.category != self.right.category:
            raise PlanError(f"cannot combine {self.left.category} with {self.right.category}")

    @property
    def category(self) -> str:
        """Category of both operands."""
        return self.left.category


NodeSet = Anchor | AllNodes | Traverse | Combine


def walked_rules(node: NodeSet) -> list[EdgeRule]:
    """The schema rules a node set's hops follow, from its anchors out (each once, in order)."""
    found: list[EdgeRule] = []
    if isinstance(node, Traverse):
        found = [*walked_rules(node.source), node.hop.rule_from(node.source.category)]
    elif isinstance(node, Combine):
        found = [*walked_rules(node.left), *walked_rules(node.right)]
    return list(dict.fromkeys(found))


@dataclass(frozen=True, slots=True)
class Filter:
    """A condition on the answer nodes' own properties (``name contains 'statin'``)."""

    property: str
    op: str
    value: str

    def __post_init__(self) -> None:
        if self.property not in FILTER_PROPERTIES or self.op not in FILTER_OPS:
            raise PlanError(f"filters take {sorted(FILTER_PROPERTIES)} with {sorted(FILTER_OPS)}")


@dataclass(frozen=True, slots=True)
class Rank:
    """Order answers by degree: how many distinct neighbours each has along ``hop`` (most first)."""

    hop: Hop


@dataclass(frozen=True, slots=True)
class Plan:
    """A whole question: which nodes, in what shape the answer comes back, and how many rows at most.

    ``kind`` ``boolean`` asks whether ``select`` holds any node (of ``contains`` when given); ``predict`` marks
    a question for a ranker (the engine routes it; the compiler then yields the candidate set).
    """

    kind: Kind
    select: NodeSet
    filters: tuple[Filter, ...] = ()
    contains: tuple[str, ...] = ()
    rank: Rank | None = None
    limit: int | None = None

    def __post_init__(self) -> None:
        if self.kind not in ("list", "count", "boolean", "predict"):
            raise PlanError(f"unknown plan kind {self.kind!r}")
        if self.limit is not None and not 0 < self.limit <= MAX_ROWS:
            raise PlanError(f"limit must be between 1 and {MAX_ROWS}")
        if self.rank is not None:
            self.rank.hop.rule_from(self.select.category)
        if self.contains and self.kind != "boolean":
            raise PlanError("only a yes/no plan tests membership")

    @property
    def category(self) -> str:
        """Category of the answer nodes."""
        return self.select.category

    def rules(self) -> list[EdgeRule]:
        """The schema rules the plan walks (its rank hop last), each once."""
        rank = [self.rank.hop.rule_from(self.select.category)] if self.rank is not None else []
        return list(dict.fromkeys([*walked_rules(self.select), *rank]))
