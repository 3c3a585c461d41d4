"""The phenotype knowledge the rankers read: HPO terms and ancestors, diseases and their annotations, as arrays.

Built from the same files and the same disease layer as ``kg load hpo`` (so a ranked disease's key is the
graph's ``Disease`` node), once, then cached under ``$KG_HOME/cache/diagnosis`` (an ``.npz`` of arrays and a
JSON of strings): building takes a few seconds, loading the cache well under one.

Only phenotypic abnormalities (``HP:0000118`` and below) take part in ranking; annotations of other aspects
(inheritance, onset, clinical course) stay in the graph.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pandas as pd
import scipy.sparse as sp

from kg_engine.load.hpo import DISEASE_PREFIXES, HpoRelease, annotation_rows
from ontologies import load_schema
from ontologies.hpo import HpoOntology, read_gene_links, read_hpoa, read_obo
from ontologies.hpo_diseases import build_disease_layer, hetionet_diseases, read_sssom

__all__ = ["KB_VERSION", "PHENOTYPIC_ABNORMALITY", "PhenotypeKB", "UnknownTermError", "load_phenotype_kb",
           "with_inferred"]

KB_VERSION = "phenotype-kb-v2"
PHENOTYPIC_ABNORMALITY = "HP:0000118"


class UnknownTermError(ValueError):
    """An HPO id this release does not know (not a term, an alternative id or a retired one)."""


@dataclass
class PhenotypeKB:
    """Terms, diseases and annotations as index-aligned arrays.

    Attributes:
        version: The HPO release.
        terms: HPO ids of the phenotypic-abnormality branch; a term's index is its position.
        term_names: Their labels.
        retired: Alternative and obsolete ids -> current id.
        anc_indptr, anc_indices: CSR rows of the ancestor closure (each term's ancestors, itself included).
        diseases, disease_names, disease_ids: Disease keys, names, every equivalent id (key first).
        genes: Gene symbols per disease.
        ann_disease, ann_term, ann_freq: Positive annotations (frequency NaN when not given).
        not_disease, not_term: ``NOT`` annotations.
        references: Per disease, the PMIDs its annotations cite; ``cited``: every PMID the file cites.
        inferred: Per disease, ``""`` when its profile is the HPO annotations', else the basis of its
            predicted profile (:mod:`kg_engine.diagnosis.inferred`); predicted diseases follow the annotated.
    """

    version: str
    terms: list[str]
    term_names: list[str]
    retired: dict[str, str]
    anc_indptr: np.ndarray
    anc_indices: np.ndarray
    diseases: list[str]
    disease_names: list[str]
    disease_ids: list[list[str]]
    genes: list[list[str]]
    ann_disease: np.ndarray
    ann_term: np.ndarray
    ann_freq: np.ndarray
    not_disease: np.ndarray
    not_term: np.ndarray
    references: list[list[str]]
    cited: set[str] = field(default_factory=set)
    inferred: list[str] = field(default_factory=list)
    index: dict[str, int] = field(init=False, repr=False)
    disease_index: dict[str, int] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        if not self.inferred:
            self.inferred = [""] * len(self.diseases)
        self.index = {t: i for i, t in enumerate(self.terms)}
        self.disease_index = {}
        for i, ids in enumerate(self.disease_ids):
            for disease_id in ids:
                self.disease_index.setdefault(disease_id, i)

    @property
    def ancestors(self) -> sp.csr_matrix:
        """Terms x terms, ``[t, a] = 1`` when ``a`` is ``t`` or an ancestor of ``t``."""
        n = len(self.terms)
        data = np.ones(len(self.anc_indices), dtype=np.float32)
        return sp.csr_matrix((data, self.anc_indices, self.anc_indptr), shape=(n, n))

    def ancestors_of(self, term: int) -> np.ndarray:
        """Indices of ``term`` and its ancestors."""
        return self.anc_indices[self.anc_indptr[term] : self.anc_indptr[term + 1]]

    def resolve(self, term_id: str) -> str:
        """The current id of an HPO id (an alternative or retired id maps to its replacement).

        Raises:
            UnknownTermError: Not an HPO id of this release, or outside the phenotypic-abnormality branch.
        """
        term_id = term_id.strip()
        if term_id in self.index:
            return term_id
        if term_id in self.retired:
            return self.retired[term_id]
        raise UnknownTermError(f"unknown HPO term {term_id!r} (not a phenotypic abnormality of HPO {self.version})")


def load_phenotype_kb(cache_dir: Path, data_dir: Path, release: HpoRelease | None = None,
                      rebuild: bool = False) -> PhenotypeKB:
    """The knowledge from the cache, built from the HPO release and ``data_dir`` when absent or stale."""
    release = release or HpoRelease.find()
    stamp = hashlib.sha1(KB_VERSION.encode())
    for path in (release.hpoa, release.obo, release.genes):
        if path is not None:
            stamp.update(f"{path.resolve()}:{path.stat().st_size}:{path.stat().st_mtime_ns}".encode())
    base = cache_dir / f"{KB_VERSION}-{stamp.hexdigest()[:12]}"
    if not rebuild and base.with_suffix(".npz").is_file() and base.with_suffix(".json").is_file():
        return _read(base)
    kb = build_phenotype_kb(release, data_dir)
    kb = with_inferred(kb, read_sssom(data_dir / "vocab" / "mondo_sssom"), _name_reader(cache_dir, kb.version))
    _write(kb, base)
    return kb


def build_phenotype_kb(release: HpoRelease, data_dir: Path) -> PhenotypeKB:
    """Parse the release and the disease layer into a :class:`PhenotypeKB`."""
    ontology = read_obo(release.obo)
    terms = _branch(ontology, PHENOTYPIC_ABNORMALITY)
    index = {t: i for i, t in enumerate(terms)}
    indptr, indices = _closure(ontology, terms, index)
    retired = {old: new for old in _retired_ids(ontology) if (new := ontology.current(old)) in index}
    frame, _ = read_hpoa(release.hpoa)
    annotated = frame[["database_id", "disease_name"]].set_axis(["id", "name"], axis=1)
    annotated = annotated[annotated["id"].str.startswith(DISEASE_PREFIXES)]
    layer = build_disease_layer(annotated, read_sssom(data_dir / "vocab" / "mondo_sssom"),
                                hetionet_diseases(data_dir / "hetionet" / "hetionet-v1.0-nodes.tsv"))
    rows = annotation_rows(frame, ontology, layer, load_schema(), lambda *_: None)
    keys = sorted(set(layer.members["curie"]))
    d_index = {k: i for i, k in enumerate(keys)}
    nodes = layer.nodes.set_index("curie").loc[keys]
    pheno = rows[rows["object"].isin(index.keys())]
    pos = pheno[pheno["predicate"] == "has_phenotype"]
    pos = pos.groupby(["subject", "object"], sort=True)["frequency"].max().reset_index()
    neg = pheno[pheno["predicate"] != "has_phenotype"][["subject", "object"]].drop_duplicates()
    refs = rows.assign(ref=rows["reference"].str.split(";")).explode("ref")
    refs = refs[refs["ref"].str.startswith("PMID:", na=False)]
    by_disease = refs.groupby("subject")["ref"].agg(lambda s: sorted(set(s))).to_dict()
    genes = _genes(release, layer.key_of())
    return PhenotypeKB(
        version=ontology.version, terms=terms, term_names=[ontology.terms[t].name for t in terms], retired=retired,
        anc_indptr=indptr, anc_indices=indices, diseases=keys, disease_names=nodes["name"].tolist(),
        disease_ids=[[k, *x] for k, x in zip(keys, nodes["xrefs"], strict=True)],
        genes=[genes.get(k, []) for k in keys],
        ann_disease=pos["subject"].map(d_index).to_numpy(np.int32),
        ann_term=pos["object"].map(index).to_numpy(np.int32), ann_freq=pos["frequency"].to_numpy(np.float32),
        not_disease=neg["subject"].map(d_index).to_numpy(np.int32),
        not_term=neg["object"].map(index).to_numpy(np.int32),
        references=[by_disease.get(k, []) for k in keys], cited=set(refs["ref"]),
    )


def with_inferred(kb: PhenotypeKB, sssom: pd.DataFrame, name_terms: Callable[[str], Iterable[str]]) -> PhenotypeKB:
    """``kb`` plus the OMIM diseases of MONDO's mappings (``read_sssom``) it lacks, with predicted profiles."""
    from kg_engine.diagnosis.inferred import infer_profiles

    label = dict(zip(sssom["id"], sssom["mondo_label"], strict=True))
    known = [[name, *(label[i] for i in ids if i in label)] for name, ids in zip(kb.disease_names, kb.disease_ids,
                                                                                strict=True)]
    omim = sssom[sssom["id"].str.startswith("OMIM:") & ~sssom["id"].isin(kb.disease_index.keys())
                 & ~sssom["mondo"].isin(kb.disease_index.keys())].drop_duplicates("mondo").sort_values("mondo")
    profiles = infer_profiles(zip(omim["mondo"], omim["id"], omim["mondo_label"], strict=True), known,
                              (kb.ann_disease, kb.ann_term, kb.ann_freq), kb.index, name_terms)
    first = len(kb.diseases)
    rows = [np.full(len(p.terms), first + k, dtype=np.int32) for k, p in enumerate(profiles)]
    return replace(
        kb, diseases=[*kb.diseases, *(p.key for p in profiles)],
        disease_names=[*kb.disease_names, *(p.name for p in profiles)],
        disease_ids=[*kb.disease_ids, *(p.ids for p in profiles)], genes=[*kb.genes, *([] for _ in profiles)],
        ann_disease=np.concatenate([kb.ann_disease, *rows]),
        ann_term=np.concatenate([kb.ann_term, *(p.terms for p in profiles)]),
        ann_freq=np.concatenate([kb.ann_freq, *(p.frequencies for p in profiles)]),
        references=[*kb.references, *([] for _ in profiles)], inferred=[*kb.inferred, *(p.basis for p in profiles)])


def _name_reader(cache_dir: Path, version: str) -> Callable[[str], Iterable[str]]:
    from kg_engine.diagnosis.text import extract_findings, load_text_pipeline

    nlp = load_text_pipeline(cache_dir, version)
    return lambda name: extract_findings(nlp, name).observed


def _branch(ontology: HpoOntology, root: str) -> list[str]:
    children: dict[str, list[str]] = {}
    for term in ontology.live():
        for parent in term.parents:
            children.setdefault(parent, []).append(term.id)
    seen, stack = {root}, [root]
    while stack:
        for child in children.get(stack.pop(), ()):
            if child not in seen:
                seen.add(child)
                stack.append(child)
    return sorted(seen)


def _closure(ontology: HpoOntology, terms: list[str], index: dict[str, int]) -> tuple[np.ndarray, np.ndarray]:
    memo: dict[str, frozenset[int]] = {}

    def ancestors(term: str) -> frozenset[int]:
        if term not in memo:
            found = {index[term]}
            for parent in ontology.terms[term].parents:
                if parent in index:
                    found |= ancestors(parent)
            memo[term] = frozenset(found)
        return memo[term]

    rows = [sorted(ancestors(t)) for t in terms]
    indptr = np.zeros(len(terms) + 1, dtype=np.int64)
    indptr[1:] = np.cumsum([len(r) for r in rows])
    return indptr, np.fromiter((a for r in rows for a in r), dtype=np.int32, count=int(indptr[-1]))


def _retired_ids(ontology: HpoOntology) -> list[str]:
    return [*(a for t in ontology.live() for a in t.alt_ids), *(t.id for t in ontology.terms.values() if t.obsolete)]


def _genes(release: HpoRelease, keys: dict[str, str]) -> dict[str, list[str]]:
    if release.genes is None:
        return {}
    links = read_gene_links(release.genes)
    links = links.assign(key=links["disease_id"].map(keys)).dropna(subset=["key"])
    return links.groupby("key")["gene_symbol"].agg(lambda s: sorted(set(s))).to_dict()


_ARRAYS = ("anc_indptr", "anc_indices", "ann_disease", "ann_term", "ann_freq", "not_disease", "not_term")
_STRINGS = ("version", "terms", "term_names", "retired", "diseases", "disease_names", "disease_ids", "genes",
            "references", "inferred")


def _write(kb: PhenotypeKB, base: Path) -> None:
    base.parent.mkdir(parents=True, exist_ok=True)
    tmp = base.with_name(base.name + ".tmp")
    np.savez(tmp.with_suffix(".npz"), **{name: getattr(kb, name) for name in _ARRAYS})
    strings = {name: getattr(kb, name) for name in _STRINGS} | {"cited": sorted(kb.cited)}
    tmp.with_suffix(".json").write_text(json.dumps(strings), encoding="utf-8")
    tmp.with_suffix(".npz").replace(base.with_suffix(".npz"))
    tmp.with_suffix(".json").replace(base.with_suffix(".json"))


def _read(base: Path) -> PhenotypeKB:
    with np.load(base.with_suffix(".npz")) as arrays:
        values = {name: arrays[name] for name in _ARRAYS}
    strings = json.loads(base.with_suffix(".json").read_text(encoding="utf-8"))
    strings["cited"] = set(strings["cited"])
    return PhenotypeKB(**values, **strings)
