"""What every decision-support answer shares: resolving names to nodes, sources with licences, the disclaimer.

Names resolve through the store grounder that ``kg ask`` uses (names, vocabulary synonyms, typos). A CURIE
must name a stored node of the wanted category. A name that reaches no node, or several nodes that the
caller's ``prefer`` function cannot tell apart, raises :class:`ResolveError` listing the closest names — the
CLI prints it as one line and exits non-zero.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from cypher.identifiers import quote_identifier as q
from kg_engine.errors import KgError

if TYPE_CHECKING:
    from kg_engine.engine import Engine

DISCLAIMER = ("Research output computed from public knowledge graphs and literature; it is not clinical advice "
              "and must not guide the treatment of a patient.")


class ResolveError(KgError):
    """A name or CURIE that reaches no node (or several) of the category asked for."""

    exit_code = 2


class DecisionInputError(KgError):
    """Input a decision command cannot work with (an empty gene list, a single drug)."""

    exit_code = 2


@dataclass(frozen=True, slots=True)
class Resolved:
    """A node a user's text was resolved to, and how (``curie``, ``exact``, ``fuzzy``, ``minilm``)."""

    text: str
    curie: str
    name: str
    category: str
    how: str

    def as_dict(self) -> dict[str, str]:
        """Plain dict for JSON."""
        return {"query": self.text, "curie": self.curie, "name": self.name, "category": self.category,
                "matched_by": self.how}


def resolve(kg: Engine, text: str, category: str,
            prefer: Callable[[list[str]], dict[str, int]] | None = None) -> Resolved:
    """The one stored node of ``category`` that ``text`` (a name or a CURIE) names.

    Args:
        kg: the engine.
        text: what the user typed.
        category: the node category wanted (``Compound``, ``Disease``, ``Gene``...).
        prefer: CURIEs -> a score per CURIE (e.g. how many relevant edges each has); among several exact
            matches the single best-scoring one wins.

    Raises:
        ResolveError: unknown or ambiguous, with the closest names.
    """
    text = text.strip()
    if not text:
        raise ResolveError(f"empty {category.lower()} name")
    if ":" in text and " " not in text:
        frame = kg.store.query(f"MATCH (n:{q(category)} {{curie: $c}}) RETURN n.name AS name", {"c": text})
        if len(frame):
            return Resolved(text, text, str(frame["name"].iloc[0] or text), category, "curie")
        raise ResolveError(f"no {category} {text} in the store{_suggest(kg, text, category)}")
    grounder = kg.asker().grounder
    hits = [e for e in grounder.exact(text) if e.category == category]
    how = "exact"
    if not hits:
        hits = [e for e in grounder.fuzzy(text) if e.category == category]
        how = hits[0].how if hits else how
    if not hits:
        raise ResolveError(f"unknown {category.lower()} {text!r}{_suggest(kg, text, category)}")
    if len(hits) > 1:
        hits = _best(text, hits, prefer)
    if len(hits) > 1:
        names = "; ".join(f"{e.name} ({e.curie})" for e in hits[:6])
        raise ResolveError(f"{text!r} is ambiguous: {names} — give a CURIE")
    e = hits[0]
    return Resolved(text, e.curie, e.name, e.category, how)


def _best(text: str, hits: list[Any], prefer: Callable[[list[str]], dict[str, int]] | None) -> list[Any]:
    """The one node whose own name (not a synonym) matches, else the ``prefer`` winners."""
    from cypher.nl import normalize
    from kg_engine.query.grounding import alias_variants

    named = [e for e in hits if normalize(text) in alias_variants(e.name, e.category)]
    if len({e.curie for e in named}) == 1:
        return named[:1]
    hits = named or hits
    if prefer is None:
        return hits
    scores = prefer([e.curie for e in hits])
    top = max(scores.values(), default=0)
    best = [e for e in hits if scores.get(e.curie, 0) == top]
    return best if top > 0 else hits


def _suggest(kg: Engine, text: str, category: str, n: int = 5) -> str:
    frame = kg.store.query(f"MATCH (n:{q(category)}) RETURN n.curie AS curie, n.name AS name")
    names = {str(name): str(curie) for curie, name in zip(frame["curie"], frame["name"], strict=True) if name}
    lowered = {k.lower(): k for k in names}
    close = difflib.get_close_matches(text.lower(), list(lowered), n=n, cutoff=0.5)
    if not close:
        return ""
    return "; closest: " + ", ".join(f"{lowered[c]} ({names[lowered[c]]})" for c in close)


def split_list(value: str | Sequence[str] | None) -> list[str]:
    """``"a,b, c"`` or ``["a", "b,c"]`` -> ``["a", "b", "c"]`` (empty items dropped)."""
    if value is None:
        return []
    items = [value] if isinstance(value, str) else list(value)
    return [p.strip() for item in items for p in item.split(",") if p.strip()]


def source_records(kg: Engine, names: Iterable[str]) -> list[dict[str, str | None]]:
    """Each source name used by an answer with its licence (from ``ontologies/schema.yaml``'s ``sources``)."""
    from ontologies import load_schema

    schema = load_schema()
    known = {str(spec.get("name")): spec for spec in schema.sources.values() if isinstance(spec, dict)}
    out = []
    for name in sorted(set(names)):
        spec = known.get(name) or next((s for n, s in known.items() if name.startswith(n)), None)
        if spec is None and name == "pubmed":
            spec = known.get("literature")
        out.append({"source": name, "licence": (spec or {}).get("licence")})
    return out


def envelope(kind: str, body: dict[str, Any], sources: Iterable[str], notes: list[str]) -> dict[str, Any]:
    """The common frame of every answer: what it is, its content, its sources, notes and the disclaimer."""
    return {"kind": kind, **body, "sources": sorted(set(sources)), "notes": notes, "disclaimer": DISCLAIMER}


def finish(kg: Engine, kind: str, body: dict[str, Any], sources: Iterable[str], notes: list[str]) -> dict[str, Any]:
    """:func:`envelope` with the sources expanded to ``{source, licence}`` records."""
    answer = envelope(kind, body, sources, notes)
    answer["sources"] = source_records(kg, answer["sources"])
    return answer


def flatten_sources(values: Iterable[Any]) -> set[str]:
    """Every source name in a column of ``sources`` lists (or single names)."""
    out: set[str] = set()
    for v in values:
        if isinstance(v, str):
            out.add(v)
        elif v is not None:
            out.update(str(s) for s in v)
    return out
