"""Health, the caller's identity, the engine's capabilities and store statistics."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends

from kg_engine.api.auth import reader
from kg_engine.api.models import Principal
from kg_engine.api.routers.deps import service
from kg_engine.api.service import EngineService
from kg_engine.api.tokens import Principal as Caller

router = APIRouter(tags=["meta"])


@router.get("/health")
def health() -> dict[str, str]:
    """Liveness (no token needed)."""
    return {"status": "ok"}


@router.get("/whoami", response_model=Principal)
def whoami(caller: Annotated[Caller, Depends(reader)]) -> Principal:
    """The token's name and role."""
    return Principal(name=caller.name, role=caller.role)


@router.get("/capabilities")
def capabilities(_: Annotated[Caller, Depends(reader)],
                 svc: Annotated[EngineService, Depends(service)]) -> dict[str, Any]:
    """Which capabilities this server's engine has (the others answer 501 for now)."""
    return {"capabilities": svc.capabilities(), "backend": svc.engine.settings.backend,
            "read_only": bool(getattr(svc.engine.store, "read_only", False)), "load_sources": svc.sources()}


@router.get("/stats")
def stats(_: Annotated[Caller, Depends(reader)], svc: Annotated[EngineService, Depends(service)]) -> dict[str, Any]:
    """Node counts per category and edge counts per edge type (``kg stats --json``)."""
    result = svc.call("stats")
    edges = {"|".join(k): v for k, v in result.edges.items()}
    return {"nodes": result.nodes, "edges": edges, "node_total": result.node_total, "edge_total": result.edge_total}
