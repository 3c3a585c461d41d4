"""The ``kg`` command (Typer + Rich); ``_app`` defines the apps and imports the command groups."""

from kg_engine.cli._app import app

__all__ = ["app"]
