"""kg-engine: store backends, loaders, models, query engine, CLI and HTTP API."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from kg_engine.engine import Engine

__all__ = ["Engine"]


def __getattr__(name: str) -> Any:
    # The engine pulls in the settings, the schema and the store layer; `kg --help` must not pay for them.
    if name == "Engine":
        from kg_engine.engine import Engine

        return Engine
    raise AttributeError(f"module 'kg_engine' has no attribute {name!r}")
