"""`kg query` on an empty embedded store: parameter mistakes and read-only refusals exit 1 with one line."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

KG = str(Path(sys.executable).parent / "kg")


def kg(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "KG_HOME": str(home), "KG_BACKEND": "ladybug", "COLUMNS": "200"}
    return subprocess.run([KG, *args], capture_output=True, text=True, env=env, timeout=120, check=False)


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("kg-empty-home")
    result = kg(home, "init")
    assert result.returncode == 0, result.stderr
    return home


def test_missing_parameter_is_an_error_not_zero_rows(home: Path) -> None:
    result = kg(home, "query", "MATCH (g:Gene {curie: $c}) RETURN g.name AS name")
    assert result.returncode == 1
    assert "$c" in result.stderr and "no value" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


def test_unused_parameter_is_an_error(home: Path) -> None:
    result = kg(home, "query", "MATCH (g:Gene {curie: $c}) RETURN g.name AS name", "-p", "c=NCBIGene:25",
                "-p", "cc=1")
    assert result.returncode == 1
    assert "$cc" in result.stderr and "never uses" in result.stderr


def test_read_only_refuses_export_database_and_writes_nothing(home: Path, tmp_path: Path) -> None:
    target = tmp_path / "export"
    result = kg(home, "query", f"EXPORT DATABASE '{target}'", "--read-only")
    assert result.returncode == 1
    assert "read-only mode refuses EXPORT DATABASE" in result.stderr
    assert not target.exists()


def test_read_only_allows_listed_procedures(home: Path) -> None:
    result = kg(home, "query", "CALL show_tables() RETURN name", "--read-only", "--format", "json")
    assert result.returncode == 0, result.stderr
    assert '"Gene"' in result.stdout
