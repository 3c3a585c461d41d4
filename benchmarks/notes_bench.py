"""Clinical-note throughput: notes/s of the note pipeline alone and of ``ingest_notes`` into a fresh embedded store.

Notes are built from the NegEx annotated sentences: one note per report (its distinct sentences, one a line),
60 notes of about 2,000 characters. ``--repeat N`` runs them N times under new ids. Also scores the pipeline's
own assertion of the gold concepts it finds in those notes (``assertion_in_pipeline``): the rules' figures
from ``kg nlp eval-assertion`` are on given concept offsets, these are on the pipeline's mentions, with its
sentences and sections.

Usage: python benchmarks/notes_bench.py [--data-dir DIR] [--home DIR] [--repeat N] [--workers 1 2]
Prints one JSON object on stdout; progress goes to stderr. ``--home`` should hold a built knowledge base
(``kg build-kb``); the store of the ingest run is a temporary folder.
"""

from __future__ import annotations

import argparse
import csv
import json
import platform
import resource
import sys
import tempfile
import time
from pathlib import Path

from ingest.note_pipeline import NoteExtraction
from ingest.records import Document
from kg_engine.config import Settings
from ontologies.data import data_dir


def negex_notes(data: Path, repeat: int) -> list[Document]:
    """One note per NegEx report: its distinct sentences joined by newlines."""
    reports: dict[str, list[str]] = {}
    with (data / "negex" / "annotations_reports_1-60.tsv").open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh, delimiter="\t"):
            sentences = reports.setdefault(row["Report No."], [])
            if row["Sentence"] not in sentences:
                sentences.append(row["Sentence"])
    return [Document(f"{r}-{k}", "note", "", "\n".join(s), {"file": "negex", "line": None})
            for k in range(repeat) for r, s in reports.items()]


def pipeline_assertion(data: Path, extractions: list[NoteExtraction]) -> dict[str, object]:
    """Gold NegEx rows against the pipeline's own mentions: how many concepts it finds, how it asserts them.

    Each row's concept is located in its report's note (sentence offset + concept offset); a pipeline mention
    overlapping it counts as found, and its status (negated or not) is scored against the gold label.
    """
    from ingest.assertion import load_negex_rows

    rows, _ = load_negex_rows(data / "negex" / "annotations_reports_1-60.tsv")
    by_note = {ex.document.id: ex for ex in extractions if ex.document.id.endswith("-0")}
    found, tp, fp, fn, correct = 0, 0, 0, 0, 0
    for row in rows:
        ex = by_note[f"{row.report}-0"]
        offset = ex.document.text.index(row.sentence)
        start, end = offset + row.start, offset + row.end
        hits = [m for m in ex.mentions if m.start < end and start < m.end]
        if not hits:
            continue
        found += 1
        negated = any(m.assertion == "negated" for m in hits)
        gold = row.gold == "Negated"
        correct += negated == gold
        tp, fp, fn = tp + (negated and gold), fp + (negated and not gold), fn + (gold and not negated)
    p, r = tp / (tp + fp) if tp + fp else 0.0, tp / (tp + fn) if tp + fn else 0.0
    return {"rows": len(rows), "concepts_found": found, "accuracy": round(correct / found, 4) if found else 0.0,
            "negated": {"precision": round(p, 4), "recall": round(r, 4),
                        "f1": round(2 * p * r / (p + r), 4) if p + r else 0.0}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data-dir", type=Path, default=None)
    parser.add_argument("--home", type=Path, default=Path.home() / ".kg-engine")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    args = parser.parse_args()
    from ingest.note_pipeline import NoteExtractor
    from kg_engine.clinical import ingest_notes, load_note_nlp
    from kg_engine.load.deadletter import DeadLetter
    from kg_engine.store.ladybug import LadybugStore

    data = args.data_dir or data_dir()
    settings = Settings.load(home=args.home, data_dir=data)
    started = time.perf_counter()
    nlp = load_note_nlp(settings, status=lambda m: print(m, file=sys.stderr))
    startup = time.perf_counter() - started
    notes = negex_notes(data, args.repeat)
    chars = sum(len(n.text) for n in notes)

    pipeline = []
    for workers in args.workers:
        print(f"pipeline over {len(notes)} notes, {workers} worker(s) ...", file=sys.stderr)
        started = time.perf_counter()
        extractions = list(NoteExtractor(nlp, n_process=workers).extract(notes))
        seconds = time.perf_counter() - started
        pipeline.append({"workers": workers, "seconds": round(seconds, 2),
                         "notes_per_s": round(len(notes) / seconds, 2), "chars_per_s": round(chars / seconds)})
    statuses: dict[str, int] = {}
    for ex in extractions:
        for m in ex.mentions:
            statuses[m.assertion or "?"] = statuses.get(m.assertion or "?", 0) + 1

    print(f"ingest into a fresh store, {args.workers[-1]} worker(s) ...", file=sys.stderr)
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "notes.jsonl"
        source.write_text("".join(json.dumps({"id": n.id, "text": n.text}) + "\n" for n in notes), encoding="utf-8")
        store = LadybugStore(Path(tmp) / "graph.lbdb")
        store.init_schema()
        with DeadLetter(Path(tmp) / "dead.jsonl") as dead:
            report = ingest_notes(nlp, store, [source], dead, "bench", b"bench-salt", workers=args.workers[-1])
        edges = store.stats().edge_total
        store.close()
    usage = max(resource.getrusage(who).ru_maxrss for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
    print(json.dumps({
        "benchmark": "notes", "source": "negex annotations_reports_1-60 (one note per report)",
        "notes": len(notes), "characters": chars, "mentions": sum(statuses.values()), "by_status": statuses,
        "startup_s": round(startup, 2),
        "pipeline": pipeline,
        "ingest": {"workers": args.workers[-1], "seconds": round(report.seconds, 2),
                   "notes_per_s": round(report.notes_per_second, 2),
                   "edges": edges, "dead_lettered": report.dead_lettered},
        "assertion_in_pipeline": pipeline_assertion(data, extractions),
        "peak_rss_mb": round(usage / 1024),  # of the parent or of the largest worker
        "environment": {"python": platform.python_version(), "cpus": __import__("os").cpu_count(),
                        "platform": platform.platform()},
    }, indent=2))


if __name__ == "__main__":
    main()
