"""The packaged schema: Hetionet coverage, Biolink names, lookups and their errors."""

from __future__ import annotations

import csv
import re
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
import yaml

from ontologies.curies import normalize_curie, split_curie
from ontologies.schema import Schema, SchemaError, load_schema


@pytest.fixture(scope="module")
def schema() -> Schema:
    return load_schema()


@pytest.fixture(scope="module")
def biolink() -> dict[str, Any]:
    pytest.importorskip("biolink_model", reason="biolink-model is not installed (extra 'biolink')")
    text = resources.files("biolink_model").joinpath("schema/biolink_model.yaml").read_text(encoding="utf-8")
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return yaml.load(text, Loader=loader)


def _tsv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


def _biolink_class_key(curie: str) -> str:
    """``biolink:SmallMolecule`` -> ``small molecule`` (how the Biolink YAML keys classes)."""
    return re.sub(r"(?<!^)(?=[A-Z])", " ", curie.removeprefix("biolink:")).lower()


def _biolink_slot_key(curie: str) -> str:
    """``biolink:directly_physically_interacts_with`` -> ``directly physically interacts with``."""
    return curie.removeprefix("biolink:").replace("_", " ")


def test_schema_loads_and_is_cached(schema: Schema) -> None:
    assert load_schema() is schema
    assert schema.biolink_version


def test_all_24_hetionet_metaedges(schema: Schema) -> None:
    metaedges = schema.hetionet_metaedges()
    assert len(metaedges) == 24
    ctd = metaedges["CtD"]
    assert (ctd.subject, ctd.predicate, ctd.object) == ("Compound", "treats", "Disease")
    assert metaedges["AuG"].qualifiers == (("object_direction_qualifier", "increased"),)


def test_expression_metaedges_stay_distinct(schema: Schema) -> None:
    """Up, down and plain expression between the same categories must not collapse into one edge type."""
    metaedges = schema.hetionet_metaedges().values()
    keys = [(m.subject, m.predicate, m.object, m.qualifiers) for m in metaedges]
    assert len(set(keys)) == len(keys)


def test_category_biolink_classes_exist(schema: Schema, biolink: dict[str, Any]) -> None:
    missing = {
        c.name: c.biolink for c in schema.categories.values() if _biolink_class_key(c.biolink) not in biolink["classes"]
    }
    assert not missing


def test_predicate_biolink_slots_exist(schema: Schema, biolink: dict[str, Any]) -> None:
    missing = {
        p.name: p.biolink for p in schema.predicates.values() if _biolink_slot_key(p.biolink) not in biolink["slots"]
    }
    assert not missing


def test_metaedge_qualifiers_are_biolink_slots(schema: Schema, biolink: dict[str, Any]) -> None:
    names = {name for m in schema.hetionet_metaedges().values() for name, _ in m.qualifiers}
    assert names
    assert names <= {key.replace(" ", "_") for key in biolink["slots"]}


def test_biolink_names_are_curies(schema: Schema) -> None:
    names = [c.biolink for c in schema.categories.values()] + [p.biolink for p in schema.predicates.values()]
    assert all(name.startswith("biolink:") for name in names), names


def test_every_hetionet_kind_maps_to_a_category(schema: Schema, hetionet_dir: Path) -> None:
    kinds = {row["kind"] for row in _tsv(hetionet_dir / "hetionet-v1.0-nodes.tsv")}
    assert len(kinds) == 11
    for kind in kinds:
        assert schema.hetionet_kind(kind).name in schema.categories


def test_every_hetionet_node_id_fits_its_category(schema: Schema, hetionet_dir: Path) -> None:
    """Nothing dropped: every node's CURIE prefix is one its category accepts."""
    rows = _tsv(hetionet_dir / "hetionet-v1.0-nodes.tsv")
    assert len(rows) == 47031
    misfits = [
        row["id"]
        for row in rows
        if split_curie(normalize_curie(row["id"]))[0] not in schema.hetionet_kind(row["kind"]).prefixes
    ]
    assert not misfits[:10]


def test_every_hetionet_metaedge_abbreviation_is_mapped(schema: Schema, hetionet_dir: Path) -> None:
    abbreviations = {row["abbreviation"] for row in _tsv(hetionet_dir / "metaedges-v1.0.tsv")}
    assert len(abbreviations) == 24
    assert abbreviations == set(schema.hetionet_metaedges())


def test_metaedge_categories_match_hetionet_names(schema: Schema, hetionet_dir: Path) -> None:
    """``Compound - binds - Gene`` runs from the category of Compound to the category of Gene."""
    mapped = schema.hetionet_metaedges()
    for row in _tsv(hetionet_dir / "metaedges-v1.0.tsv"):
        source, _, target = re.split(r" [->] ", row["metaedge"])
        mapping = mapped[row["abbreviation"]]
        assert mapping.subject == schema.hetionet_kind(source).name, row
        assert mapping.object == schema.hetionet_kind(target).name, row


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Drug", "Compound"),
        ("drug", "Compound"),
        ("Chemical", "Compound"),
        ("gene", "Gene"),
        ("phenotype", "PhenotypicFeature"),
        ("Side Effect", "SideEffect"),
        ("side_effect", "SideEffect"),
    ],
)
def test_category_lookup_by_name_and_alias(schema: Schema, name: str, expected: str) -> None:
    assert schema.category(name).name == expected


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("binds", "directly_physically_interacts_with"),
        ("palliates", "ameliorates_condition"),
        ("associates", "condition_associated_with_gene"),
        ("TREATS", "treats"),
        ("biolink:treats", "treats"),
        ("biolink:has_member", "has_member"),
    ],
)
def test_predicate_lookup_by_name_alias_and_biolink(schema: Schema, name: str, expected: str) -> None:
    assert schema.predicate(name).name == expected


def test_negated_predicate_is_its_own_type(schema: Schema) -> None:
    not_indicated = schema.indication_predicate("NOT")
    assert not_indicated.negated and not_indicated.biolink == "biolink:treats"
    assert schema.predicate("biolink:treats").name == "treats"
    assert schema.indication_predicate("DM").name == "treats"
    assert schema.indication_predicate("SYM").name == "ameliorates_condition"


def test_unknown_category_lists_valid_choices(schema: Schema) -> None:
    with pytest.raises(SchemaError, match=r"unknown category 'Protein'.*Compound.*Gene"):
        schema.category("Protein")


def test_unknown_predicate_lists_valid_choices(schema: Schema) -> None:
    with pytest.raises(SchemaError, match=r"unknown predicate 'inhibits'.*treats"):
        schema.predicate("inhibits")


def test_unknown_source_labels_list_valid_choices(schema: Schema) -> None:
    with pytest.raises(SchemaError, match="Side Effect"):
        schema.hetionet_kind("Protein")
    with pytest.raises(SchemaError, match="DM"):
        schema.indication_predicate("XX")


def test_source_names_are_versioned(schema: Schema) -> None:
    assert schema.source_name("hetionet") == "hetionet-v1.0"
    assert schema.source_name("pharmacotherapydb") == "pharmacotherapydb-v1.0"


def test_note_statuses_keep_negated_and_family_apart_from_mentions(schema: Schema) -> None:
    """A denied finding is a negated statement of its own type, never a plain `mentions` edge."""
    negated = schema.note_predicate("negated")
    assert negated.negated and negated.biolink == "biolink:mentions" and negated.name != "mentions"
    assert schema.note_predicate("family").name not in {"mentions", negated.name}
    assert {schema.note_predicate(s).name for s in ("affirmed", "possible", "historical")} == {"mentions"}
    assert schema.predicate("biolink:mentions").name == "mentions"
    with pytest.raises(SchemaError, match="negated"):
        schema.note_predicate("denied")


def test_text_relations_map_to_biolink_predicates(schema: Schema) -> None:
    assert schema.text_relation_predicate("chemical_induces_disease").biolink == "biolink:causes"
    treats = schema.text_relation_predicate("chemical_treats_disease")
    assert treats.name != "treats"  # text-mined treatment claims never merge into curated treats edges
    with pytest.raises(SchemaError, match="unknown text relation"):
        schema.text_relation_predicate("binds")


def test_partial_edges_name_the_bgee_only_expression_edges():
    partial = load_schema().partial_edges("hetionet")
    assert list(partial) == [("Anatomy", "expresses", "Gene")] and "Bgee" in partial[("Anatomy", "expresses", "Gene")]
    assert load_schema().partial_edges("pharmacotherapydb") == {}
