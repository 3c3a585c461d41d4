"""Metapath features of the predicted relation's pairs: degree-weighted path counts (Rephetio's DWPC).

For a target ``(S, r, D)`` every chain of relations ``S -a-> X -b-> D`` (and, with three hops, ``S -a-> X -b-> Y
-c-> D``) in the message-passing graph, reverse relations included, is a metapath, e.g. compound -resembles->
compound -treats-> disease, or compound -binds-> gene <-associates- disease. Each step's adjacency is normalised by
the square roots of both ends' degrees so hubs do not dominate, and a pair's feature is
``log(1 + 100 * sum over paths)``.

Mean-aggregating message passing sees neither degrees nor how many distinct paths join two nodes; these counts
give the decoder that evidence directly. They are recomputed on every forward graph (relations whose edges have
not changed are read from a cache), so during training a supervision edge never contributes to its own features.

What keeps them affordable on every graph the project builds (the literature step adds MeSH-only compounds and
diseases, the full Hetionet has 21 edge files):

- features are held only for **candidate pairs**: compounds with a DrugBank id and diseases with a DOID id (the
  vocabularies repurposing answers are asked in), plus any node with an edge of the target relation; other
  pairs get zero features and are scored by the encoder and degree terms alone;
- three-hop metapaths pass only through the inner node types of :data:`INNER_TYPES`;
- a budget of :data:`MAX_FEATURE_CELLS` keeps the first metapaths that fit (all two-hop ones first) instead of
  refusing to train.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import torch
from torch import Tensor

from kg_engine.gnn.data import EdgeType

Metapath = tuple[EdgeType, ...]
DWPC_SCALE = 100.0
MAX_FEATURE_CELLS = 60_000_000  # candidate pairs x metapaths held densely: about 240 MB of float32
# Inner node types of three-hop metapaths (compound -treats-> disease <-treats- compound -treats-> disease,
# compound <-member- pharmacologic class -member-> compound -treats-> disease, compound -side effect-> ...).
INNER_TYPES: tuple[str, ...] = ("Compound", "Disease", "Anatomy", "PharmacologicClass", "Symptom")
# Relations joining the target's two end types that three-hop paths may walk (with their reverses): the curated
# indications. Negated indications and literature co-occurrence (many types on the quickstart graph) join only
# two-hop paths; with them every three-hop combination multiplied (356 metapaths on the quickstart graph).
THREE_HOP_LINKS: tuple[str, ...] = ("treats", "ameliorates_condition")
CANDIDATE_PREFIXES: dict[str, tuple[str, ...]] = {"Compound": ("DRUGBANK:",), "Disease": ("DOID:",)}


def two_hop_metapaths(edge_types: list[EdgeType], target: EdgeType) -> list[Metapath]:
    """Every ``(a, b)`` with ``a`` leaving the target's source type and ``b`` entering its destination type."""
    ordered = sorted(edge_types)
    return [(a, b) for a in ordered if a[0] == target[0] for b in ordered if b[0] == a[2] and b[2] == target[2]]


def metapaths(edge_types: list[EdgeType], target: EdgeType, hops: int,
              inner_types: Sequence[str] | None = None) -> list[Metapath]:
    """Two-hop metapaths, plus with ``hops=3`` the three-hop ones whose two inner types are in ``inner_types``.

    Three-hop paths walk between the target's end types only along :data:`THREE_HOP_LINKS`.

    Args:
        edge_types: relations of the message-passing graph (``rev_*`` included).
        target: the predicted relation.
        hops: 2 or 3.
        inner_types: allowed inner node types of three-hop paths (default :data:`INNER_TYPES`).
    """
    paths = two_hop_metapaths(edge_types, target)
    if hops >= 3:
        ordered = sorted(edge_types)
        inner = set(INNER_TYPES if inner_types is None else inner_types)
        ends = {target[0], target[2]}
        ordered = [et for et in ordered
                   if {et[0], et[2]} != ends or et[1].removeprefix("rev_") in THREE_HOP_LINKS]
        paths += [(a, b, c) for a in ordered if a[0] == target[0] and a[2] in inner
                  for b in ordered if b[0] == a[2] and b[2] in inner
                  for c in ordered if c[0] == b[2] and c[2] == target[2]]
    return paths


def within_budget(paths: list[Metapath], num_src: int, num_dst: int,
                  max_cells: int = MAX_FEATURE_CELLS) -> list[Metapath]:
    """The leading metapaths whose dense features for ``num_src x num_dst`` pairs fit in ``max_cells``."""
    keep = max_cells // max(1, num_src * num_dst)
    if keep < len(paths):
        warnings.warn(f"metapath features for {num_src} x {num_dst} candidate pairs: keeping {keep} of "
                      f"{len(paths)} metapaths to stay within memory", RuntimeWarning, stacklevel=2)
    return paths[:keep]


def candidates(curies: Sequence[str], node_type: str, linked: Tensor | None = None) -> Tensor:
    """Indices of the nodes whose pairs get metapath features.

    Nodes with an id of the type's vocabulary in :data:`CANDIDATE_PREFIXES` (every node when none has one, or the
    type has no preferred vocabulary), plus the nodes in ``linked`` (endpoints of target edges).

    Shapes:
        linked: ``[K]`` node indices -> ``[C]`` sorted indices.
    """
    prefixes = CANDIDATE_PREFIXES.get(node_type)
    mask = torch.tensor([c.startswith(prefixes) for c in curies], dtype=torch.bool) if prefixes else None
    if mask is None or not bool(mask.any()):
        return torch.arange(len(curies))
    if linked is not None and linked.numel():
        mask[linked] = True
    return mask.nonzero().squeeze(1)


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


def _fingerprint(edge_index: Tensor) -> tuple[int, ...]:
    """A content key of an edge index (size and weighted sums), to reuse features of unchanged relations."""
    ei = edge_index.long()
    return (ei.size(1), int(ei[0].sum()), int(ei[1].sum()), int((ei[0] * 7919 + ei[1] * 104729 + 1).pow(2).sum()))


@torch.no_grad()
def path_features(edge_index_dict: dict[EdgeType, Tensor], paths: list[Metapath], sizes: dict[str, int],
                  src: Tensor | None = None, dst: Tensor | None = None,
                  cache: dict[Metapath, tuple[object, Tensor]] | None = None) -> Tensor:
    """``[S, D, len(paths)]`` DWPC features on the given graph for the ``src`` x ``dst`` pairs (default all).

    Each metapath's product starts from the rows of ``src`` only and keeps only the columns of ``dst``, so memory
    is bounded by the candidate pairs. With ``cache``, a metapath whose relations' edges are unchanged since a
    previous call is read back instead of recomputed. Missing relations give zeros.

    Shapes:
        edge_index_dict: ``{(src, rel, dst): [2, E]}``; sizes: node count per type; src ``[S]``, dst ``[D]``.
    """
    target_src, target_dst = paths[0][0][0], paths[0][-1][2]
    device = next(iter(edge_index_dict.values())).device
    src = torch.arange(sizes[target_src]) if src is None else src
    dst = torch.arange(sizes[target_dst]) if dst is None else dst
    src, dst = src.to(device), dst.to(device)
    out = torch.zeros(len(src), len(dst), len(paths), device=device)
    adjacency: dict[EdgeType, Tensor] = {}
    prints = {et: _fingerprint(ei) for et, ei in edge_index_dict.items()}
    for k, path in enumerate(paths):
        if any(et not in edge_index_dict for et in path):
            continue
        stamp = (tuple(prints[et] for et in path), len(src), int(src.sum()), len(dst), int(dst.sum()))
        if cache is not None and path in cache and cache[path][0] == stamp:
            out[:, :, k] = cache[path][1]
            continue
        for et in path:
            if et not in adjacency:
                adjacency[et] = _normalised(edge_index_dict[et], (sizes[et[0]], sizes[et[2]]))
        product = torch.index_select(adjacency[path[0]], 0, src)
        with warnings.catch_warnings():  # sparse x sparse goes through CSR, which torch labels beta
            warnings.simplefilter("ignore", UserWarning)
            for et in path[1:]:
                product = torch.sparse.mm(product, adjacency[et])
        out[:, :, k] = torch.log1p(DWPC_SCALE * torch.index_select(product.to_dense(), 1, dst))
        if cache is not None:  # one entry per metapath: relations that change every call just overwrite it
            cache[path] = (stamp, out[:, :, k].clone())
    return out


def describe(path: Metapath) -> str:
    """A readable metapath, e.g. ``Compound -chemically_similar_to-> Compound -treats-> Disease``."""
    parts = [path[0][0]]
    for _, rel, dst in path:
        parts.append(f"<-{rel.removeprefix('rev_')}-" if rel.startswith("rev_") else f"-{rel}->")
        parts.append(dst)
    return " ".join(parts)
