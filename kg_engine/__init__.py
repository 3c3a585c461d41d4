"""kg_engine."""
