"""The store commands: ``kg init``, ``kg load hetionet|indications``, ``kg query`` and ``kg stats``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from kg_engine.cli._app import (
    HomeOption,
    OutputFormat,
    _engine,
    _parse_params,
    _print_report,
    _print_rows,
    _with_progress,
    app,
    load_app,
    out,
    reports_errors,
)


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
