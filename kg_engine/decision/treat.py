"""``kg treat``: treatment options for a disease, each with what to watch for.

Curated disease-modifying indications (``treats``) come first, then symptomatic ones
(``ameliorates_condition``), then compounds the treats ranker predicts (marked ``predicted``, with their score
and supporting graph paths). Every option carries its side effects (SIDER frequencies where loaded, most
frequent first), its interactions with the patient's current drugs, its pharmacologic classes, and the
disease's non-indications are listed apart. Research output, not clinical advice.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pandas as pd

from cypher.identifiers import quote_identifier as q
from kg_engine.decision.common import ResolveError, finish, flatten_sources, resolve
from kg_engine.errors import KgError

if TYPE_CHECKING:
    from kg_engine.engine import Engine

SIDE_EFFECTS_SHOWN = 10
KINDS = (("treats", "disease-modifying"), ("ameliorates_condition", "symptomatic"))


def treatment_options(kg: Engine, disease: str, current: list[str], avoid_class: str | None,
                      top: int = 10) -> dict[str, Any]:
    """The answer of ``kg treat`` as a JSON-ready dict (see the module docstring)."""
    target = resolve(kg, disease, "Disease", prefer=lambda cs: _indication_counts(kg, cs))
    drugs = [resolve(kg, d, "Compound") for d in current]
    notes: list[str] = []
    sources: set[str] = set()
    options: list[dict[str, Any]] = []
    for predicate, kind in KINDS:
        rows = _indications(kg, predicate, target.curie)
        sources |= flatten_sources(rows["sources"])
        options += [{"curie": r.curie, "name": r.name, "kind": kind, "predicted": False, "score": None,
                     "curation": {"n_resources": _int(r.n_resources), "n_curators": _int(r.n_curators)},
                     "edge_sources": sorted(r.sources or [])} for r in rows.itertuples()]
    non = kg.query("MATCH (c:Compound)-[r:not_indicated_for]->(d:Disease {curie: $d}) "
                   "RETURN c.curie AS curie, c.name AS name, r.sources AS sources", {"d": target.curie})
    sources |= flatten_sources(non["sources"])
    known = {o["curie"] for o in options} | set(non["curie"])
    options += _predicted(kg, target.curie, known, top, notes)
    classes = _classes(kg, [o["curie"] for o in options])
    excluded: list[dict[str, Any]] = []
    if avoid_class:
        wanted = _class_filter(kg, avoid_class)
        keep = []
        for o in options:
            hit = [c for c in classes.get(o["curie"], []) if c["curie"] in wanted]
            (excluded if hit else keep).append({**o, "reason": f"in class {hit[0]['name']}"} if hit else o)
        options = keep
    options = _limit(options, top)
    curies = [o["curie"] for o in options]
    side = _side_effects(kg, curies, notes)
    ddi = _interactions(kg, curies, [d.curie for d in drugs])
    for o in options:
        o["pharmacologic_classes"] = classes.get(o["curie"], [])
        effects = side.get(o["curie"], [])
        o["side_effect_count"] = len(effects)
        o["side_effects"] = effects[:SIDE_EFFECTS_SHOWN]
        o["interactions_with_current_drugs"] = ddi.get(o["curie"], [])
        o["current_drug"] = o["curie"] in {d.curie for d in drugs}
        sources |= {s for i in o["interactions_with_current_drugs"] for s in i["sources"]}
    if any(o["side_effect_count"] for o in options):
        sources |= flatten_sources(e.get("sources") for o in options for e in o["side_effects"])
    if any(o["pharmacologic_classes"] for o in options):
        sources.add("hetionet-v1.0")
    body = {
        "disease": target.as_dict(),
        "current_drugs": [d.as_dict() for d in drugs],
        "avoid_class": avoid_class,
        "treatments": options,
        "non_indications": [{"curie": r.curie, "name": r.name} for r in non.sort_values("name").itertuples()],
        "excluded": [{"curie": o["curie"], "name": o["name"], "kind": o["kind"], "reason": o["reason"]}
                     for o in excluded],
    }
    return finish(kg, "treat", body, sources, notes)


def _indications(kg: Engine, predicate: str, disease: str) -> pd.DataFrame:
    """Curated indications, best supported first (PharmacotherapyDB resources and curators), then by name."""
    base = (f"MATCH (c:Compound)-[r:{q(predicate)}]->(d:Disease {{curie: $d}}) "
            "RETURN c.curie AS curie, c.name AS name, r.sources AS sources")
    try:
        rows = kg.query(base + ", r.n_resources AS n_resources, r.n_curators AS n_curators", {"d": disease})
    except KgError:  # indications not loaded: Hetionet's edges carry no curation counts
        rows = kg.query(base, {"d": disease}).assign(n_resources=None, n_curators=None)
    rows = rows.assign(_r=pd.to_numeric(rows["n_resources"]).fillna(0), _c=pd.to_numeric(rows["n_curators"]).fillna(0),
                       _n=rows["name"].str.lower())
    return rows.sort_values(["_r", "_c", "_n"], ascending=[False, False, True])


def _int(value: Any) -> int | None:
    return None if value is None or pd.isna(value) else int(value)


def _limit(options: list[dict[str, Any]], top: int) -> list[dict[str, Any]]:
    """At most ``top`` options of each kind, curated kinds in their order first."""
    out: list[dict[str, Any]] = []
    for kind in ("disease-modifying", "symptomatic", "predicted"):
        out += [o for o in options if o["kind"] == kind][:top]
    return out


def _indication_counts(kg: Engine, curies: list[str]) -> dict[str, int]:
    rows = kg.query("MATCH (c:Compound)-[r]->(d:Disease) WHERE d.curie IN $ds RETURN d.curie AS curie, count(r) AS n",
                    {"ds": curies})
    return dict(zip(rows["curie"], rows["n"].astype(int), strict=True))


def _side_effects(kg: Engine, curies: list[str], notes: list[str]) -> dict[str, list[dict[str, Any]]]:
    """Side effects per compound, most frequent first (SIDER's highest lower bound, then upper bound)."""
    if not curies:
        return {}
    base = ("MATCH (c:Compound)-[r:has_side_effect]->(s:SideEffect) WHERE c.curie IN $cs "
            "RETURN c.curie AS compound, s.curie AS curie, s.name AS name, r.sources AS sources")
    try:
        rows = kg.query(base + ", r.frequency AS frequency, r.frequency_lower AS lower, r.frequency_upper AS upper",
                        {"cs": curies})
    except KgError:
        rows = kg.query(base, {"cs": curies}).assign(frequency=None, lower=None, upper=None)
        notes.append("side-effect frequencies are not loaded (kg load sider)")
    rows = rows.assign(lower=pd.to_numeric(rows["lower"]), upper=pd.to_numeric(rows["upper"]))
    rows = rows.sort_values(["compound", "lower", "upper", "name"], ascending=[True, False, False, True],
                            na_position="last")
    out: dict[str, list[dict[str, Any]]] = {}
    for r in rows.itertuples():
        out.setdefault(r.compound, []).append({
            "curie": r.curie, "name": r.name, "frequency": r.frequency if isinstance(r.frequency, str) else None,
            "lower": None if pd.isna(r.lower) else float(r.lower),
            "upper": None if pd.isna(r.upper) else float(r.upper), "sources": sorted(r.sources or [])})
    return out


def _interactions(kg: Engine, curies: list[str], current: list[str]) -> dict[str, list[dict[str, Any]]]:
    if not curies or not current:
        return {}
    try:
        rows = kg.query("MATCH (a:Compound)-[r:interacts_with]-(b:Compound) WHERE a.curie IN $cs AND b.curie IN $cur "
                        "RETURN a.curie AS a, b.curie AS b, b.name AS name, r.sources AS sources",
                        {"cs": curies, "cur": current})
    except KgError:
        return {}
    out: dict[str, list[dict[str, Any]]] = {}
    for r in rows.drop_duplicates(["a", "b"]).itertuples():
        out.setdefault(r.a, []).append({"with": r.b, "name": r.name, "sources": sorted(r.sources or [])})
    return out


def _classes(kg: Engine, curies: list[str]) -> dict[str, list[dict[str, str]]]:
    if not curies:
        return {}
    rows = kg.query("MATCH (p:PharmacologicClass)-[:has_member]->(c:Compound) WHERE c.curie IN $cs "
                    "RETURN c.curie AS compound, p.curie AS curie, p.name AS name", {"cs": curies})
    out: dict[str, list[dict[str, str]]] = {}
    for r in rows.sort_values("name").itertuples():
        out.setdefault(r.compound, []).append({"curie": r.curie, "name": r.name})
    return out


def _class_filter(kg: Engine, text: str) -> set[str]:
    """CURIEs of the pharmacologic classes ``text`` names: a CURIE, or a case-insensitive part of a name."""
    rows = kg.query("MATCH (p:PharmacologicClass) RETURN p.curie AS curie, p.name AS name")
    needle = text.strip().lower()
    hits = {c for c, n in zip(rows["curie"], rows["name"], strict=True)
            if c.lower() == needle or needle in str(n).lower()}
    if not hits:
        import difflib

        close = difflib.get_close_matches(needle, [str(n).lower() for n in rows["name"]], n=5, cutoff=0.5)
        hint = f"; closest: {', '.join(close)}" if close else ""
        raise ResolveError(f"unknown pharmacologic class {text!r}{hint}")
    return hits


def _predicted(kg: Engine, disease: str, known: set[str], top: int, notes: list[str]) -> list[dict[str, Any]]:
    """Candidates from the newest ``treats`` checkpoint, not already indicated; a note when none can be had."""
    try:
        from kg_engine.gnn import checkpoint
        from kg_engine.gnn.jobs import predict

        checkpoint.latest(kg.settings.home, "treats")  # fails fast, before the graph is read
        graph = kg.store.to_pyg(split_qualifiers=True)
        result = predict(kg.settings.home, graph, "treats", disease, top + len(known))
        frame = result[0] if isinstance(result, tuple) else result  # (frame, number known) in newer versions
    except (KgError, FileNotFoundError, RuntimeError, KeyError, ValueError) as exc:
        notes.append(f"no predicted candidates: the treats ranker is unavailable ({_first_line(exc)}); "
                     "train one with `kg train gnn --task treats`")
        return []
    frame = frame[~frame["known"] & ~frame["curie"].isin(known)].head(top)
    if len(frame):
        notes.append("predicted candidates are hypotheses ranked by the treats GNN, not indications; the paths "
                     "shown are graph context, not evidence of efficacy")
    names = _names(kg, frame["curie"].tolist())
    paths = supporting_paths(kg, frame["curie"].tolist(), disease)
    return [{"curie": c, "name": names.get(c, c), "kind": "predicted", "predicted": True, "score": float(s),
             "rank": int(rk), "paths": paths.get(c, []), "edge_sources": []}
            for c, s, rk in zip(frame["curie"], frame["score"], frame["rank"], strict=True)]


def supporting_paths(kg: Engine, compounds: list[str], disease: str, per: int = 3) -> dict[str, list[str]]:
    """Short graph paths from each compound to the disease: shared genes, similar compounds that treat it."""
    if not compounds:
        return {}
    patterns = (
        ("MATCH (c:Compound)-[:directly_physically_interacts_with]->(g:Gene)<-[:condition_associated_with_gene]-"
         "(d:Disease {curie: $d}) WHERE c.curie IN $cs RETURN c.curie AS c, g.name AS via LIMIT 500",
         "binds {via}, a gene associated with the disease"),
        ("MATCH (c:Compound)-[:chemically_similar_to]-(o:Compound)-[:treats]->(d:Disease {curie: $d}) "
         "WHERE c.curie IN $cs RETURN c.curie AS c, o.name AS via LIMIT 500",
         "resembles {via}, which treats the disease"),
    )
    out: dict[str, list[str]] = {}
    for cypher, text in patterns:
        rows = kg.query(cypher, {"d": disease, "cs": compounds})
        for c, via in zip(rows["c"], rows["via"], strict=True):
            if len(out.setdefault(c, [])) < per:
                out[c].append(text.format(via=via))
    return out


def _names(kg: Engine, curies: list[str]) -> dict[str, str]:
    rows = kg.query("MATCH (c:Compound) WHERE c.curie IN $cs RETURN c.curie AS curie, c.name AS name", {"cs": curies})
    return dict(zip(rows["curie"], rows["name"], strict=True))


def _first_line(exc: BaseException) -> str:
    return (str(exc).splitlines() or [type(exc).__name__])[0][:160]
