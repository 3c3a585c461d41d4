"""Prediction questions: could / might / repurpose / new targets -> a predict plan answered by the GNN ranker."""

from __future__ import annotations

from pathlib import Path

import pytest

QUESTIONS = {
    "What drugs could treat type 2 diabetes?": ("Disease", "Compound"),
    "Which compounds might be repurposed for type 2 diabetes?": ("Disease", "Compound"),
    "what else might treat type 2 diabetes": ("Disease", "Compound"),
    "What new targets might imatinib have?": ("Compound", "Gene"),
    "candidate genes that imatinib could bind": ("Compound", "Gene"),
}


@pytest.mark.parametrize("question", list(QUESTIONS))
def test_prediction_questions_make_predict_plans(ask_engine, question: str) -> None:
    parsed = ask_engine.asker().parse(question)
    assert parsed.plan is not None, parsed.reason
    anchor, answer = QUESTIONS[question]
    assert parsed.plan.kind == "predict" and parsed.plan.category == answer
    assert parsed.plan.select.source.category == anchor


def test_plain_questions_are_not_predictions(ask_engine) -> None:
    assert ask_engine.asker().parse("which drugs treat type 2 diabetes?").plan.kind == "list"


def test_without_any_checkpoint_it_abstains_saying_how_to_train(ask_engine, tmp_path: Path, monkeypatch) -> None:
    from kg_engine.gnn import portable
    from kg_engine.query.predict import GnnRanker

    monkeypatch.setattr(portable, "SHIPPED_DIR", tmp_path / "none")
    asker = ask_engine.asker()
    monkeypatch.setattr(asker, "ranker", GnnRanker(asker.store, tmp_path / "empty-home"))
    record = asker.ask("What drugs could treat type 2 diabetes?")
    assert record["abstained"] and "kg train gnn --task treats" in record["reason"]


def test_the_shipped_ranker_answers_on_a_graph_with_fewer_types(ask_engine, tmp_path: Path, monkeypatch) -> None:
    from kg_engine.query.predict import GnnRanker

    asker = ask_engine.asker()  # this store holds four Hetionet edge files; the shipped ranker read all 21
    monkeypatch.setattr(asker, "ranker", GnnRanker(asker.store, tmp_path / "empty-home"))
    record = asker.ask("Which drugs might be repurposed for type 2 diabetes?")
    assert not record["abstained"], record.get("reason")
    assert any(a["known"] for a in record["answers"]) and any(not a["known"] for a in record["answers"])
    assert record["answers"][0]["curie"].startswith("DRUGBANK:")


@pytest.fixture(scope="module")
def predict_home(ask_home: Path, shared_data: Path) -> Path:
    from typer.testing import CliRunner

    from kg_engine.cli import app

    for task in ("treats", "binds"):
        result = CliRunner().invoke(app, ["train", "gnn", "--task", task, "--epochs", "2", "--home", str(ask_home)])
        assert result.exit_code == 0, result.output
    return ask_home


def test_predicted_answers_carry_scores_known_marks_and_metapaths(predict_home: Path, shared_data: Path) -> None:
    from kg_engine import Engine

    with Engine.open(predict_home, read_only=True, data_dir=shared_data) as kg:
        record = kg.ask("What 5 drugs could treat type 2 diabetes?")
        assert not record["abstained"] and record["predicted"] and record["kind"] == "list"
        answers = record["answers"]
        novel = [a for a in answers if not a["known"]]
        known = [a for a in answers if a["known"]]
        assert len(novel) == 5 and 0 < len(known) <= 5
        assert [a["score"] for a in novel] == sorted((a["score"] for a in novel), reverse=True)
        assert all(a["curie"].startswith("DRUGBANK:") and a["name"] for a in answers)
        assert all(isinstance(a["metapaths"], list) and isinstance(a["evidence"], list) for a in answers)
        assert any(a["metapaths"] for a in answers)
        assert all(p["contribution"] > 0 and p["metapath"].startswith("Compound") for a in answers
                   for p in a["metapaths"])
        targets = kg.ask("What new targets might imatinib have?")
        assert not targets["abstained"] and all(a["curie"].startswith("NCBIGene:") for a in targets["answers"])
