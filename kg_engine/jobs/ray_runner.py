"""The Ray runner: ``ray.data`` reads the sources in tasks and extracts in a pool of actors holding the pipeline.

The dataset is one row per source file (or a single row for all of them when the task's reader checks
ids across sources, as the notes reader does); ``flat_map`` turns each into rows of documents not yet done
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
from pathlib import Path
from typing import Any

from kg_engine.jobs.checkpoint import DoneRanges
from kg_engine.jobs.codec import document_from_json, outcome_from_row, outcome_to_row, pending_row, rejection_row
from kg_engine.jobs.tasks import LITERATURE, PipelineSpec, Task
from kg_engine.jobs.work import PIPE_BATCH, Outcome, Pending, Rejection, WorkBatch, extract_work, read_work

__all__ = ["PipelineActor", "PipelineSpec", "RayRunner", "read_rows", "source_rows"]

READ_CPUS = 0.25  # reading is light next to the pipeline; a fraction keeps it from waiting behind the actors
# Rows of documents are cut into blocks of about two pipeline batches (an abstract's row is ~3 KiB); each
# block is one task for one actor, so one large source file still feeds every actor of the pool.
ROW_BYTES = 3 * 1024
TASKS_PER_ACTOR = 2  # blocks queued at an actor: one running, one waiting


class PipelineActor:
    """A ``map_batches`` callable class: loads the pipeline once, then extracts batches of document rows."""

    def __init__(self, spec: PipelineSpec, files: Sequence[str], task: Task = LITERATURE) -> None:
        self.nlp = task.load(spec)
        self.files = list(files)
        self.task = task

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
        rows = [outcome_to_row(o, self.task) for o in extract_work(self.nlp, work, self.files, self.task)]
        return {key: [row[key] for row in rows] for key in ("source", "ordinal", "doc_id", "extraction", "rejection")}


def source_rows(files: Sequence[str], done: DoneRanges, task: Task = LITERATURE) -> list[dict[str, str]]:
    """The dataset's rows: one per source, or one for all when ``task`` reads its sources with one reader."""
    indexed = list(enumerate(files))
    groups = [indexed] if task.shared_reader else [[item] for item in indexed]
    return [{"sources": json.dumps(group), "done": json.dumps({i: done.ranges.get(i, []) for i, _ in group})}
            for group in groups]


def read_rows(row: dict[str, Any], task: Task = LITERATURE) -> Iterator[dict[str, Any]]:
    """``flat_map`` step: the rows of the row's sources' documents not yet done, and the reader's rejections."""
    ranges = json.loads(row["done"])
    done = DoneRanges({int(i): [(int(a), int(b)) for a, b in runs] for i, runs in ranges.items()})
    read = task.reader()
    for source, path in json.loads(row["sources"]):
        for item in read_work(int(source), Path(path), done, read):
            yield rejection_row(item) if isinstance(item, Rejection) else pending_row(item)


class RayRunner:
    """Run ``task``'s pipeline with ``ray.data``: ``workers`` actors, each holding the pipeline."""

    name = "ray"

    def __init__(self, spec: PipelineSpec, workers: int = 1, batch_size: int = PIPE_BATCH,
                 address: str | None = None, task: Task = LITERATURE) -> None:
        self.spec = spec
        self.task = task
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
            rows = source_rows(files, done, self.task)
            pool = ray.data.ActorPoolStrategy(size=self.workers, max_tasks_in_flight_per_actor=TASKS_PER_ACTOR)
            actor = {"spec": self.spec, "files": files, "task": self.task}
            dataset = (
                ray.data.from_items(rows, override_num_blocks=len(rows))
                .flat_map(read_rows, fn_kwargs={"task": self.task}, num_cpus=READ_CPUS)
                .map_batches(PipelineActor, fn_constructor_kwargs=actor, batch_size=self.batch_size, compute=pool)
            )
            try:
                for row in dataset.iter_rows():
                    yield outcome_from_row(row, self.task)
            finally:
                context.target_max_block_size = block_bytes
