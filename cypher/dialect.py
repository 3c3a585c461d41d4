"""The one place where LadybugDB's (Kùzu-like) Cypher and Neo4j 5's Cypher differ for compiled plans.

Both accept the subset the plan compiler writes (``MATCH`` paths, ``EXISTS { MATCH ... }`` subqueries,
``WITH DISTINCT``, ``count(DISTINCT ...)``, ``LIMIT $param``); what differs is spelled here and nowhere else.
``tests/kg_engine/query/test_parity.py`` runs every dev question on both backends, on a real Neo4j, and
found what is spelled here:

- the lower-case function (``lower`` / ``toLower``);
- an absent qualifier: LadybugDB stores it as null, while the Neo4j store ``MERGE``s edges on their
  qualifiers and so writes ``''`` where a qualified edge of the same type exists (``MERGE`` cannot match
  on null). Tests for "no qualifier" accept both, on both backends.

Timeouts and row caps are not spelled in Cypher: ``GraphStore.query(..., timeout_s=, max_rows=)`` applies
them through each backend's driver.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Dialect:
    """How one backend spells the parts of Cypher that are not shared.

    Attributes:
        name: the backend (``ladybug`` or ``neo4j``), as ``KG_BACKEND`` names it.
        lower: the lower-case function (Kùzu ``lower``, Neo4j ``toLower``).
        explain: the prefix that asks for a plan without running the statement.
    """

    name: str
    lower: str
    explain: str = "EXPLAIN "

    def lowered(self, expr: str) -> str:
        """``expr`` lower-cased."""
        return f"{self.lower}({expr})"

    def absent(self, prop: str) -> str:
        """True when the qualifier property ``prop`` is absent (null, or ``''`` as the Neo4j store writes it)."""
        return f"coalesce({prop}, '') = ''"


LADYBUG = Dialect("ladybug", lower="lower")
NEO4J = Dialect("neo4j", lower="toLower")
DIALECTS = {d.name: d for d in (LADYBUG, NEO4J)}


def dialect_for(backend: str) -> Dialect:
    """The dialect of a backend name (``ladybug`` | ``neo4j``)."""
    try:
        return DIALECTS[backend]
    except KeyError:
        raise ValueError(f"no Cypher dialect for backend {backend!r}; known: {', '.join(DIALECTS)}") from None
