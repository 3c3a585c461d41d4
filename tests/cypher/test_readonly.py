"""The read-only guard on hand-picked statements: each write form, names that look like keywords, fail-closed."""

from __future__ import annotations

import re

import pytest

from cypher.readonly import READ_ONLY_PROCEDURES, is_read_only, read_only_refusal, write_clauses
from cypher.tokens import CypherSyntaxError, Kind, tokenize

NOT_A_READ = "a statement that does not start with MATCH, OPTIONAL MATCH, WITH, UNWIND, RETURN or CALL"
WRITING_VERBS = ("create", "drop", "set", "clear", "export", "load", "install", "delete", "merge", "remove")


@pytest.mark.parametrize(
    ("statement", "dialect", "forms"),
    [
        ("EXPORT DATABASE '/tmp/x'", "ladybug", ["EXPORT DATABASE"]),
        ("IMPORT DATABASE '/tmp/x'", "ladybug", ["IMPORT DATABASE"]),
        ("COPY Gene FROM 'x.csv'", "ladybug", ["COPY … FROM"]),
        ("COPY (MATCH (n) RETURN n.curie) TO 'x.csv'", "ladybug", ["COPY … TO"]),
        ("LOAD EXTENSION fts", "ladybug", ["LOAD EXTENSION"]),
        ("LOAD FROM 'x.csv' RETURN *", "ladybug", ["LOAD FROM"]),
        ("LOAD CSV FROM 'file:///x.csv' AS row RETURN row", "neo4j", ["LOAD CSV"]),
        ("INSTALL fts", "ladybug", ["INSTALL"]),
        ("ATTACH 'x.lbdb' AS x (dbtype lbug)", "ladybug", ["ATTACH"]),
        ("DETACH DATABASE x", "ladybug", ["DETACH DATABASE"]),
        ("USE x", "ladybug", ["USE"]),
        ("CHECKPOINT", "ladybug", ["CHECKPOINT"]),
        ("BEGIN TRANSACTION", "ladybug", ["BEGIN TRANSACTION"]),
        ("COMMIT", "ladybug", ["COMMIT"]),
        ("ROLLBACK", "ladybug", ["ROLLBACK"]),
        ("DROP TABLE Gene", "ladybug", ["DROP TABLE"]),
        ("ALTER TABLE Gene ADD x INT64", "ladybug", ["ALTER TABLE"]),
        ("CALL threads=4", "ladybug", ["CALL threads=… (changes a setting)"]),
        ("CALL create_fts_index('Gene', 'i', ['name'])", "ladybug",
         ["CALL create_fts_index (not a read-only procedure)"]),
        ("GRANT ROLE admin TO bob", "neo4j", ["GRANT ROLE"]),
        ("DENY READ ON GRAPH * TO r", "neo4j", ["DENY"]),
        ("REVOKE ROLE r FROM u", "neo4j", ["REVOKE ROLE"]),
        ("SHOW USERS", "neo4j", ["SHOW USERS"]),
        ("CREATE DATABASE x", "neo4j", ["CREATE DATABASE"]),
        ("START DATABASE x", "neo4j", ["START DATABASE"]),
        ("STOP DATABASE x", "neo4j", ["STOP DATABASE"]),
        ("USE system SHOW USERS", "neo4j", ["USE", "SHOW USERS"]),
        ("CALL { MATCH (n) RETURN n } IN TRANSACTIONS RETURN n", "neo4j", ["CALL { … } IN TRANSACTIONS"]),
        ("MATCH (n) CALL (n) { SET n.x = 1 } IN TRANSACTIONS", "neo4j", ["SET", "CALL { … } IN TRANSACTIONS"]),
        ("CALL { SHOW USERS } RETURN 1", "neo4j", ["SHOW USERS"]),
        ("CALL apoc.create.node(['X'], {})", "neo4j", ["CALL apoc.create.node (not a read-only procedure)"]),
        ("CALL db.index.fulltext.createNodeIndex('i', ['A'], ['b'])", "neo4j",
         ["CALL db.index.fulltext.createNodeIndex (not a read-only procedure)"]),
        ("FOREACH (x IN [1] | CREATE (:A))", "neo4j", ["FOREACH", "CREATE"]),
        ("MATCH (n) RETURN n UNION ALL SHOW USERS", "neo4j", ["SHOW USERS"]),
        ("MATCH (n) RETURN n; DROP TABLE Gene", "ladybug", ["DROP TABLE"]),
        ("PROFILE CREATE (n)", "ladybug", ["CREATE"]),
        ("(n)", "ladybug", [NOT_A_READ]),
    ],
)
def test_write_forms_are_refused_with_readable_reasons(statement: str, dialect: str, forms: list[str]) -> None:
    assert write_clauses(statement, dialect) == forms
    assert read_only_refusal(statement, dialect) == f"read-only mode refuses {'; '.join(forms)}"


@pytest.mark.parametrize(
    "statement",
    [
        "MATCH (n) RETURN n.set, n.delete, n.`create` AS x",
        "MATCH (n) RETURN {set: 1, delete: 2, merge: 3} AS m",
        "MATCH (set:Gene) RETURN set.name AS name",
        "MATCH (n) RETURN n.curie AS set",
        "MATCH (n:Set) RETURN n",
        "MATCH (n) WHERE n.name = 'x\\' CREATE (y) //' RETURN n",
        'MATCH (n) WHERE n.name = "EXPORT DATABASE \\"/tmp\\"" RETURN n',
        "MATCH (n) /* DETACH DELETE n */ RETURN n",
        "MATCH (n) // DETACH DELETE n\r\nRETURN n",
        "MATCH (n) RETURN n // trailing COPY",
        "EXPLAIN MATCH (n) RETURN n",
        "CYPHER 5 runtime=parallel MATCH (n) RETURN count(n)",
        "MATCH (n) WHERE EXISTS { MATCH (n)-->() } RETURN n",
        "CALL { MATCH (n) RETURN n } RETURN count(n)",
        "OPTIONAL MATCH (n) RETURN n; MATCH (m) RETURN m;",
        "MATCH\u3000(n)\u00a0RETURN\u2028n",
        r"MATCH (n) WHERE n.name = '\u00e9t\u00e9' RETURN n",
        "",
    ],
)
def test_reads_and_keywords_used_as_names_are_accepted(statement: str) -> None:
    assert write_clauses(statement, "ladybug") == []
    assert is_read_only(statement, "neo4j")


@pytest.mark.parametrize(
    ("dialect", "call"),
    [
        ("ladybug", "CALL show_tables() RETURN *"),
        ("ladybug", "CALL SHOW_TABLES() RETURN *"),
        ("ladybug", "CALL table_info('Gene') RETURN *"),
        ("ladybug", "CALL show_connection('treats') RETURN *"),
        ("ladybug", "CALL current_setting('threads') RETURN *"),
        ("ladybug", "CALL db_version() RETURN *"),
        ("neo4j", "CALL db.labels()"),
        ("neo4j", "CALL db.relationshipTypes() YIELD relationshipType RETURN relationshipType"),
        ("neo4j", "CALL db.propertyKeys"),
        ("neo4j", "CALL db.schema.visualization()"),
        ("neo4j", "CALL dbms.components() YIELD name RETURN name"),
    ],
)
def test_allowlisted_procedures_pass_only_on_their_backend(dialect: str, call: str) -> None:
    other = "neo4j" if dialect == "ladybug" else "ladybug"
    assert is_read_only(call, dialect)
    assert is_read_only(call)  # no dialect: either list
    assert not is_read_only(call, other)


@pytest.mark.parametrize(
    ("statement", "why"),
    [
        ("RETURN 'open", "string"),
        ("RETURN `open", "back-quoted name"),
        ("RETURN 1 /* open", "comment"),
        ("MATCH (n RETURN n", "unclosed"),
        ("MATCH (n)) RETURN n", "unbalanced"),
        ("MATCH (n]) RETURN n", "unbalanced"),
        ("MATCH (n) RETURN n; (", "unclosed"),
        ("MATCH (né) RETURN 1", "unexpected character"),
        ("MATCH (n)\u200bRETURN n", "unexpected character"),
        ("MATCH (n) RETURN $ x", "parameter"),
        ("MATCH (n) RETURN n // a\r' CREATE (m) //'", "line break"),
        ("MATCH (n) RETURN n // a\u2028' CREATE (m) //'", "line break"),
        ("CALL { MATCH (n) RETURN n; } RETURN 1", "inside brackets"),
        # Neo4j decodes \u escapes before lexing: each of these deletes every node there
        (r"MATCH (n) WITH n // \u000a DETACH DELETE n", "spells '\\n'"),
        (r"MATCH (n) WITH n, '\u0027 AS x DETACH DELETE n //' AS y", "spells"),
        (r"MATCH (n) WITH n /* \u002a/ DETACH DELETE n /* */", "spells '*'"),
        (r"MATCH (n) WITH n AS `m\u0060 DETACH DELETE m //`", "spells '`'"),
        (r"MATCH (n) WITH n // \uu000a DETACH DELETE n", "spells"),
        (r"RETURN '\U00000027'", "spells"),
    ],
)
def test_what_cannot_be_parsed_is_refused(statement: str, why: str) -> None:
    [form] = write_clauses(statement, "ladybug")
    assert form.startswith("a statement it cannot parse") and why in form


def test_unknown_dialect_is_an_error() -> None:
    with pytest.raises(ValueError, match="ladybug, neo4j"):
        write_clauses("MATCH (n) RETURN n", "sqlite")


def test_allowlists_hold_no_writing_procedure() -> None:
    for names in READ_ONLY_PROCEDURES.values():
        parts = [part for name in names for part in re.split(r"[._]", name)]
        assert not [p for p in parts if p in WRITING_VERBS or p.startswith(("create", "drop", "clear"))]


def test_tokenizer_keeps_strings_names_and_params_apart() -> None:
    tokens = tokenize("MATCH (n {a: 'x\\'y'}) WHERE n.`b c` = $p AND n.d = $`q r` RETURN $0 // c\n/* d */")
    kinds = {(t.kind, t.value) for t in tokens if t.kind in (Kind.STRING, Kind.NAME, Kind.PARAM)}
    assert kinds == {(Kind.STRING, "'x\\'y'"), (Kind.NAME, "b c"), (Kind.PARAM, "p"), (Kind.PARAM, "q r"),
                     (Kind.PARAM, "0")}
    assert tokens[-1].text == "$0"
    with pytest.raises(CypherSyntaxError):
        tokenize("RETURN '")


def test_return_columns_follow_aliases_strings_and_brackets() -> None:
    from cypher.tokens import return_columns

    assert return_columns(
        "MATCH (n) WHERE n.name = 'RETURN x, y' RETURN n.curie AS id, {a: 1, b: 2} AS m, count(*) ORDER BY id"
    ) == ["id", "m", "count(*)"]
    assert return_columns("MATCH (n) RETURN DISTINCT n.curie, n.name") == ["n.curie", "n.name"]
    assert return_columns("MATCH (n) CALL { WITH n RETURN n.x AS y } RETURN y") == ["y"]
    assert return_columns("MATCH (n) DETACH DELETE n") == []
