"""One disease layer: the HPO project's OMIM / ORPHA / DECIPHER diseases, MONDO and Hetionet's DOID diseases.

MONDO's exact-match mappings (SSSOM) join each annotated disease to its MONDO class, and each MONDO class to
its DOID, OMIM and Orphanet equivalents. Every group of equivalent ids becomes one disease whose key is

1. the DOID of a Hetionet disease in the group (those nodes exist once Hetionet is loaded), else
2. the MONDO id, else
3. the annotated id itself (an OMIM / ORPHA / DECIPHER disease MONDO does not map).

Hetionet diseases without annotations are kept too, so that each carries its MONDO / OMIM / ORPHA ids.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

__all__ = ["DiseaseLayer", "build_disease_layer", "hetionet_diseases", "read_sssom"]

SSSOM_FILES = {"omim": "mondo_exactmatch_omim.sssom.tsv", "orphanet": "mondo_exactmatch_orphanet.sssom.tsv",
               "doid": "mondo_exactmatch_doid.sssom.tsv"}
_PREFIX_FIX = {"Orphanet": "ORPHA", "ORPHANET": "ORPHA", "MIM": "OMIM"}
_ORDER = {"DOID": 0, "MONDO": 1, "OMIM": 2, "ORPHA": 3, "DECIPHER": 4}


def _fix(curie: str) -> str:
    prefix, _, local = curie.partition(":")
    return f"{_PREFIX_FIX.get(prefix, prefix)}:{local}"


def read_sssom(folder: Path) -> pd.DataFrame:
    """MONDO exact matches from the three SSSOM files: columns ``mondo``, ``mondo_label``, ``id`` (fixed prefix).

    Raises:
        FileNotFoundError: A mapping file is missing.
    """
    parts = []
    for name in SSSOM_FILES.values():
        path = folder / name
        if not path.is_file():
            raise FileNotFoundError(f"{path}: MONDO mapping file not found (vocab/mondo_sssom of the data folder)")
        frame = pd.read_csv(path, sep="\t", comment="#", dtype=str, keep_default_na=False)
        frame = frame[frame["predicate_id"] == "skos:exactMatch"]
        parts.append(pd.DataFrame({"mondo": frame["subject_id"], "mondo_label": frame["subject_label"],
                                   "id": [_fix(x) for x in frame["object_id"]]}))
    return pd.concat(parts, ignore_index=True).drop_duplicates("id").reset_index(drop=True)


def hetionet_diseases(nodes_tsv: Path) -> dict[str, str]:
    """DOID curie -> name of the Disease nodes in Hetionet's node file (empty when the file is absent)."""
    if not nodes_tsv.is_file():
        return {}
    frame = pd.read_csv(nodes_tsv, sep="\t", dtype=str, keep_default_na=False, usecols=["id", "name", "kind"])
    frame = frame[frame["kind"] == "Disease"]
    return dict(zip(frame["id"].str.removeprefix("Disease::"), frame["name"], strict=True))


@dataclass(frozen=True, slots=True)
class DiseaseLayer:
    """Diseases and their ids.

    Attributes:
        nodes: One row per disease: ``curie`` (the key), ``name``, ``xrefs`` (every other equivalent id,
            sorted DOID, MONDO, OMIM, ORPHA, DECIPHER) and ``hetionet`` (the key is a Hetionet disease).
        members: ``id`` (an annotated disease id) -> ``curie`` (its disease's key).
    """

    nodes: pd.DataFrame
    members: pd.DataFrame

    def key_of(self) -> dict[str, str]:
        """Annotated id -> disease key."""
        return dict(zip(self.members["id"], self.members["curie"], strict=True))


def build_disease_layer(annotated: pd.DataFrame, sssom: pd.DataFrame, hetionet: dict[str, str]) -> DiseaseLayer:
    """Group annotated diseases (``id``, ``name``) with MONDO and Hetionet into one node per disease."""
    annotated = annotated.drop_duplicates("id")
    to_mondo = dict(zip(sssom["id"], sssom["mondo"], strict=True))
    mondo_label = dict(zip(sssom["mondo"], sssom["mondo_label"], strict=True))
    equivalents = sssom.groupby("mondo")["id"].agg(list).to_dict()
    names = dict(zip(annotated["id"], annotated["name"], strict=True))
    groups: dict[str, set[str]] = {}
    for disease_id in annotated["id"]:
        group = to_mondo.get(disease_id, disease_id)
        groups.setdefault(group, set()).add(disease_id)
    for doid in hetionet:
        groups.setdefault(to_mondo.get(doid, doid), set()).add(doid)
    rows, members = [], []
    for group, ids in groups.items():
        everything = set(ids)
        if group.startswith("MONDO:"):
            everything |= {group, *equivalents.get(group, ())}
        key = _key(group, ids, everything, hetionet)
        name = hetionet.get(key) or mondo_label.get(group) or _first_name(ids, names) or key
        xrefs = sorted(everything - {key}, key=_id_order)
        rows.append({"curie": key, "name": name, "xrefs": xrefs, "hetionet": key in hetionet})
        members.extend({"id": i, "curie": key} for i in sorted(ids) if i in names)
    nodes = pd.DataFrame(rows).sort_values("curie", key=lambda s: s.map(_id_order)).reset_index(drop=True)
    return DiseaseLayer(nodes, pd.DataFrame(members, columns=["id", "curie"]))


def _key(group: str, ids: set[str], everything: set[str], hetionet: dict[str, str]) -> str:
    doids = sorted(i for i in everything if i in hetionet)
    if doids:
        return doids[0]
    if group.startswith("MONDO:"):
        return group
    return min(ids, key=_id_order)


def _first_name(ids: set[str], names: dict[str, str]) -> str | None:
    for disease_id in sorted(ids, key=_id_order):
        if names.get(disease_id):
            return names[disease_id]
    return None


def _id_order(curie: str) -> tuple[int, str, int, str]:
    prefix, _, local = curie.partition(":")
    return (_ORDER.get(prefix, 9), prefix, len(local), local)
