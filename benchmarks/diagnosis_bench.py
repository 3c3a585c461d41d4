"""Diagnosis speed: cases/s batched and p50 latency per case, from HPO ids and from text; prints JSON.

Usage::

    python benchmarks/diagnosis_bench.py [--home KG_HOME] [--cases 1000] [--device auto|cpu|cuda] [--workers 2]

Cases are the first ``--cases`` dev phenopackets (``<data dir>/phenopackets/dev``); their text form is the
English rendering ``kg eval diagnosis --text`` uses. The batched figures run the same code as
``kg diagnose --batch`` (parse, text matcher, candidates, fusion model in chunks of 64, no evidence), and
the batch rate counts the whole run, text matcher loading included; latency is one ``diagnose`` call with
evidence, after start-up. Each figure comes with the load average and the CPU time used, since a shared
machine's wall-clock rate depends on what else runs.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
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


def _cpu_children() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _batch(records: list[dict], home: Path, workers: int) -> dict[str, float | str]:
    """Run ``kg diagnose --batch`` in a fresh process; cases/s over the whole command (wall and CPU time).

    ``cases_per_cpu_second`` divides by the CPU seconds the command and its workers used: on a shared machine
    (load above the core count) it is the rate an idle core would give, and the wall rate is what this run got.
    """
    with tempfile.TemporaryDirectory() as tmp:
        src, dst = Path(tmp) / "cases.jsonl", Path(tmp) / "ranked.jsonl"
        src.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
        env = {**os.environ, "KG_HOME": str(home)}
        load = os.getloadavg()[0]
        cpu, start = _cpu_children(), time.perf_counter()
        script = Path(sys.executable).with_name("kg")
        kg = [str(script)] if script.is_file() else [sys.executable, "-m", "kg_engine.cli"]
        done = subprocess.run([*kg, "diagnose", "--batch", str(src), "--out",
                               str(dst), "--workers", str(workers)], check=True, env=env, capture_output=True,
                              text=True)
        seconds, cpu = time.perf_counter() - start, _cpu_children() - cpu
        ranked = sum(1 for _ in dst.open(encoding="utf-8"))
    summary = next((line for line in done.stderr.splitlines() if "cases ranked by" in line), "")
    return {"cases": ranked, "seconds": round(seconds, 2), "cases_per_second": round(ranked / seconds, 1),
            "cpu_seconds": round(cpu, 2), "cases_per_cpu_second": round(ranked / max(cpu, 1e-9), 1),
            "load_average_1m_at_start": round(load, 2), "load_average_1m_at_end": round(os.getloadavg()[0], 2),
            "command_summary": summary.strip()}


def _latency(service, records: list[dict], sample: int = 50) -> dict[str, float]:
    times, cpu = [], []
    for record in records[:sample]:
        start, started_cpu = time.perf_counter(), time.process_time()
        if "text" in record:
            service.diagnose(record["text"], top=10)
        else:
            service.diagnose(hpo=record["hpo"], excluded=record["excluded"] or None, top=10)
        times.append(time.perf_counter() - start)
        cpu.append(time.process_time() - started_cpu)
    return {"p50_ms": round(1000 * statistics.median(times), 1), "max_ms": round(1000 * max(times), 1),
            "p50_cpu_ms": round(1000 * statistics.median(cpu), 1), "cases": len(times),
            "load_average_1m": round(os.getloadavg()[0], 2)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", type=Path, default=None)
    parser.add_argument("--cases", type=int, default=1000)
    parser.add_argument("--device", default="auto")
    parser.add_argument("--workers", type=int, default=2, help="kg diagnose --batch --workers")
    parser.add_argument("--latency-sample", type=int, default=50)
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
        "ranker": service.default_ranker, "notes": service.notes,
        "device": service.fusion.device if service.fusion is not None else "cpu",
        "cuda": torch.cuda.get_device_name(0) if torch.cuda.is_available() else None,
        "cpu": platform.processor() or platform.machine(), "cpu_count": os.cpu_count(),
        "torch_threads": torch.get_num_threads(),
        "load_average_1m_5m_15m": [round(x, 2) for x in os.getloadavg()],
        "batch_hpo": _batch(hpo, settings.home, args.workers), "batch_text": _batch(text, settings.home, args.workers),
        "latency_hpo": _latency(service, hpo, args.latency_sample),
        "latency_text": _latency(service, text, args.latency_sample),
    }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
