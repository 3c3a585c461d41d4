"""Patients: observed and excluded HPO terms (current ids), from HPO lists, GA4GH Phenopackets v2 or text.

``Patient`` is what every ranker reads. Constructors check their input and raise :class:`PatientError` (a
``ValueError``) with the reason: an unknown HPO id is named; an alternative or obsolete id becomes the
current one. ``strict=False`` drops unknown ids into ``Patient.dropped`` instead (evaluation on cases
annotated with a newer HPO than the one shipped).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kg_engine.diagnosis.knowledge import PhenotypeKB, UnknownTermError

__all__ = ["Patient", "PatientError", "TextReader", "from_hpo", "from_phenopacket", "from_record", "read_phenopacket",
           "to_phenopacket"]


class PatientError(ValueError):
    """Patient input that cannot be used, with the reason."""


@dataclass(frozen=True, slots=True)
class Patient:
    """One case: observed and excluded HPO ids (current, deduplicated), optional text.

    For evaluation it also carries the diagnosis ids and the source PMIDs; ``dropped`` lists unknown ids.
    """

    id: str
    observed: tuple[str, ...]
    excluded: tuple[str, ...] = ()
    text: str | None = None
    diagnosis: tuple[str, ...] = ()
    pmids: tuple[str, ...] = ()
    dropped: tuple[str, ...] = field(default=())

    def to_json(self) -> dict[str, Any]:
        """The batch input form (``{"id", "hpo", "excluded"}``), plus ``diagnosis`` when known."""
        out: dict[str, Any] = {"id": self.id, "hpo": list(self.observed), "excluded": list(self.excluded)}
        if self.diagnosis:
            out["diagnosis"] = list(self.diagnosis)
        return out


def _resolve(kb: PhenotypeKB, ids: Iterable[Any], strict: bool, dropped: list[str]) -> list[str]:
    out: list[str] = []
    for raw in ids:
        if not isinstance(raw, str):
            raise PatientError(f"HPO ids must be strings, got {raw!r}")
        try:
            term = kb.resolve(raw.strip().upper().replace("_", ":"))
        except UnknownTermError as exc:
            if strict:
                raise PatientError(str(exc)) from None
            dropped.append(raw)
            continue
        if term not in out:
            out.append(term)
    return out


def from_hpo(kb: PhenotypeKB, observed: Iterable[Any], excluded: Iterable[Any] = (), *, case_id: str = "case",
             strict: bool = True, diagnosis: Iterable[str] = (), pmids: Iterable[str] = (),
             text: str | None = None) -> Patient:
    """A patient from HPO ids; a term both observed and excluded counts as observed.

    Raises:
        PatientError: An unknown id (``strict``), or no observed term at all.
    """
    dropped: list[str] = []
    obs = _resolve(kb, observed, strict, dropped)
    exc = [t for t in _resolve(kb, excluded, strict, dropped) if t not in obs]
    if not obs and not exc:
        raise PatientError(f"case {case_id!r} has no usable HPO term" + (f" (unknown: {dropped})" if dropped else ""))
    return Patient(case_id, tuple(obs), tuple(exc), text, tuple(diagnosis), tuple(pmids), tuple(dropped))


def from_phenopacket(kb: PhenotypeKB, packet: Mapping[str, Any], *, strict: bool = True,
                     case_id: str | None = None) -> Patient:
    """A patient from a GA4GH Phenopacket v2 (``phenotypicFeatures[].type.id``, ``"excluded": true``).

    Raises:
        PatientError: Not a phenopacket (no ``phenotypicFeatures`` list, a feature without ``type.id``), or
            an unknown id (``strict``).
    """
    if not isinstance(packet, Mapping):
        raise PatientError("a phenopacket must be a JSON object")
    features = packet.get("phenotypicFeatures", [] if "metaData" in packet or "subject" in packet else None)
    if not isinstance(features, list):
        raise PatientError("not a phenopacket: no 'phenotypicFeatures' list")
    observed, excluded = [], []
    for k, feature in enumerate(features):
        term = feature.get("type", {}).get("id") if isinstance(feature, Mapping) else None
        if not isinstance(term, str):
            raise PatientError(f"phenotypicFeatures[{k}] has no type.id")
        (excluded if feature.get("excluded") is True else observed).append(term)
    pid = case_id or str(packet.get("id") or "phenopacket")
    return from_hpo(kb, observed, excluded, case_id=pid, strict=strict, diagnosis=_diagnoses(packet),
                    pmids=_pmids(packet))


def _diagnoses(packet: Mapping[str, Any]) -> list[str]:
    found: list[str] = []
    for interp in packet.get("interpretations") or ():
        disease = ((interp or {}).get("diagnosis") or {}).get("disease") or {}
        if isinstance(disease.get("id"), str):
            found.append(disease["id"])
    for disease in packet.get("diseases") or ():
        term = (disease or {}).get("term") or {}
        if isinstance(term.get("id"), str) and not disease.get("excluded"):
            found.append(term["id"])
    return list(dict.fromkeys(found))


def _pmids(packet: Mapping[str, Any]) -> list[str]:
    refs = (packet.get("metaData") or {}).get("externalReferences") or ()
    return [r["id"] for r in refs if isinstance(r, Mapping) and str(r.get("id", "")).startswith("PMID:")]


def read_phenopacket(kb: PhenotypeKB, path: Path, *, strict: bool = True) -> Patient:
    """Read a phenopacket JSON file.

    Raises:
        PatientError: The file is not JSON, or not a usable phenopacket (the message names the file).
    """
    try:
        packet = json.loads(Path(path).read_text(encoding="utf-8"))
        return from_phenopacket(kb, packet, strict=strict)
    except json.JSONDecodeError as exc:
        raise PatientError(f"{path}: invalid JSON ({exc.msg}, line {exc.lineno})") from None
    except PatientError as exc:
        raise PatientError(f"{path}: {exc}") from None


def to_phenopacket(kb: PhenotypeKB, patient: Patient) -> dict[str, Any]:
    """A minimal Phenopacket v2 of the patient's observed and excluded terms (with their labels)."""
    def feature(term: str, excluded: bool) -> dict[str, Any]:
        item: dict[str, Any] = {"type": {"id": term, "label": kb.term_names[kb.index[term]]}}
        if excluded:
            item["excluded"] = True
        return item

    packet: dict[str, Any] = {
        "id": patient.id,
        "phenotypicFeatures": [*(feature(t, False) for t in patient.observed),
                               *(feature(t, True) for t in patient.excluded)],
        "metaData": {"phenopacketSchemaVersion": "2",
                     "resources": [{"id": "hp", "name": "human phenotype ontology", "version": kb.version,
                                    "namespacePrefix": "HP"}],
                     "externalReferences": [{"id": p} for p in patient.pmids]},
    }
    if patient.diagnosis:
        packet["interpretations"] = [{"id": f"{patient.id}-dx", "progressStatus": "SOLVED",
                                      "diagnosis": {"disease": {"id": d}}} for d in patient.diagnosis]
    return packet


TextReader = Callable[[str], tuple[Sequence[str], Sequence[str]]]


def from_record(kb: PhenotypeKB, record: Any, text_reader: TextReader | None = None, *,
                strict: bool = True) -> Patient:
    """A patient from a batch line: ``{"id", "hpo", "excluded"}``, ``{"id", "text"}`` or ``{"id", "phenopacket"}``.

    ``diagnosis`` (a string or a list) is kept for evaluation. ``text_reader`` turns text into (observed,
    excluded) HPO ids.

    Raises:
        PatientError: The record is none of these forms, or its content is unusable.
    """
    if not isinstance(record, Mapping):
        raise PatientError("a case must be a JSON object")
    case_id = str(record.get("id") or "case")
    gold = record.get("diagnosis") or ()
    gold = [gold] if isinstance(gold, str) else list(gold)
    if "phenopacket" in record:
        patient = from_phenopacket(kb, record["phenopacket"], strict=strict, case_id=case_id)
        return Patient(patient.id, patient.observed, patient.excluded, None, tuple(gold) or patient.diagnosis,
                       patient.pmids, patient.dropped)
    if "hpo" in record or "excluded" in record:
        hpo, excl = record.get("hpo") or [], record.get("excluded") or []
        if not isinstance(hpo, list) or not isinstance(excl, list):
            raise PatientError("'hpo' and 'excluded' must be lists of HPO ids")
        return from_hpo(kb, hpo, excl, case_id=case_id, strict=strict, diagnosis=gold)
    if "text" in record:
        text = record["text"]
        if not isinstance(text, str) or not text.strip():
            raise PatientError("'text' is empty or not a string")
        if text_reader is None:
            raise PatientError("text input needs the text pipeline")
        observed, excluded = text_reader(text)
        if not observed and not excluded:
            raise PatientError("no HPO finding recognised in the text")
        return from_hpo(kb, observed, excluded, case_id=case_id, diagnosis=gold, text=text)
    raise PatientError("a case needs 'hpo' (and 'excluded'), 'text' or 'phenopacket'")
