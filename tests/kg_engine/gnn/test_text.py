"""Node-name text features: read from the store, encoded by the packaged MiniLM, cached, and saved with the model."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from kg_engine.gnn import checkpoint, text
from kg_engine.gnn.data import TASKS, GnnDataError, build_split
from kg_engine.gnn.train import TrainConfig, score_matrix, train
from kg_engine.store.ladybug import LadybugStore

TREATS = TASKS["treats"]
TYPES = ("Compound", "Disease")


@pytest.fixture(scope="module")
def text_graph(small_graph, gnn_home: Path, tmp_path_factory):
    graph = small_graph.clone()
    cache = tmp_path_factory.mktemp("text-cache")
    store = LadybugStore(gnn_home / "graph.lbdb", read_only=True)
    try:
        text.attach_text(graph, store, TYPES, cache)
    finally:
        store.close()
    return graph, cache


def test_names_come_from_the_store(small_graph, gnn_home):
    store = LadybugStore(gnn_home / "graph.lbdb", read_only=True)
    try:
        curies = list(small_graph["Disease"].curie)
        names = text.node_names(store, "Disease", curies)
    finally:
        store.close()
    assert len(names) == len(curies)
    assert "type 2 diabetes mellitus" in names
    assert not any(n.startswith("DOID:") for n in names)


def test_vectors_are_unit_length_cached_and_reused(text_graph, gnn_home, monkeypatch):
    graph, cache = text_graph
    for nt in TYPES:
        vectors = graph[nt].text
        assert vectors.shape == (graph[nt].num_nodes, 384)
        assert torch.allclose(vectors.norm(dim=1), torch.ones(len(vectors)), atol=1e-4)
    assert len(list(cache.glob("names-*.pt"))) == len(TYPES)

    def no_encoding(names):
        raise AssertionError("the cache should have answered")

    monkeypatch.setattr(text, "encode_names", no_encoding)
    again = graph.clone()
    store = LadybugStore(gnn_home / "graph.lbdb", read_only=True)
    try:
        text.attach_text(again, store, TYPES, cache)
    finally:
        store.close()
    assert torch.equal(again["Disease"].text, graph["Disease"].text)


def test_related_names_are_closer_than_unrelated_ones():
    a, b, c = text.encode_names(["type 2 diabetes mellitus", "diabetes mellitus", "glaucoma"])
    assert float(a @ b) > float(a @ c) + 0.2


def test_text_model_trains_and_its_checkpoint_loads_without_the_encoder(text_graph, small_graph, tmp_path):
    graph, _ = text_graph
    split = build_split(graph, TREATS, "random", seed=0)
    assert torch.equal(split.graph["Compound"].text, graph["Compound"].text)
    config = TrainConfig(epochs=2, eval_every=2, dim=16, text_features=True)
    result = train(split, config)
    assert set(result.model.encoder.text_types) == set(TYPES)
    path = checkpoint.save(tmp_path, "treats", split, result.model, config, graph, {})
    loaded = checkpoint.load(path, small_graph)  # no text attached to the graph: the checkpoint carries it
    assert torch.allclose(score_matrix(loaded.model, split), score_matrix(result.model, split))


def test_text_features_without_vectors_is_a_user_error(small_graph):
    split = build_split(small_graph, TREATS, "random", seed=0)
    with pytest.raises(GnnDataError, match="attach_text"):
        train(split, TrainConfig(epochs=1, dim=16, text_features=True))
