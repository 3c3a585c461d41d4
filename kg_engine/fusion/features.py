"""From a patient's findings and its phenotype candidates to the fusion model's input tensors.

One case becomes a :class:`CaseInput`: the top-``K`` candidates of the likelihood-ratio ranker
(:meth:`~kg_engine.diagnosis.service.Diagnoser.candidates`) with their phenotype features (scaled to be
comparable across patients), the linked findings (term indices, observed or excluded) and the token states
of each finding's wording. :func:`collate` pads a list of cases into a :class:`Batch` of tensors.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from kg_engine.diagnosis.service import FEATURES
from kg_engine.fusion.text import TEXT_DIM

__all__ = ["MAX_FINDINGS", "NUM_FEATURES", "Batch", "CaseInput", "collate", "scale_features"]

NUM_FEATURES = 16
MAX_FINDINGS = 48


@dataclass(frozen=True, slots=True)
class CaseInput:
    """One case, ready to batch.

    Attributes:
        candidates: ``[K]`` disease indices, the LR ranker's order.
        features: ``[K, NUM_FEATURES]`` scaled features (:func:`scale_features`).
        lr: ``[K]`` raw LR scores (the fallback order).
        findings: ``[F]`` term indices; ``kinds``: ``[F]`` 0 observed, 1 excluded.
        tokens: ``[P, 384]`` float16 token states of the findings' wordings; ``token_kinds``: ``[P]``.
        gold: Position of the true disease among the candidates, -1 when absent or unknown.
    """

    candidates: np.ndarray
    features: np.ndarray
    lr: np.ndarray
    findings: np.ndarray
    kinds: np.ndarray
    tokens: np.ndarray
    token_kinds: np.ndarray
    gold: int = -1


def scale_features(raw: np.ndarray, n_observed: int, n_excluded: int) -> np.ndarray:
    """Per-patient scaling of :data:`~kg_engine.diagnosis.service.FEATURES` (``[K, 13]`` -> ``[K, 16]``).

    Scores become gaps to the best candidate and per-finding averages; ranks and counts go to log scale;
    match counts become shares of the patient's findings.
    """
    f = {name: raw[:, k] for k, name in enumerate(FEATURES)}
    n_obs, n_exc = max(n_observed, 1), max(n_excluded, 1)
    lr, bma = f["lr_score"], f["bma_score"]
    out = np.column_stack([
        (lr - lr.max()) / 10.0, lr / (n_obs * 3.0), np.log(f["lr_rank"]) / 3.0, bma / 5.0, bma - bma.max(),
        np.log(f["bma_rank"]) / 3.0, f["n_exact"] / n_obs, f["n_ancestor"] / n_obs, f["n_unexplained"] / n_obs,
        f["n_excluded_expected"] / n_exc, np.minimum(f["n_contradicted"], 3.0), np.log1p(f["n_annotations"]) / 4.0,
        np.log1p(f["n_genes"]), np.full(len(lr), np.log1p(n_observed) / 3.0), f["n_excluded_occasional"] / n_exc,
        f["predicted_profile"],
    ])
    return out.astype(np.float32)


@dataclass
class Batch:
    """Padded tensors of a list of cases (``B`` cases, ``K`` candidates, ``F`` findings, ``P`` tokens)."""

    candidates: Any  # [B, K] long
    features: Any  # [B, K, NUM_FEATURES]
    cand_mask: Any  # [B, K] bool, True = real candidate
    findings: Any  # [B, F] long
    kinds: Any  # [B, F] long
    find_mask: Any  # [B, F] bool
    tokens: Any  # [B, P, 384]
    token_kinds: Any  # [B, P] long
    token_mask: Any  # [B, P] bool
    gold: Any  # [B] long

    def to(self, device: str) -> Batch:
        """The same batch on ``device``."""
        return Batch(**{k: v.to(device) for k, v in vars(self).items()})


def collate(cases: Sequence[CaseInput]) -> Batch:
    """Pad cases into one :class:`Batch` (at least one finding and token slot per case)."""
    import torch

    b = len(cases)
    k = max(len(c.candidates) for c in cases)
    f = max(1, max(len(c.findings) for c in cases))
    p = max(1, max(len(c.tokens) for c in cases))
    out = {
        "candidates": torch.zeros(b, k, dtype=torch.long), "features": torch.zeros(b, k, NUM_FEATURES),
        "cand_mask": torch.zeros(b, k, dtype=torch.bool), "findings": torch.zeros(b, f, dtype=torch.long),
        "kinds": torch.zeros(b, f, dtype=torch.long), "find_mask": torch.zeros(b, f, dtype=torch.bool),
        "tokens": torch.zeros(b, p, TEXT_DIM), "token_kinds": torch.zeros(b, p, dtype=torch.long),
        "token_mask": torch.zeros(b, p, dtype=torch.bool),
        "gold": torch.tensor([c.gold for c in cases], dtype=torch.long),
    }
    for i, c in enumerate(cases):
        nk, nf, nt = len(c.candidates), len(c.findings), len(c.tokens)
        out["candidates"][i, :nk] = torch.from_numpy(c.candidates)
        out["features"][i, :nk] = torch.from_numpy(c.features)
        out["cand_mask"][i, :nk] = True
        out["findings"][i, :nf] = torch.from_numpy(c.findings)
        out["kinds"][i, :nf] = torch.from_numpy(c.kinds)
        out["find_mask"][i, :nf] = True
        out["tokens"][i, :nt] = torch.from_numpy(c.tokens.astype(np.float32))
        out["token_kinds"][i, :nt] = torch.from_numpy(c.token_kinds)
        out["token_mask"][i, :nt] = True
    return Batch(**out)
