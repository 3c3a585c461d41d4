"""One settings object, read from ``KG_*`` environment variables and an optional ``kg.toml``."""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field, fields, replace
from pathlib import Path

from kg_engine.errors import ConfigError
from ontologies.data import data_dir

BACKENDS = ("ladybug", "neo4j")
CURATED = ("all", "train")


@dataclass(frozen=True, slots=True)
class Settings:
    """Engine settings; every field has a ``KG_<NAME>`` environment variable."""

    home: Path = Path.home() / ".kg-engine"
    backend: str = "ladybug"
    neo4j_uri: str | None = None
    neo4j_user: str = "neo4j"
    neo4j_password: str | None = None
    neo4j_database: str = "neo4j"
    data_dir: Path | None = None
    device: str = "auto"
    read_only: bool = False
    note_salt: str | None = field(default=None, repr=False)  # keys note-id hashes; else $KG_HOME/secrets/note-salt
    # Annotated corpora whose mention links become curated aliases: "all" (train and development splits)
    # or "train" (train splits only: what evaluations on the development splits need).
    curated: str = "all"

    @classmethod
    def load(cls, toml_path: Path | None = None, **overrides: object) -> Settings:
        """Defaults, then ``kg.toml`` (``[kg]`` table), then the environment, then ``overrides``."""
        values: dict[str, object] = {}
        path = toml_path or Path("kg.toml")
        if path.is_file():
            try:
                values.update(tomllib.loads(path.read_text(encoding="utf-8")).get("kg", {}))
            except tomllib.TOMLDecodeError as exc:
                raise ConfigError(f"{path}: {exc}") from exc
        for f in fields(cls):
            env = os.environ.get(f"KG_{f.name.upper()}")
            if env is not None and env != "":
                values[f.name] = env
        values.update({k: v for k, v in overrides.items() if v is not None})
        return replace(cls(), **{k: _coerce(k, v) for k, v in values.items() if k in _FIELD_NAMES})

    @property
    def store_path(self) -> Path:
        """Where the embedded store lives."""
        return self.home / "graph.lbdb"

    @property
    def deadletter_dir(self) -> Path:
        """Where rejected rows and documents are written, one JSONL file per job."""
        return self.home / "deadletter"

    def resolve_data_dir(self) -> Path:
        """The datasets folder: this setting when given, else ``ontologies.data.data_dir()``'s search."""
        if self.data_dir is not None:
            if not self.data_dir.is_dir():
                raise ConfigError(f"data directory {self.data_dir} does not exist (KG_DATA_DIR)")
            return self.data_dir.resolve()
        try:
            return data_dir()
        except FileNotFoundError as exc:
            raise ConfigError(str(exc)) from exc


_FIELD_NAMES = {f.name for f in fields(Settings)}


def _coerce(name: str, value: object) -> object:
    if name in {"home", "data_dir"}:
        return Path(str(value)).expanduser()
    if name == "read_only":
        return value if isinstance(value, bool) else str(value).lower() in {"1", "true", "yes", "on"}
    if name == "curated":
        if str(value).lower() not in CURATED:
            raise ConfigError(f"KG_CURATED={value!r}; valid: {', '.join(CURATED)}")
        return str(value).lower()
    if name == "backend":
        backend = str(value).lower()
        if backend not in BACKENDS:
            raise ConfigError(f"KG_BACKEND={value!r}; valid: {', '.join(BACKENDS)}")
        return backend
    return value
