"""High-level GNN jobs, each a short chain of steps: train and save, evaluate against baselines, predict."""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import Any

import pandas as pd
import torch
from torch_geometric.data import HeteroData

from kg_engine.gnn import checkpoint
from kg_engine.gnn.baselines import PYKEEN_MODELS, KgeBudget, pykeen_baselines
from kg_engine.gnn.data import GnnDataError, build_split, task_edge_type
from kg_engine.gnn.evaluate import degree_prior, evaluate_matrix
from kg_engine.gnn.train import TrainConfig, score_matrix, train

Log = Callable[[str], None]


def _quiet(_: str) -> None:
    return None


def train_and_save(home: Path, graph: HeteroData, task: str, config: TrainConfig, log: Log = _quiet) -> Path:
    """Train on a random split of ``task`` (val for early stopping), save a checkpoint, return its folder."""
    if task == "interacts":  # undirected pairs on the drug graph: kg_engine.gnn.interacts
        from kg_engine.gnn.interacts import train_interacts

        return train_interacts(home, graph, config, log)
    split = build_split(graph, task_edge_type(task), "random", seed=config.seed)
    result = train(split, config, log=lambda e, loss, val: log(f"epoch {e}: loss {loss:.4f} val {_fmt(val)}"))
    metrics = {"test": evaluate_matrix(score_matrix(result.model, split), split), "best_epoch": result.best_epoch,
               "seconds_per_epoch": sum(result.epoch_seconds) / max(1, len(result.epoch_seconds))}
    return checkpoint.save(home, task, split, result.model, config, graph, metrics)


def evaluate_task(
    graph: HeteroData,
    task: str,
    split_kind: str,
    config: TrainConfig,
    pykeen_models: tuple[str, ...] = PYKEEN_MODELS,
    budget: KgeBudget | None = None,
    log: Log = _quiet,
) -> dict[str, Any]:
    """Train the GNN and the baselines on one split and return every model's test metrics.

    The report also says what each model was given (``budget``): the GNN's configuration, epochs run and best
    epoch, the PyKEEN budget, and every model's training seconds.
    """
    if task == "interacts":  # undirected pairs on the drug graph: kg_engine.gnn.interacts
        from kg_engine.gnn.interacts import evaluate_interacts

        if split_kind != "random":
            raise GnnDataError("the interacts task has a random split only")
        return evaluate_interacts(graph, config, pykeen_models, budget, log)
    split = build_split(graph, task_edge_type(task), split_kind, seed=config.seed)
    started = time.perf_counter()
    result = train(split, config, log=lambda e, loss, val: log(f"gnn epoch {e}: loss {loss:.4f} val {_fmt(val)}"))
    seconds = {"gnn": time.perf_counter() - started}
    models = {"gnn": evaluate_matrix(score_matrix(result.model, split), split)}
    models["degree_prior"] = evaluate_matrix(degree_prior(split), split)
    budget = budget or KgeBudget()
    kge, kge_seconds = pykeen_baselines(split, pykeen_models, budget, config.seed,
                                        lambda scores: evaluate_matrix(scores, split), log)
    models.update(kge)
    seconds.update(kge_seconds)
    spent = {"gnn": {**config.to_dict(), "epochs_run": len(result.epoch_seconds), "best_epoch": result.best_epoch},
             "pykeen": asdict(budget) if len(models) > 2 else None,
             "seconds": {k: round(v, 1) for k, v in seconds.items()}}
    return {"task": task, "split": split_kind, "seed": config.seed, "models": _clean(models), "budget": spent}


def predict(home: Path, graph: HeteroData, task: str, curie: str, top: int = 20,
            names: Callable[[str, list[str]], list[str]] | None = None,
            include_known: bool = False) -> tuple[pd.DataFrame, int]:
    """Rank the other end of ``task`` for ``curie`` (either end) with the newest checkpoint of ``task``.

    Returns a frame ``rank, curie, score, known`` of at most ``top`` rows, and the number of known partners
    (edges already in the graph). The rows are the best-ranked partners that are not known (the candidate
    discoveries; ``rank`` counts among every candidate, known ones included), or with ``include_known`` the
    best-ranked partners of any kind, known ones marked. With ``names`` (node type, CURIEs -> names) a ``name``
    column follows ``curie``.
    """
    ckpt = checkpoint.load(checkpoint.latest(home, task_name(task)), graph)
    src, _, dst = ckpt.target
    z = checkpoint.embed(ckpt.model, graph)
    with torch.no_grad():
        matrix = ckpt.model.score_all(z, ckpt.target)
    edges = graph[ckpt.target].edge_index
    src_index = {c: i for i, c in enumerate(graph[src].curie)}
    dst_index = {c: i for i, c in enumerate(graph[dst].curie)}
    if curie in src_index:
        scores, other, known = matrix[src_index[curie]], dst, edges[1][edges[0] == src_index[curie]]
    elif curie in dst_index:
        scores, other, known = matrix[:, dst_index[curie]], src, edges[0][edges[1] == dst_index[curie]]
    else:
        raise GnnDataError(f"{curie} is neither a {src} nor a {dst} in the graph; find CURIEs with `kg find NAME`")
    order = torch.argsort(scores, descending=True).tolist()
    known_set = set(known.tolist())
    ranked = list(enumerate(order, start=1))
    rows = (ranked if include_known else [r for r in ranked if r[1] not in known_set])[:top]
    frame = pd.DataFrame({
        "rank": [rank for rank, _ in rows],
        "curie": [graph[other].curie[i] for _, i in rows],
        "score": [round(float(scores[i]), 4) for _, i in rows],
        "known": [i in known_set for _, i in rows],
    })
    if names is not None:
        frame.insert(2, "name", names(other, frame["curie"].tolist()))
    return frame, len(known_set)


def task_name(task: str) -> str:
    """``task`` when it is a GNN task; otherwise a user error naming the valid ones."""
    task_edge_type(task)
    return task


def _fmt(metrics: dict[str, float]) -> str:
    return " ".join(f"{k}={v:.3f}" for k, v in metrics.items())


def _clean(models: dict[str, dict[str, float]]) -> dict[str, dict[str, float | None]]:
    return {m: {k: (None if math.isnan(v) else round(v, 4)) for k, v in vals.items()} for m, vals in models.items()}
