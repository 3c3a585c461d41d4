"""Parameter checks: every ``$name`` a statement uses has a value, and every value given is used.

LadybugDB reads a missing parameter as null (so a lookup silently matches nothing) and both backends
ignore a value nobody references (usually a misspelt name), so both are refused before a query runs.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cypher.tokens import CypherSyntaxError, Kind, tokenize


def parameter_names(cypher: str) -> set[str] | None:
    """The parameters ``cypher`` references outside strings and comments; None when it cannot be tokenized."""
    try:
        return {t.value for t in tokenize(cypher) if t.kind is Kind.PARAM}
    except CypherSyntaxError:
        return None


def parameter_problem(cypher: str, params: Mapping[str, Any] | None) -> str | None:
    """Why ``params`` do not fit ``cypher`` (missing or unused names), or None when they do.

    Text the tokenizer cannot read is left to the backend, whose syntax error says more.
    """
    used = parameter_names(cypher)
    if used is None:
        return None
    given = {str(k) for k in (params or {})}
    problems = []
    if missing := sorted(used - given):
        problems.append(f"no value for query parameter(s) {_dollars(missing)}")
    if unused := sorted(given - used):
        problems.append(f"value(s) given for parameter(s) the query never uses: {_dollars(unused)}")
    return "; ".join(problems) or None


def _dollars(names: list[str]) -> str:
    return ", ".join(f"${n}" for n in names)
