"""Grounding question phrases to the store's nodes: exact names and synonyms, then typos, then MiniLM.

Aliases come from the store's node names and the project's vocabularies: DrugBank synonyms for compounds,
DOID synonyms for diseases, HGNC aliases and previous symbols for genes, MeSH entry terms for symptoms.
Only nodes of the categories the engine asks for are grounded (those with edges a question can walk, and those
abstracts mention: the store's Gene Ontology terms have neither); with none at all (an empty home) every stage
finds nothing rather than failing.
Typos go through a char-3-gram TF-IDF nearest-alias search re-scored by edit similarity; MiniLM nearest
neighbours over node names come last and only for phrases the other stages leave unmatched.
"""

from __future__ import annotations

import csv
import difflib
import json
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np

from cypher.identifiers import quote_identifier
from cypher.nl import Entity, normalize
from ontologies.xrefs import read_drugbank, read_hgnc

FUZZY_RATIO = 0.84
MINILM_COSINE = 0.9
_SUFFIXES = (" mellitus", " disease", " disorder", " syndrome")
_MINILM_CATEGORIES = ("Compound", "Disease", "Symptom", "SideEffect", "Anatomy", "PharmacologicClass", "Pathway")


def alias_variants(alias: str, category: str) -> set[str]:
    """Normal forms an alias is also typed in: possessives with and without ``s``, disease words dropped."""
    base = normalize(alias)
    forms = {base}
    if "'s" in alias or "\u2019s" in alias:
        forms.add(normalize(alias.replace("'s", "").replace("\u2019s", "")))
    if category == "Disease" and len(base.split()) >= 2:
        forms.add("".join(w if w.isdigit() else w[0] for w in base.split()))  # initialism: "t2dm", "copd"
    if category == "Disease":
        for form in list(forms):
            for suffix in _SUFFIXES:
                if form.endswith(suffix) and len(form) - len(suffix) >= 5:
                    forms.add(form[: -len(suffix)])
    return {f for f in forms if f}


def vocabulary_synonyms(vocab_dir: Path) -> dict[str, set[str]]:
    """CURIE -> synonyms from DrugBank, DOID, HGNC and MeSH descriptors (the CURIE forms the store uses)."""
    synonyms: dict[str, set[str]] = defaultdict(set)
    for drug in read_drugbank(vocab_dir).rows:
        synonyms[drug.curie].update(drug.synonyms)
    for record in json.loads((vocab_dir / "doid.json").read_text(encoding="utf-8")):
        synonyms[record.get("id", "")].update(record.get("synonyms", []))
    for gene in read_hgnc(vocab_dir).rows:
        if gene.ncbigene:
            curie = gene.ncbigene if gene.ncbigene.startswith("NCBIGene:") else f"NCBIGene:{gene.ncbigene}"
            synonyms[curie].update((*gene.aliases, *gene.previous))
    with (vocab_dir / "mesh_descriptors.tsv").open(encoding="utf-8") as fh:
        for row in csv.reader(fh, delimiter="\t"):
            if len(row) >= 3 and row[2]:
                synonyms[f"MESH:{row[0]}"].update(row[2].split("|"))
    return synonyms


class StoreGrounder:
    """The ``cypher.nl.Grounder`` over one store's nodes."""

    def __init__(self, nodes: Iterable[tuple[str, str, str]], synonyms: dict[str, set[str]],
                 minilm_cache: Path | None = None) -> None:
        """``nodes`` are (curie, name, category) triples; ``synonyms`` map CURIEs to other names."""
        self.nodes: dict[tuple[str, str], Entity] = {}
        self.index: dict[str, list[tuple[int, Entity]]] = defaultdict(list)
        for curie, name, category in nodes:
            entity = Entity(curie, name or curie, category)
            self.nodes[(curie, category)] = entity
            for rank, alias in ((0, name or ""), *((1, s) for s in synonyms.get(curie, ()))):
                for form in alias_variants(alias, category):
                    self.index[form].append((rank, entity))
        for hits in self.index.values():
            hits.sort(key=lambda h: (h[0], h[1].category, h[1].curie))
        self._tfidf: Any = None
        self._minilm_cache = minilm_cache
        self._minilm: Any = None

    @classmethod
    def from_store(cls, store: Any, categories: Iterable[str], vocab_dir: Path | None,
                   minilm_cache: Path | None = None) -> StoreGrounder:
        """Read every node of ``categories`` from ``store`` (and synonyms from ``vocab_dir`` when given)."""
        nodes: list[tuple[str, str, str]] = []
        for category in categories:
            frame = store.query(f"MATCH (n:{quote_identifier(category)}) RETURN n.curie AS curie, n.name AS name")
            nodes.extend((c, n, category) for c, n in zip(frame["curie"], frame["name"], strict=True))
        synonyms = vocabulary_synonyms(vocab_dir) if vocab_dir is not None else {}
        return cls(nodes, synonyms, minilm_cache)

    # --- the Grounder protocol --------------------------------------------------------------------

    def exact(self, phrase: str) -> list[Entity]:
        """Nodes whose name or synonym is ``phrase`` (normalised), names before synonyms."""
        seen: dict[tuple[str, str], Entity] = {}
        for _, entity in self.index.get(normalize(phrase), ()):
            seen.setdefault((entity.curie, entity.category), entity)
        return list(seen.values())

    def fuzzy(self, phrase: str) -> list[Entity]:
        """Typos first (edit similarity of the nearest aliases), MiniLM neighbours last."""
        text = normalize(phrase)
        if len(text) < 4:
            return []
        found = self._typo(text)
        return found or self._neighbours(text)

    # --- stages -----------------------------------------------------------------------------------

    def _typo(self, text: str) -> list[Entity]:
        from sklearn.feature_extraction.text import TfidfVectorizer

        if not self.index:  # nothing to search (TF-IDF cannot be fitted on no words)
            return []
        if self._tfidf is None:
            forms = sorted(self.index)
            vectorizer = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 3), dtype=np.float32)
            self._tfidf = (vectorizer, vectorizer.fit_transform(forms), forms)
        vectorizer, matrix, forms = self._tfidf
        scores = (matrix @ vectorizer.transform([text]).T).toarray().ravel()
        best: tuple[float, str] | None = None
        for i in np.argsort(-scores)[:20]:
            ratio = difflib.SequenceMatcher(None, text, forms[i]).ratio()
            if ratio >= FUZZY_RATIO and (best is None or ratio > best[0]):
                best = (ratio, forms[i])
        if best is None:
            return []
        return [Entity(e.curie, e.name, e.category, best[0], "fuzzy") for e in self.exact(best[1])]

    def _neighbours(self, text: str) -> list[Entity]:
        if self._minilm_cache is None:
            return []
        import torch

        from kg_engine.gnn.text import cached_vectors, encode_names

        if self._minilm is None:
            entities = [e for e in self.nodes.values() if e.category in _MINILM_CATEGORIES]
            vectors = cached_vectors([e.name for e in entities], self._minilm_cache) if entities else None
            self._minilm = (entities, vectors)
        entities, vectors = self._minilm
        if not entities:
            return []
        sims = vectors @ encode_names([text])[0]
        top = int(torch.argmax(sims))
        score = float(sims[top])
        if score < MINILM_COSINE:
            return []
        e = entities[top]
        return [Entity(e.curie, e.name, e.category, score, "minilm")]

    def find(self, text: str, limit: int = 10) -> list[Entity]:
        """Every node ``text`` may name: exact matches, else the fuzzy stages (for ``kg find``)."""
        return (self.exact(text) or self.fuzzy(text))[:limit]
