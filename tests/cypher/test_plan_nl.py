"""NL -> plan over a small hand-made grounder: shapes, chains, set operations, top-k and abstentions."""

from __future__ import annotations

import pytest

from cypher.nl import Entity, normalize
from cypher.nl_build import parse
from cypher.plan import AllNodes, Anchor, Combine, Traverse

NODES = {
    "metformin": Entity("DRUGBANK:DB00331", "Metformin", "Compound"),
    "type 2 diabetes mellitus": Entity("DOID:9352", "type 2 diabetes mellitus", "Disease"),
    "type 2 diabetes": Entity("DOID:9352", "type 2 diabetes mellitus", "Disease"),
    "hypertension": Entity("DOID:10763", "hypertension", "Disease"),
    "alzheimers disease": Entity("DOID:10652", "Alzheimer's disease", "Disease"),
    "abl1": Entity("NCBIGene:25", "ABL1", "Gene"),
    "imatinib": Entity("DRUGBANK:DB00619", "Imatinib", "Compound"),
    "haloperidol": Entity("DRUGBANK:DB00502", "Haloperidol", "Compound"),
    "clozapine": Entity("DRUGBANK:DB00363", "Clozapine", "Compound"),
}


class DictGrounder:
    def exact(self, phrase: str) -> list[Entity]:
        hit = NODES.get(normalize(phrase))
        return [hit] if hit else []

    def fuzzy(self, phrase: str) -> list[Entity]:
        return [NODES["metformin"]] if normalize(phrase) == "metfromin" else []


def plan_of(question: str):
    result = parse(question, DictGrounder())
    assert result.plan is not None, result.reason
    return result.plan


def test_one_hop_list_and_inferred_answer_type() -> None:
    plan = plan_of("what does metfromin treat?")
    assert plan.kind == "list" and plan.category == "Disease"
    assert isinstance(plan.select, Traverse) and plan.select.hop.direction == "out"


def test_count_boolean_and_two_hops() -> None:
    assert plan_of("How many drugs treat type 2 diabetes?").kind == "count"
    yes_no = plan_of("Does imatinib bind ABL1?")
    assert yes_no.kind == "boolean" and yes_no.contains == ("NCBIGene:25",)
    chain = plan_of("Which drugs bind genes associated with Alzheimer's disease?")
    assert chain.category == "Compound" and isinstance(chain.select.source, Traverse)


@pytest.mark.parametrize(("question", "op"), [
    ("drugs that treat both hypertension and type 2 diabetes", "and"),
    ("drugs that treat hypertension but not type 2 diabetes", "not"),
    ("Which genes does clozapine bind but not haloperidol?", "not"),
    ("drugs for hypertension or type 2 diabetes", "or"),
])
def test_set_operations(question: str, op: str) -> None:
    plan = plan_of(question)
    assert isinstance(plan.select, Combine) and plan.select.op == op


def test_top_k() -> None:
    plan = plan_of("Which 5 drugs bind the most genes?")
    assert isinstance(plan.select, AllNodes) and plan.limit == 5 and plan.rank is not None
    assert plan_of("Which drug treats the most diseases?").limit == 1


@pytest.mark.parametrize("question", [
    "What is the recommended dose of metformin?",
    "When was imatinib approved?",
    "Which drugs treat Ebola virus disease?",
    "Is coffee good for you?",
    "Which biological processes does ABL1 participate in?",
])
def test_abstains_with_a_reason(question: str) -> None:
    result = parse(question, DictGrounder(), available={("Compound", "treats", "Disease")})
    assert result.abstained and result.reason


def test_anchor_is_a_parameter() -> None:
    plan = plan_of("Which drugs treat hypertension?")
    assert isinstance(plan.select.source, Anchor) and plan.select.source.curies == ("DOID:10763",)
