"""Link-prediction data from a store's ``HeteroData``: tasks, leakage-free splits, schema fingerprints.

A :class:`LinkSplit` holds the positive edges of one target relation split into train / val / test and the
message-passing graph the encoder sees: every relation plus its ``rev_`` reverse, with the held-out pairs
removed from *every* relation that joins the two node types (in either direction), so that a test edge can
not be read back from, e.g., ``ameliorates_condition`` or ``rev_treats``.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Literal

import torch
from torch import Tensor
from torch_geometric.data import HeteroData
from torch_geometric.transforms import ToUndirected

from kg_engine.errors import KgError

EdgeType = tuple[str, str, str]
SplitKind = Literal["random", "cold-disease"]

TASKS: dict[str, EdgeType] = {
    "treats": ("Compound", "treats", "Disease"),
    "binds": ("Compound", "directly_physically_interacts_with", "Gene"),
    "associates": ("Disease", "condition_associated_with_gene", "Gene"),
    "interacts": ("Compound", "interacts_with", "Compound"),  # undirected; see kg_engine.gnn.interacts
}
SPLITS: tuple[str, ...] = ("random", "cold-disease")


class GnnDataError(KgError):
    """The graph lacks what a GNN task needs (unknown task, missing relation, bad split)."""

    exit_code = 2


def task_edge_type(task: str) -> EdgeType:
    """The target ``(src, rel, dst)`` of a task name; the error lists the valid names."""
    try:
        return TASKS[task]
    except KeyError:
        raise GnnDataError(f"unknown task {task!r}; choose one of: {', '.join(TASKS)}") from None


def schema_fingerprint(data: HeteroData) -> str:
    """A short hash of sorted node types with counts and sorted edge types with counts.

    Two graphs with the same fingerprint index the same node types with the same sizes, so a checkpoint's
    embedding tables and relation weights fit them.
    """
    nodes = sorted((nt, int(data[nt].num_nodes)) for nt in data.node_types)
    edges = sorted(("|".join(et), int(data[et].edge_index.size(1))) for et in data.edge_types)
    blob = json.dumps({"nodes": nodes, "edges": edges}, sort_keys=True).encode()
    return hashlib.sha256(blob).hexdigest()[:16]


@dataclass(frozen=True, slots=True)
class LinkSplit:
    """Positive edges of one relation split three ways, and the graph an encoder may see.

    Attributes:
        target: the ``(src, rel, dst)`` being predicted.
        kind: ``random`` or ``cold-disease``.
        seed: the seed the split was drawn with.
        train: training positives, ``[2, n_train]`` (rows index ``src`` and ``dst`` nodes).
        val: validation positives, ``[2, n_val]``.
        test: test positives, ``[2, n_test]``.
        graph: message-passing graph: train positives only for ``target``, held-out pairs removed from every
            relation between the two node types, reverse ``rev_*`` relations added.
    """

    target: EdgeType
    kind: str
    seed: int
    train: Tensor
    val: Tensor
    test: Tensor
    graph: HeteroData = field(repr=False)

    @property
    def num_src(self) -> int:
        """Number of source nodes of the target relation."""
        return int(self.graph[self.target[0]].num_nodes)

    @property
    def num_dst(self) -> int:
        """Number of destination nodes of the target relation."""
        return int(self.graph[self.target[2]].num_nodes)

    def held_out(self) -> Tensor:
        """Validation and test positives together, ``[2, n_val + n_test]``."""
        return torch.cat([self.val, self.test], dim=1)


def build_split(
    data: HeteroData,
    target: EdgeType,
    kind: str = "random",
    seed: int = 0,
    val_ratio: float = 0.1,
    test_ratio: float = 0.2,
) -> LinkSplit:
    """Split ``target`` edges and build the leakage-free message-passing graph.

    ``random`` permutes edges; ``cold-disease`` holds out *every* edge of ``test_ratio`` of the diseases that
    have one (and ``val_ratio`` of them for validation), and in the graph removes every compound–disease
    edge of those diseases, so they are reached only through genes, anatomy and similar diseases.

    Args:
        data: the full graph from ``GraphStore.to_pyg()``.
        target: the relation to predict; must be in ``data``.
        kind: ``random`` or ``cold-disease``.
        seed: seed of the permutation (same seed, same split).
        val_ratio: share of edges (random) or diseases (cold) for validation.
        test_ratio: share of edges (random) or diseases (cold) for test.
    """
    if target not in data.edge_types:
        raise GnnDataError(f"relation {'-'.join(target)} not in the graph; load its source first")
    if kind not in SPLITS:
        raise GnnDataError(f"unknown split {kind!r}; choose one of: {', '.join(SPLITS)}")
    edges = data[target].edge_index
    gen = torch.Generator().manual_seed(seed)
    if kind == "random":
        train, val, test = _random_split(edges, val_ratio, test_ratio, gen)
        drop_nodes: dict[str, Tensor] = {}
    else:
        side = _disease_side(target)
        train, val, test, cold = _cold_split(edges, side, val_ratio, test_ratio, gen)
        drop_nodes = {"Disease": cold}
    graph = _message_graph(data, target, train, torch.cat([val, test], dim=1), drop_nodes)
    return LinkSplit(target, kind, seed, train, val, test, graph)


def _random_split(edges: Tensor, val_ratio: float, test_ratio: float, gen: torch.Generator) -> tuple[Tensor, ...]:
    perm = torch.randperm(edges.size(1), generator=gen)
    n_test, n_val = round(test_ratio * len(perm)), round(val_ratio * len(perm))
    test, val, train = perm[:n_test], perm[n_test : n_test + n_val], perm[n_test + n_val :]
    return edges[:, train.sort().values], edges[:, val.sort().values], edges[:, test.sort().values]


def _disease_side(target: EdgeType) -> int:
    if target[2] == "Disease":
        return 1
    if target[0] == "Disease":
        return 0
    raise GnnDataError(f"cold-disease split needs Disease at one end of {'-'.join(target)}")


def _cold_split(
    edges: Tensor, side: int, val_ratio: float, test_ratio: float, gen: torch.Generator
) -> tuple[Tensor, Tensor, Tensor, Tensor]:
    diseases = edges[side].unique()
    perm = diseases[torch.randperm(len(diseases), generator=gen)]
    n_test, n_val = round(test_ratio * len(perm)), round(val_ratio * len(perm))
    test_d, val_d = perm[:n_test], perm[n_test : n_test + n_val]
    in_test, in_val = torch.isin(edges[side], test_d), torch.isin(edges[side], val_d)
    train = edges[:, ~(in_test | in_val)]
    return train, edges[:, in_val], edges[:, in_test], torch.cat([test_d, val_d]).sort().values


def _pair_key(index: Tensor, num_dst: int) -> Tensor:
    return index[0] * num_dst + index[1]


def _message_graph(
    data: HeteroData, target: EdgeType, train: Tensor, held_out: Tensor, drop_nodes: dict[str, Tensor]
) -> HeteroData:
    """Copy of ``data`` with the target restricted to ``train``, held-out pairs cut, ``rev_*`` added."""
    src, _, dst = target
    graph = HeteroData()
    for nt in data.node_types:
        graph[nt].num_nodes = data[nt].num_nodes
        graph[nt].curie = data[nt].curie
        if "text" in data[nt]:
            graph[nt].text = data[nt].text
    n_dst = int(data[dst].num_nodes)
    held_keys = _pair_key(held_out, n_dst)
    for et in data.edge_types:
        index = train if et == target else data[et].edge_index
        if {et[0], et[2]} == {src, dst} and et != target:
            oriented = index if et[0] == src else index.flip(0)
            keep = ~torch.isin(_pair_key(oriented, n_dst), held_keys)
            keep &= keeps_nodes(et, index, drop_nodes, {src, dst})
            index = index[:, keep]
        graph[et].edge_index = index.contiguous()
    return ToUndirected(merge=False)(graph)


def keeps_nodes(et: EdgeType, index: Tensor, drop_nodes: dict[str, Tensor], pair: set[str]) -> Tensor:
    """Mask of the edges of ``et`` whose endpoints are not in ``drop_nodes`` (checked only for types in ``pair``).

    Shapes:
        index: ``[2, E]`` -> ``[E]`` bool.
    """
    keep = torch.ones(index.size(1), dtype=torch.bool)
    for row, nt in ((0, et[0]), (1, et[2])):
        if nt in drop_nodes and nt in pair:
            keep &= ~torch.isin(index[row], drop_nodes[nt])
    return keep
