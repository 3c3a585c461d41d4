"""kg treat / interactions / risk / evidence on a store of real data slices: answers, JSON, sources, errors."""

from __future__ import annotations

import json

import numpy as np
import pytest

from kg_engine.decision.common import DISCLAIMER


def _json(result) -> dict:
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def _common(answer: dict, kind: str) -> None:
    assert answer["kind"] == kind
    assert answer["disclaimer"] == DISCLAIMER and "not clinical advice" in answer["disclaimer"]
    assert answer["sources"], "every answer lists its sources"
    assert all(set(s) == {"source", "licence"} for s in answer["sources"])


def _one_line_error(result, *words: str) -> None:
    assert result.exit_code != 0
    assert "Traceback" not in result.output
    message = " ".join(result.output.split())  # Rich wraps long lines at the terminal's width
    assert message.startswith("error:") and message.count("error:") == 1, message
    for word in words:
        assert word.lower() in message.lower(), message


# --- kg treat -------------------------------------------------------------------------------------------------


def test_treat_lists_metformin_with_frequent_side_effects(cli):
    answer = _json(cli("treat", "type 2 diabetes", "--json"))
    _common(answer, "treat")
    assert answer["disease"]["curie"] == "DOID:9352"
    kinds = [o["kind"] for o in answer["treatments"]]
    assert kinds == sorted(kinds, key=["disease-modifying", "symptomatic", "predicted"].index)
    metformin = next(o for o in answer["treatments"] if o["curie"] == "DRUGBANK:DB00331")
    assert metformin["kind"] == "disease-modifying" and metformin["predicted"] is False
    diarrhoea = next(e for e in metformin["side_effects"] if e["name"] == "Diarrhoea")
    assert diarrhoea["frequency"] and diarrhoea["lower"] > 0.1
    lowers = [e["lower"] if e["lower"] is not None else -1 for e in metformin["side_effects"]]
    assert lowers == sorted(lowers, reverse=True), "most frequent first"
    assert {"Biguanides"} <= {c["name"] for c in metformin["pharmacologic_classes"]}
    names = {s["source"]: s["licence"] for s in answer["sources"]}
    assert names["sider-4.1"] == "CC BY-NC-SA 4.0" and "pharmacotherapydb-v1.0" in names
    assert {"Atorvastatin", "Simvastatin"} <= {n["name"] for n in answer["non_indications"]}
    predicted = [o for o in answer["treatments"] if o["predicted"]]
    if predicted:  # a treats checkpoint that fits this graph
        assert all(o["kind"] == "predicted" and o["score"] is not None for o in predicted)
    else:
        assert any("treats ranker" in n for n in answer["notes"]), "no usable checkpoint: a note, not a failure"


def test_treat_flags_interactions_and_avoids_a_class(cli):
    answer = _json(cli("treat", "DOID:9352", "--current-drugs", "warfarin", "--avoid-class", "sulfonylurea",
                       "--top", "30", "--json"))
    assert answer["current_drugs"][0]["curie"] == "DRUGBANK:DB00682"
    flagged = [o for o in answer["treatments"] if o["interactions_with_current_drugs"]]
    assert flagged and all(i["sources"] == ["chch-miner-drugbank-ddi"]
                           for o in flagged for i in o["interactions_with_current_drugs"])
    assert not any("Sulfonylurea" in c["name"] for o in answer["treatments"] for c in o["pharmacologic_classes"])
    assert {"Glipizide", "Glyburide"} <= {x["name"] for x in answer["excluded"]}


@pytest.mark.parametrize("args,words", [
    (("treat", "diabetis typ 9"), ["unknown disease"]),
    (("treat", "DOID:0000000"), ["no disease"]),
    (("treat", "type 2 diabetes", "--current-drugs", "notadrugatall"), ["unknown compound"]),
    (("treat", "type 2 diabetes", "--avoid-class", "zzzz"), ["pharmacologic class"]),
])
def test_treat_bad_input_is_one_line(cli, args, words):
    _one_line_error(cli(*args), *words)


def test_unknown_name_lists_closest_matches(cli):
    result = cli("interactions", "warfarn", "aspirinn")
    if result.exit_code == 0:  # typos within the grounder's reach resolve
        return
    _one_line_error(result, "closest")


# --- kg interactions ------------------------------------------------------------------------------------------


def test_warfarin_aspirin_known_interaction_with_source(cli):
    answer = _json(cli("interactions", "warfarin", "aspirin", "--json"))
    _common(answer, "interactions")
    (pair,) = answer["pairs"]
    assert {d["curie"] for d in pair["drugs"]} == {"DRUGBANK:DB00682", "DRUGBANK:DB00945"}
    assert pair["known_interaction"] and pair["interaction_sources"] == ["chch-miner-drugbank-ddi"]
    assert {"CYP2C9"} <= {t["name"] for t in pair["shared_targets"]}
    assert pair["shared_pathway_count"] >= len(pair["shared_pathways"]) > 0
    assert pair["predicted"] is None
    assert "chch-miner-drugbank-ddi" in {s["source"] for s in answer["sources"]}


def test_interactions_every_pair(cli):
    answer = _json(cli("interactions", "warfarin", "aspirin", "metformin", "--json"))
    assert len(answer["pairs"]) == 3


@pytest.mark.parametrize("args,words", [
    (("interactions", "warfarin"), ["at least two"]),
    (("interactions", "warfarin", "qqqqqqqq"), ["unknown compound"]),
])
def test_interactions_bad_input(cli, args, words):
    _one_line_error(cli(*args), *words)


# --- kg risk --------------------------------------------------------------------------------------------------


def test_risk_brca_set_puts_breast_and_ovarian_cancer_first(cli):
    answer = _json(cli("risk", "--genes", "BRCA1,BRCA2,TP53,PALB2", "--json"))
    _common(answer, "risk")
    top3 = [d["name"] for d in answer["diseases"][:3]]
    assert {"breast cancer", "ovarian cancer"} <= set(top3), top3
    ovarian = next(d for d in answer["diseases"] if d["name"] == "ovarian cancer")
    assert set(ovarian["genes"]) == {"BRCA1", "BRCA2", "TP53", "PALB2"}
    assert 0 < ovarian["p"] <= ovarian["q"] < 0.01
    assert any("not a personal" in n for n in answer["notes"])


def test_risk_p_value_is_the_hypergeometric_tail(decision_engine):
    from scipy.stats import hypergeom

    answer = decision_engine.risk(["BRCA1", "TP53"])
    first = answer["diseases"][0]
    n_query = answer["query_genes_in_universe"]
    expected = hypergeom.sf(first["overlap"] - 1, answer["universe_genes"], first["disease_genes"], n_query)
    assert first["p"] == pytest.approx(expected)


def test_benjamini_hochberg_matches_the_definition():
    from kg_engine.decision.risk import benjamini_hochberg

    p = np.array([0.01, 0.04, 0.03, 0.2])
    assert benjamini_hochberg(p) == pytest.approx([0.04, 0.16 / 3, 0.16 / 3, 0.2])


@pytest.mark.parametrize("args,words", [
    (("risk", "--genes", ""), ["empty gene list"]),
    (("risk", "--genes", " , "), ["empty gene list"]),
    (("risk", "--genes", "BRCA1,NOTAGENE99"), ["unknown gene"]),
])
def test_risk_bad_input(cli, args, words):
    _one_line_error(cli(*args), *words)


# --- kg evidence ----------------------------------------------------------------------------------------------


def test_evidence_doxorubicin_cardiotoxicity(cli, decision_home):
    answer = _json(cli("evidence", "doxorubicin cardiotoxicity", "--json"))
    _common(answer, "evidence")
    assert [e["text"] for e in answer["entities"]] == ["doxorubicin", "cardiotoxicity"]
    both = [s for s in answer["sentences"] if s["names_all_query_entities"]]
    assert both, "sentences naming both entities"
    assert answer["sentences"][0]["names_all_query_entities"], "they rank first"
    assert all(s["pmid"].startswith("PMID:") for s in answer["sentences"])
    assert any("doxorubicin" in s["snippet"].lower() and "cardiotox" in s["snippet"].lower() for s in both)
    assert any(r["predicate"] == "causes" for r in answer["relations"])
    assert (decision_home / "cache" / "evidence" / "sentences.pt").is_file(), "vectors cached"


def test_evidence_unknown_entities_is_an_error(cli):
    _one_line_error(cli("evidence", "qqqq zzzz"), "no entity")
