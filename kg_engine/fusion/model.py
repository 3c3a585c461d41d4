"""The fusion scorer: candidates cross-attend to a query's text tokens and linked graph entities.

Generic over question kinds: a *query* is a set of text token states (frozen MiniLM) and a set of linked
graph entities (node indices, each with a kind, e.g. observed / excluded finding); *candidates* are graph
nodes with a feature vector each. For diagnosis the entities are HPO terms and the candidates diseases;
a repurposing question would link drugs / genes and rank diseases or compounds the same way.

Each candidate forms one attention query from its graph embedding, its name's text vector and its features;
it attends (``torch.nn.functional.scaled_dot_product_attention``, several heads) over the memory
``[text tokens ; entity embeddings]`` of its case; a residual feed-forward block and a linear head give a
score, added to a linear score of the features. The linear part starts as "trust the first feature" (the
LR gap), so an untrained or tiny model ranks like the phenotype ranker.

Node embeddings and name vectors are fixed buffers (computed once, shipped with the checkpoint).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from kg_engine.fusion.features import NUM_FEATURES, Batch
from kg_engine.fusion.text import TEXT_DIM

__all__ = ["FusionConfig", "FusionScorer"]


@dataclass(frozen=True, slots=True)
class FusionConfig:
    """Model size and which inputs it uses (the ablations switch ``graph`` / ``text`` off)."""

    dim: int = 64
    heads: int = 4
    dropout: float = 0.1
    entity_kinds: int = 2
    num_features: int = NUM_FEATURES
    graph: bool = True
    text: bool = True

    def to_dict(self) -> dict[str, object]:
        """JSON-ready form."""
        return asdict(self)


class FusionScorer(nn.Module):
    """Scores candidates of a batch of queries.

    Args:
        config: Sizes and switches.
        entity_emb: ``[num_entities, g]`` graph embeddings of linkable entities (HPO terms).
        candidate_emb: ``[num_candidates, g]`` graph embeddings of candidates (diseases).
        candidate_text: ``[num_candidates, 384]`` text vectors of candidate names.
    """

    def __init__(self, config: FusionConfig, entity_emb: Tensor, candidate_emb: Tensor,
                 candidate_text: Tensor) -> None:
        super().__init__()
        self.config = config
        d, g = config.dim, entity_emb.size(1)
        self.register_buffer("entity_emb", entity_emb.half())
        self.register_buffer("candidate_emb", candidate_emb.half())
        self.register_buffer("candidate_text", candidate_text.half())
        self.token_proj = nn.Linear(TEXT_DIM, d)
        self.entity_proj = nn.Linear(g, d)
        self.kind = nn.Embedding(config.entity_kinds, d)
        self.token_kind = nn.Embedding(config.entity_kinds, d)
        self.cand_graph = nn.Linear(g, d)
        self.cand_text = nn.Linear(TEXT_DIM, d)
        self.feat = nn.Sequential(nn.Linear(config.num_features, d), nn.GELU(), nn.Linear(d, d))
        self.q, self.k, self.v, self.o = (nn.Linear(d, d) for _ in range(4))
        self.norm1, self.norm2 = nn.LayerNorm(d), nn.LayerNorm(d)
        self.ffn = nn.Sequential(nn.Linear(d, 2 * d), nn.GELU(), nn.Dropout(config.dropout), nn.Linear(2 * d, d))
        self.head = nn.Linear(d, 1)
        self.linear = nn.Linear(config.num_features, 1)
        with torch.no_grad():
            self.linear.weight.zero_()
            self.linear.weight[0, 0] = 10.0  # feature 0 is the LR gap / 10: start as the LR ranker
            self.linear.bias.zero_()
            self.head.weight.mul_(0.1)
            self.head.bias.zero_()

    def memory(self, batch: Batch) -> tuple[Tensor, Tensor]:
        """The attention memory of each query: projected tokens and linked entities.

        Shapes:
            output: ``([B, M, dim], [B, M] bool mask)`` with ``M = P + F``.
        """
        parts, masks = [], []
        if self.config.text:
            parts.append(self.token_proj(batch.tokens) + self.token_kind(batch.token_kinds))
            masks.append(batch.token_mask)
        if self.config.graph:
            ent = self.entity_emb[batch.findings].float()
            parts.append(self.entity_proj(ent) + self.kind(batch.kinds))
            masks.append(batch.find_mask)
        if not parts:  # features only: a single empty slot keeps attention defined
            b = batch.features.size(0)
            return batch.features.new_zeros(b, 1, self.config.dim), batch.cand_mask.new_ones(b, 1)
        return torch.cat(parts, dim=1), torch.cat(masks, dim=1)

    def forward(self, batch: Batch) -> Tensor:
        """Candidate scores (padding gets ``-inf``).

        Shapes:
            output: ``[B, K]``.
        """
        cfg = self.config
        cand = self.feat(batch.features)
        if cfg.graph:
            cand = cand + self.cand_graph(self.candidate_emb[batch.candidates].float())
        if cfg.text:
            cand = cand + self.cand_text(self.candidate_text[batch.candidates].float())
        memory, mask = self.memory(batch)
        mask = mask.clone()
        mask[:, 0] |= ~mask.any(dim=1)  # a query with no memory attends to one (zero) slot
        b, k, m, h = cand.size(0), cand.size(1), memory.size(1), cfg.heads

        def split(x: Tensor, n: int) -> Tensor:
            return x.view(b, n, h, cfg.dim // h).transpose(1, 2)

        attn_mask = mask[:, None, None, :].expand(b, h, k, m)
        ctx = F.scaled_dot_product_attention(split(self.q(self.norm1(cand)), k), split(self.k(memory), m),
                                             split(self.v(memory), m), attn_mask=attn_mask,
                                             dropout_p=cfg.dropout if self.training else 0.0)
        x = cand + self.o(ctx.transpose(1, 2).reshape(b, k, cfg.dim))
        x = x + self.ffn(self.norm2(x))
        score = self.head(x).squeeze(-1) + self.linear(batch.features).squeeze(-1)
        return score.float().masked_fill(~batch.cand_mask, float("-inf"))
