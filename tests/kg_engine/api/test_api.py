"""The HTTP API through FastAPI's TestClient: auth, roles, revocation, audit, limits, errors, answers."""

from __future__ import annotations

import json
import os
import stat
import time
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from kg_engine.api.app import create_app
from kg_engine.api.settings import ApiSettings
from kg_engine.api.tokens import TokenStore

NOTE = ("Patient John Whitfield, seen 2024-03-15 (note id MRN-448812): recurrent seizures and global "
        "developmental delay; no fever.")


class _Client:
    """A TestClient with tokens of both roles."""

    def __init__(self, engine: Any, home: Path, **limits: Any) -> None:
        self.settings = ApiSettings.load(home, **limits)
        self.client = TestClient(create_app(engine, self.settings), raise_server_exceptions=False)
        self.tokens = TokenStore(self.settings.tokens_path)
        self.reader, _ = self.tokens.create("reader", "ana")
        self.admin, _ = self.tokens.create("admin", "ops")

    def post(self, path: str, token: str | None, body: Any = None, **kw: Any) -> Any:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return self.client.post(f"/api{path}", json=body, headers=headers, **kw)

    def get(self, path: str, token: str | None) -> Any:
        return self.client.get(f"/api{path}", headers={"Authorization": f"Bearer {token}"} if token else {})

    def audit(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self.settings.audit_file.read_text().splitlines()]


@pytest.fixture
def api(api_engine: Any, tmp_path: Path) -> _Client:
    return _Client(api_engine, tmp_path)


def test_no_token_is_401_wrong_role_403_and_revocation_is_immediate(api: _Client) -> None:
    assert api.post("/ask", None, {"question": "x"}).status_code == 401
    assert api.post("/ask", "kg_deadbeef_nope", {"question": "x"}).status_code == 401
    assert api.get("/whoami", api.reader).json() == {"name": "ana", "role": "reader"}
    refused = api.post("/admin/load", api.reader, {"source": "hetionet"})
    assert refused.status_code == 403 and "admin role" in refused.json()["error"]
    assert api.get("/admin/jobs", api.reader).status_code == 403
    assert api.get("/admin/jobs", api.admin).status_code == 200
    # a writable request from an admin still meets a read-only store: 409, not a load
    assert api.post("/admin/load", api.admin, {"source": "hetionet"}).status_code == 409
    TokenStore(api.settings.tokens_path).revoke("ana")  # another process's view of the file, as kg token revoke
    assert api.get("/whoami", api.reader).status_code == 401
    assert api.get("/whoami", api.admin).status_code == 200


def test_token_file_holds_hashes_only_with_private_modes(api: _Client) -> None:
    raw = api.settings.tokens_path.read_text()
    assert api.reader.split("_", 2)[2] not in raw and api.admin.split("_", 2)[2] not in raw
    assert stat.S_IMODE(os.stat(api.settings.tokens_path).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(api.settings.secrets_dir).st_mode) == 0o700
    assert {r.name for r in api.tokens.list()} == {"ana", "ops"}


def test_reader_cannot_write_through_query(api: _Client) -> None:
    for cypher in ("MATCH (d:Disease) DETACH DELETE d", "CREATE (:Disease {curie: 'X:1'})"):
        response = api.post("/query", api.reader, {"cypher": cypher})
        assert response.status_code == 403 and "read-only" in response.json()["error"]
    assert api.post("/query", api.reader, {"cypher": "MATCH (d:Disease) RETURN d", "write": True}).status_code == 403
    count = api.post("/query", api.reader, {"cypher": "MATCH (d:Disease) RETURN count(d) AS n"})
    assert count.status_code == 200 and count.json()["rows"][0]["n"] > 50


def test_ask_query_link_and_evidence_paths(api: _Client) -> None:
    record = api.post("/ask", api.reader, {"question": "which medicines are used to treat type 2 diabetes?"}).json()
    assert not record["abstained"] and "DRUGBANK:DB00331" in {a["curie"] for a in record["answers"]}
    rows = api.post("/query", api.reader, {"cypher": record["cypher"], "params": record["params"]}).json()["rows"]
    assert {r["curie"] for r in rows} == {a["curie"] for a in record["answers"]}  # the shown Cypher reruns as is
    hybrid = api.post("/query", api.reader, {
        "cypher": 'MATCH (c:Compound) WHERE c.curie IN nl("which drugs treat type 2 diabetes") RETURN c.curie AS c'})
    assert "DRUGBANK:DB00331" in {r["c"] for r in hybrid.json()["rows"]}
    abstains = api.post("/query", api.reader, {"cypher": 'MATCH (c:Compound) WHERE c.curie IN nl("what is love") '
                                                         'RETURN c.curie AS c'})
    assert abstains.status_code == 400 and "nl(" in abstains.json()["error"]
    assert api.post("/link", api.reader, {"text": "metformin"}).json()[0]["curie"] == "DRUGBANK:DB00331"
    graph = api.post("/evidence/paths", api.reader, {"source": "DOID:9352", "target": "DRUGBANK:DB00331"}).json()
    treats = [e for e in graph["edges"] if e["predicate"] == "treats"]
    assert treats and treats[0]["source"] == "DRUGBANK:DB00331" and treats[0]["sources"]
    assert {"DOID:9352", "DRUGBANK:DB00331"} <= {n["id"] for n in graph["nodes"]}


def test_audit_log_never_holds_clinical_text(api: _Client) -> None:
    response = api.post("/diagnose", api.reader, {"text": NOTE, "top": 3})
    if api.get("/capabilities", api.reader).json()["capabilities"]["diagnose"]:
        assert response.status_code == 200, response.text
        assert response.json()["diagnoses"] and "HP:0001250" in response.json()["observed"]  # seizures, read
    else:
        assert response.status_code == 501
    api.post("/diagnose", api.reader, {"text": NOTE, "hpo": ["HP:0001250"]})  # 422: two inputs
    lines = api.settings.audit_file.read_text()
    for secret in ("Whitfield", "John", "2024-03-15", "MRN-448812", "seizures", NOTE[:20]):
        assert secret not in lines
    entries = [e for e in api.audit() if e["endpoint"] == "/api/diagnose"]
    assert len({e["body_hmac"] for e in entries}) == 2  # distinct bodies, distinct keyed hashes
    assert [e["status"] for e in entries] == [response.status_code, 422]
    first = entries[0]
    assert set(first) == {"time", "token", "role", "method", "endpoint", "status", "duration_ms", "body_bytes",
                          "body_hmac"}
    assert first["token"] == "ana" and first["role"] == "reader" and len(first["body_hmac"]) == 64


def test_validation_errors_are_clear_4xx_without_traces(api: _Client) -> None:
    bad = api.client.post("/api/ask", content=b"{not json", headers={"Authorization": f"Bearer {api.reader}",
                                                                       "Content-Type": "application/json"})
    assert bad.status_code == 422 and "error" in bad.json()
    missing = api.post("/ask", api.reader, {"question": ""})
    assert missing.status_code == 422 and "question" in missing.json()["error"]
    extra = api.post("/query", api.reader, {"cypher": "RETURN 1", "parms": {}})
    assert extra.status_code == 422 and "parms" in extra.json()["error"]
    unknown = api.post("/query", api.reader, {"cypher": "MATCH (x:NoSuchLabel) RETURN x"})
    assert unknown.status_code == 400 and "Traceback" not in unknown.text
    params = api.post("/query", api.reader, {"cypher": "MATCH (d:Disease {curie: $c}) RETURN d.name"})
    assert params.status_code == 400 and "c" in params.json()["error"]
    assert "Traceback" not in api.post("/diagnose", api.reader, {"hpo": ["HP:9999999"]}).text


def test_body_size_rate_and_row_limits(api_engine: Any, tmp_path: Path) -> None:
    api = _Client(api_engine, tmp_path, max_body_bytes=2048, rate_per_minute=60, burst=4, max_rows=5)
    capped = api.post("/query", api.admin, {"cypher": "MATCH (c:Compound) RETURN c.curie AS c"}).json()
    assert len(capped["rows"]) == 5 and capped["truncated"] is True
    too_big = api.post("/ask", api.reader, {"question": "x" * 4000})
    assert too_big.status_code == 413 and "2048" in too_big.json()["error"]
    statuses = [api.get("/whoami", api.admin).status_code for _ in range(5)]
    assert statuses[:3] == [200, 200, 200] and statuses[3] == 429
    limited = api.get("/whoami", api.admin)
    assert limited.status_code == 429 and int(limited.headers["retry-after"]) >= 1
    assert api.get("/whoami", api.reader).status_code == 200  # limits are per token
    assert [e["status"] for e in api.audit()].count(429) >= 2


def test_capabilities_not_yet_in_the_engine_answer_501(api: _Client) -> None:
    caps = api.get("/capabilities", api.reader).json()["capabilities"]
    assert caps["ask"] and caps["query"]
    missing = [name for name, there in caps.items() if not there]
    bodies = {"diagnose": {"hpo": ["HP:0001250"]}, "predict": {"task": "treats", "disease": "DOID:9352"},
              "treat": {"disease": "DOID:9352"}, "interactions": {"drugs": ["a", "b"]}, "risk": {"genes": ["TP53"]},
              "evidence": {"query": "metformin"}}
    for name in missing:
        if name in bodies:
            response = api.post(f"/{name}", api.reader, bodies[name])
            assert response.status_code == 501 and f"Engine.{name}" in response.json()["error"]


def test_stats_openapi_cors_off_and_page(api: _Client) -> None:
    stats = api.get("/stats", api.reader).json()
    assert stats["node_total"] > 100 and "Compound|treats|Disease" in stats["edges"]
    paths = api.client.get("/api/openapi.json").json()["paths"]
    assert {"/api/ask", "/api/query", "/api/diagnose", "/api/admin/load", "/api/stats"} <= set(paths)
    pre = api.client.options("/api/ask", headers={"Origin": "http://evil.example", "Access-Control-Request-Method":
                                                  "POST"})
    assert "access-control-allow-origin" not in pre.headers
    page = api.client.get("/")
    assert page.status_code == 200 and "not clinical advice" in page.text
    assert "default-src 'self'" in page.headers["content-security-policy"]


def test_decision_answers_when_the_engine_has_them(api: _Client) -> None:
    caps = api.get("/capabilities", api.reader).json()["capabilities"]
    if caps["treat"]:
        treat = api.post("/treat", api.reader, {"disease": "type 2 diabetes", "top": 5})
        assert treat.status_code == 200, treat.text
        assert treat.json()["kind"] == "treat" and treat.json()["treatments"]
        unknown = api.post("/treat", api.reader, {"disease": "zzzqqqx"})
        assert unknown.status_code == 400 and "zzzqqqx" in unknown.json()["error"]
    if caps["risk"]:
        empty = api.post("/risk", api.reader, {"genes": []})
        assert empty.status_code == 422
        bad = api.post("/risk", api.reader, {"genes": ["NOTAGENEXYZ"]})
        assert bad.status_code == 400 and "NOTAGENEXYZ" in bad.json()["error"]
    if caps["interactions"]:
        assert api.post("/interactions", api.reader, {"drugs": ["metformin"]}).status_code == 422


def test_admin_load_runs_as_a_job(hetionet_subset: Path, tmp_path: Path, shared_data: Path) -> None:
    from kg_engine import Engine

    data = hetionet_subset.parent  # a data directory whose hetionet/ is the small subset
    for name in ("vocab",):
        if (shared_data / name).exists():
            (data / name).symlink_to(shared_data / name)
    with Engine.open(tmp_path / "home", data_dir=data) as kg:
        api = _Client(kg, tmp_path / "api")
        assert api.post("/admin/load", api.reader, {"source": "hetionet"}).status_code == 403
        assert api.post("/admin/load", api.admin, {"source": "nope"}).status_code == 400
        started = api.post("/admin/load", api.admin, {"source": "hetionet"})
        assert started.status_code == 202, started.text
        job_id = started.json()["id"]
        for _ in range(600):
            job = api.get(f"/admin/jobs/{job_id}", api.admin).json()
            if job["state"] in {"done", "failed"}:
                break
            time.sleep(0.1)
        assert job["state"] == "done", job
        assert job["owner"] == "ops" and job["result"]["source"]
        assert api.get("/stats", api.reader).json()["edge_total"] > 300
        assert api.get("/admin/jobs/unknown", api.admin).status_code == 404


def test_cors_only_for_configured_origins(api_engine: Any, tmp_path: Path) -> None:
    api = _Client(api_engine, tmp_path, cors_origins="http://localhost:3000")
    ask = {"Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "authorization"}
    allowed = api.client.options("/api/ask", headers={"Origin": "http://localhost:3000", **ask})
    assert allowed.headers.get("access-control-allow-origin") == "http://localhost:3000"
    other = api.client.options("/api/ask", headers={"Origin": "http://evil.example", **ask})
    assert "access-control-allow-origin" not in other.headers


def test_predict_when_the_engine_has_it(api: _Client) -> None:
    if not api.get("/capabilities", api.reader).json()["capabilities"]["predict"]:
        return
    bad = api.post("/predict", api.reader, {"task": "cures", "disease": "DOID:9352"})
    assert bad.status_code == 400 and "treats" in bad.json()["error"]  # names the valid tasks
    assert api.post("/predict", api.reader, {"task": "treats"}).status_code == 422  # no anchor
    ranked = api.post("/predict", api.reader, {"task": "treats", "disease": "DOID:9352", "top": 3})
    assert ranked.status_code == 200, ranked.text
    assert ranked.json() and {"curie", "name", "score"} <= set(ranked.json()[0])
