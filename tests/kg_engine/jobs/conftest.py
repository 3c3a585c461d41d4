"""Fixtures for batch jobs: subsets of the BC5CDR dev abstracts, and a comparable picture of a graph."""

from __future__ import annotations

import json
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
