"""Note readers (CSV / JSONL / text, bad rows reported with file and line), PHI masking, HPO finding terms."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from ingest.findings import load_hpo_terms
from ingest.notes import read_notes
from ingest.phi import PhiMasker, find_phi, mask_phi
from ingest.records import ReadError


def _negex_sentences(shared_data: Path, n: int) -> list[str]:
    path = shared_data / "negex" / "annotations_reports_1-60.tsv"
    with path.open(encoding="utf-8", newline="") as fh:
        sentences = list(dict.fromkeys(row["Sentence"] for row in csv.DictReader(fh, delimiter="\t")))
    return sentences[:n]


def _read(path: Path, **kwargs):
    errors: list[ReadError] = []
    return list(read_notes(path, errors.append, **kwargs)), errors


def test_csv_notes_with_bad_rows_dead_lettered_by_line(shared_data: Path, tmp_path: Path) -> None:
    sentences = _negex_sentences(shared_data, 4)
    path = tmp_path / "notes.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["note_id", "body", "date"])
        writer.writerow(["a-1", sentences[0] + "\nsecond line", "2019-01-01"])  # record spans lines 2-3
        writer.writerow(["", sentences[1], "x"])  # line 4: no id
        writer.writerow(["a-3", sentences[2]])  # line 5: too few fields
        writer.writerow(["a-4", "   ", "x"])  # line 6: empty text
        writer.writerow(["a-1", sentences[3], "x"])  # line 7: repeated id
        writer.writerow(["a-5", sentences[3], "x"])
    docs, errors = _read(path, id_field="note_id", text_field="body")
    assert [d.id for d in docs] == ["a-1", "a-5"]
    assert docs[0].text == sentences[0] + "\nsecond line" and docs[1].meta["line"] == 8
    assert [(e.line, e.reason.split(" (")[0]) for e in errors] == [
        (4, "no note id"), (5, "2 fields, the header has 3"), (6, "empty note text"), (7, "note id 'a-1' repeated")]
    assert all(sentences[k][:20] not in e.reason for e in errors for k in range(4))  # no note text in reasons


def test_csv_without_the_id_column_is_one_error(tmp_path: Path) -> None:
    path = tmp_path / "notes.csv"
    path.write_text("key,text\n1,Chest pain.\n", encoding="utf-8")
    docs, errors = _read(path)
    assert docs == [] and len(errors) == 1 and "'id'" in errors[0].reason and errors[0].line == 1


def test_jsonl_notes_skip_bad_lines(shared_data: Path, tmp_path: Path) -> None:
    sentences = _negex_sentences(shared_data, 2)
    path = tmp_path / "notes.jsonl"
    lines = [json.dumps({"id": 17, "text": sentences[0]}), "{not json", json.dumps(["id", "text"]),
             json.dumps({"id": "n2", "text": None}), "", json.dumps({"id": "n3", "text": sentences[1]})]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    docs, errors = _read(path)
    assert [(d.id, d.meta["line"]) for d in docs] == [("17", 1), ("n3", 6)]
    assert [e.line for e in errors] == [2, 3, 4]
    assert errors[0].reason.startswith("invalid JSON") and errors[2].reason == "no note text"


def test_text_files_and_folders_take_the_file_stem_as_id(tmp_path: Path) -> None:
    folder = tmp_path / "notes"
    (folder / "sub").mkdir(parents=True)
    (folder / "n-001.txt").write_text("No fever.", encoding="utf-8")
    (folder / "sub" / "n-002.txt").write_text("Cough.", encoding="utf-8")
    (folder / "empty.txt").write_text("\n", encoding="utf-8")
    (folder / "latin1.txt").write_bytes("Fi\xe8vre".encode("latin-1"))
    docs, errors = _read(folder)
    assert sorted(d.id for d in docs) == ["n-001", "n-002"]
    assert sorted((Path(e.file).name, e.reason.split(" (")[0]) for e in errors) == [
        ("empty.txt", "empty note text"), ("latin1.txt", "not UTF-8 text")]
    assert [d.id for d in read_notes(folder / "n-001.txt")] == ["n-001"]
    with pytest.raises(ValueError, match=r"\.csv"):
        list(read_notes(tmp_path / "notes.xlsx"))


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("Seen on 03/14/2019 and 2019-03-15, admitted Sep 27 2007, seen March 3, 2008.",
         "Seen on [DATE] and [DATE], admitted [DATE], seen [DATE]."),
        ("Call 617-555-0123 or (617) 555-0199; email jane.roe@example.org.",
         "Call [PHONE] or [PHONE]; email [EMAIL]."),
        ("MRN: 00123456. Acct #: A-99812. SSN 123-45-6789.", "MRN: [MRN]. Acct #: [MRN]. SSN [MRN]."),
        ("Dr. Jane Roe saw Mrs. Green.", "Dr. [NAME] saw Mrs. [NAME]."),
        ("Patient Name: John A. Smith  DOB: 1/2/1956", "Patient Name: [NAME]  DOB: [DATE]"),
        ("Electronically signed by: Robert Brown, MD\n-- Alice Walker\n",
         "Electronically signed by: [NAME], MD\n-- [NAME]\n"),
        ("A 92-year-old woman.", "A [AGE]-year-old woman."),
        ("Aspirin 81 mg daily; BP 120/80; Hb 12.5; denies chest pain.",
         "Aspirin 81 mg daily; BP 120/80; Hb 12.5; denies chest pain."),  # clinical values stay
    ],
)
def test_phi_masking(text: str, masked: str) -> None:
    assert mask_phi(text) == masked


def test_phi_masking_of_negex_deidentification_marks(shared_data: Path) -> None:
    header = next(s for s in _negex_sentences(shared_data, 40) if "**NAME[" in s and "**DATE[" in s)
    masked = mask_phi(header)
    assert "**NAME[" not in masked and "**DATE[" not in masked and "[NAME]" in masked and "[DATE]" in masked


def test_snippet_masks_a_value_whose_label_lies_outside_it() -> None:
    text = "Patient Name: John Smith\nSmith reports chest pain. MRN: 998877\n"
    masker = PhiMasker(text)
    start = text.index("Name:") + len("Name: ")
    assert masker.mask(start, start + 10) == "[NAME]"
    assert [s.label for s in find_phi(text)] == ["NAME", "MRN"]


@pytest.fixture(scope="module")
def hpo_terms(shared_data: Path):
    return {t.curie: t for t in load_hpo_terms(shared_data / "vocab" / "hp.json")}


def test_hpo_finding_terms(hpo_terms) -> None:
    chest_pain = hpo_terms["HP:0100749"]
    assert chest_pain.name == "Chest pain" and "Chest pain" in chest_pain.phrases
    assert "MESH:D002637" in chest_pain.xrefs
    assert "Shortness of breath" in hpo_terms["HP:0002094"].phrases
    assert "HP:0012825" not in hpo_terms  # "Mild" is a clinical modifier, not a finding
    assert "HP:0000006" not in hpo_terms  # autosomal dominant inheritance
    phrases = {p for t in hpo_terms.values() for p in t.phrases}
    assert not {"RA", "CP", "MI", "COPD"} & phrases  # acronyms mean other things in notes (room air, chest pain)


@pytest.mark.parametrize("n_process", [1, 2])
def test_a_note_that_breaks_the_pipeline_is_reported_by_id_and_the_rest_go_on(n_process: int) -> None:
    import spacy
    from spacy.language import Language

    from ingest.assertion import ASSERTION
    from ingest.findings import FINDINGS, FindingTerm
    from ingest.linking import register_extensions
    from ingest.note_pipeline import LINE_SENTENCES, NoteExtractor
    from ingest.records import Document

    @Language.component("test_fails_on_marker")  # re-registering the same name is allowed
    def fails_on_marker(doc):
        if "BOOM" in doc.text:
            raise ValueError(f"cannot handle {doc.text!r}")
        return doc

    register_extensions()
    nlp = spacy.blank("en")
    nlp.add_pipe(LINE_SENTENCES)
    nlp.add_pipe("sentencizer")
    nlp.add_pipe(FINDINGS).set_terms([FindingTerm("HP:0100749", "Chest pain", ("Chest pain",))])
    nlp.add_pipe(ASSERTION)
    nlp.add_pipe("test_fails_on_marker")
    notes = [Document(i, "note", "", t) for i, t in
             [("n1", "Denies chest pain."), ("n2", "Secret BOOM text"), ("n3", "CHEST PAIN since Monday.")]]
    errors: list[tuple[str, str]] = []
    extractor = NoteExtractor(nlp, batch_size=2, n_process=n_process)
    found = list(extractor.extract(notes, lambda d, r: errors.append((d.id, r))))
    assert [(ex.document.id, [(m.curie, m.assertion) for m in ex.mentions]) for ex in found] == [
        ("n1", [("HP:0100749", "negated")]), ("n3", [("HP:0100749", "affirmed")])]
    assert errors == [("n2", "pipeline failed on this note (ValueError)")]


def test_line_sentences_split_lists_and_headers_not_wrapped_prose() -> None:
    import spacy

    from ingest.note_pipeline import LINE_SENTENCES

    nlp = spacy.blank("en")
    nlp.add_pipe(LINE_SENTENCES)
    nlp.add_pipe("sentencizer")
    doc = nlp("ROS: denies fever\nCough present\n- rash\n\nthe patient has a\nheadache")
    assert [s.text.strip() for s in doc.sents] == ["ROS: denies fever", "Cough present", "- rash",
                                                  "the patient has a\nheadache"]


def test_job_reader_rejects_repeated_ids_across_files_and_overlong_notes(tmp_path: Path) -> None:
    from kg_engine.clinical import read_note_sources
    from kg_engine.load.deadletter import DeadLetter

    (tmp_path / "a.jsonl").write_text(json.dumps({"id": "n1", "text": "No fever."}) + "\n", encoding="utf-8")
    (tmp_path / "b.csv").write_text("id,text\nn1,Cough.\nn2,Fever and a very long text\n", encoding="utf-8")
    with DeadLetter(tmp_path / "dead.jsonl") as dead:
        docs = list(read_note_sources([tmp_path / "a.jsonl", tmp_path / "b.csv"], dead, max_chars=20))
    assert [d.id for d in docs] == ["n1"]
    rows = [json.loads(line) for line in (tmp_path / "dead.jsonl").read_text().splitlines()]
    assert [(Path(r["file"]).name, r["line"], r["record"]) for r in rows] == [
        ("b.csv", 2, {"note_id": "n1"}), ("b.csv", 3, {"note_id": "n2"})]
    assert "already read at" in rows[0]["reason"] and "at most 20" in rows[1]["reason"]
    assert all("Cough" not in r["reason"] and "Fever" not in r["reason"] for r in rows)
