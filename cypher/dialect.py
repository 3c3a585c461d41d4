"""The one place where LadybugDB's (Kùzu-like) Cypher and Neo4j 5's Cypher differ for compiled plans.

Both accept the subset the plan compiler writes (``MATCH`` paths, ``EXISTS { MATCH ... }`` subqueries,
``WITH DISTINCT``, ``count(DISTINCT ...)``, ``LIMIT $param``); what differs is spelled here and nowhere else.
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
        timeout_unit_ms: whether the backend's timeout is set in milliseconds (Kùzu) or seconds (Neo4j).
    """

    name: str
    lower: str
    explain: str = "EXPLAIN "
    timeout_unit_ms: bool = True

    def lowered(self, expr: str) -> str:
        """``expr`` lower-cased."""
        return f"{self.lower}({expr})"

    def timeout_value(self, seconds: float) -> float:
        """The timeout in the unit this backend's driver takes."""
        return int(seconds * 1000) if self.timeout_unit_ms else seconds


LADYBUG = Dialect("ladybug", lower="lower", timeout_unit_ms=True)
NEO4J = Dialect("neo4j", lower="toLower", timeout_unit_ms=False)
DIALECTS = {d.name: d for d in (LADYBUG, NEO4J)}


def dialect_for(backend: str) -> Dialect:
    """The dialect of a backend name (``ladybug`` | ``neo4j``)."""
    try:
        return DIALECTS[backend]
    except KeyError:
        raise ValueError(f"no Cypher dialect for backend {backend!r}; known: {', '.join(DIALECTS)}") from None
