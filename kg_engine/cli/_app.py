"""The ``kg`` Typer apps and the helpers every command group shares.

Command groups (the other modules of ``kg_engine.cli``) import from here, never from each other. Both consoles
print literally (``markup=False``): a message naming ``pip install 'kg-engine[ray]'`` or a path with brackets keeps
them; styled parts are given as ``style=`` or as ``rich.text.Text`` pieces, never as markup tags. User mistakes print
one line and a non-zero exit, no traceback.
"""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from kg_engine.errors import KgError

if TYPE_CHECKING:
    import pandas as pd

    from kg_engine.config import Settings
    from kg_engine.diagnosis.service import Diagnoser
    from kg_engine.engine import Engine
    from kg_engine.load.report import LoadReport

app = typer.Typer(help="kg-engine: a biomedical knowledge-graph reasoning engine.", no_args_is_help=True)
load_app = typer.Typer(help="Load structured sources into the graph.", no_args_is_help=True)
train_app = typer.Typer(help="Train models and save dated checkpoints under $KG_HOME/models.", no_args_is_help=True)
eval_app = typer.Typer(help="Evaluate models against baselines on a held-out split.", no_args_is_help=True)
ingest_app = typer.Typer(help="Run ingestion jobs (text -> graph facts with provenance).", no_args_is_help=True)
app.add_typer(load_app, name="load")
app.add_typer(train_app, name="train")
app.add_typer(eval_app, name="eval")
app.add_typer(ingest_app, name="ingest")

out = Console(markup=False)
err = Console(stderr=True, markup=False)
F = TypeVar("F", bound=Callable[..., Any])

HomeOption = Annotated[Path | None, typer.Option("--home", envvar="KG_HOME", help="Engine home (store, caches).")]


class OutputFormat(StrEnum):
    """How ``kg query`` prints rows."""

    table = "table"
    json = "json"
    csv = "csv"


def reports_errors(func: F) -> F:
    """Turn engine errors into a one-line message and the error's exit code."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except KgError as exc:
            error(str(exc))
            raise typer.Exit(exc.exit_code) from None

    return wrapper  # type: ignore[return-value]


def error(message: str) -> None:
    """``error: MESSAGE`` on stderr, the message printed literally."""
    err.print(Text.assemble(("error: ", "bold red"), message), highlight=False)


def note(message: str, label: str = "note:") -> None:
    """``note: MESSAGE`` on stderr (the label in yellow), the message printed literally."""
    err.print(Text.assemble((label, "yellow"), " ", message), highlight=False)


@contextmanager
def _engine(home: Path | None, read_only: bool | None = None) -> Iterator[Engine]:
    from kg_engine.engine import Engine  # pandas and the store drivers load only for commands that open one

    engine = Engine.open(home, read_only=read_only)
    try:
        yield engine
    finally:
        engine.close()


def _settings(home: Path | None) -> Settings:
    """The settings of ``home`` (``KG_HOME``, else the default home); loaded when a command runs, not for ``--help``."""
    from kg_engine.config import Settings

    return Settings.load(home=home)


def _diagnoser(home: Path | None) -> tuple[Diagnoser, Settings]:
    """The phenotype diagnoser of ``home`` (its caches under ``cache/diagnosis``) and the home's settings."""
    from kg_engine.config import Settings
    from kg_engine.diagnosis.service import Diagnoser

    settings = Settings.load(home=home)
    return Diagnoser.open(settings.home / "cache" / "diagnosis", settings.resolve_data_dir()), settings


def _with_progress(title: str, job: Callable[[Callable[[str, int, int], None]], LoadReport]) -> LoadReport:
    columns = (
        TextColumn("{task.description}", style="bold", markup=False),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=err, transient=False) as bar:
        task = bar.add_task(title, total=None)

        def advance(label: str, done: int, total: int) -> None:
            bar.update(task, description=f"{title}: {label}", completed=done, total=total)

        return job(advance)


def _print_report(report: LoadReport) -> None:
    table = Table("file", "rows", "inserted", "updated", "unchanged", "rejected", title=report.source)
    for f in report.files:
        r = f.result
        table.add_row(
            Path(f.file).name, f"{f.read:,}", f"{r.inserted:,}", f"{r.updated:,}", f"{r.unchanged:,}", f"{f.rejected:,}"
        )
    out.print(table)
    if report.rejected:
        err.print(f"{report.rejected} rejected row(s) written to {report.deadletter}", style="yellow", markup=False)


def _parse_params(pairs: list[str]) -> dict[str, Any]:
    params: dict[str, Any] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise typer.BadParameter(f"expected k=v, got {pair!r}", param_hint="--param")
        try:
            params[key.strip()] = json.loads(value)
        except json.JSONDecodeError:
            params[key.strip()] = value
    return params


def _print_rows(rows: pd.DataFrame, output: OutputFormat) -> None:
    if output is OutputFormat.json:
        sys.stdout.write(rows.to_json(orient="records", default_handler=str) + "\n")
    elif output is OutputFormat.csv:
        rows.to_csv(sys.stdout, index=False)
    else:
        table = Table(*[str(c) for c in rows.columns], caption=f"{len(rows)} row(s)")
        for record in rows.itertuples(index=False):
            table.add_row(*[_cell(v) for v in record])
        out.print(table)


def _cell(value: Any) -> str:
    if isinstance(value, list | tuple):
        return ", ".join(map(str, value))
    return "" if value is None else str(value)
