"""The server's hold on one ``Engine``: calls are serialised, errors become HTTP errors, loads become jobs."""

from __future__ import annotations

import math
import threading
import time
import traceback
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from fastapi import HTTPException

from kg_engine.errors import ConfigError, JobStateError, KgError, QueryError, ReadOnlyError

# HTTP status per engine error; anything else a KgError reports is the caller's bad input (400).
_STATUS: dict[type[KgError], int] = {ReadOnlyError: 403, QueryError: 400, ConfigError: 400, JobStateError: 409}


def jsonable(value: Any) -> Any:
    """Plain JSON values: NaN/inf become null, numpy and pandas scalars become Python ones."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [jsonable(v) for v in value]
    if isinstance(value, float):
        return None if math.isnan(value) or math.isinf(value) else value
    if value is None or isinstance(value, str | int | bool):
        return value
    if hasattr(value, "tolist"):  # numpy arrays and scalars
        return jsonable(value.tolist())
    if hasattr(value, "item"):
        return jsonable(value.item())
    return str(value)


@dataclass
class Job:
    """An admin job (a load) running in a background thread."""

    id: str
    kind: str
    owner: str
    state: str = "queued"
    created: float = field(default_factory=time.time)
    finished: float | None = None
    progress: dict[str, Any] = field(default_factory=dict)
    result: dict[str, Any] | None = None
    error: str | None = None

    def public(self) -> dict[str, Any]:
        """The job as the API shows it."""
        return {"id": self.id, "kind": self.kind, "owner": self.owner, "state": self.state, "created": self.created,
                "finished": self.finished, "progress": self.progress, "result": self.result, "error": self.error}


class EngineService:
    """One engine shared by every request; one call at a time (the embedded store has one connection)."""

    def __init__(self, engine: Any) -> None:
        self.engine = engine
        self.lock = threading.RLock()
        self.jobs: dict[str, Job] = {}

    def has(self, method: str) -> bool:
        """Whether the engine offers ``method`` (capabilities still being built return 501)."""
        return callable(getattr(self.engine, method, None))

    def capabilities(self) -> dict[str, bool]:
        """Which of the served capabilities this engine has."""
        names = ("query", "ask", "link", "diagnose", "predict", "treat", "interactions", "risk", "evidence", "stats")
        return {name: self.has(name) for name in names}

    def call(self, method: str, *args: Any, **kwargs: Any) -> Any:
        """Run ``engine.<method>`` under the lock; engine errors become 4xx, a missing method 501."""
        func: Callable[..., Any] | None = getattr(self.engine, method, None)
        if not callable(func):
            raise HTTPException(501, f"'{method}' is not available in this engine yet (no Engine.{method}); "
                                     "the endpoint is reserved and will answer once the engine provides it")
        return self.guarded(func, *args, **kwargs)

    def guarded(self, func: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """Run ``func`` under the lock; engine errors become 4xx answers."""
        with self.lock:
            try:
                return func(*args, **kwargs)
            except KgError as exc:
                raise HTTPException(_STATUS.get(type(exc), 400), str(exc)) from None
            except (ValueError, KeyError, LookupError) as exc:
                raise HTTPException(400, _bad_input(exc)) from None

    # --- admin jobs ------------------------------------------------------------------------------------

    def sources(self) -> list[str]:
        """What ``POST /api/admin/load`` can load: the engine's ``load_<source>`` methods."""
        return sorted(n[5:] for n in dir(self.engine) if n.startswith("load_") and callable(getattr(self.engine, n)))

    def start_load(self, source: str, owner: str) -> Job:
        """Start loading ``source`` in a thread; at most one job runs at a time."""
        if source not in self.sources():
            raise HTTPException(400, f"unknown source {source!r}; choose from {', '.join(self.sources())}")
        if getattr(self.engine.store, "read_only", False):
            raise HTTPException(409, "the server's store is open read-only (kg serve --read-only); loads need a "
                                     "writable store")
        if any(j.state in {"queued", "running"} for j in self.jobs.values()):
            raise HTTPException(409, "a job is already running; see GET /api/admin/jobs")
        job = Job(uuid.uuid4().hex[:12], f"load {source}", owner)
        self.jobs[job.id] = job
        threading.Thread(target=self._run_load, args=(job, source), name=f"kg-job-{job.id}", daemon=True).start()
        return job

    def _run_load(self, job: Job, source: str) -> None:
        def progress(label: str, done: int, total: int) -> None:
            job.progress = {"label": label, "done": done, "total": total}

        with self.lock:
            job.state = "running"
            try:
                self.engine.init()
                report = getattr(self.engine, f"load_{source}")(None, progress)
                job.result = jsonable({"source": report.source, "rejected": report.rejected,
                                       "files": [{"file": f.file, "read": f.read, "rejected": f.rejected}
                                                 for f in report.files]})
                job.state = "done"
            except KgError as exc:
                job.state, job.error = "failed", str(exc)
            except Exception as exc:  # a job's failure is reported on the job, not raised in a thread
                job.state, job.error = "failed", f"{type(exc).__name__}: {exc}"
                traceback.print_exc()
            finally:
                job.finished = time.time()
                if hasattr(self.engine, "_asker"):
                    self.engine._asker = None  # the grounding index must see what was loaded


def _bad_input(exc: Exception) -> str:
    text = exc.args[0] if exc.args and isinstance(exc.args[0], str) else str(exc)
    return text if isinstance(exc, ValueError) else f"unknown {text}"
