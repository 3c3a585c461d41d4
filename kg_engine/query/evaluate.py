"""``kg eval ask``: scores of answer records against gold lines.

Answer-set F1 and exact match per question family, count and yes/no accuracy, abstention precision and
recall, and latency.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import Any


def set_f1(predicted: Iterable[str], gold: Iterable[str]) -> float:
    """F1 of two answer sets (1.0 when both are empty)."""
    p, g = set(predicted), set(gold)
    if not p and not g:
        return 1.0
    hits = len(p & g)
    if not hits:
        return 0.0
    precision, recall = hits / len(p), hits / len(g)
    return 2 * precision * recall / (precision + recall)


def score_one(gold: Mapping[str, Any], answer: Mapping[str, Any]) -> dict[str, Any]:
    """Per-question scores: ``answered`` and, by gold kind, ``f1``/``exact`` or ``correct``."""
    kind = gold["kind"]
    answered = not answer.get("abstained", False)
    row: dict[str, Any] = {"id": gold.get("id"), "family": gold.get("family", kind), "kind": kind,
                           "answered": answered}
    if kind == "list":
        f1 = set_f1((a["curie"] for a in answer.get("answers", [])), (a["curie"] for a in gold["answers"]))
        row.update(f1=f1 if answered else 0.0, exact=answered and f1 == 1.0)
    elif kind == "count":
        row["correct"] = answered and answer.get("count") == gold["count"]
    elif kind == "boolean":
        row["correct"] = answered and answer.get("boolean") == gold["boolean"]
    return row


def summarize(rows: list[dict[str, Any]], latencies_ms: list[float]) -> dict[str, Any]:
    """Aggregate per-question scores into the report ``kg eval ask`` prints."""
    families: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        families[row["family"]].append(row)
    lists = [r for r in rows if r["kind"] == "list"]
    counts = [r for r in rows if r["kind"] == "count"]
    booleans = [r for r in rows if r["kind"] == "boolean"]
    unanswerable = [r for r in rows if r["kind"] == "unanswerable"]
    answerable = [r for r in rows if r["kind"] != "unanswerable"]
    abstained = [r for r in rows if not r["answered"]]
    correct_abstentions = sum(1 for r in abstained if r["kind"] == "unanswerable")
    return {
        "questions": len(rows),
        "list_f1": _mean(r["f1"] for r in lists),
        "list_exact": _mean(float(r["exact"]) for r in lists),
        "count_accuracy": _mean(float(r["correct"]) for r in counts),
        "boolean_accuracy": _mean(float(r["correct"]) for r in booleans),
        "abstention_precision": correct_abstentions / len(abstained) if abstained else None,
        "abstention_recall": correct_abstentions / len(unanswerable) if unanswerable else None,
        "answered_rate": _mean(float(r["answered"]) for r in answerable),
        "latency_p50_ms": statistics.median(latencies_ms) if latencies_ms else None,
        "latency_p95_ms": sorted(latencies_ms)[int(0.95 * (len(latencies_ms) - 1))] if latencies_ms else None,
        "families": {name: _family(members) for name, members in sorted(families.items())},
    }


def _family(rows: list[dict[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {"n": len(rows), "answered": _mean(float(r["answered"]) for r in rows)}
    if rows[0]["kind"] == "list":
        out.update(f1=_mean(r["f1"] for r in rows), exact=_mean(float(r["exact"]) for r in rows))
    elif rows[0]["kind"] in ("count", "boolean"):
        out["accuracy"] = _mean(float(r["correct"]) for r in rows)
    return out


def _mean(values: Iterable[float]) -> float | None:
    items = list(values)
    return round(sum(items) / len(items), 4) if items else None
