"""The audit log and the request guards that sit in front of every route.

One JSON line per API request: time, token name, role, method, endpoint (the route's template, never the
raw path or query string), status, duration and a keyed hash of the request body. The body itself, and so
any clinical text or note id in it, is never written: the hash is an HMAC with a key kept under
``$KG_HOME/secrets``, so short texts cannot be recovered by hashing guesses.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
import secrets
import threading
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger("kg_engine.api")


def audit_key(secrets_dir: Path) -> bytes:
    """The server's HMAC key for body hashes (created once, mode 600)."""
    path = secrets_dir / "audit-key"
    if not path.is_file():
        secrets_dir.mkdir(parents=True, exist_ok=True)
        os.chmod(secrets_dir, 0o700)
        fd = os.open(path, os.O_CREAT | os.O_WRONLY | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_hex(32))
    return bytes.fromhex(path.read_text().strip())


class AuditLog:
    """Appends JSON lines to a file (thread-safe)."""

    def __init__(self, path: Path, key: bytes) -> None:
        self.path = path
        self.key = key
        path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()

    def body_hash(self, body: bytes) -> str | None:
        """Keyed SHA-256 of the body (``None`` when it is empty)."""
        return hmac.new(self.key, body, hashlib.sha256).hexdigest() if body else None

    def write(self, entry: dict[str, Any]) -> None:
        """Append one line."""
        line = json.dumps(entry, separators=(",", ":")) + "\n"
        with self._lock, self.path.open("a", encoding="utf-8") as fh:
            fh.write(line)


def _json_response(status: int, payload: dict[str, Any], headers: list[tuple[bytes, bytes]] | None = None
                   ) -> list[Message]:
    body = json.dumps(payload).encode()
    head = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()), *(headers or [])]
    return [{"type": "http.response.start", "status": status, "headers": head},
            {"type": "http.response.body", "body": body}]


class GuardMiddleware:
    """Body size limit, audit line and a JSON 500 (never a stack trace) for every ``/api`` request."""

    def __init__(self, app: ASGIApp, audit: AuditLog, max_body_bytes: int, known_paths: frozenset[str]) -> None:
        self.app = app
        self.known_paths = known_paths
        self.audit = audit
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Guard one request (other paths, the page's files, pass straight through)."""
        if scope["type"] != "http" or not scope["path"].startswith("/api"):
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        state: dict[str, Any] = {"status": 500, "started": False}
        body = bytearray()
        too_big = self._declared_too_big(scope)

        async def counting_receive() -> Message:
            nonlocal too_big
            message = await receive()
            if message["type"] == "http.request":
                body.extend(message.get("body", b""))
                if len(body) > self.max_body_bytes:
                    too_big = True
                    raise _BodyTooLarge
            return message

        async def tracking_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                state["status"] = message["status"]
                state["started"] = True
            await send(message)

        try:
            if too_big:
                raise _BodyTooLarge
            await self.app(scope, counting_receive, tracking_send)
        except _BodyTooLarge:
            if not state["started"]:
                await self._send_all(send, 413, {"error": f"request body over {self.max_body_bytes} bytes"}, state)
        except Exception as exc:  # never a stack trace to the client
            ref = uuid.uuid4().hex[:12]
            log.error("unhandled %s (ref %s)", type(exc).__name__, ref, exc_info=exc)
            if not state["started"]:
                await self._send_all(send, 500, {"error": "internal server error", "ref": ref}, state)
        finally:
            self._record(scope, state["status"], started, bytes(body))

    def _declared_too_big(self, scope: Scope) -> bool:
        for name, value in scope.get("headers", []):
            if name == b"content-length":
                try:
                    return int(value) > self.max_body_bytes
                except ValueError:
                    return True
        return False

    @staticmethod
    async def _send_all(send: Send, status: int, payload: dict[str, Any], state: dict[str, Any]) -> None:
        state["status"] = status
        for message in _json_response(status, payload):
            await send(message)

    def _record(self, scope: Scope, status: int, started: float, body: bytes) -> None:
        extra = scope.get("state", {})
        principal = extra.get("principal")
        route = scope.get("route")
        endpoint = getattr(route, "path", None)
        if endpoint is None:  # refused before routing: the path only when it is an API route's own
            endpoint = scope["path"] if scope["path"] in self.known_paths else "<unmatched>"
        elif not endpoint.startswith("/api"):
            endpoint = "/api" + endpoint
        self.audit.write({
            "time": datetime.now(UTC).isoformat(timespec="milliseconds"),
            "token": principal.name if principal else None,
            "role": principal.role if principal else None,
            "method": scope.get("method"),
            "endpoint": endpoint,
            "status": status,
            "duration_ms": round((time.perf_counter() - started) * 1000, 2),
            "body_bytes": len(body),
            "body_hmac": self.audit.body_hash(body),
        })


class _BodyTooLarge(Exception):
    """The body passed the configured limit."""
