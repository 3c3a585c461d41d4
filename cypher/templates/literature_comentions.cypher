// Diseases mentioned in the same sentence as a compound in ingested literature, by supporting sentences.
// param: compound (CURIE) - e.g. DRUGBANK:DB00997
// param: limit (int) - rows to return, e.g. 10
MATCH (c:Compound {curie: $compound})-[r:occurs_together_in_literature_with]->(d:Disease)
RETURN d.curie AS disease, d.name AS name, r.support AS sentences
ORDER BY sentences DESC, disease
LIMIT $limit
