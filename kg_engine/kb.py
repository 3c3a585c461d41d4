"""The linker's knowledge base under ``$KG_HOME/kb``: built once from the vocabularies, then loaded."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from ingest.dictionary import dictionary_terms
from ingest.fuzzy import FuzzyLinker
from ingest.readers import read_pubtator
from kg_engine.config import Settings
from ontologies.kb import AliasIndex, build_concepts

KB_VERSION = "aliases-v4"  # the alias index and what is derived from it (fuzzy index, dictionary)
# Entity types that get a fuzzy (char-3-gram) stage, and its similarity threshold, chosen on BC5CDR dev:
# chemical names and gene symbols are either exact or wrong when fuzzy, disease phrasings vary.
FUZZY_TYPES = {"Disease": 0.85}
# Annotated corpora whose mention -> MeSH links become curated aliases, by split. Settings.curated
# "train" uses the train splits only (evaluations on the development splits need that), "all" both.
CURATED_CORPORA = {
    "train": ("bc5cdr/CDR_TrainingSet.PubTator.txt", "ncbi_disease/NCBItrainset_corpus.txt"),
    "dev": ("bc5cdr/CDR_DevelopmentSet.PubTator.txt", "ncbi_disease/NCBIdevelopset_corpus.txt"),
}
# Of those, the ones annotating both chemicals and diseases show the dictionary which names are rarely mentions.
DICTIONARY_CORPUS_DIR = "bc5cdr/"

Status = Callable[[str], None]


def kb_name(settings: Settings) -> str:
    """The knowledge base's version and curated splits, e.g. ``aliases-v4`` or ``aliases-v4-train``."""
    return KB_VERSION if settings.curated == "all" else f"{KB_VERSION}-{settings.curated}"


def kb_path(settings: Settings) -> Path:
    """Where the alias index is cached."""
    return settings.home / "kb" / f"{kb_name(settings)}.pkl"


def _splits(settings: Settings) -> tuple[str, ...]:
    return ("train",) if settings.curated == "train" else ("train", "dev")


def _derived(settings: Settings, what: str) -> Path:
    """Where something built from the alias index is cached, next to it (``aliases-v4-dictionary.json``)."""
    return kb_path(settings).with_name(f"{kb_name(settings)}-{what}")


def load_or_build(settings: Settings, status: Status = lambda _: None, rebuild: bool = False) -> AliasIndex:
    """Load the cached index, building (and caching) it first when missing or when ``rebuild``."""
    path = kb_path(settings)
    if path.is_file() and not rebuild:
        status(f"loading knowledge base {path}")
        return AliasIndex.load(path)
    return _build(settings, path, status)


def load_fuzzy(settings: Settings, index: AliasIndex, status: Status = lambda _: None) -> dict[str, FuzzyLinker]:
    """The fuzzy stage of each type in ``FUZZY_TYPES``, built next to the alias index on first use."""
    linkers = {}
    for etype, threshold in FUZZY_TYPES.items():
        folder = _derived(settings, f"fuzzy-{etype}")
        if not (folder / "index.bin").is_file():
            status(f"building the fuzzy {etype} index (once)")
            FuzzyLinker.build(index.aliases(etype), folder)
        linkers[etype] = FuzzyLinker.load(folder, threshold)
    return linkers


def load_dictionary(settings: Settings, index: AliasIndex, status: Status = lambda _: None) -> dict[str, str]:
    """The disease and drug names of ``ingest.dictionary``, built next to the alias index on first use."""
    path = _derived(settings, "dictionary.json")
    if not path.is_file():
        status("building the name dictionary (once)")
        data = settings.resolve_data_dir()
        corpora = [data / rel for split in _splits(settings) for rel in CURATED_CORPORA[split]
                   if rel.startswith(DICTIONARY_CORPUS_DIR)]
        annotated = (doc for corpus in corpora if corpus.is_file()
                     for doc in read_pubtator(corpus, on_error=lambda _: None))
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(dictionary_terms(index, annotated)), encoding="utf-8")
        tmp.replace(path)
    return json.loads(path.read_text(encoding="utf-8"))


def _build(settings: Settings, path: Path, status: Status) -> AliasIndex:
    data = settings.resolve_data_dir()
    status("building knowledge base from MeSH, DrugBank, DOID and HGNC (once; cached afterwards)")
    started = time.perf_counter()
    concepts = build_concepts(data / "vocab", curated_aliases(data, _splits(settings)))
    index = AliasIndex(concepts)
    index.save(path)
    _derived(settings, "dictionary.json").unlink(missing_ok=True)  # stale too
    for etype in FUZZY_TYPES:  # stale once the aliases change
        FuzzyLinker.build(index.aliases(etype), _derived(settings, f"fuzzy-{etype}"))
    status(f"knowledge base: {len(index.links):,} concepts, {len(index.exact):,} aliases "
           f"in {time.perf_counter() - started:.0f} s -> {path}")
    return index


def curated_aliases(data_dir: Path, splits: tuple[str, ...] = ("train",)) -> Iterator[tuple[str, str, str]]:
    """(type, mention text, MeSH CURIE) from the annotated corpora of ``splits`` that are present."""
    for rel in (rel for split in splits for rel in CURATED_CORPORA[split]):
        path = data_dir / rel
        if not path.is_file():
            continue
        for doc in read_pubtator(path, on_error=lambda _: None):
            for m in doc.meta["gold_mentions"]:
                if m.curie and "|" not in m.curie and m.curie.startswith(("D", "C")):
                    yield m.type, m.text, f"MESH:{m.curie}"
