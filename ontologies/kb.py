"""The knowledge base the entity linker searches: concepts with names, aliases and cross-references.

Concepts are built from the vocabularies in ``vocab/``: MeSH descriptors and supplementary concepts
(chemicals and diseases, by tree number), DrugBank names (folded into their MeSH concept where a mapping
exists, else their own ``DRUGBANK:`` concept), DOID (folded into MeSH by its xrefs) and HGNC genes keyed
by NCBI Gene. ``AliasIndex`` answers exact lookups of normalised names per entity type; the fuzzy stage
lives with the linker.
"""

from __future__ import annotations

import csv
import json
import pickle
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from ontologies.xrefs import CrossReferences

ENTITY_TYPES = ("Chemical", "Disease", "Gene")
_GREEK = {"α": "alpha", "β": "beta", "γ": "gamma", "δ": "delta", "κ": "kappa", "μ": "mu", "ω": "omega"}
_NON_WORD = re.compile(r"[^0-9a-z]+")


def normalize_alias(text: str) -> str:
    """Lower-case, spell out Greek letters, drop accents and punctuation.

    ``"α-Methyl-DOPA"`` becomes ``"alpha methyl dopa"``.
    """
    text = "".join(_GREEK.get(ch, ch) for ch in text.lower())
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return _NON_WORD.sub(" ", text).strip()


@dataclass
class Concept:
    """One linkable concept: primary CURIE, entity type, preferred name, aliases and cross-references."""

    curie: str
    type: str
    name: str
    aliases: set[str] = field(default_factory=set)
    xrefs: set[str] = field(default_factory=set)
    curated: set[str] = field(default_factory=set)  # normalised aliases an annotated corpus links here


class ConceptTable:
    """Concepts by CURIE, filled source by source."""

    def __init__(self) -> None:
        self.concepts: dict[str, Concept] = {}

    def add(self, curie: str, etype: str, name: str, aliases: Iterable[str] = (), xrefs: Iterable[str] = ()) -> Concept:
        """Create or extend a concept."""
        concept = self.concepts.get(curie)
        if concept is None:
            concept = self.concepts[curie] = Concept(curie, etype, name)
        concept.aliases.update(a for a in (name, *aliases) if a)
        concept.xrefs.update(xrefs)
        return concept

    def __iter__(self) -> Iterator[Concept]:
        return iter(self.concepts.values())

    def __len__(self) -> int:
        return len(self.concepts)


def build_concepts(vocab_dir: Path, extra_aliases: Iterable[tuple[str, str, str]] = ()) -> ConceptTable:
    """Build every concept from ``vocab_dir``.

    ``extra_aliases`` are (type, alias, curie) triples, e.g. the mention texts an annotated training
    corpus links to its ids; they win ties between concepts sharing an alias.
    """
    xrefs = CrossReferences.from_dir(vocab_dir)
    table = ConceptTable()
    trees = _add_mesh_descriptors(table, vocab_dir / "mesh_descriptors.tsv")
    _add_mesh_supplementary(table, vocab_dir / "mesh_supplementary.tsv", trees)
    _add_drugbank(table, xrefs)
    _add_doid(table, vocab_dir / "doid.json")
    _add_genes(table, xrefs)
    for etype, alias, curie in extra_aliases:
        if curie in table.concepts and table.concepts[curie].type == etype:
            table.concepts[curie].aliases.add(alias)
            table.concepts[curie].curated.add(normalize_alias(alias))
    return table


def _mesh_type(tree_numbers: Iterable[str]) -> str | None:
    trees = list(tree_numbers)
    if any(t.startswith(("C", "F03")) for t in trees):
        return "Disease"
    if any(t.startswith("D") for t in trees):
        return "Chemical"
    return None


def _add_mesh_descriptors(table: ConceptTable, path: Path) -> dict[str, str]:
    types: dict[str, str] = {}
    with path.open(encoding="utf-8") as fh:
        for row in csv.reader(fh, delimiter="\t"):
            if len(row) < 4:
                continue
            etype = _mesh_type(row[3].split("|"))
            if etype is not None:
                types[row[0]] = etype
                table.add(f"MESH:{row[0]}", etype, row[1], row[2].split("|"))
    return types


def _add_mesh_supplementary(table: ConceptTable, path: Path, descriptor_types: dict[str, str]) -> None:
    with path.open(encoding="utf-8") as fh:
        for row in csv.reader(fh, delimiter="\t"):
            if len(row) < 4:
                continue
            mapped = [descriptor_types.get(d.lstrip("*")) for d in row[3].split("|")]
            etype = "Disease" if "Disease" in mapped else "Chemical"
            table.add(f"MESH:{row[0]}", etype, row[1], row[2].split("|"))


def _add_drugbank(table: ConceptTable, xrefs: CrossReferences) -> None:
    """Fold each drug into its MeSH chemical: by the ChEBI mapping, else by an unambiguous exact name."""
    to_mesh = xrefs.drugbank_mesh
    by_name = _unique_names(c for c in table if c.type == "Chemical")
    for curie, drug in xrefs.drugbank_names.items():
        mesh = [m for m in to_mesh.forward(curie) if m in table.concepts]
        if not mesh and normalize_alias(drug.name) in by_name:
            mesh = [by_name[normalize_alias(drug.name)]]
        if mesh:
            for m in mesh:
                table.add(m, table.concepts[m].type, table.concepts[m].name, (drug.name, *drug.synonyms), (curie,))
        else:
            table.add(curie, "Chemical", drug.name, drug.synonyms)


def _unique_names(concepts: Iterable[Concept]) -> dict[str, str]:
    """Normalised preferred name -> CURIE, leaving out names that two concepts share."""
    seen: dict[str, str | None] = {}
    for c in concepts:
        key = normalize_alias(c.name)
        seen[key] = c.curie if key not in seen else None
    return {k: v for k, v in seen.items() if v is not None}


def _add_doid(table: ConceptTable, path: Path) -> None:
    for record in json.loads(path.read_text(encoding="utf-8")):
        doid = record.get("id", "")
        names = [record.get("name", ""), *record.get("synonyms", [])]
        mesh = [f"MESH:{x['id']}" for x in record.get("xrefs", []) if x.get("namespace") in {"MESH", "MSH"}]
        mesh = [m for m in mesh if m in table.concepts and table.concepts[m].type == "Disease"]
        if mesh:
            for m in mesh:
                table.add(m, "Disease", table.concepts[m].name, names, (doid,))
        elif doid.startswith("DOID:") and names[0]:
            table.add(doid, "Disease", names[0], names)


def _add_genes(table: ConceptTable, xrefs: CrossReferences) -> None:
    for gene in xrefs.hgnc_genes.rows:
        if gene.approved and gene.ncbigene:
            curie = gene.ncbigene if gene.ncbigene.startswith("NCBIGene:") else f"NCBIGene:{gene.ncbigene}"
            table.add(curie, "Gene", gene.symbol, (*gene.aliases, *gene.previous), (gene.hgnc,))


def _source_rank(curie: str) -> int:
    if curie.startswith("MESH:D"):
        return 0
    return 1 if curie.startswith("MESH:") else 2


@dataclass(frozen=True)
class Link:
    """A concept an alias resolves to."""

    curie: str
    name: str
    xrefs: tuple[str, ...]


class AliasIndex:
    """Exact lookups of normalised aliases per entity type.

    When an alias names several concepts, the winner is the one an annotated corpus links it to, then
    a MeSH descriptor over a supplementary concept over a DOID/DrugBank-only concept, then the concept
    whose preferred name it is.
    """

    def __init__(self, concepts: Iterable[Concept]) -> None:
        self.links: dict[str, Link] = {}
        by_alias: dict[tuple[str, str], list[tuple[tuple[int, int, str], str]]] = defaultdict(list)
        for c in concepts:
            self.links[c.curie] = Link(c.curie, c.name, tuple(sorted(c.xrefs)))
            preferred = normalize_alias(c.name)
            for alias in c.aliases:
                key = normalize_alias(alias)
                if key:
                    rank = (0 if key in c.curated else 1, _source_rank(c.curie), 0 if key == preferred else 1, c.curie)
                    by_alias[(c.type, key)].append((rank, c.curie))
        self.exact: dict[tuple[str, str], str] = {k: min(v)[1] for k, v in by_alias.items()}

    def lookup(self, etype: str, text: str) -> Link | None:
        """The concept ``text`` names exactly (after normalisation), if any."""
        curie = self.exact.get((etype, normalize_alias(text)))
        return self.links[curie] if curie else None

    def aliases(self, etype: str) -> list[tuple[str, str]]:
        """(normalised alias, CURIE) pairs of one type, for building a fuzzy index."""
        return [(alias, curie) for (t, alias), curie in self.exact.items() if t == etype]

    def save(self, path: Path) -> None:
        """Pickle the index (a cache file, rebuilt from the vocabularies when missing)."""
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as fh:
            pickle.dump(self, fh, protocol=pickle.HIGHEST_PROTOCOL)

    @staticmethod
    def load(path: Path) -> AliasIndex:
        """Load a pickled index written by ``save``."""
        with path.open("rb") as fh:
            index = pickle.load(fh)
        if not isinstance(index, AliasIndex):
            raise TypeError(f"{path} does not hold an AliasIndex")
        return index
