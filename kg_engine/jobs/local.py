"""The local runner: the pipeline in this process, or in forked worker processes that inherit it."""

from __future__ import annotations

import multiprocessing
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from functools import partial
from multiprocessing.pool import AsyncResult, Pool
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from kg_engine.jobs.tasks import LITERATURE, Task
from kg_engine.jobs.work import PIPE_BATCH, Done, Outcome, WorkBatch, extract_work, work_batches

if TYPE_CHECKING:
    from spacy.language import Language

T = TypeVar("T")
R = TypeVar("R")

_WORKER_NLP: Language | None = None  # the pipeline a forked worker inherits


class LocalRunner:
    """Run ``task``'s pipeline on this machine with ``workers`` processes.

    With more than one worker, batches go to a pool of forked processes that inherit the loaded pipeline
    and knowledge base (no second load, shared memory pages). At most two batches per worker are in
    flight, so reading stays just ahead of extraction however large the input. Enter the runner before
    opening the store, so that workers are forked from a process without open database handles.
    """

    name = "local"

    def __init__(self, nlp: Language, workers: int = 1, batch_size: int = PIPE_BATCH, task: Task = LITERATURE
                 ) -> None:
        self.nlp = nlp
        self.workers = workers
        self.batch_size = batch_size
        self.task = task
        self._pool: Pool | None = None

    def __enter__(self) -> LocalRunner:
        if self.workers > 1 and self._pool is None:
            global _WORKER_NLP
            _WORKER_NLP = self.nlp
            self._pool = multiprocessing.get_context("fork").Pool(self.workers)
        return self

    def __exit__(self, *exc: object) -> None:
        if self._pool is not None:
            self._pool.terminate()
            self._pool.join()
            self._pool = None

    def run(self, sources: Sequence[Path], done: Done) -> Iterator[Outcome]:
        """Outcomes of every document of ``sources`` not in ``done``, in reading order."""
        files = [str(p) for p in sources]
        batches = work_batches(sources, done, self.batch_size, self.task)
        if self.workers <= 1:
            for batch in batches:
                yield from extract_work(self.nlp, batch, files, self.task)
            return
        with self:
            assert self._pool is not None
            extract = partial(_worker_extract, files=files, task=self.task)
            for outcomes in bounded_imap(self._pool, extract, batches, 2 * self.workers):
                yield from outcomes


def bounded_imap(pool: Pool, fn: Callable[[T], R], items: Iterable[T], in_flight: int) -> Iterator[R]:
    """``pool.imap`` that keeps at most ``in_flight`` items submitted (``imap`` would read all input first)."""
    waiting: deque[AsyncResult[R]] = deque()
    for item in items:
        waiting.append(pool.apply_async(fn, (item,)))
        if len(waiting) >= in_flight:
            yield waiting.popleft().get()
    while waiting:
        yield waiting.popleft().get()


def _worker_extract(batch: WorkBatch, files: Sequence[str], task: Task) -> list[Outcome]:
    assert _WORKER_NLP is not None, "worker started without a pipeline"
    return extract_work(_WORKER_NLP, batch, files, task)
