"""Read-only checks: would a Cypher statement write, on LadybugDB or on Neo4j?

The guard is an allowlist where it can be and fail-closed everywhere:

- every statement (and every ``CALL { ... }`` body, and each side of a ``UNION``) must start with a
  reading clause: ``MATCH``, ``OPTIONAL MATCH``, ``WITH``, ``UNWIND``, ``RETURN`` or ``CALL``, optionally
  after ``EXPLAIN`` / ``PROFILE`` / ``CYPHER`` options; so ``SHOW``, ``START DATABASE``, ``BEGIN``,
  ``COMMIT``, ``GRANT``, ``EXPORT DATABASE``, ``COPY`` ... never start one;
- write keywords are refused wherever they appear as keywords (``CREATE``, ``MERGE``, ``SET``, ``LOAD``,
  ``USE``, ...), but not as names: ``n.set``, ``{set: 1}``, ``(set:Gene)``, ``AS set``, `` `set` `` and
  anything in strings or comments;
- ``CALL`` may only name a procedure on the backend's read-only list, ``CALL { ... } IN TRANSACTIONS``
  is refused;
- text the tokenizer cannot read (an unterminated string, unbalanced brackets, a letter outside ASCII
  in code) is refused.
"""

from __future__ import annotations

from collections.abc import Sequence

from cypher.tokens import CypherSyntaxError, Kind, Token, tokenize

DIALECTS = ("ladybug", "neo4j")

READ_STARTS = frozenset({"MATCH", "OPTIONAL", "WITH", "UNWIND", "RETURN", "CALL"})

WRITE_CLAUSES = frozenset({
    # graph writes (both dialects)
    "CREATE", "MERGE", "SET", "DELETE", "DETACH", "REMOVE", "DROP", "ALTER", "FOREACH",
    # LadybugDB database commands; LOAD also covers Neo4j's LOAD CSV
    "COPY", "EXPORT", "IMPORT", "LOAD", "INSTALL", "UNINSTALL", "ATTACH", "USE", "CHECKPOINT",
    # transactions and administration
    "BEGIN", "COMMIT", "ROLLBACK", "GRANT", "DENY", "REVOKE", "RENAME", "TERMINATE",
})

# Words that name what a refused keyword acts on, so the reason reads "EXPORT DATABASE", "LOAD CSV".
_OBJECTS = frozenset({
    "DATABASE", "DATABASES", "COMPOSITE", "ALIAS", "ALIASES", "TABLE", "NODE", "REL", "INDEX", "INDEXES",
    "CONSTRAINT", "CONSTRAINTS", "USER", "USERS", "ROLE", "ROLES", "PRIVILEGE", "PRIVILEGES", "SERVER",
    "SERVERS", "EXTENSION", "EXTENSIONS", "CSV", "FROM", "TRANSACTION", "TRANSACTIONS", "GRAPH", "SEQUENCE",
    "MACRO", "TYPE", "PROCEDURES", "FUNCTIONS", "SETTINGS", "SETTING", "OR", "FULLTEXT", "VECTOR", "RANGE",
    "TEXT", "POINT", "LOOKUP", "CURRENT", "HOME", "DEFAULT",
})

READ_ONLY_PROCEDURES: dict[str, frozenset[str]] = {
    "ladybug": frozenset({
        "show_tables", "table_info", "show_connection", "current_setting", "db_version", "show_functions",
        "show_attached_databases", "show_indexes", "show_sequences", "show_macros", "show_loaded_extensions",
        "show_official_extensions", "show_warnings", "storage_info", "query_fts_index", "query_vector_index",
    }),
    "neo4j": frozenset({
        "db.labels", "db.relationshiptypes", "db.propertykeys", "db.schema.visualization",
        "db.schema.nodetypeproperties", "db.schema.reltypeproperties", "db.info", "db.ping",
        "dbms.components", "db.index.fulltext.querynodes", "db.index.fulltext.queryrelationships",
        "db.index.vector.querynodes", "db.index.vector.queryrelationships",
    }),
}

_PREFIXES = ("EXPLAIN", "PROFILE")
_OPEN, _CLOSE = "([{", ")]}"


def write_clauses(cypher: str, dialect: str | None = None) -> list[str]:
    """What read-only mode refuses in ``cypher``, each as users should read it; empty for a read.

    Args:
        cypher: one statement, or several separated by ``;``.
        dialect: ``"ladybug"`` or ``"neo4j"``, whose read-only procedures ``CALL`` may name; ``None``
            accepts a procedure on either list.

    Returns:
        The refused forms in order of appearance, without repeats, e.g. ``["EXPORT DATABASE"]``,
        ``["CALL apoc.create.node (not a read-only procedure)"]``.
    """
    try:
        tokens = tokenize(cypher)
        return _Scan(tokens, _procedures(dialect)).run()
    except CypherSyntaxError as exc:
        return [f"a statement it cannot parse ({exc})"]


def is_read_only(cypher: str, dialect: str | None = None) -> bool:
    """True when read-only mode accepts ``cypher``."""
    return not write_clauses(cypher, dialect)


def read_only_refusal(cypher: str, dialect: str | None = None) -> str | None:
    """The reason read-only mode refuses ``cypher`` (``"read-only mode refuses EXPORT DATABASE"``), or None."""
    forms = write_clauses(cypher, dialect)
    return f"read-only mode refuses {'; '.join(forms)}" if forms else None


def _procedures(dialect: str | None) -> frozenset[str]:
    if dialect is None:
        return frozenset().union(*READ_ONLY_PROCEDURES.values())
    if dialect not in READ_ONLY_PROCEDURES:
        raise ValueError(f"unknown Cypher dialect {dialect!r}; valid: {', '.join(DIALECTS)}")
    return READ_ONLY_PROCEDURES[dialect]


class _Scan:
    """One pass over the tokens, collecting refused forms."""

    def __init__(self, tokens: Sequence[Token], procedures: frozenset[str]) -> None:
        self.tokens = tokens
        self.procedures = procedures
        self.forms: list[str] = []
        self.stack: list[tuple[str, bool]] = []  # open brackets; True for the brace of a CALL subquery
        self.pending_call_brace = False

    def run(self) -> list[str]:
        i = self._statement_start(0)
        while i < len(self.tokens):
            i = self._step(i)
        if self.stack:
            raise CypherSyntaxError(f"unclosed {self.stack[-1][0]!r}")
        return list(dict.fromkeys(self.forms))

    def _refuse(self, form: str) -> None:
        self.forms.append(form)

    def _step(self, i: int) -> int:
        token = self.tokens[i]
        if token.kind is Kind.PUNCT:
            return self._punct(i)
        if token.kind is not Kind.WORD or self._is_name(i):
            return i + 1
        word = token.upper
        if word == "UNION":
            return self._statement_start(i + 2 if self._at(i + 1).is_word("ALL") else i + 1)
        if word == "CALL":
            return self._call(i)
        if word == "USE":  # USE <graph> prefixes a whole statement: check what follows as one
            self._refuse(self._form(i))
            return self._statement_start(self._skip_name(i + 1))
        if word in WRITE_CLAUSES:
            self._refuse(self._form(i))
        return i + 1

    def _punct(self, i: int) -> int:
        char = self.tokens[i].text
        if char in _OPEN:
            is_call = char == "{" and self.pending_call_brace
            self.pending_call_brace = self.pending_call_brace and char != "{"
            self.stack.append((char, is_call))
            return self._statement_start(i + 1) if is_call else i + 1
        if char in _CLOSE:
            if not self.stack or _OPEN.index(self.stack[-1][0]) != _CLOSE.index(char):
                raise CypherSyntaxError(f"unbalanced {char!r} at offset {self.tokens[i].start}")
            _, was_call = self.stack.pop()
            if was_call and self._at(i + 1).is_word("IN"):
                self._refuse("CALL { … } IN TRANSACTIONS")
            return i + 1
        if char == ";":
            if self.stack:
                raise CypherSyntaxError(f"';' inside brackets at offset {self.tokens[i].start}")
            return self._statement_start(i + 1)
        return i + 1

    def _statement_start(self, i: int) -> int:
        """Skip ``EXPLAIN``/``PROFILE``/``CYPHER`` options; refuse a statement not starting with a read."""
        while self._at(i).is_word(*_PREFIXES, "CYPHER"):
            i = self._cypher_options(i + 1) if self._at(i).is_word("CYPHER") else i + 1
        token = self._at(i)
        if i >= len(self.tokens) or token.is_punct(";}"):
            return i
        if token.kind is Kind.WORD and token.upper in READ_STARTS:
            return i
        if token.kind is Kind.WORD:
            self._refuse(self._form(i))
        else:
            self._refuse("a statement that does not start with MATCH, OPTIONAL MATCH, WITH, UNWIND, RETURN or CALL")
        return i

    def _cypher_options(self, i: int) -> int:
        """Skip ``CYPHER 5 runtime=parallel`` style options (a version, then ``name=value`` pairs)."""
        if self._at(i).kind is Kind.NUMBER:
            i += 1
        while self._at(i).kind is Kind.WORD and self._at(i + 1).is_punct("="):
            i += 3
        return i

    def _call(self, i: int) -> int:
        nxt = self._at(i + 1)
        if nxt.is_punct("{"):
            self.pending_call_brace = True
            return i + 1
        if nxt.is_punct("("):  # Neo4j's scoped subquery: CALL (x, y) { ... }
            close = self._matching(i + 1)
            if not self._at(close + 1).is_punct("{"):
                self._refuse("CALL (…) without a subquery")
            self.pending_call_brace = True
            return i + 1
        name, end = self._procedure_name(i + 1)
        if not name:
            self._refuse("CALL without a procedure name")
        elif self._at(end).is_punct("="):
            self._refuse(f"CALL {name}=… (changes a setting)")
        elif name.lower() not in self.procedures:
            self._refuse(f"CALL {name} (not a read-only procedure)")
        return end

    def _procedure_name(self, i: int) -> tuple[str, int]:
        parts: list[str] = []
        while self._at(i).kind in (Kind.WORD, Kind.NAME):
            parts.append(self._at(i).value)
            if not self._at(i + 1).is_punct("."):
                return ".".join(parts), i + 1
            i += 2
        return ("", i) if not parts else (".".join(parts) + ".", i)

    def _skip_name(self, i: int) -> int:
        """The index after a (dotted) name starting at ``i``."""
        while self._at(i).kind in (Kind.WORD, Kind.NAME):
            i += 2 if self._at(i + 1).is_punct(".") else 1
            if not self._at(i - 1).is_punct("."):
                break
        return i

    def _matching(self, i: int) -> int:
        """Index of the bracket closing the one at ``i`` (or the end when it never closes)."""
        depth = 0
        for j in range(i, len(self.tokens)):
            if self.tokens[j].is_punct(_OPEN):
                depth += 1
            elif self.tokens[j].is_punct(_CLOSE):
                depth -= 1
                if depth == 0:
                    return j
        return len(self.tokens)

    def _is_name(self, i: int) -> bool:
        """``n.set``, ``:Set``, ``{set: 1}``, ``(set:Gene)``, ``set.name`` and ``AS set`` use a keyword as a name."""
        before, after = self._at(i - 1), self._at(i + 1)
        return before.is_punct(".:") or after.is_punct(":.") or (before.is_word("AS") and not self._is_name(i - 1))

    def _form(self, i: int) -> str:
        """The keyword as users know the command: ``EXPORT DATABASE``, ``LOAD CSV``, ``COPY … FROM``."""
        word = self.tokens[i].upper
        if word == "COPY":
            return f"COPY … {self._copy_direction(i + 1)}".rstrip(" …")
        nxt = self._at(i + 1)
        if nxt.kind is Kind.WORD and nxt.upper in _OBJECTS:
            return f"{word} {nxt.upper}"
        return word

    def _copy_direction(self, i: int) -> str:
        depth = 0
        for token in self.tokens[i:]:
            if token.is_punct(_OPEN):
                depth += 1
            elif token.is_punct(_CLOSE):
                depth -= 1
            elif token.is_punct(";") or depth < 0:
                break
            elif depth == 0 and token.is_word("FROM", "TO"):
                return token.upper
        return ""

    def _at(self, i: int) -> Token:
        if 0 <= i < len(self.tokens):
            return self.tokens[i]
        return _NOTHING


_NOTHING = Token(Kind.END, "", -1)
