"""Full-batch training of a :class:`LinkPredictor` on a :class:`LinkSplit`, early-stopped on a validation metric.

Each epoch re-draws a disjoint supervision set: ``supervision_ratio`` of the training positives are scored
and removed (with their ``rev_`` copies) from that epoch's message-passing graph, so the model can not learn
to read an edge back from its own message — the situation it faces on held-out edges.
"""

from __future__ import annotations

import contextlib
import copy
import time
from dataclasses import asdict, dataclass, field
from typing import Any

import torch
import torch.nn.functional as F
from torch import Tensor
from torch_geometric.data import HeteroData

from kg_engine.gnn.data import EdgeType, GnnDataError, LinkSplit, keeps_nodes
from kg_engine.gnn.evaluate import RANKING_METRICS, evaluate_matrix
from kg_engine.gnn.model import EdgeDict, HeteroEncoder, LinkPredictor, Metadata, decoder_node_types
from kg_engine.gnn.paths import Metapath, candidates, metapaths, within_budget
from kg_engine.gnn.text import text_inputs

NODE_INPUTS = ("free", "inductive", "gated")
MONITORS = ("auroc", "auprc", "mrr", "hits@1", "hits@10")


@dataclass(frozen=True, slots=True)
class TrainConfig:
    """Hyper-parameters of one training run (stored in checkpoints)."""

    encoder: str = "sage"
    dim: int = 64
    num_layers: int = 2
    dropout: float = 0.2
    lr: float = 0.01
    weight_decay: float = 0.0
    epochs: int = 200
    patience: int = 50
    monitor: str = "mrr"
    eval_every: int = 5
    negatives: int = 8
    matched_negatives: bool = False
    supervision_ratio: float = 0.3
    aux_weight: float = 0.0
    aux_edges: int = 2048
    rank_weight: float = 1.0
    node_input: str = "free"
    jumping: bool = False
    text_features: bool = False
    path_features: bool = False
    path_hops: int = 2
    path_inner: str = ""  # comma-separated inner node types of three-hop metapaths ("": paths.INNER_TYPES)
    rank_edges: int = 1024
    seed: int = 0
    deterministic: bool = False
    device: str = "auto"

    def to_dict(self) -> dict[str, Any]:
        """Plain dict for JSON."""
        return asdict(self)


# Chosen on validation, seed 1 (the experiments and their figures are in the README, "Graph neural network").
# Treats adds two-hop metapath (DWPC) features of every compound–disease pair to the decoder: validation AUROC
# 0.915 -> 0.964 and MRR 0.16 -> 0.35 on the random split; dropout 0.4 then gave 0.970 (MiniLM name vectors as
# inputs: 0.955, so they stay off); adding the 66 three-hop metapaths through small types gave 0.977 (MRR 0.40).
# Compounds and diseases start from type vectors plus their own vector only where they have target edges
# (``gated``): a held-out compound is usually one whose only
# treats edge was held out, and a free vector trained on "no edges" ranks its true disease low. Early stopping
# watches AUROC (ranking every pair; on 76 validation edges it is less noisy than AUPRC). Binds ranks among
# 20,945 genes (too many pairs for dense path features) and needs each gene's own vector next to its smoothed
# neighbourhood (``jumping``: val MRR 0.16 against 0.09); for treats jumping lost on validation.
SPLIT_DEFAULTS: dict[str, dict[str, Any]] = {
    "random": {"node_input": "free", "monitor": "mrr"},
    "cold-disease": {"node_input": "gated", "monitor": "auroc"},
}
TASK_DEFAULTS: dict[str, dict[str, Any]] = {  # these win over the split's
    "binds": {"jumping": True},
    "treats": {"path_features": True, "path_hops": 3, "dropout": 0.4, "node_input": "gated", "monitor": "auroc"},
}


def config_for(task: str, split_kind: str, **overrides: Any) -> TrainConfig:
    """The :class:`TrainConfig` for a task and split kind: the defaults above under ``overrides`` (``None`` ignored)."""
    chosen = {**SPLIT_DEFAULTS.get(split_kind, {}), **TASK_DEFAULTS.get(task, {})}
    chosen.update({k: v for k, v in overrides.items() if v is not None})
    return TrainConfig(**chosen)


@dataclass(slots=True)
class TrainResult:
    """The trained model (its state at the best value of the monitored validation metric) and the way there."""

    model: LinkPredictor
    best_epoch: int
    best_val: float
    epoch_seconds: list[float] = field(default_factory=list)
    history: list[dict[str, float]] = field(default_factory=list)


def resolve_device(name: str = "auto") -> torch.device:
    """``auto`` picks CUDA when present, else CPU; any other name is passed to ``torch.device``."""
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    return torch.device(name)


def autocast(device: torch.device) -> contextlib.AbstractContextManager[Any]:
    """bf16 autocast on CUDA, nothing on CPU."""
    if device.type == "cuda":
        return torch.autocast("cuda", dtype=torch.bfloat16)
    return contextlib.nullcontext()


def build_model(split: LinkSplit, config: TrainConfig) -> LinkPredictor:
    """A fresh model sized for ``split.graph``, initialised from ``config.seed``."""
    torch.manual_seed(config.seed)
    graph = split.graph
    num_nodes = {nt: int(graph[nt].num_nodes) for nt in graph.node_types}
    relations = [split.target, *aux_relations(split)] if config.aux_weight > 0 else [split.target]
    text = model_text(graph, relations, config)
    return model_for(num_nodes, graph.metadata(), relations, config, config.dropout, text, path_nodes(split))


def path_nodes(split: LinkSplit) -> tuple[Tensor, Tensor]:
    """The candidate compounds and diseases (target source and destination nodes) that get metapath features."""
    src, _, dst = split.target
    linked = torch.cat([split.train, split.val, split.test], dim=1)
    return (candidates(list(split.graph[src].curie), src, linked[0]),
            candidates(list(split.graph[dst].curie), dst, linked[1]))


def model_text(graph: HeteroData, relations: list[EdgeType], config: TrainConfig) -> dict[str, Tensor] | None:
    """The node-name vectors the model reads (``config.text_features``): those of the decoded node types."""
    if not config.text_features:
        return None
    types = decoder_node_types(relations)
    text = text_inputs(graph, types)
    if not text:
        raise GnnDataError(f"text features asked for but none attached to {', '.join(types)}; "
                           "see kg_engine.gnn.text.attach_text")
    return text


def model_for(num_nodes: dict[str, int], metadata: Metadata, relations: list[EdgeType], config: TrainConfig,
              dropout: float, text: dict[str, Tensor] | None = None,
              path_nodes: tuple[Tensor, Tensor] | None = None, paths: list[Metapath] | None = None) -> LinkPredictor:
    """A :class:`LinkPredictor` of ``config``'s architecture decoding ``relations`` (the first is the target).

    ``config.node_input`` is ``free`` (a learned vector per node), ``inductive`` (the target's two endpoint
    types start from one vector per type) or ``gated`` (a type vector plus the node's own vector where the node
    has target edges in the message-passing graph); see :class:`HeteroEncoder`. With ``config.path_features``
    the metapaths are ``paths`` when given (a checkpoint's), else chosen from ``metadata``, for the candidate
    pairs ``path_nodes`` (default every pair), within :data:`kg_engine.gnn.paths.MAX_FEATURE_CELLS`.
    """
    if config.node_input not in NODE_INPUTS:
        raise GnnDataError(f"unknown node input {config.node_input!r}; choose one of: {', '.join(NODE_INPUTS)}")
    target = relations[0]
    shared = [target[0], target[2]] if config.node_input != "free" else None
    gate = target if config.node_input == "gated" else None
    encoder = HeteroEncoder(num_nodes, metadata, config.encoder, config.dim, config.num_layers, dropout,
                            decoder_node_types(relations), shared, gate, config.jumping, text)
    if config.path_features and paths is None:
        inner = [t for t in config.path_inner.split(",") if t] or None
        n_src = len(path_nodes[0]) if path_nodes is not None else num_nodes[target[0]]
        n_dst = len(path_nodes[1]) if path_nodes is not None else num_nodes[target[2]]
        paths = within_budget(metapaths(metadata[1], target, config.path_hops, inner), n_src, n_dst)
    return LinkPredictor(encoder, relations, encoder.out_dim, metadata[1], paths if config.path_features else None,
                         path_nodes)


def aux_relations(split: LinkSplit) -> list[EdgeType]:
    """Every forward (non-``rev_``) relation other than the target: auxiliary link-prediction tasks."""
    return [et for et in split.graph.edge_types if not et[1].startswith("rev_") and et != split.target]


def edge_dict(split: LinkSplit, device: torch.device, target_edges: Tensor | None = None,
              cold: dict[str, Tensor] | None = None) -> EdgeDict:
    """The split's message-passing edges, with the target (and ``rev_`` target) replaced when given.

    Args:
        split: the split whose graph is used.
        device: where the edge indices go.
        target_edges: ``[2, E]`` edges of ``split.target`` to pass messages along instead of the training ones.
        cold: node type -> indices of nodes that lose every edge joining the target's two node types (as the
            held-out diseases of a cold split do).
    """
    out = {et: split.graph[et].edge_index for et in split.graph.edge_types}
    src, rel, dst = split.target
    if target_edges is not None:
        out[split.target] = target_edges
        out[(dst, f"rev_{rel}", src)] = target_edges.flip(0)
    if cold:
        for et, ei in out.items():
            if {et[0], et[2]} == {src, dst}:
                out[et] = ei[:, keeps_nodes(et, ei, cold, {src, dst})]
    return {et: ei.to(device) for et, ei in out.items()}


def draw_supervision(split: LinkSplit, ratio: float, gen: torch.Generator) -> tuple[Tensor, Tensor, dict[str, Tensor]]:
    """One epoch's supervision edges, the training edges left to pass messages, and the nodes made cold.

    The draw mirrors how the split held its test edges out: a ``random`` split scores a random ``ratio`` of the
    training edges; a ``cold-disease`` split scores every edge of a random ``ratio`` of the training diseases
    and cuts those diseases off from the other compound–disease relations too, so training sees diseases
    without any compound edge, as the test diseases are.

    Shapes:
        output: sup ``[2, S]``, msg ``[2, M]`` with ``S + M`` the training edges; cold ``{type: [K]}``.
    """
    if split.kind == "cold-disease":
        side = 1 if split.target[2] == "Disease" else 0
        nodes = split.train[side].unique()
        chosen = nodes[torch.randperm(len(nodes), generator=gen)[: max(1, round(ratio * len(nodes)))]]
        in_sup = torch.isin(split.train[side], chosen)
        return split.train[:, in_sup], split.train[:, ~in_sup], {"Disease": chosen}
    n = split.train.size(1)
    perm = torch.randperm(n, generator=gen)
    n_sup = max(1, int(ratio * n))
    return split.train[:, perm[:n_sup]], split.train[:, perm[n_sup:]], {}


def sample_negatives(pos: Tensor, split: LinkSplit, k: int, gen: torch.Generator, matched: bool = True) -> Tensor:
    """``k`` corruptions per positive: half uniform, half degree-matched; objects and subjects alternate.

    Degree-matched corruptions draw the replacement node in proportion to its training degree, so
    negatives have the positives' degree profile and the model must learn more than popularity.

    Shapes:
        pos: ``[2, N]`` -> ``[2, N * k]``.
    """
    deg = [torch.bincount(split.train[i], minlength=n).double() + 0.1 for i, n in enumerate((split.num_src,
                                                                                              split.num_dst))]
    parts = []
    for j in range(k):
        side_i, n = 1 if j % 2 == 0 else 0, pos.size(1)
        if matched and (j // 2) % 2 == 1:
            repl = torch.multinomial(deg[side_i], n, replacement=True, generator=gen)
        else:
            repl = torch.randint(0, len(deg[side_i]), (n,), generator=gen)
        neg = pos.clone()
        neg[side_i] = repl
        parts.append(neg)
    return torch.cat(parts, dim=1)


@torch.no_grad()
def score_matrix(model: LinkPredictor, split: LinkSplit, device: torch.device | None = None) -> Tensor:
    """Eval-mode scores of every ``(src, dst)`` pair with the full training graph, ``[num_src, num_dst]``."""
    device = device or next(model.parameters()).device
    model.eval()
    with autocast(device):
        z = model(edge_dict(split, device))
        return model.score_all(z, split.target).float().cpu()


def train_epoch(model: LinkPredictor, split: LinkSplit, opt: torch.optim.Optimizer, config: TrainConfig,
                gen: torch.Generator, device: torch.device) -> float:
    """One full-batch step; returns the BCE loss."""
    model.train()
    sup, msg, cold = draw_supervision(split, config.supervision_ratio, gen)
    neg = sample_negatives(sup, split, config.negatives, gen, config.matched_negatives)
    pairs = torch.cat([sup, neg], dim=1).to(device)
    labels = torch.cat([torch.ones(sup.size(1)), torch.zeros(neg.size(1))]).to(device)
    opt.zero_grad()
    with autocast(device):
        z = model(edge_dict(split, device, msg, cold))
        logits = model.score(z, pairs, split.target).float()
        weight = torch.where(labels > 0, float(config.negatives), 1.0)  # balance positives against negatives
        loss = F.binary_cross_entropy_with_logits(logits, labels, weight=weight)
        if config.rank_weight > 0:
            loss = loss + config.rank_weight * rank_loss(model, z, sup, split, config.rank_edges, gen)
        if config.aux_weight > 0:
            loss = loss + config.aux_weight * aux_loss(model, z, split, config, gen, device)
    loss.backward()
    opt.step()
    return float(loss.detach())


def rank_loss(model: LinkPredictor, z: dict[str, Tensor], sup: Tensor, split: LinkSplit, max_edges: int,
              gen: torch.Generator) -> Tensor:
    """Filtered softmax cross-entropy of each supervision edge against every candidate of its row and its column.

    The loss the filtered MRR measures: for ``(s, o)`` every object of ``s`` (and every subject of ``o``) that is
    not a training positive is a negative, weighted by how high the model scores it, so the hard negatives near
    the top of a ranking dominate. At most ``max_edges`` supervision edges are used per step.

    Shapes:
        sup: ``[2, N]`` supervision positives -> scalar.
    """
    if sup.size(1) > max_edges:
        sup = sup[:, torch.randperm(sup.size(1), generator=gen)[:max_edges]]
    device = z[split.target[0]].device
    known = torch.zeros(split.num_src, split.num_dst, dtype=torch.bool)
    known[split.train[0], split.train[1]] = True
    rows, cols = sup[0].to(device), sup[1].to(device)
    by_row = model.score_block(z, split.target, src=rows).float()
    by_col = model.score_block(z, split.target, dst=cols).float().T
    return (_filtered_ce(by_row, known[sup[0]].to(device), cols)
            + _filtered_ce(by_col, known[:, sup[1]].T.to(device), rows)) / 2


def _filtered_ce(block: Tensor, known: Tensor, target: Tensor) -> Tensor:
    """Cross-entropy of ``target`` per row of ``block`` with the other known positives masked out."""
    arange = torch.arange(block.size(0), device=block.device)
    known = known.clone()
    known[arange, target] = False
    return F.cross_entropy(block.masked_fill(known, float("-inf")), target)


def aux_loss(model: LinkPredictor, z: dict[str, Tensor], split: LinkSplit, config: TrainConfig,
             gen: torch.Generator, device: torch.device) -> Tensor:
    """Mean BCE over a sample of ``config.aux_edges`` edges per auxiliary relation, objects corrupted uniformly.

    Shapes:
        z: ``{node_type: [num_nodes, dim]}``.
    """
    losses = []
    for et in model.decoder.relations:
        if et == split.target:
            continue
        edges = split.graph[et].edge_index
        pos = edges[:, torch.randint(0, edges.size(1), (min(config.aux_edges, edges.size(1)),), generator=gen)]
        neg = pos.clone()
        neg[1] = torch.randint(0, int(split.graph[et[2]].num_nodes), (pos.size(1),), generator=gen)
        logits = model.score(z, torch.cat([pos, neg], dim=1).to(device), et).float()
        labels = torch.cat([torch.ones(pos.size(1)), torch.zeros(neg.size(1))]).to(device)
        losses.append(F.binary_cross_entropy_with_logits(logits, labels))
    return torch.stack(losses).mean() if losses else torch.zeros((), device=device)


def train(split: LinkSplit, config: TrainConfig, log: Any = None) -> TrainResult:
    """Train with early stopping on the validation metric ``config.monitor``; the returned model holds the best state.

    With ``config.deterministic`` deterministic kernels are enforced for the run, so the same seed gives
    bit-identical scores (CPU scatter-adds are otherwise order-dependent across threads); it is off by default
    because those kernels make a full-graph epoch several times slower on CPU (see benchmarks/gnn_bench.py).
    """
    previous = torch.are_deterministic_algorithms_enabled()
    torch.use_deterministic_algorithms(config.deterministic, warn_only=True)
    try:
        return _train(split, config, log)
    finally:
        torch.use_deterministic_algorithms(previous)


def _train(split: LinkSplit, config: TrainConfig, log: Any) -> TrainResult:
    if config.monitor not in MONITORS:
        raise GnnDataError(f"unknown monitor {config.monitor!r}; choose one of: {', '.join(MONITORS)}")
    device = resolve_device(config.device)
    model = build_model(split, config).to(device)
    opt = torch.optim.Adam(model.parameters(), lr=config.lr, weight_decay=config.weight_decay)
    gen = torch.Generator().manual_seed(config.seed)
    result = TrainResult(model, 0, float("-inf"))
    best_state, stale = copy.deepcopy(model.state_dict()), 0
    for epoch in range(1, config.epochs + 1):
        started = time.perf_counter()
        loss = train_epoch(model, split, opt, config, gen, device)
        result.epoch_seconds.append(time.perf_counter() - started)
        if epoch % config.eval_every and epoch != config.epochs:
            continue
        val = evaluate_matrix(score_matrix(model, split, device), split, on="val",
                              ranking_only=config.monitor in RANKING_METRICS)
        result.history.append({"epoch": epoch, "loss": loss, **val})
        if log is not None:
            log(epoch, loss, val)
        if val[config.monitor] > result.best_val:
            result.best_epoch, result.best_val = epoch, val[config.monitor]
            best_state, stale = copy.deepcopy(model.state_dict()), 0
        else:
            stale += config.eval_every
            if stale >= config.patience:
                break
    model.load_state_dict(best_state)
    return result
