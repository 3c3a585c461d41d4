"""kg ask over real Hetionet edges: answers equal hand-written Cypher, hybrid nl() / kg.link(), abstentions."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kg_engine.errors import QueryError


def _curies(kg, cypher: str, params: dict) -> set[str]:
    return set(kg.query(cypher, params)["curie"])


def test_list_answer_equals_hand_written_cypher(ask_engine) -> None:
    record = ask_engine.ask("which medicines are used to treat type 2 diabetes?")
    gold = _curies(ask_engine, "MATCH (c:Compound)-[:treats]->(:Disease {curie: $d}) RETURN c.curie AS curie",
                   {"d": "DOID:9352"})
    assert not record["abstained"] and record["kind"] == "list"
    assert {a["curie"] for a in record["answers"]} == gold and "DRUGBANK:DB00331" in gold
    assert "$" in record["cypher"] and "DOID:9352" not in record["cypher"]


def test_typo_synonym_count_and_yes_no(ask_engine) -> None:
    assert ask_engine.ask("Does metformn treat type 2 diabetes?")["boolean"] is True
    assert ask_engine.ask("does aspirin treat type 2 diabetes")["boolean"] is False  # a DrugBank synonym
    count = ask_engine.ask("How many genes does imatinib bind?")
    gold = _curies(ask_engine, "MATCH (:Compound {curie: $c})-[:directly_physically_interacts_with]->(g:Gene) "
                               "RETURN g.curie AS curie", {"c": "DRUGBANK:DB00619"})
    assert count["count"] == len(gold) > 0


def test_abstains_on_what_the_graph_does_not_hold(ask_engine) -> None:
    for question in ("What is the recommended dose of metformin?", "Which genes are associated with asthma?",
                     "Which drugs treat Ebola virus disease?"):
        record = ask_engine.ask(question)
        assert record["abstained"] and record["reason"], question


def test_hybrid_nl_and_link_become_parameters(ask_engine) -> None:
    rows = ask_engine.query(
        'MATCH (c:Compound) WHERE c.curie IN nl("drugs that treat type 2 diabetes") '
        'AND (c)-[:directly_physically_interacts_with]->(:Gene) RETURN c.curie AS curie')
    plain = ask_engine.query(
        "MATCH (c:Compound)-[:treats]->(:Disease {curie: $d}) WHERE (c)-[:directly_physically_interacts_with]->"
        "(:Gene) RETURN DISTINCT c.curie AS curie", {"d": "DOID:9352"})
    assert set(rows["curie"]) == set(plain["curie"])
    linked = ask_engine.query('MATCH (c:Compound {curie: kg.link("metformin")}) RETURN c.name AS name')
    assert list(linked["name"]) == ["Metformin"]
    with pytest.raises(QueryError):
        ask_engine.query('MATCH (c:Compound) WHERE c.curie IN nl("how many drugs treat gout") RETURN c')


def test_cli_ask_batch_find_and_eval(ask_home: Path, shared_data: Path, tmp_path: Path, monkeypatch) -> None:
    from typer.testing import CliRunner

    from kg_engine.cli import app

    monkeypatch.setenv("KG_DATA_DIR", str(shared_data))
    questions = tmp_path / "q.jsonl"
    questions.write_text(json.dumps({"id": "q1", "question": "What does metformin treat?"}) + "\n")
    answers = tmp_path / "a.jsonl"
    runner = CliRunner()
    result = runner.invoke(app, ["ask", "--batch", str(questions), "--out", str(answers), "--home", str(ask_home)])
    assert result.exit_code == 0, result.output
    line = json.loads(answers.read_text().splitlines()[0])
    assert line["id"] == "q1" and any(a["curie"] == "DOID:9352" for a in line["answers"])
    found = runner.invoke(app, ["find", "type 2 diabetes", "--json", "--home", str(ask_home)])
    assert "DOID:9352" in found.output
    gold = tmp_path / "gold.jsonl"
    gold.write_text(json.dumps({"id": "g1", "family": "treated_by", "question": "What does metformin treat?",
                                "kind": "list", "answers": line["answers"]}) + "\n")
    report = runner.invoke(app, ["eval", "ask", str(gold), "--json", "--home", str(ask_home)])
    assert report.exit_code == 0, report.output
    assert json.loads(report.output)["list_f1"] == 1.0
