"""Missing and unused query parameters are found with the tokenizer, not by searching the text."""

from __future__ import annotations

import pytest

from cypher.params import parameter_names, parameter_problem
from cypher.templates import list_templates, load_template


def test_parameter_names_skip_strings_comments_and_names() -> None:
    cypher = "MATCH (n {curie: $c}) WHERE n.name <> '$x' AND n.`$y` = $`z` // $w\nRETURN $0 /* $v */"
    assert parameter_names(cypher) == {"c", "z", "0"}


@pytest.mark.parametrize(
    ("cypher", "params", "message"),
    [
        ("MATCH (n {curie: $c}) RETURN n", None, "no value for query parameter(s) $c"),
        ("MATCH (n {curie: $c}) RETURN n", {"d": 1}, "no value for query parameter(s) $c; "
         "value(s) given for parameter(s) the query never uses: $d"),
        ("MATCH (n) RETURN n", {"c": 1, "a": 2}, "value(s) given for parameter(s) the query never uses: $a, $c"),
        ("MATCH (n) WHERE n.x = '$c' RETURN n", {"c": 1}, "never uses: $c"),
        ("MATCH (n {a: $a, b: $b}) RETURN n", {"a": 1}, "no value for query parameter(s) $b"),
    ],
)
def test_missing_and_unused_parameters_are_named(cypher: str, params: dict | None, message: str) -> None:
    problem = parameter_problem(cypher, params)
    assert problem is not None and message in problem


@pytest.mark.parametrize(
    ("cypher", "params"),
    [
        ("MATCH (n {curie: $c}) RETURN n", {"c": "x"}),
        ("MATCH (n) RETURN n", None),
        ("MATCH (n) RETURN n", {}),
        ("RETURN $0, $1", {"0": 1, "1": 2}),
        ("RETURN 'unterminated", {"c": 1}),  # left to the backend's syntax error
    ],
)
def test_matching_parameters_pass(cypher: str, params: dict | None) -> None:
    assert parameter_problem(cypher, params) is None


def test_template_examples_fit_their_statements() -> None:
    for name in list_templates():
        template = load_template(name)
        assert parameter_problem(template.cypher, template.examples) is None, name
