"""Named, parameterised Cypher templates shipped as ``.cypher`` files.

A template file starts with ``// description`` lines and ``// param: name (type) - meaning`` lines;
the rest is the statement. Templates run unchanged on both backends.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources

_PARAM = re.compile(r"^//\s*param:\s*(?P<name>\w+)")


@dataclass(frozen=True, slots=True)
class Template:
    """A named query, its description, parameter names and statement."""

    name: str
    description: str
    params: tuple[str, ...]
    cypher: str


def list_templates() -> list[str]:
    """Names of the packaged templates."""
    folder = resources.files("cypher").joinpath("templates")
    return sorted(p.name.removesuffix(".cypher") for p in folder.iterdir() if p.name.endswith(".cypher"))


def load_template(name: str) -> Template:
    """Load a packaged template by name; unknown names list the valid ones."""
    if name not in list_templates():
        raise KeyError(f"unknown query template {name!r}; valid: {', '.join(list_templates())}")
    text = resources.files("cypher").joinpath("templates", f"{name}.cypher").read_text(encoding="utf-8")
    comments = [ln for ln in text.splitlines() if ln.startswith("//")]
    params = tuple(m.group("name") for ln in comments if (m := _PARAM.match(ln)))
    description = " ".join(ln.lstrip("/ ").strip() for ln in comments if not _PARAM.match(ln))
    body = "\n".join(ln for ln in text.splitlines() if not ln.startswith("//")).strip()
    return Template(name, description, params, body)
