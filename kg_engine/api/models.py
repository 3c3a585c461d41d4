"""Request and response models of the HTTP API (the responses carry the CLI's ``--json`` records)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

MAX_TEXT = 100_000  # characters of clinical text one request may carry


class Strict(BaseModel):
    """Unknown fields are refused (a typo is a 422, not a silent default)."""

    model_config = ConfigDict(extra="forbid")


class Open(BaseModel):
    """A record whose fields follow the engine's answer (the CLI's ``--json``)."""

    model_config = ConfigDict(extra="allow")


class QueryRequest(Strict):
    """Parameterised Cypher; values go in ``params``, never in the text."""

    cypher: str = Field(min_length=1, max_length=20_000)
    params: dict[str, Any] = Field(default_factory=dict)
    write: bool = Field(False, description="Admins only: let the statement write (readers always read-only).")


class QueryResponse(BaseModel):
    """The rows ``kg query --format json`` prints, with their column order."""

    columns: list[str]
    rows: list[dict[str, Any]]
    truncated: bool = False


class AskRequest(Strict):
    """A question in plain English."""

    question: str = Field(min_length=1, max_length=2_000)


class AskResponse(Open):
    """The record ``kg ask --json`` prints: kind, the Cypher that ran and its parameters, answers or a reason."""

    question: str
    kind: str
    cypher: str
    params: dict[str, Any]
    answers: list[dict[str, Any]]
    abstained: bool


class LinkRequest(Strict):
    """A name, synonym or symbol to ground."""

    text: str = Field(min_length=1, max_length=500)
    limit: int = Field(10, ge=1, le=100)


class PathsRequest(Strict):
    """Two nodes whose connecting edges (one or two hops) are the evidence behind an answer."""

    source: str = Field(min_length=1, max_length=200, description="CURIE, e.g. DOID:9352")
    target: str = Field(min_length=1, max_length=200, description="CURIE, e.g. DRUGBANK:DB00331")
    max_paths: int = Field(15, ge=1, le=100)


class EvidenceGraph(BaseModel):
    """Nodes and edges to draw, each edge with its sources and evidence snippets."""

    nodes: list[dict[str, Any]]
    edges: list[dict[str, Any]]


class DiagnoseRequest(Strict):
    """A patient: free text, or observed / excluded HPO ids, or a GA4GH phenopacket (v2 JSON)."""

    text: str | None = Field(None, max_length=MAX_TEXT)
    hpo: list[str] = Field(default_factory=list, max_length=500)
    excluded: list[str] = Field(default_factory=list, max_length=500)
    phenopacket: dict[str, Any] | None = None
    top: int = Field(10, ge=1, le=200)
    ranker: str = Field("fusion", max_length=50, description="fusion (LR when no checkpoint) | likelihood_ratio | ...")

    @model_validator(mode="after")
    def _one_input(self) -> DiagnoseRequest:
        given = [bool(self.text and self.text.strip()), bool(self.hpo or self.excluded), self.phenopacket is not None]
        if sum(given) != 1:
            raise ValueError("give exactly one of: text, hpo (with excluded), phenopacket")
        return self


class DiagnoseResponse(Open):
    """The record ``kg diagnose --json`` prints."""

    diagnoses: list[dict[str, Any]]


class PredictRequest(Strict):
    """Rank candidates with the newest GNN checkpoint of a task."""

    task: str = Field(max_length=50, description="treats | binds | associates | ...")
    disease: str | None = Field(None, max_length=200)
    compound: str | None = Field(None, max_length=200)
    top: int = Field(20, ge=1, le=500)
    known: bool = Field(False, description="Also list partners the graph already links (marked known).")

    @model_validator(mode="after")
    def _one_anchor(self) -> PredictRequest:
        if (self.disease is None) == (self.compound is None):
            raise ValueError("give disease or compound (one of them)")
        return self


class TreatRequest(Strict):
    """Treatment options for a disease (name or CURIE)."""

    disease: str = Field(min_length=1, max_length=200)
    current_drugs: list[str] = Field(default_factory=list, max_length=50)
    avoid_class: str | None = Field(None, max_length=200)
    top: int = Field(20, ge=1, le=200)


class InteractionsRequest(Strict):
    """Drugs (names or CURIEs) to check pairwise."""

    drugs: list[str] = Field(min_length=2, max_length=50)


class RiskRequest(Strict):
    """A gene set (symbols or CURIEs) to rank associated diseases for."""

    genes: list[str] = Field(min_length=1, max_length=1_000)
    top: int = Field(20, ge=1, le=500)


class EvidenceRequest(Strict):
    """Free text naming entities, e.g. ``doxorubicin cardiotoxicity``."""

    query: str = Field(min_length=1, max_length=2_000)
    top: int = Field(20, ge=1, le=200)


class LoadRequest(Strict):
    """A structured source to load into the server's store."""

    source: str = Field(max_length=50, description="hetionet | indications | hpo | interactions | sider | ...")


class Principal(BaseModel):
    """The caller."""

    name: str
    role: str
