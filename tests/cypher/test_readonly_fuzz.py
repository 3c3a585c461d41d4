"""Fuzz the read-only guard with generated statements (fixed seed): every write refused, every read accepted."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

from cypher.readonly import write_clauses


def load_corpus() -> ModuleType:
    name = "readonly_corpus"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, Path(__file__).with_name(f"{name}.py"))
        assert spec and spec.loader
        sys.modules[name] = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(sys.modules[name])
    return sys.modules[name]


corpus = load_corpus()


def test_corpus_is_a_few_hundred_statements_and_fixed():
    writes, reads = corpus.write_corpus(), corpus.read_corpus()
    assert len(writes) >= 300 and len(reads) >= 150
    assert [c.text for c in writes] == [c.text for c in corpus.write_corpus()]
    assert len({c.text for c in writes}) > 0.9 * len(writes)


def test_every_generated_write_is_refused_on_its_backends():
    passed = [
        (dialect, case.text)
        for case in corpus.write_corpus()
        for dialect in case.form.dialects
        if not write_clauses(case.text, dialect)
    ]
    assert passed == []


def test_writes_are_refused_for_what_they_do_not_because_they_do_not_parse():
    unparsed = [
        (dialect, case.text)
        for case in corpus.write_corpus()
        for dialect in case.form.dialects
        if not case.form.trick
        and all(r.startswith("a statement it cannot parse") for r in write_clauses(case.text, dialect))
    ]
    assert unparsed == []


def test_every_generated_read_is_accepted_on_its_backends():
    refused = [
        (dialect, case.text, write_clauses(case.text, dialect))
        for case in corpus.read_corpus()
        for dialect in case.form.dialects
        if write_clauses(case.text, dialect)
    ]
    assert refused == []


def test_corpus_covers_the_hard_cases():
    texts = [c.text for c in corpus.write_corpus()]
    assert any("/*" in t for t in texts) and any("//" in t for t in texts)
    assert any("\u3000" in t or "\u00a0" in t for t in texts)
    assert any(t != t.upper() and "create" in t.lower() and "CREATE" not in t for t in texts)
    assert any(t.startswith(p) for t in texts for p in corpus.PREFIXES)
