"""The ``interacts`` task: drug–drug interaction link prediction on ``Compound -interacts_with- Compound``.

Interactions are undirected but stored once per pair (the smaller DrugBank CURIE as subject). Splits are
drawn over those canonical pairs, so a held-out pair never stays behind in its reverse orientation. The model
(:mod:`kg_engine.gnn.interacts_model`) passes messages along the training pairs in both directions and reads
each compound's targets, side effects, classes, similar compounds and indications from the split's graph.
Evaluation is symmetric: every model's score matrix is averaged with its transpose (self-pairs scored lowest),
and held-out pairs are ranked from both ends with every known pair filtered in either orientation. The degree
prior and the PyKEEN baselines are scored the same way, on the same split and the same training triples
(:func:`interaction_graph`: the interactions plus the compound relations the GNN reads).
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable
from dataclasses import asdict, replace
from datetime import datetime
from pathlib import Path
from typing import Any

import torch
from torch import Tensor
from torch_geometric.data import HeteroData

from kg_engine.gnn import checkpoint
from kg_engine.gnn.baselines import KgeBudget, pykeen_baselines
from kg_engine.gnn.data import GnnDataError, LinkSplit, build_split, schema_fingerprint
from kg_engine.gnn.evaluate import degree_prior, evaluate_matrix
from kg_engine.gnn.interacts_model import (
    InteractionGnn,
    InteractsConfig,
    compound_features,
    score_matrix,
    train_interaction_gnn,
)
from kg_engine.gnn.train import TrainConfig

TASK = "interacts"
TARGET = ("Compound", "interacts_with", "Compound")
Log = Callable[[str], None]


def _quiet(_: str) -> None:
    return None


def interaction_graph(graph: HeteroData) -> HeteroData:
    """The drug-centred part of ``graph`` the interacts models read (node indices unchanged)."""
    from kg_engine.gnn.interacts_model import FEATURE_RELATIONS

    if TARGET not in graph.edge_types:
        raise GnnDataError("no Compound-interacts_with-Compound edges in the graph; run `kg load interactions` first")
    keep = [et for et in (TARGET, *FEATURE_RELATIONS) if et in graph.edge_types]
    out = HeteroData()
    for nt in sorted({nt for et in keep for nt in (et[0], et[2])}):
        out[nt].num_nodes = graph[nt].num_nodes
        out[nt].curie = graph[nt].curie
    for et in keep:
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
    gnn_config = model_config(config)
    model, features, best_epoch = train_interaction_gnn(split, gnn_config, log)
    seconds = {"gnn": time.perf_counter() - started}
    models = {"gnn": evaluate_matrix(symmetrize(score_matrix(model, features, split)), sym),
              "degree_prior": evaluate_matrix(degree_prior(sym), sym)}
    budget = budget or KgeBudget()
    kge, kge_seconds = pykeen_baselines(split, pykeen_models, budget, config.seed,
                                        lambda scores: evaluate_matrix(symmetrize(scores), sym), log)
    models.update(kge)
    seconds.update(kge_seconds)
    spent = {"gnn": {"model": "InteractionGnn", **asdict(gnn_config), "best_epoch": best_epoch},
             "pykeen": asdict(budget) if len(models) > 2 else None,
             "seconds": {k: round(v, 1) for k, v in seconds.items()},
             "graph": {"node_types": list(graph.node_types), "edge_types": ["|".join(et) for et in graph.edge_types]},
             "pairs": {"train": int(split.train.size(1)), "val": int(split.val.size(1)),
                       "test": int(split.test.size(1))}}
    return {"task": TASK, "split": "random", "seed": config.seed, "models": _clean(models), "budget": spent}


def model_config(config: TrainConfig) -> InteractsConfig:
    """The interaction GNN's settings, taking seed (and a non-default epoch budget) from the CLI's config."""
    epochs = config.epochs if config.epochs != TrainConfig().epochs else InteractsConfig().epochs
    return InteractsConfig(seed=config.seed, epochs=epochs)


def train_interacts(home: Path, graph: HeteroData, config: TrainConfig, log: Log = _quiet) -> Path:
    """Train on a random split (val for early stopping), save a checkpoint folder, return it."""
    graph = interaction_graph(graph)
    split = build_split(graph, TARGET, "random", seed=config.seed)
    gnn_config = model_config(config)
    model, features, best_epoch = train_interaction_gnn(split, gnn_config, log)
    metrics = {"test": evaluate_matrix(symmetrize(score_matrix(model, features, split)), symmetric_split(split)),
               "best_epoch": best_epoch}
    path = checkpoint.models_dir(home) / f"gnn-{TASK}-{datetime.now().strftime('%Y%m%d-%H%M%S')}"
    path.mkdir(parents=True, exist_ok=False)
    torch.save(model.state_dict(), path / "model.pt")
    meta = {"task": TASK, "target": list(TARGET), "model": "InteractionGnn", "config": asdict(gnn_config),
            "fingerprint": schema_fingerprint(graph), "num_compounds": split.num_src,
            "num_features": int(features.size(1)), "metrics": metrics,
            "split": {"kind": "random", "seed": config.seed}}
    (path / "config.json").write_text(json.dumps(meta, indent=2), encoding="utf-8")
    return path


def pair_scores(home: Path, graph: HeteroData, pairs: list[tuple[str, str]]) -> dict[tuple[str, str], dict[str, float]]:
    """Predicted interaction of each pair: probability (sigmoid of the score) and percentile.

    The percentile is the share of the first drug's unobserved partners that score below the pair. Raises
    ``CheckpointError`` when no ``interacts`` checkpoint exists or the graph changed since training.
    """
    graph = interaction_graph(graph)
    path = checkpoint.latest(home, TASK)
    meta = json.loads((path / "config.json").read_text(encoding="utf-8"))
    if meta.get("fingerprint") != schema_fingerprint(graph):
        raise checkpoint.CheckpointError(f"{path}: the graph changed since this checkpoint was trained; retrain")
    features = compound_features(graph)
    model = InteractionGnn(meta["num_compounds"], meta["num_features"], InteractsConfig(**meta["config"]))
    model.load_state_dict(torch.load(path / "model.pt", map_location="cpu", weights_only=True))
    edges = graph[TARGET].edge_index
    model.eval()
    with torch.no_grad():
        z, log_deg = model(features, torch.cat([edges, edges.flip(0)], dim=1))
        matrix = model.score_all(z, log_deg)
    index = {c: i for i, c in enumerate(graph["Compound"].curie)}
    known = torch.zeros_like(matrix, dtype=torch.bool)
    known[edges[0], edges[1]] = True
    known[edges[1], edges[0]] = True
    known.fill_diagonal_(True)
    out: dict[tuple[str, str], dict[str, float]] = {}
    for a, b in pairs:
        if a not in index or b not in index:
            continue
        i, j = index[a], index[b]
        score = float(matrix[i, j])
        out[(a, b)] = {"probability": round(1 / (1 + math.exp(-score)), 4),
                       "percentile": round(float((matrix[i][~known[i]] < score).double().mean()), 4),
                       "score": round(score, 4)}
    return out


def _fmt(metrics: dict[str, float]) -> str:
    return " ".join(f"{k}={v:.3f}" for k, v in metrics.items())


def _clean(models: dict[str, dict[str, float]]) -> dict[str, dict[str, float | None]]:
    return {m: {k: (None if math.isnan(v) else round(v, 4)) for k, v in vals.items()} for m, vals in models.items()}
