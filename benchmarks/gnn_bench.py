"""Benchmark full-graph GNN training on CPU: seconds per epoch and peak memory for each encoder.

Prints one JSON object to stdout (progress goes to stderr)::

    KG_HOME=/path/to/home .venv/bin/python benchmarks/gnn_bench.py --epochs 5 --encoders sage rgcn hgt \
        [--task treats|binds|associates] [--deterministic]

Each epoch is one training step of ``kg eval gnn``'s settings for the task on a random split
(``kg_engine.gnn.train.config_for``): sampled BCE plus the filtered ranking loss.

The store must hold the full graph (``kg load hetionet`` and ``kg load indications``); with ``--build`` the
benchmark loads it into a temporary home first. Peak memory is the process's maximum resident set size
(``ru_maxrss``), which only grows, so encoders are measured in separate processes unless ``--in-process``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import torch


def _log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def load_graph(home: Path) -> Any:
    from kg_engine.engine import Engine

    with Engine.open(home, read_only=True) as kg:
        return kg.store.to_pyg(split_qualifiers=True)


def build_home() -> Path:
    from kg_engine.engine import Engine

    home = Path(tempfile.mkdtemp(prefix="gnn-bench-"))
    with Engine.open(home) as kg:
        kg.init()
        kg.load_hetionet()
        kg.load_indications()
    return home


def measure(home: Path, encoder: str, epochs: int, dim: int, deterministic: bool, task: str = "treats"
            ) -> dict[str, Any]:
    from kg_engine.gnn.data import TASKS, build_split
    from kg_engine.gnn.train import build_model, config_for, edge_dict, resolve_device, score_matrix, train_epoch

    started = time.perf_counter()
    graph = load_graph(home)
    export_s = time.perf_counter() - started
    split = build_split(graph, TASKS[task], "random", seed=0)
    config = config_for(task, "random", encoder=encoder, dim=dim, epochs=epochs, deterministic=deterministic)
    device = resolve_device(config.device)
    model = build_model(split, config).to(device)
    opt = torch.optim.Adam(model.parameters(), lr=config.lr)
    gen = torch.Generator().manual_seed(0)
    torch.use_deterministic_algorithms(deterministic, warn_only=True)
    seconds = []
    for epoch in range(epochs):
        t = time.perf_counter()
        train_epoch(model, split, opt, config, gen, device)
        seconds.append(time.perf_counter() - t)
        _log(f"{encoder} epoch {epoch + 1}: {seconds[-1]:.2f} s")
    t = time.perf_counter()
    score_matrix(model, split, device)
    eval_s = time.perf_counter() - t
    edges = sum(int(ei.size(1)) for ei in edge_dict(split, torch.device("cpu")).values())
    return {
        "task": task,
        "encoder": encoder,
        "dim": dim,
        "deterministic": deterministic,
        "nodes": int(sum(graph[nt].num_nodes for nt in graph.node_types)),
        "message_edges": edges,
        "parameters": sum(p.numel() for p in model.parameters()),
        "export_seconds": round(export_s, 2),
        "seconds_per_epoch": round(sum(seconds[1:] or seconds) / len(seconds[1:] or seconds), 3),
        "first_epoch_seconds": round(seconds[0], 3),
        "eval_seconds": round(eval_s, 3),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--dim", type=int, default=64)
    parser.add_argument("--encoders", nargs="+", default=["sage", "rgcn", "hgt"])
    parser.add_argument("--task", default="treats", choices=["treats", "binds", "associates"])
    parser.add_argument("--deterministic", action="store_true", help="Enforce deterministic (slower) kernels.")
    parser.add_argument("--build", action="store_true", help="Load the full graph into a temporary home first.")
    parser.add_argument("--in-process", action="store_true", help="Measure every encoder in this process.")
    args = parser.parse_args()
    home = build_home() if args.build else Path(os.environ.get("KG_HOME", Path.home() / ".kg-engine"))
    results = []
    for encoder in args.encoders:
        if args.in_process or len(args.encoders) == 1:
            results.append(measure(home, encoder, args.epochs, args.dim, args.deterministic, args.task))
            continue
        cmd = [sys.executable, __file__, "--epochs", str(args.epochs), "--dim", str(args.dim), "--encoders", encoder,
               "--task", args.task]
        cmd += ["--deterministic"] if args.deterministic else []
        done = subprocess.run(cmd, capture_output=True, text=True, env={**os.environ, "KG_HOME": str(home)},
                              check=True)
        sys.stderr.write(done.stderr)
        results.extend(json.loads(done.stdout)["results"])
    env = {"python": platform.python_version(), "torch": torch.__version__, "threads": torch.get_num_threads(),
           "cpu_count": os.cpu_count(), "cuda": torch.cuda.is_available()}
    print(json.dumps({"results": results, "environment": env}))


if __name__ == "__main__":
    main()
