"""Running plans that ``cypher`` builds: grounding against the store, ``kg ask``, ``nl()`` expansion, evaluation."""
