"""The ``kg`` command (Typer + Rich), one module per command group.

``_app`` holds the Typer apps and the helpers every group shares, ``_jobs`` the batch-job plumbing; each group
module imports only those (and non-CLI modules), never another group, and registers its commands on import.
The import order below is the order ``kg --help`` lists commands and groups in.
"""

from kg_engine.cli import (  # noqa: F401, I001  (each group registers its commands on import, in this order)
    store,  # kg init, kg load hetionet|indications, kg query, kg stats
    quickstart,  # kg quickstart
    literature,  # kg build-kb, kg extract, kg ingest literature, kg train ner|relations, kg eval ner|linking|...
    clinical,  # kg ingest notes, kg nlp assertion|eval-assertion
    ask,  # kg ask, kg find, kg eval ask
    decision,  # kg treat, kg interactions, kg risk, kg evidence, kg sources, kg load interactions|sider
    diagnosis,  # kg load hpo, kg diagnose, kg eval diagnosis
    fusion,  # kg train fusion
    predict,  # kg train gnn, kg eval gnn|repurposing, kg predict, kg similar
    serve,  # kg serve, kg token create|list|revoke
)
from kg_engine.cli._app import app

__all__ = ["app"]
