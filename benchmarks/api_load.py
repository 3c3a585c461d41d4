"""Load test of ``kg serve``: N concurrent clients on ask and diagnose for a fixed time; prints JSON.

Starts ``kg serve --read-only --rate-limit 0`` on a free loopback port over ``--home`` (tokens go to a
temporary ``KG_API_HOME``, so the home is only read), or targets ``--url`` with ``--token``. Each client
alternates an ask and a diagnose request, each drawn from a fixed list, until the time is up. Reports, per
endpoint: requests, requests/s, p50, p95, p99, max (ms) and errors (non-2xx or transport failures, by
status), plus the machine's load average before and after.

    python benchmarks/api_load.py --home /tmp/kg-diag --clients 50 --seconds 60
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import Counter
from pathlib import Path
from typing import Any

import httpx

QUESTIONS = ["which medicines are used to treat type 2 diabetes?", "How many genes does imatinib bind?",
             "Does metformin treat type 2 diabetes?", "which drugs treat asthma?", "what diseases does aspirin treat?",
             "which genes does imatinib bind?", "which compounds palliate hypertension?"]
CASES = [{"hpo": ["HP:0001250", "HP:0001263"], "excluded": ["HP:0001945"]},
         {"hpo": ["HP:0001166", "HP:0001519", "HP:0001083"]},
         {"hpo": ["HP:0000365", "HP:0000505"]},
         {"text": "Seizures and global developmental delay since infancy; no fever."},
         {"hpo": ["HP:0002664", "HP:0001903", "HP:0000952"]}]
KG = [sys.executable, "-c", "from kg_engine.cli import app; app()"]


def _percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 2)


async def _client(k: int, base: str, token: str, deadline: float, stats: dict[str, dict[str, Any]]) -> None:
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=base, headers=headers, timeout=120) as http:
        i = k
        while time.monotonic() < deadline:
            for endpoint, body in (("ask", {"question": QUESTIONS[i % len(QUESTIONS)]}),
                                   ("diagnose", {**CASES[i % len(CASES)], "top": 10})):
                if time.monotonic() >= deadline:
                    break
                started = time.perf_counter()
                try:
                    response = await http.post(f"/api/{endpoint}", json=body)
                    status = str(response.status_code)
                except httpx.HTTPError as exc:
                    status = type(exc).__name__
                elapsed = (time.perf_counter() - started) * 1000
                entry = stats[endpoint]
                entry["latencies"].append(elapsed)
                if not status.startswith("2"):
                    entry["errors"][status] += 1
            i += 1


async def run(base: str, token: str, clients: int, seconds: float) -> dict[str, Any]:
    """Drive ``clients`` concurrent clients for ``seconds``; the report as a dict."""
    stats = {name: {"latencies": [], "errors": Counter()} for name in ("ask", "diagnose")}
    started = time.monotonic()
    await asyncio.gather(*(_client(k, base, token, started + seconds, stats) for k in range(clients)))
    wall = time.monotonic() - started
    report = {}
    for name, entry in stats.items():
        lat = entry["latencies"]
        report[name] = {"requests": len(lat), "requests_per_s": round(len(lat) / wall, 2),
                        "p50_ms": _percentile(lat, 0.50), "p95_ms": _percentile(lat, 0.95),
                        "p99_ms": _percentile(lat, 0.99), "max_ms": round(max(lat), 2) if lat else None,
                        "errors": sum(entry["errors"].values()), "errors_by_status": dict(entry["errors"])}
    total = sum(r["requests"] for r in report.values())
    return {"clients": clients, "seconds": round(wall, 1), "requests": total,
            "requests_per_s": round(total / wall, 2), "errors": sum(r["errors"] for r in report.values()),
            "endpoints": report}


def _serve(home: Path, data_dir: str | None) -> tuple[subprocess.Popen[bytes], str, str]:
    secrets = Path(tempfile.mkdtemp(prefix="kg-api-load-"))
    env = {**os.environ, "KG_HOME": str(home), "KG_API_HOME": str(secrets)}
    if data_dir:
        env["KG_DATA_DIR"] = data_dir
    made = subprocess.run([*KG, "token", "create", "--role", "reader", "--name", "load-test"], env=env,
                          capture_output=True, text=True, check=True)
    token = made.stdout.strip().splitlines()[-1]
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([*KG, "serve", "--read-only", "--rate-limit", "0", "--no-page", "--port", str(port)],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{base}/api/health", timeout=2):
                return proc, base, token
        except OSError:
            if proc.poll() is not None:
                break
            time.sleep(0.3)
    proc.kill()
    raise SystemExit("kg serve did not start")


def _warm(base: str, token: str) -> dict[str, int]:
    """One request per endpoint first: start-up (grounding index, phenotype knowledge) is not measured.

    A home's first ask builds its grounding index (minutes on the full graph; cached under the home after).
    """
    statuses = {}
    with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=1800) as http:
        statuses["ask"] = http.post("/api/ask", json={"question": QUESTIONS[0]}).status_code
        statuses["diagnose"] = http.post("/api/diagnose", json={**CASES[0], "top": 10}).status_code
        statuses["diagnose_text"] = http.post("/api/diagnose", json={**CASES[3], "top": 10}).status_code
    return statuses


def main() -> None:
    """Parse arguments, run, print the JSON report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", type=Path, help="KG_HOME to serve (read-only); default $KG_HOME")
    parser.add_argument("--data-dir", help="KG_DATA_DIR for the server")
    parser.add_argument("--url", help="target a running server instead (needs --token)")
    parser.add_argument("--token", help="reader token for --url")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    args = parser.parse_args()
    proc = None
    if args.url:
        if not args.token:
            parser.error("--url needs --token")
        base, token = args.url.rstrip("/"), args.token
    else:
        home = args.home or Path(os.environ.get("KG_HOME", Path.home() / ".kg-engine"))
        proc, base, token = _serve(home, args.data_dir)
    try:
        warm = _warm(base, token)
        load_before = os.getloadavg()
        report = asyncio.run(run(base, token, args.clients, args.seconds))
        load_after = os.getloadavg()
    finally:
        if proc is not None:
            proc.terminate()
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:  # a request still running (a cold start) holds it
                proc.kill()
                proc.wait()
    report.update(warm_up_status=warm, cpus=os.cpu_count(), loadavg_before=[round(x, 2) for x in load_before],
                  loadavg_after=[round(x, 2) for x in load_after])
    print(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
