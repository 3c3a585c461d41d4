"""Fuzzy candidates for mentions the exact alias index misses: scispaCy's ``CandidateGenerator``.

scispaCy's own index builder needs an old SciPy, so the char-3-gram TF-IDF vectorizer and the nmslib
HNSW index are built here with scispaCy's recipe (smaller graph parameters, so a 70k-alias index builds
in about a minute) and handed to ``CandidateGenerator`` together with a ``KnowledgeBase`` of the same
concepts.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import joblib
import nmslib
import numpy as np
from scispacy.candidate_generation import CandidateGenerator
from scispacy.linking_utils import Entity, KnowledgeBase
from sklearn.feature_extraction.text import TfidfVectorizer

INDEX_PARAMS = {"M": 16, "efConstruction": 100, "post": 0}
EF_SEARCH = 100


@dataclass(frozen=True, slots=True)
class FuzzyMatch:
    """The best fuzzy candidate: its CURIE and cosine similarity of char-3-gram TF-IDF vectors."""

    curie: str
    similarity: float


class FuzzyLinker:
    """Nearest-alias search over one entity type's aliases, through scispaCy's ``CandidateGenerator``."""

    def __init__(self, generator: CandidateGenerator, threshold: float) -> None:
        self.generator = generator
        self.threshold = threshold

    def best(self, texts: Sequence[str], k: int = 10) -> list[FuzzyMatch | None]:
        """For each text, the most similar concept above the threshold (None when there is none)."""
        results: list[FuzzyMatch | None] = []
        for candidates in self.generator([t.lower() for t in texts], k):
            scored = [(max(c.similarities), c.concept_id) for c in candidates]
            top = max(scored, default=None)
            results.append(FuzzyMatch(top[1], float(top[0])) if top and top[0] >= self.threshold else None)
        return results

    @staticmethod
    def build(aliases: Sequence[tuple[str, str]], folder: Path) -> None:
        """Fit the vectorizer and build the HNSW index over (alias, CURIE) pairs; write them to ``folder``."""
        folder.mkdir(parents=True, exist_ok=True)
        texts = [a for a, _ in aliases]
        vectorizer = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 3), min_df=2, dtype=np.float32)
        vectors = vectorizer.fit_transform(texts)
        index = nmslib.init(method="hnsw", space="cosinesimil_sparse", data_type=nmslib.DataType.SPARSE_VECTOR)
        index.addDataPointBatch(vectors)
        index.createIndex(INDEX_PARAMS, print_progress=False)
        index.saveIndex(str(folder / "index.bin"), save_data=True)
        joblib.dump(vectorizer, folder / "tfidf.joblib")
        (folder / "aliases.json").write_text(json.dumps(list(aliases)), encoding="utf-8")

    @classmethod
    def load(cls, folder: Path, threshold: float = 0.8) -> FuzzyLinker:
        """Load an index written by ``build``."""
        pairs = [tuple(p) for p in json.loads((folder / "aliases.json").read_text(encoding="utf-8"))]
        index = nmslib.init(method="hnsw", space="cosinesimil_sparse", data_type=nmslib.DataType.SPARSE_VECTOR)
        index.loadIndex(str(folder / "index.bin"), load_data=True)
        index.setQueryTimeParams({"efSearch": EF_SEARCH})
        generator = CandidateGenerator(
            ann_index=index, tfidf_vectorizer=joblib.load(folder / "tfidf.joblib"),
            ann_concept_aliases_list=[a for a, _ in pairs], kb=_knowledge_base(pairs),
        )
        return cls(generator, threshold)


def _knowledge_base(pairs: Sequence[tuple[str, str]]) -> KnowledgeBase:
    by_curie: dict[str, list[str]] = defaultdict(list)
    for alias, curie in pairs:
        by_curie[curie].append(alias)
    entities = [Entity(curie, names[0], names, [], "") for curie, names in by_curie.items()]
    return KnowledgeBase(entities)
