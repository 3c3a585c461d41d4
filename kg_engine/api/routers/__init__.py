"""One router per capability; ``ROUTERS`` is what ``create_app`` mounts under ``/api``."""

from __future__ import annotations

from kg_engine.api.routers import admin, answers, ask, diagnose, meta, query

ROUTERS = (meta.router, query.router, ask.router, diagnose.router, answers.router, admin.router)
