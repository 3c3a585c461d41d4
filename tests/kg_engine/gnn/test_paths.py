"""Metapath (DWPC) features of the predicted relation's pairs."""

from __future__ import annotations

import math

import pytest
import torch

from kg_engine.gnn.data import TASKS, build_split
from kg_engine.gnn.paths import candidates, path_features, two_hop_metapaths, within_budget
from kg_engine.gnn.train import TrainConfig, build_model, edge_dict

TREATS = TASKS["treats"]
RESEMBLES = ("Compound", "chemically_similar_to", "Compound")


def test_metapaths_run_from_source_to_destination_type(small_graph):
    split = build_split(small_graph, TREATS, "random", seed=0)
    paths = two_hop_metapaths(split.graph.edge_types, TREATS)
    assert (RESEMBLES, TREATS) in paths
    assert (("Compound", "directly_physically_interacts_with", "Gene"),
            ("Gene", "rev_condition_associated_with_gene", "Disease")) in paths
    assert all(a[0] == "Compound" and a[2] == b[0] and b[2] == "Disease" for a, b in paths)


def test_dwpc_of_a_hand_made_graph():
    # compound 0 resembles compound 1, which treats disease 0 and disease 1; compound 2 also treats disease 1
    edges = {RESEMBLES: torch.tensor([[0], [1]]), TREATS: torch.tensor([[1, 1, 2], [0, 1, 1]])}
    feats = path_features(edges, [(RESEMBLES, TREATS)], {"Compound": 3, "Disease": 2})[:, :, 0]
    # one path each; the second step's weight is 1/sqrt(deg_out(c1)=2 * deg_in(d)), deg_in(d0)=1, deg_in(d1)=2
    assert feats[0, 0].item() == pytest.approx(math.log1p(100 / math.sqrt(2)))
    assert feats[0, 1].item() == pytest.approx(math.log1p(100 / 2))
    assert feats[1:].abs().sum() == 0


def test_features_follow_the_forward_graph_so_scored_edges_never_feed_their_own(small_graph):
    split = build_split(small_graph, TREATS, "random", seed=0)
    model = build_model(split, TrainConfig(dim=8, path_features=True))
    edges = edge_dict(split, torch.device("cpu"))
    model(edges)
    with_treats = model._paths.clone()
    model(edge_dict(split, torch.device("cpu"), target_edges=split.train[:, :0]))
    column = model.paths.index((RESEMBLES, TREATS))
    assert with_treats[:, :, column].sum() > 0 and model._paths[:, :, column].sum() == 0


def test_too_many_pairs_keep_the_leading_metapaths_instead_of_failing():
    paths = [(RESEMBLES, TREATS)] * 20
    with pytest.warns(RuntimeWarning, match="keeping 1 of 20"):
        assert within_budget(paths, 1552, 20945, max_cells=1552 * 20945 * 1) == paths[:1]
    assert within_budget(paths, 10, 10) == paths


def test_candidates_are_the_vocabulary_ids_plus_linked_nodes():
    curies = ["DRUGBANK:DB1", "MESH:D1", "DRUGBANK:DB2", "MESH:D2"]
    assert candidates(curies, "Compound").tolist() == [0, 2]
    assert candidates(curies, "Compound", torch.tensor([3])).tolist() == [0, 2, 3]
    assert candidates(["MESH:D1", "MESH:D2"], "Compound").tolist() == [0, 1]  # no DrugBank ids: every node
    assert candidates(curies, "Gene").tolist() == [0, 1, 2, 3]


def test_features_of_candidate_pairs_only_match_the_full_matrix():
    edges = {RESEMBLES: torch.tensor([[0, 2], [1, 1]]), TREATS: torch.tensor([[1, 1, 2], [0, 1, 1]])}
    sizes = {"Compound": 3, "Disease": 2}
    full = path_features(edges, [(RESEMBLES, TREATS)], sizes)
    src, dst = torch.tensor([0, 2]), torch.tensor([1])
    cache: dict = {}
    part = path_features(edges, [(RESEMBLES, TREATS)], sizes, src, dst, cache)
    assert torch.equal(part, full[src][:, dst])
    assert torch.equal(path_features(edges, [(RESEMBLES, TREATS)], sizes, src, dst, cache), part)  # from the cache
    fewer = {**edges, TREATS: torch.tensor([[1], [0]])}
    assert path_features(fewer, [(RESEMBLES, TREATS)], sizes, src, dst, cache).sum() == 0  # changed edges: recomputed


def test_treats_defaults_read_paths_and_binds_does_not():
    from kg_engine.gnn.train import config_for

    treats = config_for("treats", "random")
    assert treats.path_features and treats.node_input == "gated" and treats.monitor == "auroc"
    binds = config_for("binds", "random")
    assert not binds.path_features and binds.jumping and binds.node_input == "free" and binds.monitor == "mrr"
    assert config_for("treats", "random", node_input="free").node_input == "free"


def test_three_hop_paths_pass_only_through_small_types(small_graph):
    from kg_engine.gnn.paths import metapaths

    split = build_split(small_graph, TREATS, "random", seed=0)
    two = metapaths(split.graph.edge_types, TREATS, 2)
    three = metapaths(split.graph.edge_types, TREATS, 3)
    assert three[: len(two)] == two and len(three) > len(two)
    assert (TREATS, ("Disease", "rev_treats", "Compound"), TREATS) in three
    assert all(et[2] != "Gene" for path in three[len(two):] for et in path[:2])
    model = build_model(split, TrainConfig(dim=8, path_features=True, path_hops=3))
    model(edge_dict(split, torch.device("cpu")))
    assert model._paths.shape == (len(model.path_src), len(model.path_dst), len(three))
