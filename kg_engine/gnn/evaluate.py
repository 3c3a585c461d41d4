"""Link-prediction metrics on a :class:`LinkSplit`, for any scorer that fills a ``[num_src, num_dst]`` matrix.

Conventions (Rephetio): AUROC and AUPRC rank every pair that is not a train (or, for test, val) positive;
positives are the held-out edges, negatives every other unobserved pair. Filtered MRR and Hits@k rank each
held-out edge's object among all objects of its subject, and its subject among all subjects of its object,
with every other known positive of the relation removed; ties count half (the "realistic" rank).
"""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import Tensor

from kg_engine.gnn.data import LinkSplit

Scorer = Callable[[], Tensor]


def auroc(scores: Tensor, labels: Tensor) -> float:
    """Area under the ROC curve via the rank-sum statistic, ties averaged.

    Shapes:
        scores: ``[N]`` float, labels: ``[N]`` bool.
    """
    n_pos, n_neg = int(labels.sum()), int((~labels).sum())
    if n_pos == 0 or n_neg == 0:
        return float("nan")
    ranks = _average_ranks(scores.double())
    return float((ranks[labels].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


def auprc(scores: Tensor, labels: Tensor) -> float:
    """Average precision (the step-wise area under the precision-recall curve), ties grouped.

    Shapes:
        scores: ``[N]`` float, labels: ``[N]`` bool.
    """
    n_pos = int(labels.sum())
    if n_pos == 0:
        return float("nan")
    order = torch.argsort(scores.double(), descending=True, stable=True)
    s, y = scores.double()[order], labels[order].double()
    tp, seen = torch.cumsum(y, 0), torch.arange(1, len(y) + 1, dtype=torch.double)
    last = torch.ones(len(s), dtype=torch.bool)
    last[:-1] = s[1:] != s[:-1]  # evaluate precision only at the end of each group of tied scores
    tp_at, seen_at = tp[last], seen[last]
    recall_gain = torch.diff(tp_at, prepend=torch.zeros(1, dtype=torch.double)) / n_pos
    return float((recall_gain * tp_at / seen_at).sum())


def _average_ranks(x: Tensor) -> Tensor:
    order = torch.argsort(x, stable=True)
    sorted_x = x[order]
    _, inverse, counts = torch.unique_consecutive(sorted_x, return_inverse=True, return_counts=True)
    ends = torch.cumsum(counts, 0).double()
    avg = ends - (counts.double() - 1) / 2
    ranks = torch.empty_like(x)
    ranks[order] = avg[inverse]
    return ranks


def classification_metrics(matrix: Tensor, positives: Tensor, exclude: Tensor) -> dict[str, float]:
    """AUROC and AUPRC of ``positives`` against every other pair not in ``exclude``.

    Shapes:
        matrix: ``[S, D]`` scores; positives, exclude: ``[2, n]`` pair indices.
    """
    labels = torch.zeros_like(matrix, dtype=torch.bool)
    labels[positives[0], positives[1]] = True
    keep = torch.ones_like(labels)
    keep[exclude[0], exclude[1]] = False
    keep[positives[0], positives[1]] = True
    scores, y = matrix[keep].float(), labels[keep]
    return {"auroc": auroc(scores, y), "auprc": auprc(scores, y)}


def ranking_metrics(
    matrix: Tensor, positives: Tensor, known: Tensor, ks: tuple[int, ...] = (1, 10)
) -> dict[str, float]:
    """Filtered MRR and Hits@k, averaged over both directions (objects per subject, subjects per object).

    Shapes:
        matrix: ``[S, D]`` scores; positives: ``[2, n]`` held-out pairs; known: ``[2, m]`` all positives.
    """
    matrix = matrix.float()
    filt = torch.zeros_like(matrix, dtype=torch.bool)
    filt[known[0], known[1]] = True
    ranks = torch.cat([
        _filtered_ranks(matrix, filt, positives[0], positives[1]),
        _filtered_ranks(matrix.T, filt.T, positives[1], positives[0]),
    ])
    out = {"mrr": float((1.0 / ranks).mean())}
    out.update({f"hits@{k}": float((ranks <= k).double().mean()) for k in ks})
    return out


def _filtered_ranks(matrix: Tensor, filt: Tensor, rows: Tensor, cols: Tensor) -> Tensor:
    block = matrix[rows]
    mask = filt[rows].clone()
    target = block[torch.arange(len(rows)), cols].unsqueeze(1)
    mask[torch.arange(len(rows)), cols] = False  # the pair itself stays in the ranking
    valid = ~mask
    greater = ((block > target) & valid).sum(1).double()
    ties = ((block == target) & valid).sum(1).double() - 1
    return 1 + greater + ties / 2


def evaluate_matrix(matrix: Tensor, split: LinkSplit, on: str = "test") -> dict[str, float]:
    """All metrics of a score matrix on ``split.test`` (or ``split.val``).

    Shapes:
        matrix: ``[num_src, num_dst]`` scores for ``split.target``.
    """
    positives = split.test if on == "test" else split.val
    seen = split.train if on == "val" else torch.cat([split.train, split.val], dim=1)
    known = torch.cat([split.train, split.val, split.test], dim=1)
    return {**classification_metrics(matrix, positives, seen), **ranking_metrics(matrix, positives, known)}


def degree_prior(split: LinkSplit) -> Tensor:
    """Degree-product baseline ``deg_train(src) * deg_train(dst)`` in the target relation.

    Shapes:
        output: ``[num_src, num_dst]``.
    """
    deg_s = torch.bincount(split.train[0], minlength=split.num_src).double()
    deg_d = torch.bincount(split.train[1], minlength=split.num_dst).double()
    return torch.outer(deg_s, deg_d)
