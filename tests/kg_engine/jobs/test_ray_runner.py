"""The Ray runner (local Ray on this machine) builds the same graph as the local runner, for literature and notes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ingest.pipeline import Extractor
from ingest.readers import read_pubtator
from kg_engine.jobs import Checkpoint, DoneRanges, JobIdentity
from kg_engine.jobs.codec import extraction_from_json, extraction_to_json
from kg_engine.jobs.local import LocalRunner
from kg_engine.literature import model_meta, run_ingest
from kg_engine.load.deadletter import DeadLetter
from kg_engine.store.ladybug import LadybugStore

VERSION = str(model_meta()["version"])


@pytest.fixture(scope="module")
def local_ray():
    """Ray on this machine: two actors and the reading tasks."""
    ray = pytest.importorskip("ray")
    pytest.importorskip("ray.data")
    ray.init(num_cpus=3, include_dashboard=False, log_to_driver=False)
    yield ray
    ray.shutdown()


def _ingest(runner, source: Path, folder: Path, checkpoint: Checkpoint | None = None):  # type: ignore[no-untyped-def]
    folder.mkdir()
    store = LadybugStore(folder / "graph.lbdb")
    store.init_schema()
    with DeadLetter(folder / "dead.jsonl") as dead:
        report = run_ingest(runner, store, [source], dead, VERSION, checkpoint=checkpoint, batch_size=10)
    return store, report


def test_ray_runner_builds_the_same_graph_as_local(local_ray, nlp, kb_home, shared_data, dev_subset, tmp_path,
                                                   graph_snapshot):
    from kg_engine.jobs.ray_runner import PipelineSpec, RayRunner

    source = dev_subset(30, garble=(3,))
    identity = JobIdentity.of("ingest-literature", [source], "test")
    runner = RayRunner(PipelineSpec(kb_home, shared_data, None), workers=2, batch_size=8)
    with Checkpoint.open(tmp_path, identity) as checkpoint:
        ray_store, ray_report = _ingest(runner, source, tmp_path / "ray", checkpoint)
    local_store, local_report = _ingest(LocalRunner(nlp), source, tmp_path / "local")
    assert (ray_report.documents, ray_report.dead_lettered) == (29, 1)
    assert (local_report.documents, local_report.mentions) == (ray_report.documents, ray_report.mentions)
    assert checkpoint.done.count() == 29
    assert graph_snapshot(ray_store) == graph_snapshot(local_store)
    ray_store.close()
    local_store.close()


def test_ray_runner_builds_the_same_notes_graph_as_local(local_ray, note_nlp, kb_home, shared_data, note_sources,
                                                         tmp_path, graph_snapshot):
    from kg_engine.clinical import NoteTask, ingest_notes, run_notes
    from kg_engine.jobs.ray_runner import PipelineSpec, RayRunner

    sources, _ = note_sources(reports=6)
    runner = RayRunner(PipelineSpec(kb_home, shared_data, None), workers=2, batch_size=2, task=NoteTask())
    stores = {name: LadybugStore(tmp_path / f"{name}.lbdb") for name in ("ray", "local")}
    for store in stores.values():
        store.init_schema()
    identity = JobIdentity.of("ingest-notes", sources, "test")
    with Checkpoint.open(tmp_path, identity) as checkpoint, DeadLetter(tmp_path / "ray-dead.jsonl") as dead:
        on_ray = run_notes(runner, stores["ray"], sources, dead, VERSION, b"salt", checkpoint=checkpoint,
                           batch_size=4)
    with DeadLetter(tmp_path / "local-dead.jsonl") as dead:
        local = ingest_notes(note_nlp, stores["local"], sources, dead, VERSION, b"salt", batch_size=4)
    assert (on_ray.notes, on_ray.dead_lettered) == (local.notes, local.dead_lettered) == (7, 2)  # a repeated id
    assert on_ray.by_status == local.by_status and local.by_status["negated"] > 0
    assert checkpoint.done.count() == 7
    assert graph_snapshot(stores["ray"]) == graph_snapshot(stores["local"])
    for store in stores.values():
        store.close()
    dead_rows = [sorted((tmp_path / f"{name}-dead.jsonl").read_text().splitlines()) for name in ("ray", "local")]
    assert dead_rows[0] == dead_rows[1]


def test_read_rows_skips_what_is_done(dev_subset):
    from kg_engine.jobs.ray_runner import read_rows, source_rows

    source = dev_subset(12, garble=(5,))
    (row,) = source_rows([str(source)], DoneRanges({0: DoneRanges.compress([0, 1, 2, 7])}))
    rows = list(read_rows(row))
    documents = [r for r in rows if r["document"]]
    rejections = [json.loads(r["rejection"]) for r in rows if r["rejection"]]
    assert [r["ordinal"] for r in documents] == [3, 4, 5, 6, 8, 9, 10]  # 11 readable documents, 4 done
    assert len(rejections) == 1 and rejections[0]["doc_id"] == source.read_text().split("\n\n")[5].split("|")[0]


def test_extractions_survive_the_json_round_trip(nlp, shared_data):
    documents = list(read_pubtator(shared_data / "bc5cdr" / "CDR_DevelopmentSet.PubTator.txt"))[:5]
    for ex in Extractor(nlp).extract(documents):
        back = extraction_from_json(json.loads(json.dumps(extraction_to_json(ex))))
        assert back.mentions == ex.mentions and back.relations == ex.relations and back.names == ex.names
        assert (back.document.id, back.document.text, back.document.title) == (ex.document.id, ex.document.text,
                                                                               ex.document.title)
        assert back.document.meta == {k: v for k, v in ex.document.meta.items() if not isinstance(v, list | dict)}
        assert back.to_json() == ex.to_json()
