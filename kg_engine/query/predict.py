"""Predicted answers for ``predict`` plans ("what could treat X", "new targets of Y"): the GNN ranker.

:class:`GnnRanker` is the :data:`kg_engine.query.ask.Ranker` the asker calls for a plan of kind ``predict``. It
reads the plan's anchor and answer categories, picks the link-prediction task that joins them (compound–disease:
``treats``; compound–gene: ``binds``; disease–gene: ``associates``), scores every candidate with the newest
checkpoint of that task, and returns answers with ``score`` (the model's logit), ``known`` (an edge the graph
already holds), the metapaths that support each prediction with their contributions to the logit, and literature
evidence (co-occurrence edges and co-mentioning publications) where the store has it.

The fusion model (``kg_engine.fusion``) can replace it behind the same interface: a callable ``(plan, parse) ->
answers``; the GNN answers are then its candidate generator.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from cypher.nl_build import Parse
from cypher.plan import Anchor, Plan, Traverse
from kg_engine.errors import KgError, QueryError

TASK_OF: dict[frozenset[str], str] = {
    frozenset({"Compound", "Disease"}): "treats",
    frozenset({"Compound", "Gene"}): "binds",
    frozenset({"Disease", "Gene"}): "associates",
}
MAX_PATHS = 3
MAX_EVIDENCE = 3


def task_of(plan: Plan) -> tuple[str, Anchor]:
    """The GNN task a predict plan asks for and its anchor; a :class:`QueryError` when none fits."""
    node = plan.select
    if not (isinstance(node, Traverse) and isinstance(node.source, Anchor)):
        raise QueryError("predicted answers cover one-hop questions about one entity")
    task = TASK_OF.get(frozenset({node.source.category, plan.category}))
    if task is None:
        raise QueryError(f"no ranker predicts {plan.category} for a {node.source.category}; predicted answers "
                         "cover drugs for diseases, drug targets and disease genes")
    return task, node.source


class GnnRanker:
    """Ranks candidates for predict plans with the newest GNN checkpoints under ``home`` (loaded once each).

    Args:
        store: the graph store (read for the graph, names and literature evidence).
        home: the engine home whose ``models/`` holds the checkpoints.
    """

    def __init__(self, store: Any, home: Path) -> None:
        self.store = store
        self.home = home
        self._graph: Any = None
        self._models: dict[str, tuple[Any, Any]] = {}

    def __call__(self, plan: Plan, parsed: Parse) -> list[dict[str, Any]]:
        """Answers for ``plan``: the top predictions (not yet in the graph), then the known partners, marked."""
        task, anchor = task_of(plan)
        ckpt, z = self._model(task)
        src = ckpt.target[0]
        graph = self._graph
        curie = anchor.curies[0]
        on_src = anchor.category == src
        index = {c: i for i, c in enumerate(graph[anchor.category].curie)}
        if curie not in index:
            raise QueryError(f"{curie} is not a {anchor.category} of the graph the ranker was trained on")
        import torch

        row = torch.tensor([index[curie]])
        with torch.no_grad():
            scores = (ckpt.model.score_block(z, ckpt.target, src=row)[0] if on_src
                      else ckpt.model.score_block(z, ckpt.target, dst=row)[:, 0]).float()
        edges = graph[ckpt.target].edge_index
        known = set((edges[1][edges[0] == row] if on_src else edges[0][edges[1] == row]).tolist())
        order = torch.argsort(scores, descending=True).tolist()
        k = plan.limit or 10
        novel = [i for i in order if i not in known][:k]
        kept = [i for i in order if i in known][:k]
        other = plan.category
        names = self._names(other, [graph[other].curie[i] for i in novel + kept])
        answers = []
        for n, i in enumerate(novel + kept):
            pair = (row.item(), i) if on_src else (i, row.item())
            cand = graph[other].curie[i]
            answer: dict[str, Any] = {"curie": cand, "name": names[n], "score": round(float(scores[i]), 4),
                                      "known": i in known, "rank": order.index(i) + 1}
            answer["metapaths"] = self._paths(ckpt.model, pair)
            answer["evidence"] = self._evidence(*(curie, cand) if on_src else (cand, curie))
            answers.append(answer)
        return answers

    def _model(self, task: str) -> tuple[Any, Any]:
        if task not in self._models:
            from kg_engine.gnn import checkpoint
            from kg_engine.gnn.data import TASKS

            if self._graph is None:
                self._graph = self.store.to_pyg(split_qualifiers=True)
            try:
                path = checkpoint.latest(self.home, task)
            except checkpoint.CheckpointError:
                raise QueryError(f"no ranker is installed for predicted {TASKS[task][1]} answers; train one with "
                                 f"`kg train gnn --task {task}`") from None
            try:
                ckpt = checkpoint.load(path, self._graph)
            except KgError as exc:
                raise QueryError(f"the {task} ranker cannot run on this graph ({exc})") from None
            self._models[task] = (ckpt, checkpoint.embed(ckpt.model, self._graph))
        return self._models[task]

    @staticmethod
    def _paths(model: Any, pair: tuple[int, int]) -> list[dict[str, Any]]:
        """The metapaths adding most to a pair's logit (weight x DWPC), positive ones only."""
        if not model.paths:
            return []
        import torch

        from kg_engine.gnn.paths import describe

        feats = model.pair_paths(torch.tensor([pair[0]]), torch.tensor([pair[1]]))[0]
        contrib = (feats * model.path_weight).detach()
        best = torch.argsort(contrib, descending=True)[:MAX_PATHS].tolist()
        return [{"metapath": describe(model.paths[j]), "contribution": round(float(contrib[j]), 4)}
                for j in best if contrib[j] > 0]

    def _names(self, category: str, curies: list[str]) -> list[str]:
        if not curies:
            return []
        frame = self.store.query(f"MATCH (n:`{category}`) WHERE n.curie IN $c RETURN n.curie AS curie, "
                                 "n.name AS name", {"c": curies})
        found = dict(zip(frame["curie"], frame["name"], strict=True))
        return [str(found.get(c) or c) for c in curies]

    def _evidence(self, subject: str, obj: str) -> list[dict[str, Any]]:
        """Literature behind a pair: co-occurrence edges' snippets, else publications that mention both."""
        out: list[dict[str, Any]] = []
        try:
            frame = self.store.query("MATCH (a {curie: $s})-[r:occurs_together_in_literature_with]-(b {curie: $o}) "
                                     "RETURN r.evidence AS evidence LIMIT 5", {"s": subject, "o": obj})
            for raw in frame.get("evidence", []):
                for item in (json.loads(raw) if isinstance(raw, str) else raw or [])[:MAX_EVIDENCE]:
                    out.append({"doc_id": item.get("doc_id"), "snippet": item.get("snippet"),
                                "source": item.get("source")})
            if not out:
                frame = self.store.query("MATCH (p:Publication)-[:mentions]->(a {curie: $s}), "
                                         "(p)-[:mentions]->(b {curie: $o}) RETURN p.curie AS doc, p.name AS title "
                                         "LIMIT 3", {"s": subject, "o": obj})
                out = [{"doc_id": d, "snippet": t, "source": "co-mention"}
                       for d, t in zip(frame.get("doc", []), frame.get("title", []), strict=True)]
        except QueryError:  # a store without literature tables
            return []
        return out[:MAX_EVIDENCE]
