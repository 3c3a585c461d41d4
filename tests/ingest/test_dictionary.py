"""The MeSH disease dictionary pass, on the real vocabularies and BC5CDR."""

from __future__ import annotations

import pytest

from ingest.dictionary import DICTIONARY, MIN_ANNOTATED, dictionary_terms, find
from ingest.readers import read_pubtator
from kg_engine.config import Settings
from kg_engine.kb import load_dictionary, load_or_build


@pytest.fixture(scope="module")
def index(kb_home, shared_data):
    return load_or_build(Settings.load(home=kb_home, data_dir=shared_data))


@pytest.fixture(scope="module")
def terms(kb_home, shared_data, index):
    return load_dictionary(Settings.load(home=kb_home, data_dir=shared_data), index)


def test_find_is_leftmost_longest_over_words():
    terms = {"renal failure": "Disease", "acute renal failure": "Disease", "failure": "Disease"}
    text = "Acute renal failure (ARF) and heart failure followed."
    found = [(text[m.start : m.end], m.name) for m in find(text, terms)]
    assert found == [("Acute renal failure", "acute renal failure"), ("failure", "failure")]


def test_dictionary_holds_mesh_disease_names_less_those_rarely_annotated(terms, index, shared_data):
    assert terms["drowsiness"] == "Disease" and terms["vomiting"] == "Disease" and terms["paranoia"] == "Disease"
    assert terms["etoricoxib"] == terms["remifentanil"] == terms["metformin"] == "Chemical"  # drugs
    assert "local anesthetics" not in terms and "drinking water" not in terms  # chemicals, not drugs
    for name, etype in list(terms.items())[::50]:
        curie = index.exact[(etype, name)]
        if etype == "Disease":
            assert curie.startswith("MESH:D")
        else:
            assert curie.startswith("DRUGBANK:") or any(x.startswith("DRUGBANK:") for x in index.links[curie].xrefs)
    # "disease" and "syndrome" are MeSH names but are never annotated alone in BC5CDR
    assert "disease" not in terms and "syndrome" not in terms
    corpora = [shared_data / "bc5cdr" / f"CDR_{split}Set.PubTator.txt" for split in ("Training", "Development")]
    annotated = [doc for path in corpora for doc in read_pubtator(path)]  # the default KG_CURATED=all
    without_corpus = dictionary_terms(index, [])
    dropped = set(without_corpus) - set(terms)
    assert {"disease", "syndrome"} <= dropped and len(dropped) < 100
    seen = {name: [0, 0] for name in dropped}
    for doc in annotated:
        gold = {(m.start, m.end) for m in doc.meta["gold_mentions"]}
        for m in find(doc.text, without_corpus):
            if m.name in seen:
                seen[m.name][0] += 1
                seen[m.name][1] += (m.start, m.end) in gold
    assert all(n >= 2 and hits / n < MIN_ANNOTATED for n, hits in seen.values())


def test_pass_adds_missed_names_without_overlapping_the_ner(nlp):
    matcher = nlp.get_pipe(DICTIONARY)
    doc = nlp.make_doc("Drowsiness and vomiting followed lithium intoxication in two patients.")
    doc.ents = [doc.char_span(33, 40, label="Chemical"), doc.char_span(0, 10, label="Disease")]  # lithium
    doc = matcher(doc)
    ents = {(e.text, e.label_) for e in doc.ents}
    assert ("vomiting", "Disease") in ents and ("lithium", "Chemical") in ents
    assert ("Drowsiness", "Disease") in ents and len([e for e in doc.ents if e.start_char == 0]) == 1


def test_pipeline_links_a_disease_only_the_dictionary_finds(nlp):
    text = "The patient developed paranoia and drowsiness after etoricoxib."
    with nlp.select_pipes(disable=[DICTIONARY]):
        assert "drowsiness" not in {e.text for e in nlp(text).ents}, "the NER finds it: pick another example"
    found = {(e.text, e.label_, e._.curie) for e in nlp(text).ents}
    assert ("drowsiness", "Disease", "MESH:D006970") in found


def test_names_the_ner_tagged_are_found_again_in_the_same_document(nlp):
    matcher = nlp.get_pipe(DICTIONARY)
    doc = nlp.make_doc("PAN caused proteinuria in rats. Rats given PAN lost weight.")
    assert "pan" not in matcher.terms  # too short for the dictionary: only the document knows it
    doc.ents = [doc.char_span(0, 3, label="Chemical")]
    doc = matcher(doc)
    assert [(e.text, e.label_, e.start_char) for e in doc.ents if e.label_ == "Chemical"] == [
        ("PAN", "Chemical", 0), ("PAN", "Chemical", 43)]
