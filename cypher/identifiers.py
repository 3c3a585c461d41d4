"""Quoting of identifiers (labels, relationship types, property names) spliced into Cypher.

Values always travel as parameters; identifiers cannot, so they pass through this one whitelist.
"""

from __future__ import annotations

import re
from collections.abc import Collection

_PLAIN = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class IdentifierError(ValueError):
    """An identifier that is not allowed in a Cypher statement."""


def quote_identifier(name: str, allowed: Collection[str] | None = None) -> str:
    """Return ``name`` back-quoted for Cypher, refusing anything but plain identifiers.

    Args:
        name: label, relationship type or property key.
        allowed: when given, ``name`` must be one of these (e.g. the schema's categories).
    """
    if not _PLAIN.match(name):
        raise IdentifierError(f"{name!r} is not a plain identifier (letters, digits, underscore)")
    if allowed is not None and name not in allowed:
        raise IdentifierError(f"{name!r} is not one of: {', '.join(sorted(allowed))}")
    return f"`{name}`"
