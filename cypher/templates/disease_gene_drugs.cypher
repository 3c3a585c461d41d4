// Compounds that bind genes associated with a disease, by number of such genes (two hops).
// param: disease (CURIE) - e.g. DOID:9352
// param: limit (int) - rows to return, e.g. 10
MATCH (d:Disease {curie: $disease})-[:condition_associated_with_gene]->(g:Gene)<-[:directly_physically_interacts_with]-(c:Compound)
RETURN c.curie AS compound, c.name AS name, count(DISTINCT g) AS genes
ORDER BY genes DESC, compound
LIMIT $limit
