"""Dev proxy for external repurposing validation: pairs held out of the graph, scored like `kg eval repurposing`.

A random ``--fraction`` of the treats pairs is removed from every compound–disease relation (so nothing in the
graph states them); the treats model is trained on what is left exactly as ``kg train gnn --task treats`` trains
(its own random split of the remaining edges for early stopping), every candidate pair of the reduced graph is
scored, and the held-out pairs are evaluated against every other unlinked pair with the code of ``kg eval
repurposing``, next to the degree prior. ``hard`` repeats it for the held-out pairs whose compound has no treats
edge left (a new indication for a drug with none), closer to newly approved drugs.

Usage::

    python benchmarks/repurposing_dev.py --home /tmp/kg-ask --seed 1 [--epochs 200] [--no-paths] [--inner ...]

Prints one JSON object. Figures from it are dev figures, not the external validation.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any

import torch
from torch_geometric.data import HeteroData

from kg_engine import Engine
from kg_engine.gnn import checkpoint
from kg_engine.gnn.data import TASKS, build_split
from kg_engine.gnn.repurposing import PairScores, evaluate_pairs, hold_out, model_scores, without_pairs
from kg_engine.gnn.train import config_for, train


def main() -> None:
    """Hold out, train, score, evaluate; print JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", required=True)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--fraction", type=float, default=0.2)
    parser.add_argument("--epochs", type=int, default=200)
    parser.add_argument("--hops", type=int, default=None)
    parser.add_argument("--inner", default=None, help="comma-separated inner types of three-hop metapaths")
    parser.add_argument("--no-paths", action="store_true")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--checkpoint", default=None, help="evaluate this checkpoint's own held-out test pairs "
                        "(the split it was trained on) instead of holding out and training")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    with Engine.open(args.home, read_only=True) as kg:
        graph = kg.store.to_pyg(split_qualifiers=True)
    if args.checkpoint:
        print(json.dumps(from_checkpoint(graph, Path(args.checkpoint))))
        return
    reduced, pairs = hold_out(graph, args.fraction, args.seed)
    config = config_for("treats", "random", seed=args.seed, epochs=args.epochs, path_hops=args.hops,
                        path_inner=args.inner, path_features=False if args.no_paths else None)
    started = time.perf_counter()
    result = train(build_split(reduced, TASKS["treats"], "random", seed=args.seed), config)
    seconds = time.perf_counter() - started
    scores = model_scores(result.model, reduced)
    report = {
        "home": args.home, "seed": args.seed, "fraction": args.fraction, "held_out": len(pairs),
        "config": {k: v for k, v in config.to_dict().items() if k.startswith("path") or k in ("epochs", "dropout")},
        "metapaths": len(result.model.paths), "best_epoch": result.best_epoch, "best_val_auroc": result.best_val,
        "train_seconds": round(seconds, 1),
        **_evaluate(scores, pairs),
    }
    print(json.dumps(report))


def _evaluate(scores: PairScores, pairs: list[tuple[str, str]]) -> dict[str, Any]:
    left = {scores.compounds[i] for i in scores.known.any(1).nonzero().squeeze(1).tolist()}
    hard = [(c, d) for c, d in pairs if c not in left]
    return {"all": evaluate_pairs(scores, pairs), "hard": evaluate_pairs(scores, hard)}


def from_checkpoint(graph: HeteroData, path: Path) -> dict[str, Any]:
    """The test pairs of the checkpoint's own split, cut from the graph (with validation), scored and evaluated."""
    ckpt = checkpoint.load(path, graph)
    meta = json.loads((path / "config.json").read_text(encoding="utf-8"))
    split = build_split(graph, TASKS["treats"], meta["split"]["kind"], seed=meta["split"]["seed"])
    reduced = without_pairs(graph, split.held_out())
    pairs = [(graph["Compound"].curie[c], graph["Disease"].curie[d]) for c, d in split.test.t().tolist()]
    return {"checkpoint": str(path), "held_out": len(pairs), "seed": split.seed, **_evaluate(
        model_scores(ckpt.model, reduced), pairs)}


if __name__ == "__main__":
    main()
