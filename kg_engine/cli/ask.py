"""``kg ask`` (natural-language questions), ``kg find`` (names -> CURIEs) and ``kg eval ask``.

Everything here runs read-only: questions compile to plans whose Cypher cannot write.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table
from rich.text import Text

from kg_engine.cli._app import HomeOption, _engine, app, err, eval_app, out, reports_errors
from kg_engine.errors import ConfigError

JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON.")]


@app.command("ask")
@reports_errors
def ask(
    question: Annotated[str | None, typer.Argument(help="The question, in plain English.")] = None,
    as_json: JsonOption = False,
    explain: Annotated[bool, typer.Option("--explain", help="Show the grounded entities and the plan.")] = False,
    batch: Annotated[Path | None, typer.Option("--batch", help="JSONL of {id, question}.")] = None,
    out_path: Annotated[Path | None, typer.Option("--out", help="Where --batch writes answers.")] = None,
    home: HomeOption = None,
) -> None:
    """Answer a question from the graph, showing the Cypher that ran (or why it abstained)."""
    if (question is None) == (batch is None):
        raise typer.BadParameter("give a QUESTION or --batch QUESTIONS.jsonl")
    with _engine(home, read_only=True) as kg:
        if batch is not None:
            _ask_batch(kg, batch, out_path)
            return
        record = kg.ask(question or "")
    if as_json:
        out.print_json(json.dumps(record, default=str))
        return
    _print_record(record, explain)


def _ask_batch(kg: Any, batch: Path, out_path: Path | None) -> None:
    questions = _read_jsonl(batch)
    sink = out_path.open("w", encoding="utf-8") if out_path else sys.stdout
    latencies = []
    try:
        for line in questions:
            started = time.perf_counter()
            record = kg.ask(line["question"])
            latencies.append((time.perf_counter() - started) * 1000)
            sink.write(json.dumps({"id": line.get("id"), **record}, default=str) + "\n")
    finally:
        if out_path:
            sink.close()
    latencies.sort()
    if latencies:
        err.print(f"{len(latencies)} questions, p50 {latencies[len(latencies) // 2]:.1f} ms", highlight=False)


def _print_record(record: dict[str, Any], explain: bool) -> None:
    if record["abstained"]:
        out.print(Text.assemble(("abstained:", "yellow"), " ", str(record.get("reason"))))
        return
    if explain:
        for ent in record.get("grounded", []):
            out.print(f"grounded {ent['name']} -> {ent['curie']} ({ent['category']}, {ent['how']})")
    out.print(record["cypher"], style="dim")
    out.print(f"params: {json.dumps(record['params'], default=str)}", style="dim")
    if record["kind"] == "count":
        out.print(f"count: {record['count']}")
    elif record["kind"] == "boolean":
        out.print("yes" if record["boolean"] else "no")
    elif record.get("predicted"):
        _print_predicted(record["answers"])
    else:
        table = Table("curie", "name")
        for answer in record["answers"]:
            table.add_row(answer["curie"], str(answer["name"]))
        out.print(table)
        out.print(f"{len(record['answers'])} answer(s)")
    for note in record.get("notes", []):  # e.g. answers that follow text-mined relations
        out.print(f"note: {note}", style="yellow")


def _print_predicted(answers: list[dict[str, Any]]) -> None:
    """Predicted answers: rank, score, known mark, the strongest supporting metapath, literature count."""
    table = Table("rank", "curie", "name", "score", "known", "top metapath (contribution)", "literature")
    for a in answers:
        path = a["metapaths"][0] if a.get("metapaths") else None
        table.add_row(
            str(a["rank"]),
            a["curie"],
            str(a["name"]),
            f"{a['score']:.3f}",
            "known" if a["known"] else "",
            f"{path['metapath']} ({path['contribution']:+.2f})" if path else "",
            str(len(a.get("evidence") or [])) or "",
        )
    out.print(table)
    novel = sum(not a["known"] for a in answers)
    out.print(f"{novel} prediction(s), {len(answers) - novel} known; --json shows every metapath and snippet")


@app.command("find")
@reports_errors
def find(
    text: Annotated[str, typer.Argument(help="A name, synonym, abbreviation or symbol.")],
    limit: Annotated[int, typer.Option("--limit")] = 10,
    as_json: JsonOption = False,
    home: HomeOption = None,
) -> None:
    """List the graph's entities a name may stand for: CURIE, name, category and how it matched."""
    with _engine(home, read_only=True) as kg:
        rows = kg.link(text, limit)
    if as_json:
        out.print_json(json.dumps(rows))
        return
    if not rows:
        out.print(f"no entity matches {text!r}")
        return
    table = Table("curie", "name", "category", "match")
    for row in rows:
        table.add_row(row["curie"], str(row["name"]), row["category"], row["how"])
    out.print(table)


@eval_app.command("ask")
@reports_errors
def eval_ask(
    gold: Annotated[Path, typer.Argument(help="Gold JSONL: id, question, kind, answers/count/boolean.")],
    as_json: JsonOption = False,
    answers_out: Annotated[Path | None, typer.Option("--answers", help="Also write the answers.")] = None,
    home: HomeOption = None,
) -> None:
    """Score kg ask on gold questions.

    List F1 and exact match per family, count and yes/no accuracy, abstention precision and recall, and
    latency (start-up excluded).
    """
    from kg_engine.query.evaluate import score_one, summarize

    lines = _read_jsonl(gold)
    rows, latencies, records = [], [], []
    with _engine(home, read_only=True) as kg:
        kg.asker()  # start-up (grounding index) is not part of any question's latency
        for line in lines:
            started = time.perf_counter()
            record = kg.ask(line["question"])
            latencies.append((time.perf_counter() - started) * 1000)
            rows.append(score_one(line, record))
            records.append({"id": line.get("id"), **record})
    if answers_out:
        answers_out.write_text("".join(json.dumps(r, default=str) + "\n" for r in records), encoding="utf-8")
    report = summarize(rows, latencies)
    if as_json:
        out.print_json(json.dumps(report))
        return
    table = Table("family", "n", "answered", "F1 / accuracy", "exact")
    for name, fam in report["families"].items():
        score = fam.get("f1", fam.get("accuracy"))
        table.add_row(
            name,
            str(fam["n"]),
            f"{fam['answered']:.2f}",
            "" if score is None else f"{score:.3f}",
            "" if fam.get("exact") is None else f"{fam['exact']:.3f}",
        )
    out.print(table)
    out.print(json.dumps({k: v for k, v in report.items() if k != "families"}))


def _read_jsonl(path: Path) -> list[dict[str, Any]]:
    if not path.is_file():
        raise ConfigError(f"{path} does not exist")
    lines = []
    for number, text in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if text.strip():
            try:
                lines.append(json.loads(text))
            except json.JSONDecodeError as exc:
                raise ConfigError(f"{path}:{number}: not JSON ({exc.msg})") from exc
    return lines
