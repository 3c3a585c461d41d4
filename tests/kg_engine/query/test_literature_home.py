"""Questions on a home holding only literature (ten real BC5CDR abstracts through the NLP pipeline, no curated
graph) and on an empty home: answers from the text-mined edges, or a reason naming what to load, never a crash."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from kg_engine.decision.common import DecisionInputError
from kg_engine.errors import QueryError


@pytest.fixture(scope="module")
def literature_home(tmp_path_factory: pytest.TempPathFactory, nlp, shared_data: Path) -> Path:  # type: ignore[no-untyped-def]
    from kg_engine import Engine
    from kg_engine.literature import ingest_literature
    from kg_engine.load.deadletter import DeadLetter

    root = tmp_path_factory.mktemp("literature-only")
    blocks = (shared_data / "bc5cdr" / "CDR_DevelopmentSet.PubTator.txt").read_text().split("\n\n")[:10]
    source = root / "dev10.txt"
    source.write_text("\n\n".join(blocks) + "\n")
    home = tmp_path_factory.mktemp("literature-home")
    with Engine.open(home, data_dir=shared_data) as kg:
        kg.init()
        with DeadLetter(root / "dead.jsonl") as dead:
            ingest_literature(nlp, kg.store, [source], dead, "test", batch_size=16)
    return home


@pytest.fixture(scope="module")
def literature_engine(literature_home: Path, shared_data: Path) -> Iterator[object]:
    from kg_engine import Engine

    kg = Engine.open(literature_home, read_only=True, data_dir=shared_data)
    yield kg
    kg.close()


def _caused(kg) -> tuple[str, str, set[str]]:  # type: ignore[no-untyped-def]
    """A disease the abstracts say some chemical causes, named so that grounding finds it, and those chemicals."""
    rows = kg.query("MATCH (c:Compound)-[:causes]->(d:Disease) RETURN c.curie AS c, d.curie AS d, d.name AS name "
                    "ORDER BY d.curie, c.curie")
    assert len(rows), "ten BC5CDR abstracts give some chemical-induced disease relations"
    asker = kg.asker()
    for disease, name in dict(zip(rows["d"], rows["name"], strict=True)).items():
        if name.replace(" ", "").isalpha() and asker.link(name) == disease:
            return disease, name, set(rows.loc[rows["d"] == disease, "c"])
    raise AssertionError("no caused disease is found by its own name")


def test_a_literature_only_home_grounds_and_answers_from_the_text_mined_edges(literature_engine) -> None:
    kg = literature_engine
    disease, name, chemicals = _caused(kg)
    record = kg.ask(f"Which drugs cause {name}?")
    assert not record["abstained"], record.get("reason")
    assert {a["curie"] for a in record["answers"]} == chemicals
    assert "causes" in record["cypher"] and "text-mined" in record["notes"][0]
    rows = kg.query(f'MATCH (c:Compound) WHERE c.curie IN nl("drugs that cause {name}") RETURN c.curie AS curie')
    assert set(rows["curie"]) == chemicals
    linked = kg.query(f'MATCH (d:Disease {{curie: kg.link("{name}")}}) RETURN d.curie AS curie')
    assert list(linked["curie"]) == [disease]
    evidence = kg.evidence(name, top=3)
    assert evidence["sentences"] and any(r["predicate"] == "causes" for r in evidence["relations"])
    curated = kg.ask(f"Which drugs treat {name}?")  # curated treats edges are not loaded: say so
    assert curated["abstained"] and "kg load hetionet" in curated["reason"]
    from kg_engine.query.ask import grounded_categories

    assert {"Compound", "Disease"} <= set(grounded_categories(kg.store, set()))  # mentions alone index them


def test_an_empty_home_says_what_to_load(tmp_path: Path, shared_data: Path) -> None:
    from kg_engine import Engine

    with Engine.open(tmp_path, data_dir=shared_data) as kg:
        kg.init()
    with Engine.open(tmp_path, read_only=True, data_dir=shared_data) as kg:
        record = kg.ask("Which drugs treat gout?")
        assert record["abstained"] and "kg ingest literature" in record["reason"]
        with pytest.raises(QueryError, match="kg load hetionet"):
            kg.query('MATCH (c:Compound {curie: kg.link("metformin")}) RETURN c.name AS name')
        with pytest.raises(QueryError, match="kg load hetionet"):
            kg.query('MATCH (c:Compound) WHERE c.curie IN nl("drugs that treat gout") RETURN c.name AS name')
        with pytest.raises(DecisionInputError, match="kg ingest literature"):
            kg.evidence("metformin and lactic acidosis")
