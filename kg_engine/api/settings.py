"""``ApiSettings``: how ``kg serve`` guards and limits itself (``KG_API_*`` environment variables)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields, replace
from pathlib import Path

from kg_engine.errors import ConfigError

ROLES = ("reader", "admin")


@dataclass(frozen=True, slots=True)
class ApiSettings:
    """Server settings; each field has a ``KG_API_<NAME>`` environment variable.

    Attributes:
        home: The engine home; tokens live in ``home/secrets/tokens.json``, the audit log in ``home/audit``.
        rate_per_minute: Requests each token may make per minute (0: no limit).
        burst: Requests a token may make at once before the per-minute rate applies.
        max_body_bytes: Largest request body accepted (413 above it).
        cors_origins: Origins allowed by CORS; empty (the default) turns CORS off.
        audit_path: Where the JSON-lines audit log goes (default ``home/audit/api.jsonl``).
        static: Serve the analyst web page at ``/``.
        query_timeout_s: ``POST /api/query`` statements stop after this many seconds.
        max_rows: ``POST /api/query`` returns at most this many rows (``truncated`` says when it cut).
    """

    home: Path
    rate_per_minute: int = 600
    burst: int = 60
    max_body_bytes: int = 1_048_576
    cors_origins: tuple[str, ...] = field(default_factory=tuple)
    audit_path: Path | None = None
    static: bool = True
    query_timeout_s: float = 30.0
    max_rows: int = 10_000

    @classmethod
    def load(cls, home: Path, **overrides: object) -> ApiSettings:
        """Defaults, then ``KG_API_*`` variables, then ``overrides`` (``None`` values are ignored).

        ``KG_API_HOME``, when set, keeps tokens and the audit log apart from the engine home ``home``.
        """
        home = Path(os.environ.get("KG_API_HOME") or home).expanduser()
        values: dict[str, object] = {}
        for f in fields(cls):
            env = os.environ.get(f"KG_API_{f.name.upper()}")
            if env not in (None, "") and f.name != "home":
                values[f.name] = env
        values.update({k: v for k, v in overrides.items() if v is not None})
        return replace(cls(home=Path(home)), **{k: _coerce(k, v) for k, v in values.items()})

    @property
    def secrets_dir(self) -> Path:
        """Folder (mode 700) holding the token hashes and the audit key."""
        return self.home / "secrets"

    @property
    def tokens_path(self) -> Path:
        """The token file (mode 600): names, roles, salts and hashes, never a token."""
        return self.secrets_dir / "tokens.json"

    @property
    def audit_file(self) -> Path:
        """The audit log's path."""
        return self.audit_path or self.home / "audit" / "api.jsonl"


def _coerce(name: str, value: object) -> object:
    try:
        if name in {"rate_per_minute", "burst", "max_body_bytes", "max_rows"}:
            number = int(str(value))
            if number < 0:
                raise ValueError("must not be negative")
            return number
    except ValueError as exc:
        raise ConfigError(f"KG_API_{name.upper()}={value!r}: {exc}") from exc
    if name == "cors_origins":
        items = value.split(",") if isinstance(value, str) else list(value)  # type: ignore[call-overload]
        return tuple(str(o).strip() for o in items if str(o).strip())
    if name == "query_timeout_s":
        try:
            return float(str(value))
        except ValueError as exc:
            raise ConfigError(f"KG_API_QUERY_TIMEOUT_S={value!r}: {exc}") from exc
    if name == "audit_path":
        return Path(str(value)).expanduser()
    if name == "static":
        return value if isinstance(value, bool) else str(value).lower() in {"1", "true", "yes", "on"}
    return value
