"""The ``interacts`` task: drug–drug interaction link prediction on ``Compound -interacts_with- Compound``.

Interactions are undirected but stored once per pair (the smaller DrugBank CURIE as subject). Training uses
that canonical orientation, so a supervision pair never passes messages through its own reverse copy; the
message graph still carries both directions (``interacts_with`` and ``rev_interacts_with``). Evaluation is
symmetric: every model's score matrix is averaged with its transpose, and held-out pairs are ranked from both
ends with every known pair filtered in either orientation, so each pair is judged the same way whichever drug
is its subject.

The model reads the part of the graph that bears on drugs (:data:`KEEP_TYPES`: targets, their pathways,
side effects, pharmacologic classes, indications, chemical similarity), without gene–gene, disease–gene and
literature edges: a full-batch epoch on two CPU cores then takes well under a second.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any

import torch
from torch import Tensor
from torch_geometric.data import HeteroData

from kg_engine.gnn import checkpoint
from kg_engine.gnn.baselines import KgeBudget, pykeen_available, pykeen_scores
from kg_engine.gnn.data import GnnDataError, LinkSplit, build_split
from kg_engine.gnn.evaluate import degree_prior, evaluate_matrix
from kg_engine.gnn.train import TrainConfig, score_matrix, train

TASK = "interacts"
TARGET = ("Compound", "interacts_with", "Compound")
KEEP_TYPES = frozenset({"Compound", "Gene", "Pathway", "SideEffect", "PharmacologicClass", "Disease"})
DROP_PAIRS = frozenset({frozenset({"Gene"}), frozenset({"Disease", "Gene"}), frozenset({"Disease"})})
Log = Callable[[str], None]


def _quiet(_: str) -> None:
    return None


def interaction_graph(graph: HeteroData) -> HeteroData:
    """The drug-centred part of ``graph`` the interacts model reads (node indices unchanged)."""
    if TARGET not in graph.edge_types:
        raise GnnDataError("no Compound-interacts_with-Compound edges in the graph; run `kg load interactions` first")
    out = HeteroData()
    for nt in graph.node_types:
        if nt in KEEP_TYPES:
            out[nt].num_nodes = graph[nt].num_nodes
            out[nt].curie = graph[nt].curie
    for et in graph.edge_types:
        if et[0] in KEEP_TYPES and et[2] in KEEP_TYPES and frozenset({et[0], et[2]}) not in DROP_PAIRS:
            out[et].edge_index = graph[et].edge_index
    return out


def symmetric(edges: Tensor) -> Tensor:
    """Both orientations of ``[2, E]`` pairs, ``[2, 2E]``."""
    return torch.cat([edges, edges.flip(0)], dim=1)


def symmetric_split(split: LinkSplit) -> LinkSplit:
    """The split with every positive in both orientations (for evaluation and the degree prior)."""
    return replace(split, train=symmetric(split.train), val=symmetric(split.val), test=symmetric(split.test))


def symmetrize(matrix: Tensor) -> Tensor:
    """``(M + M^T) / 2`` of a ``[num_compounds, num_compounds]`` score matrix, self-pairs scored lowest."""
    matrix = matrix.float()
    out = (matrix + matrix.T) / 2
    return out.fill_diagonal_(float(out.min()) - 1)


def evaluate_interacts(graph: HeteroData, config: TrainConfig, pykeen_models: tuple[str, ...] = (),
                       budget: KgeBudget | None = None, log: Log = _quiet) -> dict[str, Any]:
    """Train the GNN and the baselines on a random split of interaction pairs; symmetric test metrics."""
    graph = interaction_graph(graph)
    split = build_split(graph, TARGET, "random", seed=config.seed)
    sym = symmetric_split(split)
    started = time.perf_counter()
    result = train(split, config, log=lambda e, loss, val: log(f"gnn epoch {e}: loss {loss:.4f} val {_fmt(val)}"))
    seconds = {"gnn": time.perf_counter() - started}
    models = {"gnn": evaluate_matrix(symmetrize(score_matrix(result.model, split)), sym),
              "degree_prior": evaluate_matrix(degree_prior(sym), sym)}
    budget = budget or KgeBudget()
    if pykeen_models and pykeen_available():
        for name in pykeen_models:
            log(f"training PyKEEN {name} ({budget.epochs} epochs, dim {budget.dim})")
            started = time.perf_counter()
            scores = pykeen_scores(split, name, budget, seed=config.seed)
            seconds[f"pykeen_{name.lower()}"] = time.perf_counter() - started
            models[f"pykeen_{name.lower()}"] = evaluate_matrix(symmetrize(scores), sym)
    elif pykeen_models:
        log("pykeen not installed (pip install 'kg-engine[pykeen]'): its baselines are skipped")
    spent = {"gnn": {**config.to_dict(), "epochs_run": len(result.epoch_seconds), "best_epoch": result.best_epoch},
             "pykeen": asdict(budget) if len(models) > 2 else None,
             "seconds": {k: round(v, 1) for k, v in seconds.items()},
             "graph": {"node_types": list(graph.node_types), "edge_types": ["|".join(et) for et in graph.edge_types]},
             "pairs": {"train": int(split.train.size(1)), "val": int(split.val.size(1)),
                       "test": int(split.test.size(1))}}
    return {"task": TASK, "split": "random", "seed": config.seed, "models": _clean(models), "budget": spent}


def train_interacts(home: Path, graph: HeteroData, config: TrainConfig, log: Log = _quiet) -> Path:
    """Train on a random split (val for early stopping), save a checkpoint of the drug graph, return its folder."""
    graph = interaction_graph(graph)
    split = build_split(graph, TARGET, "random", seed=config.seed)
    result = train(split, config, log=lambda e, loss, val: log(f"epoch {e}: loss {loss:.4f} val {_fmt(val)}"))
    metrics = {"test": evaluate_matrix(symmetrize(score_matrix(result.model, split)), symmetric_split(split)),
               "best_epoch": result.best_epoch}
    return checkpoint.save(home, TASK, split, result.model, config, graph, metrics)


def pair_scores(home: Path, graph: HeteroData, pairs: list[tuple[str, str]]) -> dict[tuple[str, str], dict[str, float]]:
    """Predicted interaction of each pair: probability (sigmoid of the symmetric logit) and percentile.

    The percentile is the share of the first drug's other unobserved partners that score below the pair.
    Raises ``CheckpointError`` when no ``interacts`` checkpoint exists or the graph changed since training.
    """
    graph = interaction_graph(graph)
    ckpt = checkpoint.load(checkpoint.latest(home, TASK), graph)
    z = checkpoint.embed(ckpt.model, graph)
    with torch.no_grad():
        matrix = symmetrize(ckpt.model.score_all(z, ckpt.target))
    index = {c: i for i, c in enumerate(graph["Compound"].curie)}
    known = torch.zeros_like(matrix, dtype=torch.bool)
    edges = graph[TARGET].edge_index
    known[edges[0], edges[1]] = True
    known[edges[1], edges[0]] = True
    out: dict[tuple[str, str], dict[str, float]] = {}
    for a, b in pairs:
        if a not in index or b not in index:
            continue
        i, j = index[a], index[b]
        row = matrix[i][~known[i]]
        score = float(matrix[i, j])
        out[(a, b)] = {"probability": round(1 / (1 + math.exp(-score)), 4),
                       "percentile": round(float((row < score).double().mean()), 4), "logit": round(score, 4)}
    return out


def _fmt(metrics: dict[str, float]) -> str:
    return " ".join(f"{k}={v:.3f}" for k, v in metrics.items())


def _clean(models: dict[str, dict[str, float]]) -> dict[str, dict[str, float | None]]:
    return {m: {k: (None if math.isnan(v) else round(v, 4)) for k, v in vals.items()} for m, vals in models.items()}
