"""Per-epoch supervision draws, the filtered ranking loss and the node-input modes, on the small real graph."""

from __future__ import annotations

import pytest
import torch

from kg_engine.gnn.data import TASKS, GnnDataError, build_split
from kg_engine.gnn.train import (
    TrainConfig,
    _filtered_ce,
    build_model,
    draw_supervision,
    edge_dict,
    train,
)

TREATS = TASKS["treats"]


def _pairs(index: torch.Tensor) -> set[tuple[int, int]]:
    return set(map(tuple, index.T.tolist()))


@pytest.mark.parametrize("kind", ["random", "cold-disease"])
def test_supervision_edges_are_not_in_that_epochs_message_graph(small_graph, kind):
    split = build_split(small_graph, TREATS, kind, seed=2)
    sup, msg, cold = draw_supervision(split, 0.3, torch.Generator().manual_seed(0))
    assert _pairs(sup) | _pairs(msg) == _pairs(split.train) and not (_pairs(sup) & _pairs(msg))
    edges = edge_dict(split, torch.device("cpu"), msg, cold)
    for et, ei in edges.items():
        if {et[0], et[2]} == {"Compound", "Disease"}:
            oriented = ei if et[0] == "Compound" else ei.flip(0)
            assert not (_pairs(oriented) & _pairs(sup)), f"a supervision edge leaks through {et}"


def test_cold_disease_supervision_takes_whole_diseases_and_cuts_their_other_edges(small_graph):
    split = build_split(small_graph, TREATS, "cold-disease", seed=2)
    sup, msg, cold = draw_supervision(split, 0.3, torch.Generator().manual_seed(0))
    chosen = set(cold["Disease"].tolist())
    assert set(sup[1].tolist()) == chosen and not (chosen & set(msg[1].tolist()))
    edges = edge_dict(split, torch.device("cpu"), msg, cold)
    for et, ei in edges.items():
        if et[0] == "Compound" and et[2] == "Disease":
            assert not (chosen & set(ei[1].tolist())), et
        elif et[0] == "Disease" and et[2] == "Compound":
            assert not (chosen & set(ei[0].tolist())), et
    assert any(chosen & set(ei[0].tolist()) for et, ei in edges.items() if et[0] == "Disease" and et[2] == "Gene")


def test_filtered_ce_ignores_other_known_positives():
    block = torch.tensor([[5.0, 4.0, 0.0]])
    target = torch.tensor([1])
    plain = _filtered_ce(block, torch.zeros(1, 3, dtype=torch.bool), target)
    filtered = _filtered_ce(block, torch.tensor([[True, True, False]]), target)  # column 0 is another positive
    assert filtered < plain
    assert torch.isclose(filtered, -torch.log_softmax(torch.tensor([4.0, 0.0]), 0)[0])


def test_gated_input_uses_own_vectors_only_for_nodes_with_target_edges(small_graph):
    split = build_split(small_graph, TREATS, "random", seed=0)
    model = build_model(split, TrainConfig(dim=8, node_input="gated"))
    edges = edge_dict(split, torch.device("cpu"))
    x = model.encoder._inputs(edges)["Compound"]
    has_edge = torch.zeros(split.num_src, dtype=torch.bool)
    has_edge[split.train[0]] = True
    type_vector = model.encoder.type_vector["Compound"]
    assert torch.equal(x[~has_edge], type_vector.expand(int((~has_edge).sum()), -1))
    assert not torch.equal(x[has_edge][0], type_vector)


def test_inductive_input_has_no_per_node_table_for_the_target_types(small_graph):
    split = build_split(small_graph, TREATS, "random", seed=0)
    model = build_model(split, TrainConfig(dim=8, node_input="inductive"))
    assert "Compound" not in model.encoder.embedding and "Disease" not in model.encoder.embedding
    assert "Gene" in model.encoder.embedding


def test_unknown_node_input_and_monitor_are_user_errors(small_graph):
    split = build_split(small_graph, TREATS, "random", seed=0)
    with pytest.raises(GnnDataError, match="gated"):
        build_model(split, TrainConfig(node_input="learned"))
    with pytest.raises(GnnDataError, match="auprc"):
        train(split, TrainConfig(epochs=1, monitor="loss"))
