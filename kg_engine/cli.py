"""The ``kg`` command (Typer + Rich). User mistakes print one line and a non-zero exit, no traceback."""

from __future__ import annotations

import functools
import json
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

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
            err.print(f"[bold red]error:[/] {exc}", highlight=False)
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


@app.command()
@reports_errors
def quickstart(
    home: HomeOption = None,
    literature: Annotated[bool, typer.Option("--literature/--no-literature", help="Also ingest BC5CDR dev.")] = True,
) -> None:
    """Load Hetionet and indications, ingest sample abstracts, and run the example queries."""
    from kg_engine.cli_literature import ingest_sample

    started = time.perf_counter()
    with _engine(home) as kg:
        kg.init()
        _print_report(_with_progress("Hetionet", lambda progress: kg.load_hetionet(None, progress)))
        _print_report(_with_progress("indications", lambda progress: kg.load_indications(None, progress)))
        if literature:
            ingest_sample(kg)
        for name in list_templates():
            template = load_template(name)
            out.rule(f"[bold]{name}[/]: {template.description}")
            out.print(f"[dim]{escape(template.cypher)}[/]\nparams: {escape(str(template.examples))}", highlight=False)
            _print_rows(kg.query(template.cypher, template.examples), OutputFormat.table)
        summary = kg.stats()
    out.print(
        f"[green]done[/] in {time.perf_counter() - started:.1f} s: {summary.node_total:,} nodes, "
        f"{summary.edge_total:,} edges in {kg.settings.store_path}"
    )


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
        err.print(f"[yellow]{report.rejected} rejected row(s) written to {report.deadletter}[/]")


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
TaskOption = Annotated[str, typer.Option("--task", help="treats | binds | associates")]
SeedOption = Annotated[int, typer.Option("--seed", help="Seed of the split, initialisation and sampling.")]
EpochsOption = Annotated[int, typer.Option("--epochs", help="Maximum epochs (early stopping on --monitor).")]
EncoderOption = Annotated[str, typer.Option("--encoder", help="sage | rgcn | hgt")]
NodeInputOption = Annotated[str | None, typer.Option(
    "--node-input", help="free | inductive | gated (default: free for random splits, gated for cold-disease).")]
MonitorOption = Annotated[str | None, typer.Option(
    "--monitor", help="Validation metric for early stopping (default: mrr for random, auroc for cold-disease).")]
TextOption = Annotated[bool | None, typer.Option(
    "--text/--no-text", help="Add MiniLM vectors of node names to the predicted types' inputs (cached under "
    "$KG_HOME/cache/gnn-text; default: per task and split, see config_for).")]


def _gnn_graph(kg: Engine, task: str, config: Any) -> Any:
    """The store's graph for the GNN, with name vectors of the task's two end types when ``config`` reads them."""
    from kg_engine.gnn.data import task_edge_type
    from kg_engine.gnn.text import attach_text

    graph = kg.store.to_pyg(split_qualifiers=True)
    if config.text_features:
        src, _, dst = task_edge_type(task)
        err.print("encoding node names with MiniLM (cached after the first run)", highlight=False)
        attach_text(graph, kg.store, {src, dst}, kg.settings.home / "cache" / "gnn-text")
    return graph


# Literature commands live in their own module; they attach to the groups above.
from kg_engine import cli_literature  # noqa: E402

cli_literature.register(app, train_app, eval_app)
from kg_engine import cli_clinical  # noqa: E402

cli_clinical.register(app)


@train_app.command("gnn")
@reports_errors
def train_gnn(task: TaskOption = "treats", epochs: EpochsOption = 200, seed: SeedOption = 0,
              encoder: EncoderOption = "sage", node_input: NodeInputOption = None, monitor: MonitorOption = None,
              text: TextOption = None, home: HomeOption = None) -> None:
    """Train the heterogeneous GNN link predictor for a task and save a checkpoint."""
    from kg_engine.gnn.jobs import train_and_save
    from kg_engine.gnn.train import config_for

    with _engine(home, read_only=True) as kg:
        config = config_for(task, "random", encoder=encoder, epochs=epochs, seed=seed, device=kg.settings.device,
                            node_input=node_input, monitor=monitor, text_features=text)
        graph = _gnn_graph(kg, task, config)
        path = train_and_save(kg.settings.home, graph, task, config, log=lambda m: err.print(m, highlight=False))
    out.print(f"saved checkpoint {path}")


@eval_app.command("gnn")
@reports_errors
def eval_gnn(task: TaskOption = "treats",
             split: Annotated[str, typer.Option("--split", help="random | cold-disease")] = "random",
             seed: SeedOption = 0, epochs: EpochsOption = 200, encoder: EncoderOption = "sage",
             node_input: NodeInputOption = None, monitor: MonitorOption = None, text: TextOption = None,
             pykeen: Annotated[bool, typer.Option(
                 "--pykeen/--no-pykeen", help="PyKEEN RotatE, TransE, ComplEx baselines (budget: KgeBudget).")] = True,
             as_json: Annotated[bool, typer.Option("--json")] = False, home: HomeOption = None) -> None:
    """Train the GNN and baselines on one split; report AUROC, AUPRC, MRR, Hits@1/10 on its test edges."""
    from kg_engine.gnn.baselines import PYKEEN_MODELS
    from kg_engine.gnn.jobs import evaluate_task
    from kg_engine.gnn.train import config_for

    with _engine(home, read_only=True) as kg:
        config = config_for(task, split, encoder=encoder, epochs=epochs, seed=seed, device=kg.settings.device,
                            node_input=node_input, monitor=monitor, text_features=text)
        graph = _gnn_graph(kg, task, config)
    report = evaluate_task(graph, task, split, config, PYKEEN_MODELS if pykeen else (),
                           log=lambda m: err.print(m, highlight=False))
    if as_json:
        sys.stdout.write(json.dumps(report) + "\n")
        return
    metrics = next(iter(report["models"].values())).keys()
    table = Table("model", *metrics, title=f"{task} / {split} / seed {seed}")
    for name, vals in report["models"].items():
        table.add_row(name, *[_cell(v if v is None else f"{v:.4f}") for v in vals.values()])
    out.print(table)


@app.command()
@reports_errors
def predict(task: Annotated[str, typer.Argument(help="treats | binds | associates")],
            disease: Annotated[str | None, typer.Option("--disease", help="Rank compounds for this disease.")] = None,
            compound: Annotated[str | None, typer.Option("--compound", help="Rank the other end for this compound.")]
            = None, top: Annotated[int, typer.Option("--top")] = 20, home: HomeOption = None) -> None:
    """Rank candidates with the newest GNN checkpoint of a task; known edges are marked."""
    from kg_engine.gnn.jobs import predict as rank
    from kg_engine.gnn.text import node_names

    curie = disease or compound
    if curie is None:
        raise typer.BadParameter("give --disease or --compound")
    with _engine(home, read_only=True) as kg:
        graph = kg.store.to_pyg(split_qualifiers=True)
        rows = rank(kg.settings.home, graph, task, curie, top,
                    names=lambda category, curies: node_names(kg.store, category, curies))
    _print_rows(rows, OutputFormat.table)


@app.command()
@reports_errors
def similar(curie: Annotated[str, typer.Argument(help="Node CURIE, e.g. DOID:9352.")],
            top: Annotated[int, typer.Option("--top")] = 10,
            task: Annotated[str | None, typer.Option("--task", help="Checkpoint task (default: newest).")] = None,
            home: HomeOption = None) -> None:
    """Nearest nodes of the same category by cosine similarity of the newest GNN embeddings."""
    from kg_engine.config import Settings
    from kg_engine.gnn import checkpoint

    settings = Settings.load(home=home)
    table = checkpoint.read_embeddings(checkpoint.latest(settings.home, task))
    _print_rows(checkpoint.similar(table, curie, top), OutputFormat.table)


from kg_engine import cli_diagnosis  # noqa: E402, F401  (kg load hpo, kg diagnose, kg eval diagnosis)
from kg_engine import cli_ask  # noqa: E402, F401  (kg ask, kg find, kg eval ask)
from kg_engine import cli_serve  # noqa: E402, F401  (kg serve, kg token)

from kg_engine import cli_decision  # noqa: E402, F401  (kg treat, kg interactions, kg risk, kg evidence, kg sources)

if __name__ == "__main__":
    app()
