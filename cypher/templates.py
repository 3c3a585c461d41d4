"""Named, parameterised Cypher templates shipped as ``.cypher`` files.

A template file starts with ``// description`` lines and ``// param: name (type) - meaning`` lines;
the rest is the statement. Templates run unchanged on both backends.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

_PARAM = re.compile(r"^//\s*param:\s*(?P<name>\w+)(?:.*\be\.g\.\s*(?P<example>\S+))?")


@dataclass(frozen=True, slots=True)
class Template:
    """A named query, its description, parameter names and statement."""

    name: str
    description: str
    params: tuple[str, ...]
    cypher: str
    examples: dict[str, Any] = field(default_factory=dict)


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
    matches = [m for ln in comments if (m := _PARAM.match(ln))]
    examples = {m["name"]: _value(m["example"]) for m in matches if m["example"]}
    return Template(name, description, params, body, examples)


def _value(text: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return text
