"""Generated statements for fuzzing the read-only guard: writes it must refuse, reads it must accept.

Each form is a list of chunks; a variant joins them with random separators (spaces, tabs, newlines,
CRLF, Unicode spaces, comments that themselves contain write keywords), puts keywords in random case and
puts a read prefix (string literals and property names that look like writes) before mid-statement
writes. ``{dir}`` in a chunk is replaced by a folder that must stay empty. Loaded by path from the pure
guard tests and from the store tests (there is no tests package to import from).
"""

from __future__ import annotations

import itertools
import random
import re
from dataclasses import dataclass

SEED = 14
WRITE_VARIANTS = 6
READ_VARIANTS = 8

BOTH = ("ladybug", "neo4j")
LADYBUG = ("ladybug",)
NEO4J = ("neo4j",)


@dataclass(frozen=True)
class Form:
    """A statement shape: its chunks, the dialects it belongs to, whether a read prefix may precede it."""

    chunks: tuple[str, ...]
    dialects: tuple[str, ...] = BOTH
    mid: bool = False  # a clause that may follow reading clauses in the same statement
    trick: bool = False  # hides its write from a naive reader; the guard refuses it as unreadable


def _f(text: str, dialects: tuple[str, ...] = BOTH, mid: bool = False, trick: bool = False) -> Form:
    return Form(tuple(text.split("  ")), dialects, mid, trick)  # two spaces separate chunks


WRITES = [
    # graph writes
    _f("CREATE  (:Compound {curie: 'X:1', name: 'x'})", mid=True),
    _f("MERGE  (:Compound {curie: 'X:1', name: 'x'})", mid=True),
    _f("MATCH  (n:Compound)  SET  n.name = 'changed'", mid=True),
    _f("MATCH  (n:Compound)  SET  n.set = 1", mid=True),
    _f("MATCH  (n:Compound)  SET  n:Gene", NEO4J, mid=True),
    _f("MATCH  (n:Compound)  DELETE  n", mid=True),
    _f("MATCH  (n:Compound)  DETACH  DELETE  n", mid=True),
    _f("MATCH  (n:Compound)  REMOVE  n.name", mid=True),
    _f("MATCH  (n:Compound)  FOREACH  (x IN [1] | CREATE (:Compound {curie: 'X:2'}))", mid=True),
    _f("UNWIND  [1, 2]  AS  set  CREATE  (:Compound {curie: 'X:' + toString(set)})", mid=True),
    _f("WITH  {delete: 1}  AS  m  MERGE  (:Compound {curie: 'X:3'})", mid=True),
    _f("MATCH  (a:Compound), (b:Gene)  CREATE  (a)-[:directly_physically_interacts_with]->(b)", mid=True),
    _f("DROP  TABLE  Compound", LADYBUG),
    _f("ALTER  TABLE  Compound  ADD  extra INT64", LADYBUG),
    _f("CREATE  NODE  TABLE  Extra(id INT64, PRIMARY KEY (id))", LADYBUG),
    _f("CREATE  MACRO  m(x)  AS  x", LADYBUG),
    _f("CREATE  SEQUENCE  s", LADYBUG),
    # LadybugDB database commands
    _f("COPY  Compound  FROM  '{dir}/compounds.csv'", LADYBUG),
    _f("COPY  (MATCH (n:Compound) RETURN n.curie)  TO  '{dir}/compounds.csv'", LADYBUG),
    _f("EXPORT  DATABASE  '{dir}/export'", LADYBUG),
    _f("EXPORT  DATABASE  '{dir}/export'  (format='csv')", LADYBUG),
    _f("IMPORT  DATABASE  '{dir}/export'", LADYBUG),
    _f("LOAD  EXTENSION  fts", LADYBUG),
    _f("LOAD  FROM  '{dir}/compounds.csv'  RETURN  *", LADYBUG, mid=True),
    _f("LOAD  WITH  HEADERS  (curie STRING)  FROM  '{dir}/compounds.csv'  RETURN  *", LADYBUG),
    _f("INSTALL  fts", LADYBUG),
    _f("UNINSTALL  fts", LADYBUG),
    _f("ATTACH  '{dir}/other.lbdb'  AS  other  (dbtype lbug)", LADYBUG),
    _f("DETACH  DATABASE  other", LADYBUG),
    _f("USE  other", LADYBUG),
    _f("CHECKPOINT", LADYBUG),
    _f("BEGIN  TRANSACTION", LADYBUG),
    _f("BEGIN  TRANSACTION  READ  ONLY", LADYBUG),
    _f("COMMIT", LADYBUG),
    _f("ROLLBACK", LADYBUG),
    _f("CALL  threads=1", LADYBUG),
    _f("CALL  CREATE_FTS_INDEX('Compound', 'idx', ['name'])", LADYBUG),
    _f("CALL  DROP_FTS_INDEX('Compound', 'idx')", LADYBUG),
    _f("CALL  CREATE_VECTOR_INDEX('Compound', 'vidx', 'emb')", LADYBUG),
    _f("CALL  PROJECT_GRAPH('g', ['Compound'], [])", LADYBUG),
    _f("CALL  clear_warnings()", LADYBUG),
    _f("COMMENT  ON  TABLE  Compound  IS  'changed'", LADYBUG),
    _f("FORCE  CHECKPOINT", LADYBUG),
    _f("ANALYZE", LADYBUG),
    # Neo4j
    _f("LOAD  CSV  FROM  'file:///{dir}/x.csv'  AS  row  CREATE  (:Compound {curie: row[0]})", NEO4J, mid=True),
    _f("LOAD  CSV  WITH  HEADERS  FROM  'file:///{dir}/x.csv'  AS  row  RETURN  row", NEO4J, mid=True),
    _f("USE  system  SHOW  USERS", NEO4J),
    _f("USE  neo4j  MATCH  (n)  RETURN  n", NEO4J),
    _f("SHOW  USERS", NEO4J),
    _f("SHOW  DATABASES", NEO4J),
    _f("SHOW  PRIVILEGES", NEO4J),
    _f("CREATE  DATABASE  other", NEO4J),
    _f("CREATE  COMPOSITE  DATABASE  other", NEO4J),
    _f("START  DATABASE  neo4j", NEO4J),
    _f("STOP  DATABASE  neo4j", NEO4J),
    _f("DROP  DATABASE  other  IF EXISTS", NEO4J),
    _f("ALTER  DATABASE  neo4j  SET  ACCESS  READ  ONLY", NEO4J),
    _f("CREATE  USER  bob  SET  PASSWORD  'secret'", NEO4J),
    _f("GRANT  ROLE  admin  TO  neo4j", NEO4J),
    _f("DENY  READ  ON  GRAPH  *  TO  reader", NEO4J),
    _f("REVOKE  ROLE  admin  FROM  neo4j", NEO4J),
    _f("RENAME  ROLE  a  TO  b", NEO4J),
    _f("TERMINATE  TRANSACTIONS  'neo4j-transaction-1'", NEO4J),
    _f("CREATE  INDEX  idx  IF NOT EXISTS  FOR  (n:Compound)  ON  (n.name)", NEO4J),
    _f("CREATE  CONSTRAINT  c  FOR  (n:Compound)  REQUIRE  n.name IS UNIQUE", NEO4J),
    _f("CREATE  FULLTEXT  INDEX  ft  FOR  (n:Compound)  ON EACH  [n.name]", NEO4J),
    _f("DROP  INDEX  idx", NEO4J),
    _f("CALL  db.index.fulltext.createNodeIndex('ft', ['Compound'], ['name'])", NEO4J, mid=True),
    _f("CALL  db.createLabel('X')", NEO4J, mid=True),
    _f("CALL  db.clearQueryCaches()", NEO4J, mid=True),
    _f("CALL  dbms.setConfigValue('db.logs.query.enabled', 'OFF')", NEO4J, mid=True),
    _f("CALL  apoc.create.node(['Compound'], {curie: 'X:4'})", NEO4J, mid=True),
    _f("CALL  apoc.periodic.iterate('MATCH (n) RETURN n', 'DETACH DELETE n', {})", NEO4J, mid=True),
    _f("CALL  apoc.export.csv.all('{dir}/all.csv', {})", NEO4J, mid=True),
    _f("CALL  apoc.cypher.runWrite('CREATE (:Compound)', {})", NEO4J, mid=True),
    _f("CALL  `apoc`.`create`.`node`(['Compound'], {})", NEO4J, mid=True),
    _f("CALL  {  MATCH (n:Compound)  DETACH  DELETE  n  }  IN  TRANSACTIONS", NEO4J),
    _f("CALL  {  MATCH (n:Compound)  RETURN  n  }  IN  TRANSACTIONS  OF 10 ROWS  RETURN  n", NEO4J),
    _f("MATCH  (n:Compound)  CALL  (n)  {  SET  n.name = 'x'  }  IN  TRANSACTIONS", NEO4J),
    _f("CALL  {  CREATE  (:Compound {curie: 'X:5'})  }", NEO4J),
    _f("CALL  {  SHOW  USERS  }  RETURN  1", NEO4J),
    _f("MATCH  (n)  RETURN  n  UNION  SHOW  USERS", NEO4J),
    _f("CYPHER  5  CREATE  (:Compound {curie: 'X:6'})", NEO4J),
    _f("PROFILE  CREATE  (:Compound {curie: 'X:7'})", BOTH),
    _f("EXPLAIN  MATCH  (n)  DETACH  DELETE  n", BOTH),
    # writes hidden from a reader that does not decode like Neo4j (it decodes \uXXXX before lexing, and
    # a bare carriage return ends its line comments): each of these deleted every node on Neo4j 5.26
    _f(r"MATCH  (n:Compound)  WITH  n // \u000a DETACH DELETE n", BOTH, trick=True),
    _f(r"MATCH  (n:Compound)  WITH  n, '\u0027 AS x DETACH DELETE n //' AS y", BOTH, trick=True),
    _f(r"MATCH  (n:Compound)  WITH  n /* \u002a/ DETACH DELETE n /* */", BOTH, trick=True),
    _f(r"MATCH  (n:Compound)  WITH  n AS `m\u0060 DETACH DELETE m //`", BOTH, trick=True),
    _f(r"MATCH  (n:Compound)  \u0044ETACH DELETE n", BOTH, trick=True),
    _f("MATCH  (n:Compound)  WITH  n // x\r DETACH DELETE n", BOTH, trick=True),
    # a write hidden after a read statement
    _f("MATCH  (n)  RETURN  n  ;  CREATE  (:Compound {curie: 'X:8'})", LADYBUG),
    _f("MATCH  (n)  RETURN  n  ;  EXPORT  DATABASE  '{dir}/export'", LADYBUG),
]

READS = [
    _f("MATCH  (n:Compound)  WHERE  n.name <> 'CREATE (x)'  RETURN  n.curie AS curie"),
    _f("MATCH  (n:Compound)  RETURN  {set: 1, delete: n.curie, `merge`: 2}  AS  m"),
    _f("MATCH  (n:Compound)  RETURN  n.curie  AS  set"),
    _f("MATCH  (set:Compound)  RETURN  set.curie  AS  c"),
    _f("MATCH  (n:Compound)  RETURN  n.curie  AS  `delete`"),
    _f("MATCH  (n:Compound)  WHERE  n.name = \"DROP TABLE Compound; EXPORT DATABASE '/tmp'\"  RETURN  count(n) AS c"),
    _f("MATCH  (n:Compound)  RETURN  'it\\'s a COPY ... TO'  AS  s"),
    _f("WITH  'LOAD EXTENSION x; CALL apoc.create.node()'  AS  s  RETURN  s"),
    _f("UNWIND  ['SET', 'DELETE', 'DETACH']  AS  w  RETURN  w"),
    _f("MATCH  (n:Compound)  RETURN  n.curie AS c  ORDER BY  c  LIMIT  1"),
    _f("OPTIONAL  MATCH  (n:Compound)  RETURN  count(n) AS c"),
    _f("MATCH  (n:Compound)  RETURN  n.curie AS c  UNION ALL  MATCH  (n:Compound)  RETURN  n.curie AS c"),
    _f("MATCH  (n:Compound)  WHERE  EXISTS  {  MATCH (n)-[]->()  }  RETURN  n.curie AS c"),
    _f("MATCH  (a:Compound)-[r]->(b:Gene)  RETURN  a.curie AS a, b.curie AS b"),
    _f("EXPLAIN  MATCH  (n:Compound)  RETURN  n.curie"),
    _f("MATCH  (n:Compound {curie: 'X:set'})  RETURN  n.name AS name"),
    _f("RETURN  1 AS create_count, 'MERGE' AS merge_word"),
    _f("CALL  show_tables()  RETURN  name", LADYBUG),
    _f("CALL  table_info('Compound')  RETURN  *", LADYBUG),
    _f("CALL  db_version()  RETURN  *", LADYBUG),
    _f("CALL  current_setting('threads')  RETURN  *", LADYBUG),
    _f("CALL  show_connection('directly_physically_interacts_with')  RETURN  *", LADYBUG),
    _f("CALL  db.labels()  YIELD  label  RETURN  label", NEO4J),
    _f("CALL  db.relationshipTypes()  YIELD  relationshipType  RETURN  relationshipType", NEO4J),
    _f("CALL  db.propertyKeys()", NEO4J),
    _f("CALL  dbms.components()  YIELD  name  RETURN  name", NEO4J),
    _f("CALL  {  MATCH (n:Compound)  RETURN  n  }  RETURN  count(n) AS c", NEO4J),
    _f("MATCH  (n:Compound)  CALL  (n)  {  MATCH (n)-->(g:Gene)  RETURN  g  }  RETURN  g.curie AS g", NEO4J),
    _f("CYPHER  5  MATCH  (n:Compound)  RETURN  count(n) AS c", NEO4J),
]

# Inserted between chunks. Comments here carry write keywords that must not count.
SEPARATORS = (
    " ", "  ", "\t", "\n", "\r\n", " \n\t ", "\u00a0", "\u2003", "\u3000", "\u2028", "\u202f",
    "/* CREATE (x) */", "/**/", " // DETACH DELETE n\n", "/* multi\nline MERGE */ ", "\n// EXPORT DATABASE 'x'\n",
)
ASCII_SPACE = (" ", "\t", "\n", "  ")
PREAMBLE = frozenset({"EXPLAIN", "PROFILE", "CYPHER", "5"})
# Reading clauses put before mid-statement writes: keywords inside strings and as names.
PREFIXES = (
    "MATCH (m:Compound) WHERE m.name <> 'SET x = 1' WITH count(m) AS delete",
    "WITH {set: 1, create: 'CREATE (n)'} AS merge",
    "OPTIONAL MATCH (m:Compound {curie: 'EXPORT DATABASE'}) WITH m AS copy",
    'UNWIND ["LOAD CSV", "CALL apoc.create.node"] AS load',
)

_KEYWORD = re.compile(r"\b[A-Z][A-Z_]+\b")


@dataclass(frozen=True)
class Case:
    """One generated statement and the form it came from."""

    text: str
    form: Form


def _random_case(rng: random.Random, chunk: str) -> str:
    """Keywords (all-caps words outside quotes) in random case; the rest unchanged."""
    parts = re.split(r"('(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"|`[^`]*`)", chunk)
    out = []
    for i, part in enumerate(parts):
        if i % 2 == 0:
            part = _KEYWORD.sub(lambda m: "".join(rng.choice((c.lower(), c.upper())) for c in m.group()), part)
        out.append(part)
    return "".join(out)


def _variant(rng: random.Random, form: Form, folder: str) -> str:
    chunks = [(c, _random_case(rng, c.replace("{dir}", folder))) for c in form.chunks]
    if form.mid and rng.random() < 0.5:
        chunks.insert(0, ("", rng.choice(PREFIXES)))
    text = chunks[0][1]
    for (before, _), (_, chunk) in itertools.pairwise(chunks):
        # Neo4j's pre-parser reads EXPLAIN / PROFILE / CYPHER options with ASCII whitespace only.
        text += rng.choice(ASCII_SPACE if before in PREAMBLE else SEPARATORS) + chunk
    # LadybugDB refuses a comment before EXPLAIN/PROFILE, so those only get whitespace in front.
    leads = ("", " ", "\n") if form.chunks[0] in ("EXPLAIN", "PROFILE") else ("", " ", "\n", "/* x */")
    lead, trail = rng.choice(leads), rng.choice(("", " ", ";", "\n", "\t"))
    return lead + text + trail


def write_corpus(folder: str = "/nonexistent/kg-readonly-fuzz", dialect: str | None = None) -> list[Case]:
    """``WRITE_VARIANTS`` variants of every write form (of ``dialect``, or all), from a fixed seed."""
    rng = random.Random(SEED)
    forms = [f for f in WRITES if dialect is None or dialect in f.dialects]
    return [Case(_variant(rng, f, folder), f) for f in forms for _ in range(WRITE_VARIANTS)]


def read_corpus(dialect: str | None = None) -> list[Case]:
    """``READ_VARIANTS`` variants of every read form (of ``dialect``, or all), from a fixed seed."""
    rng = random.Random(SEED + 1)
    forms = [f for f in READS if dialect is None or dialect in f.dialects]
    return [Case(_variant(rng, f, ""), f) for f in forms for _ in range(READ_VARIANTS)]
