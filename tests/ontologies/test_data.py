"""Locating the shared data folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from ontologies import data
from ontologies.data import data_dir, vocab_dir


def test_env_var_wins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KG_DATA_DIR", str(tmp_path))
    assert data_dir() == tmp_path.resolve()


def test_env_var_pointing_nowhere_is_an_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    missing = tmp_path / "nope"
    monkeypatch.setenv("KG_DATA_DIR", str(missing))
    with pytest.raises(FileNotFoundError, match="KG_DATA_DIR"):
        data_dir()


def test_local_data_folder_comes_before_shared(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KG_DATA_DIR", raising=False)
    (tmp_path / "data").mkdir()
    monkeypatch.chdir(tmp_path)
    assert data_dir() == (tmp_path / "data").resolve()


def test_shared_folder_next_to_the_working_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KG_DATA_DIR", raising=False)
    (tmp_path / "shared" / "data").mkdir(parents=True)
    (tmp_path / "project").mkdir()
    monkeypatch.chdir(tmp_path / "project")
    assert data_dir() == (tmp_path / "shared" / "data").resolve()


def test_nothing_found_names_every_place_tried(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KG_DATA_DIR", raising=False)
    tried = [tmp_path / "a", tmp_path / "b"]
    monkeypatch.setattr(data, "_candidates", lambda: tried)
    with pytest.raises(FileNotFoundError) as info:
        data_dir()
    assert all(str(path) in str(info.value) for path in tried)
    assert "KG_DATA_DIR" in str(info.value)


def test_vocab_dir_requires_the_vocab_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KG_DATA_DIR", str(tmp_path))
    with pytest.raises(FileNotFoundError, match="vocab"):
        vocab_dir()
    (tmp_path / "vocab").mkdir()
    assert vocab_dir() == tmp_path.resolve() / "vocab"
