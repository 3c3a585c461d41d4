"""kg-engine: store backends, loaders, models, query engine, CLI and HTTP API."""

from kg_engine.engine import Engine

__all__ = ["Engine"]
