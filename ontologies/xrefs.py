"""Cross-reference maps between vocabularies: MeSH <-> DOID, HGNC <-> NCBIGene, DrugBank <-> ChEBI <-> MeSH.

Every identifier is a canonical CURIE (``MESH:D003924``, ``DOID:9352``, ``HGNC:76``, ``NCBIGene:25``,
``DRUGBANK:DB00619``, ``CHEBI:45783``). Readers never stop at a bad line: a line or record that cannot be
parsed is skipped and counted (``skipped``). The files are those of ``data/vocab`` (see the data README).

Example:
    >>> xrefs = CrossReferences.default()          # doctest: +SKIP
    >>> xrefs.mesh_doid.forward("MESH:D003924")     # doctest: +SKIP
    ('DOID:9352',)
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from types import MappingProxyType
from typing import Any, Generic, TypeVar

from ontologies.curies import CurieError, normalize_curie
from ontologies.data import vocab_dir as default_vocab_dir

T = TypeVar("T")

DOID_FILE = "doid.json"
HGNC_FILE = "hgnc.tsv"
DRUGBANK_FILE = "drugbank_vocabulary.csv"
DRUGBANK_MAPPINGS_FILE = "drugbank_mappings.tsv"
MESH_MAPPINGS_FILE = "mesh_chebi_mappings.tsv"

# Local-id shapes of the vocabularies these maps hold; anything else counts as malformed.
_LOCAL_ID: dict[str, re.Pattern[str]] = {
    "MESH": re.compile(r"^[CD]\d{6}(\d{3})?$"),
    "DOID": re.compile(r"^\d+$"),
    "HGNC": re.compile(r"^\d+$"),
    "NCBIGene": re.compile(r"^\d+$"),
    "DRUGBANK": re.compile(r"^DB\d{5}$"),
    "CHEBI": re.compile(r"^\d+$"),
}
_MESH_NAMESPACES = frozenset({"MESH", "MSH"})
_HGNC_COLUMNS = (
    "HGNC ID",
    "Approved symbol",
    "Status",
    "NCBI Gene ID(supplied by NCBI)",
    "Alias symbols",
    "Previous symbols",
)
_DRUGBANK_COLUMNS = ("DrugBank ID", "Common name", "Synonyms")


def canonical_id(prefix: str, raw: str) -> str | None:
    """Return the canonical CURIE of ``raw`` (bare or prefixed) in vocabulary ``prefix``, or None.

    Args:
        prefix: A canonical prefix with a known local-id shape (``MESH``, ``DOID``, ``HGNC``,
            ``NCBIGene``, ``DRUGBANK``, ``CHEBI``).
        raw: The identifier as a file spells it: ``D003924``, ``MESH:D003924``, ``6801``, ``HGNC:5``.

    Returns:
        The CURIE, or None when ``raw`` is not a well-formed identifier of that vocabulary.
    """
    text = raw.strip()
    if ":" not in text:  # the common case, kept free of normalize_curie's work
        return f"{prefix}:{text}" if _LOCAL_ID[prefix].match(text) else None
    try:
        curie = normalize_curie(text)
    except CurieError:
        return None
    got, _, local = curie.partition(":")
    return curie if got == prefix and _LOCAL_ID[prefix].match(local) else None


@dataclass(frozen=True, slots=True)
class XrefMap:
    """A many-to-many map between two vocabularies, looked up in either direction.

    Attributes:
        name: What maps to what, e.g. ``MESH->DOID``.
        forward_index: Left CURIE -> sorted right CURIEs.
        backward_index: Right CURIE -> sorted left CURIEs.
        skipped: Malformed lines or records skipped while reading the source files.
    """

    name: str
    forward_index: Mapping[str, tuple[str, ...]]
    backward_index: Mapping[str, tuple[str, ...]]
    skipped: int = 0

    @classmethod
    def from_pairs(cls, pairs: Iterable[tuple[str, str]], name: str = "", skipped: int = 0) -> XrefMap:
        """Build a map from (left, right) CURIE pairs; duplicates collapse, CURIEs are normalised.

        Raises:
            CurieError: A pair holds an identifier that cannot be normalised.
        """
        canonical = ((normalize_curie(left), normalize_curie(right)) for left, right in pairs)
        return _build_map(canonical, name, skipped)

    def forward(self, curie: str) -> tuple[str, ...]:
        """Right-hand CURIEs for a left-hand one (empty when unmapped); raises CurieError on a bad id."""
        return self.forward_index.get(normalize_curie(curie), ())

    def backward(self, curie: str) -> tuple[str, ...]:
        """Left-hand CURIEs for a right-hand one (empty when unmapped); raises CurieError on a bad id."""
        return self.backward_index.get(normalize_curie(curie), ())

    def pairs(self) -> Iterator[tuple[str, str]]:
        """All (left, right) pairs, sorted by left then right."""
        for left in sorted(self.forward_index):
            for right in self.forward_index[left]:
                yield left, right

    def inverse(self) -> XrefMap:
        """The same pairs read the other way round."""
        left, _, right = self.name.partition("->")
        return XrefMap(f"{right}->{left}", self.backward_index, self.forward_index, self.skipped)

    def compose(self, other: XrefMap) -> XrefMap:
        """Chain two maps: (a, c) for every (a, b) here and (b, c) in ``other``."""
        pairs = ((a, c) for a, b in self.pairs() for c in other.forward_index.get(b, ()))
        name = f"{self.name.partition('->')[0]}->{other.name.partition('->')[2]}"
        return _build_map(pairs, name, self.skipped + other.skipped)

    def __len__(self) -> int:
        return sum(len(rights) for rights in self.forward_index.values())

    def __contains__(self, pair: object) -> bool:
        if not (isinstance(pair, tuple) and len(pair) == 2):
            return False
        return pair[1] in self.forward_index.get(pair[0], ())


@dataclass(frozen=True, slots=True)
class Table(Generic[T]):
    """Rows parsed from one file, with the number of malformed lines skipped."""

    rows: tuple[T, ...]
    skipped: int


@dataclass(frozen=True, slots=True)
class HgncGene:
    """One HGNC entry: its ids, approved symbol and other symbols."""

    hgnc: str
    symbol: str
    status: str
    ncbigene: str | None
    aliases: tuple[str, ...]
    previous: tuple[str, ...]

    @property
    def approved(self) -> bool:
        """True for an approved (not withdrawn) entry."""
        return self.status == "Approved"


@dataclass(frozen=True, slots=True)
class DrugNames:
    """A DrugBank drug's common name and synonyms."""

    curie: str
    name: str
    synonyms: tuple[str, ...]


# ---------------------------------------------------------------------------------------------------
# Readers: one file -> Table / XrefMap, skipping and counting what cannot be parsed.


def read_hgnc(vocab_dir: Path | str) -> Table[HgncGene]:
    """Read ``hgnc.tsv`` (columns found by header name)."""
    records = _records(Path(vocab_dir) / HGNC_FILE, "\t")
    header = next(records, None) or []
    cols = _columns(header, _HGNC_COLUMNS, HGNC_FILE)
    rows: list[HgncGene] = []
    skipped = 0
    for record in records:
        gene = _hgnc_gene(record, cols, len(header)) if record is not None else None
        if gene is None:
            skipped += 1
        else:
            rows.append(gene)
    return Table(tuple(rows), skipped)


def read_drugbank(vocab_dir: Path | str) -> Table[DrugNames]:
    """Read ``drugbank_vocabulary.csv``; the delimiter (``;`` or ``,``) is taken from the header."""
    path = Path(vocab_dir) / DRUGBANK_FILE
    records = _records(path, _sniff_delimiter(path))
    header = next(records, None) or []
    cols = _columns(header, _DRUGBANK_COLUMNS, DRUGBANK_FILE)
    rows: list[DrugNames] = []
    skipped = 0
    for record in records:
        drug = _drug(record, cols, len(header)) if record is not None else None
        if drug is None:
            skipped += 1
        else:
            rows.append(drug)
    return Table(tuple(rows), skipped)


def mesh_doid(vocab_dir: Path | str) -> XrefMap:
    """MeSH <-> DOID from the MeSH xrefs of ``doid.json`` (primary DOIDs only, obsolete terms left out)."""
    path = Path(vocab_dir) / DOID_FILE
    with path.open(encoding="utf-8", errors="replace") as handle:
        try:
            data = json.load(handle)
        except json.JSONDecodeError as err:
            raise ValueError(f"{path}: not valid JSON ({err})") from err
    if not isinstance(data, list):
        raise ValueError(f"{path}: expected a JSON list of term records")
    pairs: list[tuple[str, str]] = []
    skipped = 0
    for record in data:
        found, bad = _doid_mesh_pairs(record)
        pairs.extend(found)
        skipped += bad
    return _build_map(pairs, "MESH->DOID", skipped)


def drugbank_chebi(vocab_dir: Path | str) -> XrefMap:
    """DrugBank <-> ChEBI from ``drugbank_mappings.tsv`` (``DRUGBANK_ID, NAMESPACE, ID, SOURCE``)."""
    records = _records(Path(vocab_dir) / DRUGBANK_MAPPINGS_FILE, "\t")
    next(records, None)
    return _mapping_pairs(records, namespace=(1, "CHEBI"), left=("DRUGBANK", 0), right=("CHEBI", 2))


def chebi_mesh(vocab_dir: Path | str) -> XrefMap:
    """ChEBI <-> MeSH from ``mesh_chebi_mappings.tsv`` (no header; MeSH id, name, namespace, id, name)."""
    records = _records(Path(vocab_dir) / MESH_MAPPINGS_FILE, "\t")
    return _mapping_pairs(records, namespace=(3, "CHEBI"), left=("CHEBI", 4), right=("MESH", 1))


def drugbank_mesh(vocab_dir: Path | str) -> XrefMap:
    """DrugBank <-> MeSH derived through ChEBI (DrugBank -> ChEBI -> MeSH)."""
    return drugbank_chebi(vocab_dir).compose(chebi_mesh(vocab_dir))


# ---------------------------------------------------------------------------------------------------
# Maps and indexes built from parsed tables.


def hgnc_ncbigene(vocab_dir: Path | str) -> XrefMap:
    """HGNC <-> NCBIGene (``HGNC:5`` <-> ``NCBIGene:1``)."""
    return hgnc_ncbigene_from(read_hgnc(vocab_dir))


def gene_symbols(vocab_dir: Path | str) -> dict[str, str]:
    """NCBIGene CURIE -> approved HGNC symbol, for approved genes."""
    return gene_symbols_from(read_hgnc(vocab_dir))


def gene_symbol_index(vocab_dir: Path | str) -> dict[str, str]:
    """Upper-cased symbol, previous symbol or alias -> NCBIGene CURIE; see :func:`gene_symbol_index_from`."""
    return gene_symbol_index_from(read_hgnc(vocab_dir))


def drugbank_names(vocab_dir: Path | str) -> dict[str, DrugNames]:
    """DrugBank CURIE -> its common name and synonyms."""
    return drugbank_names_from(read_drugbank(vocab_dir))


def drugbank_name_index(vocab_dir: Path | str) -> dict[str, str]:
    """Lower-cased common name or synonym -> DrugBank CURIE; see :func:`drugbank_name_index_from`."""
    return drugbank_name_index_from(read_drugbank(vocab_dir))


def hgnc_ncbigene_from(table: Table[HgncGene]) -> XrefMap:
    """HGNC <-> NCBIGene from parsed HGNC rows."""
    pairs = [(gene.hgnc, gene.ncbigene) for gene in table.rows if gene.ncbigene]
    return _build_map(pairs, "HGNC->NCBIGene", table.skipped)


def gene_symbols_from(table: Table[HgncGene]) -> dict[str, str]:
    """NCBIGene CURIE -> approved symbol from parsed HGNC rows."""
    return {gene.ncbigene: gene.symbol for gene in table.rows if gene.approved and gene.ncbigene}


def gene_symbol_index_from(table: Table[HgncGene]) -> dict[str, str]:
    """Upper-cased symbol -> NCBIGene CURIE for approved genes with an NCBI Gene id.

    An approved symbol wins over a previous symbol, which wins over an alias. A key that names several
    genes at its best rank is ambiguous and left out.
    """
    entries = (
        (symbol.upper(), rank, gene.ncbigene)
        for gene in table.rows
        if gene.approved and gene.ncbigene
        for rank, symbols in enumerate(((gene.symbol,), gene.previous, gene.aliases))
        for symbol in symbols
    )
    return _ranked_index(entries)


def drugbank_names_from(table: Table[DrugNames]) -> dict[str, DrugNames]:
    """DrugBank CURIE -> names from parsed DrugBank rows."""
    return {drug.curie: drug for drug in table.rows}


def drugbank_name_index_from(table: Table[DrugNames]) -> dict[str, str]:
    """Lower-cased name -> DrugBank CURIE; a common name wins over a synonym, ambiguous keys are left out."""
    entries = (
        (name.lower(), rank, drug.curie)
        for drug in table.rows
        for rank, names in enumerate(((drug.name,), drug.synonyms))
        for name in names
    )
    return _ranked_index(entries)


# ---------------------------------------------------------------------------------------------------
# The lazily loaded bundle.


@dataclass(frozen=True)
class CrossReferences:
    """All cross-reference maps of one vocabulary folder, each read on first use and then cached.

    Not slotted: ``functools.cached_property`` stores its values in the instance ``__dict__``.

    Attributes:
        vocab_dir: The folder holding ``doid.json``, ``hgnc.tsv`` and the DrugBank files.
    """

    vocab_dir: Path

    @classmethod
    def from_dir(cls, path: Path | str) -> CrossReferences:
        """Cross-references read from the vocabulary folder ``path`` (nothing is read yet).

        Raises:
            FileNotFoundError: ``path`` is not a directory.
        """
        folder = Path(path)
        if not folder.is_dir():
            raise FileNotFoundError(f"vocabulary folder {folder} does not exist")
        return cls(folder)

    @classmethod
    def default(cls) -> CrossReferences:
        """Cross-references from ``data_dir() / "vocab"`` (see :mod:`ontologies.data`)."""
        return cls.from_dir(default_vocab_dir())

    @cached_property
    def hgnc_genes(self) -> Table[HgncGene]:
        """Parsed ``hgnc.tsv``."""
        return read_hgnc(self.vocab_dir)

    @cached_property
    def drugs(self) -> Table[DrugNames]:
        """Parsed ``drugbank_vocabulary.csv``."""
        return read_drugbank(self.vocab_dir)

    @cached_property
    def mesh_doid(self) -> XrefMap:
        """MeSH <-> DOID."""
        return mesh_doid(self.vocab_dir)

    @cached_property
    def hgnc_ncbigene(self) -> XrefMap:
        """HGNC <-> NCBIGene."""
        return hgnc_ncbigene_from(self.hgnc_genes)

    @cached_property
    def gene_symbols(self) -> dict[str, str]:
        """NCBIGene CURIE -> approved symbol."""
        return gene_symbols_from(self.hgnc_genes)

    @cached_property
    def gene_symbol_index(self) -> dict[str, str]:
        """Upper-cased symbol / previous symbol / alias -> NCBIGene CURIE."""
        return gene_symbol_index_from(self.hgnc_genes)

    @cached_property
    def drugbank_names(self) -> dict[str, DrugNames]:
        """DrugBank CURIE -> names."""
        return drugbank_names_from(self.drugs)

    @cached_property
    def drugbank_name_index(self) -> dict[str, str]:
        """Lower-cased name or synonym -> DrugBank CURIE."""
        return drugbank_name_index_from(self.drugs)

    @cached_property
    def drugbank_chebi(self) -> XrefMap:
        """DrugBank <-> ChEBI."""
        return drugbank_chebi(self.vocab_dir)

    @cached_property
    def chebi_mesh(self) -> XrefMap:
        """ChEBI <-> MeSH."""
        return chebi_mesh(self.vocab_dir)

    @cached_property
    def drugbank_mesh(self) -> XrefMap:
        """DrugBank <-> MeSH through ChEBI."""
        return self.drugbank_chebi.compose(self.chebi_mesh)

    @property
    def skipped(self) -> dict[str, int]:
        """Malformed lines or records skipped per source file (reads every file not yet read)."""
        return {
            DOID_FILE: self.mesh_doid.skipped,
            HGNC_FILE: self.hgnc_genes.skipped,
            DRUGBANK_FILE: self.drugs.skipped,
            DRUGBANK_MAPPINGS_FILE: self.drugbank_chebi.skipped,
            MESH_MAPPINGS_FILE: self.chebi_mesh.skipped,
        }


# ---------------------------------------------------------------------------------------------------
# Private helpers.


def _build_map(pairs: Iterable[tuple[str, str]], name: str, skipped: int) -> XrefMap:
    """An XrefMap from pairs already in canonical form (the readers' own, checked by canonical_id)."""
    forward: dict[str, set[str]] = {}
    backward: dict[str, set[str]] = {}
    for left, right in pairs:
        forward.setdefault(left, set()).add(right)
        backward.setdefault(right, set()).add(left)
    return XrefMap(name, _frozen_index(forward), _frozen_index(backward), skipped)


def _frozen_index(index: dict[str, set[str]]) -> Mapping[str, tuple[str, ...]]:
    return MappingProxyType({key: tuple(sorted(values)) for key, values in index.items()})


def _records(path: Path, delimiter: str) -> Iterator[list[str] | None]:
    """Yield each non-blank line's fields, or None for a line the csv module rejects."""
    with path.open(newline="", encoding="utf-8", errors="replace") as handle:
        if delimiter == "\t":  # TSVs here never quote; a stray '"' is data
            reader = csv.reader(handle, delimiter=delimiter, quoting=csv.QUOTE_NONE)
        else:
            reader = csv.reader(handle, delimiter=delimiter)
        while True:
            try:
                record = next(reader)
            except StopIteration:
                return
            except csv.Error:
                yield None
                continue
            if record:
                yield record


def _sniff_delimiter(path: Path) -> str:
    with path.open(encoding="utf-8", errors="replace") as handle:
        header = handle.readline()
    return ";" if header.count(";") > header.count(",") else ","


def _columns(header: list[str], names: tuple[str, ...], file_name: str) -> tuple[int, ...]:
    stripped = [h.strip() for h in header]
    missing = [name for name in names if name not in stripped]
    if missing:
        raise ValueError(f"{file_name}: header lacks column(s) {missing}; found {stripped}")
    return tuple(stripped.index(name) for name in names)


def _split(field: str, sep: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(part.strip() for part in field.split(sep) if part.strip()))


def _hgnc_gene(record: list[str], cols: tuple[int, ...], width: int) -> HgncGene | None:
    if len(record) != width:
        return None
    hgnc_raw, symbol, status, ncbi_raw, aliases, previous = (record[i].strip() for i in cols)
    hgnc = canonical_id("HGNC", hgnc_raw)
    ncbigene = canonical_id("NCBIGene", ncbi_raw) if ncbi_raw else None
    if hgnc is None or not symbol or (ncbi_raw and ncbigene is None):
        return None
    return HgncGene(hgnc, symbol, status, ncbigene, _split(aliases, ","), _split(previous, ","))


def _drug(record: list[str], cols: tuple[int, ...], width: int) -> DrugNames | None:
    if len(record) != width:
        return None
    raw_id, name, synonyms = (record[i].strip() for i in cols)
    curie = canonical_id("DRUGBANK", raw_id)
    if curie is None or not name:
        return None
    return DrugNames(curie, name, _split(synonyms, "|"))


def _doid_mesh_pairs(record: Any) -> tuple[list[tuple[str, str]], int]:
    """MeSH pairs of one DOID record, and how many malformed parts it had (1 for a bad record)."""
    if not isinstance(record, dict):
        return [], 1
    doid = canonical_id("DOID", str(record.get("id", "")))
    xrefs = record.get("xrefs", [])
    if doid is None or not isinstance(xrefs, list):
        return [], 1
    if _obsolete(record):
        return [], 0
    pairs: list[tuple[str, str]] = []
    bad = 0
    for xref in xrefs:
        if not isinstance(xref, dict):
            bad += 1
        elif str(xref.get("namespace", "")).upper() in _MESH_NAMESPACES:
            mesh = canonical_id("MESH", str(xref.get("id", "")))
            if mesh is None:
                bad += 1
            else:
                pairs.append((mesh, doid))
    return pairs, bad


def _obsolete(record: dict[str, Any]) -> bool:
    flagged = any(record.get(key) in (True, "true") for key in ("is_obsolete", "deprecated", "obsolete"))
    return flagged or str(record.get("name", "")).lower().startswith("obsolete ")


def _mapping_pairs(
    records: Iterable[list[str] | None],
    *,
    namespace: tuple[int, str],
    left: tuple[str, int],
    right: tuple[str, int],
) -> XrefMap:
    """Pairs from the rows of a mapping file whose namespace column (index, value) matches.

    ``left`` and ``right`` give each side's vocabulary prefix and column index.
    """
    ns_col, ns_value = namespace
    width = max(ns_col, left[1], right[1]) + 1
    pairs: list[tuple[str, str]] = []
    skipped = 0
    for record in records:
        if record is None or len(record) < width:
            skipped += 1
            continue
        if record[ns_col].strip().upper() != ns_value:
            continue
        a, b = canonical_id(left[0], record[left[1]]), canonical_id(right[0], record[right[1]])
        if a is None or b is None:
            skipped += 1
        else:
            pairs.append((a, b))
    return _build_map(pairs, f"{left[0]}->{right[0]}", skipped)


def _ranked_index(entries: Iterable[tuple[str, int, str]]) -> dict[str, str]:
    """Key -> value keeping, per key, the values of the lowest rank; keys left ambiguous are dropped."""
    best: dict[str, tuple[int, set[str]]] = {}
    for key, rank, value in entries:
        current = best.get(key)
        if current is None or rank < current[0]:
            best[key] = (rank, {value})
        elif rank == current[0]:
            current[1].add(value)
    return {key: next(iter(values)) for key, (_, values) in best.items() if len(values) == 1}
