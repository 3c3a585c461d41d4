"""The GNN ``interacts`` task: drug graph, symmetric evaluation, a short training run and predicted pair scores."""

from __future__ import annotations

import torch

from kg_engine.gnn.data import TASKS, build_split
from kg_engine.gnn.interacts import TARGET, interaction_graph, symmetric_split, symmetrize
from kg_engine.gnn.interacts_model import FEATURE_RELATIONS, compound_features


def test_task_is_registered():
    assert TASKS["interacts"] == TARGET


def test_symmetrize_scores_self_pairs_lowest():
    m = torch.arange(9.0).view(3, 3)
    s = symmetrize(m)
    assert torch.equal(s, s.T) and bool((s.diagonal() < s.min() + 1e-6).all())


def test_drug_graph_split_and_features(decision_engine):
    graph = interaction_graph(decision_engine.store.to_pyg(split_qualifiers=True))
    assert set(graph.edge_types) <= {TARGET, *FEATURE_RELATIONS}
    split = build_split(graph, TARGET, "random", seed=1)
    sym = symmetric_split(split)
    assert sym.test.size(1) == 2 * split.test.size(1)
    held = {tuple(p) for p in split.held_out().T.tolist()}
    train = {tuple(p) for p in split.train.T.tolist()}
    assert not held & (train | {(b, a) for a, b in train}), "no held-out pair in either orientation"
    features = compound_features(split.graph)
    assert features.size(0) == split.num_src and features._nnz() > 0


def test_short_training_gives_predicted_scores(decision_engine, decision_home):
    from kg_engine.gnn.interacts import train_interacts
    from kg_engine.gnn.train import TrainConfig

    graph = decision_engine.store.to_pyg(split_qualifiers=True)
    path = train_interacts(decision_home, graph, TrainConfig(epochs=5, seed=0))
    assert (path / "config.json").is_file() and (path / "model.pt").is_file()
    answer = decision_engine.interactions(["metformin", "doxorubicin", "warfarin"])
    unknown = [p for p in answer["pairs"] if not p["known_interaction"]]
    assert unknown, "the three drugs have at least one pair without a recorded interaction"
    for pair in unknown:
        assert 0.0 <= pair["predicted"]["probability"] <= 1.0 and 0.0 <= pair["predicted"]["percentile"] <= 1.0
    assert any("hypothesis" in n for n in answer["notes"])
