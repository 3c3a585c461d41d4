"""Clinical-text commands: ``kg ingest notes`` (a batch job), ``kg nlp`` assertion status and its NegEx evaluation."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table
from rich.text import Text

from kg_engine.cli._app import HomeOption, _engine, _settings, app, err, ingest_app, out, reports_errors
from kg_engine.cli._jobs import (
    JobOptions,
    RayAddressOption,
    RestartOption,
    ResumeOption,
    RunnerOption,
    check_sources,
    job_progress,
    make_runner,
    open_checkpoint,
    report_dead_letters,
    ticker,
)
from kg_engine.errors import ConfigError

if TYPE_CHECKING:
    from spacy.language import Language

    from kg_engine.clinical import NoteJobReport
    from kg_engine.config import Settings

nlp_app = typer.Typer(
    help="Clinical-text NLP: assertion status (negated, possible, historical, family).", no_args_is_help=True
)
app.add_typer(nlp_app, name="nlp")


def deadletter_path(output: Path) -> Path:
    """``OUT.jsonl`` -> ``OUT.deadletter.jsonl`` (next to the output)."""
    return output.with_name(f"{output.stem}.deadletter.jsonl")


def _annotate(line: str) -> dict[str, Any]:
    """Parse one input line and add its assertion; ValueError with the reason when the line is unusable."""
    from ingest.assertion import assert_status

    try:
        record = json.loads(line)
    except json.JSONDecodeError as exc:
        raise ValueError(f"invalid JSON: {exc.msg}") from None
    if not isinstance(record, dict):
        raise ValueError("not a JSON object")
    text, start, end = record.get("text"), record.get("start"), record.get("end")
    if not isinstance(text, str):
        raise ValueError("'text' is missing or not a string")
    if not (isinstance(start, int) and isinstance(end, int)) or isinstance(start, bool) or isinstance(end, bool):
        raise ValueError("'start' and 'end' must be integers")
    if not 0 <= start < end <= len(text):
        raise ValueError(f"offsets {start}:{end} are outside the text (length {len(text)})")
    result = assert_status(text, start, end)
    record["assertion"] = result.status.value
    record["assertion_detail"] = result.as_dict()
    return record


@nlp_app.command("assertion")
@reports_errors
def assertion(
    input_path: Annotated[Path, typer.Option("--input", "-i", help='JSONL: {"id", "text", "start", "end"} a line.')],
    output: Annotated[Path, typer.Option("--out", "-o", help='JSONL written back with "assertion" added.')],
) -> None:
    """Add the assertion status of each mention; bad lines go to OUT.deadletter.jsonl and are skipped."""
    from kg_engine.load.deadletter import DeadLetter

    if not input_path.is_file():
        raise ConfigError(f"no such file: {input_path}")
    output.parent.mkdir(parents=True, exist_ok=True)
    written = 0
    with (
        input_path.open(encoding="utf-8") as src,
        output.open("w", encoding="utf-8") as dst,
        DeadLetter(deadletter_path(output)) as dead,
    ):
        for number, line in enumerate(src, start=1):
            if not line.strip():
                continue
            try:
                record = _annotate(line)
            except ValueError as exc:
                err.print(Text.assemble((f"{input_path}:{number}:", "yellow"), " ", str(exc)), highlight=False)
                dead.write(str(input_path), number, str(exc), line.rstrip("\n"))
                continue
            dst.write(json.dumps(record, ensure_ascii=False) + "\n")
            written += 1
    note = f", {dead.count} bad line(s) in {dead.path}" if dead.count else ""
    err.print(f"wrote {written} line(s) to {output}{note}", highlight=False)


def _report_range(value: str | None) -> tuple[int, int] | None:
    if value is None:
        return None
    try:
        first, _, last = value.partition("-")
        return int(first), int(last or first)
    except ValueError:
        raise ConfigError(f"--reports wants FIRST-LAST (e.g. 41-60), got {value!r}") from None


@nlp_app.command("eval-assertion")
@reports_errors
def eval_assertion(
    path: Annotated[
        Path | None, typer.Argument(help="NegEx TSV (default: the shared annotations_reports_1-60.tsv).")
    ] = None,
    reports: Annotated[
        str | None, typer.Option("--reports", help="Only these reports, FIRST-LAST (e.g. 41-60).")
    ] = None,
    window: Annotated[int | None, typer.Option("--window", min=1, help="Words a trigger reaches.")] = None,
    errors: Annotated[int, typer.Option("--errors", min=0, help="Include this many misclassified rows.")] = 0,
) -> None:
    """Score the assertion rules on NegEx sentences: accuracy, Negated / Affirmed P/R/F1, confusion (JSON)."""
    from ingest.assertion import DEFAULT_WINDOW, evaluate_negex

    if path is not None and not path.is_file():
        raise ConfigError(f"no such file: {path}")
    try:
        result = evaluate_negex(path, _report_range(reports), window or DEFAULT_WINDOW, errors)
    except FileNotFoundError as exc:
        raise ConfigError(str(exc)) from exc
    for row in result["skipped"]:
        err.print(Text.assemble((f"skipped line {row['line']}:", "yellow"), " ", str(row["reason"])), highlight=False)
    out.print_json(json.dumps(result))


NoteSources = Annotated[
    list[Path],
    typer.Argument(
        help="Notes: .csv / .jsonl files with an id and a text "
        "column, .txt files (the file name is the id), or folders of .txt."
    ),
]


@ingest_app.command("notes")
@reports_errors
def ingest_notes(
    sources: NoteSources,
    id_column: Annotated[str, typer.Option("--id-column", help="CSV column / JSON key of the note id.")] = "id",
    text_column: Annotated[str, typer.Option("--text-column", help="CSV column / JSON key of the text.")] = "text",
    keep_raw_text: Annotated[
        bool,
        typer.Option(
            "--keep-raw-text",
            help="Also store each note's original id and "
            "full text on its node (they hold protected health information).",
        ),
    ] = False,
    batch_size: Annotated[
        int, typer.Option("--batch-size", min=1, help="Notes per bulk write (and per checkpoint commit).")
    ] = 64,
    workers: Annotated[
        int, typer.Option("--workers", "-w", min=1, help="Processes (or Ray actors) running the pipeline.")
    ] = 1,
    model: Annotated[Path | None, typer.Option("--model", help="NER model folder (default: the packaged one).")] = None,
    home: HomeOption = None,
    runner: RunnerOption = "local",
    resume: ResumeOption = False,
    restart: RestartOption = False,
    ray_address: RayAddressOption = None,
) -> None:
    """Findings (HPO), diseases and drugs of clinical notes, with assertion status, into the graph.

    Each note becomes a ClinicalNote node keyed by a salted hash of its id, without its text (unless the
    option --keep-raw-text is given); evidence snippets are masked. Bad rows go to the dead-letter file
    KG_HOME/deadletter/ingest-notes.jsonl (file, line, note id, reason; never the text). Every batch is
    committed to a checkpoint under KG_HOME/jobs once it is in the store; --resume continues an
    interrupted run where it stopped.
    """
    from kg_engine.clinical import NoteTask, note_identity, note_salt, run_notes
    from kg_engine.kb import kb_name
    from kg_engine.literature import model_meta
    from kg_engine.load.deadletter import DeadLetter

    check_sources(sources)
    options = JobOptions(runner, workers, batch_size, resume, restart, ray_address, model).checked()
    settings = _settings(home)
    salt, task = note_salt(settings), NoteTask(id_column, text_column)
    identity = note_identity(model, task, keep_raw_text, salt, kb_name(settings))
    version = str(model_meta(model).get("version", "0"))
    with (
        open_checkpoint(settings, "ingest-notes", sources, options, identity) as checkpoint,
        make_runner(settings, options, lambda: _note_nlp(settings, model), task) as job_runner,
        _engine(home) as kg,
        DeadLetter(settings.deadletter_dir / "ingest-notes.jsonl", checkpoint.resumed) as dead,
        job_progress("notes") as bar,
    ):
        kg.init()
        progress = bar.add_task("notes", total=None, rate="")
        report = run_notes(
            job_runner,
            kg.store,
            sources,
            dead,
            version,
            salt,
            keep_raw_text=keep_raw_text,
            checkpoint=checkpoint,
            batch_size=batch_size,
            tick=ticker(bar, progress),
        )
    _notes_summary(report)


def _note_nlp(settings: Settings, model: Path | None) -> Language:
    from kg_engine.clinical import load_note_nlp

    try:
        with err.status("loading the note pipeline, knowledge base and HPO terms (built once: about a minute)"):
            return load_note_nlp(settings, model, lambda m: err.print(m, style="dim", markup=False, highlight=False))
    except FileNotFoundError as exc:
        raise ConfigError(str(exc)) from exc


def _notes_summary(report: NoteJobReport) -> None:
    statuses = ("affirmed", "negated", "possible", "historical", "family")
    table = Table(
        "notes", "skipped (done before)", "dead-lettered", "mentions", *statuses, "notes/s", title="clinical notes"
    )
    table.add_row(
        f"{report.notes:,}",
        f"{report.skipped:,}",
        f"{report.dead_lettered:,}",
        f"{report.mentions:,}",
        *[f"{report.by_status.get(s, 0):,}" for s in statuses],
        f"{report.notes_per_second:.1f}",
    )
    out.print(table)
    report_dead_letters(report, "row")
