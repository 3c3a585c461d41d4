"""``kg train fusion``: train the text–graph fusion re-ranker that ``kg diagnose`` uses.

Heavy imports (torch, transformers, the ranker) stay inside the command.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from kg_engine.cli._app import HomeOption, _diagnoser, err, out, reports_errors, train_app


@train_app.command("fusion")
@reports_errors
def train_fusion_command(
    task: Annotated[str, typer.Option("--task", help="Question kind: diagnosis.")] = "diagnosis",
    seed: Annotated[int, typer.Option("--seed")] = 0,
    epochs: Annotated[int, typer.Option("--epochs")] = 6,
    simulated: Annotated[int, typer.Option("--simulated", help="Simulated training patients.")] = 5000,
    top: Annotated[int, typer.Option("--top", help="Candidates per case from the LR ranker.")] = 60,
    resnik_top: Annotated[
        int, typer.Option("--resnik-top", help="Candidates per case from the Resnik ranker, besides.")
    ] = 40,
    series_top: Annotated[
        int,
        typer.Option("--series-top", help="Add the predicted-profile series members of the LR top N candidates."),
    ] = 0,
    dev: Annotated[
        Path | None,
        typer.Option(
            "--dev", help="Real dev phenopackets (selection half used); default: <data dir>/phenopackets/dev."
        ),
    ] = None,
    device: Annotated[str, typer.Option("--device", help="auto | cpu | cuda")] = "auto",
    workers: Annotated[int, typer.Option("--workers", help="Processes for candidate generation.")] = 2,
    ship: Annotated[
        bool,
        typer.Option(
            "--ship",
            help="Also write the model into the package (kg_engine/fusion/models/<task>/) with a MODEL_CARD.json.",
        ),
    ] = False,
    home: HomeOption = None,
) -> None:
    """Train the fusion re-ranker on simulated patients; select epochs on the dev selection half (seeded)."""
    from kg_engine.diagnosis.service import DISCLAIMER
    from kg_engine.fusion.checkpoint import SHIPPED_DIR, new_checkpoint_dir, save_bundle
    from kg_engine.fusion.simulate import read_synonyms
    from kg_engine.fusion.text import PhraseCache
    from kg_engine.fusion.train import TrainSettings, train_fusion
    from kg_engine.load.hpo import HpoRelease

    if task != "diagnosis":
        raise typer.BadParameter(f"unknown task {task!r}; the fusion model answers: diagnosis")
    diagnoser, settings = _diagnoser(home)
    dev = dev or settings.resolve_data_dir() / "phenopackets" / "dev"
    config = TrainSettings(seed=seed, epochs=epochs, simulated=simulated, top=top, resnik_top=resnik_top,
                           series_top=series_top, device=device, workers=workers)
    synonyms = read_synonyms(HpoRelease.find().obo)
    models, meta = train_fusion(
        diagnoser,
        dev,
        synonyms,
        PhraseCache(config.device),
        config,
        lambda line: err.print(line, highlight=False),
        settings.home / "cache" / "fusion",
    )
    meta["data"] = {"dev": str(dev), "hpo": diagnoser.kb.version, "simulated": simulated}
    path = save_bundle(new_checkpoint_dir(settings.home, task), models, meta)
    err.print(f"checkpoint -> {path}", highlight=False)
    if ship:
        target = save_bundle(SHIPPED_DIR / task, models, meta)
        card = {
            "task": task,
            "command": f"kg train fusion --task {task} --seed {seed} --epochs {epochs} --simulated {simulated} "
            f"--top {top} --resnik-top {resnik_top} --series-top {series_top} --ship",
            "data": meta["data"],
            "seed": seed,
            "fingerprint": meta["fingerprint"],
            "selection_half": meta["selection_half"],
            "settings": meta["settings"],
            "size_bytes": (target / "model.pt").stat().st_size,
            **{key: meta[key] for key in ("default_ranker", "default_variant", "default_reason")},
            "disclaimer": DISCLAIMER,
            "note": "dev figures on the report half and overall: `kg eval diagnosis <dev> --json`",
        }
        (target / "MODEL_CARD.json").write_text(json.dumps(card, indent=2), encoding="utf-8")
        err.print(f"shipped -> {target}", highlight=False)
    out.print_json(
        json.dumps({"checkpoint": str(path), "selection_half": meta["selection_half"], "seconds": meta["seconds"]})
    )
