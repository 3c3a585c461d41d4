"""The README's five-minute tour runs as written: every `kg` line of its first bash block exits 0.

The home holds what the tour needs except the literature (the `kg evidence` line then says that the store
holds no sentences, and still exits 0): Hetionet, PharmacotherapyDB, interactions, SIDER and HPO.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
KG = str(Path(sys.executable).parent / "kg")


def tour_commands() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    tour = text.split("## Five-minute tour", 1)[1]
    block = re.search(r"```bash\n(.*?)```", tour, re.DOTALL)
    assert block, "the README's tour has no bash block"
    return [line for line in block.group(1).splitlines() if line.startswith("kg ")]


def run(home: Path, data: Path, command: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "KG_HOME": str(home), "KG_DATA_DIR": str(data), "COLUMNS": "160"}
    return subprocess.run([KG, *shlex.split(command)[1:]], capture_output=True, text=True, env=env, timeout=900,
                          check=False)


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory, shared_data: Path) -> Path:
    home = tmp_path_factory.mktemp("tour-home")
    for source in ("hetionet", "indications", "interactions", "sider", "hpo"):
        result = run(home, shared_data, f"kg load {source}")
        assert result.returncode == 0, result.stderr
    return home


def test_the_tour_has_commands() -> None:
    assert len(tour_commands()) >= 10


@pytest.mark.parametrize("command", tour_commands())
def test_tour_command_runs(home: Path, shared_data: Path, command: str) -> None:
    result = run(home, shared_data, command)
    assert result.returncode == 0, f"{command}\n{result.stderr[-2000:]}"
    assert "Traceback" not in result.stdout + result.stderr
    assert result.stdout.strip()
