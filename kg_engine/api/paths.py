"""The graph behind an answer: the edges joining two nodes directly or through one intermediate node."""

from __future__ import annotations

from typing import Any

from kg_engine.api.service import EngineService, jsonable

# Per backend: the functions that name an edge's type and a node's label.
_REL = {"ladybug": "label({})", "neo4j": "type({})"}
_NODE = {"ladybug": "label({})", "neo4j": "labels({})[0]"}


def _edge_fields(var: str, backend: str) -> str:
    rel = _REL.get(backend, _REL["ladybug"]).format(var)
    return f"{rel} AS {var}_type, {var}.sources AS {var}_sources, {var}.evidence AS {var}_evidence"


def evidence_paths(service: EngineService, backend: str, source: str, target: str, max_paths: int) -> dict[str, Any]:
    """Nodes and edges of the one- and two-hop paths between ``source`` and ``target`` (read-only Cypher)."""
    node = _NODE.get(backend, _NODE["ladybug"])
    nodes: dict[str, dict[str, Any]] = {}
    edges: dict[tuple[str, str, str], dict[str, Any]] = {}

    def add_node(curie: Any, name: Any, category: Any) -> None:
        nodes.setdefault(str(curie), {"id": str(curie), "name": name, "category": category})

    def add_edge(subject: str, obj: str, row: dict[str, Any], var: str) -> None:
        key = (subject, str(row[f"{var}_type"]), obj)
        edges.setdefault(key, {"source": subject, "target": obj, "predicate": key[1],
                               "sources": row.get(f"{var}_sources") or [], "evidence": row.get(f"{var}_evidence")})

    ends = f"a.curie AS a, a.name AS a_name, {node.format('a')} AS a_cat, b.curie AS b, b.name AS b_name, " \
           f"{node.format('b')} AS b_cat"
    direct = (f"MATCH (a)-[r]->(b) WHERE (a.curie = $s AND b.curie = $t) OR (a.curie = $t AND b.curie = $s) "
              f"RETURN {ends}, {_edge_fields('r', backend)} LIMIT $n")
    for row in _rows(service, direct, {"s": source, "t": target, "n": max_paths}):
        add_node(row["a"], row["a_name"], row["a_cat"])
        add_node(row["b"], row["b_name"], row["b_cat"])
        add_edge(str(row["a"]), str(row["b"]), row, "r")
    two_hop = (f"MATCH (a)-[r1]-(m)-[r2]-(b) WHERE a.curie = $s AND b.curie = $t AND m.curie <> $s AND m.curie <> $t "
               f"RETURN {ends}, m.curie AS m, m.name AS m_name, {node.format('m')} AS m_cat, "
               f"{_edge_fields('r1', backend)}, {_edge_fields('r2', backend)} LIMIT $n")
    for row in _rows(service, two_hop, {"s": source, "t": target, "n": max_paths}):
        add_node(row["a"], row["a_name"], row["a_cat"])
        add_node(row["b"], row["b_name"], row["b_cat"])
        add_node(row["m"], row["m_name"], row["m_cat"])
        add_edge(str(row["a"]), str(row["m"]), row, "r1")
        add_edge(str(row["m"]), str(row["b"]), row, "r2")
    return jsonable({"nodes": list(nodes.values()), "edges": list(edges.values())})


def _rows(service: EngineService, cypher: str, params: dict[str, Any]) -> list[dict[str, Any]]:
    frame = service.call("query", cypher, params)
    return frame.astype(object).where(frame.notna(), None).to_dict("records")
