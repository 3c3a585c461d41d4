"""A small Cypher tokenizer shared by the read-only guard and the parameter check.

It only needs to agree with LadybugDB and Neo4j on one thing: which characters are code and which are
inside a string, a back-quoted name or a comment. Where the two databases could read the text
differently (a line comment ended by a bare carriage return, a letter outside ASCII in code, an
unterminated string) it raises ``CypherSyntaxError`` rather than guess.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum
from typing import Any

# Python's str.isspace() misses U+180E, which LadybugDB treats as whitespace.
_EXTRA_SPACE = "\u180e"
# Line comments end at a newline; any other line break inside one is read differently by the backends.
_OTHER_LINE_BREAKS = re.compile("[\r\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")
_PUNCTUATION = frozenset("()[]{},.;:|+-*/%^=<>!~&?")
# Neo4j decodes \uXXXX anywhere in the text before it lexes it, so '\u0027' ends a string and
# '// \u000a' ends a comment there, while LadybugDB decodes them only inside strings.
_UNICODE_ESCAPE = re.compile(r"\\(?:u+([0-9a-fA-F]{4})|U([0-9a-fA-F]{8}))")

_LEXEMES = re.compile(
    r"""
    (?P<line_comment>//[^\n]*)
    | (?P<block_comment>/\*.*?\*/)
    | (?P<string>'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")
    | (?P<name>`[^`]*`)
    | (?P<param>\$(?:[A-Za-z_][A-Za-z0-9_]*|[0-9]+|`[^`]*`))
    | (?P<word>[A-Za-z_][A-Za-z0-9_]*)
    | (?P<number>0[xX][0-9a-fA-F]+|[0-9]+(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?)
    """,
    re.VERBOSE | re.DOTALL,
)


class CypherSyntaxError(ValueError):
    """The text cannot be split into tokens the way both backends would split it."""


class Kind(Enum):
    """What a token is."""

    WORD = "word"  # a bare keyword or name; compare with ``Token.upper``
    NAME = "name"  # a `back-quoted` name: never a keyword
    STRING = "string"
    NUMBER = "number"
    PARAM = "param"  # $name, $`name` or $0; ``Token.value`` is the name
    PUNCT = "punct"  # one character of punctuation
    END = "end"  # stands for "no token here" past either end of the list


@dataclass(frozen=True, slots=True)
class Token:
    """One token of a statement and where it starts."""

    kind: Kind
    text: str
    start: int

    @property
    def upper(self) -> str:
        """The text in upper case (keywords are case-insensitive)."""
        return self.text.upper()

    @property
    def value(self) -> str:
        """A parameter's or back-quoted name's name, without ``$`` and back quotes."""
        text = self.text[1:] if self.kind is Kind.PARAM else self.text
        return text[1:-1] if text.startswith("`") else text

    def is_word(self, *words: str) -> bool:
        """True for a bare word equal (any case) to one of ``words``."""
        return self.kind is Kind.WORD and self.upper in words

    def is_punct(self, chars: str) -> bool:
        """True for punctuation that is one of the characters in ``chars``."""
        return self.kind is Kind.PUNCT and self.text in chars


def tokenize(cypher: str) -> list[Token]:
    r"""Split ``cypher`` into tokens, dropping whitespace and comments.

    Raises:
        CypherSyntaxError: an unterminated string, name or comment, a character that is not Cypher code
            outside strings and names, a line comment containing a line break other than a newline, or a
            ``\u`` escape spelling an ASCII, space or control character.
    """
    _check_unicode_escapes(cypher)
    tokens: list[Token] = []
    pos = 0
    while pos < len(cypher):
        char = cypher[pos]
        if char.isspace() or char in _EXTRA_SPACE:
            pos += 1
            continue
        match = _LEXEMES.match(cypher, pos)
        if match is None:
            tokens.append(_punctuation(cypher, pos))
            pos += 1
            continue
        kind = match.lastgroup
        if kind == "line_comment" and _OTHER_LINE_BREAKS.search(_line_comment_body(cypher, match)):
            raise CypherSyntaxError(f"a line comment at offset {pos} contains a line break other than a newline")
        if kind not in ("line_comment", "block_comment"):
            tokens.append(Token(Kind(kind), match.group(), pos))
        pos = match.end()
    return tokens


def return_columns(cypher: str) -> list[str]:
    """The column names of a statement's last ``RETURN``: each item's alias, else the item's text.

    Raises:
        CypherSyntaxError: the statement cannot be tokenized (see :func:`tokenize`).
    """
    return [_column_name(cypher, item) for item in _return_items(tokenize(cypher))]


def _return_items(tokens: list[Token]) -> list[list[Token]]:
    """The tokens of each item of the last top-level ``RETURN``."""
    depth, start = 0, None
    for i, token in enumerate(tokens):
        depth += token.is_punct("([{") - token.is_punct(")]}")
        if depth == 0 and token.is_word("RETURN"):
            start = i + 1
    if start is None:
        return []
    items: list[list[Token]] = [[]]
    depth = 0
    for token in tokens[start:]:
        if depth == 0 and token.is_word("ORDER", "SKIP", "LIMIT", "UNION"):
            break
        depth += token.is_punct("([{") - token.is_punct(")]}")
        if depth == 0 and token.is_punct(","):
            items.append([])
        elif not (token.is_word("DISTINCT") and not any(items[0])):
            items[-1].append(token)
    return [item for item in items if item]


# What each aggregate answers over no rows (Neo4j's values): count and sum 0, collect [], the rest null.
_EMPTY_AGGREGATES: dict[str, Any] = {"count": 0, "sum": 0, "collect": [], "stdev": 0.0, "stdevp": 0.0,
                                     "avg": None, "min": None, "max": None, "percentilecont": None,
                                     "percentiledisc": None}


def empty_aggregate_row(cypher: str) -> list[Any] | None:
    """The one row a statement answers when its last ``MATCH`` finds nothing, or None for no row.

    Cypher returns one row when every ``RETURN`` item is an aggregate (``count(x)`` is 0, ``collect(x)`` is
    ``[]``) and no row when any item is a grouping key. Statements that aggregate in an earlier ``WITH`` are
    not read here (None).
    """
    values = []
    for item in _return_items(tokenize(cypher)):
        name = _aggregate_call(item[:-2] if len(item) > 2 and item[-2].is_word("AS") else item)
        if name is None:
            return None
        empty = _EMPTY_AGGREGATES[name]
        values.append(list(empty) if isinstance(empty, list) else empty)
    return values or None


def _aggregate_call(item: list[Token]) -> str | None:
    """The aggregate's name when the item is exactly one aggregate call (``count(DISTINCT r)``), else None."""
    if len(item) < 3 or item[0].kind is not Kind.WORD or not item[1].is_punct("("):
        return None
    name = item[0].text.lower()
    depth = 0
    for k, token in enumerate(item[1:], start=1):
        depth += token.is_punct("([{") - token.is_punct(")]}")
        if depth == 0:
            return name if k == len(item) - 1 and name in _EMPTY_AGGREGATES else None
    return None


def _column_name(cypher: str, item: list[Token]) -> str:
    if len(item) >= 2 and item[-2].is_word("AS"):
        return item[-1].value
    last = item[-1]
    return cypher[item[0].start : last.start + len(last.text)]


def _check_unicode_escapes(cypher: str) -> None:
    r"""Refuse ``\u`` escapes that spell ASCII, whitespace or control characters (the backends disagree on them).

    An escape for a letter outside ASCII (``'\u00e9'``) reads the same either way and is kept.
    """
    for match in _UNICODE_ESCAPE.finditer(cypher):
        code = int(match.group(1) or match.group(2), 16)
        char = chr(code) if code <= 0x10FFFF else "\0"
        if code < 0x80 or char.isspace() or char in _EXTRA_SPACE or not char.isprintable():
            raise CypherSyntaxError(
                f"the escape {match.group()} at offset {match.start()} spells {char!r}; write the character itself"
            )


def _line_comment_body(cypher: str, match: re.Match[str]) -> str:
    """The comment without the carriage return of a closing CRLF (which both backends accept)."""
    text = match.group()
    return text[:-1] if text.endswith("\r") and cypher.startswith("\n", match.end()) else text


def _punctuation(cypher: str, pos: int) -> Token:
    char = cypher[pos]
    if char in _PUNCTUATION and not cypher.startswith("/*", pos):
        return Token(Kind.PUNCT, char, pos)
    what = {"'": "string", '"': "string", "`": "back-quoted name", "/": "comment", "$": "parameter"}.get(char)
    if what:
        raise CypherSyntaxError(f"unterminated or malformed {what} at offset {pos}")
    raise CypherSyntaxError(f"unexpected character {char!r} at offset {pos}")
