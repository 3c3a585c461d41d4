from __future__ import annotations

import pytest
import torch

from kg_engine.gnn.data import TASKS, GnnDataError, build_split, schema_fingerprint

TREATS = TASKS["treats"]


def _pairs(index: torch.Tensor) -> set[tuple[int, int]]:
    return set(map(tuple, index.T.tolist()))


def test_small_graph_has_the_task_relations(small_graph):
    assert TREATS in small_graph.edge_types
    assert small_graph["Compound"].num_nodes > 1000
    assert small_graph[TREATS].edge_index.size(1) > 500


@pytest.mark.parametrize("kind", ["random", "cold-disease"])
def test_no_held_out_pair_reachable_in_any_direction(small_graph, kind):
    split = build_split(small_graph, TREATS, kind, seed=3)
    held = _pairs(split.held_out())
    assert held and split.test.size(1) > 0 and split.val.size(1) > 0
    graph = split.graph
    for et in graph.edge_types:
        if {et[0], et[2]} != {"Compound", "Disease"}:
            continue
        index = graph[et].edge_index
        oriented = index if et[0] == "Compound" else index.flip(0)
        assert not (_pairs(oriented) & held), f"held-out pair leaks through {et}"
    assert ("Disease", "rev_treats", "Compound") in graph.edge_types
    assert _pairs(graph[TREATS].edge_index) == _pairs(split.train)


def test_cold_disease_holds_out_whole_diseases(small_graph):
    split = build_split(small_graph, TREATS, "cold-disease", seed=3)
    test_d, train_d = set(split.test[1].tolist()), set(split.train[1].tolist())
    assert test_d and not (test_d & train_d)
    assert not (test_d & set(split.val[1].tolist()))
    all_d = set(small_graph[TREATS].edge_index[1].tolist())
    assert 0.15 < len(test_d) / len(all_d) < 0.25
    for et in split.graph.edge_types:  # cold diseases keep no compound edge at all
        if et[0] == "Compound" and et[2] == "Disease":
            assert not (set(split.graph[et].edge_index[1].tolist()) & test_d)


def test_split_is_seeded_and_partitions_edges(small_graph):
    a, b, c = (build_split(small_graph, TREATS, "random", seed=s) for s in (1, 1, 2))
    assert torch.equal(a.test, b.test) and not torch.equal(a.test, c.test)
    total = a.train.size(1) + a.val.size(1) + a.test.size(1)
    assert total == small_graph[TREATS].edge_index.size(1)
    assert len(_pairs(a.train) | _pairs(a.val) | _pairs(a.test)) == len(_pairs(small_graph[TREATS].edge_index))


def test_fingerprint_tracks_schema(small_graph):
    fp = schema_fingerprint(small_graph)
    assert fp == schema_fingerprint(small_graph.clone())
    changed = small_graph.clone()
    changed[TREATS].edge_index = changed[TREATS].edge_index[:, 1:]
    assert schema_fingerprint(changed) != fp


def test_bad_task_and_split_are_user_errors(small_graph):
    with pytest.raises(GnnDataError, match="choose one of"):
        build_split(small_graph, TREATS, "sideways")
    with pytest.raises(GnnDataError, match="Disease"):
        build_split(small_graph, TASKS["binds"], "cold-disease")
