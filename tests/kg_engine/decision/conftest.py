"""A session store for the decision commands, built at test time from slices of the real data.

Hetionet: indications, pharmacologic classes, chemical similarity, disease–gene associations, the targets of
the compounds that treat or palliate type 2 diabetes plus warfarin and aspirin, those targets' pathways and
those compounds' side effects. Then PharmacotherapyDB, every ChCh-Miner interaction, SIDER frequencies, and
the BC5CDR development abstracts that mention doxorubicin, written as Publication nodes with sentence-level
co-mention and chemical-induced-disease edges (their gold PubTator annotations, sentences as evidence).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

EDGE_FILES = ("Compound_Treats_Disease.tsv", "Compound_Palliates_Disease.tsv",
              "PharmacologicClass_Includes_Compound.tsv",
              "Compound_Resembles_Compund.tsv", "Disease_Associates_Gene.tsv")
FILTERED = ("Compound_Binds_Gene.tsv", "Compound_Causes_SideEffect.tsv", "Gene_Participates_Pathway.tsv")
T2D = "DOID:9352"
EXTRA_DRUGS = {"DB00682", "DB00945", "DB00997"}  # warfarin, aspirin, doxorubicin
DOXORUBICIN_MESH = "D004317"
CARDIOTOXICITY_MESH = "D066126"
DOXORUBICIN = "DRUGBANK:DB00997"


def _lines(path: Path) -> list[str]:
    raw = path.read_bytes().replace(b"\r\n", b"\n").replace(b"\r", b"\n").decode("utf-8")
    return [ln for ln in raw.split("\n") if ln]


def _slice(hetionet_dir: Path, root: Path) -> None:
    (root / "edges").mkdir(parents=True)
    ids: set[str] = set()
    drugs = set(EXTRA_DRUGS)
    for name in EDGE_FILES:
        lines = _lines(hetionet_dir / "edges" / name)
        if name in ("Compound_Treats_Disease.tsv", "Compound_Palliates_Disease.tsv"):
            drugs |= {ln.split("\t")[0] for ln in lines[1:] if ln.split("\t")[1] == T2D}
        (root / "edges" / name).write_text("\n".join(lines) + "\n", encoding="utf-8")
        ids |= _ids(lines)
    genes: set[str] = set()
    for name in FILTERED:
        lines = _lines(hetionet_dir / "edges" / name)
        if name == "Gene_Participates_Pathway.tsv":
            body = [ln for ln in lines[1:] if ln.split("\t")[0] in genes]
        else:
            body = [ln for ln in lines[1:] if ln.split("\t")[0] in drugs]
            if name == "Compound_Binds_Gene.tsv":
                genes = {ln.split("\t")[1] for ln in body}
        (root / "edges" / name).write_text("\n".join([lines[0], *body]) + "\n", encoding="utf-8")
        ids |= _ids([lines[0], *body])
    nodes = (hetionet_dir / "hetionet-v1.0-nodes.tsv").read_text(encoding="utf-8").splitlines()
    kept = [ln for ln in nodes[1:] if ln.split("\t", 1)[0].replace(" ", "") in ids]
    (root / "hetionet-v1.0-nodes.tsv").write_text("\n".join([nodes[0], *kept]) + "\n", encoding="utf-8")
    (root / "metaedges-v1.0.tsv").write_bytes((hetionet_dir / "metaedges-v1.0.tsv").read_bytes())


def _ids(lines: list[str]) -> set[str]:
    kinds = [h.split("(")[1].rstrip(")").replace(" ", "") for h in lines[0].split("\t")]
    return {f"{k}::{v}" for line in lines[1:] for k, v in zip(kinds, line.split("\t"), strict=True)}


def doxorubicin_abstracts(shared_data: Path, limit: int = 8) -> list[dict]:
    """BC5CDR dev documents whose gold annotations include doxorubicin (those naming cardiotoxicity first)."""
    text = (shared_data / "bc5cdr" / "CDR_DevelopmentSet.PubTator.txt").read_text(encoding="utf-8")
    docs = []
    for block in text.strip().split("\n\n"):
        lines = block.split("\n")
        pmid, title = lines[0].split("|t|", 1)
        abstract = lines[1].split("|a|", 1)[1]
        mentions, relations = [], []
        for line in lines[2:]:
            f = line.split("\t")
            if len(f) >= 6 and f[5] != "-1" and "|" not in f[5]:
                mentions.append((int(f[1]), int(f[2]), f[3], f[4], f[5]))
            elif len(f) == 4 and f[1] == "CID":
                relations.append((f[2], f[3]))
        if any(m[4] == DOXORUBICIN_MESH for m in mentions):
            docs.append({"pmid": pmid, "text": f"{title} {abstract}", "mentions": mentions, "relations": relations})
    docs.sort(key=lambda d: not any(m[4] == CARDIOTOXICITY_MESH for m in d["mentions"]))  # those first
    return docs[:limit]


def _literature_edges(docs: list[dict], mesh_names: dict[str, str]) -> tuple[list, dict[str, str], dict[str, str]]:
    """Publication/entity nodes and mentions, co-mention and causes edges with sentence evidence.

    Doxorubicin's MeSH id lands on its DrugBank compound, as the literature loader attaches it through its
    cross-references; other entities keep MeSH CURIEs named by their MeSH labels.
    """
    from ontologies import Edge, Provenance

    categories: dict[str, str] = {DOXORUBICIN: "Compound"}
    names: dict[str, str] = {DOXORUBICIN: "Doxorubicin"}
    edges = []
    for doc in docs:
        pub = f"PMID:{doc['pmid']}"
        categories[pub], names[pub] = "Publication", doc["text"][:80]
        spans = [(m.start(), m.end()) for m in re.finditer(r"[^.!?]+[.!?]?", doc["text"])]
        members: dict[tuple[int, int], set[str]] = {}
        for start, end, mtext, mtype, mesh in doc["mentions"]:
            curie = DOXORUBICIN if mesh == DOXORUBICIN_MESH else f"MESH:{mesh}"
            categories[curie] = "Compound" if mtype == "Chemical" else "Disease"
            names.setdefault(curie, mesh_names.get(mesh, mtext))
            sentence = next(s for s in spans if s[0] <= start < s[1])
            prov = Provenance("pubmed", pub, sentence, (start, end), mtext, "gold-pubtator", "1", 1.0)
            edges.append(Edge(pub, "mentions", curie, (prov,)))
            members.setdefault(sentence, set()).add(curie)
        for sentence, found in members.items():
            snippet = doc["text"][sentence[0] : sentence[1]].strip()
            for a in sorted(found):
                for b in sorted(found):
                    if a < b and categories[a] != categories[b]:
                        s, o = sorted((a, b), key=lambda c: (categories[c], c))
                        prov = Provenance("pubmed", pub, sentence, sentence, snippet, "gold-pubtator", "1")
                        edges.append(Edge(s, "occurs_together_in_literature_with", o, (prov,)))
        for chem, dis in doc["relations"]:
            c = DOXORUBICIN if chem == DOXORUBICIN_MESH else f"MESH:{chem}"
            d = f"MESH:{dis}"
            hits = [s for s, found in members.items() if {c, d} <= found]
            if c in categories and d in categories and hits:
                snippet = doc["text"][hits[0][0] : hits[0][1]].strip()
                prov = Provenance("pubmed", pub, hits[0], hits[0], snippet, "gold-cid", "1", 0.9)
                edges.append(Edge(c, "causes", d, (prov,), props={"best_score": 0.9}))
    return edges, categories, names


@pytest.fixture(scope="session")
def decision_home(tmp_path_factory: pytest.TempPathFactory, hetionet_dir: Path, shared_data: Path) -> Path:
    """KG_HOME with the slices above loaded."""
    import pandas as pd

    from kg_engine import Engine
    from kg_engine.store.base import EdgeBatch, NodeBatch

    root = tmp_path_factory.mktemp("decision-data")
    _slice(hetionet_dir, root)
    home = tmp_path_factory.mktemp("decision-home")
    mesh = {}
    for line in (shared_data / "vocab" / "mesh_descriptors.tsv").read_text(encoding="utf-8").splitlines():
        fields = line.split("\t")
        if len(fields) > 1:
            mesh[fields[0]] = fields[1]
    edges, categories, names = _literature_edges(doxorubicin_abstracts(shared_data), mesh)
    with Engine.open(home, data_dir=shared_data) as kg:
        kg.init()
        kg.load_hetionet(root)
        kg.load_indications()
        kg.load_interactions()
        kg.load_sider()
        by_cat: dict[str, list[str]] = {}
        for curie, cat in categories.items():
            by_cat.setdefault(cat, []).append(curie)
        for cat, curies in by_cat.items():
            frame = pd.DataFrame({"curie": curies, "name": [names[c] for c in curies]})  # DB00997 exists: kept
            kg.store.upsert_nodes(NodeBatch(cat, frame), on_conflict="keep")
        for batch in EdgeBatch.from_edges(edges, categories):
            kg.store.upsert_edges(batch)
    (home / "fixture.json").write_text(json.dumps({"publications": len(by_cat.get("Publication", []))}))
    return home


@pytest.fixture(scope="session")
def decision_engine(decision_home: Path, shared_data: Path):
    """The engine on that store, read-only, shared by the session's tests."""
    from kg_engine import Engine

    kg = Engine.open(decision_home, read_only=True, data_dir=shared_data)
    yield kg
    kg.close()


@pytest.fixture
def cli(decision_home: Path, shared_data: Path, monkeypatch: pytest.MonkeyPatch):
    """``cli(*args)`` runs ``kg ARGS --home <decision home>`` and returns the result."""
    from typer.testing import CliRunner

    from kg_engine.cli import app

    monkeypatch.setenv("KG_DATA_DIR", str(shared_data))
    runner = CliRunner()

    def run(*args: str):
        return runner.invoke(app, [*args, "--home", str(decision_home)])

    return run
