"""The `kg` command end to end on the full Hetionet graph in an embedded store on disk."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

KG = str(Path(sys.executable).parent / "kg")


def kg(home: Path, data: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "KG_HOME": str(home), "KG_DATA_DIR": str(data), "COLUMNS": "200"}
    return subprocess.run([KG, *args], capture_output=True, text=True, env=env, timeout=300, check=False)


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory, shared_data: Path) -> Path:
    home = tmp_path_factory.mktemp("kg-home")
    for source in ("hetionet", "indications"):
        result = kg(home, shared_data, "load", source)
        assert result.returncode == 0, result.stderr
    return home


def stats(home: Path, data: Path) -> dict:
    result = kg(home, data, "stats", "--json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def query(home: Path, data: Path, cypher: str, *params: str) -> list[dict]:
    args = [a for p in params for a in ("--param", p)]
    result = kg(home, data, "query", cypher, *args, "--format", "json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def _data_rows(path: Path) -> int:
    """Rows under the header, whatever the line endings (the original files end lines in CR or CRLF)."""
    return sum(1 for line in path.read_text(encoding="utf-8").splitlines()[1:] if line.strip())


def test_full_graph_counts(home, shared_data):
    counts = stats(home, shared_data)
    hetionet = shared_data / "hetionet"
    edge_rows = sum(_data_rows(p) for p in (hetionet / "edges").glob("*.tsv"))
    assert counts["node_total"] == _data_rows(hetionet / "hetionet-v1.0-nodes.tsv") == 47031
    assert edge_rows == 1_362_834  # 21 of Hetionet's 24 edge types (../shared/data/README.md)
    assert counts["edge_total"] == edge_rows + 243  # + PharmacotherapyDB non-indications
    assert counts["edges"]["Compound|treats|Disease"] == 755


def test_reloading_changes_no_counts(home, shared_data):
    before = stats(home, shared_data)
    for source in ("hetionet", "indications"):
        assert kg(home, shared_data, "load", source).returncode == 0
    assert stats(home, shared_data) == before


def test_imatinib_binds_abl1(home, shared_data):
    rows = query(
        home, shared_data,
        "MATCH (c:Compound {curie: $c})-[:directly_physically_interacts_with]->(g:Gene {curie: $g}) "
        "RETURN c.name AS drug, g.name AS gene",
        "c=DRUGBANK:DB00619", "g=NCBIGene:25",
    )
    assert rows == [{"drug": "Imatinib", "gene": "ABL1"}]


def test_metformin_treats_type_2_diabetes(home, shared_data):
    rows = query(
        home, shared_data,
        "MATCH (c:Compound {curie: $c})-[r:treats]->(d:Disease {curie: $d}) RETURN d.name AS disease, r.sources AS s",
        "c=DRUGBANK:DB00331", "d=DOID:9352",
    )
    assert rows == [{"disease": "type 2 diabetes mellitus", "s": ["hetionet-v1.0", "pharmacotherapydb-v1.0"]}]


def test_parameter_values_are_never_spliced(home, shared_data):
    hostile = "x'}) DETACH DELETE n //"
    assert query(home, shared_data, "MATCH (n:Gene {curie: $c}) RETURN n.name AS name", f"c={hostile}") == []
    assert stats(home, shared_data)["node_total"] == 47031


def test_syntax_error_is_one_line_and_non_zero(home, shared_data):
    result = kg(home, shared_data, "query", "MATCH (n:Gene RETURN n")
    assert result.returncode == 1
    assert "error:" in result.stderr and "Parser exception" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


def test_read_only_refuses_writes(home, shared_data):
    result = kg(home, shared_data, "query", "CREATE (n:Gene {curie: 'NCBIGene:0'})", "--read-only")
    assert result.returncode == 1
    assert "read-only" in result.stderr
    assert query(home, shared_data, "MATCH (n:Gene {curie: 'NCBIGene:0'}) RETURN n.curie AS c") == []


def test_csv_output(home, shared_data):
    result = kg(home, shared_data, "query", "MATCH (d:Disease {curie: $d}) RETURN d.curie AS curie, d.name AS name",
                "--param", "d=DOID:9352", "--format", "csv")
    assert result.stdout.splitlines() == ["curie,name", "DOID:9352,type 2 diabetes mellitus"]
