"""How good the text-mined associations are, measured against curated sources through the mentions' xrefs.

No gold corpus annotates treatment, gene-disease or chemical-gene relations in these abstracts, so the
measure is agreement: of the distinct pairs the extractor asserts whose two ends the curated source
knows at all, the share it also asserts, next to the same share for every pair that merely shares a
sentence and every pair that merely shares a document (the co-occurrence baselines):

- treats: PharmacotherapyDB indications (disease-modifying or symptomatic; DrugBank x DOID);
- gene-disease: Hetionet Disease-associates-Gene (DOID x NCBI Gene);
- chemical-gene: Hetionet Compound-binds/upregulates/downregulates-Gene (DrugBank x NCBI Gene).

For treats it also counts how many of the pairs are BC5CDR chemical-induced-disease pairs (the opposite
relation) when the corpus has them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ingest.associations import CHEMICAL_GENE, GENE_DISEASE, TREATS, AssociationKind, associations
from ingest.pipeline import Extraction
from ingest.relation_features import DocumentContext, candidate_pairs
from ingest.relation_train import gold_document
from kg_engine.load.tabular import read_table
from ontologies.curies import hetionet_curie
from ontologies.schema import load_schema

PREFIXES = {"Chemical": "DRUGBANK:", "Disease": "DOID:", "Gene": "NCBIGene:"}
HETIONET_FILES = {
    GENE_DISEASE.label: ("Disease_Associates_Gene.tsv",),
    CHEMICAL_GENE.label: ("Compound_Binds_Gene.tsv", "Compound_Upregulates_Gene.tsv",
                          "Compound_Downregulates_Gene.tsv"),
}


@dataclass
class Reference:
    """Curated pairs (subject id, object id) in the order of the association's subject and object types."""

    pairs: set[tuple[str, str]] = field(default_factory=set)

    @property
    def subjects(self) -> set[str]:
        """Subject ids the source knows."""
        return {s for s, _ in self.pairs}

    @property
    def objects(self) -> set[str]:
        """Object ids the source knows."""
        return {o for _, o in self.pairs}


def references(data_dir: Path) -> dict[str, Reference]:
    """The curated pairs of each association kind."""
    refs = {TREATS.label: Reference()}
    indications = read_table(data_dir / "pharmacotherapydb" / "indications.tsv").frame
    for drug, disease, category in zip(indications["drugbank_id"], indications["doid_id"], indications["category"],
                                       strict=True):
        if category in {"DM", "SYM"}:
            refs[TREATS.label].pairs.add((f"DRUGBANK:{drug}", disease))
    for label, files in HETIONET_FILES.items():
        refs[label] = Reference()
        for name in files:
            table = read_table(data_dir / "hetionet" / "edges" / name)
            kinds = [h.split("(")[1].rstrip(")") for h in table.header]
            for a, b in zip(table.frame.iloc[:, 0], table.frame.iloc[:, 1], strict=True):
                first, second = hetionet_curie(kinds[0], a), hetionet_curie(kinds[1], b)
                refs[label].pairs.add((second, first) if kinds[0] == "Disease" else (first, second))
    return refs


def evaluate(extractions: Iterable[Extraction], refs: dict[str, Reference],
             kinds: Iterable[AssociationKind] = (TREATS, GENE_DISEASE, CHEMICAL_GENE)) -> dict[str, Any]:
    """Agreement of the extracted relations and of sentence / document co-occurrence with curated sources."""
    kinds = list(kinds)
    schema = load_schema()
    predicates = {k.label: schema.text_relation_predicate(k.label).biolink for k in kinds}
    found: dict[str, dict[str, set[tuple[str, str]]]] = {
        k.label: {"extracted": set(), "sentence": set(), "document": set()} for k in kinds}
    treats_mesh: set[tuple[str, str, str]] = set()
    treats_cid = sentence_cid = sentence_instances = 0
    for ex in extractions:
        ctx = DocumentContext(ex.document.text, len(ex.document.title), ex.mentions)
        ids, types = _reference_ids(ex), {m.curie: m.type for m in ex.mentions if m.curie}
        cid = gold_document(ex.document).pairs
        for kind in kinds:
            groups = found[kind.label]
            for r in ex.relations:
                if r.predicate == predicates[kind.label] and (types.get(r.subject), types.get(r.object)) == (
                        kind.subject_type, kind.object_type):
                    groups["extracted"] |= _keys(r.subject, r.object, ids)
                    if kind is TREATS:
                        treats_mesh.add((ex.document.id, r.subject, r.object))
                        treats_cid += (r.subject, r.object) in cid
            for assoc in associations(kind, ctx, min_score=0.0):
                groups["sentence"] |= _keys(assoc.candidate.subject, assoc.candidate.object, ids)
                if kind is TREATS:
                    sentence_instances += 1
                    sentence_cid += (assoc.candidate.subject, assoc.candidate.object) in cid
            for cand in candidate_pairs(ex.mentions, kind.subject_type, kind.object_type):
                groups["document"] |= _keys(cand.subject, cand.object, ids)
    result: dict[str, Any] = {label: {name: _agreement(pairs, refs[label]) for name, pairs in groups.items()}
                              for label, groups in found.items()}
    if TREATS.label in result:
        result[TREATS.label]["bc5cdr_cid_pairs"] = {
            "extracted": len(treats_mesh), "extracted_that_are_cid": treats_cid,
            "sentence_cooccurrences": sentence_instances, "sentence_cooccurrences_that_are_cid": sentence_cid}
    return result


def _reference_ids(ex: Extraction) -> dict[str, set[str]]:
    """Each linked CURIE's ids in the curated sources' namespaces (its xrefs, or itself)."""
    ids: dict[str, set[str]] = {}
    for m in ex.mentions:
        if m.curie and m.type in PREFIXES:
            ids.setdefault(m.curie, set()).update(
                x for x in (m.curie, *m.xrefs) if x.startswith(PREFIXES[m.type]))
    return ids


def _keys(subject: str, obj: str, ids: dict[str, set[str]]) -> set[tuple[str, str]]:
    return {(s, o) for s in ids.get(subject, ()) for o in ids.get(obj, ())}


def _agreement(pairs: set[tuple[str, str]], ref: Reference) -> dict[str, float | int]:
    known = {(s, o) for s, o in pairs if s in ref.subjects and o in ref.objects}
    agreed = known & ref.pairs
    return {"pairs": len(pairs), "both_ends_known": len(known), "asserted_by_source": len(agreed),
            "agreement": round(len(agreed) / len(known), 4) if known else 0.0}
