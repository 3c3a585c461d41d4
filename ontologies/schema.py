"""The graph schema: node categories, predicates and source mappings, read from ``schema.yaml``."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

import yaml

_IDENTIFIER = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")


class SchemaError(ValueError):
    """A name that the schema does not know, or a schema file that is inconsistent."""


@dataclass(frozen=True, slots=True)
class Category:
    """A node category: the store label, its Biolink class and its identifier prefixes."""

    name: str
    biolink: str
    prefixes: tuple[str, ...]
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Predicate:
    """A relationship type: the store name and the Biolink predicate it stands for."""

    name: str
    biolink: str
    negated: bool = False
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class EdgeMapping:
    """How one source edge label maps onto (subject category, predicate, object category, qualifiers)."""

    label: str
    subject: str
    predicate: str
    object: str
    qualifiers: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class Schema:
    """Typed view of ``schema.yaml`` with normalised lookups."""

    biolink_version: str
    categories: dict[str, Category]
    predicates: dict[str, Predicate]
    sources: dict[str, dict[str, Any]] = field(repr=False)

    def category(self, name: str) -> Category:
        """Return the category named ``name`` (or one of its aliases), case and space insensitive."""
        return _lookup(self.categories, name, "category")

    def predicate(self, name: str) -> Predicate:
        """Return the predicate named ``name`` (or an alias, or a ``biolink:`` CURIE of a non-negated one)."""
        if name.startswith("biolink:"):
            for pred in self.predicates.values():
                if pred.biolink == name and not pred.negated:
                    return pred
        return _lookup(self.predicates, name, "predicate")

    def hetionet_kind(self, kind: str) -> Category:
        """Map a Hetionet node kind (``Side Effect``) to its category."""
        kinds = self.sources["hetionet"]["kinds"]
        if kind not in kinds:
            raise SchemaError(f"unknown Hetionet node kind {kind!r}; known: {', '.join(sorted(kinds))}")
        return self.categories[kinds[kind]]

    def hetionet_metaedges(self) -> dict[str, EdgeMapping]:
        """All Hetionet metaedges by abbreviation (``CtD``)."""
        return {
            abbrev: EdgeMapping(
                label=abbrev,
                subject=spec["subject"],
                predicate=spec["predicate"],
                object=spec["object"],
                qualifiers=tuple(sorted((spec.get("qualifiers") or {}).items())),
            )
            for abbrev, spec in self.sources["hetionet"]["metaedges"].items()
        }

    def indication_predicate(self, category: str) -> Predicate:
        """Map a PharmacotherapyDB indication category (``DM``, ``SYM``, ``NOT``) to its predicate."""
        cats = self.sources["pharmacotherapydb"]["categories"]
        if category not in cats:
            raise SchemaError(f"unknown indication category {category!r}; known: {', '.join(sorted(cats))}")
        return self.predicates[cats[category]]

    def note_predicate(self, status: str) -> Predicate:
        """Map the assertion status of a mention in a clinical note (``negated``, ``family`` ...) to its predicate."""
        statuses = self.sources["clinical_notes"]["statuses"]
        if status not in statuses:
            raise SchemaError(f"unknown assertion status {status!r}; known: {', '.join(sorted(statuses))}")
        return self.predicates[statuses[status]]

    def text_relation_predicate(self, label: str) -> Predicate:
        """Map a relation label of the literature extractor (``chemical_induces_disease``) to its predicate."""
        relations = self.sources["literature"]["relations"]
        if label not in relations:
            raise SchemaError(f"unknown text relation {label!r}; known: {', '.join(sorted(relations))}")
        return self.predicates[relations[label]]

    def source_name(self, source: str) -> str:
        """The versioned provenance name of a structured source (``hetionet-v1.0``)."""
        return str(self.sources[source]["name"])

    def partial_edges(self, source: str) -> dict[tuple[str, str, str], str]:
        """The edge types ``source`` holds only part of, each with its note (``partial:`` in the YAML)."""
        partial = self.sources[source].get("partial") or {}
        return {tuple(key.split("|")): str(note) for key, note in partial.items()}  # type: ignore[misc]


def _norm(name: str) -> str:
    return re.sub(r"[\s_\-]", "", name).lower()


def _lookup(table: dict[str, Any], name: str, kind: str) -> Any:
    key = _norm(name)
    for canonical, item in table.items():
        if key == _norm(canonical) or key in {_norm(a) for a in item.aliases}:
            return item
    raise SchemaError(f"unknown {kind} {name!r}; valid: {', '.join(sorted(table))}")


def _parse(raw: dict[str, Any]) -> Schema:
    categories = {
        name: Category(name, spec["biolink"], tuple(spec["prefixes"]), tuple(spec.get("aliases", ())))
        for name, spec in raw["categories"].items()
    }
    predicates = {
        name: Predicate(name, spec["biolink"], bool(spec.get("negated", False)), tuple(spec.get("aliases", ())))
        for name, spec in raw["predicates"].items()
    }
    for name in [*categories, *predicates]:
        if not _IDENTIFIER.match(name):
            raise SchemaError(f"schema name {name!r} is not a plain identifier")
    schema = Schema(str(raw["biolink_version"]), categories, predicates, raw["sources"])
    for mapping in schema.hetionet_metaedges().values():
        for cat in (mapping.subject, mapping.object):
            if cat not in categories:
                raise SchemaError(f"metaedge {mapping.label} names unknown category {cat!r}")
        if mapping.predicate not in predicates:
            raise SchemaError(f"metaedge {mapping.label} names unknown predicate {mapping.predicate!r}")
    for label, predicate in raw["sources"].get("literature", {}).get("relations", {}).items():
        if predicate not in predicates:
            raise SchemaError(f"text relation {label} names unknown predicate {predicate!r}")
    for status, predicate in raw["sources"].get("clinical_notes", {}).get("statuses", {}).items():
        if predicate not in predicates:
            raise SchemaError(f"note status {status} names unknown predicate {predicate!r}")
    return schema


@cache
def load_schema() -> Schema:
    """Load and validate the packaged schema (cached)."""
    text = resources.files("ontologies").joinpath("schema.yaml").read_text(encoding="utf-8")
    # libyaml's safe loader when PyYAML has it: a tenth of the pure-Python one's time (every `kg stats` pays it)
    return _parse(yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)))
