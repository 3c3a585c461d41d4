"""Literature jobs that stop and resume: a killed ingest, an interrupted extract, a commit lost after a write."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from kg_engine.jobs import Checkpoint, JobIdentity
from kg_engine.jobs.local import LocalRunner
from kg_engine.literature import model_identity, model_meta, run_extract, run_ingest
from kg_engine.load.deadletter import DeadLetter
from kg_engine.store.ladybug import LadybugStore

KG = str(Path(sys.executable).parent / "kg")
VERSION = str(model_meta()["version"])  # what `kg ingest literature` stamps on evidence


class Interrupted(Exception):
    """Raised from a progress callback to stop a job between batches."""


def _stop_after(batches: int):  # type: ignore[no-untyped-def]
    seen = []

    def tick(n: int) -> None:
        seen.append(n)
        if len(seen) == batches:
            raise Interrupted

    return tick


def _reference(nlp, source: Path, tmp_path: Path, graph_snapshot) -> dict[str, object]:  # type: ignore[no-untyped-def]
    """The graph of one uninterrupted run over ``source`` in a store of its own."""
    store = LadybugStore(tmp_path / "reference.lbdb")
    store.init_schema()
    with DeadLetter(tmp_path / "reference-dead.jsonl") as dead:
        run_ingest(LocalRunner(nlp), store, [source], dead, VERSION, batch_size=50)
    picture = graph_snapshot(store)
    store.close()
    return picture


def test_killed_ingest_resumes_to_the_same_graph(nlp, kb_home, shared_data, dev_subset, tmp_path, graph_snapshot,
                                                 killed_and_resumed):
    source = dev_subset(120, garble=(2,))
    home = tmp_path / "home"
    home.mkdir()
    (home / "kb").symlink_to(kb_home / "kb")  # the session's knowledge base, not a second build
    env = {**os.environ, "KG_HOME": str(home), "KG_DATA_DIR": str(shared_data)}
    cmd = [KG, "ingest", "literature", str(source), "--batch-size", "10"]
    folder = home / "jobs" / JobIdentity.of("ingest-literature", [source], model_identity()).job_id
    resumed = killed_and_resumed(cmd, env, folder, tmp_path / "first.log")
    assert resumed.returncode == 0, resumed.stdout + resumed.stderr
    summary = json.loads((folder / "job.json").read_text())
    assert summary["status"] == "complete"
    assert summary["summary"]["skipped"] >= 29  # three batches of ten: 29 documents and the unreadable one
    assert summary["summary"]["skipped"] + summary["summary"]["documents"] == 119
    assert summary["summary"]["dead_lettered"] == 0 and summary["summary"]["dead_lettered_earlier"] == 1
    dead = (home / "deadletter" / "ingest-literature.jsonl").read_text().splitlines()
    assert len(dead) == 1 and "abstract" in json.loads(dead[0])["reason"].lower()

    store = LadybugStore(home / "graph.lbdb")
    resumed_graph = graph_snapshot(store)
    store.close()
    reference = _reference(nlp, source, tmp_path, graph_snapshot)
    assert resumed_graph["nodes"]["Publication"] == 119
    assert resumed_graph == reference


def test_interrupted_extract_appends_without_duplicates(nlp, dev_subset, tmp_path):
    source = dev_subset(30)
    out, full = tmp_path / "out.jsonl", tmp_path / "full.jsonl"
    identity = JobIdentity.of("extract", [source], "test", out)
    with Checkpoint.open(tmp_path, identity) as cp, DeadLetter(tmp_path / "dead.jsonl") as dead, \
            pytest.raises(Interrupted):
        run_extract(LocalRunner(nlp), [source], out, dead, checkpoint=cp, batch_size=8, tick=_stop_after(2))
    committed = out.read_text().splitlines()
    assert len(committed) == 16
    with out.open("a") as fh:  # a third batch written but not committed, and a line cut by the kill
        fh.write("\n".join(committed[:3]) + '\n{"doc_id": "99", "ment')
    with Checkpoint.open(tmp_path, identity, resume=True) as cp, \
            DeadLetter(tmp_path / "dead.jsonl", append=True) as dead:
        report = run_extract(LocalRunner(nlp), [source], out, dead, checkpoint=cp, batch_size=8)
    assert (report.skipped, report.documents) == (16, 14)
    with DeadLetter(tmp_path / "dead-full.jsonl") as dead:
        run_extract(LocalRunner(nlp), [source], full, dead)
    assert out.read_text() == full.read_text()
    assert len({json.loads(line)["doc_id"] for line in out.read_text().splitlines()}) == 30


def test_batch_written_but_not_committed_is_done_again(nlp, dev_subset, tmp_path, graph_snapshot, monkeypatch):
    source = dev_subset(24)
    identity = JobIdentity.of("ingest-literature", [source], "test")
    store = LadybugStore(tmp_path / "graph.lbdb")
    store.init_schema()
    commit = Checkpoint.commit
    calls = []

    def commit_then_die_on_second(self, finished, offset=None):  # type: ignore[no-untyped-def]
        calls.append(1)
        if len(calls) == 2:  # the batch is in the store; the process dies before recording it
            raise Interrupted
        commit(self, finished, offset)

    with monkeypatch.context() as patch, Checkpoint.open(tmp_path, identity) as cp, \
            DeadLetter(tmp_path / "dead.jsonl") as dead, pytest.raises(Interrupted):
        patch.setattr(Checkpoint, "commit", commit_then_die_on_second)
        run_ingest(LocalRunner(nlp), store, [source], dead, VERSION, checkpoint=cp, batch_size=8)
    assert store.stats().nodes["Publication"] == 16
    with Checkpoint.open(tmp_path, identity, resume=True) as cp, DeadLetter(tmp_path / "dead.jsonl", True) as dead:
        report = run_ingest(LocalRunner(nlp), store, [source], dead, VERSION, checkpoint=cp, batch_size=8)
    assert (report.skipped, report.documents) == (8, 16)
    resumed = graph_snapshot(store)
    store.close()
    assert resumed == _reference(nlp, source, tmp_path, graph_snapshot)


def test_a_document_that_breaks_the_pipeline_is_dead_lettered(nlp, dev_subset, tmp_path, fails_on):
    source = dev_subset(6)
    bad = source.read_text().split("\n\n")[3].split("|", 1)[0]  # the fourth document's PMID
    store = LadybugStore(tmp_path / "graph.lbdb")
    store.init_schema()
    with DeadLetter(tmp_path / "dead.jsonl") as dead:
        report = run_ingest(LocalRunner(fails_on(nlp, bad)), store, [source], dead, VERSION)
    assert (report.documents, report.dead_lettered) == (5, 1)
    entry = json.loads((tmp_path / "dead.jsonl").read_text())
    assert entry["record"] == bad and "tokenizer exploded" in entry["reason"] and entry["file"] == str(source)
    assert store.stats().nodes["Publication"] == 5
    store.close()


def test_the_relation_model_is_part_of_the_job_identity(tmp_path):
    from ingest.relations import packaged_relation_dir

    other = tmp_path / "relations"
    shutil.copytree(packaged_relation_dir(), other)
    card = json.loads((other / "MODEL_CARD.json").read_text())
    (other / "MODEL_CARD.json").write_text(json.dumps({**card, "version": "cid-test"}))
    assert model_identity(None, packaged_relation_dir()) == model_identity()
    assert model_identity(None, other) != model_identity() and model_identity(None, other).endswith("+cid-test")
    with pytest.raises(FileNotFoundError, match="no relation model"):
        model_identity(None, tmp_path / "nowhere")


def test_cli_relation_model_option(kb_home, shared_data, dev_subset, tmp_path):
    from ingest.relations import packaged_relation_dir

    source = dev_subset(3)
    home = tmp_path / "home"
    home.mkdir()
    (home / "kb").symlink_to(kb_home / "kb")
    env = {**os.environ, "KG_HOME": str(home), "KG_DATA_DIR": str(shared_data)}
    extract = ["extract", str(source), "--out", str(tmp_path / "out.jsonl")]
    for command in (extract, ["ingest", "literature", str(source)]):
        missing = subprocess.run([KG, *command, "--relation-model", str(tmp_path / "nowhere")], capture_output=True,
                                 text=True, env=env, timeout=120, check=False)
        assert missing.returncode == 2 and "no relation model" in missing.stderr, missing.stderr
        assert "Traceback" not in missing.stderr
    run = subprocess.run([KG, *extract, "--relation-model", str(packaged_relation_dir())], capture_output=True,
                         text=True, env=env, timeout=300, check=False)
    assert run.returncode == 0, run.stderr
    lines = [json.loads(line) for line in (tmp_path / "out.jsonl").read_text().splitlines()]
    assert len(lines) == 3 and all("relations" in line for line in lines)
    jobs = [json.loads(p.read_text()) for p in (home / "jobs").glob("extract-*/job.json")]
    assert [j["identity"]["model"] for j in jobs] == [model_identity()]


def test_a_batch_of_unreadable_documents_only_writes_nothing(nlp, dev_subset, tmp_path):
    source = dev_subset(3, garble=(0, 1, 2))
    store = LadybugStore(tmp_path / "graph.lbdb")
    store.init_schema()
    with DeadLetter(tmp_path / "dead.jsonl") as dead:
        report = run_ingest(LocalRunner(nlp), store, [source], dead, VERSION)
    assert (report.documents, report.dead_lettered) == (0, 3)
    store.close()
