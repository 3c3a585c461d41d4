"""Fixtures for the literature pipeline: the knowledge base built once per session, the packaged model."""

from __future__ import annotations

from pathlib import Path

import pytest

from kg_engine.config import Settings
from kg_engine.kb import load_or_build


@pytest.fixture(scope="session")
def kb_home(tmp_path_factory: pytest.TempPathFactory, shared_data: Path) -> Path:
    """A KG_HOME whose knowledge base is built from the real vocabularies (about a minute, once)."""
    home = tmp_path_factory.mktemp("kb-home")
    load_or_build(Settings.load(home=home, data_dir=shared_data))
    return home


@pytest.fixture(scope="session")
def nlp(kb_home: Path, shared_data: Path):
    from kg_engine.literature import load_nlp

    return load_nlp(Settings.load(home=kb_home, data_dir=shared_data))


@pytest.fixture(scope="session")
def dev_docs(shared_data: Path):
    from ingest.readers import read_pubtator

    return list(read_pubtator(shared_data / "bc5cdr" / "CDR_DevelopmentSet.PubTator.txt"))
