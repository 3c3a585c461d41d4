"""The query-language layer: Cypher templates, identifier quoting, read-only checks."""
