"""Readers of clinical notes: CSV and JSONL files with an id and a text field, and plain-text files.

Each yields ``Document(id, "note", "", text, meta={"file", "line"})``. A bad row (no id, no text, a
malformed CSV record or JSON line, a repeated id) is reported through ``on_error`` with the file, the line
and the reason, and the reader goes on with the next row. Reasons never quote the note's text: notes hold
protected health information, and dead-letter files and logs are not the place for it.
"""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from ingest.readers import OnError, raise_errors
from ingest.records import Document, ReadError

__all__ = ["NOTE_SOURCE", "NOTE_SUFFIXES", "read_notes", "read_notes_csv", "read_notes_jsonl", "read_notes_text"]

NOTE_SOURCE = "note"
NOTE_SUFFIXES = (".csv", ".jsonl", ".ndjson", ".txt")
csv.field_size_limit(min(sys.maxsize, 2**31 - 1))  # a long note is one CSV field


def read_notes(
    path: Path, on_error: OnError = raise_errors, id_field: str = "id", text_field: str = "text"
) -> Iterator[Document]:
    """Read notes from ``path``, by suffix: ``.csv``, ``.jsonl`` / ``.ndjson``, ``.txt``, or a folder of ``.txt``.

    Args:
        path: A file or a folder.
        on_error: Called with a ``ReadError`` for each bad row; the reader carries on.
        id_field: Column (CSV) or key (JSONL) holding the note id.
        text_field: Column or key holding the note text.

    Raises:
        ValueError: The suffix is none of the known ones.
    """
    suffix = path.suffix.lower()
    if path.is_dir():
        yield from _read_folder(path, on_error)
    elif suffix == ".csv":
        yield from read_notes_csv(path, on_error, id_field, text_field)
    elif suffix in {".jsonl", ".ndjson"}:
        yield from read_notes_jsonl(path, on_error, id_field, text_field)
    elif suffix == ".txt":
        yield from read_notes_text(path, on_error)
    else:
        raise ValueError(f"{path}: notes are read from {', '.join(NOTE_SUFFIXES)} files or a folder of .txt")


def read_notes_csv(path: Path, on_error: OnError = raise_errors, id_field: str = "id", text_field: str = "text"
                   ) -> Iterator[Document]:
    """One note per CSV record (quoted fields may span lines; ``line`` is where the record starts)."""
    with path.open(encoding="utf-8", errors="replace", newline="") as fh:
        reader = csv.reader(fh)
        try:
            header = next(reader)
        except (StopIteration, csv.Error) as exc:
            on_error(ReadError(str(path), f"no CSV header ({exc or 'empty file'})", 1))
            return
        missing = [f for f in (id_field, text_field) if f not in header]
        if missing:
            on_error(ReadError(str(path), f"no column {', '.join(map(repr, missing))} (columns: {header})", 1))
            return
        id_at, text_at = header.index(id_field), header.index(text_field)
        check = _Checker(path, on_error)
        while True:
            line = reader.line_num + 1
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                on_error(ReadError(str(path), f"malformed CSV record: {exc}", line))
                continue
            if not any(cell.strip() for cell in row):
                continue
            if len(row) != len(header):
                note_id = row[id_at].strip() if len(row) > id_at else None
                on_error(ReadError(str(path), f"{len(row)} fields, the header has {len(header)}", line,
                                   note_id or None))
                continue
            if (doc := check(row[id_at], row[text_at], line)) is not None:
                yield doc


def read_notes_jsonl(path: Path, on_error: OnError = raise_errors, id_field: str = "id", text_field: str = "text"
                     ) -> Iterator[Document]:
    """One note per JSON line: an object with the id and text keys (other keys are ignored)."""
    check = _Checker(path, on_error)
    with path.open(encoding="utf-8", errors="replace") as fh:
        for line, raw in enumerate(fh, start=1):
            if not raw.strip():
                continue
            try:
                record: Any = json.loads(raw)
            except json.JSONDecodeError as exc:
                on_error(ReadError(str(path), f"invalid JSON ({exc.msg} at column {exc.colno})", line))
                continue
            if not isinstance(record, dict):
                on_error(ReadError(str(path), f"not a JSON object but {type(record).__name__}", line))
                continue
            if (doc := check(record.get(id_field), record.get(text_field), line)) is not None:
                yield doc


def read_notes_text(path: Path, on_error: OnError = raise_errors) -> Iterator[Document]:
    """A plain-text file is one note; its id is the file name without suffix."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        on_error(ReadError(str(path), f"not UTF-8 text ({exc.reason} at byte {exc.start})", None, path.stem))
        return
    if (doc := _Checker(path, on_error)(path.stem, text, None)) is not None:
        yield doc


def _read_folder(folder: Path, on_error: OnError) -> Iterator[Document]:
    for path in sorted(folder.rglob("*.txt")):
        yield from read_notes_text(path, on_error)


class _Checker:
    """Validates (id, text) of one row, remembers ids seen in the file, and makes the ``Document``."""

    def __init__(self, path: Path, on_error: Callable[[ReadError], None]) -> None:
        self.path = path
        self.on_error = on_error
        self.seen: dict[str, int | None] = {}

    def __call__(self, raw_id: object, text: object, line: int | None) -> Document | None:
        note_id = _as_id(raw_id)
        reason = None
        if note_id is None:
            reason = "no note id"
        elif not isinstance(text, str):
            reason = "no note text" if text is None else f"note text is {type(text).__name__}, not a string"
        elif not text.strip():
            reason = "empty note text"
        elif note_id in self.seen:
            first = self.seen[note_id]
            reason = f"note id {note_id!r} repeated (first at line {first})" if first else "note id repeated"
        if reason is not None:
            self.on_error(ReadError(str(self.path), reason, line, note_id))
            return None
        assert note_id is not None and isinstance(text, str)
        self.seen[note_id] = line
        return Document(note_id, NOTE_SOURCE, "", text, {"file": str(self.path), "line": line})


def _as_id(value: object) -> str | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | str):
        text = str(value).strip()
        return text or None
    return None
