from __future__ import annotations

import json

import pandas as pd
import pytest
from typer.testing import CliRunner

from kg_engine.cli import app

runner = CliRunner()


@pytest.fixture(scope="module")
def trained(gnn_home):
    result = runner.invoke(app, ["train", "gnn", "--task", "treats", "--epochs", "2", "--home", str(gnn_home)])
    assert result.exit_code == 0, result.output
    assert "saved checkpoint" in result.output
    return gnn_home


def _table(output: str, width: int) -> list[list[str]]:
    return [[c.strip() for c in ln.split("│")[1:width + 1]] for ln in output.splitlines() if ln.startswith("│")]


def test_predict_top_bounds_the_output_and_counts_the_known(trained):
    result = runner.invoke(app, ["predict", "treats", "--disease", "DOID:9352", "--top", "5",
                                 "--home", str(trained)], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    rows = _table(result.output, 5)
    assert len(rows) == 5 and all(r[4] == "False" for r in rows)  # the best five candidates not yet known
    ranks = [int(r[0]) for r in rows]
    assert ranks == sorted(ranks)
    assert "known partner(s) not listed" in result.output
    marked = runner.invoke(app, ["predict", "treats", "--disease", "DOID:9352", "--top", "5000", "--known",
                                 "--home", str(trained)], env={"COLUMNS": "200"})
    known = [(r[1], r[2]) for r in _table(marked.output, 5) if r[4] == "True"]  # every compound is listed
    assert ("DRUGBANK:DB00331", "Metformin") in known  # treats type 2 diabetes, marked known


def test_predict_names_the_valid_tasks(trained):
    result = runner.invoke(app, ["predict", "cures", "--disease", "DOID:9352", "--home", str(trained)])
    assert result.exit_code == 2 and "choose one of: treats, binds, associates" in result.output


def test_predict_all_and_eval_repurposing(trained, tmp_path):
    scores = tmp_path / "scores.tsv"
    result = runner.invoke(app, ["predict", "treats", "--all", "--out", str(scores), "--home", str(trained)])
    assert result.exit_code == 0, result.output
    table = pd.read_csv(scores, sep="\t")
    assert list(table.columns) == ["compound", "disease", "score", "known"]
    assert table["compound"].str.startswith("DRUGBANK:").all() and table["disease"].str.startswith("DOID:").all()
    assert not table.duplicated(["compound", "disease"]).any() and table["known"].sum() > 0
    top = table[~table["known"]].nlargest(20, "score")
    pairs = tmp_path / "pairs.tsv"
    pd.DataFrame({"compound": [c.removeprefix("DRUGBANK:") for c in top["compound"]] + ["DB99999"],
                  "disease": [*top["disease"], "DOID:9352"]}).to_csv(pairs, sep="\t", index=False)
    result = runner.invoke(app, ["eval", "repurposing", str(pairs), "--json", "--home", str(trained)])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["evaluated"] == 20 and report["not_in_graph"] == 1
    assert report["models"]["ranker"]["auroc"] > 0.99  # the ranker's own top pairs
    assert set(report["models"]) == {"ranker", "degree_prior"}


def test_predict_unknown_curie_is_one_line_error(trained):
    result = runner.invoke(app, ["predict", "treats", "--disease", "DOID:0000000", "--home", str(trained)])
    assert result.exit_code != 0
    assert "neither" in result.output and "Traceback" not in result.output


def test_similar_lists_same_category_with_names(trained):
    result = runner.invoke(app, ["similar", "DOID:9352", "--top", "3", "--home", str(trained)],
                           env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    rows = _table(result.output, 4)
    assert len(rows) == 3 and all(r[0].startswith("DOID:") and r[1] and r[1] != r[0] for r in rows)


def test_eval_prints_one_json_object(gnn_home):
    result = runner.invoke(app, ["eval", "gnn", "--task", "treats", "--split", "cold-disease", "--seed", "1",
                                 "--epochs", "2", "--no-pykeen", "--json", "--home", str(gnn_home)])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["task"] == "treats" and report["split"] == "cold-disease" and report["seed"] == 1
    assert set(report["models"]) == {"gnn", "degree_prior"}
    assert set(report["models"]["gnn"]) == {"auroc", "auprc", "mrr", "hits@1", "hits@10"}
    gnn = report["budget"]["gnn"]  # a cold-disease split gets the settings chosen for zero-shot diseases
    assert gnn["node_input"] == "gated" and gnn["monitor"] == "auroc" and gnn["epochs_run"] == 2
    assert report["budget"]["pykeen"] is None and set(report["budget"]["seconds"]) == {"gnn"}


def test_unknown_task_is_a_user_error(gnn_home):
    result = runner.invoke(app, ["eval", "gnn", "--task", "cures", "--home", str(gnn_home)])
    assert result.exit_code == 2 and "choose one of" in result.output


def test_engine_predict_returns_bounded_records(trained):
    from kg_engine import Engine

    with Engine.open(trained, read_only=True) as kg:
        rows = kg.predict("treats", disease="DOID:9352", top=3)
        marked = kg.predict("treats", disease="DOID:9352", top=5000, known=True)  # every compound
    assert len(rows) == 3 and not any(r["known"] for r in rows) and all(r["name"] for r in rows)
    assert any(r["known"] and r["curie"] == "DRUGBANK:DB00331" for r in marked)
