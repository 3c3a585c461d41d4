"""Job checkpoints: identity, ordinal ranges, commit log, resume / refuse / restart, the per-job lock."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from kg_engine.errors import JobStateError
from kg_engine.jobs import Checkpoint, DoneRanges, JobIdentity


@pytest.fixture
def source(shared_data: Path, tmp_path: Path) -> Path:
    """The first 20 BC5CDR dev abstracts."""
    text = (shared_data / "bc5cdr" / "CDR_DevelopmentSet.PubTator.txt").read_text()
    path = tmp_path / "dev20.txt"
    path.write_text("\n\n".join(text.split("\n\n")[:20]) + "\n")
    return path


def test_done_ranges_merge_and_membership():
    ranges = DoneRanges()
    assert DoneRanges.compress([5, 3, 4, 9, 0]) == [(0, 1), (3, 6), (9, 10)]
    ranges.add(0, DoneRanges.compress(range(10, 20)))
    ranges.add(0, [(0, 5), (5, 10)])
    ranges.add(1, [(3, 4)])
    assert ranges.ranges[0] == [(0, 20)]
    assert (0, 0) in ranges and (0, 19) in ranges and (0, 20) not in ranges
    assert (1, 3) in ranges and (1, 2) not in ranges and (2, 3) not in ranges
    assert ranges.count() == 21


def test_identity_changes_with_sources_model_and_target(source, tmp_path):
    base = JobIdentity.of("ingest-literature", [source], "ner-1")
    assert JobIdentity.of("ingest-literature", [source], "ner-1").job_id == base.job_id
    assert JobIdentity.of("ingest-literature", [source], "ner-2").job_id != base.job_id
    assert JobIdentity.of("extract", [source], "ner-1", tmp_path / "a.jsonl").job_id != \
        JobIdentity.of("extract", [source], "ner-1", tmp_path / "b.jsonl").job_id
    stat = source.stat()
    os.utime(source, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    assert JobIdentity.of("ingest-literature", [source], "ner-1").job_id != base.job_id


def test_resume_refuse_restart_and_complete(source, tmp_path):
    identity = JobIdentity.of("ingest-literature", [source], "ner-1")
    with Checkpoint.open(tmp_path, identity) as cp:
        assert not cp.resumed
        cp.commit([(0, 0), (0, 1), (0, 2)])
        cp.commit([(0, 5), (0, 3), (0, 4)])
    log = tmp_path / "jobs" / identity.job_id / "commits.jsonl"
    with log.open("a") as fh:  # a kill while appending the third commit
        fh.write('{"done": {"0": [[6, ')
    with pytest.raises(JobStateError, match=r"6 documents done.*--resume.*--restart"):
        Checkpoint.open(tmp_path, identity)
    with Checkpoint.open(tmp_path, identity, resume=True) as cp:
        assert cp.resumed and cp.done.count() == 6 and (0, 5) in cp.done and (0, 6) not in cp.done
        cp.commit([(0, 6)])
    with Checkpoint.open(tmp_path, identity, resume=True) as cp:
        assert cp.done.count() == 7
    with Checkpoint.open(tmp_path, identity, restart=True) as cp:
        assert not cp.resumed and cp.done.count() == 0
        cp.commit([(0, 0)])
        cp.complete({"documents": 1})
    with Checkpoint.open(tmp_path, identity) as cp:  # a completed job starts over without asking
        assert not cp.resumed and cp.done.count() == 0 and cp.state()["status"] == "running"


def test_interrupted_run_that_committed_nothing_starts_over(source, tmp_path):
    identity = JobIdentity.of("extract", [source], "ner-1", tmp_path / "out.jsonl")
    Checkpoint.open(tmp_path, identity).close()
    with Checkpoint.open(tmp_path, identity) as cp:
        assert not cp.resumed


def test_a_running_job_is_locked(source, tmp_path):
    identity = JobIdentity.of("ingest-literature", [source], "ner-1")
    with Checkpoint.open(tmp_path, identity), pytest.raises(JobStateError, match="another process"):
        Checkpoint.open(tmp_path, identity, resume=True)


def test_extract_offset_is_the_last_committed(source, tmp_path):
    identity = JobIdentity.of("extract", [source], "ner-1", tmp_path / "out.jsonl")
    with Checkpoint.open(tmp_path, identity) as cp:
        cp.commit([(0, 0)], offset=120)
        cp.commit([(0, 1)], offset=250)
    with Checkpoint.open(tmp_path, identity, resume=True) as cp:
        assert cp.offset == 250


def test_a_changed_source_is_another_job_and_the_old_run_is_named(source, tmp_path):
    before = JobIdentity.of("ingest-literature", [source], "ner-1")
    with Checkpoint.open(tmp_path, before) as cp:
        cp.commit([(0, 0)])
    source.write_text(source.read_text() + "\n")
    after = JobIdentity.of("ingest-literature", [source], "ner-1")
    assert Checkpoint.interrupted_elsewhere(tmp_path, after) == [tmp_path / "jobs" / before.job_id]
    with Checkpoint.open(tmp_path, after, resume=True) as cp:
        assert not cp.resumed and cp.done.count() == 0
