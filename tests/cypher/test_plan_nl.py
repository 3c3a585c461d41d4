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
    "seizures": Entity("MESH:D012640", "Seizures", "Symptom"),
    "hepatotoxicity": Entity("UMLS:C0235378", "Hepatotoxicity", "SideEffect"),
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


# --- causal questions: never answered by another relation -------------------------------------------

HETIONET = {("Compound", "treats", "Disease"), ("Compound", "has_side_effect", "SideEffect"),
            ("Disease", "has_phenotype", "Symptom"), ("Disease", "condition_associated_with_gene", "Gene"),
            ("Compound", "directly_physically_interacts_with", "Gene")}


def _hops(plan) -> list[str]:
    node, out = plan.select, []
    while isinstance(node, Traverse):
        out.append(node.hop.predicate)
        node = node.source
    return out


@pytest.mark.parametrize(("question", "reason"), [
    # only literature supplies Compound-causes-Disease: not loaded here, so say what is missing
    ("drugs that cause Alzheimer's disease", "no causal relation between Compound and Disease"),
    ("Which compounds lead to type 2 diabetes?", "kg ingest literature"),
    ("What causes Alzheimer's disease?", "no causal relation between Compound and Disease"),
    ("Does metformin cause type 2 diabetes?", "Compound-causes-Disease"),
    ("Is hypertension a side effect of metformin?", "no causal relation between Compound and Disease"),
    # no causal relation between the grounded types at all (not "drugs that treat diseases presenting seizures")
    ("drugs that cause seizures", "no causal relation between Compound and Symptom"),
    ("What drugs induce seizures?", "no causal relation between Compound and Symptom"),
    ("genes that cause Alzheimer's disease", "no causal relation between Gene and Disease"),
    ("Which genes cause the most diseases?", "no causal relation between Gene and Disease"),
    ("What drugs have Alzheimer's disease as a side effect?", "not a SideEffect"),
])
def test_causal_questions_abstain_when_the_graph_has_no_causal_relation(question: str, reason: str) -> None:
    result = parse(question, DictGrounder(), available=HETIONET)
    assert result.abstained, result.plan
    assert reason in (result.reason or "")


def test_causal_verbs_take_the_causal_relations_the_schema_has() -> None:
    assert _hops(plan_of("Which drugs cause hepatotoxicity?")) == ["has_side_effect"]
    assert _hops(plan_of("drugs that lead to hepatotoxicity")) == ["has_side_effect"]
    assert _hops(plan_of("What does metformin cause?")) == ["has_side_effect"]
    assert _hops(plan_of("Which diseases cause seizures?")) == ["has_phenotype"]
    assert _hops(plan_of("drugs that induce ABL1")) == ["affects"]  # induction of a gene: upregulation
    # literature's Compound-causes-Disease edges, where the store holds them
    literature = parse("drugs that cause Alzheimer's disease", DictGrounder(),
                       available=HETIONET | {("Compound", "causes", "Disease")})
    assert literature.plan is not None and _hops(literature.plan) == ["causes"]
    # a causal verb after the anchor still reaches the first link, and "for" does not steal it
    assert _hops(plan_of("What side effects do drugs for hypertension cause?")) == ["has_side_effect", "treats"]


@pytest.mark.parametrize(("question", "reason"), [
    ("drugs that worsen hypertension", "did not understand 'worsen'"),
    ("Does metformin worsen hypertension?", "did not understand 'worsen'"),
    ("genes that treat type 2 diabetes", "no treatment relation between Gene and Disease"),
    ("drugs that upregulate hypertension", "no upregulation relation between Compound and Disease"),
])
def test_unknown_or_unsupported_verbs_abstain_rather_than_take_the_usual_relation(question: str, reason: str
                                                                                  ) -> None:
    result = parse(question, DictGrounder(), available=HETIONET)
    assert result.abstained, result.plan
    assert reason in (result.reason or "")


def test_no_verb_still_takes_the_usual_relation() -> None:
    assert _hops(plan_of("drugs for hypertension")) == ["treats"]
    assert _hops(plan_of("genes of Alzheimer's disease")) == ["condition_associated_with_gene"]


class AmbiguousGrounder(DictGrounder):
    """Hypertension is both a disease and a SIDER side effect, as in Hetionet."""

    def exact(self, phrase: str) -> list[Entity]:
        if normalize(phrase) == "hypertension":
            return [NODES["hypertension"], Entity("UMLS:C0020538", "Hypertension", "SideEffect")]
        return super().exact(phrase)


def test_an_anchor_of_two_categories_takes_the_one_a_stored_causal_relation_reaches() -> None:
    causes = parse("Which drugs cause hypertension?", AmbiguousGrounder(), available=HETIONET)
    assert causes.plan is not None and _hops(causes.plan) == ["has_side_effect"]
    assert causes.plan.select.source.curies == ("UMLS:C0020538",)
    # curated side effects before text-mined causes edges, when both are stored
    both = parse("Which drugs cause hypertension?", AmbiguousGrounder(),
                 available=HETIONET | {("Compound", "causes", "Disease")})
    assert both.plan is not None and _hops(both.plan) == ["has_side_effect"]
    treats = parse("Which drugs treat hypertension?", AmbiguousGrounder(), available=HETIONET)
    assert treats.plan is not None and _hops(treats.plan) == ["treats"]
