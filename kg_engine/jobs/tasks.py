"""What a batch job does with its documents: how it reads its sources, the pipeline it runs, its results as JSON.

A ``Task`` is a small picklable value. Runners hand it to forked workers, to Ray's reading tasks and to the
actors, which build their pipeline with ``Task.load``. ``LiteratureTask`` serves ``kg extract`` and
``kg ingest literature``; ``kg_engine.clinical.NoteTask`` serves ``kg ingest notes``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

from ingest.readers import OnError, read_any
from ingest.records import Document, Mention
from kg_engine.config import Settings
from kg_engine.errors import ConfigError

if TYPE_CHECKING:
    from spacy.language import Language

Read = Callable[[Path, OnError], Iterator[Document]]
Status = Callable[[str], None]
PIPE_BATCH = 32  # documents per nlp.pipe call (and per task handed to a worker)


class Result(Protocol):
    """What the pipeline made of one document (``ingest.pipeline.Extraction``, ``NoteExtraction``)."""

    @property
    def document(self) -> Document:
        """The document."""
        ...

    @property
    def mentions(self) -> list[Mention]:
        """Its mentions."""
        ...


@dataclass(frozen=True, slots=True)
class PipelineSpec:
    """What an actor needs to build the pipeline itself: the engine home, datasets folder and models."""

    home: Path
    data_dir: Path | None
    model_dir: Path | None
    relation_dir: Path | None = None
    curated: str = "all"

    @classmethod
    def of(cls, settings: Settings, model_dir: Path | None, relation_dir: Path | None = None) -> PipelineSpec:
        """The spec for ``settings`` (absolute paths, so actors in other working directories find them)."""
        try:
            data: Path | None = settings.resolve_data_dir()
        except ConfigError:  # only needed to build a missing knowledge base
            data = None
        return cls(settings.home.resolve(), data, model_dir.resolve() if model_dir else None,
                   relation_dir.resolve() if relation_dir else None, settings.curated)

    def settings(self) -> Settings:
        """The settings this spec was made from."""
        return Settings.load(home=self.home, data_dir=self.data_dir, curated=self.curated)


class Task(Protocol):
    """How a job reads, extracts and encodes its documents."""

    # True: one reader reads every source, in order (it checks ids across sources), so Ray reads them in one
    # task; False: each source is read on its own, in parallel.
    shared_reader: ClassVar[bool]

    def reader(self) -> Read:
        """A reader for one pass over the sources in order (it may remember what it read)."""
        ...

    def extract(self, nlp: Language, documents: Sequence[Document]) -> list[Result]:
        """One result per document, in order; raises when the pipeline fails on any of them."""
        ...

    def failure(self, document: Document, exc: Exception) -> str:
        """The dead-letter reason for a document the pipeline failed on."""
        ...

    def dead_letter_record(self, doc_id: str | None) -> Any:
        """The ``record`` of a dead-letter entry about document ``doc_id``."""
        ...

    def encode(self, result: Result) -> dict[str, Any]:
        """A result as plain JSON values."""
        ...

    def decode(self, data: dict[str, Any]) -> Result:
        """Inverse of ``encode``."""
        ...

    def prepare(self, settings: Settings, status: Status) -> None:
        """Build the caches the pipeline needs (once, before Ray actors would each build them)."""
        ...

    def load(self, spec: PipelineSpec) -> Language:
        """The pipeline, built from ``spec`` (in a Ray actor)."""
        ...


@dataclass(frozen=True, slots=True)
class LiteratureTask:
    """Abstracts and articles: any literature reader, the literature pipeline with relations."""

    shared_reader: ClassVar[bool] = False

    def reader(self) -> Read:
        """``ingest.readers.read_any``."""
        return read_any

    def extract(self, nlp: Language, documents: Sequence[Document]) -> list[Result]:
        """``Extractor`` over the documents."""
        from ingest.pipeline import Extractor

        return list(Extractor(nlp, batch_size=PIPE_BATCH).extract(documents))

    def failure(self, document: Document, exc: Exception) -> str:
        """The document id, the error's type and its message."""
        return f"{document.id}: pipeline failed: {type(exc).__name__}: {exc}"

    def dead_letter_record(self, doc_id: str | None) -> Any:
        """The document id."""
        return doc_id

    def encode(self, result: Result) -> dict[str, Any]:
        """``codec.extraction_to_json``."""
        from kg_engine.jobs.codec import extraction_to_json

        return extraction_to_json(result)  # type: ignore[arg-type]

    def decode(self, data: dict[str, Any]) -> Result:
        """``codec.extraction_from_json``."""
        from kg_engine.jobs.codec import extraction_from_json

        return extraction_from_json(data)

    def prepare(self, settings: Settings, status: Status) -> None:
        """The knowledge base and the fuzzy linker's index."""
        from kg_engine.kb import kb_path, load_fuzzy, load_or_build

        if not kb_path(settings).is_file():
            load_fuzzy(settings, load_or_build(settings, status))

    def load(self, spec: PipelineSpec) -> Language:
        """``kg_engine.literature.load_nlp`` with the spec's NER and relation models."""
        from kg_engine.literature import load_nlp

        return load_nlp(spec.settings(), spec.model_dir, relation_dir=spec.relation_dir)


LITERATURE = LiteratureTask()
