"""Benchmark the embedded LadybugDB store against a plain networkx graph built from the same Hetionet files.

Prints one JSON object to stdout (progress goes to stderr)::

    .venv/bin/python benchmarks/store_bench.py --repeats 50 --warmup 5

Sections: ``load`` (Hetionet into an empty store, idempotent reload, indications), ``queries`` (latency of
the three traversal templates on the store), ``networkx`` (build time and size of an equivalent
MultiDiGraph, the same queries in plain Python, whether the answers agree) and ``environment``.
"""

from __future__ import annotations

import argparse
import csv
import gc
import json
import os
import platform
import re
import resource
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache, partial
from pathlib import Path
from typing import Any

import ladybug
import networkx as nx
import numpy as np

from cypher.templates import load_template
from kg_engine.load.deadletter import DeadLetter
from kg_engine.load.hetionet import load_hetionet
from kg_engine.load.indications import load_indications
from kg_engine.store.ladybug import LadybugStore
from ontologies.curies import CurieError, hetionet_curie
from ontologies.schema import EdgeMapping, Schema, load_schema

Row = tuple[Any, ...]
BINDS = "directly_physically_interacts_with"
ASSOCIATED = "condition_associated_with_gene"
INTERACTS = "physically_interacts_with"
DRUG = "DRUGBANK:DB00619"  # imatinib
REPURPOSE_DRUG = "DRUGBANK:DB00331"  # metformin
DISEASES = ("DOID:9352", "DOID:1612")  # type 2 diabetes mellitus, breast cancer
LIMIT = 20
ALL_ROWS = 10**9
_T0 = time.perf_counter()


def log(message: str) -> None:
    print(f"[{time.perf_counter() - _T0:7.1f}s] {message}", file=sys.stderr, flush=True)


def timed(fn: Callable[[], Any]) -> tuple[Any, float]:
    start = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - start


def latency(fn: Callable[[], Any], repeats: int, warmup: int) -> dict[str, float]:
    """p50 / p95 / mean of ``fn`` in milliseconds, after ``warmup`` unmeasured calls."""
    for _ in range(warmup):
        fn()
    samples = np.array([timed(fn)[1] * 1000 for _ in range(repeats)])
    return {
        "p50_ms": round(float(np.percentile(samples, 50)), 3),
        "p95_ms": round(float(np.percentile(samples, 95)), 3),
        "mean_ms": round(float(samples.mean()), 3),
    }


def resolve_data_dir(arg: str | None) -> Path:
    """``--data-dir``, else ``KG_DATA_DIR``, else ``../shared/data`` relative to the repository root."""
    candidate = arg or os.environ.get("KG_DATA_DIR") or Path(__file__).resolve().parents[2] / "shared" / "data"
    path = Path(candidate).expanduser().resolve()
    if not (path / "hetionet").is_dir():
        raise SystemExit(f"no hetionet/ under {path}; pass --data-dir or set KG_DATA_DIR")
    return path


# --- the embedded store -------------------------------------------------------------------------------


def bench_load(store: LadybugStore, data: Path, workdir: Path) -> dict[str, Any]:
    """Initial Hetionet load, idempotent reload and indications load, timed."""
    root = data / "hetionet"
    with DeadLetter(workdir / "deadletter-hetionet.jsonl") as dead:
        log("loading Hetionet into an empty store")
        report, seconds = timed(lambda: (store.init_schema(), load_hetionet(store, root, dead))[1])
    before = store.stats()
    nodes = sum(f.result.inserted for f in report.files[:1])
    edges = report.inserted - nodes
    with DeadLetter(workdir / "deadletter-hetionet-reload.jsonl") as dead:
        log("reloading Hetionet (idempotent)")
        reload, reload_s = timed(lambda: load_hetionet(store, root, dead))
    after = store.stats()
    with DeadLetter(workdir / "deadletter-indications.jsonl") as dead:
        log("loading indications")
        ind, ind_s = timed(lambda: load_indications(store, data / "pharmacotherapydb" / "indications.tsv", dead))
    return {
        "hetionet_s": round(seconds, 3),
        "nodes": nodes,
        "edges": edges,
        "store_nodes": before.node_total,
        "store_edges": before.edge_total,
        "rejected": report.rejected,
        "nodes_per_s": round(nodes / seconds),
        "edges_per_s": round(edges / seconds),
        "reload_s": round(reload_s, 3),
        "reload_inserted": reload.inserted,
        "reload_counts_changed": (before.nodes, before.edges) != (after.nodes, after.edges),
        "indications_s": round(ind_s, 3),
        "indications_inserted": ind.inserted,
        "indications_rejected": ind.rejected,
    }


def bench_cli_load(data: Path, workdir: Path) -> dict[str, Any]:
    """The whole ``kg load hetionet`` command into an empty home, start-up included, then a reload."""
    home = workdir / "cli-home"
    env = {**os.environ, "KG_HOME": str(home), "KG_DATA_DIR": str(data), "KG_BACKEND": "ladybug"}
    kg = str(Path(sys.executable).parent / "kg")

    def run_kg(*args: str) -> tuple[subprocess.CompletedProcess[str], float, float]:
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        done = subprocess.run([kg, *args], env=env, capture_output=True, text=True, check=True)
        wall = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        return done, wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)

    log("kg load hetionet (whole command, empty home)")
    _, first_s, first_cpu = run_kg("load", "hetionet")
    counts = json.loads(run_kg("stats", "--json")[0].stdout)
    log("kg load hetionet again")
    _, again_s, again_cpu = run_kg("load", "hetionet")
    recounted = json.loads(run_kg("stats", "--json")[0].stdout)
    edges = counts["edge_total"]
    return {
        "command": "kg load hetionet",
        "wall_s": round(first_s, 3),
        "cpu_s": round(first_cpu, 3),
        "edges": edges,
        "edges_per_s": round(edges / first_s),
        "reload_wall_s": round(again_s, 3),
        "reload_cpu_s": round(again_cpu, 3),
        "reload_counts_changed": counts != recounted,
        "load_average_1m": round(os.getloadavg()[0], 2),
    }


@cache
def _cypher(template: str) -> str:
    return load_template(template).cypher


def store_rows(store: LadybugStore, template: str, params: dict[str, Any]) -> list[Row]:
    """A template's rows as plain tuples; the timing covers the query and its conversion to a DataFrame."""
    frame = store.query(_cypher(template), params)
    return [tuple(_plain(v) for v in row) for row in frame.itertuples(index=False, name=None)]


def _plain(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else value


def pick_disease(store: LadybugStore) -> tuple[str, dict[str, int]]:
    """The first candidate whose two-hop query has at least ``LIMIT`` rows unlimited (else the one with most)."""
    counts = {d: len(store_rows(store, "disease_gene_drugs", {"disease": d, "limit": ALL_ROWS})) for d in DISEASES}
    full = [d for d in DISEASES if counts[d] >= LIMIT]
    return (full[0] if full else max(counts, key=counts.__getitem__)), counts


# --- the networkx baseline ----------------------------------------------------------------------------


def build_graph(root: Path, schema: Schema) -> nx.MultiDiGraph:
    """Nodes and edges from the Hetionet TSVs, keyed by CURIE, edges carrying the schema predicate."""
    graph = nx.MultiDiGraph()
    for node_id, name, kind in _tsv(root / "hetionet-v1.0-nodes.tsv"):
        curie = _curie(*node_id.split("::", 1))
        if curie is not None:
            graph.add_node(curie, name=name, category=schema.hetionet_kind(kind).name)
    metaedges = _metaedges(root / "metaedges-v1.0.tsv", schema)
    for path in sorted((root / "edges").glob("*.tsv")):
        _add_edges(graph, path, metaedges)
    return graph


def _tsv(path: Path) -> Iterable[list[str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh, delimiter="\t", quoting=csv.QUOTE_NONE)
        next(reader)
        yield from reader


def _header(path: Path) -> list[str]:
    with path.open(encoding="utf-8") as fh:
        return fh.readline().rstrip("\r\n").split("\t")


def _metaedges(path: Path, schema: Schema) -> dict[tuple[str, str, str], EdgeMapping]:
    """(source kind, verb, target kind) -> mapping, kinds without spaces, as the metaedge file names them."""
    mappings = schema.hetionet_metaedges()
    index = {}
    for metaedge, abbrev, *_ in _tsv(path):
        src, verb, dst = (p.strip() for p in re.split(r" [-<>] ", metaedge))
        index[(src.replace(" ", ""), verb.lower(), dst.replace(" ", ""))] = mappings[abbrev]
    return index


def _add_edges(graph: nx.MultiDiGraph, path: Path, metaedges: dict[tuple[str, str, str], EdgeMapping]) -> None:
    """Edges of one file; the verb comes from the file name, the endpoint kinds from the header."""
    src_kind, dst_kind = (re.search(r"\((.+)\)", h).group(1) for h in _header(path))  # type: ignore[union-attr]
    mapping = metaedges[(src_kind.replace(" ", ""), path.stem.split("_")[1].lower(), dst_kind.replace(" ", ""))]
    nodes = graph.nodes
    for start, end in _tsv(path):
        subject, obj = _curie(src_kind, start), _curie(dst_kind, end)
        ok = subject in nodes and obj in nodes
        if ok and nodes[subject]["category"] == mapping.subject and nodes[obj]["category"] == mapping.object:
            graph.add_edge(subject, obj, key=mapping.label, predicate=mapping.predicate)


def _curie(kind: str, local: str) -> str | None:
    try:
        return hetionet_curie(kind, local)
    except CurieError:
        return None


def _neighbours(graph: nx.MultiDiGraph, node: str, predicate: str, category: str, reverse: bool = False) -> list[str]:
    """Neighbours over ``predicate`` edges (one per edge), restricted to a category."""
    adjacency = graph.pred if reverse else graph.succ
    if node not in adjacency:
        return []
    nodes = graph.nodes
    return [
        other
        for other, edges in adjacency[node].items()
        for attrs in edges.values()
        if attrs["predicate"] == predicate and nodes[other]["category"] == category
    ]


def _is(graph: nx.MultiDiGraph, node: str, category: str) -> bool:
    return node in graph and graph.nodes[node]["category"] == category


def nx_drug_targets(graph: nx.MultiDiGraph, compound: str) -> list[Row]:
    if not _is(graph, compound, "Compound"):
        return []
    rows = [(g, graph.nodes[g]["name"]) for g in _neighbours(graph, compound, BINDS, "Gene")]
    return sorted(rows, key=lambda r: r[1])


def nx_disease_gene_drugs(graph: nx.MultiDiGraph, disease: str, limit: int) -> list[Row]:
    if not _is(graph, disease, "Disease"):
        return []
    genes: dict[str, set[str]] = {}
    for gene in _neighbours(graph, disease, ASSOCIATED, "Gene"):
        for compound in _neighbours(graph, gene, BINDS, "Compound", reverse=True):
            genes.setdefault(compound, set()).add(gene)
    rows = [(c, graph.nodes[c]["name"], len(g)) for c, g in genes.items()]
    return sorted(rows, key=lambda r: (-r[2], r[0]))[:limit]


def nx_repurposing_paths(graph: nx.MultiDiGraph, compound: str, limit: int) -> list[Row]:
    """Compound-binds-Gene-interacts(either direction)-Gene-associated-Disease, counting every path."""
    if not _is(graph, compound, "Compound"):
        return []
    paths: Counter[str] = Counter()
    for bound in _neighbours(graph, compound, BINDS, "Gene"):
        partners = _neighbours(graph, bound, INTERACTS, "Gene") + _neighbours(graph, bound, INTERACTS, "Gene", True)
        for partner in partners:
            paths.update(_neighbours(graph, partner, ASSOCIATED, "Disease", reverse=True))
    rows = [(d, graph.nodes[d]["name"], n) for d, n in paths.items()]
    return sorted(rows, key=lambda r: (-r[2], r[0]))[:limit]


def rss_mb() -> float:
    """Resident set size of this process in MiB (Linux)."""
    with open("/proc/self/statm", encoding="ascii") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


# --- the comparison -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    """One template run on both sides: its store parameters and the equivalent networkx call."""

    template: str
    params: dict[str, Any]
    baseline: Callable[[nx.MultiDiGraph, dict[str, Any]], list[Row]]


def cases(disease: str) -> list[Case]:
    return [
        Case("drug_targets", {"compound": DRUG}, lambda g, p: nx_drug_targets(g, p["compound"])),
        Case(
            "disease_gene_drugs",
            {"disease": disease, "limit": LIMIT},
            lambda g, p: nx_disease_gene_drugs(g, p["disease"], p["limit"]),
        ),
        Case(
            "repurposing_paths",
            {"compound": REPURPOSE_DRUG, "limit": LIMIT},
            lambda g, p: nx_repurposing_paths(g, p["compound"], p["limit"]),
        ),
    ]


def bench_store_queries(store: LadybugStore, todo: list[Case], repeats: int, warmup: int) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for case in todo:
        log(f"store query {case.template} {case.params}")
        run = partial(store_rows, store, case.template, case.params)
        out[case.template] = {"params": case.params, "rows": len(run()), **latency(run, repeats, warmup)}
    return out


def _unlimited(params: dict[str, Any]) -> dict[str, Any]:
    return {**params, "limit": ALL_ROWS} if "limit" in params else params


def store_answers(store: LadybugStore, todo: list[Case]) -> dict[str, tuple[list[Row], list[Row]]]:
    """Each template's rows with the benchmark parameters and with no row limit."""
    return {
        c.template: (store_rows(store, c.template, c.params), store_rows(store, c.template, _unlimited(c.params)))
        for c in todo
    }


def bench_networkx(
    data: Path, todo: list[Case], answers: dict[str, tuple[list[Row], list[Row]]], repeats: int, warmup: int
) -> dict[str, Any]:
    gc.collect()
    rss_before = rss_mb()
    log("building the networkx MultiDiGraph")
    graph, build_s = timed(lambda: build_graph(data / "hetionet", load_schema()))
    gc.collect()
    out: dict[str, Any] = {
        "build_s": round(build_s, 3),
        "nodes": graph.number_of_nodes(),
        "edges": graph.number_of_edges(),
        "rss_delta_mb": round(rss_mb() - rss_before, 1),
        "queries": {},
    }
    for case in todo:
        log(f"networkx query {case.template}")
        run = partial(case.baseline, graph, case.params)
        limited, everything = answers[case.template]
        out["queries"][case.template] = {
            "rows": len(run()),
            **latency(run, repeats, warmup),
            "agree": set(run()) == set(limited),
            "agree_without_limit": set(case.baseline(graph, _unlimited(case.params))) == set(everything),
        }
    return out


def environment() -> dict[str, Any]:
    return {
        "python": platform.python_version(),
        "ladybug": ladybug.__version__,
        "networkx": nx.__version__,
        "cpu_count": os.cpu_count(),
        "platform": platform.platform(),
    }


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", help="folder holding hetionet/ and pharmacotherapydb/ (default: KG_DATA_DIR)")
    parser.add_argument("--workdir", help="where the store and dead-letter files go (default: a temporary folder)")
    parser.add_argument("--repeats", type=int, default=50, help="measured runs per query")
    parser.add_argument("--warmup", type=int, default=5, help="unmeasured runs per query first")
    return parser.parse_args(argv)


def run(args: argparse.Namespace, workdir: Path) -> dict[str, Any]:
    data = resolve_data_dir(args.data_dir)
    store = LadybugStore(workdir / "graph.lbdb")
    try:
        load = bench_load(store, data, workdir)
        load["cli"] = bench_cli_load(data, workdir)
        disease, candidates = pick_disease(store)
        todo = cases(disease)
        queries = bench_store_queries(store, todo, args.repeats, args.warmup)
        queries["disease_gene_drugs"]["candidates_unlimited_rows"] = candidates
        answers = store_answers(store, todo)
    finally:
        store.close()
    baseline = bench_networkx(data, todo, answers, args.repeats, args.warmup)
    for name, stats in baseline["queries"].items():
        stats["store_p50_over_networkx_p50"] = round(queries[name]["p50_ms"] / stats["p50_ms"], 2)
    settings = {"data_dir": str(data), "workdir": str(workdir), "repeats": args.repeats, "warmup": args.warmup}
    return {"settings": settings, "load": load, "queries": queries, "networkx": baseline, "environment": environment()}


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    if args.workdir:
        workdir = Path(args.workdir).resolve()
        workdir.mkdir(parents=True, exist_ok=True)
        if (workdir / "graph.lbdb").exists():
            raise SystemExit(f"{workdir / 'graph.lbdb'} exists; the load benchmark needs an empty store")
        result = run(args, workdir)
    else:
        with tempfile.TemporaryDirectory(prefix="kg-store-bench-") as tmp:
            result = run(args, Path(tmp))
    log("done")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
