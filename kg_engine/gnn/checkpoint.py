"""GNN checkpoints: a dated folder with state dict, config, CURIE maps, schema fingerprint and embeddings.

Layout of ``$KG_HOME/models/gnn-<task>-<YYYYmmdd-HHMMSS>/``::

    model.pt            state dict of the LinkPredictor
    config.json         task, target relation, TrainConfig, metadata, node counts, fingerprint, metrics
    curies.json         node type -> list of CURIEs (list position = embedding row)
    embeddings.parquet  curie, category, embedding (list of float) — full-graph node representations
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import torch
from torch import Tensor
from torch_geometric.data import HeteroData

from kg_engine.errors import KgError
from kg_engine.gnn import portable
from kg_engine.gnn.data import EdgeType, LinkSplit, schema_fingerprint
from kg_engine.gnn.model import TEXT_BUFFER, LinkPredictor
from kg_engine.gnn.paths import candidates
from kg_engine.gnn.train import TrainConfig, model_for

TEXT_PREFIX = f"encoder.{TEXT_BUFFER}"  # node-name vectors are encoder buffers, saved with the state


class CheckpointError(KgError):
    """A checkpoint is missing, unreadable, or was trained on a graph with a different schema."""

    exit_code = 2


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """A loaded checkpoint: the model and what it was trained on."""

    path: Path
    model: LinkPredictor
    task: str
    target: EdgeType
    config: TrainConfig
    fingerprint: str
    curies: dict[str, list[str]]


def models_dir(home: Path) -> Path:
    """Where checkpoints live under an engine home."""
    return home / "models"


def save(home: Path, task: str, split: LinkSplit, model: LinkPredictor, config: TrainConfig, full: HeteroData,
         metrics: dict[str, Any]) -> Path:
    """Write a checkpoint folder for ``model`` and return its path; embeddings come from the full graph."""
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    path = models_dir(home) / f"gnn-{task}-{stamp}"
    path.mkdir(parents=True, exist_ok=False)
    torch.save(model.state_dict(), path / "model.pt")
    graph = split.graph
    meta = {
        "task": task,
        "target": list(split.target),
        "config": config.to_dict(),
        "fingerprint": schema_fingerprint(full),
        "node_types": list(graph.node_types),
        "edge_types": [list(et) for et in graph.edge_types],
        "decoder_relations": [list(et) for et in model.decoder.relations],
        "num_nodes": {nt: int(graph[nt].num_nodes) for nt in graph.node_types},
        "metrics": metrics,
        "split": {"kind": split.kind, "seed": split.seed},
        "metapaths": [[list(et) for et in path] for path in model.paths],
        "path_nodes": [model.path_src.tolist(), model.path_dst.tolist()] if model.paths else None,
    }
    (path / "config.json").write_text(json.dumps(meta, indent=2), encoding="utf-8")
    curies = {nt: list(full[nt].curie) for nt in full.node_types}
    (path / "curies.json").write_text(json.dumps(curies), encoding="utf-8")
    write_embeddings(path / "embeddings.parquet", embed(model, full), curies)
    return path


@torch.no_grad()
def embed(model: LinkPredictor, full: HeteroData) -> dict[str, Tensor]:
    """Eval-mode node representations over the full graph (all edges, with ``rev_`` relations).

    Shapes:
        output: ``{node_type: [num_nodes, dim]}``.
    """
    from torch_geometric.transforms import ToUndirected

    graph = ToUndirected(merge=False)(full.clone())
    model.eval()
    edges = {et: graph[et].edge_index for et in graph.edge_types}
    # Node types without edges come back as the embedding parameters themselves: detach them too.
    return {nt: z.detach().float().cpu() for nt, z in model(edges).items()}


def write_embeddings(path: Path, z: dict[str, Tensor], curies: dict[str, list[str]]) -> None:
    """One Parquet row per node: ``curie``, ``category``, ``embedding`` (list of float32)."""
    pq.write_table(pa.Table.from_pandas(embedding_frame(z, curies), preserve_index=False), path)


def embedding_frame(z: dict[str, Tensor], curies: dict[str, list[str]]) -> pd.DataFrame:
    """One row per node: ``curie``, ``category``, ``embedding`` (float32 array)."""
    frames = []
    for nt, emb in z.items():
        frames.append(pd.DataFrame({"curie": curies[nt], "category": nt}))
        frames[-1]["embedding"] = list(emb.numpy().astype(np.float32))
    return pd.concat(frames, ignore_index=True)


def latest(home: Path, task: str | None = None) -> Path:
    """The newest checkpoint folder (of ``task`` when given); without one, the checkpoint shipped for the task."""
    pattern = f"gnn-{task}-*" if task else "gnn-*"
    found = sorted(p for p in models_dir(home).glob(pattern) if (p / "config.json").is_file())
    if not found and (ship := portable.shipped(task or "treats")) is not None:
        return ship
    if not found:
        what = f"task {task!r}" if task else "any task"
        raise CheckpointError(f"no GNN checkpoint for {what} under {models_dir(home)}; run `kg train gnn` first")
    return found[-1]


def load(path: Path, graph: HeteroData | None = None) -> Checkpoint:
    """Load a checkpoint; when ``graph`` is given its schema fingerprint must match the checkpoint's."""
    try:
        meta = json.loads((path / "config.json").read_text(encoding="utf-8"))
        curies = json.loads((path / "curies.json").read_text(encoding="utf-8"))
        state = torch.load(path / "model.pt", map_location="cpu", weights_only=True)
    except (OSError, ValueError) as exc:
        raise CheckpointError(f"{path}: unreadable checkpoint ({exc})") from exc
    num_nodes, nodes = meta["num_nodes"], meta.get("path_nodes")
    if graph is not None and (found := schema_fingerprint(graph)) != meta["fingerprint"]:
        if not portable.is_shipped(path):
            raise CheckpointError(
                f"{path}: trained on a graph with schema fingerprint {meta['fingerprint']}, but the store's graph "
                f"has {found}; retrain with `kg train gnn --task {meta['task']}`"
            )
        num_nodes, state, curies = portable.remap(meta, curies, state, graph)
        src, _, dst = meta["target"]
        edges = graph[tuple(meta["target"])].edge_index if tuple(meta["target"]) in graph.edge_types else None
        nodes = [candidates(curies[src], src, None if edges is None else edges[0]).tolist(),
                 candidates(curies[dst], dst, None if edges is None else edges[1]).tolist()]
    config = TrainConfig(**meta["config"])
    metadata = (meta["node_types"], [tuple(et) for et in meta["edge_types"]])
    relations = [tuple(et) for et in meta["decoder_relations"]]
    target = tuple(meta["target"])
    text = {key.removeprefix(TEXT_PREFIX): value for key, value in state.items() if key.startswith(TEXT_PREFIX)}
    paths = [tuple(tuple(et) for et in path) for path in meta["metapaths"]] if "metapaths" in meta else None
    path_nodes = (torch.tensor(nodes[0], dtype=torch.long), torch.tensor(nodes[1], dtype=torch.long)) if nodes else None
    model = model_for(num_nodes, metadata, relations, config, 0.0, text or None, path_nodes, paths)
    try:
        model.load_state_dict(state)
    except RuntimeError as exc:
        raise CheckpointError(f"{path}: saved by an older model version ({str(exc).splitlines()[0]}); retrain with "
                              f"`kg train gnn --task {meta['task']}`") from exc
    return Checkpoint(path, model, meta["task"], target, config, meta["fingerprint"], curies)


def read_embeddings(path: Path) -> pd.DataFrame:
    """The embeddings table of a checkpoint folder (or a Parquet file)."""
    file = path / "embeddings.parquet" if path.is_dir() else path
    if not file.is_file():
        raise CheckpointError(f"no embeddings at {file}; run `kg train gnn` first")
    return pq.read_table(file).to_pandas()


def similar(table: pd.DataFrame, curie: str, top: int = 10) -> pd.DataFrame:
    """The ``top`` nodes of the same category closest to ``curie`` by cosine similarity."""
    row = table.index[table["curie"] == curie]
    if len(row) == 0:
        raise CheckpointError(f"{curie} has no embedding; check the CURIE (e.g. DOID:9352, DRUGBANK:DB00331)")
    category = table.at[row[0], "category"]
    same = table[table["category"] == category].reset_index(drop=True)
    mat = torch.from_numpy(np.stack(same["embedding"].to_numpy())).float()
    # centred on the category's mean: gated inputs share a type vector that would make every cosine near 1
    mat = torch.nn.functional.normalize(mat - mat.mean(0), dim=1)
    query = mat[int(np.flatnonzero(same["curie"].to_numpy() == curie)[0])]
    cos = mat @ query
    cos[same["curie"].to_numpy() == curie] = float("-inf")
    best = torch.topk(cos, min(top, len(same) - 1))
    return pd.DataFrame({"curie": same["curie"].to_numpy()[best.indices.numpy()], "category": category,
                         "cosine": best.values.numpy()})
