"""Relation-extraction jobs: load the extractor, train and select the CID model, evaluate it end to end."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal, cast

from spacy.language import Language

from ingest.linking import LINKER, AliasLinker
from ingest.pipeline import Extractor
from ingest.readers import raise_errors, read_any
from ingest.records import Document, Mention
from ingest.relation_model import CidModel
from ingest.relation_train import (
    FOLDS,
    Example,
    candidate_recall,
    cid_scores,
    cross_validate,
    examples,
    fit,
    gold_document,
    gold_mentions,
    pair_scores,
    retired_ids,
    select,
    selection_table,
    with_ids,
)
from ingest.relations import RelationExtractor, packaged_relation_dir
from kg_engine.config import Settings
from ontologies.kb import AliasIndex
from ontologies.mesh import MeshTree

TRAIN = Path("bc5cdr") / "CDR_TrainingSet.PubTator.txt"
DEV = Path("bc5cdr") / "CDR_DevelopmentSet.PubTator.txt"
CAUSES = "biolink:causes"
Status = Callable[[str], None]
MentionSource = Literal["predicted", "gold"]


def mesh_tree(settings: Settings) -> MeshTree:
    """The MeSH descriptor hierarchy from the datasets folder."""
    return MeshTree.from_tsv(settings.resolve_data_dir() / "vocab" / "mesh_descriptors.tsv")


def load_relations(settings: Settings, relation_dir: Path | None = None) -> RelationExtractor:
    """The relation extractor: the CID model (default: the packaged one) and the MeSH hierarchy."""
    return RelationExtractor(CidModel.load(relation_dir or packaged_relation_dir()), mesh_tree(settings))


def train_relations(settings: Settings, nlp: Language, out_dir: Path, mentions: MentionSource = "predicted",
                    refit: bool = True, ner_model: str = "packaged", status: Status = lambda _: None) -> Path:
    """Fit on BC5CDR train, select C and threshold by end-to-end dev F1, optionally refit on train+dev.

    Args:
        settings: Where the datasets are.
        nlp: The literature pipeline (without relations) whose predicted mentions make the candidates.
        out_dir: Where the model and its card go.
        mentions: Train on the pipeline's predicted mentions or on the corpus's gold mentions (dev is
            always scored end to end, on predicted mentions).
        refit: After selection, refit on train+dev with the chosen settings (the dev scores in the card
            are then those of the train-only selection model).
        ner_model: How the NER model was given, for the card.
        status: Progress messages.
    """
    data = settings.resolve_data_dir()
    tree = mesh_tree(settings)
    started = time.perf_counter()
    annotated_dev = _read(data / DEV)
    train_docs, dev_docs = _current_ids(nlp, _read(data / TRAIN)), _current_ids(nlp, annotated_dev)
    status(f"running the pipeline on {len(train_docs)} train and {len(dev_docs)} dev abstracts")
    train = examples(_mention_pairs(nlp, train_docs, mentions), tree)
    dev = examples(_mention_pairs(nlp, dev_docs, "predicted"), tree)
    version = "cid-" + datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    status("selecting C and threshold on dev")
    model, chosen, points = select(train, dev, version)
    status(f"{FOLDS}-fold check: train + the other folds of dev")
    folded = cross_validate(train, dev, chosen.c, model.threshold)
    folded_scores = {"current_mesh": cid_scores(dev, folded),
                     "as_annotated": pair_scores({d.id: gold_document(d).pairs for d in annotated_dev}, folded)}
    if refit:
        status("refitting on train+dev")
        model = fit([*train, *_examples_as_training(nlp, dev_docs, mentions, tree, dev)], chosen.c,
                    model.threshold, version)
    card = _card(version, mentions, refit, ner_model, chosen.c, model.threshold, chosen.scores, points,
                 candidate_recall(dev), time.perf_counter() - started)
    card["kb_curated"] = settings.curated  # KG_CURATED: which splits' annotations the linker's aliases had
    card["dev_cross_validated"] = {
        **folded_scores, "how": f"C and threshold fixed at the selected values; each fifth of dev scored by a "
                                f"model fitted on train plus the other {FOLDS - 1} fifths (like the refit)"}
    return model.save(out_dir, card)


def evaluate_relations(nlp: Language, corpus: Path, workers: int = 1) -> dict[str, Any]:
    """End-to-end document-level CID scores of the pipeline's relations on a gold corpus."""
    documents = _read(corpus)
    started = time.perf_counter()
    extractions = list(Extractor(nlp, n_process=workers).extract(documents))
    seconds = time.perf_counter() - started
    gold = {ex.document.id: gold_document(ex.document).pairs for ex in extractions}
    mapping = retired_ids(documents, _index(nlp))
    current = {d.id: gold_document(with_ids(d, mapping)).pairs for d in documents}
    predicted = {ex.document.id: {(r.subject, r.object) for r in ex.relations if r.predicate == CAUSES}
                 for ex in extractions}
    counts: dict[str, int] = {}
    for ex in extractions:
        for r in ex.relations:
            counts[r.predicate] = counts.get(r.predicate, 0) + 1
    return {"corpus": str(corpus), "documents": len(documents), "level": "document, end to end (predicted mentions)",
            "cid": pair_scores(gold, predicted),
            "cid_current_mesh": {**pair_scores(current, predicted), "retired_ids_mapped": len(mapping)},
            "relations_by_predicate": dict(sorted(counts.items())),
            "docs_per_second": round(len(documents) / seconds, 2)}


def _index(nlp: Language) -> AliasIndex:
    """The alias index of the pipeline's linker."""
    index = cast(AliasLinker, nlp.get_pipe(LINKER)).index
    assert index is not None
    return index


def _current_ids(nlp: Language, documents: list[Document]) -> list[Document]:
    """Documents whose retired gold MeSH ids are mapped to current ones (see ``retired_ids``)."""
    mapping = retired_ids(documents, _index(nlp))
    return [with_ids(d, mapping) for d in documents]


def _read(path: Path) -> list[Document]:
    return list(read_any(path, raise_errors))


def _mention_pairs(nlp: Language, documents: Sequence[Document], mentions: MentionSource
                   ) -> list[tuple[Document, list[Mention]]]:
    if mentions == "gold":
        split = _sentence_splitter(nlp)
        return [(d, gold_mentions(d, split)) for d in documents]
    return [(ex.document, ex.mentions) for ex in Extractor(nlp).extract(documents)]


def _examples_as_training(nlp: Language, documents: Sequence[Document], mentions: MentionSource, tree: MeshTree,
                          predicted: list[Example]) -> list[Example]:
    """Dev documents as training examples, from the same kind of mentions the training split used."""
    return predicted if mentions == "predicted" else examples(_mention_pairs(nlp, documents, mentions), tree)


def _sentence_splitter(nlp: Language) -> Callable[[str], list[tuple[int, int]]]:
    def split(text: str) -> list[tuple[int, int]]:
        with nlp.select_pipes(enable=["sentencizer"]):
            return [(s.start_char, s.end_char) for s in nlp(text).sents]

    return split


def _card(version: str, mentions: str, refit: bool, ner_model: str, c: float, threshold: float,
          dev: dict[str, float | int], points: Sequence[Any], recall_ceiling: float, seconds: float) -> dict[str, Any]:
    return {
        "name": "chemical-induces-disease (biolink:causes)", "version": version,
        "command": f"kg train relations --mentions {mentions}" + ("" if refit else " --no-refit")
                   + ("" if ner_model == "packaged" else f" --ner-model {ner_model}"),
        "data": {"train": str(TRAIN), "dev": str(DEV), "refit_on": [str(TRAIN), str(DEV)] if refit else None},
        "training_mentions": mentions, "ner_model": ner_model, "seed": None,
        "gold_ids": "retired MeSH ids mapped to the current concept their annotated mentions name (retired_ids)",
        "deterministic": "lbfgs logistic regressions, GroupKFold without shuffling: no random state",
        "model": "two stacked logistic regressions (scikit-learn) over candidate-pair features and corpus priors; "
                 "weights stored as JSON",
        "selected": {"C": c, "threshold": threshold},
        "dev_scores": {"level": "document-level CID pairs, end to end (predicted mentions and ids)", **dev},
        "dev_candidate_recall": recall_ceiling,
        "selection": selection_table(points),
        "note": "dev_scores come from the selection model fitted on train only"
                + ("; the saved model was refit on train+dev, so its own dev score says nothing" if refit else ""),
        "train_seconds": round(seconds, 1),
    }
