"""XrefMap behaviour and malformed-input handling, on small files written by the tests."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ontologies.curies import CurieError
from ontologies.xrefs import (
    CrossReferences,
    XrefMap,
    canonical_id,
    drugbank_chebi,
    drugbank_mesh,
    drugbank_name_index,
    drugbank_names,
    gene_symbol_index,
    gene_symbols,
    hgnc_ncbigene,
    mesh_doid,
    read_hgnc,
)

HGNC_HEADER = (
    "HGNC ID\tApproved symbol\tApproved name\tStatus\tAlias symbols\tNCBI Gene ID(supplied by NCBI)\tPrevious symbols"
)


def _write(folder: Path, name: str, lines: list[str]) -> None:
    (folder / name).write_text("\n".join(lines) + "\n", encoding="utf-8")


@pytest.fixture
def vocab(tmp_path: Path) -> Path:
    doid = [
        {"id": "DOID:9352", "name": "type 2 diabetes", "xrefs": [{"id": "D003924", "namespace": "MESH"}]},
        {"id": "DOID:1", "name": "x", "xrefs": [{"id": "MESH:D000001", "namespace": "msh"}, "junk"]},
        {"id": "DOID:2", "name": "obsolete thing", "xrefs": [{"id": "D000002", "namespace": "MESH"}]},
        {"id": "DOID:3", "name": "y", "is_obsolete": True, "xrefs": [{"id": "D000003", "namespace": "MESH"}]},
        {"id": "DOID:4", "name": "z", "xrefs": [{"id": "not-a-mesh-id", "namespace": "MESH"}]},
        {"name": "no id"},
        ["not", "a", "record"],
    ]
    (tmp_path / "doid.json").write_text(json.dumps(doid), encoding="utf-8")
    _write(
        tmp_path,
        "hgnc.tsv",
        [
            HGNC_HEADER,
            "HGNC:76\tABL1\tABL proto-oncogene 1\tApproved\tJTK7, c-ABL, SHARED\t25\tABL",
            "HGNC:1424\tCAD\tcarbamoyl-phosphate synthetase 2\tApproved\t\t790\t",
            "HGNC:33904\tACOD1\taconitate decarboxylase 1\tApproved\tCAD, SHARED\t730249\t",
            "HGNC:6\tA1S9T\tsymbol withdrawn\tSymbol Withdrawn\t\t\t",
            "HGNC:7\ttoo\tfew\tfields",
            "HGNC:x\tBAD\tbad id\tApproved\t\t1\t",
            "HGNC:8\tBAD2\tbad gene id\tApproved\t\tnot-a-number\t",
            "",
        ],
    )
    _write(
        tmp_path,
        "drugbank_vocabulary.csv",
        [
            "DrugBank ID;Accession Numbers;Common name;CAS;UNII;Synonyms;Standard InChI Key",
            "DB00619;APRD01028;Imatinib;152459-95-5;X;Imatinib | Imatinibum;KEY",
            'DB00032;;Menotropins;9002-68-0;X;"Menotrophin | Menotropins (FSH;LH)\t | TMP";',
            "DB00331;;Metformin;657-24-9;X;Metformina | TMP;KEY",
            "DB99;;Broken id;;;;",
            "DB00001;too few fields",
        ],
    )
    _write(
        tmp_path,
        "drugbank_mappings.tsv",
        [
            "DRUGBANK_ID\tNAMESPACE\tID\tSOURCE",
            "DB00619\tCHEBI\t45783\tchebi",
            "DB00619\tCHEMBL\tCHEMBL941\tdrugbank",
            "DB00331\tCHEBI\t6801\tchebi",
            "DBSALT000064\tCHEBI\t53509\tchebi",
            "DB00331\tCHEBI",
        ],
    )
    _write(
        tmp_path,
        "mesh_chebi_mappings.tsv",
        [
            "MESH\tD008687\tMetformin\tCHEBI\tCHEBI:6801\tmetformin",
            "MESH\tC000002\tbevonium\tCHEBI\tCHEBI:135495\tbevonium",
            "MESH\tC000596385\tJalili syndrome\tDOID\tDOID:0111404\tJalili syndrome",
            "MESH\tbad\tbad\tCHEBI\tCHEBI:1\tbad",
        ],
    )
    return tmp_path


# XrefMap


def test_from_pairs_normalises_and_deduplicates() -> None:
    xmap = XrefMap.from_pairs(
        [("mesh:D003924", "DOID:9352"), ("D003924", "doid:9352"), ("MESH:D000001", "DOID:1")], "MESH->DOID"
    )
    assert len(xmap) == 2
    assert xmap.forward("MESH:D003924") == ("DOID:9352",)
    assert xmap.backward("DOID:1") == ("MESH:D000001",)


def test_from_pairs_rejects_ids_without_vocabulary() -> None:
    with pytest.raises(CurieError):
        XrefMap.from_pairs([("12345", "DOID:1")])


def test_many_to_many_lookups_are_sorted() -> None:
    xmap = XrefMap.from_pairs([("UMLS:C0011860", "DOID:2"), ("MESH:D1", "DOID:2"), ("MESH:D1", "DOID:1")])
    assert xmap.forward("MESH:D1") == ("DOID:1", "DOID:2")
    assert xmap.backward("DOID:2") == ("MESH:D1", "UMLS:C0011860")


def test_inverse_compose_contains_pairs() -> None:
    ab = XrefMap.from_pairs([("DRUGBANK:DB1", "CHEBI:1"), ("DRUGBANK:DB2", "CHEBI:2")], "DRUGBANK->CHEBI", 1)
    bc = XrefMap.from_pairs([("CHEBI:1", "MESH:D1"), ("CHEBI:1", "MESH:C1"), ("CHEBI:3", "MESH:D3")], "CHEBI->MESH", 2)
    ac = ab.compose(bc)
    assert ac.name == "DRUGBANK->MESH"
    assert list(ac.pairs()) == [("DRUGBANK:DB1", "MESH:C1"), ("DRUGBANK:DB1", "MESH:D1")]
    assert ac.skipped == 3
    assert ("DRUGBANK:DB1", "MESH:D1") in ac and ("DRUGBANK:DB2", "MESH:D1") not in ac
    assert "DRUGBANK:DB1" not in ac
    inverse = ac.inverse()
    assert inverse.name == "MESH->DRUGBANK"
    assert inverse.forward("MESH:D1") == ("DRUGBANK:DB1",)
    assert len(inverse) == len(ac)


def test_xref_map_is_frozen() -> None:
    xmap = XrefMap.from_pairs([])
    assert len(xmap) == 0
    with pytest.raises(AttributeError):
        xmap.name = "other"  # type: ignore[misc]


@pytest.mark.parametrize(
    ("prefix", "raw", "expected"),
    [
        ("MESH", "D003924", "MESH:D003924"),
        ("MESH", "MSH:D003924", "MESH:D003924"),
        ("MESH", "C000657245", "MESH:C000657245"),
        ("MESH", "C0011860", None),  # a UMLS CUI, not MeSH
        ("CHEBI", "6801", "CHEBI:6801"),
        ("CHEBI", "CHEBI:6801", "CHEBI:6801"),
        ("CHEBI", "DOID:6801", None),
        ("DRUGBANK", "DBSALT000064", None),
        ("HGNC", "HGNC:76", "HGNC:76"),
        ("NCBIGene", " 25 ", "NCBIGene:25"),
        ("NCBIGene", "", None),
    ],
)
def test_canonical_id(prefix: str, raw: str, expected: str | None) -> None:
    assert canonical_id(prefix, raw) == expected


# Readers on malformed input


def test_mesh_doid_skips_and_counts_bad_records(vocab: Path) -> None:
    xmap = mesh_doid(vocab)
    assert list(xmap.pairs()) == [("MESH:D000001", "DOID:1"), ("MESH:D003924", "DOID:9352")]
    assert xmap.skipped == 4  # "junk" xref, bad MeSH id, record without id, non-record


def test_mesh_doid_rejects_a_file_that_is_not_json(tmp_path: Path) -> None:
    (tmp_path / "doid.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(ValueError, match=r"doid\.json"):
        mesh_doid(tmp_path)


def test_hgnc_skips_and_counts_bad_lines(vocab: Path) -> None:
    table = read_hgnc(vocab)
    assert [gene.symbol for gene in table.rows] == ["ABL1", "CAD", "ACOD1", "A1S9T"]
    assert table.skipped == 3
    assert hgnc_ncbigene(vocab).skipped == 3
    assert len(hgnc_ncbigene(vocab)) == 3


def test_gene_symbols_and_index_ranks(vocab: Path) -> None:
    assert gene_symbols(vocab) == {"NCBIGene:25": "ABL1", "NCBIGene:790": "CAD", "NCBIGene:730249": "ACOD1"}
    index = gene_symbol_index(vocab)
    assert index["CAD"] == "NCBIGene:790"  # approved symbol beats ACOD1's alias
    assert index["ABL"] == "NCBIGene:25"  # previous symbol
    assert index["C-ABL"] == "NCBIGene:25"
    assert "SHARED" not in index  # alias of two genes
    assert "A1S9T" not in index  # withdrawn


def test_hgnc_missing_column_is_a_clear_error(tmp_path: Path) -> None:
    _write(tmp_path, "hgnc.tsv", ["HGNC ID\tApproved symbol", "HGNC:5\tA1BG"])
    with pytest.raises(ValueError, match="Status"):
        read_hgnc(tmp_path)


def test_drugbank_names_skip_bad_lines(vocab: Path) -> None:
    names = drugbank_names(vocab)
    assert set(names) == {"DRUGBANK:DB00619", "DRUGBANK:DB00032", "DRUGBANK:DB00331"}
    assert names["DRUGBANK:DB00032"].synonyms == ("Menotrophin", "Menotropins (FSH;LH)", "TMP")
    assert CrossReferences.from_dir(vocab).skipped["drugbank_vocabulary.csv"] == 2


def test_drugbank_name_index_ranks(vocab: Path) -> None:
    index = drugbank_name_index(vocab)
    assert index["imatinib"] == "DRUGBANK:DB00619"
    assert index["menotropins (fsh;lh)"] == "DRUGBANK:DB00032"
    assert "tmp" not in index  # synonym of two drugs


def test_comma_separated_drugbank_file(tmp_path: Path) -> None:
    _write(
        tmp_path,
        "drugbank_vocabulary.csv",
        [
            "DrugBank ID,Accession Numbers,Common name,CAS,UNII,Synonyms,Standard InChI Key",
            'DB00619,APRD01028,Imatinib,152459-95-5,X,"Imatinib | Imatinibum, mesylate",KEY',
        ],
    )
    assert drugbank_names(tmp_path)["DRUGBANK:DB00619"].synonyms == ("Imatinib", "Imatinibum, mesylate")


def test_mapping_files(vocab: Path) -> None:
    chebi = drugbank_chebi(vocab)
    assert list(chebi.pairs()) == [("DRUGBANK:DB00331", "CHEBI:6801"), ("DRUGBANK:DB00619", "CHEBI:45783")]
    assert chebi.skipped == 2  # salt id, short line
    mesh = drugbank_mesh(vocab)
    assert list(mesh.pairs()) == [("DRUGBANK:DB00331", "MESH:D008687")]
    assert mesh.skipped == 3  # the two above plus the bad MeSH id


def test_bundle_from_missing_folder(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="nope"):
        CrossReferences.from_dir(tmp_path / "nope")


def test_bundle_reads_nothing_until_asked(tmp_path: Path) -> None:
    xrefs = CrossReferences.from_dir(tmp_path)  # empty folder: fine until a map is used
    with pytest.raises(FileNotFoundError):
        _ = xrefs.mesh_doid


def test_bundle_reads_hgnc_once(vocab: Path) -> None:
    xrefs = CrossReferences.from_dir(vocab)
    assert xrefs.gene_symbols["NCBIGene:25"] == "ABL1"
    (vocab / "hgnc.tsv").unlink()
    assert xrefs.hgnc_ncbigene.forward("HGNC:76") == ("NCBIGene:25",)  # from the cached table
