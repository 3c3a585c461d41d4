"""Shared fixtures: the real datasets in ../shared/data and small subsets derived from them at test time."""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path

import pytest

from ontologies.data import data_dir


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The shared datasets folder; tests that need it are skipped (with the reason) when it is absent."""
    try:
        return data_dir()
    except FileNotFoundError as exc:
        pytest.skip(f"shared datasets not found: {exc}")


@pytest.fixture(scope="session")
def kb_home(tmp_path_factory: pytest.TempPathFactory, shared_data: Path) -> Path:
    """A KG_HOME whose knowledge base is built from the real vocabularies (about a minute, once)."""
    from kg_engine.config import Settings
    from kg_engine.kb import load_or_build

    home = tmp_path_factory.mktemp("kb-home")
    load_or_build(Settings.load(home=home, data_dir=shared_data))
    return home


@pytest.fixture(scope="session")
def nlp(kb_home: Path, shared_data: Path):
    from kg_engine.config import Settings
    from kg_engine.literature import load_nlp

    return load_nlp(Settings.load(home=kb_home, data_dir=shared_data))


@pytest.fixture(scope="session")
def note_nlp(kb_home: Path, shared_data: Path):
    """The clinical-note pipeline (literature pipeline + HPO findings + assertion) on the session's base."""
    from kg_engine.clinical import load_note_nlp
    from kg_engine.config import Settings

    return load_note_nlp(Settings.load(home=kb_home, data_dir=shared_data))


@pytest.fixture
def negex_notes(shared_data: Path) -> Callable[..., dict[str, str]]:
    """Write a CSV of notes, one per NegEx report (its sentences, one a line); returns id -> text.

    ``make(path, reports, extra, bad_rows)``: the first ``reports`` reports, then the ``extra`` notes, then
    ``bad_rows`` as they are.
    """

    def make(path: Path, reports: int = 6, extra: dict[str, str] | None = None,
             bad_rows: list[list[str]] | None = None) -> dict[str, str]:
        notes: dict[str, list[str]] = {}
        with (shared_data / "negex" / "annotations_reports_1-60.tsv").open(encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh, delimiter="\t"):
                number, sentence = row["Report No."], row["Sentence"]
                if int(number) <= reports and sentence not in notes.setdefault(number, []):
                    notes[number].append(sentence)
        texts = {f"rpt-{int(k):04d}-negex": "\n".join(v) for k, v in notes.items()}
        texts.update(extra or {})
        with path.open("w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh)
            writer.writerow(["id", "text"])
            writer.writerows(texts.items())
            writer.writerows(bad_rows or [])
        return texts

    return make


@pytest.fixture(scope="session")
def hetionet_dir(shared_data: Path) -> Path:
    """The full Hetionet folder."""
    path = shared_data / "hetionet"
    if not path.is_dir():
        pytest.skip(f"no Hetionet data at {path}")
    return path


@pytest.fixture
def hetionet_subset(hetionet_dir: Path, tmp_path: Path) -> Path:
    """A small Hetionet folder: the first rows of three edge files and the nodes they touch.

    Line endings are kept as the originals have them (CR / CRLF), so the loader sees the real format.
    """
    out = tmp_path / "hetionet"
    (out / "edges").mkdir(parents=True)
    wanted = {"Compound_Binds_Gene.tsv": 200, "Compound_Treats_Disease.tsv": 100, "Anatomy_Upregulates_Gene.tsv": 50}
    ids: set[str] = set()
    for name, rows in wanted.items():
        raw = (hetionet_dir / "edges" / name).read_bytes()
        eol = b"\r\n" if b"\r\n" in raw else b"\r"
        lines = raw.split(eol)
        header, body = lines[0], [ln for ln in lines[1 : rows + 1] if ln]
        if name == "Compound_Binds_Gene.tsv":  # imatinib -> ABL1 is always in the subset
            body.append(b"DB00619\t25")
        kinds = [h.split(b"(")[1].rstrip(b")").decode() for h in header.split(b"\t")]
        for line in body:
            for kind, local in zip(kinds, line.decode().split("\t"), strict=True):
                ids.add(f"{kind}::{local}")
        (out / "edges" / name).write_bytes(eol.join([header, *body]) + eol)
    node_lines = (hetionet_dir / "hetionet-v1.0-nodes.tsv").read_text(encoding="utf-8").splitlines()
    kept = [ln for ln in node_lines[1:] if ln.split("\t", 1)[0] in ids]
    (out / "hetionet-v1.0-nodes.tsv").write_text("\n".join([node_lines[0], *kept]) + "\n", encoding="utf-8")
    (out / "metaedges-v1.0.tsv").write_bytes((hetionet_dir / "metaedges-v1.0.tsv").read_bytes())
    return out
