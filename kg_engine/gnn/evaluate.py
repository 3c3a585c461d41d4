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
    """Area under the ROC curve (the rank-sum statistic), tied scores counting half.

    Shapes:
        scores: ``[N]`` float, labels: ``[N]`` bool.
    """
    return _curves(scores, labels)[0]


def auprc(scores: Tensor, labels: Tensor) -> float:
    """Average precision (the step-wise area under the precision-recall curve), ties grouped.

    Shapes:
        scores: ``[N]`` float, labels: ``[N]`` bool.
    """
    return _curves(scores, labels)[1]


def _curves(scores: Tensor, labels: Tensor) -> tuple[float, float]:
    """AUROC and AUPRC from one descending sort, counted per group of tied scores.

    One sort serves both: on the 32 million compound–gene pairs of ``binds`` sorting dominates the cost.
    """
    n_pos = int(labels.sum())
    n_neg = labels.numel() - n_pos
    if n_pos == 0:
        return float("nan"), float("nan")
    order = torch.argsort(scores, descending=True)
    _, counts = torch.unique_consecutive(scores[order], return_counts=True)
    ends = torch.cumsum(counts, 0) - 1
    tp = torch.cumsum(labels[order].long(), 0)[ends].double()  # positives ranked at or above each group's end
    seen = (ends + 1).double()
    pos = torch.diff(tp, prepend=torch.zeros(1, dtype=torch.double))
    neg = counts.double() - pos
    auprc_value = float((pos / n_pos * tp / seen).sum())
    if n_neg == 0:
        return float("nan"), auprc_value
    neg_below = n_neg - torch.cumsum(neg, 0)
    return float((pos * (neg_below + neg / 2)).sum() / (n_pos * n_neg)), auprc_value


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
    roc, pr = _curves(matrix[keep].float(), labels[keep])
    return {"auroc": roc, "auprc": pr}


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


RANKING_METRICS = ("mrr", "hits@1", "hits@10")


def evaluate_matrix(matrix: Tensor, split: LinkSplit, on: str = "test", ranking_only: bool = False
                    ) -> dict[str, float]:
    """All metrics of a score matrix on ``split.test`` (or ``split.val``).

    Args:
        matrix: ``[num_src, num_dst]`` scores for ``split.target``.
        split: the split whose positives are scored.
        on: ``test`` or ``val``.
        ranking_only: skip AUROC/AUPRC (a sort of every pair: seconds on the 32 million pairs of ``binds``).
    """
    positives = split.test if on == "test" else split.val
    seen = split.train if on == "val" else torch.cat([split.train, split.val], dim=1)
    known = torch.cat([split.train, split.val, split.test], dim=1)
    ranking = ranking_metrics(matrix, positives, known)
    return ranking if ranking_only else {**classification_metrics(matrix, positives, seen), **ranking}


def degree_prior(split: LinkSplit) -> Tensor:
    """Degree-product baseline ``deg_train(src) * deg_train(dst)`` in the target relation.

    Shapes:
        output: ``[num_src, num_dst]``.
    """
    deg_s = torch.bincount(split.train[0], minlength=split.num_src).double()
    deg_d = torch.bincount(split.train[1], minlength=split.num_dst).double()
    return torch.outer(deg_s, deg_d)
