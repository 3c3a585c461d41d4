"""Agreement of text-mined associations with curated sources, on real abstracts through the pipeline."""

from __future__ import annotations

from ingest.pipeline import Extractor
from ingest.readers import read_pubtator
from kg_engine.association_eval import evaluate, references


def test_references_hold_the_curated_pairs(shared_data):
    refs = references(shared_data)
    assert len(refs["chemical_treats_disease"].pairs) == 755 + 390  # PharmacotherapyDB DM + SYM
    assert ("DRUGBANK:DB00843", "DOID:10652") in refs["chemical_treats_disease"].pairs  # donepezil, Alzheimer's
    gene_disease = refs["gene_associated_with_disease"].pairs
    assert all(g.startswith("NCBIGene:") and d.startswith("DOID:") for g, d in gene_disease)


def test_extracted_pairs_are_a_subset_of_co_occurrences(nlp, shared_data):
    docs = read_pubtator(shared_data / "bc5cdr" / "CDR_DevelopmentSet.PubTator.txt")
    extractions = list(Extractor(nlp).extract(d for _, d in zip(range(40), docs, strict=False)))
    result = evaluate(extractions, references(shared_data))
    treats = result["chemical_treats_disease"]
    assert 0 < treats["extracted"]["pairs"] <= treats["sentence"]["pairs"] <= treats["document"]["pairs"]
    for kind in result.values():
        for group in ("extracted", "sentence", "document"):
            counts = kind[group]
            assert counts["asserted_by_source"] <= counts["both_ends_known"] <= counts["pairs"]
    cid = treats["bc5cdr_cid_pairs"]
    assert cid["extracted_that_are_cid"] <= cid["extracted"]
