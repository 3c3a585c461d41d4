from __future__ import annotations

import torch

from kg_engine.gnn.evaluate import auprc, auroc, classification_metrics, ranking_metrics


def test_auroc_and_auprc_known_values():
    scores = torch.tensor([0.9, 0.8, 0.7, 0.6])
    assert auroc(scores, torch.tensor([True, True, False, False])) == 1.0
    assert auroc(scores, torch.tensor([False, False, True, True])) == 0.0
    assert auroc(torch.ones(4), torch.tensor([True, False, True, False])) == 0.5
    assert abs(auprc(scores, torch.tensor([True, False, True, False])) - (1 + 2 / 3) / 2) < 1e-9


def test_ranks_are_filtered_and_both_directions_count():
    matrix = torch.tensor([[0.9, 0.8, 0.1], [0.2, 0.3, 0.95]])
    test = torch.tensor([[0], [1]])  # pair (0, 1) scores second in its row, first in its column
    unfiltered = ranking_metrics(matrix, test, test)
    assert abs(unfiltered["mrr"] - (0.5 + 1.0) / 2) < 1e-9
    known = torch.tensor([[0, 0], [1, 0]])  # (0, 0) is a known positive: filtered out of the row
    filtered = ranking_metrics(matrix, test, known)
    assert filtered["mrr"] == 1.0 and filtered["hits@1"] == 1.0


def test_excluded_pairs_are_not_negatives():
    matrix = torch.tensor([[0.1, 0.9], [0.5, 0.2]])
    pos = torch.tensor([[1], [0]])
    assert classification_metrics(matrix, pos, torch.empty(2, 0, dtype=torch.long))["auroc"] < 1.0
    assert classification_metrics(matrix, pos, torch.tensor([[0], [1]]))["auroc"] == 1.0
