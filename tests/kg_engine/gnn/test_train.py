from __future__ import annotations

import pytest
import torch

from kg_engine.gnn.data import TASKS, build_split
from kg_engine.gnn.evaluate import degree_prior, evaluate_matrix
from kg_engine.gnn.model import ENCODERS, GnnDataError, encoder_layer
from kg_engine.gnn.train import TrainConfig, score_matrix, train

TREATS = TASKS["treats"]


@pytest.fixture(scope="module")
def split(small_graph):
    return build_split(small_graph, TREATS, "random", seed=0)


def test_same_seed_same_scores(split):
    config = TrainConfig(epochs=3, eval_every=3, dim=32, seed=7, deterministic=True)
    a = score_matrix(train(split, config).model, split)
    b = score_matrix(train(split, config).model, split)
    c = score_matrix(train(split, TrainConfig(epochs=3, eval_every=3, dim=32, seed=8, deterministic=True)).model, split)
    assert torch.equal(a, b)
    assert not torch.equal(a, c)


@pytest.mark.parametrize("name", sorted(ENCODERS))
def test_every_encoder_runs_one_epoch(split, name):
    result = train(split, TrainConfig(encoder=name, epochs=1, eval_every=1, dim=16, aux_weight=1.0, aux_edges=64))
    scores = score_matrix(result.model, split)
    assert scores.shape == (split.num_src, split.num_dst)
    assert torch.isfinite(scores).all()


def test_unknown_encoder_lists_choices(split):
    with pytest.raises(GnnDataError, match="sage"):
        encoder_layer("gat2", split.graph.metadata(), 8)


def test_trained_model_beats_random_and_is_not_degree_only(split):
    result = train(split, TrainConfig(epochs=60, eval_every=10, patience=60, seed=0))
    gnn = evaluate_matrix(score_matrix(result.model, split), split)
    assert gnn["auroc"] > 0.75, gnn
    candidates = split.num_src * split.num_dst - split.train.size(1) - split.val.size(1)
    assert gnn["auprc"] > 3 * split.test.size(1) / candidates, gnn  # well above the random base rate
    assert len(result.epoch_seconds) >= 10 and result.best_epoch > 0
    prior = evaluate_matrix(degree_prior(split), split)
    assert gnn["auroc"] > prior["auroc"] and gnn["mrr"] > prior["mrr"], (gnn, prior)


def test_degree_term_counts_every_relation_at_each_end_in_the_forward_graph(split):
    from kg_engine.gnn.train import build_model, edge_dict

    model = build_model(split, TrainConfig(dim=8))
    slots = model.degree_slots["Compound"]
    assert (TREATS, 0) in slots and (("Compound", "directly_physically_interacts_with", "Gene"), 0) in slots
    assert not any(et[1].startswith("rev_") for et, _ in slots)
    assert model.degree_weight["|".join(TREATS)].numel() == len(slots) + len(model.degree_slots["Disease"])
    edges = edge_dict(split, torch.device("cpu"))
    model(edges)
    full = model._log_deg["Compound"].clone()
    binds = ("Compound", "directly_physically_interacts_with", "Gene")
    model({**edges, binds: edges[binds][:, :0]})  # degrees follow the graph of the call, not the stored one
    column = slots.index((binds, 0))
    assert full[:, column].sum() > 0 and model._log_deg["Compound"][:, column].sum() == 0
