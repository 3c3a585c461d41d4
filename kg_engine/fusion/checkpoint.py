"""Fusion checkpoints: one folder with every variant's weights, the shared buffers and the graph's fingerprint.

Layout (``$KG_HOME/models/fusion-<task>-<YYYYmmdd-HHMMSS>/`` or the shipped ``kg_engine/fusion/models/<task>/``)::

    model.pt         {"buffers": node embeddings and name vectors (float16, stored once),
                      "models": {variant: state dict without the buffers}}
    config.json      task, variants' FusionConfig, schema fingerprint, HPO version, candidates per case, metrics
    MODEL_CARD.json  (shipped models) the command, data, seed and dev figures

Loading always maps tensors to the CPU first (a checkpoint trained on a GPU loads anywhere) and refuses a
graph whose schema fingerprint differs from the one recorded.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import torch

from kg_engine.errors import KgError
from kg_engine.fusion.model import FusionConfig, FusionScorer

__all__ = ["SHIPPED_DIR", "FusionBundle", "FusionCheckpointError", "find_checkpoint", "load_bundle", "save_bundle"]

SHIPPED_DIR = Path(__file__).parent / "models"
BUFFERS = ("entity_emb", "candidate_emb", "candidate_text")


class FusionCheckpointError(KgError):
    """A fusion checkpoint is missing, unreadable, or was trained on a graph with another schema."""

    exit_code = 2


@dataclass(frozen=True, slots=True)
class FusionBundle:
    """A loaded checkpoint: the variants (``fusion``, ``no_graph``, ``no_text``, …) and what they were trained on."""

    path: Path
    models: dict[str, FusionScorer]
    meta: dict[str, Any]

    @property
    def top(self) -> int:
        """Candidates re-ranked per case."""
        return int(self.meta["top"])

    @property
    def resnik_top(self) -> int:
        """Resnik's best matches added to the LR candidates (0 in checkpoints that predate them)."""
        return int(self.meta.get("resnik_top", 0))

    @property
    def series_top(self) -> int:
        """The LR top diseases whose predicted-profile series members join the candidates (0: none)."""
        return int(self.meta.get("series_top", 0))

    @property
    def default_ranker(self) -> str:
        """The ranker ``kg diagnose`` uses by default with this checkpoint: ``fusion`` or ``likelihood_ratio``.

        Recorded in ``config.json`` (and the model card) from the dev figures; ``fusion`` when absent.
        """
        return str(self.meta.get("default_ranker", "fusion"))

    @property
    def default_variant(self) -> str:
        """The variant that answers as ``fusion`` (``config.json`` ``default_variant``, else ``fusion``)."""
        variant = str(self.meta.get("default_variant", "fusion"))
        return variant if variant in self.models else next(iter(self.models))


def save_bundle(path: Path, models: dict[str, FusionScorer], meta: dict[str, Any]) -> Path:
    """Write ``models`` (sharing one set of buffers) and ``meta`` to the folder ``path``."""
    path.mkdir(parents=True, exist_ok=True)
    first = next(iter(models.values()))
    buffers = {name: getattr(first, name).detach().cpu().half() for name in BUFFERS}
    states = {name: {k: v.detach().cpu() for k, v in m.state_dict().items() if k not in BUFFERS}
              for name, m in models.items()}
    tmp = path / "model.pt.tmp"
    torch.save({"buffers": buffers, "models": states}, tmp)
    tmp.replace(path / "model.pt")
    configs = {name: m.config.to_dict() for name, m in models.items()}
    (path / "config.json").write_text(json.dumps({**meta, "configs": configs}, indent=2), encoding="utf-8")
    return path


def new_checkpoint_dir(home: Path, task: str) -> Path:
    """A fresh dated folder under the home's models."""
    return home / "models" / f"fusion-{task}-{datetime.now().strftime('%Y%m%d-%H%M%S')}"


def find_checkpoint(home: Path | None, task: str = "diagnosis") -> Path | None:
    """The newest checkpoint trained in ``home``, else the shipped one, else None."""
    if home is not None:
        found = sorted(p for p in (home / "models").glob(f"fusion-{task}-*") if (p / "config.json").is_file())
        if found:
            return found[-1]
    shipped = SHIPPED_DIR / task
    return shipped if (shipped / "config.json").is_file() else None


def load_bundle(path: Path, fingerprint: str | None = None, map_location: str | torch.device = "cpu",
                variants: tuple[str, ...] | None = None) -> FusionBundle:
    """Load a checkpoint folder; ``fingerprint`` (the current graph's) must equal the recorded one.

    Raises:
        FusionCheckpointError: Unreadable, another schema, or weights that do not fit the model.
    """
    try:
        meta = json.loads((path / "config.json").read_text(encoding="utf-8"))
        saved = torch.load(path / "model.pt", map_location="cpu", weights_only=True)
    except (OSError, ValueError, RuntimeError) as exc:
        raise FusionCheckpointError(f"{path}: unreadable fusion checkpoint ({exc})") from exc
    if fingerprint is not None and fingerprint != meta.get("fingerprint"):
        raise FusionCheckpointError(
            f"{path}: trained on a phenotype graph with schema fingerprint {meta.get('fingerprint')}, but this "
            f"graph has {fingerprint} (another HPO release or disease layer); retrain with "
            f"`kg train fusion --task {meta.get('task', 'diagnosis')}`")
    buffers = {k: v.float() for k, v in saved["buffers"].items()}
    models = {}
    for name, state in saved["models"].items():
        if variants is not None and name not in variants:
            continue
        model = FusionScorer(FusionConfig(**meta["configs"][name]), buffers["entity_emb"], buffers["candidate_emb"],
                             buffers["candidate_text"])
        try:
            result = model.load_state_dict(state, strict=False)
        except RuntimeError as exc:
            raise FusionCheckpointError(f"{path}: weights of {name!r} do not fit ({str(exc).splitlines()[0]})") from exc
        if bad := [k for k in result.missing_keys if k not in BUFFERS] + list(result.unexpected_keys):
            raise FusionCheckpointError(f"{path}: weights of {name!r} do not fit the model ({bad[:3]})")
        models[name] = model.to(map_location).eval()
    return FusionBundle(path, models, meta)
