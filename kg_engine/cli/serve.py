"""``kg serve`` (the HTTP API and analyst web page) and ``kg token create|list|revoke``.

FastAPI and uvicorn load only inside ``kg serve``.
"""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.table import Table

from kg_engine.cli._app import HomeOption, app, err, out, reports_errors

token_app = typer.Typer(help="API tokens for kg serve: create (shown once), list, revoke.", no_args_is_help=True)
app.add_typer(token_app, name="token")


def _api_settings(home: object, **overrides: object):
    from kg_engine.api.settings import ApiSettings
    from kg_engine.config import Settings

    return ApiSettings.load(Settings.load(home=home).home, **overrides)


def _tokens(home: object):
    from kg_engine.api.tokens import TokenStore

    return TokenStore(_api_settings(home).tokens_path)


@token_app.command("create")
@reports_errors
def token_create(
    role: Annotated[str, typer.Option("--role", help="reader (queries and answers) | admin (also loads and jobs)")],
    name: Annotated[str | None, typer.Option("--name", help="A name for the audit log (default: role-id).")] = None,
    home: HomeOption = None,
) -> None:
    """Create a token and print it once; only its salted hash is stored."""
    token, record = _tokens(home).create(role, name)
    err.print(f"created {record.role} token {record.name!r} (id {record.id}); it is shown only now:", highlight=False)
    print(token)


@token_app.command("list")
@reports_errors
def token_list(home: HomeOption = None, as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """List tokens (names, roles, dates; never a token)."""
    records = [r.public() for r in _tokens(home).list()]
    if as_json:
        print(json.dumps(records))
        return
    table = Table("id", "name", "role", "created", "revoked")
    for r in records:
        table.add_row(*(str(r[k] or "") for k in ("id", "name", "role", "created", "revoked")))
    out.print(table)


@token_app.command("revoke")
@reports_errors
def token_revoke(key: Annotated[str, typer.Argument(help="Token id or name.")], home: HomeOption = None) -> None:
    """Revoke a token; a running server refuses it from its next request on."""
    for r in _tokens(home).revoke(key):
        out.print(f"revoked {r.role} token {r.name!r} (id {r.id})", highlight=False)


@app.command()
@reports_errors
def serve(
    host: Annotated[str, typer.Option("--host", help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port")] = 8000,
    read_only: Annotated[bool, typer.Option("--read-only", help="Open the store read-only (no loads).")] = False,
    rate_limit: Annotated[
        int | None, typer.Option("--rate-limit", help="Requests per token per minute (0: off).")
    ] = None,
    burst: Annotated[int | None, typer.Option("--burst", help="Requests a token may make at once.")] = None,
    max_body: Annotated[int | None, typer.Option("--max-body", help="Largest request body, bytes.")] = None,
    cors_origin: Annotated[
        list[str] | None, typer.Option("--cors-origin", help="Allow this origin (CORS is off unless given).")
    ] = None,
    no_page: Annotated[bool, typer.Option("--no-page", help="Serve the API only.")] = False,
    home: HomeOption = None,
) -> None:
    """Serve the HTTP API (token auth, roles, audit log) and the analyst web page."""
    try:
        import uvicorn

        from kg_engine.api.app import create_app
    except ImportError as exc:
        err.print(
            f"kg serve needs FastAPI and uvicorn: pip install 'kg-engine[api]' ({exc.name} is missing)", highlight=False
        )
        raise typer.Exit(2) from None
    from kg_engine.engine import Engine

    engine = Engine.open(home, read_only=read_only or None)
    settings = _api_settings(
        engine.settings.home,
        rate_per_minute=rate_limit,
        burst=burst,
        max_body_bytes=max_body,
        cors_origins=tuple(cors_origin) if cors_origin else None,
        static=False if no_page else None,
    )
    if not _tokens(engine.settings.home).list():
        err.print("no API tokens yet: create one with  kg token create --role reader", highlight=False)
    if host not in {"127.0.0.1", "localhost", "::1"}:
        err.print(f"listening on {host}: the API has no TLS; put it behind a TLS proxy", highlight=False)
    err.print(
        f"kg serve: http://{host}:{port}/ (store {engine.settings.store_path}, audit {settings.audit_file})",
        highlight=False,
    )
    try:
        uvicorn.run(
            create_app(engine, settings),
            host=host,
            port=port,
            access_log=False,
            log_level="warning",
            server_header=False,
        )
    finally:
        engine.close()
