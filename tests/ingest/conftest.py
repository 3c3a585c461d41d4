"""Fixtures for the literature pipeline (the knowledge base and pipeline fixtures are in tests/conftest.py)."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def dev_docs(shared_data: Path):
    from ingest.readers import read_pubtator

    return list(read_pubtator(shared_data / "bc5cdr" / "CDR_DevelopmentSet.PubTator.txt"))


@pytest.fixture(scope="session")
def note_nlp(kb_home: Path, shared_data: Path):
    """The clinical-note pipeline (literature pipeline + HPO findings + assertion) on the session's base."""
    from kg_engine.clinical import load_note_nlp
    from kg_engine.config import Settings

    return load_note_nlp(Settings.load(home=kb_home, data_dir=shared_data))
