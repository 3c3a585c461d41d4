"""Static word vectors for the NER's tok2vec, distilled from the packaged MiniLM encoder.

No pretrained biomedical word vectors can be downloaded here, and running a transformer inside the
pipeline is too slow for the throughput target. Instead every word of the training corpora and of the
vocabularies' names (MeSH chemicals and diseases, HPO, DOID) is encoded on its own by MiniLM, mean-pooled
over its word pieces and reduced by PCA. A word the NER never saw in training ("nephrotoxicity") then gets a
vector near the related words it did see ("hepatotoxicity"). One row per lower-case word; every spelling
seen in the texts (and the capitalised and upper-case forms) is a key to that row, because spaCy saves a
table's keys but not the token attribute they were made from, so the table must be keyed by exact form.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from spacy.tokens import DocBin, Token

from ingest.ner.tokenizer import blank_scientific

# Weight of a corpus token relative to a vocabulary-name token when ranking words for the table.
CORPUS_WEIGHT = 10
MAX_WORD_LENGTH = 40


def vocabulary_names(vocab_dir: Path) -> Iterator[str]:
    """Names of MeSH chemicals (D tree, with entry terms), diseases (C tree), supplements, HPO and DOID."""
    with (vocab_dir / "mesh_descriptors.tsv").open(encoding="utf-8") as fh:
        for line in fh:
            fields = line.rstrip("\n").split("\t")
            if len(fields) >= 4 and any(tree[:1] in ("C", "D") for tree in fields[3].split("|")):
                yield fields[1]
                yield from fields[2].split("|")[:5]
    with (vocab_dir / "mesh_supplementary.tsv").open(encoding="utf-8") as fh:
        yield from (line.split("\t", 2)[1] for line in fh if line.count("\t") >= 2)
    for name in ("hp.json", "doid.json"):
        terms = json.loads((vocab_dir / name).read_text(encoding="utf-8"))
        yield from (term["name"] for term in terms if term.get("name"))


@dataclass(frozen=True, slots=True)
class Word:
    """A lower-case word and the spellings that share its vector."""

    lower: str
    forms: frozenset[str]


def rank_words(docbins: Iterable[Path], names: Iterable[str], limit: int) -> list[Word]:
    """The ``limit`` most frequent lower-case words (corpus tokens weighted above vocabulary-name tokens)."""
    nlp = blank_scientific()
    counts: Counter[str] = Counter()
    forms: dict[str, set[str]] = {}

    def count(token: Token, weight: int) -> None:
        counts[token.lower_] += weight
        forms.setdefault(token.lower_, set()).add(token.text)

    for path in docbins:
        for doc in DocBin().from_disk(path).get_docs(nlp.vocab):
            for token in doc:
                count(token, CORPUS_WEIGHT)
    for doc in nlp.tokenizer.pipe(names, batch_size=2000):
        for token in doc:
            count(token, 1)
    ranked = sorted((w for w in counts if _usable(w)), key=lambda w: (-counts[w], w))[:limit]
    return [Word(w, frozenset({w, w.capitalize(), w.upper(), *forms[w]})) for w in ranked]


def _usable(word: str) -> bool:
    return len(word) < MAX_WORD_LENGTH and any(ch.isalpha() for ch in word)


def encode_words(words: list[str], batch_size: int = 512) -> np.ndarray:
    """MiniLM's last hidden layer, mean-pooled over each word's pieces (no [CLS]/[SEP]); one row per word."""
    import torch

    from ingest.text_encoder import load_minilm

    tokenizer, model = load_minilm()
    order = sorted(range(len(words)), key=lambda i: len(words[i]))  # similar lengths pad less
    out = np.zeros((len(words), model.config.hidden_size), dtype=np.float32)
    with torch.inference_mode():
        for i in range(0, len(order), batch_size):
            rows = order[i:i + batch_size]
            batch = tokenizer([words[r] for r in rows], padding=True, truncation=True, max_length=24,
                              return_tensors="pt", return_special_tokens_mask=True)
            special = batch.pop("special_tokens_mask")
            hidden = model(**batch).last_hidden_state
            mask = (batch["attention_mask"] * (1 - special)).unsqueeze(-1).float()
            out[rows] = ((hidden * mask).sum(1) / mask.sum(1).clamp(min=1)).numpy()
    return out


def reduce(matrix: np.ndarray, dims: int) -> np.ndarray:
    """Centre, project on the top ``dims`` principal components and L2-normalise each row."""
    centred = matrix - matrix.mean(axis=0)
    _, _, components = np.linalg.svd(centred, full_matrices=False)
    reduced = centred @ components[:dims].T
    return (reduced / (np.linalg.norm(reduced, axis=1, keepdims=True) + 1e-8)).astype(np.float32)


def write_vectors(words: list[Word], matrix: np.ndarray, out: Path) -> Path:
    """Save a blank pipeline whose vocab holds the table (what spaCy's ``[initialize] vectors`` loads)."""
    import spacy
    from spacy.vectors import Vectors

    nlp = spacy.blank("en")
    table = Vectors(strings=nlp.vocab.strings, data=matrix)
    for row, word in enumerate(words):
        for form in sorted(word.forms):
            table.add(form, row=row)
    nlp.vocab.vectors = table
    nlp.to_disk(out)
    return out


def build_static_vectors(docbins: list[Path], vocab_dir: Path, out: Path, words: int = 60000,
                         dims: int = 64) -> Path:
    """Rank words, encode them with MiniLM, reduce and save the vectors pipeline to ``out``."""
    ranked = rank_words(docbins, vocabulary_names(vocab_dir), words)
    return write_vectors(ranked, reduce(encode_words([w.lower for w in ranked]), dims), out)
