"""Schema and identifiers: Biolink-aligned categories and predicates, CURIEs, cross-references."""

from ontologies.curies import CurieError, normalize_curie, split_curie
from ontologies.records import Edge, Node, Provenance
from ontologies.schema import Category, Predicate, Schema, SchemaError, load_schema

__all__ = [
    "Category", "CurieError", "Edge", "Node", "Predicate", "Provenance", "Schema", "SchemaError",
    "load_schema", "normalize_curie", "split_curie",
]
