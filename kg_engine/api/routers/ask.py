"""``POST /api/ask`` (natural-language questions) and ``POST /api/link`` (names to CURIEs)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends

from kg_engine.api.auth import reader
from kg_engine.api.models import AskRequest, AskResponse, LinkRequest
from kg_engine.api.routers.deps import service
from kg_engine.api.service import EngineService, jsonable
from kg_engine.api.tokens import Principal

router = APIRouter(tags=["ask"])


@router.post("/ask", response_model=AskResponse)
def ask(body: AskRequest, _: Annotated[Principal, Depends(reader)],
        svc: Annotated[EngineService, Depends(service)]) -> dict[str, Any]:
    """Answer a question read-only; the record shows the Cypher that ran, or why it abstained (``kg ask --json``)."""
    return jsonable(svc.call("ask", body.question))


@router.post("/link")
def link(body: LinkRequest, _: Annotated[Principal, Depends(reader)],
         svc: Annotated[EngineService, Depends(service)]) -> list[dict[str, Any]]:
    """The graph's entities a name may stand for (``kg find --json``)."""
    return jsonable(svc.call("link", body.text, body.limit))
