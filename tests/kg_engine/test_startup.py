"""Start-up cost: reading a store's counts (``kg stats``) imports no pandas, pyarrow, numpy or torch.

Checked in a fresh interpreter on a small Hetionet home, by which modules are loaded, not by timing
(docs/benchmarks.md has the measured times).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

HEAVY = ("pandas", "pyarrow", "numpy", "torch")


@pytest.fixture
def home(tmp_path: Path, hetionet_subset: Path) -> Path:
    from kg_engine.engine import Engine

    home = tmp_path / "kg-home"
    with Engine.open(home, backend="ladybug") as kg:
        kg.init()
        kg.load_hetionet(hetionet_subset)
    return home


def _python(code: str, home: Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "KG_HOME": str(home), "KG_BACKEND": "ladybug", "COLUMNS": "200",
           "PYTHONDONTWRITEBYTECODE": "1"}
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=cwd,
                          timeout=120, check=False)


def test_engine_stats_imports_no_dataframe_library(home: Path, tmp_path: Path) -> None:
    from kg_engine.engine import Engine

    with Engine.open(home, backend="ladybug", read_only=True) as kg:
        expected = kg.stats()
    code = (
        "import json, sys\n"
        "from kg_engine.engine import Engine\n"
        "with Engine.open(read_only=True) as kg:\n"
        "    stats = kg.stats()\n"
        f"loaded = sorted(set({HEAVY!r}) & set(sys.modules))\n"
        "print(json.dumps({'loaded': loaded, 'nodes': stats.node_total, 'edges': stats.edge_total}))"
    )
    result = _python(code, home, tmp_path)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["loaded"] == []
    assert (report["nodes"], report["edges"]) == (expected.node_total, expected.edge_total)
    assert expected.edge_total > 0


def test_kg_stats_command_imports_no_dataframe_library(home: Path, tmp_path: Path) -> None:
    code = (
        "import runpy, sys\n"
        "sys.argv = ['kg', 'stats', '--json']\n"
        "try:\n    runpy.run_module('kg_engine.cli', run_name='__main__')\n"
        "except SystemExit as exc:\n    assert not exc.code, exc.code\n"
        f"print(sorted(set({HEAVY!r}) & set(sys.modules)), file=sys.stderr)"
    )
    result = _python(code, home, tmp_path)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["edge_total"] > 0
    assert result.stderr.strip().splitlines()[-1] == "[]", result.stderr
