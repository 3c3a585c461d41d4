"""Two-hop metapath features of the predicted relation's pairs: degree-weighted path counts (Rephetio's DWPC).

For a target ``(S, r, D)`` every pair of relations ``S -a-> X -b-> D`` in the message-passing graph (reverse
relations included) is a metapath, e.g. compound -resembles-> compound -treats-> disease, or compound -binds->
gene <-associates- disease. Each step's adjacency is normalised by the square roots of both ends' degrees so
hubs do not dominate, and a pair's feature is ``log(1 + 100 * sum over paths)``.

Mean-aggregating message passing sees neither degrees nor how many distinct paths join two nodes; these counts
give the decoder that evidence directly. They are recomputed on every forward graph, so during training a
supervision edge never contributes to its own features.
"""

from __future__ import annotations

import warnings

import torch
from torch import Tensor

from kg_engine.gnn.data import EdgeType, GnnDataError

Metapath = tuple[EdgeType, ...]
DWPC_SCALE = 100.0
MAX_FEATURE_CELLS = 60_000_000  # pairs x metapaths held densely: about 240 MB of float32
MAX_INNER_TYPE = 5_000  # three-hop paths pass only through node types this small (not genes): products stay cheap


def two_hop_metapaths(edge_types: list[EdgeType], target: EdgeType) -> list[Metapath]:
    """Every ``(a, b)`` with ``a`` leaving the target's source type and ``b`` entering its destination type."""
    ordered = sorted(edge_types)
    return [(a, b) for a in ordered if a[0] == target[0] for b in ordered if b[0] == a[2] and b[2] == target[2]]


def metapaths(edge_types: list[EdgeType], target: EdgeType, hops: int, sizes: dict[str, int]) -> list[Metapath]:
    """Two-hop metapaths, plus with ``hops=3`` the three-hop ones whose two inner types are small.

    Small means at most :data:`MAX_INNER_TYPE` nodes (compound, disease, anatomy; not gene), e.g. compound
    -treats-> disease <-treats- compound -treats-> disease.
    """
    paths = two_hop_metapaths(edge_types, target)
    if hops >= 3:
        ordered = sorted(edge_types)
        small = {nt for nt, n in sizes.items() if n <= MAX_INNER_TYPE}
        paths += [(a, b, c) for a in ordered if a[0] == target[0] and a[2] in small
                  for b in ordered if b[0] == a[2] and b[2] in small
                  for c in ordered if c[0] == b[2] and c[2] == target[2]]
    return paths


def check_size(num_src: int, num_dst: int, paths: list[Metapath]) -> None:
    """Refuse feature tensors too large to hold densely (``binds``: 32 million compound–gene pairs)."""
    if num_src * num_dst * len(paths) > MAX_FEATURE_CELLS:
        raise GnnDataError(f"path features for {num_src} x {num_dst} pairs and {len(paths)} metapaths would not fit "
                           "in memory; train this task without them (path_features=False)")


def _normalised(edge_index: Tensor, shape: tuple[int, int]) -> Tensor:
    """Sparse ``D_row^-1/2 A D_col^-1/2`` of one relation's adjacency (duplicate edges counted once)."""
    dev = edge_index.device
    ones = torch.ones(edge_index.size(1), device=dev)
    adj = torch.sparse_coo_tensor(edge_index, ones, shape, check_invariants=False).coalesce()
    idx = adj.indices()
    vals = torch.ones(idx.size(1), device=dev)
    row = torch.zeros(shape[0], device=dev).index_add_(0, idx[0], vals)
    col = torch.zeros(shape[1], device=dev).index_add_(0, idx[1], vals)
    weight = (row[idx[0]] * col[idx[1]]).rsqrt()
    return torch.sparse_coo_tensor(idx, weight, shape, check_invariants=False).coalesce()


@torch.no_grad()
def path_features(edge_index_dict: dict[EdgeType, Tensor], paths: list[Metapath], sizes: dict[str, int]) -> Tensor:
    """``[num_src, num_dst, len(paths)]`` DWPC features on the given graph (missing relations give zeros).

    Shapes:
        edge_index_dict: ``{(src, rel, dst): [2, E]}``; sizes: node count per type.
    """
    target_src, target_dst = paths[0][0][0], paths[0][-1][2]
    device = next(iter(edge_index_dict.values())).device
    out = torch.zeros(sizes[target_src], sizes[target_dst], len(paths), device=device)
    cache: dict[EdgeType, Tensor] = {}
    for k, path in enumerate(paths):
        if any(et not in edge_index_dict for et in path):
            continue
        for et in path:
            if et not in cache:
                cache[et] = _normalised(edge_index_dict[et], (sizes[et[0]], sizes[et[2]]))
        product = cache[path[0]]
        with warnings.catch_warnings():  # sparse x sparse goes through CSR, which torch labels beta
            warnings.simplefilter("ignore", UserWarning)
            for et in path[1:]:
                product = torch.sparse.mm(product, cache[et])
        out[:, :, k] = torch.log1p(DWPC_SCALE * product.to_dense())
    return out
