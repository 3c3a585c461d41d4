"""``kg train fusion --task diagnosis``: the fusion re-ranker trained on simulated patients, selected on real ones.

Steps (seeded; the same seed and data give the same checkpoint):

1. graph node embeddings of the phenotype–disease–gene graph (:mod:`kg_engine.fusion.graph`) and MiniLM
   vectors of the disease names;
2. ``simulated`` patients (:mod:`kg_engine.fusion.simulate`), their candidates (the LR top ``top`` and the
   Resnik top ``resnik_top``) with features;
3. the real dev cases of the *selection* half of the gene folders (never the report half);
4. each variant (``fusion``; ablations ``no_graph``, ``no_text``, ``features_only``) trained with a listwise
   softmax loss over its candidates; after each epoch the selection half's MRR picks the best epoch.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from kg_engine.diagnosis.service import Diagnoser
from kg_engine.fusion.features import CaseInput, collate
from kg_engine.fusion.text import PhraseCache, resolve_device

__all__ = ["VARIANTS", "TrainSettings", "rank_metrics", "score_inputs", "train_fusion"]

VARIANTS: dict[str, dict[str, bool]] = {"fusion": {}, "no_graph": {"graph": False}, "no_text": {"text": False},
                                        "features_only": {"graph": False, "text": False}}
Log = Callable[[str], None]


@dataclass(frozen=True, slots=True)
class TrainSettings:
    """Training knobs (defaults fit a 2-core CPU in a few minutes)."""

    seed: int = 0
    epochs: int = 6
    simulated: int = 5000
    top: int = 60
    resnik_top: int = 40
    series_top: int = 0
    batch_size: int = 64
    lr: float = 2e-3
    weight_decay: float = 1e-4
    dim: int = 64
    workers: int = 2
    device: str = "auto"
    variants: tuple[str, ...] = tuple(VARIANTS)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return asdict(self)


def score_inputs(model: Any, inputs: Sequence[CaseInput], device: str = "cpu",
                 batch_size: int = 256) -> list[np.ndarray]:
    """Each case's candidate scores (``[K]`` float32) under ``model`` (eval mode, no gradients)."""
    import torch

    model.eval()
    out: list[np.ndarray] = []
    with torch.inference_mode(), torch.autocast("cuda", torch.bfloat16, enabled=device == "cuda"):
        for start in range(0, len(inputs), batch_size):
            chunk = inputs[start : start + batch_size]
            scores = model(collate(chunk).to(device)).float().cpu().numpy()
            out.extend(scores[i, : len(c.candidates)] for i, c in enumerate(chunk))
    return out


def rank_metrics(inputs: Sequence[CaseInput], scores: Sequence[np.ndarray]) -> dict[str, float]:
    """top-1/10 and MRR over the cases (a gold outside the candidates is a miss)."""
    ranks = np.array([1 + float((s > s[c.gold]).sum()) if c.gold >= 0 else np.inf
                      for c, s in zip(inputs, scores, strict=True)])
    if not len(ranks):
        return {"cases": 0}
    return {"cases": len(ranks), "top1": round(float((ranks <= 1).mean()), 4),
            "top10": round(float((ranks <= 10).mean()), 4), "mrr": round(float((1 / ranks).mean()), 4)}


def _epoch(model: Any, optimizer: Any, train: list[CaseInput], rng: np.random.Generator, settings: TrainSettings,
           device: str) -> float:
    import torch
    import torch.nn.functional as F

    model.train()
    order = rng.permutation(len(train))
    total = 0.0
    for start in range(0, len(order), settings.batch_size):
        batch = collate([train[i] for i in order[start : start + settings.batch_size]]).to(device)
        with torch.autocast("cuda", torch.bfloat16, enabled=device == "cuda"):
            scores = model(batch)
        loss = F.cross_entropy(scores.float(), batch.gold)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        total += float(loss.detach()) * len(batch.gold)
    return total / max(len(order), 1)


def train_variant(name: str, assets: dict[str, Any], train: list[CaseInput], select: list[CaseInput],
                  settings: TrainSettings, log: Log) -> tuple[Any, dict[str, Any]]:
    """Train one variant; returns the model at its best selection-half epoch and its history."""
    import torch

    from kg_engine.fusion.model import FusionConfig, FusionScorer

    device = resolve_device(settings.device)
    torch.manual_seed(settings.seed)
    config = FusionConfig(dim=settings.dim, **VARIANTS[name])
    model = FusionScorer(config, assets["terms"], assets["diseases"], assets["names"]).to(device)
    optimizer = torch.optim.AdamW(model.parameters(), lr=settings.lr, weight_decay=settings.weight_decay)
    rng = np.random.default_rng(settings.seed)
    trainable = [c for c in train if c.gold >= 0]
    best = rank_metrics(select, score_inputs(model, select, device)) | {"epoch": 0}
    best_state = {k: v.detach().clone() for k, v in model.state_dict().items()}
    history = [best]
    for epoch in range(1, settings.epochs + 1):
        loss = _epoch(model, optimizer, trainable, rng, settings, device)
        metrics = rank_metrics(select, score_inputs(model, select, device)) | {"epoch": epoch, "loss": round(loss, 4)}
        history.append(metrics)
        log(f"{name} epoch {epoch}: loss {loss:.3f}, selection half {metrics}")
        if metrics["mrr"] > best["mrr"]:
            best, best_state = metrics, {k: v.detach().clone() for k, v in model.state_dict().items()}
    model.load_state_dict(best_state)
    return model.eval(), {"best": best, "history": history}


def prepare_assets(diagnoser: Diagnoser, phrases: PhraseCache, seed: int,
                   cache_dir: Path | None = None) -> dict[str, Any]:
    """Graph embeddings and disease-name vectors as tensors, with the graph's fingerprint."""
    import torch

    from kg_engine.fusion.graph import embed_graph

    graph = embed_graph(diagnoser.kb, diagnoser.matrices, seed=seed)
    names = phrases.pooled(diagnoser.kb.disease_names)
    return {"terms": torch.from_numpy(graph.terms), "diseases": torch.from_numpy(graph.diseases),
            "names": torch.from_numpy(names), "fingerprint": graph.fingerprint}


def train_fusion(diagnoser: Diagnoser, dev_folder: Path, synonyms: dict[str, list[str]], phrases: PhraseCache,
                 settings: TrainSettings, log: Log,
                 cache_dir: Path | None = None) -> tuple[dict[str, Any], dict[str, Any]]:
    """Train every variant; returns (models by variant, metadata for the checkpoint)."""
    import torch

    from kg_engine.fusion.data import build_inputs, dev_halves, patient_query, read_dev, simulated_query
    from kg_engine.fusion.simulate import Simulator

    torch.set_num_threads(max(1, settings.workers))
    started = time.perf_counter()
    assets = prepare_assets(diagnoser, phrases, settings.seed, cache_dir)
    log(f"graph embeddings and name vectors ready ({time.perf_counter() - started:.0f}s)")
    sims = Simulator(diagnoser.kb, diagnoser.matrices, synonyms).sample(settings.simulated, settings.seed)
    train = build_inputs(diagnoser, [simulated_query(p) for p in sims], phrases, settings.top, settings.workers,
                         settings.resnik_top, settings.series_top)
    log(f"{len(train)} simulated patients, gold among candidates in {np.mean([c.gold >= 0 for c in train]):.3f} "
        f"({time.perf_counter() - started:.0f}s)")
    dev = read_dev(diagnoser, dev_folder)
    select_groups, _ = dev_halves([g for _, g in dev])
    select = build_inputs(diagnoser, [patient_query(diagnoser, p) for p, g in dev if g in select_groups], phrases,
                          settings.top, settings.workers, settings.resnik_top, settings.series_top)
    log(f"{len(select)} real dev cases in the selection half ({time.perf_counter() - started:.0f}s)")
    lr_select = rank_metrics(select, [c.lr for c in select])
    models, results = {}, {}
    for name in settings.variants:
        models[name], results[name] = train_variant(name, assets, train, select, settings, log)
    meta = {"task": "diagnosis", "fingerprint": assets["fingerprint"], "hpo_version": diagnoser.kb.version,
            "top": settings.top, "resnik_top": settings.resnik_top,
            "series_top": settings.series_top, "settings": settings.to_dict(),
            "selection_half": {"likelihood_ratio": lr_select, **{n: r["best"] for n, r in results.items()}},
            "history": {n: r["history"] for n, r in results.items()},
            "seconds": round(time.perf_counter() - started, 1)}
    return models, meta | choose_default(meta["selection_half"])


def choose_default(selection_half: dict[str, dict[str, Any]]) -> dict[str, str]:
    """The default variant (best selection-half MRR) and ranker (fusion only when it beats the LR ranker)."""
    variants = {n: m for n, m in selection_half.items() if n != "likelihood_ratio"}
    variant = max(sorted(variants), key=lambda n: variants[n]["mrr"])
    lr_mrr = selection_half["likelihood_ratio"]["mrr"]
    ranker = "fusion" if variants[variant]["mrr"] > lr_mrr else "likelihood_ratio"
    listed = ", ".join(f"{n} {m['mrr']:.3f}" for n, m in sorted(variants.items()))
    return {"default_variant": variant, "default_ranker": ranker,
            "default_reason": f"selection-half MRR: {listed}; likelihood_ratio {lr_mrr:.3f}"}
