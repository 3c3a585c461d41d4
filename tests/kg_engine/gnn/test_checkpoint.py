from __future__ import annotations

import pytest
import torch

from kg_engine.gnn import checkpoint
from kg_engine.gnn.data import TASKS, build_split
from kg_engine.gnn.train import TrainConfig, score_matrix, train

TREATS = TASKS["treats"]


@pytest.fixture(scope="module")
def saved(small_graph, tmp_path_factory):
    split = build_split(small_graph, TREATS, "random", seed=0)
    result = train(split, TrainConfig(epochs=2, eval_every=2, dim=16, aux_edges=128))
    home = tmp_path_factory.mktemp("ckpt-home")
    path = checkpoint.save(home, "treats", split, result.model, TrainConfig(epochs=2, dim=16), small_graph, {})
    return home, path, split, result.model


def test_round_trip_gives_same_scores(saved, small_graph):
    home, path, split, model = saved
    assert checkpoint.latest(home, "treats") == path
    loaded = checkpoint.load(path, small_graph)
    assert loaded.target == TREATS and loaded.curies["Disease"] == list(small_graph["Disease"].curie)
    assert torch.allclose(score_matrix(loaded.model, split), score_matrix(model, split))


def test_other_schema_is_refused_with_a_clear_error(saved, small_graph):
    _, path, _, _ = saved
    other = small_graph.clone()
    other[TREATS].edge_index = other[TREATS].edge_index[:, :-1]
    with pytest.raises(checkpoint.CheckpointError, match="schema fingerprint"):
        checkpoint.load(path, other)


def test_missing_checkpoint_says_how_to_make_one(tmp_path):
    with pytest.raises(checkpoint.CheckpointError, match="kg train gnn"):
        checkpoint.latest(tmp_path, "binds")


def test_embeddings_keyed_by_curie_and_similar_stays_in_category(saved, small_graph):
    _, path, _, _ = saved
    table = checkpoint.read_embeddings(path)
    assert len(table) == sum(small_graph[nt].num_nodes for nt in small_graph.node_types)
    assert table["curie"].is_unique and len(table["embedding"].iloc[0]) == 16
    hits = checkpoint.similar(table, "DOID:9352", top=5)
    assert len(hits) == 5 and set(hits["category"]) == {"Disease"} and "DOID:9352" not in set(hits["curie"])
    assert hits["cosine"].is_monotonic_decreasing
    with pytest.raises(checkpoint.CheckpointError, match="no embedding"):
        checkpoint.similar(table, "DOID:0000000")


def test_node_types_without_edges_still_get_embeddings(small_graph, tmp_path):
    graph = small_graph.clone()
    graph["Publication"].curie = ["PMID:1", "PMID:2"]  # as after literature ingestion, before any edge
    graph["Publication"].num_nodes = 2
    split = build_split(graph, TREATS, "random", seed=0)
    result = train(split, TrainConfig(epochs=1, eval_every=1, dim=8, aux_edges=64))
    path = checkpoint.save(tmp_path, "treats", split, result.model, TrainConfig(epochs=1, dim=8), graph, {})
    table = checkpoint.read_embeddings(path)
    assert set(table.loc[table["category"] == "Publication", "curie"]) == {"PMID:1", "PMID:2"}


def test_a_shipped_checkpoint_loads_onto_another_graph_by_curie(saved, small_graph, tmp_path, monkeypatch):
    import shutil

    from kg_engine.gnn import portable

    _, path, _, model = saved
    ship = tmp_path / "shipped" / "treats"
    shutil.copytree(path, ship)
    monkeypatch.setattr(portable, "SHIPPED_DIR", tmp_path / "shipped")
    assert checkpoint.latest(tmp_path / "empty-home", "treats") == ship  # no home checkpoint: the shipped one
    other = small_graph.clone()  # a literature-like graph: one more compound, in front, and one treats edge fewer
    other["Compound"].curie = ["MESH:D000001", *small_graph["Compound"].curie]
    other["Compound"].num_nodes = small_graph["Compound"].num_nodes + 1
    for et in other.edge_types:
        for row, nt in ((0, et[0]), (1, et[2])):
            if nt == "Compound":
                other[et].edge_index[row] += 1
    other[TREATS].edge_index = other[TREATS].edge_index[:, 1:]
    loaded = checkpoint.load(ship, other)
    emb = loaded.model.encoder.embedding["Gene"].weight
    assert torch.equal(emb, model.encoder.embedding["Gene"].weight)
    own = loaded.model.encoder.embedding["Compound"].weight
    assert own[0].abs().sum() == 0 and torch.equal(own[1:], model.encoder.embedding["Compound"].weight)
    z = checkpoint.embed(loaded.model, other)
    assert z["Compound"].shape[0] == other["Compound"].num_nodes
    assert 0 not in loaded.model.path_src.tolist()  # a MeSH-only compound gets no metapath features
