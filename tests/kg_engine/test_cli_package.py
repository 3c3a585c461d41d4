"""The ``kg_engine.cli`` package: group modules never import each other, and every command is still there."""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

import kg_engine
from kg_engine.cli import app

CLI_DIR = Path(kg_engine.__file__).parent / "cli"
ROOT = CLI_DIR.parent.parent
PACKAGE = "kg_engine.cli"
# Shared modules: no commands of their own; the groups import them. ``_jobs`` may import ``_app``, not the reverse.
SHARED = {"_app": set(), "_jobs": {"_app"}}
ENTRY = {"__init__", "__main__"}

# ``kg --help`` and the help of each group, as of the split into a package (issue 15).
EXPECTED: dict[str, dict[str, None] | None] = {
    **dict.fromkeys(
        [
            "init", "query", "stats", "quickstart", "build-kb", "extract", "ask", "find", "treat", "interactions",
            "risk", "evidence", "sources", "diagnose", "predict", "similar", "serve",
        ]
    ),
    "load": dict.fromkeys(["hetionet", "indications", "interactions", "sider", "hpo"]),
    "train": dict.fromkeys(["ner", "relations", "fusion", "gnn"]),
    "eval": dict.fromkeys(
        ["ner", "linking", "relations", "associations", "ask", "diagnosis", "gnn", "repurposing"]
    ),
    "ingest": dict.fromkeys(["literature", "notes"]),
    "nlp": dict.fromkeys(["assertion", "eval-assertion"]),
    "token": dict.fromkeys(["create", "list", "revoke"]),
}  # fmt: skip


def _modules() -> dict[str, Path]:
    return {path.stem: path for path in sorted(CLI_DIR.glob("*.py"))}


def _imported(path: Path) -> list[str]:
    """Every module name an import statement in ``path`` names (``from a import b`` names ``a`` and ``a.b``)."""
    package = list(path.relative_to(ROOT).with_suffix("").parts[:-1])
    names: list[str] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            module = ".".join([*base, *([node.module] if node.module else [])])
            names += [module, *(f"{module}.{alias.name}" for alias in node.names)]
    return names


def _cli_imports(path: Path) -> set[str]:
    """The ``kg_engine.cli`` modules ``path`` imports, anywhere in it (``""``: the package itself)."""
    modules = _modules()
    found: set[str] = set()
    for name in _imported(path):
        if name == PACKAGE:
            found.add("")
        elif name.startswith(f"{PACKAGE}."):
            first = name.removeprefix(f"{PACKAGE}.").split(".")[0]
            if first in modules:
                found.add(first)
    return found


def test_the_package_has_shared_and_group_modules() -> None:
    modules = _modules()
    assert set(SHARED) <= set(modules)
    assert {"store", "ask", "diagnosis", "predict", "serve"} <= set(modules)
    assert not list(CLI_DIR.parent.glob("cli_*.py")), "the CLI modules live in kg_engine/cli/"


def test_group_modules_import_only_shared_modules() -> None:
    groups = set(_modules()) - set(SHARED) - ENTRY
    for name in sorted(groups):
        imported = _cli_imports(_modules()[name])
        assert "" not in imported, f"{name}.py imports the kg_engine.cli package (a cycle through __init__)"
        assert imported <= set(SHARED), f"{name}.py imports other command groups: {sorted(imported - set(SHARED))}"


def test_shared_modules_import_no_group() -> None:
    for name, allowed in SHARED.items():
        imported = _cli_imports(_modules()[name])
        assert imported <= allowed, f"{name}.py imports {sorted(imported - allowed)}"


def test_init_registers_every_group() -> None:
    groups = set(_modules()) - set(SHARED) - ENTRY
    assert groups <= _cli_imports(CLI_DIR / "__init__.py")


def test_no_library_module_imports_the_cli() -> None:
    for package in ("kg_engine", "ingest", "cypher", "ontologies"):
        for path in (ROOT / package).rglob("*.py"):
            if CLI_DIR not in path.parents:
                assert not _cli_imports(path), f"{path.relative_to(ROOT)} imports kg_engine.cli"


def _tree(command: object) -> dict[str, object] | None:
    commands = getattr(command, "commands", None)
    if commands is None:
        return None
    return {name: _tree(sub) for name, sub in commands.items()}


def test_every_command_is_still_there() -> None:
    assert _tree(typer.main.get_command(app)) == EXPECTED


@pytest.mark.parametrize("group", [None, *(name for name, sub in EXPECTED.items() if sub is not None)])
def test_help_lists_every_command(group: str | None) -> None:
    args = [group, "--help"] if group else ["--help"]
    result = CliRunner().invoke(app, args, env={"COLUMNS": "200", "NO_COLOR": "1"})
    assert result.exit_code == 0, result.output
    expected = EXPECTED if group is None else EXPECTED[group]
    assert expected
    listed = set(re.findall(r"^│ (\S+)\s{2,}", result.output, flags=re.MULTILINE))
    assert set(expected) <= listed, sorted(set(expected) - listed)


def test_python_m_runs_kg_without_heavy_imports() -> None:
    heavy = ["pandas", "numpy", "torch", "transformers", "spacy", "kg_engine.engine", "kg_engine.config"]
    code = (
        "import runpy, sys; sys.argv = ['kg', '--help']\n"
        "try:\n    runpy.run_module('kg_engine.cli', run_name='__main__')\n"
        "except SystemExit as exc:\n    assert not exc.code, exc.code\n"
        f"print('loaded:', sorted(set({heavy!r}) & set(sys.modules)))"
    )
    env = {**os.environ, "COLUMNS": "200", "PYTHONDONTWRITEBYTECODE": "1"}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "Usage: kg " in result.stdout and "│ quickstart" in result.stdout
    assert "loaded: []" in result.stdout
