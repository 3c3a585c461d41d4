"""CURIE normalisation: Hetionet ids, bare ids, prefix spellings and errors."""

from __future__ import annotations

import pytest

from ontologies.curies import CurieError, hetionet_curie, normalize_curie, split_curie


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Gene::1956", "NCBIGene:1956"),
        ("Compound::DB00619", "DRUGBANK:DB00619"),
        ("Disease::DOID:1324", "DOID:1324"),
        ("Anatomy::UBERON:0000002", "UBERON:0000002"),
        ("Biological Process::GO:0000002", "GO:0000002"),
        ("Side Effect::C0000727", "UMLS:C0000727"),
        ("Symptom::D000006", "MESH:D000006"),
        ("Pharmacologic Class::N0000000069", "NDFRT:N0000000069"),
        ("Pathway::PC7_10399", "PATHWAYCOMMONS:PC7_10399"),
        ("Pathway::WP100_r74146", "WIKIPATHWAYS:WP100_r74146"),
    ],
)
def test_hetionet_ids(raw: str, expected: str) -> None:
    assert normalize_curie(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("DB00619", "DRUGBANK:DB00619"),
        ("D009270", "MESH:D009270"),
        ("C000657245", "MESH:C000657245"),  # MeSH supplementary concept (C + 9 digits)
        ("C535283", "MESH:C535283"),  # older MeSH supplementary concept (C + 6 digits)
        ("C0000727", "UMLS:C0000727"),  # UMLS CUI (C + 7 digits)
        ("R-HSA-109581", "REACT:R-HSA-109581"),
        ("  DB00331 ", "DRUGBANK:DB00331"),
    ],
)
def test_bare_ids_by_shape(raw: str, expected: str) -> None:
    assert normalize_curie(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("DOID:1324", "DOID:1324"),
        ("MESH:D009270", "MESH:D009270"),
        ("mesh:D009270", "MESH:D009270"),
        ("MSH:D009270", "MESH:D009270"),
        ("HP:0001945", "HP:0001945"),
        ("hp:0001945", "HP:0001945"),
        ("UBERON:0002107", "UBERON:0002107"),
        ("GO:0008150", "GO:0008150"),
        ("ncbigene:1956", "NCBIGene:1956"),
        ("Entrez:1956", "NCBIGene:1956"),
        ("drugbank:DB00619", "DRUGBANK:DB00619"),
        ("chebi:45783", "CHEBI:45783"),
        ("UMLS_CUI:C0011860", "UMLS:C0011860"),
        ("HGNC:76", "HGNC:76"),
    ],
)
def test_prefixed_ids(raw: str, expected: str) -> None:
    assert normalize_curie(raw) == expected


def test_default_prefix_for_ambiguous_bare_ids() -> None:
    assert normalize_curie("1956", default_prefix="ncbigene") == "NCBIGene:1956"
    assert normalize_curie("DB00619", default_prefix="MESH") == "DRUGBANK:DB00619"  # shape wins


@pytest.mark.parametrize("raw", ["1956", "EGFR", "12345", "", "   "])
def test_unknown_bare_ids_raise(raw: str) -> None:
    with pytest.raises(CurieError):
        normalize_curie(raw)


def test_unknown_prefix_raises_and_names_it() -> None:
    with pytest.raises(CurieError, match="FOO"):
        normalize_curie("FOO:123")


def test_curie_error_is_a_value_error() -> None:
    assert issubclass(CurieError, ValueError)


@pytest.mark.parametrize(
    "raw", ["Gene::1956", "DB00619", "mesh:D009270", "DOID:1324", "HP:0001945", "GO:0008150", "C0000727"]
)
def test_split_join_round_trip(raw: str) -> None:
    curie = normalize_curie(raw)
    prefix, local = split_curie(curie)
    assert f"{prefix}:{local}" == curie
    assert normalize_curie(f"{prefix}:{local}") == curie


def test_split_keeps_colons_in_the_local_id() -> None:
    assert split_curie("DOID:1324") == ("DOID", "1324")
    assert split_curie("NOTE:a:b") == ("NOTE", "a:b")


@pytest.mark.parametrize("bad", ["DOID", "DOID:", "1324"])
def test_split_rejects_non_curies(bad: str) -> None:
    with pytest.raises(CurieError):
        split_curie(bad)


def test_hetionet_curie_for_prefixed_kinds() -> None:
    assert hetionet_curie("Disease", "DOID:9352") == "DOID:9352"
    assert hetionet_curie("Gene", " 25 ") == "NCBIGene:25"
