"""Compile a ``cypher.plan.Plan`` into one parameterised Cypher statement for a backend's dialect.

Values (CURIEs, qualifier values, filter text, limits) travel only as parameters, and the statement
references exactly the parameters it is given; labels, relationship types and property keys come from the
schema and pass through ``quote_identifier``. A set is written as a ``MATCH`` that binds the answer
variable where it can be, and as an ``EXISTS { MATCH ... }`` test where it filters another set.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from cypher.dialect import LADYBUG, Dialect
from cypher.identifiers import quote_identifier
from cypher.plan import MAX_ROWS, AllNodes, Anchor, Combine, Filter, Hop, NodeSet, Plan, Traverse
from ontologies import load_schema

ANSWER = "n"


@dataclass(frozen=True, slots=True)
class Compiled:
    """A statement ready to run: its text, its parameters and the columns it returns."""

    cypher: str
    params: dict[str, Any]
    columns: tuple[str, ...]

    def explain(self, dialect: Dialect = LADYBUG) -> str:
        """The statement prefixed for a plan-only check."""
        return dialect.explain + self.cypher


@dataclass
class _Scope:
    """Fresh variable and parameter names for one statement."""

    dialect: Dialect
    params: dict[str, Any] = field(default_factory=dict)
    counter: int = 0

    def var(self, prefix: str = "v") -> str:
        self.counter += 1
        return f"{prefix}{self.counter}"

    def param(self, value: Any) -> str:
        name = f"p{len(self.params)}"
        self.params[name] = value
        return "$" + name


def _label(category: str) -> str:
    return quote_identifier(category, load_schema().categories)


def _rel(predicate: str) -> str:
    return quote_identifier(predicate, load_schema().predicates)


def _chain(node: NodeSet) -> tuple[NodeSet, list[Hop]]:
    """Split a run of traversals into its base set and its hops, base first."""
    hops: list[Hop] = []
    while isinstance(node, Traverse):
        hops.append(node.hop)
        node = node.source
    return node, hops[::-1]


def _path(start: str, hops: list[Hop], end: str, end_label: bool, scope: _Scope) -> tuple[str, list[str]]:
    """The pattern from ``start`` along ``hops`` to ``end`` and the conditions its qualifiers add."""
    parts, conditions, current = [f"({start})"], [], start
    for i, hop in enumerate(hops):
        last = i == len(hops) - 1
        target = end if last else scope.var()
        rel = scope.var("r") if hop.qualifiers else ""
        body = f"[{rel}:{_rel(hop.predicate)}]"
        arrow = {"out": f"-{body}->", "in": f"<-{body}-", "both": f"-{body}-"}[hop.direction]
        node = f"({target}:{_label(hop.target)})" if (not last or end_label) else f"({target})"
        parts.append(arrow + node)
        for key, value in hop.qualifiers:
            prop = f"{rel}.{quote_identifier(key)}"
            conditions.append(scope.dialect.absent(prop) if value is None else f"{prop} = {scope.param(value)}")
        current = target
    del current
    return "".join(parts), conditions


def _base_start(base: NodeSet, scope: _Scope) -> tuple[str, list[str]]:
    """A start node for a chain: its pattern text and the conditions that pin it to ``base``."""
    var = scope.var()
    if isinstance(base, Anchor):
        return f"{var}:{_label(base.category)}", [f"{var}.curie IN {scope.param(list(base.curies))}"]
    if isinstance(base, AllNodes):
        return f"{var}:{_label(base.category)}", []
    return f"{var}:{_label(base.category)}", [_member(base, var, scope)]


def _member(node: NodeSet, var: str, scope: _Scope) -> str:
    """A boolean expression: the bound variable ``var`` belongs to ``node``."""
    if isinstance(node, Anchor):
        return f"{var}.curie IN {scope.param(list(node.curies))}"
    if isinstance(node, AllNodes):
        return "true"
    if isinstance(node, Combine):
        left, right = _member(node.left, var, scope), _member(node.right, var, scope)
        glue = {"and": f"{left} AND {right}", "or": f"{left} OR {right}", "not": f"{left} AND NOT {right}"}[node.op]
        return f"({glue})"
    base, hops = _chain(node)
    start, conditions = _base_start(base, scope)
    pattern, quals = _path(start, hops, var, end_label=False, scope=scope)
    where = " AND ".join([*conditions, *quals])
    return "EXISTS { MATCH " + pattern + (f" WHERE {where}" if where else "") + " }"


def _bind(node: NodeSet, var: str, scope: _Scope) -> list[str]:
    """Clauses that bind ``var`` to each node of ``node`` (possibly more than once)."""
    label = _label(node.category)
    if isinstance(node, Anchor):
        return [f"MATCH ({var}:{label}) WHERE {var}.curie IN {scope.param(list(node.curies))}"]
    if isinstance(node, AllNodes):
        return [f"MATCH ({var}:{label})"]
    if isinstance(node, Combine):
        if node.op == "or":
            return [f"MATCH ({var}:{label}) WHERE {_member(node, var, scope)}"]
        test = _member(node.right, var, scope)
        test = f"NOT {test}" if node.op == "not" else test
        return [*_bind(node.left, var, scope), f"WITH DISTINCT {var} WHERE {test}"]
    base, hops = _chain(node)
    if isinstance(base, Combine):
        start = scope.var()
        clauses = [*_bind(base, start, scope), f"WITH DISTINCT {start}"]
        pattern, quals = _path(start, hops, var, end_label=True, scope=scope)
        return [*clauses, f"MATCH {pattern}" + (f" WHERE {' AND '.join(quals)}" if quals else "")]
    start, conditions = _base_start(base, scope)
    pattern, quals = _path(start, hops, var, end_label=True, scope=scope)
    where = " AND ".join([*conditions, *quals])
    return [f"MATCH {pattern}" + (f" WHERE {where}" if where else "")]


def _filter(flt: Filter, var: str, scope: _Scope) -> str:
    prop = f"{scope.dialect.lowered(f'{var}.{quote_identifier(flt.property)}')}"
    value = scope.param(flt.value.lower())
    return {"equals": f"{prop} = {value}", "contains": f"{prop} CONTAINS {value}",
            "starts_with": f"{prop} STARTS WITH {value}"}[flt.op]


def compile_plan(plan: Plan, dialect: Dialect = LADYBUG, row_cap: int = MAX_ROWS) -> Compiled:
    """One Cypher statement answering ``plan``; lists are capped at ``row_cap`` rows (or the plan's limit)."""
    scope = _Scope(dialect)
    n = ANSWER
    clauses = _bind(plan.select, n, scope)
    tests = [_filter(f, n, scope) for f in plan.filters]
    if plan.contains:
        tests.append(f"{n}.curie IN {scope.param(list(plan.contains))}")
    clauses.append(f"WITH DISTINCT {n}" + (f" WHERE {' AND '.join(tests)}" if tests else ""))
    if plan.kind == "count":
        clauses.append(f"RETURN count({n}) AS count")
        return Compiled("\n".join(clauses), scope.params, ("count",))
    if plan.kind == "boolean":
        clauses.append(f"RETURN count({n}) > 0 AS boolean")
        return Compiled("\n".join(clauses), scope.params, ("boolean",))
    limit = scope.param(min(plan.limit or row_cap, row_cap))
    if plan.rank is not None:
        other = scope.var("m")
        pattern, quals = _path(n, [plan.rank.hop], other, end_label=True, scope=scope)
        clauses.append(f"MATCH {pattern}" + (f" WHERE {' AND '.join(quals)}" if quals else ""))
        clauses.append(f"WITH {n}, count(DISTINCT {other}) AS degree")
        clauses.append(f"RETURN {n}.curie AS curie, {n}.name AS name, degree ORDER BY degree DESC, curie LIMIT {limit}")
        return Compiled("\n".join(clauses), scope.params, ("curie", "name", "degree"))
    clauses.append(f"RETURN {n}.curie AS curie, {n}.name AS name ORDER BY name, curie LIMIT {limit}")
    return Compiled("\n".join(clauses), scope.params, ("curie", "name"))
