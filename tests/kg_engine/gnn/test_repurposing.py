"""External-pair evaluation (kg eval repurposing) and held-out graphs for its dev proxy."""

from __future__ import annotations

import pytest
import torch

from kg_engine.gnn.data import GnnDataError
from kg_engine.gnn.repurposing import TREATS, PairScores, curie_of, evaluate_pairs, hold_out, read_pairs


def test_ids_become_curies():
    assert curie_of("DB00331", "Compound") == "DRUGBANK:DB00331"
    assert curie_of("drugbank:DB00331", "Compound") == "DRUGBANK:DB00331"
    assert curie_of("DOID:9352", "Disease") == "DOID:9352"
    assert curie_of("9352", "Disease") == "DOID:9352"


def test_read_pairs_needs_both_columns(tmp_path):
    good = tmp_path / "p.tsv"
    good.write_text("compound\tdisease\nDB00331\tDOID:9352\n", encoding="utf-8")
    assert read_pairs(good) == [("DRUGBANK:DB00331", "DOID:9352")]
    bad = tmp_path / "q.tsv"
    bad.write_text("drug\tdisease\nDB00331\tDOID:9352\n", encoding="utf-8")
    with pytest.raises(GnnDataError, match="compound"):
        read_pairs(bad)


def test_pairs_are_ranked_against_unlinked_pairs_only():
    score = torch.tensor([[3.0, 2.0], [1.0, 0.0]])
    known = torch.tensor([[True, False], [False, False]])
    scores = PairScores(["C:a", "C:b"], ["D:x", "D:y"], score, torch.tensor([[1.0, 0.0], [0.0, 1.0]]), known)
    report = evaluate_pairs(scores, [("C:a", "D:y"), ("C:a", "D:x"), ("C:z", "D:x")])
    assert report["evaluated"] == 1 and report["known_in_graph"] == 1 and report["not_in_graph"] == 1
    assert report["negatives"] == 2  # the known pair is no negative
    assert report["models"]["ranker"]["auroc"] == 1.0 and report["models"]["degree_prior"]["auroc"] == 0.25


def test_hold_out_removes_the_pairs_from_every_compound_disease_relation(small_graph):
    reduced, pairs = hold_out(small_graph, 0.2, seed=3)
    n = small_graph[TREATS].edge_index.size(1)
    assert len(pairs) == round(0.2 * n) and reduced[TREATS].edge_index.size(1) == n - len(pairs)
    index_c = {c: i for i, c in enumerate(small_graph["Compound"].curie)}
    index_d = {d: i for i, d in enumerate(small_graph["Disease"].curie)}
    held = {(index_c[c], index_d[d]) for c, d in pairs}
    for et in reduced.edge_types:
        if {et[0], et[2]} == {"Compound", "Disease"}:
            ei = reduced[et].edge_index if et[0] == "Compound" else reduced[et].edge_index.flip(0)
            assert not held & set(map(tuple, ei.t().tolist())), et
