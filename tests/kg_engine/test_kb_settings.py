"""Which annotated splits feed the knowledge base's curated aliases (KG_CURATED), and where it is cached."""

from __future__ import annotations

import pytest

from kg_engine.config import Settings
from kg_engine.errors import ConfigError
from kg_engine.jobs.tasks import PipelineSpec
from kg_engine.kb import KB_VERSION, curated_aliases, kb_name, kb_path


def test_curated_setting_names_its_own_cache(tmp_path, monkeypatch):
    monkeypatch.delenv("KG_CURATED", raising=False)
    default = Settings.load(home=tmp_path)
    assert default.curated == "all" and kb_name(default) == KB_VERSION
    monkeypatch.setenv("KG_CURATED", "train")
    train = Settings.load(home=tmp_path)
    assert kb_name(train) == f"{KB_VERSION}-train" and kb_path(train) != kb_path(default)
    assert PipelineSpec.of(train, None).settings().curated == "train"  # actors build the same base
    monkeypatch.setenv("KG_CURATED", "everything")
    with pytest.raises(ConfigError, match="KG_CURATED"):
        Settings.load(home=tmp_path)


def test_dev_splits_add_their_annotated_mentions(shared_data):
    train = set(curated_aliases(shared_data, ("train",)))
    both = set(curated_aliases(shared_data, ("train", "dev")))
    assert train < both
    dev_only = both - train
    # a dev abstract annotates "(2R,4R)-4-aminopyrrolidine-2,4-dicarboxylate"; no training abstract does
    assert ("Chemical", "(2R,4R)-4-aminopyrrolidine-2,4-dicarboxylate", "MESH:C097299") in dev_only
    assert {c for _, _, c in both} <= {c for _, _, c in both if c.startswith("MESH:")}
