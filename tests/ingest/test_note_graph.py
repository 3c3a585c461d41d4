"""Clinical notes through the real pipeline into a real store: assertion-typed edges, privacy, idempotence, CLI."""

from __future__ import annotations

import hashlib
import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from ingest.note_pipeline import NoteExtractor
from ingest.records import Document
from kg_engine.clinical import ingest_notes
from kg_engine.load.deadletter import DeadLetter
from kg_engine.load.notes import note_curie
from kg_engine.store.ladybug import LadybugStore

SALT = b"test-salt"
DENIES = "Patient denies chest pain."
FAMILY = ("HISTORY OF PRESENT ILLNESS: Shortness of breath for two days.\n"
          "FAMILY HISTORY: Breast cancer.\nMEDICATIONS:\nMetformin 500 mg twice daily\n")
PHI = ("Patient Name: John A. Smith  MRN: 00123456\nSeen by Dr. Jane Roe on 03/14/2019; call 617-555-0123.\n"
       "She reports fever since 03/12/2019.\n")


def _extract(nlp, text: str):
    return next(iter(NoteExtractor(nlp).extract([Document("n", "note", "", text)])))


def _found(ex, curie: str) -> list[str]:
    return [m.assertion for m in ex.mentions if m.curie == curie or curie in m.xrefs]


def test_denied_chest_pain_is_a_negated_hpo_finding(note_nlp) -> None:
    ex = _extract(note_nlp, DENIES)
    assert _found(ex, "HP:0100749") == ["negated"]
    assert all(m.assertion == "negated" for m in ex.mentions)


def test_sections_set_family_and_drugs_reach_drugbank(note_nlp) -> None:
    ex = _extract(note_nlp, FAMILY)
    assert _found(ex, "HP:0002094") == ["affirmed"]  # shortness of breath -> dyspnea
    assert set(_found(ex, "HP:0003002")) == {"family"}  # breast carcinoma, by the section alone
    metformin = [m for m in ex.mentions if "DRUGBANK:DB00331" in (m.curie, *m.xrefs)]
    assert metformin and metformin[0].type == "Chemical" and metformin[0].assertion == "affirmed"
    assert ex.section_of(metformin[0]).name == "medications"


@pytest.fixture
def notes_csv(negex_notes):  # type: ignore[no-untyped-def]
    """NegEx notes of the first reports plus the three above, and a row without id; returns id -> text."""

    def make(path: Path, reports: int = 6) -> dict[str, str]:
        extra = {"pt-denies-001": DENIES, "pt-family-002": FAMILY, "pt-phi-003": PHI}
        return negex_notes(path, reports, extra, bad_rows=[["", "a row without id"]])

    return make


@pytest.fixture
def store(tmp_path: Path):
    s = LadybugStore(tmp_path / "graph.lbdb")
    s.init_schema()
    yield s
    s.close()


def _ingest(nlp, store, path: Path, tmp_path: Path, keep_raw_text: bool = False):
    with DeadLetter(tmp_path / "dead.jsonl") as dead:
        return ingest_notes(nlp, store, [path], dead, "test", SALT, keep_raw_text=keep_raw_text, batch_size=4)


def _note_edges(store, note_id: str, curie: str):
    rows = store.query("MATCH (n:ClinicalNote {curie: $n})-[r]->(x {curie: $x}) "
                       "RETURN label(r) AS predicate, r.assertion_qualifier AS status, r.evidence AS evidence",
                       {"n": note_curie(note_id, SALT), "x": curie})
    return list(zip(rows["predicate"], rows["status"], rows["evidence"], strict=True))


def _everything(store) -> str:
    nodes = store.query("MATCH (n) RETURN n")
    rels = store.query("MATCH ()-[r]->() RETURN r")
    return json.dumps([*nodes["n"].tolist(), *rels["r"].tolist()], default=str)


def test_notes_into_the_graph(note_nlp, store, notes_csv, tmp_path: Path) -> None:
    texts = notes_csv(tmp_path / "notes.csv")
    report = _ingest(note_nlp, store, tmp_path / "notes.csv", tmp_path)
    assert report.notes == len(texts) and report.dead_lettered == 1 and report.by_status["negated"] > 0
    dead = [json.loads(line) for line in (tmp_path / "dead.jsonl").read_text().splitlines()]
    last_line = len((tmp_path / "notes.csv").read_text(encoding="utf-8").splitlines())  # records span lines
    assert dead == [{"file": str(tmp_path / "notes.csv"), "line": last_line, "reason": "no note id", "record": None}]

    denied = _note_edges(store, "pt-denies-001", "HP:0100749")
    assert [(p, s) for p, s, _ in denied] == [("mentions_absence_of", "negated")]
    positive = store.query("MATCH (:ClinicalNote {curie: $n})-[:mentions]->(x) RETURN count(x) AS n",
                           {"n": note_curie("pt-denies-001", SALT)})
    assert int(positive["n"].iloc[0]) == 0  # no positive edge of any kind from the denying note
    family = _note_edges(store, "pt-family-002", "HP:0003002")
    assert family and {(p, s) for p, s, _ in family} == {("mentions_family_history_of", "family")}
    assert _note_edges(store, "pt-family-002", "DRUGBANK:DB00331")[0][:2] == ("mentions", "affirmed")

    fever = _note_edges(store, "pt-phi-003", "HP:0001945")
    snippet = json.loads(fever[0][2])[0]["snippet"]
    assert snippet == "She reports fever since [DATE]."
    dump = _everything(store)
    for secret in ("John", "Smith", "Jane Roe", "00123456", "617-555-0123", "03/14/2019", "03/12/2019"):
        assert secret not in dump, secret
    for note_id, text in texts.items():  # no raw id, no raw text (a one-sentence note is its own snippet)
        assert f'"{note_id}"' not in dump, note_id
        assert "\n" not in text or text not in dump, note_id
        assert hashlib.sha256(note_id.encode()).hexdigest()[:32] not in dump  # keyed, not a plain hash
    assert note_curie("denies", SALT) != note_curie("denies", b"another salt")

    before = store.stats()
    _ingest(note_nlp, store, tmp_path / "notes.csv", tmp_path)
    assert store.stats() == before
    evidence = store.query("MATCH (:ClinicalNote)-[r]->() RETURN r.evidence AS e ORDER BY e")["e"].tolist()
    _ingest(note_nlp, store, tmp_path / "notes.csv", tmp_path)
    assert store.query("MATCH (:ClinicalNote)-[r]->() RETURN r.evidence AS e ORDER BY e")["e"].tolist() == evidence


def test_keep_raw_text_stores_id_and_text(note_nlp, store, tmp_path: Path) -> None:
    path = tmp_path / "notes.jsonl"
    path.write_text(json.dumps({"id": "denies", "text": DENIES}) + "\n", encoding="utf-8")
    _ingest(note_nlp, store, path, tmp_path, keep_raw_text=True)
    rows = store.query("MATCH (n:ClinicalNote) RETURN n.curie AS c, n.note_id AS id, n.text AS text")
    assert rows.to_dict("records") == [{"c": note_curie("denies", SALT), "id": "denies", "text": DENIES}]


KG = str(Path(sys.executable).parent / "kg")


def test_cli_ingest_notes(kb_home: Path, shared_data: Path, notes_csv, tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    (home / "kb").symlink_to(kb_home / "kb", target_is_directory=True)
    texts = notes_csv(tmp_path / "notes.csv", reports=3)
    env = {k: v for k, v in os.environ.items() if k != "KG_NOTE_SALT"}
    env.update(KG_HOME=str(home), KG_DATA_DIR=str(shared_data))
    run = subprocess.run([KG, "ingest", "notes", str(tmp_path / "notes.csv")], capture_output=True, text=True,
                         env=env, timeout=600, check=False)
    assert run.returncode == 0, run.stderr
    assert "1 row(s) dead-lettered" in run.stderr
    salt_file = home / "secrets" / "note-salt"
    assert stat.S_IMODE(salt_file.stat().st_mode) == 0o600
    salt = salt_file.read_text().strip().encode()
    query = subprocess.run(
        [KG, "query", "MATCH (n:ClinicalNote) OPTIONAL MATCH (n)-[:mentions_absence_of]->(x:PhenotypicFeature "
         "{curie: $x}) RETURN n.curie AS note, x.curie AS denied", "--param", "x=HP:0100749", "--format", "json"],
        capture_output=True, text=True, env=env, timeout=120, check=False)
    assert query.returncode == 0, query.stderr
    rows = json.loads(query.stdout)
    assert len(rows) == len(texts)
    assert note_curie("pt-denies-001", salt) in {row["note"] for row in rows if row["denied"]}
    bad = subprocess.run([KG, "ingest", "notes", str(tmp_path / "missing.csv")], capture_output=True, text=True,
                         env=env, timeout=120, check=False)
    assert bad.returncode != 0 and "no such file" in bad.stderr and "Traceback" not in bad.stderr
