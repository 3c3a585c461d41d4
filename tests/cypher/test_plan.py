"""The typed plan: schema checks at build time, and compiled Cypher with values only as parameters."""

from __future__ import annotations

import re

import pytest

from cypher.dialect import LADYBUG, NEO4J, dialect_for
from cypher.plan import AllNodes, Anchor, Combine, Filter, Hop, Plan, PlanError, Rank, Traverse
from cypher.plan_compile import compile_plan
from cypher.readonly import is_read_only

T2D = Anchor("Disease", ("DOID:9352",))
HTN = Anchor("Disease", ("DOID:10763",))


def treated_by(anchor: Anchor) -> Traverse:
    return Traverse(anchor, Hop("treats", "in", "Compound"))


@pytest.mark.parametrize("build", [
    lambda: Anchor("Drug", ("DRUGBANK:DB00331",)),                      # alias, not a store label
    lambda: Hop("binds_to", "out", "Gene"),                             # unknown predicate
    lambda: Traverse(T2D, Hop("treats", "out", "Compound")),            # wrong direction
    lambda: Hop("treats", "out", "Gene"),                               # no such endpoint
    lambda: Hop("treats", "both", "Compound"),                          # directed predicate walked both ways
    lambda: Combine("and", treated_by(T2D), T2D),                       # mixed categories
    lambda: Traverse(Anchor("Compound", ("DRUGBANK:DB00331",)),
                     Hop("affects", "out", "Gene", (("object_direction_qualifier", "sideways"),))),
    lambda: Plan("list", T2D, limit=0),
    lambda: Anchor("Disease", ()),
])
def test_unrepresentable_plans_raise(build) -> None:
    with pytest.raises(PlanError):
        build()


def _referenced(cypher: str) -> set[str]:
    return set(re.findall(r"\$([A-Za-z_][A-Za-z0-9_]*)", cypher))


@pytest.mark.parametrize("plan", [
    Plan("list", treated_by(T2D)),
    Plan("count", Combine("and", treated_by(T2D), treated_by(HTN))),
    Plan("list", Combine("not", treated_by(HTN), treated_by(T2D)), filters=(Filter("name", "contains", "in"),)),
    Plan("list", Combine("or", treated_by(HTN), treated_by(T2D)), limit=5),
    Plan("boolean", treated_by(T2D), contains=("DRUGBANK:DB00331",)),
    Plan("list", AllNodes("Compound"), rank=Rank(Hop("directly_physically_interacts_with", "out", "Gene")), limit=3),
    Plan("list", Traverse(Combine("and", treated_by(T2D), treated_by(HTN)),
                          Hop("directly_physically_interacts_with", "out", "Gene"))),
    Plan("list", Traverse(Anchor("Anatomy", ("UBERON:0002107",)),
                          Hop("expresses", "out", "Gene", (("object_direction_qualifier", None),)))),
])
@pytest.mark.parametrize("dialect", [LADYBUG, NEO4J])
def test_compiled_statements_use_exactly_their_parameters(plan: Plan, dialect) -> None:
    compiled = compile_plan(plan, dialect)
    assert _referenced(compiled.cypher) == set(compiled.params)
    assert "DOID:" not in compiled.cypher and "DRUGBANK:" not in compiled.cypher
    assert is_read_only(compiled.cypher)
    assert compiled.explain(dialect).startswith("EXPLAIN ")


def test_row_cap_and_limit() -> None:
    capped = compile_plan(Plan("list", treated_by(T2D)), row_cap=50)
    assert 50 in capped.params.values()
    limited = compile_plan(Plan("list", treated_by(T2D), limit=7), row_cap=50)
    assert 7 in limited.params.values()


def test_dialects_differ_only_where_spelled() -> None:
    plan = Plan("list", treated_by(T2D), filters=(Filter("name", "starts_with", "met"),))
    assert "lower(n.`name`)" in compile_plan(plan, LADYBUG).cypher
    assert "toLower(n.`name`)" in compile_plan(plan, NEO4J).cypher
    assert dialect_for("neo4j") is NEO4J
    with pytest.raises(ValueError):
        dialect_for("sqlite")
