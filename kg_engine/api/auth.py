"""Bearer-token authentication and role checks (FastAPI dependencies)."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import HTTPException, Request

from kg_engine.api.limits import RateLimiter
from kg_engine.api.tokens import Principal, TokenStore

RANK = {"reader": 0, "admin": 1}


def require(role: str) -> Callable[[Request], Principal]:
    """A dependency that admits tokens of ``role`` or above: 401 without a valid token, 403 below the role."""

    def check(request: Request) -> Principal:
        tokens: TokenStore = request.app.state.tokens
        limiter: RateLimiter = request.app.state.limiter
        header = request.headers.get("authorization", "")
        scheme, _, value = header.partition(" ")
        if scheme.lower() != "bearer" or not value.strip():
            raise HTTPException(401, "missing token: send 'Authorization: Bearer <token>' (kg token create)",
                                headers={"WWW-Authenticate": "Bearer"})
        principal = tokens.verify(value.strip())
        if principal is None:
            raise HTTPException(401, "invalid or revoked token", headers={"WWW-Authenticate": "Bearer"})
        request.state.principal = principal
        if RANK[principal.role] < RANK[role]:
            raise HTTPException(403, f"this needs the {role} role; token {principal.name!r} is a {principal.role}")
        wait = limiter.take(principal.id)
        if wait > 0:
            raise HTTPException(429, f"rate limit reached for token {principal.name!r}; retry in {wait:.1f} s",
                                headers={"Retry-After": str(max(1, round(wait)))})
        return principal

    return check


reader = require("reader")
admin = require("admin")
