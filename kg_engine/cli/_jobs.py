"""Options and plumbing shared by batch jobs (``kg extract``, ``kg ingest literature|notes``, the quickstart).

Runner and resume options, the checkpoint, progress, the literature pipeline and the job summary. A shared module
(no commands of its own): command groups import from it and from ``_app``, never from each other.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Table

from kg_engine.cli._app import err, out
from kg_engine.errors import ConfigError

if TYPE_CHECKING:  # the job machinery loads when a job runs, not for ``kg --help``
    from spacy.language import Language

    from kg_engine.config import Settings
    from kg_engine.jobs import Checkpoint, Runner
    from kg_engine.jobs.run import JobReport
    from kg_engine.jobs.tasks import Task

RunnerOption = Annotated[
    str,
    typer.Option(
        "--runner",
        help="local: processes on this machine; ray: ray.data actors (this machine, or a cluster with --ray-address).",
    ),
]
RayAddressOption = Annotated[
    str | None,
    typer.Option(
        "--ray-address",
        help="Ray cluster to join (ray://host:10001 or host:6379; default: $RAY_ADDRESS, else a local Ray).",
    ),
]
ResumeOption = Annotated[
    bool, typer.Option("--resume", help="Continue an interrupted run of the same job: skip the documents it committed.")
]
RestartOption = Annotated[
    bool, typer.Option("--restart", help="Discard an interrupted run's checkpoint and start over.")
]
# Each store write has a fixed cost (one COPY per node category and edge type): measured on 1,000 BC5CDR
# abstracts, batches of 200 wrote 84 documents/s, batches of 1,000 wrote 233/s. A kill loses at most a batch.
DEFAULT_BATCH = 1000
BatchSizeOption = Annotated[
    int, typer.Option("--batch-size", min=1, help="Documents per store write (and per checkpoint commit).")
]


@dataclass(frozen=True, slots=True)
class JobOptions:
    """How to run a batch job, as given on the command line."""

    runner: str = "local"
    workers: int = 1
    batch_size: int = DEFAULT_BATCH
    resume: bool = False
    restart: bool = False
    ray_address: str | None = None
    model: Path | None = None
    relation_model: Path | None = None

    def checked(self) -> JobOptions:
        """These options with the runner name normalised (an error lists the valid ones) and model folders checked."""
        from ingest.relation_model import MODEL_FILE
        from kg_engine.jobs import check_runner

        if self.resume and self.restart:
            raise typer.BadParameter("--resume and --restart exclude each other")
        if self.model is not None and not (self.model / "meta.json").is_file():
            raise ConfigError(f"no NER model at {self.model} (no meta.json); run `kg train ner` to build one")
        if self.relation_model is not None and not (self.relation_model / MODEL_FILE).is_file():
            raise ConfigError(
                f"no relation model at {self.relation_model} (no {MODEL_FILE}); run `kg train relations` to build one"
            )
        return replace(self, runner=check_runner(self.runner))


def check_sources(sources: list[Path]) -> None:
    """A one-line error naming the sources that do not exist."""
    missing = [str(p) for p in sources if not p.exists()]
    if missing:
        raise ConfigError(f"no such file or folder: {', '.join(missing)}")


def job_progress(label: str) -> Progress:
    """A progress bar on stderr: documents done, documents per second, time."""
    columns = (
        TextColumn(label, style="bold", markup=False),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[rate]}", markup=False),
        TimeElapsedColumn(),
    )
    return Progress(*columns, console=err)


def ticker(bar: Progress, task: TaskID) -> Callable[[int], None]:
    """A callback advancing ``task`` by n documents and showing documents per second."""

    def tick(n: int) -> None:
        bar.update(task, advance=n)
        state = next(t for t in bar.tasks if t.id == task)
        if state.elapsed:
            bar.update(task, rate=f"{state.completed / state.elapsed:.1f} docs/s")

    return tick


def report_dead_letters(report: JobReport, what: str = "document") -> None:
    """Say how many documents this run dead-lettered, and how many an earlier run already had."""
    if report.dead_lettered:
        err.print(
            f"{report.dead_lettered} {what}(s) dead-lettered to {report.deadletter}", style="yellow", highlight=False
        )
    if report.dead_lettered_earlier:
        err.print(
            f"{report.dead_lettered_earlier} rejected {what}(s) already in {report.deadletter} "
            "from an earlier run (not written again)",
            style="dim",
            highlight=False,
        )


def open_checkpoint(
    settings: Settings, kind: str, sources: list[Path], options: JobOptions, model: str, target: Path | None = None
) -> Checkpoint:
    """The job's checkpoint under ``KG_HOME/jobs``; says so when resuming.

    Args:
        settings: Where ``KG_HOME`` is.
        kind: The job's kind (``extract``, ``ingest-literature``, ``ingest-notes``).
        sources: What the job reads.
        options: How it runs (``--resume``, ``--restart``).
        model: The pipeline's identity (models and their versions, settings that change the results).
        target: The output file, for jobs that write one.
    """
    from kg_engine.jobs import Checkpoint, JobIdentity

    identity = JobIdentity.of(kind, sources, model, target)
    checkpoint = Checkpoint.open(settings.home, identity, options.resume, options.restart)
    if checkpoint.resumed:
        err.print(
            f"resuming {identity.job_id}: {checkpoint.done.count():,} documents already done",
            style="dim",
            highlight=False,
        )
    elif options.resume:
        for folder in Checkpoint.interrupted_elsewhere(settings.home, identity):
            err.print(
                f"{folder.name}, an interrupted run over these sources, cannot be resumed: the files or the "
                "model changed since",
                style="yellow",
                highlight=False,
            )
        err.print(f"no earlier run of {identity.job_id}; starting it", style="dim", highlight=False)
    return checkpoint


def make_runner(
    settings: Settings, options: JobOptions, load_nlp: Callable[[], Language], task: Task | None = None
) -> Runner:
    """The runner the options name, running ``task`` (literature by default); Ray actors load their own pipeline."""
    from kg_engine.jobs.local import LocalRunner
    from kg_engine.jobs.tasks import LITERATURE

    task = task or LITERATURE

    if options.runner == "local":
        return LocalRunner(load_nlp(), options.workers, task=task)
    from kg_engine.jobs.ray_runner import PipelineSpec, RayRunner

    task.prepare(settings, status)  # once here, not in every actor
    spec = PipelineSpec.of(settings, options.model, options.relation_model)
    return RayRunner(spec, options.workers, address=options.ray_address, task=task)


def status(message: str) -> None:
    """A progress line on stderr (dim), printed literally."""
    err.print(message, style="dim", highlight=False)


def literature_nlp(
    settings: Settings,
    model: Path | None,
    relations: bool = True,  # type: ignore[no-untyped-def]
    relation_dir: Path | None = None,
):
    """The literature pipeline (NER, linker, relations); a missing model is a one-line error."""
    from kg_engine.literature import load_nlp

    try:
        with err.status("loading the pipeline and knowledge base (a first run builds the base: about a minute)"):
            return load_nlp(settings, model, status, relations, relation_dir)
    except FileNotFoundError as exc:
        raise ConfigError(str(exc)) from exc


def literature_summary(report, what: str) -> None:  # type: ignore[no-untyped-def]
    """The table of a literature job's counts, and its dead letters."""
    table = Table("documents", "skipped (done before)", "dead-lettered", "mentions", "linked", "docs/s", title=what)
    table.add_row(
        f"{report.documents:,}",
        f"{report.skipped:,}",
        f"{report.dead_lettered:,}",
        f"{report.mentions:,}",
        f"{report.linked:,}",
        f"{report.docs_per_second:.1f}",
    )
    out.print(table)
    report_dead_letters(report)
