"""Graph node embeddings for the fusion model: the phenotype–disease–gene graph and a spectral embedding of it.

The graph is the one ``kg load hpo`` writes, read from the same arrays the rankers use
(:class:`~kg_engine.diagnosis.knowledge.PhenotypeKB`): ``PhenotypicFeature`` nodes with their ``subclass_of``
hierarchy, ``Disease`` nodes with ``has_phenotype`` (frequency-weighted) and ``does_not_have_phenotype`` edges,
and ``Gene`` nodes with their disease links. It is built as a PyG ``HeteroData`` so that its schema fingerprint
(:func:`kg_engine.gnn.data.schema_fingerprint`) is computed exactly as the GNN's checkpoints do.

Embedding (why not a trained GNN): the diseases' phenotype profiles are what a diagnosis has to tell apart,
and a linear spectral embedding of the disease x (phenotype closure | gene) bi-adjacency — IC-weighted and
row-normalised, then a truncated SVD — places diseases with similar profiles or shared genes close together
and co-annotated phenotypes close together. It is deterministic, takes seconds on a CPU, and is what a linear
graph auto-encoder over this bipartite graph converges to. One propagation step over the HPO hierarchy then
gives every term (also those no disease is annotated with) an embedding: the IC-weighted mean of its
ancestors' vectors.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from kg_engine.diagnosis.knowledge import PhenotypeKB
from kg_engine.diagnosis.rankers import PhenotypeMatrices

__all__ = ["GraphEmbeddings", "embed_graph", "phenotype_graph", "phenotype_graph_fingerprint"]


@dataclass(frozen=True, slots=True)
class GraphEmbeddings:
    """Node embeddings aligned with a knowledge base's term and disease indices.

    Attributes:
        terms: ``[num_terms, dim]`` float32, rows follow ``kb.terms``.
        diseases: ``[num_diseases, dim]`` float32, rows follow ``kb.diseases``.
        fingerprint: Schema fingerprint of the graph they were computed on.
    """

    terms: np.ndarray
    diseases: np.ndarray
    fingerprint: str


def _gene_matrix(kb: PhenotypeKB) -> tuple[sp.csr_matrix, list[str]]:
    genes = sorted({g for gs in kb.genes for g in gs})
    index = {g: i for i, g in enumerate(genes)}
    rows = [d for d, gs in enumerate(kb.genes) for _ in gs]
    cols = [index[g] for gs in kb.genes for g in gs]
    matrix = sp.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(kb.diseases), len(genes)))
    return matrix, genes


def phenotype_graph(kb: PhenotypeKB) -> object:
    """The phenotype–disease–gene graph as a PyG ``HeteroData`` (node counts, edge indices, CURIEs)."""
    import torch
    from torch_geometric.data import HeteroData

    data = HeteroData()
    gene_matrix, genes = _gene_matrix(kb)
    for node_type, curies in (("PhenotypicFeature", kb.terms), ("Disease", kb.diseases), ("Gene", genes)):
        data[node_type].num_nodes = len(curies)
        data[node_type].curie = list(curies)
    child = np.repeat(np.arange(len(kb.terms)), np.diff(kb.anc_indptr))
    parent = kb.anc_indices
    direct = child != parent
    gene_coo = gene_matrix.tocoo()
    edges = {
        ("PhenotypicFeature", "subclass_of", "PhenotypicFeature"): (child[direct], parent[direct]),
        ("Disease", "has_phenotype", "PhenotypicFeature"): (kb.ann_disease, kb.ann_term),
        ("Disease", "does_not_have_phenotype", "PhenotypicFeature"): (kb.not_disease, kb.not_term),
        ("Gene", "gene_associated_with_condition", "Disease"): (gene_coo.col, gene_coo.row),
    }
    for edge_type, (src, dst) in edges.items():
        data[edge_type].edge_index = torch.as_tensor(np.vstack([src, dst]).astype(np.int64))
    return data


def phenotype_graph_fingerprint(kb: PhenotypeKB) -> str:
    """The schema fingerprint of :func:`phenotype_graph` (node and edge counts per type, hashed).

    Computed from the counts directly, exactly as :func:`kg_engine.gnn.data.schema_fingerprint` hashes
    them, so that serving does not import PyG (seconds of start-up) only to count.
    """
    gene_matrix, genes = _gene_matrix(kb)
    direct = np.repeat(np.arange(len(kb.terms)), np.diff(kb.anc_indptr)) != kb.anc_indices
    nodes = sorted([("PhenotypicFeature", len(kb.terms)), ("Disease", len(kb.diseases)), ("Gene", len(genes))])
    edges = sorted([("PhenotypicFeature|subclass_of|PhenotypicFeature", int(direct.sum())),
                    ("Disease|has_phenotype|PhenotypicFeature", len(kb.ann_disease)),
                    ("Disease|does_not_have_phenotype|PhenotypicFeature", len(kb.not_disease)),
                    ("Gene|gene_associated_with_condition|Disease", int(gene_matrix.nnz))])
    blob = json.dumps({"nodes": nodes, "edges": edges}, sort_keys=True).encode()
    return hashlib.sha256(blob).hexdigest()[:16]


def embed_graph(kb: PhenotypeKB, matrices: PhenotypeMatrices, dim: int = 64, seed: int = 0) -> GraphEmbeddings:
    """Spectral node embeddings of the phenotype–disease–gene graph.

    Shapes:
        output.terms: ``[num_terms, dim]``; output.diseases: ``[num_diseases, dim]``.
    """
    from sklearn.utils.extmath import randomized_svd

    ic = matrices.ic
    pheno = matrices.up.tocsr().copy()
    pheno.data = 0.5 + 0.5 * pheno.data  # a frequent feature weighs more than an occasional one
    pheno = pheno.multiply(ic[None, :]).tocsr()
    genes, _ = _gene_matrix(kb)
    n_genes = np.asarray(genes.sum(axis=0)).ravel()
    genes = genes.multiply(np.log(len(kb.diseases) / np.maximum(n_genes, 1))[None, :]).tocsr()
    x = sp.hstack([pheno, genes]).tocsr()
    norms = np.sqrt(np.asarray(x.multiply(x).sum(axis=1)).ravel())
    x = sp.diags(1.0 / np.maximum(norms, 1e-9)) @ x
    u, s, vt = randomized_svd(x, n_components=dim, n_iter=6, random_state=seed)
    scale = np.sqrt(s)[None, :]
    diseases = u * scale
    direct_terms = vt[:, : len(kb.terms)].T * scale
    # one propagation step over the hierarchy: a term's vector is the IC-weighted mean of its closure's
    weights = matrices.ancestors.tocsr().multiply(ic[None, :]).tocsr()
    terms = weights @ direct_terms
    terms /= np.maximum(np.asarray(weights.sum(axis=1)), 1e-9)
    return GraphEmbeddings(_unit(terms), _unit(diseases), phenotype_graph_fingerprint(kb))


def _unit(x: np.ndarray) -> np.ndarray:
    return (x / np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-9)).astype(np.float32)
