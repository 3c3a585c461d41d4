from __future__ import annotations

import pytest
import typer

from kg_engine.cli._app import reports_errors
from kg_engine.errors import ConfigError


def test_error_messages_print_literally(capsys: pytest.CaptureFixture[str]) -> None:
    @reports_errors
    def needs_ray() -> None:
        raise ConfigError("--runner ray needs Ray: pip install 'kg-engine[ray]'")

    with pytest.raises(typer.Exit) as exited:
        needs_ray()
    assert exited.value.exit_code != 0
    assert "pip install 'kg-engine[ray]'" in capsys.readouterr().err
