"""Literature pipeline throughput: documents/s and tokens/s on BC5CDR dev with 1 and N workers, peak memory.

Usage: python benchmarks/ingest_bench.py [--data-dir DIR] [--home DIR] [--workers 1 2] [--limit N]
Prints one JSON object on stdout; progress goes to stderr. Each worker count runs in a fresh process so
that start-up (model and knowledge-base load) and peak memory are measured separately from throughput.

With ``--end-to-end``: ``kg ingest literature`` on BC5CDR train+dev (1,000 abstracts) into an empty
store, once per worker count (``--runner local`` by default), timed from outside (wall) and inside
(the job's own seconds and the part spent writing to the store); then a projection for PubMed's
~36M abstracts on N workers from the one-worker run's extraction rate.
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

from kg_engine.config import Settings
from ontologies.data import data_dir


def run_one(corpus: Path, home: Path, workers: int, limit: int | None) -> dict[str, object]:
    """Measure one configuration inside this process."""
    from ingest.pipeline import Extractor
    from ingest.readers import raise_errors, read_pubtator
    from kg_engine.literature import load_nlp

    started = time.perf_counter()
    nlp = load_nlp(Settings.load(home=home, data_dir=corpus.parent.parent))
    load_s = time.perf_counter() - started
    docs = list(read_pubtator(corpus, raise_errors))[:limit]
    tokens = sum(len(nlp.tokenizer(d.text)) for d in docs)
    started = time.perf_counter()
    extractions = list(Extractor(nlp, n_process=workers).extract(docs))
    seconds = time.perf_counter() - started
    mentions = sum(len(ex.mentions) for ex in extractions)
    usage = resource.getrusage
    peak_kb = usage(resource.RUSAGE_SELF).ru_maxrss + usage(resource.RUSAGE_CHILDREN).ru_maxrss
    return {
        "workers": workers, "documents": len(docs), "tokens": tokens, "mentions": mentions,
        "relations": sum(len(ex.relations) for ex in extractions),
        "seconds": round(seconds, 2), "docs_per_s": round(len(docs) / seconds, 1),
        "tokens_per_s": round(tokens / seconds), "startup_s": round(load_s, 2),
        "peak_rss_mb": round(peak_kb / 1024), "relation_extraction": relation_rate(nlp, extractions),
    }


def relation_rate(nlp, extractions) -> dict[str, object]:  # type: ignore[no-untyped-def]
    """Relation extraction alone (candidates, features, CID model, associations) over the extracted mentions."""
    from ingest.relations import RELATIONS

    if RELATIONS not in nlp.pipe_names:
        return {"enabled": False}
    component = nlp.get_pipe(RELATIONS)
    started = time.perf_counter()
    found = sum(len(component.extract(ex.document, ex.mentions)) for ex in extractions)
    seconds = time.perf_counter() - started
    return {"enabled": True, "relations": found, "seconds": round(seconds, 3),
            "docs_per_s": round(len(extractions) / seconds, 1) if seconds else None}


E2E_SOURCES = ("bc5cdr/CDR_TrainingSet.PubTator.txt", "bc5cdr/CDR_DevelopmentSet.PubTator.txt")
PUBMED_ABSTRACTS = 36_000_000
PROJECTED_WORKERS = (1, 2, 8, 32, 128, 512)


def end_to_end(data: Path, home: Path, workers: int, runner: str, batch_size: int | None) -> dict[str, object]:
    """One ``kg ingest literature`` run into a fresh KG_HOME that shares ``home``'s knowledge base."""
    from kg_engine.store.ladybug import LadybugStore

    kg = str(Path(sys.executable).parent / "kg")
    with tempfile.TemporaryDirectory() as tmp:
        job_home = Path(tmp)
        (job_home / "kb").symlink_to((home / "kb").resolve())
        cmd = [kg, "ingest", "literature", *(str(data / s) for s in E2E_SOURCES), "--workers", str(workers),
               "--runner", runner, *(["--batch-size", str(batch_size)] if batch_size else [])]
        env = {**os.environ, "KG_HOME": str(job_home), "KG_DATA_DIR": str(data)}
        started = time.perf_counter()
        subprocess.run(cmd, env=env, check=True, capture_output=True, text=True)
        wall = time.perf_counter() - started
        summary = json.loads(next((job_home / "jobs").glob("*/job.json")).read_text())["summary"]
        store = LadybugStore(job_home / "graph.lbdb")
        stats = store.stats()
        store.close()
    job_s, write_s = summary["seconds"], summary["write_seconds"]
    return {
        "runner": runner, "workers": workers, "batch_size": batch_size or "default", "documents": summary["documents"],
        "dead_lettered": summary["dead_lettered"], "wall_s": round(wall, 1), "job_s": round(job_s, 1),
        "startup_s": round(wall - job_s, 1), "store_write_s": round(write_s, 1),
        "docs_per_s_job": round(summary["documents"] / job_s, 1),
        "docs_per_s_wall": round(summary["documents"] / wall, 1),
        "nodes": stats.node_total, "edges": stats.edge_total,
    }


def projection(one_worker: dict[str, object]) -> dict[str, object]:
    """PubMed-scale wall time from a one-worker run: extraction scales with workers, store writes do not."""
    docs = float(one_worker["documents"])  # type: ignore[arg-type]
    extract_s = float(one_worker["job_s"]) - float(one_worker["store_write_s"])  # type: ignore[arg-type]
    per_worker = docs / extract_s
    write_rate = docs / float(one_worker["store_write_s"])  # type: ignore[arg-type]
    hours = {}
    for n in PROJECTED_WORKERS:
        extraction_h = PUBMED_ABSTRACTS / (n * per_worker) / 3600
        writes_h = PUBMED_ABSTRACTS / write_rate / 3600
        hours[str(n)] = {"extraction_h": round(extraction_h, 1), "store_writes_h": round(writes_h, 1),
                         "wall_h": round(max(extraction_h, writes_h), 1),
                         "bound_by": "extraction" if extraction_h >= writes_h else "store writes"}
    return {
        "abstracts": PUBMED_ABSTRACTS, "per_worker_docs_per_s": round(per_worker, 2),
        "store_write_docs_per_s": round(write_rate, 1), "workers": hours,
        "assumptions": "extraction (reading + pipeline) scales linearly with workers at the measured one-worker "
                       "rate on abstracts like BC5CDR's; the single writer's store rate is the one measured on "
                       "1,000 abstracts and overlaps extraction (wall = the slower of the two); start-up is ignored",
    }


def run_end_to_end(data: Path, home: Path, workers: list[int], runner: str, batch_size: int | None
                   ) -> dict[str, object]:
    """End-to-end runs per worker count, and the projection from the first (one-worker) run."""
    load_before = os.getloadavg()
    runs = []
    for n in workers:
        print(f"end-to-end: {runner} runner, workers={n} ...", file=sys.stderr)
        runs.append(end_to_end(data, home, n, runner, batch_size))
    return {
        "benchmark": "ingest_literature_end_to_end", "sources": list(E2E_SOURCES), "runs": runs,
        "speedup_job": round(float(runs[0]["job_s"]) / float(runs[-1]["job_s"]), 2) if len(runs) > 1 else None,
        "pubmed_projection": projection(runs[0]) if runs[0]["workers"] == 1 else None,
        "load_average_before": load_before, "load_average_after": os.getloadavg(),
        "environment": {"python": platform.python_version(), "cpus": os.cpu_count(), "platform": platform.platform()},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data-dir", type=Path, default=None)
    parser.add_argument("--home", type=Path, default=Path.home() / ".kg-engine")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--limit", type=int, default=None)
    parser.add_argument("--one", type=int, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--end-to-end", action="store_true", help="Time `kg ingest literature` on train+dev.")
    parser.add_argument("--runner", default="local", choices=["local", "ray"])
    parser.add_argument("--batch-size", type=int, default=None, help="Documents per store write (CLI default).")
    args = parser.parse_args()
    if args.end_to_end:
        result = run_end_to_end(args.data_dir or data_dir(), args.home, args.workers, args.runner, args.batch_size)
        print(json.dumps(result, indent=2))
        return
    corpus = (args.data_dir or data_dir()) / "bc5cdr" / "CDR_DevelopmentSet.PubTator.txt"
    if args.one is not None:
        print(json.dumps(run_one(corpus, args.home, args.one, args.limit)))
        return
    runs = []
    for workers in args.workers:
        print(f"workers={workers} ...", file=sys.stderr)
        cmd = [sys.executable, __file__, "--home", str(args.home), "--one", str(workers),
               "--data-dir", str(corpus.parent.parent)] + (["--limit", str(args.limit)] if args.limit else [])
        done = subprocess.run(cmd, capture_output=True, text=True, check=True)
        runs.append(json.loads(done.stdout.strip().splitlines()[-1]))
    result = {
        "benchmark": "ingest_pipeline", "corpus": str(corpus), "runs": runs,
        "speedup": round(runs[-1]["docs_per_s"] / runs[0]["docs_per_s"], 2) if len(runs) > 1 else None,
        "environment": {"python": platform.python_version(), "cpus": __import__("os").cpu_count(),
                        "platform": platform.platform()},
    }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
