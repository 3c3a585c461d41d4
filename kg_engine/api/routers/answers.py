"""Predictions and clinical answers: predict, treat, interactions, risk, evidence.

Each route is a thin call of the ``Engine`` method of the same name and returns its record (the CLI's
``--json``); until the engine has the method, the route answers 501 and says so.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends

from kg_engine.api.auth import reader
from kg_engine.api.models import EvidenceRequest, InteractionsRequest, PredictRequest, RiskRequest, TreatRequest
from kg_engine.api.routers.deps import service
from kg_engine.api.service import EngineService, jsonable
from kg_engine.api.tokens import Principal

router = APIRouter(tags=["answers"])
Reader = Annotated[Principal, Depends(reader)]
Service = Annotated[EngineService, Depends(service)]


def _records(value: Any) -> Any:
    """DataFrames become lists of records; everything else as the engine gave it."""
    if hasattr(value, "to_dict") and hasattr(value, "columns"):
        return value.astype(object).where(value.notna(), None).to_dict("records")
    return value


@router.post("/predict")
def predict(body: PredictRequest, _: Reader, svc: Service) -> Any:
    """Rank candidates with the newest GNN checkpoint of a task; known edges are marked."""
    return jsonable(_records(svc.call("predict", body.task, disease=body.disease, compound=body.compound,
                                      top=body.top, known=body.known)))


@router.post("/treat")
def treat(body: TreatRequest, _: Reader, svc: Service) -> Any:
    """Treatment options for a disease, with side effects, interactions and warnings."""
    return jsonable(_records(svc.call("treat", body.disease, current_drugs=body.current_drugs,
                                      avoid_class=body.avoid_class, top=body.top)))


@router.post("/interactions")
def interactions(body: InteractionsRequest, _: Reader, svc: Service) -> Any:
    """Known and predicted interactions for every pair of the drugs."""
    return jsonable(_records(svc.call("interactions", body.drugs)))


@router.post("/risk")
def risk(body: RiskRequest, _: Reader, svc: Service) -> Any:
    """Diseases associated with a gene set, by enrichment (association, not a personal risk)."""
    return jsonable(_records(svc.call("risk", body.genes, top=body.top)))


@router.post("/evidence")
def evidence(body: EvidenceRequest, _: Reader, svc: Service) -> Any:
    """Sentences and relations the store holds for the entities a text names, ranked by relevance."""
    return jsonable(_records(svc.call("evidence", body.query, top=body.top)))
