// Diseases reachable from a compound through a bound gene, an interacting gene and a disease
// association (three hops: Compound-binds-Gene-interacts-Gene-associated-Disease), by path count.
// param: compound (CURIE) - e.g. DRUGBANK:DB00331
// param: limit (int) - rows to return, e.g. 10
MATCH (c:Compound {curie: $compound})-[:directly_physically_interacts_with]->(:Gene)-[:physically_interacts_with]-(:Gene)<-[:condition_associated_with_gene]-(d:Disease)
RETURN d.curie AS disease, d.name AS name, count(*) AS paths
ORDER BY paths DESC, disease
LIMIT $limit
