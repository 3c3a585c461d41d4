"""GNN commands: ``kg train gnn``, ``kg eval gnn``, ``kg eval repurposing``, ``kg predict``, ``kg similar``.

torch and the GNN modules load only inside the commands, so ``kg --help`` stays fast.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table

from kg_engine.cli._app import (
    HomeOption,
    OutputFormat,
    _cell,
    _engine,
    _print_rows,
    app,
    err,
    eval_app,
    out,
    reports_errors,
    train_app,
)

if TYPE_CHECKING:
    from kg_engine.engine import Engine

TaskOption = Annotated[str, typer.Option("--task", help="treats | binds | associates")]
SeedOption = Annotated[int, typer.Option("--seed", help="Seed of the split, initialisation and sampling.")]
EpochsOption = Annotated[int, typer.Option("--epochs", help="Maximum epochs (early stopping on --monitor).")]
EncoderOption = Annotated[str, typer.Option("--encoder", help="sage | rgcn | hgt")]
NodeInputOption = Annotated[
    str | None,
    typer.Option(
        "--node-input", help="free | inductive | gated (default: free for random splits, gated for cold-disease)."
    ),
]
MonitorOption = Annotated[
    str | None,
    typer.Option(
        "--monitor", help="Validation metric for early stopping (default: mrr for random, auroc for cold-disease)."
    ),
]
TextOption = Annotated[
    bool | None,
    typer.Option(
        "--text/--no-text",
        help="Add MiniLM vectors of node names to the predicted types' inputs (cached under "
        "$KG_HOME/cache/gnn-text; default: per task and split, see config_for).",
    ),
]
PathsOption = Annotated[
    bool | None,
    typer.Option("--paths/--no-paths", help="Metapath (DWPC) features of candidate pairs (default: on for treats)."),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON.")]


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


def _log(message: str) -> None:
    err.print(message, highlight=False)


@train_app.command("gnn")
@reports_errors
def train_gnn(
    task: TaskOption = "treats",
    epochs: EpochsOption = 200,
    seed: SeedOption = 0,
    encoder: EncoderOption = "sage",
    node_input: NodeInputOption = None,
    monitor: MonitorOption = None,
    text: TextOption = None,
    paths: PathsOption = None,
    home: HomeOption = None,
) -> None:
    """Train the heterogeneous GNN link predictor for a task and save a checkpoint."""
    from kg_engine.gnn.jobs import task_name, train_and_save
    from kg_engine.gnn.train import config_for

    with _engine(home, read_only=True) as kg:
        config = config_for(
            task_name(task),
            "random",
            encoder=encoder,
            epochs=epochs,
            seed=seed,
            device=kg.settings.device,
            node_input=node_input,
            monitor=monitor,
            text_features=text,
            path_features=paths,
        )
        graph = _gnn_graph(kg, task, config)
        path = train_and_save(kg.settings.home, graph, task, config, log=_log)
    out.print(f"saved checkpoint {path}")


@eval_app.command("gnn")
@reports_errors
def eval_gnn(
    task: TaskOption = "treats",
    split: Annotated[str, typer.Option("--split", help="random | cold-disease")] = "random",
    seed: SeedOption = 0,
    epochs: EpochsOption = 200,
    encoder: EncoderOption = "sage",
    node_input: NodeInputOption = None,
    monitor: MonitorOption = None,
    text: TextOption = None,
    paths: PathsOption = None,
    pykeen: Annotated[
        bool, typer.Option("--pykeen/--no-pykeen", help="PyKEEN RotatE, TransE, ComplEx baselines (budget: KgeBudget).")
    ] = True,
    as_json: JsonOption = False,
    home: HomeOption = None,
) -> None:
    """Train the GNN and baselines on one split; report AUROC, AUPRC, MRR, Hits@1/10 on its test edges."""
    from kg_engine.gnn.baselines import PYKEEN_MODELS
    from kg_engine.gnn.jobs import evaluate_task, task_name
    from kg_engine.gnn.train import config_for

    with _engine(home, read_only=True) as kg:
        config = config_for(
            task_name(task),
            split,
            encoder=encoder,
            epochs=epochs,
            seed=seed,
            device=kg.settings.device,
            node_input=node_input,
            monitor=monitor,
            text_features=text,
            path_features=paths,
        )
        graph = _gnn_graph(kg, task, config)
    report = evaluate_task(graph, task, split, config, PYKEEN_MODELS if pykeen else (), log=_log)
    if as_json:
        sys.stdout.write(json.dumps(report) + "\n")
        return
    metrics = next(iter(report["models"].values())).keys()
    table = Table("model", *metrics, title=f"{task} / {split} / seed {seed}")
    for name, vals in report["models"].items():
        table.add_row(name, *[_cell(v if v is None else f"{v:.4f}") for v in vals.values()])
    out.print(table)


@eval_app.command("repurposing")
@reports_errors
def eval_repurposing(
    pairs: Annotated[Path, typer.Argument(help="TSV with columns compound, disease (DrugBank/DOID ids or CURIEs).")],
    as_json: JsonOption = False,
    home: HomeOption = None,
) -> None:
    """AUROC / AUPRC of external pairs against every other unlinked pair: the treats ranker and the degree prior."""
    from kg_engine.gnn.repurposing import evaluate_pairs, pair_scores, read_pairs

    wanted = read_pairs(pairs)
    with _engine(home, read_only=True) as kg:
        graph = kg.store.to_pyg(split_qualifiers=True)
        report = evaluate_pairs(pair_scores(kg.settings.home, graph), wanted)
    if as_json:
        sys.stdout.write(json.dumps(report) + "\n")
        return
    table = Table(
        "model", "AUROC", "AUPRC", title=f"{report['evaluated']} pairs against {report['negatives']:,} unlinked pairs"
    )
    for name, vals in report["models"].items():
        table.add_row(name, f"{vals['auroc']:.4f}", f"{vals['auprc']:.4f}")
    out.print(table)
    if report["known_in_graph"] or report["not_in_graph"]:
        out.print(
            f"left out: {report['known_in_graph']} already linked by treats, {report['not_in_graph']} with "
            "a compound or disease outside the candidates",
            highlight=False,
        )


@app.command()
@reports_errors
def predict(
    task: Annotated[str, typer.Argument(help="treats | binds | associates")],
    disease: Annotated[str | None, typer.Option("--disease", help="Rank compounds for this disease.")] = None,
    compound: Annotated[str | None, typer.Option("--compound", help="Rank the other end for this compound.")] = None,
    top: Annotated[int, typer.Option("--top", min=1, help="Rows to print at most.")] = 20,
    known: Annotated[bool, typer.Option("--known", help="Rank known partners too (marked known).")] = False,
    all_pairs: Annotated[bool, typer.Option("--all", help="Score every compound–disease pair (treats).")] = False,
    out_path: Annotated[Path | None, typer.Option("--out", help="Where --all writes its TSV.")] = None,
    home: HomeOption = None,
) -> None:
    """Rank candidates with the newest GNN checkpoint of a task (known partners counted, or marked with --known)."""
    from kg_engine.gnn.jobs import predict as rank
    from kg_engine.gnn.jobs import task_name
    from kg_engine.gnn.text import node_names

    task_name(task)
    if all_pairs:
        _predict_all(task, out_path, home)
        return
    curie = disease or compound
    if curie is None:
        raise typer.BadParameter("give --disease or --compound (or --all --out SCORES.tsv)")
    with _engine(home, read_only=True) as kg:
        graph = kg.store.to_pyg(split_qualifiers=True)
        rows, n_known = rank(
            kg.settings.home,
            graph,
            task,
            curie,
            top,
            names=lambda category, curies: node_names(kg.store, category, curies),
            include_known=known,
        )
    _print_rows(rows, OutputFormat.table)
    if n_known and not known:
        out.print(f"{n_known} known partner(s) not listed (--known ranks them with the rest)", highlight=False)


def _predict_all(task: str, out_path: Path | None, home: Path | None) -> None:
    from kg_engine.gnn.repurposing import pair_scores, score_table

    if task != "treats":
        raise typer.BadParameter("--all scores compound–disease pairs: use it with the treats task")
    if out_path is None:
        raise typer.BadParameter("--all needs --out SCORES.tsv")
    with _engine(home, read_only=True) as kg:
        graph = kg.store.to_pyg(split_qualifiers=True)
        table = score_table(pair_scores(kg.settings.home, graph))
    table.to_csv(out_path, sep="\t", index=False)
    out.print(f"wrote {len(table):,} pairs ({int(table['known'].sum()):,} known) to {out_path}")


@app.command()
@reports_errors
def similar(
    curie: Annotated[str, typer.Argument(help="Node CURIE, e.g. DOID:9352 (find one: kg find NAME).")],
    top: Annotated[int, typer.Option("--top", min=1)] = 10,
    task: Annotated[str | None, typer.Option("--task", help="Checkpoint task (default: newest).")] = None,
    home: HomeOption = None,
) -> None:
    """Nearest nodes of the same category by cosine similarity of the newest GNN embeddings, with names."""
    from kg_engine.gnn import checkpoint
    from kg_engine.gnn.jobs import task_name
    from kg_engine.gnn.text import node_names

    with _engine(home, read_only=True) as kg:
        path = checkpoint.latest(kg.settings.home, task and task_name(task))
        if (path / "embeddings.parquet").is_file():
            table = checkpoint.read_embeddings(path)
        else:  # the shipped checkpoint: embed the store's graph
            graph = kg.store.to_pyg(split_qualifiers=True)
            z = checkpoint.embed(checkpoint.load(path, graph).model, graph)
            table = checkpoint.embedding_frame(z, {nt: list(graph[nt].curie) for nt in z})
        rows = checkpoint.similar(table, curie, top)
        if len(rows):
            rows.insert(1, "name", node_names(kg.store, str(rows["category"].iloc[0]), rows["curie"].tolist()))
    _print_rows(rows, OutputFormat.table)
