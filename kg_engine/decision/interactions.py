"""``kg interactions``: every pair of a list of drugs checked against the graph.

Per pair: the known interaction (``interacts_with``, with its source), the targets both drugs bind, the
pathways both reach through their targets, and — for pairs with no known interaction — the score of the
``interacts`` link predictor (``kg train gnn --task interacts``) where a checkpoint exists. Research output,
not clinical advice: an absent interaction is absence of a record, not evidence of safety.
"""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING, Any

from kg_engine.decision.common import DecisionInputError, Resolved, finish, flatten_sources, resolve
from kg_engine.errors import KgError

if TYPE_CHECKING:
    from kg_engine.engine import Engine

SHOWN = 15


def check_interactions(kg: Engine, drugs: list[str]) -> dict[str, Any]:
    """The answer of ``kg interactions`` as a JSON-ready dict."""
    if len(drugs) < 2:
        raise DecisionInputError("give at least two drugs (names or DrugBank CURIEs)")
    resolved = _unique([resolve(kg, d, "Compound", prefer=lambda cs: _ddi_counts(kg, cs)) for d in drugs])
    if len(resolved) < 2:
        raise DecisionInputError("the drugs given name fewer than two distinct compounds")
    curies = [d.curie for d in resolved]
    known = _known(kg, curies)
    targets = _targets(kg, curies)
    pathways = _pathways(kg, curies)
    notes: list[str] = []
    sources: set[str] = set()
    if any(targets.values()):
        sources.add("hetionet-v1.0")
    pairs = list(itertools.combinations(resolved, 2))
    unknown = [(a.curie, b.curie) for a, b in pairs if _key(a.curie, b.curie) not in known]
    predicted = _predicted(kg, unknown, notes)
    out = []
    for a, b in pairs:
        record = known.get(_key(a.curie, b.curie))
        shared_t = sorted(set(targets.get(a.curie, {})) & set(targets.get(b.curie, {})))
        shared_p = sorted(set(pathways.get(a.curie, {})) & set(pathways.get(b.curie, {})))
        if record:
            sources |= set(record)
        out.append({
            "drugs": [a.as_dict(), b.as_dict()],
            "known_interaction": bool(record),
            "interaction_sources": sorted(record or []),
            "shared_targets": [{"curie": g, "name": targets[a.curie][g]} for g in shared_t],
            "shared_pathway_count": len(shared_p),
            "shared_pathways": [{"curie": p, "name": pathways[a.curie][p]} for p in shared_p[:SHOWN]],
            "predicted": predicted.get((a.curie, b.curie)) if not record else None,
        })
    body = {"drugs": [d.as_dict() for d in resolved], "pairs": out}
    if not any(p["known_interaction"] for p in out):
        notes.append("no known interaction among these drugs in the loaded sources; absence of a record is not "
                     "evidence of safety")
    return finish(kg, "interactions", body, sources, notes)


def _unique(items: list[Resolved]) -> list[Resolved]:
    seen: dict[str, Resolved] = {}
    for item in items:
        seen.setdefault(item.curie, item)
    return list(seen.values())


def _key(a: str, b: str) -> tuple[str, str]:
    return (a, b) if a < b else (b, a)


def _ddi_counts(kg: Engine, curies: list[str]) -> dict[str, int]:
    try:
        rows = kg.query("MATCH (c:Compound)-[r]-() WHERE c.curie IN $cs RETURN c.curie AS curie, count(r) AS n",
                        {"cs": curies})
    except KgError:
        return {}
    return dict(zip(rows["curie"], rows["n"].astype(int), strict=True))


def _known(kg: Engine, curies: list[str]) -> dict[tuple[str, str], list[str]]:
    try:
        rows = kg.query("MATCH (a:Compound)-[r:interacts_with]->(b:Compound) WHERE a.curie IN $cs AND b.curie IN $cs "
                        "RETURN a.curie AS a, b.curie AS b, r.sources AS sources", {"cs": curies})
    except KgError:  # no interaction table yet
        return {}
    return {_key(a, b): sorted(flatten_sources([s])) for a, b, s in zip(rows["a"], rows["b"], rows["sources"],
                                                                       strict=True)}


def _targets(kg: Engine, curies: list[str]) -> dict[str, dict[str, str]]:
    rows = kg.query("MATCH (c:Compound)-[:directly_physically_interacts_with]->(g:Gene) WHERE c.curie IN $cs "
                    "RETURN c.curie AS c, g.curie AS g, g.name AS name", {"cs": curies})
    out: dict[str, dict[str, str]] = {}
    for c, g, name in zip(rows["c"], rows["g"], rows["name"], strict=True):
        out.setdefault(c, {})[g] = name
    return out


def _pathways(kg: Engine, curies: list[str]) -> dict[str, dict[str, str]]:
    rows = kg.query("MATCH (c:Compound)-[:directly_physically_interacts_with]->(:Gene)-[:participates_in]->"
                    "(p:Pathway) WHERE c.curie IN $cs RETURN DISTINCT c.curie AS c, p.curie AS p, p.name AS name",
                    {"cs": curies})
    out: dict[str, dict[str, str]] = {}
    for c, p, name in zip(rows["c"], rows["p"], rows["name"], strict=True):
        out.setdefault(c, {})[p] = name
    return out


def _predicted(kg: Engine, pairs: list[tuple[str, str]], notes: list[str]) -> dict[tuple[str, str], dict[str, Any]]:
    """Link-predictor scores of unknown pairs; a note instead when no ``interacts`` checkpoint can be used."""
    if not pairs:
        return {}
    try:
        from kg_engine.gnn import checkpoint
        from kg_engine.gnn.interacts import TASK, pair_scores

        checkpoint.latest(kg.settings.home, TASK)  # fails fast, before the graph is read
        graph = kg.store.to_pyg(split_qualifiers=True)
        scores = pair_scores(kg.settings.home, graph, pairs)
    except (KgError, FileNotFoundError, RuntimeError, KeyError, ValueError) as exc:
        first = (str(exc).splitlines() or [type(exc).__name__])[0][:160]
        notes.append(f"no predicted interaction scores: {first} (train with `kg train gnn --task interacts`)")
        return {}
    notes.append("predicted scores come from the interacts link predictor (GNN) trained on the loaded interaction "
                 "graph: a hypothesis, not a documented interaction")
    return {pair: {**score, "model": "gnn-interacts"} for pair, score in scores.items()}
