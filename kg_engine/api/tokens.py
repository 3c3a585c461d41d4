"""API tokens: created once and shown once; only a salted SHA-256 of each is stored.

A token reads ``kg_<id>_<secret>``. The id (public, short) finds the record; the secret is checked by
hashing it with the record's salt and comparing in constant time. The file is re-read whenever it
changes on disk, so ``kg token revoke`` in another process takes effect on the server's next request.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import hmac
import json
import os
import secrets
import threading
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from kg_engine.api.settings import ROLES
from kg_engine.errors import ConfigError

PREFIX = "kg_"


@dataclass(frozen=True, slots=True)
class TokenRecord:
    """A stored token: never the token itself."""

    id: str
    name: str
    role: str
    salt: str
    hash: str
    created: str
    revoked: str | None = None

    def public(self) -> dict[str, str | None]:
        """What ``kg token list`` shows."""
        return {"id": self.id, "name": self.name, "role": self.role, "created": self.created, "revoked": self.revoked}


@dataclass(frozen=True, slots=True)
class Principal:
    """Who made a request."""

    id: str
    name: str
    role: str


def _digest(salt: str, secret: str) -> str:
    return hashlib.sha256(bytes.fromhex(salt) + secret.encode("utf-8")).hexdigest()


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class TokenStore:
    """The token file under ``$KG_HOME/secrets`` (folder mode 700, file mode 600)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._records: dict[str, TokenRecord] = {}
        self._seen: tuple[int, int] | None = None
        self._lock = threading.Lock()

    # --- writing (CLI) -------------------------------------------------------------------------------

    def create(self, role: str, name: str | None = None) -> tuple[str, TokenRecord]:
        """A new token of ``role``; returns the token (to print once) and its stored record."""
        if role not in ROLES:
            raise ConfigError(f"unknown role {role!r}; choose from {', '.join(ROLES)}")
        with self._locked() as records:
            token_id = secrets.token_hex(4)
            while token_id in records:
                token_id = secrets.token_hex(4)
            name = name or f"{role}-{token_id}"
            if any(r.name == name and r.revoked is None for r in records.values()):
                raise ConfigError(f"an active token named {name!r} exists; revoke it or pick another --name")
            secret = secrets.token_urlsafe(32)
            salt = secrets.token_hex(16)
            record = TokenRecord(token_id, name, role, salt, _digest(salt, secret), _now())
            records[token_id] = record
        return f"{PREFIX}{token_id}_{secret}", record

    def revoke(self, key: str) -> list[TokenRecord]:
        """Revoke the active tokens whose id or name is ``key``; returns them."""
        with self._locked() as records:
            hits = [r for r in records.values() if key in (r.id, r.name) and r.revoked is None]
            if not hits:
                raise ConfigError(f"no active token with id or name {key!r} (kg token list shows them)")
            for r in hits:
                records[r.id] = TokenRecord(**{**asdict(r), "revoked": _now()})
        return hits

    def list(self) -> list[TokenRecord]:
        """Every stored token, revoked ones included."""
        self._refresh()
        return sorted(self._records.values(), key=lambda r: r.created)

    @contextlib.contextmanager
    def _locked(self) -> Iterator[dict[str, TokenRecord]]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        os.chmod(self.path.parent, 0o700)
        lock_fd = os.open(self.path.with_suffix(".lock"), os.O_CREAT | os.O_RDWR, 0o600)
        try:
            fcntl.flock(lock_fd, fcntl.LOCK_EX)
            records = self._read()
            yield records
            tmp = self.path.with_suffix(".tmp")
            fd = os.open(tmp, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump({"tokens": [asdict(r) for r in records.values()]}, fh, indent=1)
            os.chmod(tmp, 0o600)
            os.replace(tmp, self.path)
        finally:
            fcntl.flock(lock_fd, fcntl.LOCK_UN)
            os.close(lock_fd)
        self._seen = None

    def _read(self) -> dict[str, TokenRecord]:
        if not self.path.is_file():
            return {}
        try:
            raw = json.loads(self.path.read_text(encoding="utf-8"))
            return {r["id"]: TokenRecord(**r) for r in raw.get("tokens", [])}
        except (json.JSONDecodeError, TypeError, KeyError) as exc:
            raise ConfigError(f"{self.path}: not a token file ({exc})") from exc

    # --- checking (server) ---------------------------------------------------------------------------

    def _refresh(self) -> None:
        try:
            st = self.path.stat()
            seen: tuple[int, int] | None = (st.st_mtime_ns, st.st_size)
        except FileNotFoundError:
            seen = (0, 0)
        with self._lock:
            if seen != self._seen:
                self._records = self._read()
                self._seen = seen

    def verify(self, token: str) -> Principal | None:
        """The principal of an active token, or ``None`` (unknown, malformed, revoked or wrong secret)."""
        if not token.startswith(PREFIX) or len(token) > 200:
            return None
        token_id, sep, secret = token[len(PREFIX):].partition("_")
        if not sep or not secret:
            return None
        self._refresh()
        record = self._records.get(token_id)
        if record is None:
            hmac.compare_digest(_digest("00" * 16, secret), "0" * 64)  # same work for unknown ids
            return None
        if not hmac.compare_digest(_digest(record.salt, secret), record.hash) or record.revoked is not None:
            return None
        return Principal(record.id, record.name, record.role)
