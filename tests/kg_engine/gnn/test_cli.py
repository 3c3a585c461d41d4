from __future__ import annotations

import json

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


def test_predict_lists_known_treatments_then_ranks_the_rest(trained):
    result = runner.invoke(app, ["predict", "treats", "--disease", "DOID:9352", "--top", "5",
                                 "--home", str(trained)], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    rows = [[c.strip() for c in ln.split("│")[1:6]] for ln in result.output.splitlines() if ln.startswith("│")]
    known = [(r[1], r[2]) for r in rows if r[4] == "True"]
    novel = [r for r in rows if r[4] == "False"]
    assert ("DRUGBANK:DB00331", "Metformin") in known  # treats type 2 diabetes, listed whatever its rank
    assert len(novel) == 5
    ranks = [int(r[0]) for r in novel]
    assert ranks == sorted(ranks)


def test_predict_unknown_curie_is_one_line_error(trained):
    result = runner.invoke(app, ["predict", "treats", "--disease", "DOID:0000000", "--home", str(trained)])
    assert result.exit_code != 0
    assert "neither" in result.output and "Traceback" not in result.output


def test_similar_lists_same_category(trained):
    result = runner.invoke(app, ["similar", "DOID:9352", "--top", "3", "--home", str(trained)],
                           env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert result.output.count("DOID:") >= 3


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
