"""Reading delimited source files with line numbers, so bad rows can be reported where they are."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

from kg_engine.errors import LoadError


@dataclass(frozen=True, slots=True)
class BadRow:
    """A row that could not be parsed: 1-based line number, reason and the raw text."""

    line: int
    reason: str
    raw: str


@dataclass(frozen=True, slots=True)
class Table:
    """Parsed rows as a frame (with a ``_line`` column) plus the header and the rows rejected."""

    header: list[str]
    frame: pd.DataFrame
    bad: list[BadRow]


def read_table(path: Path, sep: str = "\t", required: tuple[str, ...] = ()) -> Table:
    """Read a delimited file whose lines may end in LF, CRLF or a bare CR.

    A row with the wrong number of fields or an empty value in a ``required`` column is returned in
    ``bad`` and left out of ``frame``; a missing or empty file raises ``LoadError``.
    """
    fast = _read_fast(path, sep, required)
    if fast is not None:
        return fast
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise LoadError(f"{path}: file not found") from exc
    except UnicodeDecodeError as exc:
        raise LoadError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from exc
    lines = text.splitlines()
    if not lines:
        raise LoadError(f"{path}: empty file, expected a header line")
    header = lines[0].split(sep)
    need = [header.index(c) for c in required if c in header]
    rows: list[list[str]] = []
    numbers: list[int] = []
    bad: list[BadRow] = []
    for lineno, line in enumerate(lines[1:], start=2):
        if not line.strip():
            continue
        fields = line.split(sep)
        reason = _row_problem(fields, len(header), need, header)
        if reason:
            bad.append(BadRow(lineno, reason, line))
            continue
        rows.append(fields)
        numbers.append(lineno)
    frame = pd.DataFrame(rows, columns=header)
    frame["_line"] = numbers
    return Table(header, frame, bad)


def _read_fast(path: Path, sep: str, required: tuple[str, ...]) -> Table | None:
    """Parse with Arrow's CSV reader when every line is well formed; None sends the caller to the slow path.

    Empty lines are not skipped but refused, so that row ``i`` is always line ``i + 2``.
    """
    header = _header(path, sep)
    if header is None:
        return None
    try:
        table = pacsv.read_csv(
            path,
            read_options=pacsv.ReadOptions(column_names=header, skip_rows=1),
            parse_options=pacsv.ParseOptions(delimiter=sep, quote_char=False, ignore_empty_lines=False),
            convert_options=pacsv.ConvertOptions(
                column_types=dict.fromkeys(header, pa.string()), strings_can_be_null=False
            ),
        )
    except (pa.ArrowInvalid, OSError):
        return None
    frame = table.to_pandas()
    empty_required = any((frame[c].str.strip() == "").any() for c in required if c in frame)
    if table.num_rows == 0 or empty_required or len(set(header)) != len(header):
        return None
    frame["_line"] = range(2, len(frame) + 2)
    return Table(header, frame, [])


def _header(path: Path, sep: str) -> list[str] | None:
    """The first line's fields, or None when the file cannot be read that way (the slow path says why)."""
    try:
        with path.open("rb") as handle:
            first = handle.read(1 << 16)
        line = re.split(rb"\r\n|\r|\n", first, maxsplit=1)[0]
        return line.decode("utf-8").split(sep) if line else None
    except (OSError, UnicodeDecodeError):
        return None


def _row_problem(fields: list[str], width: int, need: list[int], header: list[str]) -> str | None:
    if len(fields) != width:
        return f"expected {width} fields, found {len(fields)}"
    for i in need:
        if not fields[i].strip():
            return f"empty {header[i]!r}"
    return None
