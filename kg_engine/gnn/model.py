"""Heterogeneous link-prediction model: learnable node embeddings, a message-passing encoder, DistMult.

Encoders come from one explicit registry (:data:`ENCODERS`): ``sage`` (GraphSAGE per relation, what
``to_hetero`` builds from a homogeneous SAGE), ``rgcn`` (R-GCN: a root weight plus one mean-aggregated weight
per relation, summed over relations) and ``hgt`` (heterogeneous graph transformer).
"""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import Tensor, nn
from torch_geometric.nn import GraphConv, HeteroConv, HGTConv, SAGEConv

from kg_engine.gnn.data import EdgeType, GnnDataError
from kg_engine.gnn.paths import Metapath, path_features

Metadata = tuple[list[str], list[EdgeType]]
XDict = dict[str, Tensor]
EdgeDict = dict[EdgeType, Tensor]


def _sage_layer(metadata: Metadata, dim: int) -> nn.Module:
    return HeteroConv({et: SAGEConv((dim, dim), dim, aggr="mean") for et in metadata[1]}, aggr="sum")


def _rgcn_layer(metadata: Metadata, dim: int) -> nn.Module:
    return HeteroConv({et: GraphConv((dim, dim), dim, aggr="mean") for et in metadata[1]}, aggr="sum")


def _hgt_layer(metadata: Metadata, dim: int) -> nn.Module:
    return HGTConv(dim, dim, metadata, heads=2)


ENCODERS: dict[str, Callable[[Metadata, int], nn.Module]] = {
    "sage": _sage_layer,
    "rgcn": _rgcn_layer,
    "hgt": _hgt_layer,
}


def encoder_layer(name: str, metadata: Metadata, dim: int) -> nn.Module:
    """One message-passing layer of the named encoder; the error lists the valid names."""
    try:
        factory = ENCODERS[name.lower().replace("-", "")]
    except KeyError:
        raise GnnDataError(f"unknown encoder {name!r}; choose one of: {', '.join(ENCODERS)}") from None
    return factory(metadata, dim)


TEXT_BUFFER = "name_text_"  # prefix of the encoder buffers that hold node-name vectors


class HeteroEncoder(nn.Module):
    """Learnable embeddings per node type refined by ``num_layers`` heterogeneous message-passing layers.

    Each layer: ``h <- norm(h + dropout(relu(conv(h))))``; node types that receive no message keep ``h``. With
    ``out_types`` the last layer passes messages only into those node types (the ones the decoders read), and
    every other type keeps its previous-layer representation: the same scores for the decoders at roughly half
    the cost of a full last layer on a graph whose edges are mostly gene–gene and anatomy–gene.

    Args:
        num_nodes: node count per node type (embedding table sizes).
        metadata: ``(node_types, edge_types)`` of the message-passing graph.
        encoder: registry name, see :data:`ENCODERS`.
        dim: embedding and hidden width.
        num_layers: message-passing layers.
        dropout: dropout on each layer's update.
        out_types: node types the last layer updates; ``None`` updates every type.
        shared_types: node types whose nodes start from one learned vector of their type, so that their
            representations come from their neighbourhoods (inductive: a node without training edges of the
            predicted relation is encoded like one with them).
        gate_relation: with ``shared_types``, a node of a shared type also adds a vector of its own when it has
            an edge of this relation in the graph of the forward call; nodes without one (new nodes, and during
            training nodes whose every edge is being scored) are encoded from their neighbourhood alone, so a
            node's own vector is never fitted to say "no edges".
        jumping: output the concatenation of the input and every layer's representation (jumping knowledge),
            ``dim * (num_layers + 1)`` wide, so a node's own identity is not averaged away by layers over
            neighbourhoods of hundreds of genes.
        text: per node type, fixed ``[num_nodes, T]`` vectors (node-name embeddings, see ``kg_engine.gnn.text``)
            added to the layer-0 input through a learned linear map; they are buffers saved with the state, so a
            checkpoint needs no encoder to be loaded.

    Shapes:
        edge_index_dict: ``{(src, rel, dst): [2, E]}``.
        output: ``{node_type: [num_nodes, out_dim]}``.
    """

    def __init__(
        self,
        num_nodes: dict[str, int],
        metadata: Metadata,
        encoder: str = "sage",
        dim: int = 64,
        num_layers: int = 2,
        dropout: float = 0.2,
        out_types: list[str] | None = None,
        shared_types: list[str] | None = None,
        gate_relation: EdgeType | None = None,
        jumping: bool = False,
        text: dict[str, Tensor] | None = None,
    ) -> None:
        super().__init__()
        text = text or {}
        self.text_types = sorted(text)
        for nt in self.text_types:
            self.register_buffer(f"{TEXT_BUFFER}{nt}", text[nt].float())
        self.text_proj = nn.ModuleDict({nt: nn.Linear(text[nt].size(1), dim) for nt in self.text_types})
        self.jumping = jumping
        self.out_dim = dim * (num_layers + 1) if jumping else dim
        self.out_types = None if out_types is None else sorted(set(out_types))
        self.num_nodes = dict(num_nodes)
        self.shared_types = sorted(set(shared_types or ()))
        self.gate_relation = None if gate_relation is None else tuple(gate_relation)
        own = [nt for nt in num_nodes if nt not in self.shared_types or self.gate_relation is not None]
        self.embedding = nn.ModuleDict({nt: nn.Embedding(num_nodes[nt], dim) for nt in own})
        self.type_vector = nn.ParameterDict({nt: nn.Parameter(torch.zeros(dim)) for nt in self.shared_types})
        self.convs = nn.ModuleList([encoder_layer(encoder, metadata, dim) for _ in range(num_layers)])
        self.norms = nn.ModuleList([nn.ModuleDict({nt: nn.LayerNorm(dim) for nt in num_nodes}) for _ in self.convs])
        self.dropout = nn.Dropout(dropout)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Re-initialise embeddings (normal, std 0.1) and every layer."""
        for emb in self.embedding.values():
            nn.init.normal_(emb.weight, std=0.1)
        for vec in self.type_vector.values():
            nn.init.normal_(vec, std=0.1)
        for conv in self.convs:
            conv.reset_parameters()

    def forward(self, edge_index_dict: EdgeDict) -> XDict:
        """Node representations for every node type.

        Shapes:
            edge_index_dict: ``{(src, rel, dst): [2, E]}``.
            output: ``{node_type: [num_nodes, out_dim]}``.
        """
        h = self._inputs(edge_index_dict)
        layers = [h]
        for i, (conv, norms) in enumerate(zip(self.convs, self.norms, strict=True)):
            edges = edge_index_dict
            if self.out_types is not None and i == len(self.convs) - 1:
                edges = {et: ei for et, ei in edge_index_dict.items() if et[2] in self.out_types}
            update = conv(h, edges)
            h = {
                nt: norms[nt](x + self.dropout(torch.relu(update[nt]))) if update.get(nt) is not None else x
                for nt, x in h.items()
            }
            layers.append(h)
        if self.jumping:
            return {nt: torch.cat([layer[nt] for layer in layers], dim=-1) for nt in h}
        return h


    def _inputs(self, edge_index_dict: EdgeDict) -> XDict:
        """Layer-0 vectors: own embeddings, type vectors, or type vectors plus gated own embeddings."""
        h = {nt: emb.weight for nt, emb in self.embedding.items() if nt not in self.shared_types}
        for nt in self.shared_types:
            x = self.type_vector[nt].expand(self.num_nodes[nt], -1)
            if self.gate_relation is not None:
                x = x + self._gate(nt, edge_index_dict).unsqueeze(1) * self.embedding[nt].weight
            h[nt] = x
        for nt in self.text_types:
            h[nt] = h[nt] + self.text_proj[nt](getattr(self, f"{TEXT_BUFFER}{nt}"))
        return h

    def _gate(self, node_type: str, edge_index_dict: EdgeDict) -> Tensor:
        """1.0 for nodes of ``node_type`` with an edge of the gate relation in ``edge_index_dict``, else 0.0."""
        et = self.gate_relation
        device = self.type_vector[node_type].device
        gate = torch.zeros(self.num_nodes[node_type], device=device)
        ei = edge_index_dict.get(et)  # type: ignore[arg-type]
        if ei is not None:
            for row, nt in ((0, et[0]), (1, et[2])):  # type: ignore[index]
                if nt == node_type:
                    gate[ei[row]] = 1.0
        return gate


def decoder_node_types(relations: list[EdgeType]) -> list[str]:
    """The node types at either end of the decoded relations (what a pruned last layer must update)."""
    return sorted({nt for et in relations for nt in (et[0], et[2])})


class DistMult(nn.Module):
    """DistMult decoder, one diagonal relation vector per predicted relation: ``score = <z_s, r, z_o>``.

    Shapes:
        z_src: ``[N, dim]``, z_dst: ``[N, dim]`` (paired rows) -> ``[N]``.
    """

    def __init__(self, relations: list[EdgeType], dim: int) -> None:
        super().__init__()
        self.relations = [tuple(et) for et in relations]
        self.keys = ["|".join(et) for et in relations]
        self.rel = nn.ParameterDict({k: nn.Parameter(torch.ones(dim)) for k in self.keys})

    def forward(self, z_src: Tensor, z_dst: Tensor, relation: EdgeType) -> Tensor:
        """Score paired rows of ``z_src`` and ``z_dst`` under ``relation``."""
        return (z_src * self.rel["|".join(relation)] * z_dst).sum(-1)

    def all_pairs(self, z_src: Tensor, z_dst: Tensor, relation: EdgeType) -> Tensor:
        """Scores of every ``(src, dst)`` pair.

        Shapes:
            z_src: ``[S, dim]``, z_dst: ``[D, dim]`` -> ``[S, D]``.
        """
        return (z_src * self.rel["|".join(relation)]) @ z_dst.T


def _positions(nodes: Tensor, n: int) -> Tensor:
    """``[n]`` map of node index -> position in ``nodes``, -1 for nodes not in it."""
    pos = torch.full((n,), -1, dtype=torch.long)
    pos[nodes.long()] = torch.arange(len(nodes))
    return pos


def degree_slots(edge_types: list[EdgeType], node_type: str) -> list[tuple[EdgeType, int]]:
    """``(relation, end)`` of every forward relation with ``node_type`` at that end (0 subject, 1 object)."""
    return [(et, end) for et in sorted(edge_types) if not et[1].startswith("rev_")
            for end, nt in ((0, et[0]), (1, et[2])) if nt == node_type]


class LinkPredictor(nn.Module):
    """Encoder plus DistMult decoder plus a learned log-degree term per predicted relation.

    ``score(s, o) = <z_s, r, z_o> + sum_q a_rq log(1 + deg_q(s)) + sum_q b_rq log(1 + deg_q(o))`` where ``q`` runs
    over every relation at that end of the pair (all of them when ``edge_types`` is given, else the predicted
    relation alone) and ``deg_q`` counts edges in the graph of the last :meth:`forward` call (the message-passing
    graph, never the scored edges). This is the Rephetio degree prior made multi-relational: a compound with
    palliative indications or many targets is far likelier to treat something than one with none, and mean
    aggregation in the encoder cannot see degrees.

    Shapes:
        pairs: ``[2, N]`` (rows index the relation's src and dst types) -> scores ``[N]``.
    """

    def __init__(self, encoder: HeteroEncoder, targets: list[EdgeType], dim: int,
                 edge_types: list[EdgeType] | None = None, paths: list[Metapath] | None = None,
                 path_nodes: tuple[Tensor, Tensor] | None = None) -> None:
        super().__init__()
        self.paths = list(paths or [])  # metapath features of the first (target) relation, see kg_engine.gnn.paths
        self.path_weight = nn.Parameter(torch.zeros(len(self.paths)))
        self._paths: Tensor | None = None  # [candidate src, candidate dst, metapaths] of the last forward graph
        self._path_cache: dict = {}
        n_src, n_dst = encoder.num_nodes[targets[0][0]], encoder.num_nodes[targets[0][2]]
        rows, cols = path_nodes if path_nodes is not None else (torch.arange(n_src), torch.arange(n_dst))
        self.register_buffer("path_src", rows.long(), persistent=False)  # candidate nodes with path features
        self.register_buffer("path_dst", cols.long(), persistent=False)
        self.register_buffer("_src_pos", _positions(rows, n_src), persistent=False)  # node -> candidate row or -1
        self.register_buffer("_dst_pos", _positions(cols, n_dst), persistent=False)
        self.encoder = encoder
        self.decoder = DistMult(targets, dim)
        counted = list(edge_types) if edge_types is not None else list(targets)
        self.degree_slots = {nt: degree_slots(counted, nt) for nt in decoder_node_types(targets)}
        self.degree_weight = nn.ParameterDict({
            key: nn.Parameter(torch.zeros(len(self.degree_slots[et[0]]) + len(self.degree_slots[et[2]])))
            for et, key in zip(self.decoder.relations, self.decoder.keys, strict=True)
        })
        self._log_deg: dict[str, Tensor] = {}

    def forward(self, edge_index_dict: EdgeDict) -> XDict:
        """Node representations (see :class:`HeteroEncoder`); also records degrees for the decoder."""
        z = self.encoder(edge_index_dict)
        self._log_deg = {nt: self._degrees(edge_index_dict, nt, z[nt].size(0)) for nt in self.degree_slots}
        if self.paths:
            sizes = {nt: x.size(0) for nt, x in z.items()}
            self._paths = path_features(edge_index_dict, self.paths, sizes, self.path_src, self.path_dst,
                                        self._path_cache)
        return z

    def _path_term(self, relation: EdgeType, src: Tensor | None, dst: Tensor | None) -> Tensor | None:
        """Weighted metapath features of a block of the target relation's pairs (``None`` without paths).

        Pairs outside the candidate nodes have no features and get 0.
        """
        if self._paths is None or relation != self.decoder.relations[0]:
            return None
        rows = self._src_pos if src is None else self._src_pos[src]
        cols = self._dst_pos if dst is None else self._dst_pos[dst]
        term = self._paths @ self.path_weight
        out = term.new_zeros(len(rows), len(cols))
        r_ok, c_ok = (rows >= 0).nonzero().squeeze(1), (cols >= 0).nonzero().squeeze(1)
        out[r_ok[:, None], c_ok[None, :]] = term[rows[r_ok]][:, cols[c_ok]]
        return out

    def pair_paths(self, src: Tensor, dst: Tensor) -> Tensor:
        """Metapath features of paired nodes (zeros outside the candidates; call :meth:`forward` first).

        Shapes:
            src, dst: ``[N]`` -> ``[N, len(paths)]``.
        """
        ps, pd = self._src_pos[src], self._dst_pos[dst]
        ok = (ps >= 0) & (pd >= 0)
        feats = self.path_weight.new_zeros(len(src), len(self.paths))
        if self._paths is not None:
            feats[ok] = self._paths[ps[ok], pd[ok]]
        return feats

    def _degrees(self, edge_index_dict: EdgeDict, node_type: str, n: int) -> Tensor:
        """``[n, slots]`` log(1 + degree) of each node in each of its relations."""
        device = next(iter(self.degree_weight.values())).device
        cols = []
        for et, end in self.degree_slots[node_type]:
            ei = edge_index_dict.get(et)
            deg = torch.zeros(n, device=device) if ei is None else torch.bincount(ei[end], minlength=n).float()
            cols.append(torch.log1p(deg))
        return torch.stack(cols, dim=1) if cols else torch.zeros(n, 0, device=device)

    def _degree(self, relation: EdgeType) -> tuple[Tensor, Tensor]:
        w = self.degree_weight["|".join(relation)]
        deg_s, deg_d = self._log_deg[relation[0]], self._log_deg[relation[2]]
        k = deg_s.size(1)
        return deg_s @ w[:k], deg_d @ w[k:]

    def score(self, z: XDict, pairs: Tensor, relation: EdgeType) -> Tensor:
        """Logits of ``pairs`` under ``relation`` (call :meth:`forward` first)."""
        deg_s, deg_d = self._degree(relation)
        dm = self.decoder(z[relation[0]][pairs[0]], z[relation[2]][pairs[1]], relation)
        logits = dm + deg_s[pairs[0]] + deg_d[pairs[1]]
        if self.paths and relation == self.decoder.relations[0]:
            logits = logits + self.pair_paths(pairs[0], pairs[1]) @ self.path_weight
        return logits

    def score_all(self, z: XDict, relation: EdgeType) -> Tensor:
        """Logits of every pair, ``[num_src, num_dst]`` (call :meth:`forward` first)."""
        return self.score_block(z, relation)

    def score_block(self, z: XDict, relation: EdgeType, src: Tensor | None = None, dst: Tensor | None = None) -> Tensor:
        """Logits of every pair of the given ``src`` rows and ``dst`` columns (``None``: all of them).

        Shapes:
            src: ``[S']``, dst: ``[D']`` node indices -> ``[S', D']`` (``[num_src, num_dst]`` when both are None).
        """
        deg_s, deg_d = self._degree(relation)
        z_s, z_d = z[relation[0]], z[relation[2]]
        if src is not None:
            z_s, deg_s = z_s[src], deg_s[src]
        if dst is not None:
            z_d, deg_d = z_d[dst], deg_d[dst]
        logits = self.decoder.all_pairs(z_s, z_d, relation) + deg_s[:, None] + deg_d[None, :]
        path = self._path_term(relation, src, dst)
        return logits if path is None else logits + path
