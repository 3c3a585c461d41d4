"""Literature pipeline throughput: documents/s and tokens/s on BC5CDR dev with 1 and N workers, peak memory.

Usage: python benchmarks/ingest_bench.py [--data-dir DIR] [--home DIR] [--workers 1 2] [--limit N]
Prints one JSON object on stdout; progress goes to stderr. Each worker count runs in a fresh process so
that start-up (model and knowledge-base load) and peak memory are measured separately from throughput.
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import subprocess
import sys
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
    mentions = sum(len(ex.mentions) for ex in Extractor(nlp, n_process=workers).extract(docs))
    seconds = time.perf_counter() - started
    usage = resource.getrusage
    peak_kb = usage(resource.RUSAGE_SELF).ru_maxrss + usage(resource.RUSAGE_CHILDREN).ru_maxrss
    return {
        "workers": workers, "documents": len(docs), "tokens": tokens, "mentions": mentions,
        "seconds": round(seconds, 2), "docs_per_s": round(len(docs) / seconds, 1),
        "tokens_per_s": round(tokens / seconds), "startup_s": round(load_s, 2),
        "peak_rss_mb": round(peak_kb / 1024),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data-dir", type=Path, default=None)
    parser.add_argument("--home", type=Path, default=Path.home() / ".kg-engine")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--limit", type=int, default=None)
    parser.add_argument("--one", type=int, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
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
