"""Options and plumbing shared by batch-job commands (``kg extract``, ``kg ingest literature``): runner, resume."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

import typer
from spacy.language import Language

from kg_engine.cli import err
from kg_engine.config import Settings
from kg_engine.jobs import Checkpoint, JobIdentity, Runner, check_runner

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

    def checked(self) -> JobOptions:
        """These options with the runner name normalised (an error lists the valid ones)."""
        if self.resume and self.restart:
            raise typer.BadParameter("--resume and --restart exclude each other")
        return JobOptions(check_runner(self.runner), self.workers, self.batch_size, self.resume, self.restart,
                          self.ray_address, self.model)


def open_checkpoint(settings: Settings, kind: str, sources: list[Path], options: JobOptions,
                    target: Path | None = None) -> Checkpoint:
    """The job's checkpoint under ``KG_HOME/jobs``; says so when resuming."""
    from kg_engine.literature import model_identity

    identity = JobIdentity.of(kind, sources, model_identity(options.model), target)
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


def make_runner(settings: Settings, options: JobOptions, load_nlp: Callable[[], Language]) -> Runner:
    """The runner the options name; the local one loads the pipeline here, Ray actors load their own."""
    from kg_engine.jobs.local import LocalRunner

    if options.runner == "local":
        return LocalRunner(load_nlp(), options.workers)
    from kg_engine.jobs.ray_runner import PipelineSpec, RayRunner
    from kg_engine.kb import kb_path, load_fuzzy, load_or_build

    if not kb_path(settings).is_file():  # built once here, not by every actor at the same time
        load_fuzzy(settings, load_or_build(settings, lambda m: err.print(f"[dim]{m}[/]", highlight=False)))
    return RayRunner(PipelineSpec.of(settings, options.model), options.workers, address=options.ray_address)
