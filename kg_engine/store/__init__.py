"""Graph stores: the ``GraphStore`` protocol and its backends, chosen by name."""

from __future__ import annotations

from collections.abc import Callable

from kg_engine.config import BACKENDS, Settings
from kg_engine.errors import ConfigError
from kg_engine.store.base import (
    EdgeBatch,
    EdgeType,
    GraphStore,
    NodeBatch,
    StoreStats,
    UpsertResult,
)

__all__ = [
    "BACKENDS", "EdgeBatch", "EdgeType", "GraphStore", "NodeBatch", "StoreStats", "UpsertResult", "open_store",
]


def _open_ladybug(settings: Settings, read_only: bool) -> GraphStore:
    from kg_engine.store.ladybug import LadybugStore

    return LadybugStore(settings.store_path, read_only=read_only)


def _open_neo4j(settings: Settings, read_only: bool) -> GraphStore:
    from kg_engine.store.neo4j import Neo4jStore

    return Neo4jStore.from_settings(settings, read_only=read_only)


_REGISTRY: dict[str, Callable[[Settings, bool], GraphStore]] = {"ladybug": _open_ladybug, "neo4j": _open_neo4j}


def open_store(settings: Settings, read_only: bool | None = None) -> GraphStore:
    """Open the backend named by ``settings.backend``."""
    opener = _REGISTRY.get(settings.backend)
    if opener is None:
        raise ConfigError(f"unknown backend {settings.backend!r}; valid: {', '.join(_REGISTRY)}")
    return opener(settings, settings.read_only if read_only is None else read_only)
