"""``POST /api/query``: parameterised Cypher (hybrid ``nl()`` included), read-only unless an admin asks to write."""

from __future__ import annotations

import json
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request

from cypher.readonly import read_only_refusal
from kg_engine.api.auth import reader
from kg_engine.api.models import EvidenceGraph, PathsRequest, QueryRequest, QueryResponse
from kg_engine.api.paths import evidence_paths
from kg_engine.api.routers.deps import service
from kg_engine.api.service import EngineService
from kg_engine.api.settings import ApiSettings
from kg_engine.api.tokens import Principal

router = APIRouter(tags=["query"])


@router.post("/query", response_model=QueryResponse)
def query(body: QueryRequest, request: Request, caller: Annotated[Principal, Depends(reader)],
          svc: Annotated[EngineService, Depends(service)]) -> QueryResponse:
    """Run Cypher; readers (and admins without ``write``) are refused any write with 403."""
    if body.write and caller.role != "admin":
        raise HTTPException(403, f"writes need the admin role; token {caller.name!r} is a {caller.role}")
    cypher, params = body.cypher, dict(body.params)
    limits: ApiSettings = request.app.state.settings
    with svc.lock:
        if body.write:  # an admin's write goes through Engine.query as it is
            frame = svc.call("query", cypher, params)
        else:
            if _hybrid(cypher):  # nl("...") / kg.link("...") become parameters first, then the guard reads it
                cypher, params = svc.guarded(lambda: svc.engine.asker().expand(cypher, params))
            if refusal := read_only_refusal(cypher, svc.engine.settings.backend):
                raise HTTPException(403, f"read-only: {refusal}")
            frame = svc.guarded(svc.engine.store.query, cypher, params, timeout_s=limits.query_timeout_s,
                                max_rows=limits.max_rows + 1)  # per-statement timeout and row cap
    truncated = len(frame) > limits.max_rows
    frame = frame.head(limits.max_rows)
    rows = json.loads(frame.to_json(orient="records", default_handler=str))  # what kg query --format json prints
    return QueryResponse(columns=[str(c) for c in frame.columns], rows=rows, truncated=truncated)


def _hybrid(cypher: str) -> bool:
    if "nl(" not in cypher and "kg.link(" not in cypher:
        return False
    from kg_engine.query.ask import has_hybrid

    return has_hybrid(cypher)


@router.post("/evidence/paths", response_model=EvidenceGraph)
def paths(body: PathsRequest, _: Annotated[Principal, Depends(reader)],
          svc: Annotated[EngineService, Depends(service)]) -> EvidenceGraph:
    """The one- and two-hop paths joining two nodes, with each edge's sources and evidence."""
    graph = evidence_paths(svc, svc.engine.settings.backend, body.source, body.target, body.max_paths)
    return EvidenceGraph(**graph)
