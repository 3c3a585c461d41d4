"""Write the ``kg ask`` dev set (``benchmarks/ask/dev.jsonl``) by running each question's hand-written Cypher.

The gold answers come from the Cypher in ``questions_*.py`` over a store holding the full Hetionet graph and
PharmacotherapyDB (``kg load hetionet && kg load indications``), never from the parser.

Usage: ``KG_HOME=/tmp/kg-ask python benchmarks/ask/make_gold.py [OUT.jsonl]``
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))

import questions_more
import questions_multi
import questions_onehop
import questions_shapes

from kg_engine import Engine

MODULES = (questions_onehop, questions_more, questions_shapes, questions_multi)


def families() -> dict[str, tuple[str, str | None, list[Any]]]:
    """Every family by lower-case name, from the question modules."""
    found = {}
    for module in MODULES:
        for name, value in vars(module).items():
            if name.isupper() and isinstance(value, tuple) and len(value) == 3:
                found[name.lower()] = value
    return found


def _entries(family: str, spec: tuple[str, str | None, list[Any]]) -> list[tuple[str, str | None, dict[str, Any]]]:
    """(question, cypher, params) of one family, whichever way its items are written."""
    _, template, items = spec
    rows = []
    for item in items:
        if isinstance(item, str):
            rows.append((item, None, {}))
        elif template is not None:
            rows.append((item[0], template, item[1]))
        else:
            rows.append((item[0], item[1], item[2] if len(item) > 2 else {}))
    return rows


def gold_line(kg: Engine, family: str, kind: str, number: int, entry: tuple[str, str | None, dict[str, Any]]
              ) -> dict[str, Any]:
    """One gold record: the question, its kind and the answers its Cypher returns."""
    question, cypher, params = entry
    line: dict[str, Any] = {"id": f"{family}-{number:02d}", "family": family, "question": question, "kind": kind}
    if cypher is None:
        line["answers"] = []
        return line
    for value in params.values():
        missing = isinstance(value, str) and ":" in value and kg.query(
            "MATCH (n {curie: $c}) RETURN n.curie", {"c": value}).empty
        if missing:
            raise SystemExit(f"{line['id']}: anchor {value} is not in the store")
    frame = kg.query(cypher, params)
    if kind == "count":
        line["count"] = int(frame["count"].iloc[0])
    elif kind == "boolean":
        line["boolean"] = bool(frame["boolean"].iloc[0])
    else:
        line["answers"] = [{"curie": c, "name": n} for c, n in zip(frame["curie"], frame["name"], strict=True)]
    return line


def main(out: Path) -> None:
    """Run every family's gold Cypher and write the JSONL dev set."""
    lines = []
    with Engine.open(read_only=True) as kg:
        for family, spec in families().items():
            for number, entry in enumerate(_entries(family, spec), start=1):
                lines.append(gold_line(kg, family, spec[0], number, entry))
    out.write_text("".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines), encoding="utf-8")
    print(json.dumps({"questions": len(lines), "out": str(out)}))


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).parent / "dev.jsonl")
