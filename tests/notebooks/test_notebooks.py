"""Every notebook in notebooks/ runs top to bottom on small data derived from the shared datasets."""

from __future__ import annotations

import os
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOKS = sorted((Path(__file__).resolve().parents[2] / "notebooks").glob("*.ipynb"))
# Notebooks that run the literature pipeline get the session's knowledge base instead of building one (a minute).
NEEDS_KB = {"04_literature_batch.ipynb"}


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_runs(path, hetionet_subset, shared_data, tmp_path, monkeypatch, request):
    monkeypatch.setenv("KG_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("KG_DATA_DIR", str(shared_data))
    monkeypatch.setenv("HETIONET_DIR", str(hetionet_subset))
    if path.name in NEEDS_KB:
        (tmp_path / "home").mkdir()
        (tmp_path / "home" / "kb").symlink_to(request.getfixturevalue("kb_home") / "kb")
    notebook = nbformat.read(path, as_version=4)
    resources = {"metadata": {"path": str(tmp_path)}}
    client = NotebookClient(notebook, timeout=300, kernel_name="python3", resources=resources)
    client.execute()
    outputs = [o for cell in notebook.cells if cell.cell_type == "code" for o in cell.get("outputs", [])]
    assert not [o for o in outputs if o.get("output_type") == "error"]
    assert os.path.isdir(tmp_path / "home")
