"""The HTTP API and analyst web page behind ``kg serve`` (FastAPI; install the ``[api]`` extra).

``create_app(engine, settings)`` builds the application; tokens, roles, the audit log and the limits are
described in :mod:`kg_engine.api.tokens`, :mod:`kg_engine.api.auth` and :mod:`kg_engine.api.audit`.
"""

from __future__ import annotations

from kg_engine.api.settings import ApiSettings

__all__ = ["ApiSettings", "create_app"]


def __getattr__(name: str) -> object:
    if name == "create_app":  # FastAPI loads only when an app is built
        from kg_engine.api.app import create_app

        return create_app
    raise AttributeError(name)
