from __future__ import annotations

from pathlib import Path

import pytest

from ingest.readers import (
    MalformedDocument,
    read_any,
    read_bioc,
    read_iob,
    read_pubmed_xml,
    read_pubtator,
    read_text_folder,
)


@pytest.fixture(scope="module")
def cdr_dev(shared_data: Path) -> Path:
    return shared_data / "bc5cdr" / "CDR_DevelopmentSet.PubTator.txt"


def _collect(reader, path):
    errors = []
    docs = list(reader(path, errors.append))
    return docs, errors


def test_pubtator_reads_every_document_with_gold(cdr_dev):
    docs, errors = _collect(read_pubtator, cdr_dev)
    assert len(docs) == 500 and errors == []
    first = docs[0]
    assert first.text == f"{first.title} {first.text[len(first.title) + 1:]}"
    for m in first.meta["gold_mentions"]:
        assert first.text[m.start : m.end] == m.text
    assert all(len(r) == 3 for d in docs for r in d.meta["gold_relations"])


def test_bioc_matches_pubtator(shared_data, cdr_dev):
    bioc, errors = _collect(read_bioc, shared_data / "bc5cdr" / "CDR_DevelopmentSet.BioC.xml")
    pubtator, _ = _collect(read_pubtator, cdr_dev)
    assert errors == [] and len(bioc) == 500
    assert [d.text for d in bioc[:50]] == [d.text for d in pubtator[:50]]
    assert bioc[0].meta["gold_relations"] == pubtator[0].meta["gold_relations"]


def test_garbled_pubtator_dead_letters_bad_documents_and_keeps_the_rest(cdr_dev, tmp_path):
    blocks = cdr_dev.read_text().split("\n\n")[:6]
    lines = blocks[1].splitlines()
    blocks[1] = "\n".join([lines[0], *lines[2:]])  # abstract line lost
    lines = blocks[3].splitlines()
    blocks[3] = "\n".join([*lines[:2], lines[2].replace("\t", "\tX", 1)])  # offsets not integers
    blocks[5] = blocks[5][: len(blocks[5]) // 2]  # truncated mid-annotation
    path = tmp_path / "garbled.txt"
    path.write_text("\n\n".join(blocks) + "\n")
    docs, errors = _collect(read_pubtator, path)
    assert len(errors) >= 2 and all(e.file == str(path) and e.line for e in errors)
    assert {e.doc_id for e in errors} >= {blocks[1].split("|")[0], blocks[3].split("|")[0]}
    assert [d.id for d in docs][:3] == [blocks[0].split("|")[0], blocks[2].split("|")[0], blocks[4].split("|")[0]]
    with pytest.raises(MalformedDocument, match=r"garbled\.txt"):
        list(read_pubtator(path))


def test_pubmed_xml(cdr_dev, tmp_path):
    docs, _ = _collect(read_pubtator, cdr_dev)
    articles = "".join(
        f"<PubmedArticle><MedlineCitation><PMID>{d.id}</PMID><Article><ArticleTitle>{d.title}</ArticleTitle>"
        f"<Abstract><AbstractText>{d.text[len(d.title) + 1:]}</AbstractText></Abstract></Article>"
        "</MedlineCitation></PubmedArticle>"
        for d in docs[:3]
    )

    path = tmp_path / "pubmed.xml"
    path.write_text(f"<?xml version='1.0'?><PubmedArticleSet>{articles}<PubmedArticle><MedlineCitation>"
                    "</MedlineCitation></PubmedArticle></PubmedArticleSet>")
    read, errors = _collect(read_pubmed_xml, path)
    assert [d.text for d in read] == [d.text for d in docs[:3]]
    assert len(errors) == 1 and "without PMID" in errors[0].reason
    assert [d.id for d in read_any(path, lambda e: None)] == [d.id for d in docs[:3]]


def test_truncated_xml_reports_and_keeps_earlier_documents(shared_data, tmp_path):
    text = (shared_data / "bc5cdr" / "CDR_DevelopmentSet.BioC.xml").read_text()
    cut = text.index("</document>", text.index("</document>") + 1) + len("</document>") + 20
    path = tmp_path / "cut.xml"
    path.write_text(text[:cut])
    docs, errors = _collect(read_bioc, path)
    assert len(docs) == 2 and len(errors) == 1 and "XML error" in errors[0].reason


def test_text_folder_and_iob(tmp_path, shared_data):
    (tmp_path / "notes" / "a").mkdir(parents=True)
    (tmp_path / "notes" / "a" / "one.txt").write_text("Imatinib in CML.\nSecond line.")
    (tmp_path / "notes" / "empty.txt").write_text("  ")
    docs, errors = _collect(read_text_folder, tmp_path / "notes")
    assert [d.id for d in docs] == ["a/one"] and docs[0].title == "Imatinib in CML."
    assert len(errors) == 1 and "empty" in errors[0].reason
    genes, errors = _collect(read_iob, shared_data / "bc2gm" / "devel.tsv")
    assert errors == [] and len(genes) > 2000
    assert all(d.text[m.start : m.end] == m.text for d in genes[:200] for m in d.meta["gold_mentions"])
