// Compounds recorded as treating a disease, with the sources behind each edge.
// param: disease (CURIE) - e.g. DOID:9352
MATCH (c:Compound)-[r:treats]->(d:Disease {curie: $disease})
RETURN c.curie AS compound, c.name AS name, r.sources AS sources
ORDER BY name
