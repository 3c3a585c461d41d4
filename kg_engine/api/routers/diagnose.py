"""``POST /api/diagnose``: ranked diseases with matched, excluded and unexplained findings.

The request may carry clinical text; it is handed to the engine and never logged (the audit line keeps
only a keyed hash of the body).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends

from kg_engine.api.auth import reader
from kg_engine.api.models import DiagnoseRequest, DiagnoseResponse
from kg_engine.api.routers.deps import service
from kg_engine.api.service import EngineService, jsonable
from kg_engine.api.tokens import Principal

router = APIRouter(tags=["diagnosis"])


@router.post("/diagnose", response_model=DiagnoseResponse)
def diagnose(body: DiagnoseRequest, _: Annotated[Principal, Depends(reader)],
             svc: Annotated[EngineService, Depends(service)]) -> dict[str, Any]:
    """Rank diseases for a patient (research software, not clinical advice): ``kg diagnose --json``."""
    kwargs: dict[str, Any] = {"top": body.top, "ranker": body.ranker}
    if body.phenopacket is not None:
        kwargs["phenopacket"] = body.phenopacket
    elif body.text:
        kwargs["text"] = body.text
    else:
        kwargs.update(hpo=body.hpo, excluded=body.excluded)
    return jsonable(svc.call("diagnose", **kwargs))
