"""Fixtures for batch jobs: subsets of the BC5CDR dev abstracts, note files, a comparable picture of a graph."""

from __future__ import annotations

import json
import signal
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from cypher.identifiers import quote_identifier as q


@pytest.fixture
def dev_subset(shared_data: Path, tmp_path: Path) -> Callable[..., Path]:
    """Write the first ``n`` BC5CDR dev abstracts (PubTator) to a file; ``garble`` cuts the title line of some."""

    def make(n: int, garble: tuple[int, ...] = (), name: str = "dev.txt") -> Path:
        blocks = (shared_data / "bc5cdr" / "CDR_DevelopmentSet.PubTator.txt").read_text().split("\n\n")[:n]
        for i in garble:
            lines = blocks[i].splitlines()
            blocks[i] = "\n".join([lines[0], *lines[2:]])  # title without its abstract line
        path = tmp_path / name
        path.write_text("\n\n".join(blocks) + "\n")
        return path

    return make


def snapshot(store) -> dict[str, object]:  # type: ignore[no-untyped-def]
    """Node and edge counts, every node, every edge with its number of evidence records, and every record."""
    stats = store.stats()
    nodes: set[tuple[str, str, str]] = set()
    for category in stats.nodes:
        rows = store.query(f"MATCH (n:{q(category)}) RETURN n.curie AS curie, n.name AS name")
        nodes.update((category, c, n) for c, n in zip(rows["curie"], rows["name"], strict=True))
    edges: dict[tuple[str, str, str], int] = {}
    evidence: set[str] = set()
    for (subject, predicate, obj), _ in stats.edges.items():
        rows = store.query(f"MATCH (a:{q(subject)})-[r:{q(predicate)}]->(b:{q(obj)}) "
                           "RETURN a.curie AS s, b.curie AS o, r.evidence AS evidence")
        for s, o, ev in zip(rows["s"], rows["o"], rows["evidence"], strict=True):
            records = json.loads(ev) if ev else []
            edges[(s, predicate, o)] = len(records)
            evidence.update(f"{s}|{predicate}|{o}|{json.dumps(r, sort_keys=True)}" for r in records)
    return {"nodes": stats.nodes, "edges_by_type": stats.edges, "node_set": nodes, "edge_support": edges,
            "evidence": evidence, "evidence_count": sum(edges.values())}


@pytest.fixture
def graph_snapshot() -> Callable[..., dict[str, object]]:
    """``snapshot(store)``: what two runs must agree on to have built the same graph."""
    return snapshot


@pytest.fixture
def note_sources(negex_notes, tmp_path: Path):  # type: ignore[no-untyped-def]
    """A JSONL file (a note, a broken line, a note whose id the CSV repeats) and a CSV of NegEx reports.

    ``make(reports)`` returns the two paths and every note text that goes in.
    """

    def make(reports: int) -> tuple[list[Path], list[str]]:
        first = tmp_path / "first.jsonl"
        denies, repeated = "Patient denies chest pain.", "No fever today."
        lines = [{"id": "pt-denies-001", "text": denies}, {"id": "rpt-0003-negex", "text": repeated}]
        first.write_text(f'{json.dumps(lines[0])}\n{{"id": "x", "text": "Cough\n{json.dumps(lines[1])}\n')
        texts = negex_notes(tmp_path / "reports.csv", reports)
        return [first, tmp_path / "reports.csv"], [denies, repeated, "Cough", *texts.values()]

    return make


class FailsOn:
    """The pipeline, except that any batch holding document ``doc_id`` raises."""

    def __init__(self, nlp, doc_id: str) -> None:  # type: ignore[no-untyped-def]
        self.nlp, self.doc_id = nlp, doc_id

    def pipe(self, items, **kwargs):  # type: ignore[no-untyped-def]
        items = list(items)
        if any(context.id == self.doc_id for _, context in items):
            raise ValueError(f"tokenizer exploded on {items[0][0][:20]!r}")
        return self.nlp.pipe(items, **kwargs)

    def __getattr__(self, name: str):  # type: ignore[no-untyped-def]
        return getattr(self.nlp, name)


@pytest.fixture
def fails_on() -> type[FailsOn]:
    """``FailsOn(nlp, doc_id)``: a pipeline that fails on one document (its error message quotes the text)."""
    return FailsOn


def kill_then_resume(cmd: list[str], env: dict[str, str], folder: Path, log: Path, commits: int = 3,
                     timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """Run a job command, SIGKILL it after ``commits`` commits to its checkpoint ``folder``, then resume it.

    Checks that the killed run is left "running" and that a re-run without ``--resume`` exits 3 and names
    the option; returns the resumed run (its output is checked by the caller).
    """
    with log.open("w") as fh:
        first = subprocess.Popen(cmd, stdout=fh, stderr=subprocess.STDOUT, env=env)
    commit_log, deadline = folder / "commits.jsonl", time.monotonic() + timeout
    while not (commit_log.is_file() and len(commit_log.read_text().splitlines()) >= commits):
        assert first.poll() is None and time.monotonic() < deadline, f"no {commits} commits before the job ended"
        time.sleep(0.05)
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=30)
    assert json.loads((folder / "job.json").read_text())["status"] == "running"
    refused = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=120, check=False)
    assert refused.returncode == 3 and "--resume" in refused.stderr
    return subprocess.run([*cmd, "--resume"], capture_output=True, text=True, env=env, timeout=600, check=False)


@pytest.fixture
def killed_and_resumed() -> Callable[..., subprocess.CompletedProcess[str]]:
    """``kill_then_resume(cmd, env, folder, log, commits=3)``."""
    return kill_then_resume
