"""Checkpoints that apply to other graphs than their own: the one shipped with the package, mapped by CURIE.

A checkpoint's embedding tables are indexed by its training graph's node order. The shipped treats ranker
(``kg_engine/gnn/shipped/treats``, trained on Hetionet + PharmacotherapyDB) must also run on the graphs users
build, which add nodes (MeSH-only compounds and diseases from literature) and relations. Loading it onto such a
graph:

- keeps the checkpoint's node and relation types; relations it never saw are ignored by the encoder (its
  per-relation layers, degree terms and metapaths name the relations they read);
- copies each node's learned vector to that node's row in the new graph by CURIE; nodes it never saw start from
  their type's vector (``gated`` input), as held-out nodes did in training;
- recomputes the candidate pairs of the metapath features on the new graph.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import torch
from torch import Tensor
from torch_geometric.data import HeteroData

SHIPPED_DIR = Path(__file__).parent / "shipped"
EMBEDDING_PREFIX = "encoder.embedding."


def shipped(task: str) -> Path | None:
    """The checkpoint folder shipped for ``task``, if there is one."""
    path = SHIPPED_DIR / task
    return path if (path / "config.json").is_file() else None


def is_shipped(path: Path) -> bool:
    """Whether ``path`` is a shipped (portable) checkpoint."""
    return SHIPPED_DIR in path.resolve().parents


def remap(meta: dict[str, Any], curies: dict[str, list[str]], state: dict[str, Tensor],
          graph: HeteroData) -> tuple[dict[str, int], dict[str, Tensor], dict[str, list[str]]]:
    """Node counts and CURIEs of ``graph`` for the checkpoint's node types, and the state with rows moved by CURIE.

    A node type the graph lacks gets no nodes (its relations then carry no messages, degrees or paths).
    """
    new_curies = {nt: list(graph[nt].curie) if nt in graph.node_types else [] for nt in meta["node_types"]}
    num_nodes = {nt: len(c) for nt, c in new_curies.items()}
    out = dict(state)
    for key, table in state.items():
        if not (key.startswith(EMBEDDING_PREFIX) and key.endswith(".weight")):
            continue
        nt = key[len(EMBEDDING_PREFIX):-len(".weight")]
        old = {c: i for i, c in enumerate(curies[nt])}
        pairs = [(j, old[c]) for j, c in enumerate(new_curies[nt]) if c in old]
        new = torch.zeros(num_nodes[nt], table.size(1), dtype=table.dtype)
        if pairs:
            rows = torch.tensor(pairs)
            new[rows[:, 0]] = table[rows[:, 1]]
        out[key] = new
    return num_nodes, out, new_curies
