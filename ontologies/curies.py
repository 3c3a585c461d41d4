"""CURIE normalisation with standard prefixes (``Gene::1956`` -> ``NCBIGene:1956``)."""

from __future__ import annotations

import re

# Canonical prefix spellings, keyed by their lower-cased form.
PREFIXES: dict[str, str] = {
    p.lower(): p
    for p in (
        "NCBIGene", "HGNC", "ENSEMBL", "UniProtKB", "DRUGBANK", "MESH", "CHEBI", "CHEMBL.COMPOUND", "DOID",
        "MONDO", "OMIM", "UMLS", "HP", "UBERON", "GO", "PATHWAYCOMMONS", "WIKIPATHWAYS", "REACT", "NDFRT",
        "PMID", "NOTE", "DOC", "ORPHA", "DECIPHER",
    )
}
_ALIASES = {"ncbigene": "NCBIGene", "entrez": "NCBIGene", "geneid": "NCBIGene", "drugbank": "DRUGBANK",
            "msh": "MESH", "umls_cui": "UMLS", "hpo": "HP", "pubmed": "PMID", "reactome": "REACT",
            "chembl": "CHEMBL.COMPOUND", "uniprot": "UniProtKB", "obo:doid": "DOID",
            "orphanet": "ORPHA", "mim": "OMIM"}

# Bare identifiers whose shape says which vocabulary they come from.
_BARE_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"^DB\d{5}$"), "DRUGBANK"),
    (re.compile(r"^[DC](\d{6}|\d{9})$"), "MESH"),
    (re.compile(r"^C\d{7}$"), "UMLS"),
    (re.compile(r"^N\d{10}$"), "NDFRT"),
    (re.compile(r"^PC\d+_\d+$"), "PATHWAYCOMMONS"),
    (re.compile(r"^WP\d+(_r\d+)?$"), "WIKIPATHWAYS"),
    (re.compile(r"^R-HSA-\d+$"), "REACT"),
)

# Hetionet kinds whose ids are bare (the rest already carry a prefix, e.g. ``DOID:9352``).
_HETIONET_KIND_PREFIX = {
    "Gene": "NCBIGene", "Compound": "DRUGBANK", "Side Effect": "UMLS", "Symptom": "MESH",
    "Pharmacologic Class": "NDFRT",
}


class CurieError(ValueError):
    """An identifier that cannot be turned into a CURIE."""


def normalize_curie(raw: str, default_prefix: str | None = None) -> str:
    """Return the canonical CURIE for ``raw``.

    Accepts ``PREFIX:local`` in any prefix case (``mesh:D009270``), Hetionet node ids (``Gene::1956``),
    and bare identifiers whose shape is unambiguous (``DB00619``) or whose vocabulary is given by
    ``default_prefix``. Raises ``CurieError`` when no prefix can be determined.
    """
    text = raw.strip()
    if not text:
        raise CurieError("empty identifier")
    if "::" in text:
        kind, local = text.split("::", 1)
        return hetionet_curie(kind, local)
    if ":" in text:
        prefix, local = text.split(":", 1)
        canon = _canonical_prefix(prefix)
        if canon is not None:
            return f"{canon}:{local.strip()}"
        if default_prefix is None:
            raise CurieError(f"unknown CURIE prefix {prefix!r} in {raw!r}")
    for pattern, prefix in _BARE_PATTERNS:
        if pattern.match(text):
            return f"{prefix}:{text}"
    if default_prefix is not None:
        canon = _canonical_prefix(default_prefix) or default_prefix
        return f"{canon}:{text}"
    raise CurieError(f"cannot tell the vocabulary of bare identifier {raw!r}; give a prefix")


def hetionet_curie(kind: str, local: str) -> str:
    """CURIE for a Hetionet node of ``kind`` whose id (without the ``Kind::`` part) is ``local``."""
    local = local.strip()
    prefix = _HETIONET_KIND_PREFIX.get(kind)
    if prefix is not None:
        return f"{prefix}:{local}"
    return normalize_curie(local)


def hetionet_prefix(kind: str) -> str | None:
    """The one CURIE prefix of every Hetionet node of ``kind``, or None when its ids carry their own."""
    return _HETIONET_KIND_PREFIX.get(kind)


def split_curie(curie: str) -> tuple[str, str]:
    """Split a canonical CURIE into (prefix, local id)."""
    prefix, sep, local = curie.partition(":")
    if not sep or not local:
        raise CurieError(f"{curie!r} is not a CURIE")
    return prefix, local


def _canonical_prefix(prefix: str) -> str | None:
    key = prefix.strip().lower()
    return PREFIXES.get(key) or _ALIASES.get(key)
