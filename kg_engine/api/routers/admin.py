"""Admin-only: start loads into the server's store and follow them as jobs."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException

from kg_engine.api.auth import admin
from kg_engine.api.models import LoadRequest
from kg_engine.api.routers.deps import service
from kg_engine.api.service import EngineService
from kg_engine.api.tokens import Principal

router = APIRouter(prefix="/admin", tags=["admin"])
Admin = Annotated[Principal, Depends(admin)]
Service = Annotated[EngineService, Depends(service)]


@router.post("/load", status_code=202)
def load(body: LoadRequest, caller: Admin, svc: Service) -> dict[str, Any]:
    """Start loading a structured source (hetionet | indications | hpo) from the data directory."""
    return svc.start_load(body.source, caller.name).public()


@router.get("/jobs")
def jobs(_: Admin, svc: Service) -> list[dict[str, Any]]:
    """Every job this server ran, newest first."""
    return [j.public() for j in sorted(svc.jobs.values(), key=lambda j: j.created, reverse=True)]


@router.get("/jobs/{job_id}")
def job(job_id: str, _: Admin, svc: Service) -> dict[str, Any]:
    """One job's state, progress and result."""
    found = svc.jobs.get(job_id)
    if found is None:
        raise HTTPException(404, f"no job {job_id!r}")
    return found.public()
