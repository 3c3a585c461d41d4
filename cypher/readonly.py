"""Read-only checks: does a Cypher statement write?

Strings, back-quoted identifiers and comments are skipped, so ``RETURN 'CREATE'`` is not a write.
"""

from __future__ import annotations

import re

WRITE_CLAUSES = frozenset({
    "CREATE", "MERGE", "DELETE", "DETACH", "SET", "REMOVE", "DROP", "COPY", "ALTER", "LOAD", "IMPORT",
    "INSTALL", "ATTACH", "CHECKPOINT", "FOREACH",
})

_TOKENS = re.compile(
    r"""(?P<skip>'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"|`[^`]*`|//[^\n]*|/\*.*?\*/)|(?P<word>[A-Za-z_]+)""",
    re.DOTALL,
)


def write_clauses(cypher: str) -> list[str]:
    """The write keywords that occur as clauses in ``cypher`` (empty for a read-only statement)."""
    found = []
    for match in _TOKENS.finditer(cypher):
        word = match.group("word")
        if word and word.upper() in WRITE_CLAUSES and not _is_property_access(cypher, match.start()):
            found.append(word.upper())
    return found


def is_read_only(cypher: str) -> bool:
    """True when ``cypher`` contains no write clause."""
    return not write_clauses(cypher)


def _is_property_access(text: str, start: int) -> bool:
    """``n.set`` or ``{set: 1}`` use a keyword as a name, not as a clause."""
    before = text[:start].rstrip()
    after = text[start:].split(None, 1)
    return before.endswith(".") or (len(after) > 0 and after[0].rstrip().endswith(":"))
