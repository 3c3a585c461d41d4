"""Answering questions: natural language -> plan -> Cypher -> rows, and ``nl()`` / ``kg.link()`` in Cypher.

``Asker`` holds what a question needs once per process (the grounder, the store's edge types), so a batch
of questions pays the start-up once. Every statement it runs is compiled from a plan, checked read-only,
``EXPLAIN``-checked on the store once per plan shape (the statement text: values are parameters) and run
under a row cap and a timeout through ``GraphStore.query(..., timeout_s=, max_rows=)``, on either backend.
"""

from __future__ import annotations

import hashlib
import pickle
import re
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from cypher.dialect import dialect_for
from cypher.nl_build import Parse, Triple, parse
from cypher.plan import MAX_ROWS, Plan, edge_rules
from cypher.plan_compile import Compiled, compile_plan
from cypher.readonly import write_clauses
from kg_engine.errors import QueryError, ReadOnlyError
from kg_engine.query.grounding import StoreGrounder
from ontologies import load_schema

TIMEOUT_S = 10.0
CHECKED_SHAPES = 4096  # EXPLAIN-checked statement texts remembered per Asker
GROUNDER_VERSION = 3  # bump when the alias forms change: cached grounders are rebuilt
DOCUMENTS = frozenset({"Publication", "ClinicalNote"})  # nodes that are texts, not entities a question names
NOTHING_TO_GROUND = ("the graph holds no named entities to ground the question to: load a graph first "
                     "(`kg load hetionet`, `kg load indications`, or abstracts with `kg ingest literature FILE`)")
_HYBRID = re.compile(r"""\b(nl|kg\.link)\(\s*("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')\s*\)""")
Ranker = Callable[[Plan, Parse], list[dict[str, Any]]]


class Asker:
    """Questions over one store: grounding, parsing, compiling and running, read-only."""

    def __init__(self, store: Any, backend: str, cache_dir: Path | None, vocab_dir: Path | None,
                 row_cap: int = MAX_ROWS, timeout_s: float = TIMEOUT_S, home: Path | None = None) -> None:
        self.store = store
        self.dialect = dialect_for(backend)
        self.row_cap = row_cap
        self.timeout_s = timeout_s
        self._checked: set[str] = set()  # statement texts (plan shapes) that passed EXPLAIN on this store
        self.available = available_triples(store)
        self.ranker: Ranker | None = None  # answers "predict" plans (the GNN ranker when ``home`` is given)
        if home is not None:
            from kg_engine.query.predict import GnnRanker

            self.ranker = GnnRanker(store, home)
        categories = grounded_categories(store, self.available)
        self.grounder = _cached_grounder(store, categories, cache_dir, vocab_dir, backend)

    def parse(self, question: str) -> Parse:
        """The plan for ``question`` or the reason there is none."""
        if not self.grounder.nodes:
            return Parse(question, None, NOTHING_TO_GROUND)
        return parse(question, self.grounder, self.available)

    def ask(self, question: str) -> dict[str, Any]:
        """The answer record ``kg ask --json`` prints."""
        parsed = self.parse(question)
        record: dict[str, Any] = {"question": question, "kind": _kind_of(parsed), "cypher": "", "params": {},
                                  "answers": [], "abstained": parsed.abstained}
        if parsed.plan is None:
            record["reason"] = parsed.reason
            return record
        compiled = compile_plan(parsed.plan, self.dialect, self.row_cap)
        record.update(cypher=compiled.cypher, params=compiled.params,
                      grounded=[{"curie": e.curie, "name": e.name, "category": e.category, "how": e.how}
                                for e in parsed.entities])
        if mined := text_mined(parsed.plan):
            record["notes"] = [f"answers follow relations text-mined from abstracts ({', '.join(mined)}), not "
                               "curated ones; `kg evidence` shows the sentences behind them"]
        if parsed.plan.kind == "predict":
            record["predicted"] = True
            try:
                if self.ranker is None:
                    raise QueryError("a prediction question: no ranker is installed for predicted answers")
                record["answers"] = self.ranker(parsed.plan, parsed)
            except QueryError as exc:
                record.update(abstained=True, reason=str(exc))
            return record
        rows = self.run(compiled)
        if parsed.plan.kind == "count":
            record["count"] = int(rows["count"].iloc[0])
        elif parsed.plan.kind == "boolean":
            record["boolean"] = bool(rows["boolean"].iloc[0])
        else:
            record["answers"] = [{"curie": c, "name": n} for c, n in zip(rows["curie"], rows["name"], strict=True)]
        return record

    def run(self, compiled: Compiled) -> Any:
        """Run a compiled statement read-only, ``EXPLAIN``-checked first, with the timeout and the row cap.

        The store's driver applies both (LadybugDB: the connection's query timeout; Neo4j: the transaction's).

        Raises:
            ReadOnlyError: the statement would write (never, for a compiled plan).
            QueryError: the backend cannot plan the statement, or it ran past the timeout.
        """
        if write_clauses(compiled.cypher):
            raise ReadOnlyError("a compiled plan must never write")
        self.check(compiled)
        return self.store.query(compiled.cypher, compiled.params, timeout_s=self.timeout_s, max_rows=self.row_cap)

    def check(self, compiled: Compiled) -> None:
        """``EXPLAIN`` the statement on the store, once per statement text (a plan shape: values are parameters).

        Raises:
            QueryError: the backend cannot plan the statement.
        """
        if compiled.cypher in self._checked:
            return
        try:
            self.store.query(compiled.explain(self.dialect), compiled.params, timeout_s=self.timeout_s)
        except QueryError as exc:
            raise QueryError(f"the compiled plan does not plan on {self.dialect.name}: {exc}") from exc
        if len(self._checked) >= CHECKED_SHAPES:
            self._checked.clear()
        self._checked.add(compiled.cypher)

    def nodes(self, question: str) -> list[str]:
        """The CURIEs a list question answers (what ``nl("...")`` stands for)."""
        record = self.ask(question)
        if record["abstained"]:
            raise QueryError(f"nl({question!r}): {record['reason']}")
        if record["kind"] != "list":
            raise QueryError(f"nl({question!r}) must ask for a list of entities, not a {record['kind']}")
        return [a["curie"] for a in record["answers"]]

    def link(self, text: str) -> str:
        """The one CURIE ``text`` names (what ``kg.link("...")`` stands for)."""
        if not self.grounder.nodes:
            raise QueryError(f"kg.link({text!r}): {NOTHING_TO_GROUND}")
        found = self.grounder.find(text, limit=1)
        if not found:
            raise QueryError(f"kg.link({text!r}): no entity of the graph matches")
        return found[0].curie

    def expand(self, cypher: str, params: Mapping[str, Any] | None) -> tuple[str, dict[str, Any]]:
        """Replace each ``nl("...")`` / ``kg.link("...")`` by a parameter holding its evaluated result."""
        merged = dict(params or {})

        def substitute(match: re.Match[str]) -> str:
            func, literal = match.group(1), match.group(2)[1:-1].replace('\\"', '"').replace("\\'", "'")
            name = _fresh(merged, "nl" if func == "nl" else "link")
            merged[name] = self.nodes(literal) if func == "nl" else self.link(literal)
            return "$" + name

        return _HYBRID.sub(substitute, cypher), merged


def has_hybrid(cypher: str) -> bool:
    """True when ``cypher`` uses ``nl("...")`` or ``kg.link("...")``."""
    return bool(_HYBRID.search(cypher))


def _fresh(params: Mapping[str, Any], stem: str) -> str:
    i = 0
    while f"{stem}_{i}" in params:
        i += 1
    return f"{stem}_{i}"


def _kind_of(parsed: Parse) -> str:
    if parsed.plan is not None:
        return "list" if parsed.plan.kind == "predict" else parsed.plan.kind
    words = parsed.question.lower().split()
    if "how many" in parsed.question.lower() or "number of" in parsed.question.lower():
        return "count"
    return "boolean" if words and words[0] in {"is", "are", "does", "do", "can", "has", "was"} else "list"


def text_mined(plan: Plan) -> list[str]:
    """The literature triples (``Compound-causes-Disease`` ...) a plan walks, in plan order."""
    return [f"{r.subject}-{r.predicate}-{r.object}" for r in plan.rules() if r.source == "literature"]


def grounded_categories(store: Any, available: set[Triple]) -> list[str]:
    """The categories question phrases ground to.

    Those of the triples the store holds edges of, and those literature mentions reach: a home with only
    abstracts ingested has named Compound, Disease and Gene nodes and perhaps no relation edge at all.
    """
    from cypher.identifiers import quote_identifier as q

    found = {c for t in available for c in (t[0], t[2])}
    for category in load_schema().categories:
        if category in found or category in DOCUMENTS:
            continue
        try:
            frame = store.query(f"MATCH (:Publication)-[:mentions]->(:{q(category)}) RETURN 1 AS x LIMIT 1")
        except QueryError:  # no such relationship table: no abstract mentions one
            continue
        if len(frame):
            found.add(category)
    return sorted(found)


def available_triples(store: Any) -> set[Triple]:
    """The schema triples the store holds at least one edge of (one cheap probe per triple)."""
    from cypher.identifiers import quote_identifier as q

    found: set[Triple] = set()
    for s, p, o in edge_rules():
        try:
            frame = store.query(f"MATCH (:{q(s)})-[r:{q(p)}]->(:{q(o)}) RETURN 1 AS x LIMIT 1")
        except QueryError:
            continue
        if len(frame):
            found.add((s, p, o))
    return found


def _cached_grounder(store: Any, categories: list[str], cache_dir: Path | None,
                     vocab_dir: Path | None, backend: str = "ladybug") -> StoreGrounder:
    """Build the grounder once per store (backend, server, contents) and vocabularies; later starts read a pickle."""
    counts = [int(store.query(f"MATCH (n:`{c}`) RETURN count(n) AS c")["c"].iloc[0]) for c in categories]
    identity = (backend, getattr(store, "uri", None), categories, counts, str(vocab_dir), GROUNDER_VERSION)
    key = hashlib.sha256(repr(identity).encode()).hexdigest()[:16]
    path = cache_dir / f"grounder-{key}.pkl" if cache_dir else None
    if path is not None and path.exists():
        with path.open("rb") as fh:
            grounder: StoreGrounder = pickle.load(fh)
        return grounder
    started = time.perf_counter()
    grounder = StoreGrounder.from_store(store, categories, vocab_dir,
                                        minilm_cache=cache_dir / "minilm" if cache_dir else None)
    grounder.fuzzy("warm up the typo index")
    if path is not None and time.perf_counter() - started > 0.5:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        with tmp.open("wb") as fh:
            pickle.dump(grounder, fh, protocol=pickle.HIGHEST_PROTOCOL)
        tmp.replace(path)
    return grounder
