"""The Ray runner: ``ray.data`` reads the sources in tasks and extracts in a pool of actors holding the pipeline.

The dataset is one row per source file; ``flat_map`` turns each into rows of documents not yet done
(and the reader's rejections); ``map_batches`` sends them to a fixed pool of ``workers`` actors, each of
which loads the pipeline and knowledge base once, in ``__init__``; the driver gets plain JSON rows
back and writes them to the store (the embedded store has a single writer). Rows come back in no
particular order: the checkpoint keys documents, not positions.

Without an address, Ray starts on this machine; with ``--ray-address`` or ``RAY_ADDRESS`` it joins a
cluster, whose nodes need this package installed and ``KG_HOME`` (the knowledge-base cache) and the
sources at the same paths.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kg_engine.config import Settings
from kg_engine.errors import ConfigError
from kg_engine.jobs.checkpoint import DoneRanges
from kg_engine.jobs.codec import document_from_json, outcome_from_row, outcome_to_row, pending_row, rejection_row
from kg_engine.jobs.work import PIPE_BATCH, Outcome, Pending, Rejection, WorkBatch, extract_work, read_work

READ_CPUS = 0.25  # reading is light next to the pipeline; a fraction keeps it from waiting behind the actors
# Rows of documents are cut into blocks of about two pipeline batches (an abstract's row is ~3 KiB); each
# block is one task for one actor, so one large source file still feeds every actor of the pool.
ROW_BYTES = 3 * 1024
TASKS_PER_ACTOR = 2  # blocks queued at an actor: one running, one waiting


@dataclass(frozen=True, slots=True)
class PipelineSpec:
    """What an actor needs to build the pipeline itself: the engine home, datasets folder and models."""

    home: Path
    data_dir: Path | None
    model_dir: Path | None
    relation_dir: Path | None = None

    @classmethod
    def of(cls, settings: Settings, model_dir: Path | None, relation_dir: Path | None = None) -> PipelineSpec:
        """The spec for ``settings`` (absolute paths, so actors in other working directories find them)."""
        try:
            data: Path | None = settings.resolve_data_dir()
        except ConfigError:  # only needed to build a missing knowledge base
            data = None
        return cls(settings.home.resolve(), data, model_dir.resolve() if model_dir else None,
                   relation_dir.resolve() if relation_dir else None)


class PipelineActor:
    """A ``map_batches`` callable class: loads the pipeline once, then extracts batches of document rows."""

    def __init__(self, spec: PipelineSpec, files: Sequence[str]) -> None:
        from kg_engine.literature import load_nlp

        settings = Settings.load(home=spec.home, data_dir=spec.data_dir)
        self.nlp = load_nlp(settings, spec.model_dir, relation_dir=spec.relation_dir)
        self.files = list(files)

    def __call__(self, batch: dict[str, Any]) -> dict[str, list[Any]]:
        """Extract the documents of a batch of rows; rejections pass through."""
        work = WorkBatch([], [])
        for source, ordinal, document, rejection in zip(
            batch["source"], batch["ordinal"], batch["document"], batch["rejection"], strict=True
        ):
            if rejection:
                work.rejections.append(Rejection(**json.loads(rejection)))
            else:
                work.pending.append(Pending(int(source), int(ordinal), document_from_json(json.loads(document))))
        rows = [outcome_to_row(o) for o in extract_work(self.nlp, work, self.files)]
        return {key: [row[key] for row in rows] for key in ("source", "ordinal", "doc_id", "extraction", "rejection")}


def read_rows(row: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """``flat_map`` step: the rows of one source's documents not yet done, and the reader's rejections."""
    done = DoneRanges({int(row["source"]): [tuple(r) for r in json.loads(row["done"])]})
    for item in read_work(int(row["source"]), Path(row["path"]), done):
        yield rejection_row(item) if isinstance(item, Rejection) else pending_row(item)


class RayRunner:
    """Extract with ``ray.data``: ``workers`` actors, each holding the pipeline."""

    name = "ray"

    def __init__(self, spec: PipelineSpec, workers: int = 1, batch_size: int = PIPE_BATCH,
                 address: str | None = None) -> None:
        self.spec = spec
        self.workers = workers
        self.batch_size = batch_size
        self.address = address or os.environ.get("RAY_ADDRESS") or None
        self._started_ray = False

    def __enter__(self) -> RayRunner:
        import ray

        if not ray.is_initialized():
            logging.getLogger("ray").setLevel(logging.WARNING)
            if self.address:
                ray.init(address=self.address, log_to_driver=False)
            else:  # one CPU per actor and one for the reading tasks
                ray.init(num_cpus=self.workers + 1, include_dashboard=False, log_to_driver=False)
            self._started_ray = True
        return self

    def __exit__(self, *exc: object) -> None:
        import ray

        if self._started_ray:
            ray.shutdown()
            self._started_ray = False

    def run(self, sources: Sequence[Path], done: DoneRanges) -> Iterator[Outcome]:
        """Outcomes of every document of ``sources`` not in ``done``, in the order they finish."""
        import ray.data

        logging.getLogger("ray.data").setLevel(logging.ERROR)  # its INFO/WARNING lines would drown the progress bar
        with self:
            context = ray.data.DataContext.get_current()
            block_bytes, context.target_max_block_size = context.target_max_block_size, 2 * self.batch_size * ROW_BYTES
            context.enable_progress_bars = False
            files = [str(Path(p).resolve()) for p in sources]
            rows = [{"source": i, "path": f, "done": json.dumps(done.ranges.get(i, []))} for i, f in enumerate(files)]
            pool = ray.data.ActorPoolStrategy(size=self.workers, max_tasks_in_flight_per_actor=TASKS_PER_ACTOR)
            dataset = (
                ray.data.from_items(rows, override_num_blocks=len(rows))
                .flat_map(read_rows, num_cpus=READ_CPUS)
                .map_batches(PipelineActor, fn_constructor_kwargs={"spec": self.spec, "files": files},
                             batch_size=self.batch_size, compute=pool)
            )
            try:
                for row in dataset.iter_rows():
                    yield outcome_from_row(row)
            finally:
                context.target_max_block_size = block_bytes
