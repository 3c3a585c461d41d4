"""The GraphStore contract: one suite, run against every backend (Neo4j only when KG_NEO4J_URI is set)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import pandas as pd
import pytest

from kg_engine.errors import QueryError, ReadOnlyError
from kg_engine.store.base import EdgeBatch, EdgeType, GraphStore, NodeBatch
from ontologies import Edge, Provenance, load_schema

if TYPE_CHECKING:
    from conftest import Backend, HetionetSlice
    from torch_geometric.data import HeteroData

IMATINIB, DASATINIB, ABL1 = "DRUGBANK:DB00619", "DRUGBANK:DB01254", "NCBIGene:25"

BINDS = EdgeType("Compound", "directly_physically_interacts_with", "Gene")
AFFECTS = EdgeType("Compound", "affects", "Gene")
HOSTILE = "Imatinib'}) DETACH DELETE n //\"` \\ ; MATCH (m) DETACH DELETE m"


def _pairs(batch: EdgeBatch) -> set[tuple[str, str]]:
    return set(zip(batch.frame["subject"], batch.frame["object"], strict=True))


def _nonzero(counts: dict) -> dict:
    return {k: v for k, v in counts.items() if v}


def _edge_rows(store: GraphStore, et: EdgeType, subject: str, obj: str, columns: list[str]) -> list[dict]:
    ret = ", ".join(f"r.{c} AS {c}" for c in columns)
    frame = store.query(
        f"MATCH (a:{et.subject} {{curie: $s}})-[r:{et.predicate}]->(b:{et.object} {{curie: $o}}) RETURN {ret}",
        {"s": subject, "o": obj},
    )
    return [{k: (list(v) if k == "sources" else v) for k, v in row.items()} for row in frame.to_dict("records")]


# --- loading -----------------------------------------------------------------------------------------


def test_first_load_inserts_everything(store: GraphStore, hetionet_slice: HetionetSlice) -> None:
    results = hetionet_slice.load(store)
    sizes = [len(b.frame) for b in (hetionet_slice.compounds, hetionet_slice.genes, *hetionet_slice.edge_batches)]
    assert [r.inserted for r in results] == sizes
    assert all(r.updated == 0 and r.unchanged == 0 and r.rejected.empty for r in results)


def test_upsert_twice_is_idempotent(store: GraphStore, hetionet_slice: HetionetSlice) -> None:
    hetionet_slice.load(store)
    before = store.stats()
    again = hetionet_slice.load(store)
    sizes = [len(b.frame) for b in (hetionet_slice.compounds, hetionet_slice.genes, *hetionet_slice.edge_batches)]
    assert [(r.inserted, r.updated, r.unchanged) for r in again] == [(0, 0, n) for n in sizes]
    after = store.stats()
    assert _nonzero(after.nodes) == _nonzero(before.nodes)
    assert _nonzero(after.edges) == _nonzero(before.edges)


def test_stats_count_nodes_and_edges(store: GraphStore, hetionet_slice: HetionetSlice) -> None:
    hetionet_slice.load(store)
    stats = store.stats()
    assert _nonzero(stats.nodes) == {"Compound": 2, "Gene": len(hetionet_slice.genes.frame)}
    affects = len(hetionet_slice.upregulates.frame) + len(hetionet_slice.downregulates.frame)
    assert _nonzero(stats.edges) == {BINDS.as_tuple(): len(hetionet_slice.binds.frame), AFFECTS.as_tuple(): affects}
    assert stats.edge_total == len(hetionet_slice.binds.frame) + affects
    assert {BINDS, AFFECTS} <= set(store.edge_types())


def test_duplicate_rows_in_one_batch_become_one_edge(store: GraphStore, hetionet_slice: HetionetSlice) -> None:
    hetionet_slice.load(store)
    doubled = pd.concat([hetionet_slice.binds.frame, hetionet_slice.binds.frame], ignore_index=True)
    result = store.upsert_edges(EdgeBatch(BINDS, doubled))
    assert (result.inserted, result.updated, result.unchanged) == (0, 0, len(hetionet_slice.binds.frame))
    assert store.stats().edges[BINDS.as_tuple()] == len(hetionet_slice.binds.frame)


# --- values round-trip -------------------------------------------------------------------------------


def test_curies_and_names_round_trip(store: GraphStore, hetionet_slice: HetionetSlice) -> None:
    hetionet_slice.load(store)
    for batch in (hetionet_slice.compounds, hetionet_slice.genes):
        found = store.query(f"MATCH (n:{batch.category}) RETURN n.curie AS curie, n.name AS name")
        expected = set(zip(batch.frame["curie"], batch.frame["name"], strict=True))
        assert set(zip(found["curie"], found["name"], strict=True)) == expected
    edges = store.query("MATCH (a:Compound)-[:directly_physically_interacts_with]->(b:Gene) RETURN a.curie, b.curie")
    assert set(map(tuple, edges.to_numpy().tolist())) == _pairs(hetionet_slice.binds)


def test_lookup_by_curie_parameter(store: GraphStore, hetionet_slice: HetionetSlice) -> None:
    hetionet_slice.load(store)
    found = store.query(
        "MATCH (c:Compound {curie: $c})-[:directly_physically_interacts_with]->(g:Gene {curie: $g}) "
        "RETURN c.name AS drug, g.name AS gene",
        {"c": IMATINIB, "g": ABL1},
    )
    assert found.to_dict("records") == [{"drug": "Imatinib", "gene": "ABL1"}]


def test_node_comes_back_as_dict_with_label(store: GraphStore, hetionet_slice: HetionetSlice) -> None:
    hetionet_slice.load(store)
    node = store.query("MATCH (n:Compound {curie: $c}) RETURN n", {"c": DASATINIB})["n"].iloc[0]
    assert (node["_LABEL"], node["curie"], node["name"]) == ("Compound", DASATINIB, "Dasatinib")


def test_property_values_round_trip(store: GraphStore) -> None:
    frame = pd.DataFrame({
        "curie": ["DRUGBANK:DB00619"], "name": [HOSTILE + " — α/β \n tab\t"],
        "mass": [493.603], "approved": [True], "synonyms": [["Gleevec", "STI-571"]], "rank": [7],
    })
    store.upsert_nodes(NodeBatch("Compound", frame))
    found = store.query(
        "MATCH (n:Compound {curie: $c}) RETURN n.name AS name, n.mass AS mass, n.approved AS approved, "
        "n.synonyms AS synonyms, n.rank AS rank",
        {"c": "DRUGBANK:DB00619"},
    ).to_dict("records")[0]
    assert found == {**frame.drop(columns="curie").iloc[0].to_dict(), "synonyms": ["Gleevec", "STI-571"]}


def test_transient_columns_are_not_stored(store: GraphStore, hetionet_slice: HetionetSlice) -> None:
    hetionet_slice.load(store)
    nodes = pd.DataFrame({"curie": [IMATINIB], "name": ["Imatinib"], "_line": [3]})
    store.upsert_nodes(NodeBatch("Compound", nodes))
    node = store.query("MATCH (n:Compound {curie: $c}) RETURN n", {"c": IMATINIB})["n"].iloc[0]
    rel = store.query("MATCH (:Compound)-[r:directly_physically_interacts_with]->(:Gene) RETURN r LIMIT 1")["r"].iloc[0]
    assert "_line" not in node and "_line" not in rel


def test_transient_node_columns_do_not_count_as_changes(
    backend: Backend, store: GraphStore, request: pytest.FixtureRequest
) -> None:
    nodes = NodeBatch("Compound", pd.DataFrame({"curie": [IMATINIB], "name": ["Imatinib"], "_line": [3]}))
    store.upsert_nodes(nodes)
    again = store.upsert_nodes(nodes)
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 1)


def test_node_update_overrides_and_keep_leaves(store: GraphStore, hetionet_slice: HetionetSlice) -> None:
    hetionet_slice.load(store)
    renamed = NodeBatch("Compound", pd.DataFrame({"curie": [IMATINIB], "name": ["Imatinib mesylate"]}))
    kept = store.upsert_nodes(NodeBatch("Compound", pd.DataFrame({"curie": [IMATINIB], "name": ["x"]})), "keep")
    assert (kept.inserted, kept.updated, kept.unchanged) == (0, 0, 1)
    updated = store.upsert_nodes(renamed)
    assert (updated.inserted, updated.updated, updated.unchanged) == (0, 1, 0)
    no_name = store.upsert_nodes(NodeBatch("Compound", pd.DataFrame({"curie": [IMATINIB], "name": [None]})))
    assert (no_name.updated, no_name.unchanged) == (0, 1)
    names = store.query("MATCH (n:Compound {curie: $c}) RETURN n.name AS name", {"c": IMATINIB})["name"].tolist()
    assert names == ["Imatinib mesylate"]


# --- provenance and identity -------------------------------------------------------------------------


def test_sources_merge_into_one_edge(store: GraphStore, hetionet_slice: HetionetSlice) -> None:
    hetionet_slice.load(store)
    pair = pd.DataFrame({"subject": [IMATINIB], "object": [ABL1]})
    result = store.upsert_edges(EdgeBatch.build(BINDS, pair, "pubmed"))
    assert (result.inserted, result.updated, result.unchanged) == (0, 1, 0)
    assert _edge_rows(store, BINDS, IMATINIB, ABL1, ["sources"]) == [{"sources": ["hetionet-v1.0", "pubmed"]}]
    assert store.stats().edges[BINDS.as_tuple()] == len(hetionet_slice.binds.frame)
    again = store.upsert_edges(EdgeBatch.build(BINDS, pair, "hetionet-v1.0"))
    assert (again.updated, again.unchanged) == (0, 1)


def test_qualified_edges_stay_distinct(store: GraphStore, hetionet_slice: HetionetSlice) -> None:
    hetionet_slice.load(store)
    subject, obj = hetionet_slice.upregulates.frame[["subject", "object"]].iloc[0]
    down = load_schema().hetionet_metaedges()["CdG"].qualifiers
    pair = pd.DataFrame({"subject": [subject], "object": [obj]})
    result = store.upsert_edges(EdgeBatch.build(AFFECTS, pair, "pubmed", down))
    assert (result.inserted, result.updated) == (1, 0)
    columns = ["object_direction_qualifier", "object_aspect_qualifier", "sources"]
    rows = _edge_rows(store, AFFECTS, subject, obj, columns)
    assert sorted(rows, key=lambda r: r["object_direction_qualifier"]) == [
        {"object_direction_qualifier": "decreased", "object_aspect_qualifier": "expression", "sources": ["pubmed"]},
        {"object_direction_qualifier": "increased", "object_aspect_qualifier": "expression",
         "sources": ["hetionet-v1.0"]},
    ]


def test_unqualified_edge_does_not_merge_into_qualified(
    backend: Backend, store: GraphStore, hetionet_slice: HetionetSlice, request: pytest.FixtureRequest
) -> None:
    hetionet_slice.load(store)
    subject, obj = hetionet_slice.upregulates.frame[["subject", "object"]].iloc[0]
    pair = pd.DataFrame({"subject": [subject], "object": [obj]})
    result = store.upsert_edges(EdgeBatch.build(AFFECTS, pair, "pubmed"))
    assert (result.inserted, result.updated) == (1, 0)
    rows = _edge_rows(store, AFFECTS, subject, obj, ["sources"])
    assert sorted(r["sources"][0] for r in rows) == ["hetionet-v1.0", "pubmed"]


def test_evidence_is_a_json_union(store: GraphStore, hetionet_slice: HetionetSlice) -> None:
    hetionet_slice.load(store)
    categories = {IMATINIB: "Compound", ABL1: "Gene"}

    def batch(*docs: str) -> EdgeBatch:
        prov = tuple(Provenance("pubmed", doc_id=d, snippet=f"imatinib inhibits ABL1 ({d})") for d in docs)
        return EdgeBatch.from_edges([Edge(IMATINIB, BINDS.predicate, ABL1, prov)], categories)[0]

    store.upsert_edges(batch("PMID:1"))
    store.upsert_edges(batch("PMID:2", "PMID:1"))
    assert store.upsert_edges(batch("PMID:2")).unchanged == 1
    row = _edge_rows(store, BINDS, IMATINIB, ABL1, ["sources", "evidence"])[0]
    assert row["sources"] == ["hetionet-v1.0", "pubmed"]
    assert sorted(e["doc_id"] for e in json.loads(row["evidence"])) == ["PMID:1", "PMID:2"]


def test_missing_endpoints_are_rejected_with_reason(store: GraphStore, hetionet_slice: HetionetSlice) -> None:
    genes = hetionet_slice.genes.frame
    store.upsert_nodes(hetionet_slice.compounds)
    store.upsert_nodes(NodeBatch("Gene", genes[genes["curie"] != ABL1]))
    binds = hetionet_slice.binds.frame
    result = store.upsert_edges(hetionet_slice.binds)
    to_abl1 = binds[binds["object"] == ABL1]
    assert IMATINIB in set(to_abl1["subject"])
    assert result.inserted == len(binds) - len(to_abl1)
    assert result.rejected[["subject", "object", "_line", "reason"]].to_dict("records") == [
        {"subject": s, "object": ABL1, "_line": line, "reason": f"object {ABL1} is not a stored Gene"}
        for s, line in zip(to_abl1["subject"], to_abl1["_line"], strict=True)
    ]
    other = store.upsert_edges(hetionet_slice.other_binds)
    assert other.inserted == 0
    assert other.rejected["_line"].tolist() == hetionet_slice.other_binds.frame["_line"].tolist()
    assert all(r.startswith("subject DRUGBANK:") for r in other.rejected["reason"])


# --- queries -----------------------------------------------------------------------------------------


def test_values_travel_as_parameters(store: GraphStore, hetionet_slice: HetionetSlice) -> None:
    hetionet_slice.load(store)
    before = store.stats()
    for cypher in (
        "MATCH (n:Compound {name: $name}) RETURN n.curie AS curie",
        "MATCH (n:Compound) WHERE n.name = $name OR n.curie = $name RETURN n.curie AS curie",
    ):
        assert store.query(cypher, {"name": HOSTILE}).empty
    assert _nonzero(store.stats().nodes) == _nonzero(before.nodes)
    store.upsert_nodes(NodeBatch("Compound", pd.DataFrame({"curie": ["DRUGBANK:DB00001"], "name": [HOSTILE]})))
    found = store.query("MATCH (n:Compound {name: $name}) RETURN n.curie AS curie", {"name": HOSTILE})
    assert found["curie"].tolist() == ["DRUGBANK:DB00001"]
    assert store.stats().nodes["Compound"] == 3


def test_syntax_error_is_a_query_error_with_the_backend_message(store: GraphStore) -> None:
    with pytest.raises(QueryError, match=r"(?i)invalid input"):
        store.query("MATCH (n RETURN n")


def test_a_batch_without_a_list_column_the_table_has(store: GraphStore) -> None:
    # HPO gives diseases xrefs; a later loader (literature) adds diseases without them.
    store.upsert_nodes(NodeBatch("Disease", pd.DataFrame({"curie": ["DOID:1"], "name": ["a"], "xrefs": [["OMIM:1"]]})))
    assert store.upsert_nodes(NodeBatch("Disease", pd.DataFrame({"curie": ["DOID:2"], "name": ["b"]}))).inserted == 1
    rows = store.query("MATCH (n:Disease) RETURN n.curie AS curie, n.xrefs AS xrefs ORDER BY curie")
    assert rows["curie"].tolist() == ["DOID:1", "DOID:2"]
    assert list(rows["xrefs"].iloc[0]) == ["OMIM:1"] and rows["xrefs"].iloc[1] is None


def test_schema_labels_nothing_was_loaded_into_answer_no_rows(store: GraphStore) -> None:
    # A fresh home has no notes: asking for them is an empty answer on both backends, not an error.
    rows = store.query(
        "MATCH (n:ClinicalNote)-[r:mentions_absence_of]->(p:PhenotypicFeature {curie: $p}) RETURN n.curie AS note",
        {"p": "HP:0100749"},
    )
    assert rows.empty and list(rows.columns) == ["note"]


def test_read_only_store_refuses_writes(backend: Backend, hetionet_slice: HetionetSlice) -> None:
    writer = backend.open()
    writer.init_schema(load_schema())
    hetionet_slice.load(writer)
    before = writer.stats()
    backend.close(writer)
    reader = backend.open(read_only=True)
    assert reader.read_only
    with pytest.raises(ReadOnlyError):
        reader.query("CREATE (n:Compound {curie: $c, name: $c})", {"c": "DRUGBANK:DB00002"})
    with pytest.raises(ReadOnlyError):
        reader.query("MATCH (n) DETACH DELETE n")
    with pytest.raises(ReadOnlyError):
        reader.upsert_nodes(hetionet_slice.compounds)
    with pytest.raises(ReadOnlyError):
        reader.upsert_edges(hetionet_slice.binds)
    assert _nonzero(reader.stats().nodes) == _nonzero(before.nodes)
    assert len(reader.query("MATCH (n:Compound) RETURN n.curie AS curie")) == 2


# --- PyG export --------------------------------------------------------------------------------------


def _pyg_pairs(data: HeteroData, src: str, rel: str, dst: str) -> set[tuple[str, str]]:
    rows, cols = data[src, rel, dst].edge_index.tolist()
    return {(data[src].curie[i], data[dst].curie[j]) for i, j in zip(rows, cols, strict=True)}


def test_to_pyg_edge_index_maps_back_to_curies(store: GraphStore, hetionet_slice: HetionetSlice) -> None:
    hetionet_slice.load(store)
    data = store.to_pyg()
    assert sorted(data["Compound"].curie) == sorted(hetionet_slice.compounds.frame["curie"])
    assert data["Gene"].num_nodes == len(hetionet_slice.genes.frame)
    assert _pyg_pairs(data, "Compound", BINDS.predicate, "Gene") == _pairs(hetionet_slice.binds)
    up = _pyg_pairs(data, "Compound", "affects_expression_increased", "Gene")
    assert up == _pairs(hetionet_slice.upregulates)
    assert _pyg_pairs(data, "Compound", "affects_expression_decreased", "Gene") == _pairs(hetionet_slice.downregulates)


def test_to_pyg_without_splitting_qualifiers(store: GraphStore, hetionet_slice: HetionetSlice) -> None:
    hetionet_slice.load(store)
    data = store.to_pyg(split_qualifiers=False)
    expected = _pairs(hetionet_slice.upregulates) | _pairs(hetionet_slice.downregulates)
    assert _pyg_pairs(data, "Compound", "affects", "Gene") == expected
    assert data["Compound", "affects", "Gene"].edge_index.shape[1] == len(expected)


def test_aggregates_over_a_type_nothing_was_loaded_into_answer_one_row(store: GraphStore) -> None:
    # Cypher answers an aggregate-only RETURN over no rows with one row (count 0, collect []), both backends.
    rows = store.query("MATCH (:Compound)-[r:causes]->(:Disease) RETURN count(r) AS n, collect(r.score) AS scores")
    assert rows.to_dict("records") == [{"n": 0, "scores": []}]
    grouped = store.query("MATCH (c:Compound)-[r:causes]->(:Disease) RETURN c.name AS chemical, count(r) AS n")
    assert grouped.empty and list(grouped.columns) == ["chemical", "n"]
