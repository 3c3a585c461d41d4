from __future__ import annotations

import pytest

from cypher.identifiers import IdentifierError, quote_identifier
from cypher.readonly import is_read_only, write_clauses
from cypher.templates import list_templates, load_template


@pytest.mark.parametrize(
    ("statement", "clauses"),
    [
        ("MATCH (n:Gene) RETURN n.name", []),
        ("MATCH (n) WHERE n.name = 'CREATE (x)' RETURN n", []),
        ("MATCH (n) RETURN n.set, {delete: 1} AS m", []),
        ("MATCH (n) // DELETE n\nRETURN n", []),
        ("CREATE (n:Gene {curie: $c})", ["CREATE"]),
        ("match (n) detach delete n", ["DETACH", "DELETE"]),
        ("MATCH (n) SET n.x = 1", ["SET"]),
        ("MERGE (n:Gene {curie: 'x'})", ["MERGE"]),
        ("COPY Gene FROM 'x.csv'", ["COPY … FROM"]),
    ],
)
def test_write_clauses(statement, clauses):
    assert write_clauses(statement) == clauses
    assert is_read_only(statement) == (not clauses)


def test_quote_identifier_accepts_only_plain_names():
    assert quote_identifier("Gene") == "`Gene`"
    assert quote_identifier("treats", allowed={"treats"}) == "`treats`"
    for bad in ("Gene`) DETACH DELETE n //", "a b", "", "1abc"):
        with pytest.raises(IdentifierError):
            quote_identifier(bad)
    with pytest.raises(IdentifierError, match="not one of"):
        quote_identifier("Protein", allowed={"Gene"})


def test_templates_declare_their_parameters_with_examples():
    names = list_templates()
    assert {"drug_targets", "disease_gene_drugs", "repurposing_paths", "known_treatments"} <= set(names)
    for name in names:
        template = load_template(name)
        assert template.description
        for param in template.params:
            assert f"${param}" in template.cypher
            assert param in template.examples
        assert is_read_only(template.cypher)


def test_unknown_template_lists_valid_names():
    with pytest.raises(KeyError, match="drug_targets"):
        load_template("nope")
