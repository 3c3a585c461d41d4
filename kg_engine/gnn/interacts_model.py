"""The interaction GNN: a message-passing encoder over the drug–drug interaction graph, drug features from the KG.

Each compound starts from its own learned vector plus a projection of what the knowledge graph says about it
(targets, side effects, pharmacologic classes, similar compounds, indications: a row-normalised multi-hot
vector built from the split's message graph, which never holds a held-out pair). Two GraphSAGE-style layers
pass messages along the training interactions (both directions); a symmetric DistMult decoder plus a learned
log-degree term scores a pair. Training mirrors the project's trainer: every epoch scores a fresh 30% of the
training pairs that are removed from that epoch's message graph, with a binary loss against corrupted pairs
and a filtered softmax over every candidate partner (the loss MRR measures).
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import Tensor, nn
from torch_geometric.data import HeteroData

from kg_engine.gnn.data import LinkSplit
from kg_engine.gnn.evaluate import evaluate_matrix

FEATURE_RELATIONS = (
    ("Compound", "directly_physically_interacts_with", "Gene"),
    ("Compound", "has_side_effect", "SideEffect"),
    ("PharmacologicClass", "has_member", "Compound"),
    ("Compound", "chemically_similar_to", "Compound"),
    ("Compound", "treats", "Disease"),
    ("Compound", "ameliorates_condition", "Disease"),
)


@dataclass(frozen=True, slots=True)
class InteractsConfig:
    """Hyper-parameters of the interaction GNN."""

    dim: int = 128
    layers: int = 2
    dropout: float = 0.3
    lr: float = 0.005
    epochs: int = 60
    patience: int = 15
    eval_every: int = 5
    supervision_ratio: float = 0.3
    negatives: int = 4
    rank_pairs: int = 4096
    seed: int = 0


def compound_features(graph: HeteroData) -> Tensor:
    """Multi-hot features of each compound from :data:`FEATURE_RELATIONS`, each block L2-normalised per row.

    Sparse COO ``[n_compounds, F]``; ``F`` depends only on node counts, so a checkpoint fits a later graph of the
    same shape.
    """
    n = int(graph["Compound"].num_nodes)
    rows, cols, offset = [], [], 0
    for et in FEATURE_RELATIONS:
        other = et[0] if et[2] == "Compound" else et[2]
        width = int(graph[other].num_nodes) if other in graph.node_types else 0
        if et in graph.edge_types:
            ei = graph[et].edge_index
            r, c = (ei[1], ei[0]) if et[2] == "Compound" else (ei[0], ei[1])
            if et[0] == et[2]:  # similarity is symmetric
                r, c = torch.cat([r, c]), torch.cat([c, r])
            rows.append(r)
            cols.append(c + offset)
        offset += width
    if not rows:
        return torch.sparse_coo_tensor(torch.zeros(2, 0, dtype=torch.long), torch.zeros(0), (n, 1)).coalesce()
    index = torch.unique(torch.stack([torch.cat(rows), torch.cat(cols)]), dim=1)
    block = torch.bucketize(index[1].contiguous(), _offsets(graph), right=True)
    counts = torch.zeros(n, len(FEATURE_RELATIONS) + 1).index_put_((index[0], block), torch.ones(index.size(1)),
                                                                    accumulate=True)
    values = 1.0 / counts[index[0], block].sqrt()
    return torch.sparse_coo_tensor(index, values, (n, max(offset, 1)), check_invariants=False).coalesce()


def _offsets(graph: HeteroData) -> Tensor:
    """Start column of each feature block after the first."""
    starts, offset = [], 0
    for et in FEATURE_RELATIONS:
        other = et[0] if et[2] == "Compound" else et[2]
        offset += int(graph[other].num_nodes) if other in graph.node_types else 0
        starts.append(offset)
    return torch.tensor(starts[:-1], dtype=torch.long)


class InteractionGnn(nn.Module):
    """Encoder over the interaction graph and a symmetric decoder."""

    def __init__(self, num_nodes: int, num_features: int, config: InteractsConfig) -> None:
        super().__init__()
        self.embedding = nn.Embedding(num_nodes, config.dim)
        nn.init.normal_(self.embedding.weight, std=0.1)
        self.project = nn.Linear(num_features, config.dim)
        self.self_w = nn.ModuleList(nn.Linear(config.dim, config.dim) for _ in range(config.layers))
        self.neigh_w = nn.ModuleList(nn.Linear(config.dim, config.dim, bias=False) for _ in range(config.layers))
        self.norms = nn.ModuleList(nn.LayerNorm(config.dim) for _ in range(config.layers))
        self.relation = nn.Parameter(torch.full((config.dim,), config.dim ** -0.5))
        self.degree_weight = nn.Parameter(torch.ones(1))  # starts as the degree prior (log deg_a + log deg_b)
        self.bias = nn.Embedding(num_nodes, 1)
        nn.init.zeros_(self.bias.weight)
        self.dropout = config.dropout

    def forward(self, features: Tensor, edges: Tensor) -> tuple[Tensor, Tensor]:
        """Node vectors ``[n, dim]`` and log-degrees ``[n]`` given message edges ``[2, E]`` (both directions)."""
        n = self.embedding.num_embeddings
        h = self.embedding.weight + torch.sparse.mm(features, self.project.weight.T) + self.project.bias
        deg = torch.bincount(edges[1], minlength=n).float()
        norm = 1.0 / deg.clamp(min=1.0)
        for self_w, neigh_w, ln in zip(self.self_w, self.neigh_w, self.norms, strict=True):
            agg = torch.zeros_like(h).index_add_(0, edges[1], h[edges[0]]) * norm[:, None]
            out = F.relu(self_w(h) + neigh_w(agg))
            h = ln(h + F.dropout(out, self.dropout, self.training))
        return h, torch.log1p(deg)

    def score_all(self, z: Tensor, log_deg: Tensor) -> Tensor:
        """Scores of every pair, ``[n, n]`` (symmetric)."""
        prior = self.degree_weight * log_deg + self.bias.weight.squeeze(1)
        return (z * self.relation) @ z.T + prior[:, None] + prior[None, :]

    def score(self, z: Tensor, log_deg: Tensor, pairs: Tensor) -> Tensor:
        """Scores of ``[2, N]`` pairs."""
        a, b = pairs
        prior = self.degree_weight * log_deg + self.bias.weight.squeeze(1)
        return (z[a] * self.relation * z[b]).sum(-1) + prior[a] + prior[b]


def _both(edges: Tensor) -> Tensor:
    return torch.cat([edges, edges.flip(0)], dim=1)


def train_interaction_gnn(split: LinkSplit, config: InteractsConfig,
                          log: Callable[[str], None] | None = None) -> tuple[InteractionGnn, Tensor, int]:
    """Train on ``split`` (canonical pairs); early stopping on symmetric validation MRR.

    Returns the model at its best epoch, the compound features and that epoch.
    """
    from kg_engine.gnn.interacts import symmetric_split, symmetrize

    torch.manual_seed(config.seed)
    gen = torch.Generator().manual_seed(config.seed)
    features = compound_features(split.graph)
    n = split.num_src
    model = InteractionGnn(n, features.size(1), config)
    opt = torch.optim.Adam(model.parameters(), lr=config.lr)
    sym = symmetric_split(split)
    known = torch.zeros(n, n, dtype=torch.bool)
    known[sym.train[0], sym.train[1]] = True
    best, best_state, best_epoch, stale = float("-inf"), copy.deepcopy(model.state_dict()), 0, 0
    for epoch in range(1, config.epochs + 1):
        model.train()
        perm = torch.randperm(split.train.size(1), generator=gen)
        n_sup = int(config.supervision_ratio * len(perm))
        sup, msg = split.train[:, perm[:n_sup]], split.train[:, perm[n_sup:]]
        z, log_deg = model(features, _both(msg))
        pos = _both(sup)
        neg = pos.repeat(1, config.negatives)
        neg[1] = torch.randint(0, n, (neg.size(1),), generator=gen)
        logits = model.score(z, log_deg, torch.cat([pos, neg], dim=1))
        labels = torch.cat([torch.ones(pos.size(1)), torch.zeros(neg.size(1))])
        weight = torch.where(labels > 0, float(config.negatives), 1.0)
        loss = F.binary_cross_entropy_with_logits(logits, labels, weight=weight)
        ranked = pos[:, torch.randperm(pos.size(1), generator=gen)[: config.rank_pairs]]
        rows = model.score_all(z, log_deg)[ranked[0]]
        mask = known[ranked[0]]
        mask[torch.arange(ranked.size(1)), ranked[1]] = False
        loss = loss + F.cross_entropy(rows.masked_fill(mask, float("-inf")), ranked[1])
        opt.zero_grad()
        loss.backward()
        opt.step()
        if epoch % config.eval_every and epoch != config.epochs:
            continue
        matrix = symmetrize(score_matrix(model, features, split))
        val = evaluate_matrix(matrix, sym, on="val", ranking_only=True)["mrr"]
        if log is not None:
            log(f"interacts gnn epoch {epoch}: loss {float(loss.detach()):.4f} val mrr={val:.4f}")
        if val > best:
            best, best_state, best_epoch, stale = val, copy.deepcopy(model.state_dict()), epoch, 0
        else:
            stale += config.eval_every
            if stale >= config.patience:
                break
    model.load_state_dict(best_state)
    return model, features, best_epoch


@torch.no_grad()
def score_matrix(model: InteractionGnn, features: Tensor, split: LinkSplit, edges: Tensor | None = None) -> Tensor:
    """Eval-mode scores of every compound pair with all training interactions as messages, ``[n, n]``."""
    model.eval()
    z, log_deg = model(features, _both(split.train if edges is None else edges))
    return model.score_all(z, log_deg)
