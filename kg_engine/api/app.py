"""``create_app(engine, settings)``: the FastAPI application ``kg serve`` runs."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path
from typing import Any

from fastapi import FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import FileResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from kg_engine.api.audit import AuditLog, GuardMiddleware, audit_key
from kg_engine.api.limits import RateLimiter
from kg_engine.api.routers import ROUTERS
from kg_engine.api.service import EngineService
from kg_engine.api.settings import ApiSettings
from kg_engine.api.tokens import TokenStore

DISCLAIMER = "kg-engine is research software; its answers are not clinical advice."
_CSP = ("default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; object-src 'none'; "
        "base-uri 'none'; frame-ancestors 'none'; form-action 'self'")


def static_dir() -> Path:
    """The analyst page's files, shipped in the package."""
    return Path(str(files("kg_engine.api") / "static"))


def create_app(engine: Any, settings: ApiSettings) -> FastAPI:
    """The API over ``engine`` with token auth, roles, audit log, limits and (optionally) the web page."""
    app = FastAPI(title="kg-engine", version="0.1.0", description=DISCLAIMER, docs_url="/api/docs",
                  redoc_url=None, openapi_url="/api/openapi.json")
    app.state.service = EngineService(engine)
    app.state.tokens = TokenStore(settings.tokens_path)
    app.state.limiter = RateLimiter(settings.rate_per_minute, settings.burst)
    app.state.settings = settings
    for router in ROUTERS:
        app.include_router(router, prefix="/api")
    _install_errors(app)

    @app.middleware("http")
    async def headers(request: Request, call_next: Any) -> Any:
        response = await call_next(request)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "no-referrer")
        if not request.url.path.startswith("/api/docs"):
            response.headers.setdefault("Content-Security-Policy", _CSP)
        if request.url.path.startswith("/api"):
            response.headers.setdefault("Cache-Control", "no-store")
        return response

    if settings.cors_origins:
        app.add_middleware(CORSMiddleware, allow_origins=list(settings.cors_origins), allow_methods=["GET", "POST"],
                           allow_headers=["Authorization", "Content-Type"])
    audit = AuditLog(settings.audit_file, audit_key(settings.secrets_dir))
    known = frozenset(str(getattr(r, "path", "")) for r in app.routes)
    app.add_middleware(GuardMiddleware, audit=audit, max_body_bytes=settings.max_body_bytes, known_paths=known)
    if settings.static:
        page = static_dir()
        app.mount("/static", StaticFiles(directory=page), name="static")

        @app.get("/", include_in_schema=False)
        def index() -> FileResponse:
            return FileResponse(page / "index.html")

    return app


def _install_errors(app: FastAPI) -> None:
    """4xx answers as ``{"error": message}``; validation errors list field and reason, never the input."""

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        return JSONResponse({"error": exc.detail}, status_code=exc.status_code, headers=exc.headers)

    @app.exception_handler(HTTPException)
    async def fastapi_error(_: Request, exc: HTTPException) -> JSONResponse:
        return JSONResponse({"error": exc.detail}, status_code=exc.status_code, headers=exc.headers)

    @app.exception_handler(RequestValidationError)
    async def invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        problems = [{"field": ".".join(str(p) for p in e.get("loc", ()) if p != "body") or "body",
                     "problem": str(e.get("msg", "invalid"))} for e in exc.errors()]
        summary = "; ".join(f"{p['field']}: {p['problem']}" for p in problems[:5])
        return JSONResponse({"error": f"invalid request: {summary}", "problems": problems}, status_code=422)
