"""Fixtures for the literature pipeline (the knowledge base and pipeline fixtures are in tests/conftest.py)."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def dev_docs(shared_data: Path):
    from ingest.readers import read_pubtator

    return list(read_pubtator(shared_data / "bc5cdr" / "CDR_DevelopmentSet.PubTator.txt"))
