from __future__ import annotations

import json

from ingest.evaluate import concept_scores, mention_scores
from ingest.pipeline import Extractor, packaged_model_dir


def test_packaged_model_has_a_card_and_both_components(nlp):
    card = json.loads((packaged_model_dir() / "MODEL_CARD.json").read_text())
    assert {"command", "seed", "dev_scores", "data"} <= set(card)
    assert nlp.pipe_names == ["sentencizer", "ner_chem_disease", "ner_gene", "kg_dictionary", "abbreviation_detector",
                              "kg_linker", "kg_relations"]
    assert (packaged_model_dir() / "meta.json").is_file()


def test_known_mentions_are_found_and_linked(nlp):
    text = ("Naloxone reverses the antihypertensive effect of clonidine. Imatinib inhibits the BCR-ABL1 kinase "
            "in chronic myeloid leukemia (CML); CML patients on imatinib rarely develop hepatotoxicity.")
    doc = nlp(text)
    found = {(e.text, e.label_, e._.curie) for e in doc.ents}
    assert ("Naloxone", "Chemical", "MESH:D009270") in found
    assert ("clonidine", "Chemical", "MESH:D003000") in found
    naloxone = next(e for e in doc.ents if e.text == "Naloxone")
    assert "DRUGBANK:DB01183" in naloxone._.xrefs
    cml = [e for e in doc.ents if e.text == "CML"]
    assert cml and all(e.label_ == "Disease" and e._.curie for e in cml)  # abbreviation via its long form


def test_dev_subset_quality_is_in_range(nlp, dev_docs):
    extractions = list(Extractor(nlp).extract(dev_docs[:60]))
    for ex in extractions:
        for m in ex.mentions:
            assert ex.document.text[m.start : m.end] == m.text
    mentions = mention_scores(extractions, ["Chemical", "Disease"])
    concepts = concept_scores(extractions, ["Chemical", "Disease"])
    # Loose floors on 60 abstracts: they catch a broken pipeline, not a regression of a point or two.
    assert mentions["all"]["f1"] > 0.7
    assert concepts["Chemical"]["f1"] > 0.7 and concepts["Disease"]["f1"] > 0.65


def test_extraction_json_shape(nlp, dev_docs):
    [ex] = list(Extractor(nlp).extract(dev_docs[:1]))
    line = ex.to_json()
    assert line["doc_id"] == dev_docs[0].id
    assert all(set(r) == {"subject", "predicate", "object", "score", "evidence"} for r in line["relations"])
    first = line["mentions"][0]
    assert set(first) == {"start", "end", "text", "type", "curie", "xrefs", "score"}


def test_two_workers_give_the_same_extractions(nlp, dev_docs):
    one = [ex.to_json() for ex in Extractor(nlp, batch_size=8).extract(dev_docs[:24])]
    two = [ex.to_json() for ex in Extractor(nlp, batch_size=8, n_process=2).extract(dev_docs[:24])]
    assert one == two and len(one) == 24
