// Genes a compound binds (one hop).
// param: compound (CURIE) - e.g. DRUGBANK:DB00619
MATCH (c:Compound {curie: $compound})-[:directly_physically_interacts_with]->(g:Gene)
RETURN g.curie AS gene, g.name AS symbol
ORDER BY symbol
