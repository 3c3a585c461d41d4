"""``Engine.diagnose``: one patient in (text, HPO ids with exclusions, phenopacket or note), ranked diseases out.

:class:`DiagnosisService` holds what a home needs to diagnose — the phenotype knowledge, the fusion model
(when a checkpoint exists; else the likelihood-ratio ranker, with a note saying so) and, on first text
input, the cached text matcher — so repeated calls pay the start-up once.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kg_engine.diagnosis.patient import Patient, PatientError, from_hpo, from_phenopacket
from kg_engine.diagnosis.service import DISCLAIMER, Diagnoser

__all__ = ["DiagnosisService"]


EXCLUSION_NOTE = ("excluded findings count against the diseases that expect them (annotated in 80 % or more of "
                  "patients, or without a frequency); a disease that has an excluded finding less often is not "
                  "ranked down for it, since case reports list such findings when they considered the disease")


def exclusion_notes(patient: Patient, ranker: str) -> list[str]:
    """The note on how excluded findings count, for a fusion-ranked patient who has some."""
    return [EXCLUSION_NOTE] if patient.excluded and ranker == "fusion" else []


@dataclass
class DiagnosisService:
    """The diagnoser of one home, with its fusion model when one is available."""

    diagnoser: Diagnoser
    fusion: Any
    cache_dir: Path
    notes: list[str] = field(default_factory=list)
    _nlp: Any = None

    @classmethod
    def open(cls, settings: Any, device: str = "auto") -> DiagnosisService:
        """Load the knowledge (cached under ``$KG_HOME/cache/diagnosis``) and the fusion checkpoint if any."""
        from kg_engine.fusion.checkpoint import FusionCheckpointError
        from kg_engine.fusion.service import FusionDiagnoser

        cache = settings.home / "cache" / "diagnosis"
        diagnoser = Diagnoser.open(cache, settings.resolve_data_dir())
        notes = []
        try:
            fusion = FusionDiagnoser.open(diagnoser, settings.home, device)
        except FusionCheckpointError as exc:
            fusion, notes = None, [f"fusion model not usable ({exc}); ranked with the likelihood-ratio ranker"]
        if fusion is None and not notes:
            notes = ["no fusion checkpoint (`kg train fusion --task diagnosis`); ranked with the likelihood-ratio "
                     "ranker"]
        return cls(diagnoser, fusion, cache, notes)

    @property
    def default_ranker(self) -> str:
        """``fusion`` when a checkpoint is loaded and its card prefers it, else ``likelihood_ratio``."""
        return self.fusion.bundle.default_ranker if self.fusion is not None else "likelihood_ratio"

    def read_text(self, text: str) -> tuple[Patient, dict[str, str]]:
        """A patient from free text or a note (findings, negations), and the words naming each term."""
        from kg_engine.diagnosis.text import extract_findings, load_text_pipeline
        from kg_engine.fusion.service import text_wording

        if self._nlp is None:
            self._nlp = load_text_pipeline(self.cache_dir, self.diagnoser.kb.version)
        found = extract_findings(self._nlp, text)
        if not found.observed and not found.excluded:
            raise PatientError("no HPO finding recognised in the text")
        return from_hpo(self.diagnoser.kb, found.observed, found.excluded, text=text), text_wording(text, found.spans)

    def patient(self, text: str | None = None, *, hpo: Iterable[str] | None = None,
                excluded: Iterable[str] | None = None, phenopacket: Mapping[str, Any] | str | Path | None = None,
                note: str | Path | None = None) -> tuple[Patient, dict[str, str]]:
        """The patient of exactly one input form.

        Raises:
            PatientError: No input, several forms at once, or unusable input (unknown id, empty text, …).
        """
        given = [x is not None for x in (text, hpo or excluded or None, phenopacket, note)]
        if sum(given) != 1:
            raise PatientError("give exactly one of text, hpo (+ excluded), phenopacket or note")
        if phenopacket is not None:
            packet = phenopacket
            if not isinstance(packet, Mapping):
                try:
                    packet = json.loads(Path(packet).read_text(encoding="utf-8"))
                except (OSError, json.JSONDecodeError) as exc:
                    raise PatientError(f"{phenopacket}: unreadable phenopacket ({exc})") from None
            return from_phenopacket(self.diagnoser.kb, packet), {}
        if hpo is not None or excluded is not None:
            return from_hpo(self.diagnoser.kb, list(hpo or []), list(excluded or [])), {}
        if note is not None:
            body = Path(note).read_text(encoding="utf-8") if isinstance(note, Path) else str(note)
            return self.read_text(body)
        if not str(text).strip():
            raise PatientError("empty text: describe the patient's findings")
        return self.read_text(str(text))

    def diagnose(self, text: str | None = None, *, hpo: Iterable[str] | None = None,
                 excluded: Iterable[str] | None = None, phenopacket: Mapping[str, Any] | str | Path | None = None,
                 note: str | Path | None = None, top: int = 10, ranker: str = "auto") -> dict[str, Any]:
        """``{"id", "ranker", "observed", "excluded", "diagnoses": [...], "notes", "note"}``, best first.

        ``ranker``: ``auto`` (the shipped model card's choice, :attr:`default_ranker`), ``fusion``,
        ``likelihood_ratio`` or ``resnik_bma``.
        """
        patient, wording = self.patient(text, hpo=hpo, excluded=excluded, phenopacket=phenopacket, note=note)
        if ranker == "auto":
            ranker = self.default_ranker
        if ranker == "fusion" and self.fusion is not None:
            ranked = self.fusion.diagnose(patient, top, wording)
        else:
            ranker = "likelihood_ratio" if ranker == "fusion" else ranker
            if ranker not in self.diagnoser.rankers:
                raise PatientError(f"unknown ranker {ranker!r}; choose fusion, {', '.join(self.diagnoser.rankers)}")
            ranked = self.diagnoser.diagnose(patient, top, ranker)
        return {"id": patient.id, "ranker": ranker, "observed": list(patient.observed),
                "excluded": list(patient.excluded), "diagnoses": ranked,
                "notes": [*self.notes, *exclusion_notes(patient, ranker)], "note": DISCLAIMER}
