"""Shared fixtures for the ontologies tests: the shared data folders, skipped when absent."""

from __future__ import annotations

from pathlib import Path

import pytest

from ontologies.data import data_dir


@pytest.fixture(scope="session")
def data_root() -> Path:
    """The shared data folder (``KG_DATA_DIR``, ``./data`` or ``../shared/data``); skips when absent."""
    try:
        return data_dir()
    except FileNotFoundError as err:
        pytest.skip(f"shared data not found: {err}")


@pytest.fixture(scope="session")
def hetionet_dir(data_root: Path) -> Path:
    """The Hetionet folder of the shared data; skips when absent."""
    path = data_root / "hetionet"
    if not path.is_dir():
        pytest.skip(f"no Hetionet data at {path}")
    return path
