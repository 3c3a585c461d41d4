"""`kg ingest notes` as a batch job: killed and resumed, refused without --resume, no note text in job files."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from ingest.notes import read_notes
from kg_engine.clinical import NoteTask, ingest_notes, note_identity, run_notes
from kg_engine.jobs import JobIdentity
from kg_engine.jobs.local import LocalRunner
from kg_engine.literature import model_meta
from kg_engine.load.deadletter import DeadLetter
from kg_engine.store.ladybug import LadybugStore

KG = str(Path(sys.executable).parent / "kg")
VERSION = str(model_meta()["version"])  # what `kg ingest notes` stamps on evidence
SALT = "test-salt"
DENIES = "Patient denies chest pain."


def _reference(note_nlp, sources: list[Path], folder: Path, graph_snapshot):  # type: ignore[no-untyped-def]
    folder.mkdir()
    store = LadybugStore(folder / "graph.lbdb")
    store.init_schema()
    with DeadLetter(folder / "dead.jsonl") as dead:
        report = ingest_notes(note_nlp, store, sources, dead, VERSION, SALT.encode(), batch_size=4)
    picture = graph_snapshot(store)
    store.close()
    return picture, report


def _lines_of(texts: list[str]) -> set[str]:
    return {line.strip() for text in texts for line in text.splitlines() if len(line.strip()) > 10}


def test_killed_notes_job_resumes_to_the_same_graph(note_nlp, kb_home, shared_data, note_sources, tmp_path,
                                                    graph_snapshot, killed_and_resumed):
    sources, texts = note_sources(reports=22)
    home = tmp_path / "home"
    home.mkdir()
    (home / "kb").symlink_to(kb_home / "kb")
    env = {**os.environ, "KG_HOME": str(home), "KG_DATA_DIR": str(shared_data), "KG_NOTE_SALT": SALT}
    cmd = [KG, "ingest", "notes", *map(str, sources), "--batch-size", "4"]
    identity = JobIdentity.of("ingest-notes", sources, note_identity(None, NoteTask(), False, SALT.encode()))
    folder = home / "jobs" / identity.job_id
    resumed = killed_and_resumed(cmd, env, folder, tmp_path / "first.log")
    assert resumed.returncode == 0, resumed.stdout + resumed.stderr
    summary = json.loads((folder / "job.json").read_text())["summary"]
    assert summary["skipped"] >= 10  # three batches of four: ten notes and the two rejected rows
    assert summary["skipped"] + summary["documents"] == 23
    assert (summary["dead_lettered"], summary["dead_lettered_earlier"]) == (0, 2)  # broken line, repeated id
    dead = [json.loads(line) for line in (home / "deadletter" / "ingest-notes.jsonl").read_text().splitlines()]
    assert [(Path(d["file"]).name, d["record"]) for d in dead] == [
        ("first.jsonl", None), ("reports.csv", {"note_id": "rpt-0003-negex"})]

    store = LadybugStore(home / "graph.lbdb")
    resumed_graph = graph_snapshot(store)
    store.close()
    reference, report = _reference(note_nlp, sources, tmp_path / "reference", graph_snapshot)
    assert (report.notes, report.dead_lettered) == (23, 2)
    assert resumed_graph["nodes"]["ClinicalNote"] == 23
    assert resumed_graph == reference
    job_files = "".join(p.read_text() for p in [*folder.iterdir(), home / "deadletter" / "ingest-notes.jsonl"]
                        if p.is_file())
    assert DENIES not in job_files and not [line for line in _lines_of(texts) if line in job_files]


def test_a_note_that_breaks_the_pipeline_is_dead_lettered_without_its_text(note_nlp, note_sources, tmp_path,
                                                                            fails_on):
    sources, _ = note_sources(reports=3)
    store = LadybugStore(tmp_path / "graph.lbdb")
    store.init_schema()
    runner = LocalRunner(fails_on(note_nlp, "rpt-0002-negex"), task=NoteTask())
    with DeadLetter(tmp_path / "dead.jsonl") as dead:
        report = run_notes(runner, store, sources, dead, VERSION, SALT.encode())
    assert (report.notes, report.dead_lettered) == (3, 3)
    assert store.stats().nodes["ClinicalNote"] == 3
    store.close()
    failed = json.loads((tmp_path / "dead.jsonl").read_text().splitlines()[-1])
    line = next(n.meta["line"] for n in read_notes(sources[1]) if n.id == "rpt-0002-negex")  # records span lines
    assert failed == {"file": str(sources[1]), "line": line, "record": {"note_id": "rpt-0002-negex"},
                      "reason": "pipeline failed on this note (ValueError)"}


def test_resuming_with_other_columns_salt_or_knowledge_base_is_another_job():
    base = note_identity(None, NoteTask(), False, b"salt")
    assert base == note_identity(None, NoteTask(), False, b"salt")
    others = {note_identity(None, NoteTask("note_id"), False, b"salt"), note_identity(None, NoteTask(), True, b"salt"),
              note_identity(None, NoteTask(), False, b"another salt"),
              note_identity(None, NoteTask(), False, b"salt", kb="aliases-v4-train")}
    assert base not in others and len(others) == 4
    assert "salt" not in base.rsplit("+salt=", 1)[1]


def test_a_batch_of_rejected_rows_only_writes_nothing(note_nlp, tmp_path):
    (tmp_path / "bad.csv").write_text("id,text\n,no id\nn1,\n", encoding="utf-8")
    store = LadybugStore(tmp_path / "graph.lbdb")
    store.init_schema()
    with DeadLetter(tmp_path / "dead.jsonl") as dead:
        report = run_notes(LocalRunner(note_nlp, task=NoteTask()), store, [tmp_path / "bad.csv"], dead, VERSION,
                           SALT.encode())
    assert (report.notes, report.dead_lettered) == (0, 2)
    assert store.stats().nodes.get("ClinicalNote", 0) == 0
    store.close()
