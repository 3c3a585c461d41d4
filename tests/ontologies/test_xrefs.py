"""Cross-reference maps read from the real vocabulary files of the shared data folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from ontologies.curies import CurieError
from ontologies.data import vocab_dir
from ontologies.xrefs import CrossReferences, XrefMap, gene_symbol_index, mesh_doid

try:
    VOCAB: Path = vocab_dir()
except FileNotFoundError as err:
    pytest.skip(f"vocabulary data not found, cross-reference tests need it ({err})", allow_module_level=True)


@pytest.fixture(scope="module")
def xrefs() -> CrossReferences:
    return CrossReferences.from_dir(VOCAB)


def _max_fanout(xmap: XrefMap) -> int:
    return max(len(values) for values in xmap.forward_index.values())


# MeSH <-> DOID


def test_type_2_diabetes_mesh_doid(xrefs: CrossReferences) -> None:
    assert xrefs.mesh_doid.forward("MESH:D003924") == ("DOID:9352",)
    assert "MESH:D003924" in xrefs.mesh_doid.backward("DOID:9352")


def test_mesh_doid_normalises_lookups(xrefs: CrossReferences) -> None:
    assert xrefs.mesh_doid.forward("mesh:D003924") == ("DOID:9352",)
    assert xrefs.mesh_doid.forward("D003924") == ("DOID:9352",)
    assert xrefs.mesh_doid.backward("doid:9352") == xrefs.mesh_doid.backward("DOID:9352")


def test_mesh_doid_other_known_pairs(xrefs: CrossReferences) -> None:
    assert ("MESH:D004194", "DOID:4") in xrefs.mesh_doid  # disease
    assert ("MESH:D009140", "DOID:17") in xrefs.mesh_doid  # musculoskeletal system disease


def test_mesh_doid_is_many_to_many(xrefs: CrossReferences) -> None:
    assert len(xrefs.mesh_doid.forward("MESH:D008579")) > 5  # one MeSH term, many DOIDs
    assert _max_fanout(xrefs.mesh_doid.inverse()) >= 2  # one DOID, several MeSH terms


def test_mesh_doid_size_and_id_shapes(xrefs: CrossReferences) -> None:
    xmap = xrefs.mesh_doid
    assert len(xmap) > 3500
    assert all(left.startswith("MESH:") for left in xmap.forward_index)
    assert all(right.startswith("DOID:") for right in xmap.backward_index)
    assert any(left.startswith("MESH:C") for left in xmap.forward_index)  # supplementary concepts too
    assert xmap.skipped == 0


def test_mesh_doid_maps_primary_ids_only(xrefs: CrossReferences) -> None:
    assert xrefs.mesh_doid.backward("DOID:6309") == ()  # an alt_id of DOID:15


def test_unmapped_and_malformed_lookups(xrefs: CrossReferences) -> None:
    assert xrefs.mesh_doid.forward("MESH:D000001") == ()
    with pytest.raises(CurieError):
        xrefs.mesh_doid.forward("12345")


def test_standalone_reader_matches_bundle(xrefs: CrossReferences) -> None:
    assert mesh_doid(VOCAB) == xrefs.mesh_doid


# HGNC <-> NCBIGene and symbols


def test_abl1_hgnc_ncbigene(xrefs: CrossReferences) -> None:
    assert xrefs.hgnc_ncbigene.forward("HGNC:76") == ("NCBIGene:25",)
    assert xrefs.hgnc_ncbigene.backward("NCBIGene:25") == ("HGNC:76",)
    assert xrefs.hgnc_ncbigene.forward("HGNC:5") == ("NCBIGene:1",)


def test_hgnc_ncbigene_is_one_to_one_and_large(xrefs: CrossReferences) -> None:
    xmap = xrefs.hgnc_ncbigene
    assert len(xmap) > 40_000
    assert _max_fanout(xmap) == 1
    assert _max_fanout(xmap.inverse()) == 1


def test_withdrawn_entries_have_no_gene(xrefs: CrossReferences) -> None:
    assert xrefs.hgnc_ncbigene.forward("HGNC:6") == ()  # A1S9T, symbol withdrawn
    assert len(xrefs.hgnc_genes.rows) > len(xrefs.hgnc_ncbigene)


def test_gene_symbols(xrefs: CrossReferences) -> None:
    assert xrefs.gene_symbols["NCBIGene:25"] == "ABL1"
    assert xrefs.gene_symbols["NCBIGene:1956"] == "EGFR"
    assert xrefs.gene_symbols["NCBIGene:7157"] == "TP53"
    assert len(xrefs.gene_symbols) == len(xrefs.hgnc_ncbigene)


def test_gene_symbol_index_symbols_aliases_previous(xrefs: CrossReferences) -> None:
    index = xrefs.gene_symbol_index
    assert index["ABL1"] == "NCBIGene:25"
    assert index["C-ABL"] == "NCBIGene:25"  # alias, upper-cased
    assert index["ABL"] == "NCBIGene:25"  # previous symbol
    assert index["P53"] == "NCBIGene:7157"


def test_approved_symbols_win_over_other_genes_aliases(xrefs: CrossReferences) -> None:
    index = xrefs.gene_symbol_index
    assert index["CAD"] == xrefs.hgnc_ncbigene.forward("HGNC:1424")[0]  # CAD is also an alias of ACOD1
    wrong = [
        gene.symbol
        for gene in xrefs.hgnc_genes.rows
        if gene.approved and gene.ncbigene and index.get(gene.symbol.upper()) != gene.ncbigene
    ]
    assert wrong == []


def test_ambiguous_aliases_are_left_out(xrefs: CrossReferences) -> None:
    owners = {
        gene.ncbigene for gene in xrefs.hgnc_genes.rows if gene.approved and gene.ncbigene and "ASP" in gene.aliases
    }
    assert len(owners) > 1
    assert "ASP" not in xrefs.gene_symbol_index


def test_gene_symbol_index_function(xrefs: CrossReferences) -> None:
    assert gene_symbol_index(VOCAB) == xrefs.gene_symbol_index


# DrugBank names, ChEBI and MeSH


def test_drugbank_names(xrefs: CrossReferences) -> None:
    imatinib = xrefs.drugbank_names["DRUGBANK:DB00619"]
    assert imatinib.name == "Imatinib"
    assert "Imatinibum" in imatinib.synonyms
    metformin = xrefs.drugbank_names["DRUGBANK:DB00331"]
    assert metformin.name == "Metformin"
    assert "1,1-Dimethylbiguanide" in metformin.synonyms
    assert len(xrefs.drugbank_names) > 14_000


def test_drugbank_quoted_synonyms_with_separators(xrefs: CrossReferences) -> None:
    menotropins = xrefs.drugbank_names["DRUGBANK:DB00032"]  # a quoted field holding ';'
    assert "Menotropins (FSH;LH)" in menotropins.synonyms
    phenytoin = xrefs.drugbank_names["DRUGBANK:DB00252"]  # a synonym followed by a stray tab
    assert all(s == s.strip() for s in phenytoin.synonyms)


def test_drugbank_name_index(xrefs: CrossReferences) -> None:
    index = xrefs.drugbank_name_index
    assert index["imatinib"] == "DRUGBANK:DB00619"
    assert index["metformin"] == "DRUGBANK:DB00331"
    assert index["metformina"] == "DRUGBANK:DB00331"
    assert all(key == key.lower() for key in index)
    assert index["tmp"] == "DRUGBANK:DB04243"  # common name of DB04243 beats a synonym of DB01643
    assert index["gold sodium thiosulfate"] == "DRUGBANK:DB15974"


def test_drugbank_chebi(xrefs: CrossReferences) -> None:
    assert set(xrefs.drugbank_chebi.forward("DB00619")) == {"CHEBI:31690", "CHEBI:45783"}
    assert xrefs.drugbank_chebi.forward("DB00331") == ("CHEBI:6801", "CHEBI:6802")
    assert len(xrefs.drugbank_chebi) > 5000
    assert 0 < xrefs.drugbank_chebi.skipped < 100  # DrugBank salt ids (DBSALT...) are not drug ids


@pytest.mark.parametrize(
    ("drug", "mesh"),
    [("DB00121", "MESH:D001710"), ("DB00122", "MESH:D002794"), ("DB00014", "MESH:D017273")],
)
def test_drugbank_mesh_through_chebi(xrefs: CrossReferences, drug: str, mesh: str) -> None:
    assert mesh in xrefs.drugbank_mesh.forward(drug)  # biotin, choline, goserelin
    assert f"DRUGBANK:{drug}" in xrefs.drugbank_mesh.backward(mesh)


def test_drugbank_mesh_size(xrefs: CrossReferences) -> None:
    assert xrefs.drugbank_mesh.name == "DRUGBANK->MESH"
    assert len(xrefs.drugbank_mesh) > 1000


# The bundle


def test_bundle_caches_each_map(xrefs: CrossReferences) -> None:
    assert xrefs.mesh_doid is xrefs.mesh_doid
    assert xrefs.gene_symbol_index is xrefs.gene_symbol_index


def test_skipped_counts_per_file(xrefs: CrossReferences) -> None:
    skipped = xrefs.skipped
    assert set(skipped) == {
        "doid.json",
        "hgnc.tsv",
        "drugbank_vocabulary.csv",
        "drugbank_mappings.tsv",
        "mesh_chebi_mappings.tsv",
    }
    assert skipped["hgnc.tsv"] == 0 and skipped["drugbank_vocabulary.csv"] == 0


def test_default_uses_the_data_folder() -> None:
    assert CrossReferences.default().vocab_dir == VOCAB
