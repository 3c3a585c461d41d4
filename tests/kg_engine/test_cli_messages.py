"""Messages the CLI prints through Rich keep their square brackets (no markup): ``pip install 'kg-engine[ray]'``."""

from __future__ import annotations

import ast
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
import typer

import kg_engine
from kg_engine.cli import _app, _jobs, ask, decision, serve
from kg_engine.errors import ConfigError

CLI_DIR = Path(kg_engine.__file__).parent / "cli"


def _flat(text: str) -> str:
    """The printed text with Rich's line wrapping undone."""
    return " ".join(text.split())


def test_error_messages_print_literally(capsys: pytest.CaptureFixture[str]) -> None:
    @_app.reports_errors
    def needs_ray() -> None:
        raise ConfigError("--runner ray needs Ray: pip install 'kg-engine[ray]'")

    with pytest.raises(typer.Exit) as exited:
        needs_ray()
    assert exited.value.exit_code != 0
    assert "pip install 'kg-engine[ray]'" in capsys.readouterr().err


def test_both_consoles_print_literally(capsys: pytest.CaptureFixture[str]) -> None:
    _app.out.print("[bold]out[/] [ray]")
    _app.err.print("[bold]err[/] [api]")
    _app.note("needs [ray]")
    _app.error("no [model] at models/[1]")
    captured = capsys.readouterr()
    assert "[bold]out[/] [ray]" in captured.out
    assert "[bold]err[/] [api]" in captured.err
    assert "note: needs [ray]" in captured.err
    assert "error: no [model] at models/[1]" in captured.err


def test_tables_and_rows_print_literally(capsys: pytest.CaptureFixture[str]) -> None:
    import pandas as pd

    _app._print_rows(pd.DataFrame({"name": ["kg-engine[ray]"], "tags": [["[a]", "b"]]}), _app.OutputFormat.table)
    printed = capsys.readouterr().out
    assert "kg-engine[ray]" in printed and "[a], b" in printed


def test_job_messages_print_literally(capsys: pytest.CaptureFixture[str]) -> None:
    report = SimpleNamespace(dead_lettered=2, dead_lettered_earlier=1, deadletter=Path("dead/[run 1].jsonl"))
    _jobs.report_dead_letters(report)
    _jobs.status("loading [ner] model")
    printed = _flat(capsys.readouterr().err)
    assert "2 document(s) dead-lettered to dead/[run 1].jsonl" in printed
    assert "1 rejected document(s) already in dead/[run 1].jsonl" in printed
    assert "loading [ner] model" in printed


def test_answers_print_literally(capsys: pytest.CaptureFixture[str]) -> None:
    ask._print_record({"abstained": True, "reason": "no [Compound] named x"}, explain=False)
    decision._footer({"notes": ["see [1]"], "sources": [{"source": "sider", "licence": "CC [BY]"}],
                      "disclaimer": "research [output]"})  # fmt: skip
    captured = capsys.readouterr()
    out = _flat(captured.out)
    assert "abstained: no [Compound] named x" in out
    assert "sources: sider (CC [BY])" in out and "research [output]" in out
    assert "note: see [1]" in captured.err


def test_serve_names_the_api_extra(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "uvicorn", None)  # import uvicorn raises ImportError
    with pytest.raises(typer.Exit) as exited:
        serve.serve()
    assert exited.value.exit_code == 2
    assert "pip install 'kg-engine[api]'" in _flat(capsys.readouterr().err)


def test_no_cli_module_prints_markup() -> None:
    """Markup is off everywhere: no ``markup=True``, no ``rich.markup`` escaping, no ``[/]`` closing tags."""
    for path in sorted(CLI_DIR.glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.keyword) and node.arg == "markup":
                assert isinstance(node.value, ast.Constant) and node.value.value is False, f"{path.name}: markup="
            if isinstance(node, ast.ImportFrom):
                assert node.module != "rich.markup", f"{path.name} imports rich.markup"
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                assert "[/" not in node.value, f"{path.name}: markup tag in {node.value!r}"


def test_answer_notes_are_shown(capsys: pytest.CaptureFixture[str]) -> None:
    record = {"abstained": False, "grounded": [], "cypher": "MATCH (c:Compound) RETURN c", "params": {},
              "kind": "list", "answers": [{"curie": "DB00001", "name": "x"}],
              "notes": ["answers follow relations text-mined from abstracts (causes), not curated [1]"]}
    ask._print_record(record, explain=False)
    out = _flat(capsys.readouterr().out)
    assert "1 answer(s)" in out and "note: answers follow relations text-mined from abstracts (causes)" in out
    assert "not curated [1]" in out
