"""The ``kg`` command (Typer + Rich). User mistakes print one line and a non-zero exit, no traceback."""

from __future__ import annotations

import functools
import json
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import StrEnum
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from cypher.templates import list_templates, load_template
from kg_engine.errors import KgError

if TYPE_CHECKING:
    import pandas as pd

    from kg_engine.engine import Engine
    from kg_engine.load.report import LoadReport

app = typer.Typer(help="kg-engine: a biomedical knowledge-graph reasoning engine.", no_args_is_help=True)
load_app = typer.Typer(help="Load structured sources into the graph.", no_args_is_help=True)
app.add_typer(load_app, name="load")

out = Console()
err = Console(stderr=True)
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
            err.print(Text.assemble(("error: ", "bold red"), str(exc)), highlight=False)  # literal: "[ray]" stays
            raise typer.Exit(exc.exit_code) from None

    return wrapper  # type: ignore[return-value]


@contextmanager
def _engine(home: Path | None, read_only: bool | None = None) -> Iterator[Engine]:
    from kg_engine.engine import Engine  # pandas and the store drivers load only for commands that open one

    engine = Engine.open(home, read_only=read_only)
    try:
        yield engine
    finally:
        engine.close()


@app.command()
@reports_errors
def init(home: HomeOption = None) -> None:
    """Create an empty graph store with the schema's node and relationship tables."""
    with _engine(home) as kg:
        kg.init()
        out.print(f"initialised {kg.settings.backend} store at {kg.settings.store_path}")


@load_app.command("hetionet")
@reports_errors
def load_hetionet(
    path: Annotated[Path | None, typer.Argument(help="Hetionet folder (nodes TSV + edges/).")] = None,
    home: HomeOption = None,
) -> None:
    """Load Hetionet v1.0 nodes and edges (idempotent)."""
    with _engine(home) as kg:
        kg.init()
        report = _with_progress("Hetionet", lambda progress: kg.load_hetionet(path, progress))
    _print_report(report)


@load_app.command("indications")
@reports_errors
def load_indications(
    path: Annotated[Path | None, typer.Argument(help="PharmacotherapyDB indications.tsv.")] = None,
    home: HomeOption = None,
) -> None:
    """Load PharmacotherapyDB indications as treats / ameliorates / not-indicated edges (idempotent)."""
    with _engine(home) as kg:
        kg.init()
        report = _with_progress("indications", lambda progress: kg.load_indications(path, progress))
    _print_report(report)


@app.command()
@reports_errors
def query(
    cypher: Annotated[str, typer.Argument(help="Cypher statement; values go in --param, not in the text.")],
    param: Annotated[list[str] | None, typer.Option("--param", "-p", help="k=v (v read as JSON if it parses).")] = None,
    output: Annotated[OutputFormat, typer.Option("--format", "-f")] = OutputFormat.table,
    read_only: Annotated[bool, typer.Option("--read-only", help="Refuse any write.")] = False,
    home: HomeOption = None,
) -> None:
    """Run a parameterised Cypher query against the store."""
    params = _parse_params(param or [])
    with _engine(home, read_only=read_only or None) as kg:
        rows = kg.query(cypher, params)
    _print_rows(rows, output)


@app.command()
@reports_errors
def stats(home: HomeOption = None, as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Node counts per category and edge counts per edge type."""
    with _engine(home, read_only=True) as kg:
        result = kg.stats()
    if as_json:
        edges = {"|".join(k): v for k, v in result.edges.items()}
        payload = {"nodes": result.nodes, "edges": edges, "node_total": result.node_total}
        out.print_json(json.dumps({**payload, "edge_total": result.edge_total}))
        return
    table = Table("category", "nodes", title=f"{result.node_total:,} nodes")
    for name, count in sorted(result.nodes.items()):
        table.add_row(name, f"{count:,}")
    edges_table = Table("subject", "predicate", "object", "edges", title=f"{result.edge_total:,} edges")
    for (s, p, o), count in sorted(result.edges.items()):
        edges_table.add_row(s, p, o, f"{count:,}")
    out.print(table, edges_table)
    _print_partial_sources(set(result.edges))


def _print_partial_sources(present: set[tuple[str, str, str]]) -> None:
    """Say which loaded edge types hold only part of their source (``kg sources`` lists every licence)."""
    from ontologies import load_schema

    schema = load_schema()
    for source in schema.sources:
        for edge_type, note in schema.partial_edges(source).items():
            if edge_type in present:
                out.print(f"partial: {' '.join(edge_type)} ({source}): {note}", markup=False, style="yellow")
    out.print("licences of every source: kg sources", markup=False, style="dim")


QUICKSTART_QUESTIONS = (
    "Which drugs treat type 2 diabetes?",
    "How many genes does imatinib bind?",
    "Which drugs bind genes associated with Alzheimer's disease?",
)
QUICKSTART_PATIENT = "A 3-year-old boy with seizures, microcephaly and hypotonia; no hearing loss."


@app.command()
@reports_errors
def quickstart(
    home: HomeOption = None,
    literature: Annotated[bool, typer.Option("--literature/--no-literature", help="Also ingest BC5CDR dev.")] = True,
) -> None:
    """Build a home where every command works: the graph, phenotypes, interactions, literature, examples."""
    from kg_engine.cli.literature import ingest_sample

    started = time.perf_counter()
    steps: list[tuple[str, float]] = []

    def step(name: str, job: Callable[[], Any]) -> Any:
        begun = time.perf_counter()
        result = job()
        steps.append((name, time.perf_counter() - begun))
        return result

    with _engine(home) as kg:
        step("init", kg.init)
        for title, load in (("Hetionet", kg.load_hetionet), ("indications", kg.load_indications),
                            ("interactions", kg.load_interactions), ("SIDER", kg.load_sider), ("HPO", kg.load_hpo)):
            _print_report(step(title, lambda load=load, title=title: _with_progress(title, partial(load, None))))
        if literature:
            step("literature", lambda: ingest_sample(kg))
        step("examples", lambda: _quickstart_examples(kg))
        summary = kg.stats()
    timings = Table("step", "seconds", title="quickstart")
    for name, seconds in steps:
        timings.add_row(name, f"{seconds:.1f}")
    out.print(timings)
    out.print(
        f"done in {time.perf_counter() - started:.1f} s: {summary.node_total:,} nodes, "
        f"{summary.edge_total:,} edges in {kg.settings.store_path}",
        markup=False, highlight=False,
    )


def _quickstart_examples(kg: Engine) -> None:
    """Run the templates, a few questions and a diagnosis once (this also builds their caches)."""
    for name in list_templates():
        template = load_template(name)
        out.rule(f"{name}: {template.description}", style="bold")
        out.print(f"{template.cypher}\nparams: {template.examples}", markup=False, highlight=False, style="dim")
        _print_rows(kg.query(template.cypher, template.examples), OutputFormat.table)
    for question in QUICKSTART_QUESTIONS:
        answer = kg.ask(question)
        out.rule(f"kg ask {question!r}", style="bold")
        out.print(answer.get("cypher", ""), markup=False, highlight=False, style="dim")
        names = [a.get("name") or a.get("curie") for a in answer.get("answers", [])[:10]]
        shown = answer.get("count", answer.get("boolean", ", ".join(map(str, names))))
        out.print(answer.get("reason") if answer.get("abstained") else shown, markup=False, highlight=False)
    out.rule(f"kg diagnose {QUICKSTART_PATIENT!r}", style="bold")
    result = kg.diagnose(QUICKSTART_PATIENT, top=5)
    for diagnosis in result.get("diagnoses", [])[:5]:
        out.print(f"{diagnosis.get('curie')}  {diagnosis.get('name')}  {diagnosis.get('score')}", markup=False)


def _with_progress(title: str, job: Callable[[Callable[[str, int, int], None]], LoadReport]) -> LoadReport:
    columns = (TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=err, transient=False) as bar:
        task = bar.add_task(title, total=None)

        def advance(label: str, done: int, total: int) -> None:
            bar.update(task, description=f"{title}: {label}", completed=done, total=total)

        return job(advance)


def _print_report(report: LoadReport) -> None:
    table = Table("file", "rows", "inserted", "updated", "unchanged", "rejected", title=report.source)
    for f in report.files:
        r = f.result
        table.add_row(Path(f.file).name, f"{f.read:,}", f"{r.inserted:,}", f"{r.updated:,}", f"{r.unchanged:,}",
                      f"{f.rejected:,}")
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


# --- GNN: kg train gnn / kg eval gnn / kg predict / kg similar (torch imported only when run) -------------
train_app = typer.Typer(help="Train models and save dated checkpoints under $KG_HOME/models.", no_args_is_help=True)
eval_app = typer.Typer(help="Evaluate models against baselines on a held-out split.", no_args_is_help=True)
app.add_typer(train_app, name="train")
app.add_typer(eval_app, name="eval")


# Literature commands live in their own module; they attach to the groups above.
from kg_engine.cli import literature as cli_literature  # noqa: E402

cli_literature.register(app, train_app, eval_app)
from kg_engine.cli import clinical as cli_clinical  # noqa: E402

cli_clinical.register(app)


from kg_engine.cli import ask as cli_ask  # noqa: E402, F401  (kg ask, kg find, kg eval ask)
from kg_engine.cli import decision as cli_decision  # noqa: E402, F401  (kg treat, interactions, risk, evidence, sources)
from kg_engine.cli import diagnosis as cli_diagnosis  # noqa: E402, F401  (kg load hpo, kg diagnose, kg eval diagnosis)
from kg_engine.cli import predict as cli_predict  # noqa: E402, F401  (kg train gnn, kg eval gnn, kg predict, kg similar)
from kg_engine.cli import serve as cli_serve  # noqa: E402, F401  (kg serve, kg token)

if __name__ == "__main__":
    app()
