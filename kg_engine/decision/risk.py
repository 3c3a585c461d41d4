"""``kg risk``: diseases associated with a gene set, ranked by enrichment over curated gene–disease links.

The universe is every gene with at least one curated ``condition_associated_with_gene`` edge (Hetionet's
DaG edges and, when ``kg load hpo`` has run, HPO's disease genes). For each disease with ``K`` associated
genes, of which ``k`` are among the ``n`` query genes in the universe of ``N`` genes, the p value is the
hypergeometric upper tail ``P(X >= k)``; q values are Benjamini–Hochberg over every disease tested. This is
association in curated resources and the literature, not anyone's personal risk.
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING, Any

import numpy as np

from kg_engine.decision.common import DecisionInputError, finish, flatten_sources, resolve
from kg_engine.errors import KgError

if TYPE_CHECKING:
    from kg_engine.engine import Engine

PREDICATE = "condition_associated_with_gene"
NOTE = ("association of the gene set with diseases in curated resources, not a personal or genetic risk "
        "estimate; a variant's effect, penetrance and family history are not considered")


def gene_set_diseases(kg: Engine, genes: list[str], top: int = 20) -> dict[str, Any]:
    """The answer of ``kg risk`` as a JSON-ready dict."""
    if not genes:
        raise DecisionInputError("empty gene list: give --genes SYMBOL[,SYMBOL...]")
    resolved = {}
    for g in genes:
        r = resolve(kg, g, "Gene")
        resolved.setdefault(r.curie, r)
    rows = kg.query(f"MATCH (d:Disease)-[r:{PREDICATE}]->(g:Gene) "
                    "RETURN d.curie AS disease, d.name AS name, g.curie AS gene, r.sources AS sources")
    disease_genes: dict[str, set[str]] = defaultdict(set)
    disease_sources: dict[str, set[str]] = defaultdict(set)
    names = dict(zip(rows["disease"], rows["name"], strict=True))
    for d, g, s in zip(rows["disease"], rows["gene"], rows["sources"], strict=True):
        disease_genes[d].add(g)
        disease_sources[d] |= flatten_sources([s])
    universe = set(rows["gene"])
    query = set(resolved) & universe
    notes = [NOTE]
    missing = [resolved[c].name for c in resolved if c not in universe]
    if missing:
        notes.append(f"no curated disease association for: {', '.join(sorted(missing))} (left out of the test)")
    results = enrichment(disease_genes, query, len(universe))
    shown = results[:top]
    support = _literature(kg, [r["disease"] for r in shown], list(query))
    symbol = {c: r.name for c, r in resolved.items()}
    diseases = []
    for rank, r in enumerate(shown, start=1):
        diseases.append({
            "rank": rank, "curie": r["disease"], "name": names.get(r["disease"]),
            "genes": sorted(symbol[g] for g in r["hits"]), "overlap": len(r["hits"]),
            "disease_genes": r["size"], "p": r["p"], "q": r["q"],
            "association_sources": sorted(disease_sources[r["disease"]]),
            "literature": support.get(r["disease"], {"publications": 0, "pmids": []}),
        })
    sources = set().union(*(disease_sources[r["disease"]] for r in shown)) if shown else set()
    if any(d["literature"]["publications"] for d in diseases):
        sources.add("pubmed")
    body = {"genes": [r.as_dict() for r in resolved.values()], "universe_genes": len(universe),
            "query_genes_in_universe": len(query), "diseases_tested": len(disease_genes), "diseases": diseases,
            "method": "hypergeometric upper tail per disease, Benjamini-Hochberg q over all diseases tested"}
    return finish(kg, "risk", body, sources, notes)


def enrichment(disease_genes: dict[str, set[str]], query: set[str], universe: int) -> list[dict[str, Any]]:
    """Diseases with at least one query gene, by p value (then overlap, then name): ``p``, ``q``, ``hits``, ``size``.

    Args:
        disease_genes: disease CURIE -> its associated gene CURIEs.
        query: the query genes (all in the universe).
        universe: number of genes with any association (``N``).
    """
    from scipy.stats import hypergeom

    tested = sorted(disease_genes)
    n = len(query)
    hits = [disease_genes[d] & query for d in tested]
    sizes = np.array([len(disease_genes[d]) for d in tested])
    k = np.array([len(h) for h in hits])
    p = hypergeom.sf(k - 1, universe, sizes, n) if n else np.ones(len(tested))
    p = np.where(k > 0, p, 1.0)
    q = benjamini_hochberg(p)
    order = sorted(range(len(tested)), key=lambda i: (p[i], -k[i], tested[i]))
    return [{"disease": tested[i], "hits": hits[i], "size": int(sizes[i]), "p": float(p[i]), "q": float(q[i])}
            for i in order if k[i] > 0]


def benjamini_hochberg(p: np.ndarray) -> np.ndarray:
    """Benjamini–Hochberg adjusted q values (step-up, monotone, capped at 1)."""
    p = np.asarray(p, dtype=float)
    m = len(p)
    if m == 0:
        return p
    order = np.argsort(p)
    scaled = p[order] * m / np.arange(1, m + 1)
    q = np.minimum.accumulate(scaled[::-1])[::-1]
    out = np.empty(m)
    out[order] = np.minimum(q, 1.0)
    return out


def _literature(kg: Engine, diseases: list[str], genes: list[str]) -> dict[str, dict[str, Any]]:
    """Publications in the store that mention a disease together with one of the query genes."""
    if not diseases or not genes:
        return {}
    try:
        rows = kg.query("MATCH (p:Publication)-[:mentions]->(d:Disease), (p)-[:mentions]->(g:Gene) "
                        "WHERE d.curie IN $ds AND g.curie IN $gs RETURN DISTINCT d.curie AS d, p.curie AS p",
                        {"ds": diseases, "gs": genes})
    except KgError:  # no literature ingested
        return {}
    out: dict[str, dict[str, Any]] = {}
    for d, group in rows.groupby("d"):
        pmids = sorted(group["p"])
        out[str(d)] = {"publications": len(pmids), "pmids": pmids[:10]}
    return out
