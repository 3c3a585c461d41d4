"""Literature commands: build-kb, extract, ingest literature, train ner / relations, eval ner / linking / relations.

Also ``kg eval associations``; heavy imports (spaCy, the linker, the relation model) stay inside the commands.
"""

from __future__ import annotations

import json
import sys
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from kg_engine.cli._app import HomeOption, _engine, _settings, app, eval_app, ingest_app, out, reports_errors, train_app
from kg_engine.cli._jobs import (
    DEFAULT_BATCH,
    BatchSizeOption,
    JobOptions,
    RayAddressOption,
    RestartOption,
    ResumeOption,
    RunnerOption,
    check_sources,
    job_progress,
    literature_nlp,
    literature_summary,
    make_runner,
    open_checkpoint,
    status,
    ticker,
)
from kg_engine.errors import ConfigError

if TYPE_CHECKING:
    from kg_engine.config import Settings

Sources = Annotated[list[Path], typer.Argument(help="PubTator, BioC XML, PubMed XML files or .txt folders.")]
Workers = Annotated[int, typer.Option("--workers", "-w", min=1, help="Processes running the pipeline.")]
ModelOption = Annotated[Path | None, typer.Option("--model", help="NER model folder (default: the packaged one).")]
RelationModelOption = Annotated[
    Path | None, typer.Option("--relation-model", help="Relation model folder (default: the packaged one).")
]


def _identity(settings: Settings, options: JobOptions) -> str:
    """The pipeline's part of a literature job's identity: NER, knowledge-base and relation model versions."""
    from kg_engine.kb import kb_name
    from kg_engine.literature import model_identity

    return model_identity(options.model, options.relation_model, kb_name(settings))


@app.command("build-kb")
@reports_errors
def build_kb(home: HomeOption = None, rebuild: Annotated[bool, typer.Option("--rebuild")] = True) -> None:
    """Build (or rebuild) the linker's knowledge base from the vocabularies and cache it."""
    from kg_engine.kb import load_or_build

    load_or_build(_settings(home), status, rebuild=rebuild)


@app.command("extract")
@reports_errors
def extract(
    sources: Sources,
    output: Annotated[Path, typer.Option("--out", "-o", help="JSONL file, one line per document.")],
    workers: Workers = 1,
    model: ModelOption = None,
    home: HomeOption = None,
    runner: RunnerOption = "local",
    batch_size: BatchSizeOption = DEFAULT_BATCH,
    resume: ResumeOption = False,
    restart: RestartOption = False,
    ray_address: RayAddressOption = None,
    relation_model: RelationModelOption = None,
) -> None:
    """Extract linked mentions and relations from documents into JSONL (offsets over title + " " + abstract)."""
    from kg_engine.literature import run_extract
    from kg_engine.load.deadletter import DeadLetter

    check_sources(sources)
    options = JobOptions(runner, workers, batch_size, resume, restart, ray_address, model, relation_model).checked()
    settings = _settings(home)
    load_nlp = partial(literature_nlp, settings, model, relation_dir=relation_model)
    with (
        open_checkpoint(settings, "extract", sources, options, _identity(settings, options), output) as checkpoint,
        make_runner(settings, options, load_nlp) as job_runner,
        DeadLetter(settings.deadletter_dir / "extract.jsonl", checkpoint.resumed) as dead,
        job_progress("extract") as bar,
    ):
        task = bar.add_task("extract", total=None, rate="")
        report = run_extract(
            job_runner, sources, output, dead, checkpoint=checkpoint, batch_size=batch_size, tick=ticker(bar, task)
        )
    literature_summary(report, f"wrote {output}")


@ingest_app.command("literature")
@reports_errors
def ingest_literature(
    sources: Sources,
    workers: Workers = 1,
    model: ModelOption = None,
    home: HomeOption = None,
    batch_size: BatchSizeOption = DEFAULT_BATCH,
    runner: RunnerOption = "local",
    resume: ResumeOption = False,
    restart: RestartOption = False,
    ray_address: RayAddressOption = None,
    relation_model: RelationModelOption = None,
) -> None:
    """Extract mentions and relations and write them, with their evidence, into the graph.

    Every batch is committed to a checkpoint under KG_HOME/jobs once it is in the store; --resume
    continues an interrupted run where it stopped.
    """
    from kg_engine.literature import model_meta, run_ingest
    from kg_engine.load.deadletter import DeadLetter

    check_sources(sources)
    options = JobOptions(runner, workers, batch_size, resume, restart, ray_address, model, relation_model).checked()
    settings = _settings(home)
    version = str(model_meta(model).get("version", "0"))
    load_nlp = partial(literature_nlp, settings, model, relation_dir=relation_model)
    with (
        open_checkpoint(settings, "ingest-literature", sources, options, _identity(settings, options)) as checkpoint,
        make_runner(settings, options, load_nlp) as job_runner,
        _engine(home) as kg,
        DeadLetter(settings.deadletter_dir / "ingest-literature.jsonl", checkpoint.resumed) as dead,
        job_progress("ingest") as bar,
    ):
        kg.init()
        task = bar.add_task("ingest", total=None, rate="")
        report = run_ingest(
            job_runner,
            kg.store,
            sources,
            dead,
            version,
            checkpoint=checkpoint,
            batch_size=batch_size,
            tick=ticker(bar, task),
        )
    literature_summary(report, "ingested into the graph")


@train_app.command("ner")
@reports_errors
def train_ner(
    out_dir: Annotated[Path | None, typer.Option("--out", help="Where to write the assembled model.")] = None,
    seed: Annotated[int, typer.Option("--seed")] = 13,
    max_steps: Annotated[int | None, typer.Option("--max-steps", help="Cap training steps (smoke runs).")] = None,
    refit: Annotated[bool, typer.Option("--refit/--no-refit", help="Refit on train+dev after selection.")] = True,
    home: HomeOption = None,
) -> None:
    """Train the Chemical/Disease and Gene NER models on the corpora's train splits (selected on dev)."""
    from datetime import UTC, datetime

    from ingest.ner.train import train_all

    settings = _settings(home)
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    target = out_dir or settings.home / "models" / f"ner-{stamp}"
    path = train_all(
        settings.resolve_data_dir(), settings.home / "work" / f"ner-{stamp}", target, seed, status, max_steps, refit
    )
    out.print(f"model written to {path} (see MODEL_CARD.json); use it with --model {path}")


@eval_app.command("ner")
@reports_errors
def eval_ner(
    corpus: Annotated[Path, typer.Argument(help="Gold PubTator or BioC file.")],
    model: ModelOption = None,
    home: HomeOption = None,
    workers: Workers = 1,
) -> None:
    """Strict mention-level P/R/F1 per type, as JSON."""
    _evaluate(corpus, model, home, workers, linking=False)


@eval_app.command("linking")
@reports_errors
def eval_linking(
    corpus: Annotated[Path, typer.Argument(help="Gold PubTator or BioC file with MeSH ids.")],
    model: ModelOption = None,
    home: HomeOption = None,
    workers: Workers = 1,
) -> None:
    """Document-level concept-id P/R/F1 per type (BioCreative V DNER convention), as JSON."""
    _evaluate(corpus, model, home, workers, linking=True)


def _evaluate(corpus: Path, model: Path | None, home: Path | None, workers: int, linking: bool) -> None:
    import time

    from ingest.evaluate import concept_scores, gold_types, mention_scores
    from ingest.pipeline import Extractor
    from ingest.readers import raise_errors, read_any

    check_sources([corpus])
    settings = _settings(home)
    nlp = literature_nlp(settings, model)
    documents = list(read_any(corpus, raise_errors))
    started = time.perf_counter()
    extractions = list(Extractor(nlp, n_process=workers).extract(documents))
    seconds = time.perf_counter() - started
    types = [t for t in gold_types(extractions) if t in {"Chemical", "Disease", "Gene"}]
    scores = concept_scores(extractions, types) if linking else mention_scores(extractions, types)
    result = {
        "corpus": str(corpus),
        "documents": len(documents),
        "level": "document-concept" if linking else "mention-strict",
        "scores": scores,
        "docs_per_second": round(len(documents) / seconds, 2),
        "model": str(nlp.meta.get("name")) + "-" + str(nlp.meta.get("version")),
    }
    sys.stdout.write(json.dumps(result, indent=2) + "\n")


@train_app.command("relations")
@reports_errors
def train_relations(
    out_dir: Annotated[Path | None, typer.Option("--out", help="Where to write the model.")] = None,
    ner_model: Annotated[
        Path | None,
        typer.Option(
            "--ner-model",
            help="NER model making the candidates; for honest dev scores one trained on train only "
            "(`kg train ner --no-refit`); default: the packaged one.",
        ),
    ] = None,
    mentions: Annotated[str, typer.Option("--mentions", help="Train on 'predicted' or 'gold' mentions.")] = "predicted",
    refit: Annotated[bool, typer.Option("--refit/--no-refit", help="Refit on train+dev after selection.")] = True,
    home: HomeOption = None,
) -> None:
    """Train the chemical-induces-disease model on BC5CDR train; select C and threshold by end-to-end dev F1."""
    from datetime import UTC, datetime

    from kg_engine.relation_jobs import train_relations as run

    if mentions not in {"predicted", "gold"}:
        raise ConfigError(f"--mentions must be 'predicted' or 'gold', not {mentions!r}")
    settings = _settings(home)
    target = out_dir or settings.home / "models" / f"relations-{datetime.now(UTC).strftime('%Y%m%d-%H%M%S')}"
    nlp = literature_nlp(settings, ner_model, relations=False)
    path = run(settings, nlp, target, mentions, refit, str(ner_model or "packaged"), status)  # type: ignore[arg-type]
    card = json.loads((path / "MODEL_CARD.json").read_text())
    folded = card["dev_cross_validated"]
    out.print(
        f"model written to {path}; dev CID F1 {card['dev_scores']['f1']} (P {card['dev_scores']['precision']}, "
        f"R {card['dev_scores']['recall']}); 5-fold with train, current MeSH ids "
        f"{folded['current_mesh']['f1']}, as annotated {folded['as_annotated']['f1']}; "
        f"use it with --relation-model {path}"
    )


@eval_app.command("relations")
@reports_errors
def eval_relations(
    corpus: Annotated[Path, typer.Argument(help="Gold PubTator or BioC file with CID relations.")],
    model: ModelOption = None,
    relation_model: RelationModelOption = None,
    home: HomeOption = None,
    workers: Workers = 1,
) -> None:
    """Document-level chemical-induces-disease P/R/F1, end to end (predicted mentions and ids), as JSON."""
    from kg_engine.relation_jobs import evaluate_relations

    check_sources([corpus])
    nlp = literature_nlp(_settings(home), model, relation_dir=relation_model)
    result = evaluate_relations(nlp, corpus, workers)
    sys.stdout.write(json.dumps(result, indent=2) + "\n")


@eval_app.command("associations")
@reports_errors
def eval_associations(
    sources: Sources,
    model: ModelOption = None,
    relation_model: RelationModelOption = None,
    home: HomeOption = None,
    workers: Workers = 1,
) -> None:
    """Agreement of text-mined treats / gene-disease / chemical-gene pairs with PharmacotherapyDB and Hetionet."""
    from ingest.pipeline import Extractor
    from kg_engine.association_eval import evaluate, references
    from kg_engine.literature import read_sources
    from kg_engine.load.deadletter import DeadLetter

    check_sources(sources)
    settings = _settings(home)
    nlp = literature_nlp(settings, model, relation_dir=relation_model)
    with DeadLetter(settings.deadletter_dir / "eval-associations.jsonl") as dead:
        extractions = list(Extractor(nlp, n_process=workers).extract(read_sources(sources, dead)))
    result = {
        "sources": [str(s) for s in sources],
        "documents": len(extractions),
        **evaluate(extractions, references(settings.resolve_data_dir())),
    }
    sys.stdout.write(json.dumps(result, indent=2) + "\n")
