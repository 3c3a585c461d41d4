"""Diagnosis speed: cases/s batched and p50 latency per case, from HPO ids and from text; prints JSON.

Usage::

    python benchmarks/diagnosis_bench.py [--home KG_HOME] [--cases 1000] [--device auto|cpu|cuda]

Cases are the first ``--cases`` dev phenopackets (``<data dir>/phenopackets/dev``); their text form is the
English rendering ``kg eval diagnosis --text`` uses. The batched figures run the same code as
``kg diagnose --batch`` (parse, text matcher, candidates, fusion model in chunks of 64, no evidence), and
the batch rate counts the whole run, text matcher loading included; latency is one ``diagnose`` call with
evidence, after start-up.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def _cases(diagnoser, data_dir: Path, n: int, reader) -> tuple[list[dict], list[dict]]:
    from kg_engine.diagnosis.evaluate import read_cases, text_cases

    cases = []
    for case in read_cases(diagnoser, [data_dir / "phenopackets" / "dev"], lambda *_: None):
        cases.append(case)
        if len(cases) >= n:
            break
    worded, _ = text_cases(diagnoser, cases, reader)
    hpo = [{"id": c.patient.id, "hpo": list(c.patient.observed), "excluded": list(c.patient.excluded)} for c in cases]
    text = [{"id": c.patient.id, "text": c.patient.text} for c in worded]
    return hpo, text


def _batch(records: list[dict], home: Path) -> dict[str, float]:
    """Run ``kg diagnose --batch`` in a fresh process; cases/s over the whole command."""
    with tempfile.TemporaryDirectory() as tmp:
        src, dst = Path(tmp) / "cases.jsonl", Path(tmp) / "ranked.jsonl"
        src.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
        env = {**os.environ, "KG_HOME": str(home)}
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "kg_engine.cli", "diagnose", "--batch", str(src), "--out", str(dst)],
                       check=True, env=env, capture_output=True)
        seconds = time.perf_counter() - start
        ranked = sum(1 for _ in dst.open(encoding="utf-8"))
    return {"cases": ranked, "seconds": round(seconds, 2), "cases_per_second": round(ranked / seconds, 1)}


def _latency(service, records: list[dict], sample: int = 50) -> dict[str, float]:
    times = []
    for record in records[:sample]:
        start = time.perf_counter()
        if "text" in record:
            service.diagnose(record["text"], top=10)
        else:
            service.diagnose(hpo=record["hpo"], excluded=record["excluded"] or None, top=10)
        times.append(time.perf_counter() - start)
    return {"p50_ms": round(1000 * statistics.median(times), 1), "max_ms": round(1000 * max(times), 1),
            "cases": len(times)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", type=Path, default=None)
    parser.add_argument("--cases", type=int, default=1000)
    parser.add_argument("--device", default="auto")
    args = parser.parse_args()

    import torch

    from kg_engine.config import Settings
    from kg_engine.diagnosis.api import DiagnosisService
    from kg_engine.diagnosis.text import extract_findings, load_text_pipeline
    from kg_engine.fusion.service import text_wording

    settings = Settings.load(home=args.home)
    service = DiagnosisService.open(settings, args.device)
    nlp = load_text_pipeline(settings.home / "cache" / "diagnosis", service.diagnoser.kb.version)

    class Reader:
        def __init__(self) -> None:
            self.wording: dict[str, str] = {}

        def __call__(self, text: str):
            found = extract_findings(nlp, text)
            self.wording = text_wording(text, found.spans)
            return found.observed, found.excluded

    hpo, text = _cases(service.diagnoser, settings.resolve_data_dir(), args.cases, Reader())
    result = {
        "ranker": "fusion" if service.fusion is not None else "likelihood_ratio", "notes": service.notes,
        "device": service.fusion.device if service.fusion is not None else "cpu",
        "cuda": torch.cuda.get_device_name(0) if torch.cuda.is_available() else None,
        "cpu": platform.processor() or platform.machine(), "cpu_count": os.cpu_count(),
        "torch_threads": torch.get_num_threads(),
        "batch_hpo": _batch(hpo, settings.home), "batch_text": _batch(text, settings.home),
        "latency_hpo": _latency(service, hpo), "latency_text": _latency(service, text),
    }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
