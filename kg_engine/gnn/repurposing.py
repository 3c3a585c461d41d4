"""Repurposing at scale: every compound–disease score from a checkpoint, and the evaluation of external pairs.

``kg predict treats --all`` writes :func:`score_table` (one row per candidate pair: compounds with a DrugBank id,
diseases with a DOID id, plus any node with a treats edge; see :func:`kg_engine.gnn.paths.candidates`).
``kg eval repurposing PAIRS.tsv`` reads pairs absent from the graph (newly approved indications, pairs in
clinical trials) and reports AUROC and AUPRC of those pairs against every other candidate pair the graph does
not link by ``treats``, for the ranker and, in the same run, the degree prior (product of the two ends' treats
degrees). :func:`hold_out` removes pairs from a graph so the whole path can be tested on pairs the model never
saw (the dev proxy, ``benchmarks/repurposing_dev.py``).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import torch
from torch import Tensor
from torch_geometric.data import HeteroData

from kg_engine.gnn import checkpoint
from kg_engine.gnn.data import TASKS, GnnDataError
from kg_engine.gnn.evaluate import _curves
from kg_engine.gnn.model import LinkPredictor
from kg_engine.gnn.paths import candidates

TREATS = TASKS["treats"]
PREFIXES = {"Compound": "DRUGBANK", "Disease": "DOID"}


@dataclass(frozen=True, slots=True)
class PairScores:
    """Scores of every candidate compound–disease pair.

    Attributes:
        compounds: CURIEs of the rows; diseases: CURIEs of the columns.
        score: ``[C, D]`` ranker logits; prior: ``[C, D]`` degree-product prior; known: ``[C, D]`` treats edges.
    """

    compounds: list[str]
    diseases: list[str]
    score: Tensor
    prior: Tensor
    known: Tensor


def pair_scores(home: Path, graph: HeteroData, ckpt_path: Path | None = None) -> PairScores:
    """Score every candidate pair with the newest treats checkpoint (or ``ckpt_path``) over the full graph."""
    ckpt = checkpoint.load(ckpt_path or checkpoint.latest(home, "treats"), graph)
    return model_scores(ckpt.model, graph)


def model_scores(model: LinkPredictor, graph: HeteroData) -> PairScores:
    """Score every candidate pair with a trained treats model over the full ``graph`` (no ``rev_`` relations)."""
    z = checkpoint.embed(model, graph)
    edges = graph[TREATS].edge_index
    rows = candidates(list(graph["Compound"].curie), "Compound", edges[0])
    cols = candidates(list(graph["Disease"].curie), "Disease", edges[1])
    with torch.no_grad():
        score = model.score_block(z, TREATS, rows, cols).float()
    n_c, n_d = int(graph["Compound"].num_nodes), int(graph["Disease"].num_nodes)
    known_full = torch.zeros(n_c, n_d, dtype=torch.bool)
    known_full[edges[0], edges[1]] = True
    deg_c = torch.bincount(edges[0], minlength=n_c).double()[rows]
    deg_d = torch.bincount(edges[1], minlength=n_d).double()[cols]
    return PairScores([graph["Compound"].curie[i] for i in rows.tolist()],
                      [graph["Disease"].curie[i] for i in cols.tolist()],
                      score, torch.outer(deg_c, deg_d), known_full[rows][:, cols])


def score_table(scores: PairScores) -> pd.DataFrame:
    """Columns ``compound``, ``disease``, ``score`` (logit, 4 decimals), ``known`` (a treats edge in the graph)."""
    n_c, n_d = scores.score.shape
    return pd.DataFrame({
        "compound": [c for c in scores.compounds for _ in range(n_d)],
        "disease": scores.diseases * n_c,
        "score": scores.score.reshape(-1).numpy().round(4),
        "known": scores.known.reshape(-1).numpy(),
    })


def curie_of(value: str, category: str) -> str:
    """``DB00331`` -> ``DRUGBANK:DB00331``, ``DOID:9352`` and other CURIEs unchanged (prefix upper-cased)."""
    value = value.strip()
    if ":" in value:
        prefix, _, local = value.partition(":")
        return f"{prefix.upper()}:{local}"
    if category == "Compound" and value.upper().startswith("DB"):
        return f"DRUGBANK:{value.upper()}"
    return f"{PREFIXES[category]}:{value}"


def read_pairs(path: Path) -> list[tuple[str, str]]:
    """``(compound, disease)`` CURIEs from a TSV (or CSV) with columns ``compound`` and ``disease``."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise GnnDataError(f"{path}: cannot read pairs ({exc})") from exc
    delimiter = "\t" if "\t" in text.splitlines()[0] else ","
    reader = csv.DictReader(text.splitlines(), delimiter=delimiter)
    if not reader.fieldnames or not {"compound", "disease"} <= set(reader.fieldnames):
        raise GnnDataError(f"{path}: needs columns 'compound' and 'disease' (found {reader.fieldnames})")
    return [(curie_of(r["compound"], "Compound"), curie_of(r["disease"], "Disease"))
            for r in reader if r["compound"] and r["disease"]]


def evaluate_pairs(scores: PairScores, pairs: list[tuple[str, str]]) -> dict[str, Any]:
    """AUROC / AUPRC of ``pairs`` against every other candidate pair without a treats edge.

    Pairs already known (a treats edge) or with an end outside the candidates are counted and left out.
    """
    row = {c: i for i, c in enumerate(scores.compounds)}
    col = {d: j for j, d in enumerate(scores.diseases)}
    labels = torch.zeros_like(scores.known)
    missing, known = [], 0
    for c, d in dict.fromkeys(pairs):
        if c not in row or d not in col:
            missing.append(f"{c}\t{d}")
        elif scores.known[row[c], col[d]]:
            known += 1
        else:
            labels[row[c], col[d]] = True
    keep = ~scores.known
    report: dict[str, Any] = {"pairs": len(pairs), "evaluated": int(labels.sum()), "known_in_graph": known,
                              "not_in_graph": len(missing), "missing_examples": missing[:5],
                              "negatives": int(keep.sum() - labels.sum()), "models": {}}
    for name, matrix in (("ranker", scores.score), ("degree_prior", scores.prior)):
        roc, pr = _curves(matrix[keep].double(), labels[keep])
        report["models"][name] = {"auroc": round(roc, 4), "auprc": round(pr, 4)}
    return report


def hold_out(graph: HeteroData, fraction: float, seed: int) -> tuple[HeteroData, list[tuple[str, str]]]:
    """A copy of ``graph`` without a random ``fraction`` of its treats pairs, and those pairs as CURIEs.

    The pairs are removed from every relation between compounds and diseases (palliates, literature
    co-occurrence, ...), in both directions, so nothing in the graph states them.
    """
    edges = graph[TREATS].edge_index
    gen = torch.Generator().manual_seed(seed)
    chosen = edges[:, torch.randperm(edges.size(1), generator=gen)[: round(fraction * edges.size(1))]]
    return without_pairs(graph, chosen), [(graph["Compound"].curie[c], graph["Disease"].curie[d])
                                          for c, d in chosen.t().tolist()]


def without_pairs(graph: HeteroData, pairs: Tensor) -> HeteroData:
    """A copy of ``graph`` with the compound–disease ``pairs`` (``[2, n]`` indices) cut from every relation."""
    n_d = int(graph["Disease"].num_nodes)
    held = pairs[0] * n_d + pairs[1]
    out = graph.clone()
    for et in graph.edge_types:
        if {et[0], et[2]} != {"Compound", "Disease"}:
            continue
        ei = graph[et].edge_index
        oriented = ei if et[0] == "Compound" else ei.flip(0)
        out[et].edge_index = ei[:, ~torch.isin(oriented[0] * n_d + oriented[1], held)].contiguous()
    return out
