"""Where the shared datasets live: ``KG_DATA_DIR``, else ``./data``, else ``../shared/data``."""

from __future__ import annotations

import os
from pathlib import Path

ENV_VAR = "KG_DATA_DIR"


def data_dir() -> Path:
    """Return the root folder of the datasets (the one holding ``vocab/``, ``hetionet/`` ...).

    Looks, in order, at the ``KG_DATA_DIR`` environment variable; ``./data``; ``../shared/data``
    relative to the current working directory; and ``../shared/data`` relative to the repository root
    (the parent of the ``ontologies`` package folder).

    Returns:
        The first candidate that is an existing directory, resolved to an absolute path.

    Raises:
        FileNotFoundError: ``KG_DATA_DIR`` is set but is not a directory, or no candidate exists. The
            message names every place that was tried.
    """
    env = os.environ.get(ENV_VAR)
    if env:
        path = Path(env).expanduser()
        if not path.is_dir():
            raise FileNotFoundError(f"{ENV_VAR} is set to {env!r}, which is not a directory")
        return path.resolve()
    candidates = _candidates()
    for path in candidates:
        if path.is_dir():
            return path.resolve()
    tried = ", ".join(str(p) for p in candidates)
    raise FileNotFoundError(f"no data directory found; set {ENV_VAR} or create one of: {tried}")


def vocab_dir() -> Path:
    """Return ``data_dir() / "vocab"``, the folder of vocabulary and cross-reference files.

    Raises:
        FileNotFoundError: No data directory was found, or it has no ``vocab`` folder.
    """
    path = data_dir() / "vocab"
    if not path.is_dir():
        raise FileNotFoundError(f"data directory {path.parent} has no 'vocab' folder")
    return path


def _candidates() -> list[Path]:
    cwd = Path.cwd()
    repo_root = Path(__file__).resolve().parent.parent
    paths = [cwd / "data", cwd.parent / "shared" / "data", repo_root.parent / "shared" / "data"]
    return list(dict.fromkeys(paths))
