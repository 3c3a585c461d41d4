"""Decision-support commands: ``kg treat``, ``kg interactions``, ``kg risk``, ``kg evidence``, ``kg sources``.

Also the loaders ``kg load interactions`` / ``kg load sider``.

Registered by ``kg_engine.cli``; heavy imports (pandas, torch, scipy) stay inside the commands.
Every answer lists its sources and says it is research output, not clinical advice; bad input (an unknown
drug, an empty gene list) is a one-line error with a non-zero exit.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table
from rich.text import Text

from kg_engine.cli._app import (
    HomeOption,
    _engine,
    _print_report,
    _with_progress,
    app,
    load_app,
    note,
    out,
    reports_errors,
)

JsonOption = Annotated[bool, typer.Option("--json", help="Print the answer as JSON.")]


@load_app.command("interactions")
@reports_errors
def load_interactions(
    path: Annotated[Path | None, typer.Argument(help="ChCh-Miner DDI TSV (Drug1<TAB>Drug2).")] = None,
    home: HomeOption = None,
) -> None:
    """Load drug-drug interactions as Compound-interacts_with-Compound edges, one per pair (idempotent)."""
    with _engine(home) as kg:
        kg.init()
        report = _with_progress("interactions", lambda progress: kg.load_interactions(path, progress))
    _print_report(report)


@load_app.command("sider")
@reports_errors
def load_sider(
    path: Annotated[
        Path | None, typer.Argument(help="Folder with meddra_freq.tsv.gz and drugbank_pubchem.tsv.")
    ] = None,
    home: HomeOption = None,
) -> None:
    """Join SIDER 4.1 side-effect frequencies onto the stored side-effect edges (idempotent; CC BY-NC-SA 4.0)."""
    with _engine(home) as kg:
        kg.init()
        report = _with_progress("SIDER", lambda progress: kg.load_sider(path, progress))
    _print_report(report)


@app.command()
@reports_errors
def treat(
    disease: Annotated[str, typer.Argument(help="Disease name or CURIE, e.g. 'type 2 diabetes' or DOID:9352.")],
    current_drugs: Annotated[
        str | None, typer.Option("--current-drugs", help="Drugs taken now, comma-separated.")
    ] = None,
    avoid_class: Annotated[
        str | None, typer.Option("--avoid-class", help="Leave out this pharmacologic class.")
    ] = None,
    top: Annotated[int, typer.Option("--top", help="At most this many options of each kind.")] = 10,
    as_json: JsonOption = False,
    home: HomeOption = None,
) -> None:
    """Treatment options: curated disease-modifying, symptomatic, then predicted; with side effects and warnings."""
    from kg_engine.decision.common import split_list

    with _engine(home, read_only=True) as kg:
        answer = kg.treat(disease, split_list(current_drugs), avoid_class, top)
    if as_json:
        return _json(answer)
    d = answer["disease"]
    out.rule(Text.assemble((f"treatment options for {d['name']}", "bold"), f" ({d['curie']})"))
    kind = None
    for i, o in enumerate(answer["treatments"], start=1):
        if o["kind"] != kind:
            kind = o["kind"]
            out.print(f"{kind}{' (predicted by the treats ranker)' if o['predicted'] else ''}", style="bold underline")
        classes = ", ".join(c["name"] for c in o["pharmacologic_classes"][:3])
        score = f" score {o['score']:.3f}" if o["score"] is not None else ""
        out.print(
            Text.assemble(
                f"{i:>3}. ", (o["name"], "bold"), f" ({o['curie']}){score}", (f" {classes}" if classes else "", "dim")
            ),
            highlight=False,
        )
        effects = ", ".join(f"{e['name']}{_freq(e)}" for e in o["side_effects"][:6])
        if effects:
            out.print(f"     side effects ({o['side_effect_count']}, most frequent first): {effects}", highlight=False)
        for x in o["interactions_with_current_drugs"]:
            out.print(
                Text.assemble("     ", (f"interacts with {x['name']}", "red"), f" ({', '.join(x['sources'])})"),
                highlight=False,
            )
        for path in o.get("paths", []):
            out.print(f"     path: {path}", style="dim", highlight=False)
    if answer["non_indications"]:
        names = ", ".join(n["name"] for n in answer["non_indications"])
        out.print(Text.assemble(("not indicated for this disease:", "bold"), " ", names))
    if answer["excluded"]:
        left_out = ", ".join(f"{x['name']} ({x['reason']})" for x in answer["excluded"])
        out.print(Text.assemble(("left out:", "bold"), " ", left_out))
    _footer(answer)


@app.command()
@reports_errors
def interactions(
    drugs: Annotated[list[str], typer.Argument(help="Two or more drug names or DrugBank CURIEs.")],
    as_json: JsonOption = False,
    home: HomeOption = None,
) -> None:
    """Check every pair of drugs: known interaction and source, shared targets and pathways, predicted score."""
    from kg_engine.decision.common import split_list

    with _engine(home, read_only=True) as kg:
        answer = kg.interactions(split_list(drugs))
    if as_json:
        return _json(answer)
    for p in answer["pairs"]:
        a, b = p["drugs"]
        out.print(
            Text.assemble((a["name"], "bold"), f" ({a['curie']}) + ", (b["name"], "bold"), f" ({b['curie']})"),
            highlight=False,
        )
        if p["known_interaction"]:
            srcs = ", ".join(p["interaction_sources"])
            out.print(Text.assemble("  ", ("known interaction", "red"), f" (source: {srcs})"), highlight=False)
        else:
            out.print("  no known interaction in the loaded sources", highlight=False)
        targets = ", ".join(t["name"] for t in p["shared_targets"][:8])
        out.print(f"  shared targets ({len(p['shared_targets'])}): {targets or '-'}", highlight=False)
        pathways = "; ".join(x["name"] for x in p["shared_pathways"][:4])
        out.print(f"  shared pathways ({p['shared_pathway_count']}): {pathways or '-'}", highlight=False)
        if p["predicted"]:
            pred = p["predicted"]
            out.print(
                f"  predicted interaction: probability {pred['probability']:.2f}, percentile "
                f"{pred['percentile']:.2f} ({pred['model']})",
                highlight=False,
            )
    _footer(answer)


@app.command()
@reports_errors
def risk(
    genes: Annotated[str, typer.Option("--genes", help="Gene symbols or NCBIGene CURIEs, comma-separated.")] = "",
    top: Annotated[int, typer.Option("--top")] = 20,
    as_json: JsonOption = False,
    home: HomeOption = None,
) -> None:
    """Diseases associated with a gene set (hypergeometric enrichment, BH q values): association, not risk."""
    from kg_engine.decision.common import split_list

    with _engine(home, read_only=True) as kg:
        answer = kg.risk(split_list(genes), top)
    if as_json:
        return _json(answer)
    table = Table("#", "disease", "genes", "overlap / disease genes", "p", "q", "publications")
    for d in answer["diseases"]:
        table.add_row(
            str(d["rank"]),
            f"{d['name']} ({d['curie']})",
            ", ".join(d["genes"]),
            f"{d['overlap']} / {d['disease_genes']}",
            f"{d['p']:.2e}",
            f"{d['q']:.2e}",
            str(d["literature"]["publications"]),
        )
    out.print(table)
    _footer(answer)


@app.command()
@reports_errors
def evidence(
    query: Annotated[str, typer.Argument(help="Entities to look up, e.g. 'doxorubicin cardiotoxicity'.")],
    top: Annotated[int, typer.Option("--top")] = 10,
    as_json: JsonOption = False,
    home: HomeOption = None,
) -> None:
    """Literature sentences and relations for the entities a query names, ranked by MiniLM relevance."""
    with _engine(home, read_only=True) as kg:
        answer = kg.evidence(query, top)
    if as_json:
        return _json(answer)
    grounded = "; ".join(
        f"{e['text']} -> " + ", ".join(f"{m['name']} ({m['curie']})" for m in e["matches"][:2])
        for e in answer["entities"]
    )
    out.print(Text.assemble(("entities:", "bold"), " ", grounded), highlight=False)
    table = Table("#", "PMID", "sentence", "relevance", "relations (extractor score)")
    for s in answer["sentences"]:
        rel = "; ".join(f"{r['subject']} {r['predicate']} {r['object']} ({_score(r['score'])})" for r in s["relations"])
        table.add_row(str(s["rank"]), s["pmid"], s["snippet"], f"{s['relevance']:.3f}", rel)
    out.print(table)
    _footer(answer)


@app.command()
@reports_errors
def sources() -> None:
    """The structured sources the engine loads, their licences, and what is known to be partial."""
    from ontologies import load_schema

    table = Table("source", "name", "licence", "partial")
    schema = load_schema()
    for key, spec in schema.sources.items():
        partial = "; ".join(f"{' '.join(k)}: {v}" for k, v in schema.partial_edges(key).items())
        table.add_row(key, str(spec.get("name", "")), str(spec.get("licence", "")), partial)
    out.print(table)


def _freq(effect: dict[str, Any]) -> str:
    return f" ({effect['frequency'].split('; ')[0]})" if effect.get("frequency") else ""


def _score(value: Any) -> str:
    return "-" if value is None else f"{float(value):.2f}"


def _json(answer: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(answer, default=str) + "\n")


def _footer(answer: dict[str, Any]) -> None:
    for message in answer["notes"]:
        note(message)
    srcs = ", ".join(f"{s['source']} ({s['licence'] or 'licence unknown'})" for s in answer["sources"])
    out.print(f"sources: {srcs or 'none'}", style="dim", highlight=False)
    out.print(answer["disclaimer"], style="bold yellow", highlight=False)
