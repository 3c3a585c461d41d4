"""Options and plumbing shared by batch jobs (``kg extract``, ``kg ingest literature|notes``): runner, resume."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

from ingest.relation_model import MODEL_FILE
from kg_engine.cli._app import err
from kg_engine.config import Settings
from kg_engine.errors import ConfigError
from kg_engine.jobs import Checkpoint, JobIdentity, Runner, check_runner
from kg_engine.jobs.run import JobReport
from kg_engine.jobs.tasks import LITERATURE, Task

if TYPE_CHECKING:
    from spacy.language import Language

RunnerOption = Annotated[str, typer.Option(
    "--runner", help="local: processes on this machine; ray: ray.data actors (this machine, or a cluster with "
    "--ray-address).")]
RayAddressOption = Annotated[str | None, typer.Option(
    "--ray-address", help="Ray cluster to join (ray://host:10001 or host:6379; default: $RAY_ADDRESS, else a "
    "local Ray).")]
ResumeOption = Annotated[bool, typer.Option(
    "--resume", help="Continue an interrupted run of the same job: skip the documents it committed.")]
RestartOption = Annotated[bool, typer.Option(
    "--restart", help="Discard an interrupted run's checkpoint and start over.")]
# Each store write has a fixed cost (one COPY per node category and edge type): measured on 1,000 BC5CDR
# abstracts, batches of 200 wrote 84 documents/s, batches of 1,000 wrote 233/s. A kill loses at most a batch.
DEFAULT_BATCH = 1000
BatchSizeOption = Annotated[int, typer.Option(
    "--batch-size", min=1, help="Documents per store write (and per checkpoint commit).")]


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
        if self.resume and self.restart:
            raise typer.BadParameter("--resume and --restart exclude each other")
        if self.model is not None and not (self.model / "meta.json").is_file():
            raise ConfigError(f"no NER model at {self.model} (no meta.json); run `kg train ner` to build one")
        if self.relation_model is not None and not (self.relation_model / MODEL_FILE).is_file():
            raise ConfigError(f"no relation model at {self.relation_model} (no {MODEL_FILE}); run `kg train "
                              "relations` to build one")
        return replace(self, runner=check_runner(self.runner))


def check_sources(sources: list[Path]) -> None:
    """A one-line error naming the sources that do not exist."""
    missing = [str(p) for p in sources if not p.exists()]
    if missing:
        raise ConfigError(f"no such file or folder: {', '.join(missing)}")


def job_progress(label: str) -> Progress:
    """A progress bar on stderr: documents done, documents per second, time."""
    columns = (TextColumn(f"[bold]{label}"), BarColumn(), MofNCompleteColumn(), TextColumn("{task.fields[rate]}"),
               TimeElapsedColumn())
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
        err.print(f"[yellow]{report.dead_lettered} {what}(s) dead-lettered to {report.deadletter}[/]",
                  highlight=False)
    if report.dead_lettered_earlier:
        err.print(f"[dim]{report.dead_lettered_earlier} rejected {what}(s) already in {report.deadletter} "
                  "from an earlier run (not written again)[/]", highlight=False)


def open_checkpoint(settings: Settings, kind: str, sources: list[Path], options: JobOptions, model: str,
                    target: Path | None = None) -> Checkpoint:
    """The job's checkpoint under ``KG_HOME/jobs``; says so when resuming.

    Args:
        settings: Where ``KG_HOME`` is.
        kind: The job's kind (``extract``, ``ingest-literature``, ``ingest-notes``).
        sources: What the job reads.
        options: How it runs (``--resume``, ``--restart``).
        model: The pipeline's identity (models and their versions, settings that change the results).
        target: The output file, for jobs that write one.
    """
    identity = JobIdentity.of(kind, sources, model, target)
    checkpoint = Checkpoint.open(settings.home, identity, options.resume, options.restart)
    if checkpoint.resumed:
        err.print(f"[dim]resuming {identity.job_id}: {checkpoint.done.count():,} documents already done[/]",
                  highlight=False)
    elif options.resume:
        for folder in Checkpoint.interrupted_elsewhere(settings.home, identity):
            err.print(f"[yellow]{folder.name}, an interrupted run over these sources, cannot be resumed: the files "
                      "or the model changed since[/]", highlight=False)
        err.print(f"[dim]no earlier run of {identity.job_id}; starting it[/]", highlight=False)
    return checkpoint


def make_runner(settings: Settings, options: JobOptions, load_nlp: Callable[[], Language], task: Task = LITERATURE
                ) -> Runner:
    """The runner the options name, running ``task``; the local one loads the pipeline here, Ray actors their own."""
    from kg_engine.jobs.local import LocalRunner

    if options.runner == "local":
        return LocalRunner(load_nlp(), options.workers, task=task)
    from kg_engine.jobs.ray_runner import PipelineSpec, RayRunner

    task.prepare(settings, lambda m: err.print(f"[dim]{m}[/]", highlight=False))  # once here, not in every actor
    spec = PipelineSpec.of(settings, options.model, options.relation_model)
    return RayRunner(spec, options.workers, address=options.ray_address, task=task)
