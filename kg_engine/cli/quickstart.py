"""``kg quickstart``: build a home where every command works, then run the examples once."""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table

from kg_engine.cli._app import (
    HomeOption,
    OutputFormat,
    _engine,
    _print_report,
    _print_rows,
    _with_progress,
    app,
    out,
    reports_errors,
)
from kg_engine.cli._jobs import job_progress, literature_nlp, literature_summary, ticker

if TYPE_CHECKING:
    from kg_engine.engine import Engine

QUICKSTART_QUESTIONS = (
    "Which drugs treat type 2 diabetes?",
    "How many genes does imatinib bind?",
    "Which drugs bind genes associated with Alzheimer's disease?",
)
QUICKSTART_PATIENT = "A 3-year-old boy with seizures, microcephaly and hypotonia; no hearing loss."
SAMPLE = Path("bc5cdr") / "CDR_DevelopmentSet.PubTator.txt"


@app.command()
@reports_errors
def quickstart(
    home: HomeOption = None,
    literature: Annotated[bool, typer.Option("--literature/--no-literature", help="Also ingest BC5CDR dev.")] = True,
) -> None:
    """Build a home where every command works: the graph, phenotypes, interactions, literature, examples."""
    started = time.perf_counter()
    steps: list[tuple[str, float]] = []

    def step(name: str, job: Callable[[], Any]) -> Any:
        begun = time.perf_counter()
        result = job()
        steps.append((name, time.perf_counter() - begun))
        return result

    with _engine(home) as kg:
        step("init", kg.init)
        for title, load in (
            ("Hetionet", kg.load_hetionet),
            ("indications", kg.load_indications),
            ("interactions", kg.load_interactions),
            ("SIDER", kg.load_sider),
            ("HPO", kg.load_hpo),
        ):
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
        markup=False,
        highlight=False,
    )


def ingest_sample(kg: Engine) -> None:
    """Ingest the BC5CDR development abstracts into ``kg`` (the quickstart's literature step)."""
    from kg_engine.literature import ingest_literature as run
    from kg_engine.load.deadletter import DeadLetter

    source = kg.settings.resolve_data_dir() / SAMPLE
    nlp = literature_nlp(kg.settings, None)
    with DeadLetter(kg.settings.deadletter_dir / "ingest-literature.jsonl") as dead, job_progress("abstracts") as bar:
        task = bar.add_task("ingest", total=500, rate="")
        report = run(nlp, kg.store, [source], dead, str(nlp.meta.get("version", "0")), 1, 100, ticker(bar, task))
    literature_summary(report, f"literature: {source.name}")


def _quickstart_examples(kg: Engine) -> None:
    """Run the templates, a few questions and a diagnosis once (this also builds their caches)."""
    from cypher.templates import list_templates, load_template

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
