"""``kg token create|list|revoke`` and ``kg serve``'s registration (without starting a server)."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import time
from pathlib import Path

from typer.testing import CliRunner

from kg_engine.api.tokens import TokenStore
from kg_engine.cli import app


def test_token_create_list_revoke(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("KG_HOME", str(tmp_path))
    monkeypatch.delenv("KG_API_HOME", raising=False)
    runner = CliRunner()
    made = runner.invoke(app, ["token", "create", "--role", "reader", "--name", "ana"])
    assert made.exit_code == 0, made.output
    token = made.stdout.strip().splitlines()[-1]
    assert token.startswith("kg_")
    path = tmp_path / "secrets" / "tokens.json"
    assert token.split("_", 2)[2] not in path.read_text() and stat.S_IMODE(path.stat().st_mode) == 0o600
    assert TokenStore(path).verify(token).name == "ana"
    assert runner.invoke(app, ["token", "create", "--role", "reader", "--name", "ana"]).exit_code != 0  # name taken
    assert runner.invoke(app, ["token", "create", "--role", "root"]).exit_code != 0
    listed = json.loads(runner.invoke(app, ["token", "list", "--json"]).stdout)
    assert [(r["name"], r["role"], r["revoked"]) for r in listed] == [("ana", "reader", None)]
    assert token not in runner.invoke(app, ["token", "list"]).output
    assert runner.invoke(app, ["token", "revoke", "ana"]).exit_code == 0
    assert TokenStore(path).verify(token) is None
    assert runner.invoke(app, ["token", "revoke", "ana"]).exit_code != 0  # nothing active left


def test_serve_is_registered_and_help_stays_fast() -> None:
    started = time.perf_counter()
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    code = "import sys; from kg_engine.cli import app; assert 'fastapi' not in sys.modules; app()"
    out = subprocess.run([sys.executable, "-c", code, "serve", "--help"], capture_output=True, text=True, env=env)
    assert out.returncode == 0 and "--port" in out.stdout and "--read-only" in out.stdout
    assert time.perf_counter() - started < 10  # generous on a shared machine; fastapi is never imported
