"""Shared route helpers: the engine service of the running app."""

from __future__ import annotations

from fastapi import Request

from kg_engine.api.service import EngineService


def service(request: Request) -> EngineService:
    """The app's :class:`EngineService`."""
    return request.app.state.service
