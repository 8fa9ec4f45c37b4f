"""A validator for JSON-LD graphs over the real schema.org vocabulary.

It reads the vocabulary release in ``../shared/vocab`` (schema.org 30.0, one
JSON-LD ``@graph`` of classes and properties) and checks a graph the way the
vocabulary defines it:

* every ``@type`` is a schema.org class, and every property a schema.org
  property (a term schema.org has superseded is reported too);
* a property is used only on a type within its ``domainIncludes``, taking
  superclasses into account (``name`` on a Hospital is fine: Hospital is a
  Thing);
* every value is within the property's ``rangeIncludes``: strings where Text,
  URL, Date, DateTime, Time or Number is expected (URLs absolute, dates ISO
  8601), numbers where Number or Integer is, nested nodes by their type with
  inheritance, and ``{"@id": ...}`` references by what they refer to: a node
  elsewhere in the graph, or a schema.org enumeration member such as
  ``https://schema.org/Cardiovascular`` (a MedicalSpecialty). A reference to
  an outside IRI, such as a breadcrumb's page, is a Thing of unknown type;
  one with a fragment that no node defines is reported as dangling.

Without ``../shared`` the tests that need it skip (fail under ``CI=true``).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

VOCAB_PATH = (
    Path(__file__).resolve().parents[1].parent
    / "shared"
    / "vocab"
    / "schemaorg-current-https-30.0.jsonld"
)
SCHEMA_IRIS = ("https://schema.org/", "http://schema.org/")

# Data types and what a JSON value must look like to be one of them.
TEXT_TYPES = frozenset({"Text", "CssSelectorType", "XPathType", "PronounceableText"})
NUMBER_TYPES = frozenset({"Number", "Integer", "Float"})
TEMPORAL_TYPES = frozenset({"Date", "DateTime", "Time"})
DATA_TYPES = TEXT_TYPES | NUMBER_TYPES | TEMPORAL_TYPES | {"URL", "Boolean", "DataType"}

_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
_TIME = re.compile(r"^\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?$")


@dataclass(frozen=True)
class Property:
    domains: frozenset[str]
    ranges: frozenset[str]


@dataclass(frozen=True)
class Vocabulary:
    """schema.org's classes (with their ancestors), properties and enumeration members."""

    ancestors: Mapping[str, frozenset[str]]  # class -> itself and every superclass
    properties: Mapping[str, Property]
    members: Mapping[str, frozenset[str]]  # enumeration member -> its types
    superseded: Mapping[str, str]  # term -> the term that replaces it

    def is_a(self, types: Iterable[str], wanted: Iterable[str]) -> bool:
        wanted = set(wanted)
        return any(self.ancestors.get(t, frozenset({t})) & wanted for t in types)


def _ids(value: Any) -> list[str]:
    """The schema.org names in an ``{"@id": "schema:X"}`` value or list of them."""
    items = value if isinstance(value, list) else [value] if value is not None else []
    out = []
    for item in items:
        ref = item.get("@id") if isinstance(item, Mapping) else item
        if isinstance(ref, str) and ref.startswith("schema:"):
            out.append(ref[len("schema:") :])
    return out


def _types(node: Mapping[str, Any]) -> list[str]:
    value = node.get("@type")
    return [value] if isinstance(value, str) else [t for t in value or [] if isinstance(t, str)]


def parse_vocabulary(data: Mapping[str, Any]) -> Vocabulary:
    """Build the lookup tables from the vocabulary's JSON-LD."""
    parents: dict[str, list[str]] = {}
    properties: dict[str, Property] = {}
    members: dict[str, frozenset[str]] = {}
    superseded: dict[str, str] = {}
    for node in data["@graph"]:
        ident = node.get("@id", "")
        if not ident.startswith("schema:"):
            continue
        name = ident[len("schema:") :]
        types = _types(node)
        if "schema:supersededBy" in node:
            superseded[name] = ", ".join(_ids(node["schema:supersededBy"]))
        if "rdf:Property" in types:
            properties[name] = Property(
                frozenset(_ids(node.get("schema:domainIncludes"))),
                frozenset(_ids(node.get("schema:rangeIncludes"))),
            )
            continue
        if "rdfs:Class" in types or "schema:DataType" in types:
            parents[name] = _ids(node.get("rdfs:subClassOf"))
        member_of = [
            t[len("schema:") :] for t in types if t.startswith("schema:") and t != "schema:DataType"
        ]
        if member_of:
            members[name] = frozenset(member_of)

    ancestors: dict[str, frozenset[str]] = {}

    def climb(name: str, seen: frozenset[str] = frozenset()) -> frozenset[str]:
        if name in ancestors:
            return ancestors[name]
        found = {name}
        for parent in parents.get(name, []):
            if parent not in seen:
                found |= climb(parent, seen | {name})
        ancestors[name] = frozenset(found)
        return ancestors[name]

    for name in parents:
        climb(name)
    return Vocabulary(ancestors, properties, members, superseded)


@cache
def _load(path: Path) -> Vocabulary:
    return parse_vocabulary(json.loads(path.read_text(encoding="utf-8")))


def vocabulary(path: Path = VOCAB_PATH) -> Vocabulary:
    """The vocabulary; the calling test skips without it (fails under CI=true)."""
    if not path.is_file():
        reason = f"{path} is absent (../shared/vocab is not beside the project)"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    return _load(path)


# --------------------------------------------------------------------------
# Validation
# --------------------------------------------------------------------------


def validate(graph: Mapping[str, Any], vocab: Vocabulary | None = None) -> list[str]:
    """Every problem with ``graph`` against schema.org, as readable lines."""
    return _Validator(vocab or vocabulary(), graph).run()


class _Validator:
    def __init__(self, vocab: Vocabulary, graph: Mapping[str, Any]) -> None:
        self.vocab = vocab
        self.graph = graph
        self.problems: list[str] = []
        self.nodes: dict[str, Mapping[str, Any]] = {}

    def report(self, where: str, message: str) -> None:
        self.problems.append(f"{where}: {message}")

    def run(self) -> list[str]:
        context = self.graph.get("@context")
        if context not in (
            "https://schema.org",
            "https://schema.org/",
            "http://schema.org",
            "http://schema.org/",
        ):
            self.report("@context", f"is {context!r}, not https://schema.org")
        if "@graph" in self.graph:
            roots = self.graph["@graph"]
            if not isinstance(roots, list):
                self.report("@graph", "is not a list")
                return self.problems
            top = [(f"@graph[{i}]", node) for i, node in enumerate(roots)]
        else:
            top = [("$", {k: v for k, v in self.graph.items() if k != "@context"})]
        for where, node in top:
            self.index(where, node)
        for where, node in top:
            if not isinstance(node, Mapping) or "@type" not in node:
                self.report(where, "a top-level node has no @type")
            self.node(where, node)
        return self.problems

    def index(self, where: str, value: Any) -> None:
        """Record every typed node with an @id, nested ones included."""
        if isinstance(value, list):
            for i, item in enumerate(value):
                self.index(f"{where}[{i}]", item)
        elif isinstance(value, Mapping):
            ident = value.get("@id")
            if isinstance(ident, str) and "@type" in value:
                if ident in self.nodes:
                    self.report(where, f"@id {ident} is defined twice")
                self.nodes[ident] = value
            for key, item in value.items():
                if not key.startswith("@"):
                    self.index(f"{where}.{key}", item)

    def node(self, where: str, node: Any) -> list[str]:
        """Check a node's type and properties; return its types."""
        if not isinstance(node, Mapping):
            self.report(where, f"expected a node, got {type(node).__name__}")
            return []
        types = _types(node)
        if "@type" in node and (not types or not isinstance(node["@type"], str | list)):
            self.report(where, f"@type {node['@type']!r} is not a type name")
        for name in types:
            if name not in self.vocab.ancestors or name in DATA_TYPES:
                self.report(where, f"unknown type {name!r}")
            elif name in self.vocab.superseded:
                self.report(where, f"type {name} is superseded by {self.vocab.superseded[name]}")
        known = [t for t in types if t in self.vocab.ancestors]
        for key, value in node.items():
            if key in ("@type", "@id"):
                if key == "@id" and not isinstance(value, str):
                    self.report(f"{where}.@id", "is not a string")
                continue
            path = f"{where}.{key}"
            if key.startswith("@"):
                self.report(path, f"unexpected JSON-LD keyword {key}")
                continue
            prop = self.vocab.properties.get(key)
            if prop is None:
                self.report(path, f"unknown property {key!r}")
                continue
            if key in self.vocab.superseded:
                self.report(path, f"property {key} is superseded by {self.vocab.superseded[key]}")
            if known and prop.domains and not self.vocab.is_a(known, prop.domains):
                self.report(
                    path,
                    f"{key} is not a property of {'/'.join(known)} (domain: {', '.join(sorted(prop.domains))})",
                )
            for i, item in enumerate(value if isinstance(value, list) else [value]):
                self.value(
                    f"{path}[{i}]" if isinstance(value, list) else path, key, prop.ranges, item
                )
        return types

    def value(self, where: str, key: str, ranges: frozenset[str], value: Any) -> None:
        expects = ", ".join(sorted(ranges))
        if value is None:
            self.report(where, f"{key} is null")
        elif isinstance(value, bool):
            if "Boolean" not in ranges:
                self.report(where, f"{key} expects {expects}, got a boolean")
        elif isinstance(value, int | float):
            if not ranges & NUMBER_TYPES or (
                isinstance(value, float) and ranges & NUMBER_TYPES == {"Integer"}
            ):
                self.report(where, f"{key} expects {expects}, got the number {value!r}")
        elif isinstance(value, str):
            problem = self.text(ranges, value)
            if problem:
                self.report(where, f"{key} expects {expects}, got {value!r} ({problem})")
        elif isinstance(value, Mapping):
            if "@type" in value:
                types = self.node(where, value)
                if types and not self.vocab.is_a(types, ranges):
                    self.report(where, f"{key} expects {expects}, got a {'/'.join(types)}")
            elif "@id" in value:
                self.reference(where, key, ranges, value)
            else:
                self.report(where, f"{key} has a node without @type or @id")
        else:
            self.report(where, f"{key} has a {type(value).__name__}, which JSON-LD cannot hold")

    def reference(
        self, where: str, key: str, ranges: frozenset[str], value: Mapping[str, Any]
    ) -> None:
        expects = ", ".join(sorted(ranges))
        ident = value["@id"]
        extra = [k for k in value if k != "@id"]
        if extra:
            self.report(where, f"a reference carries {', '.join(extra)} but no @type")
        if not isinstance(ident, str):
            self.report(where, "@id is not a string")
            return
        if ident in self.nodes:
            types = _types(self.nodes[ident])
            if not self.vocab.is_a(types, ranges):
                self.report(where, f"{key} expects {expects}, but {ident} is a {'/'.join(types)}")
            return
        for prefix in SCHEMA_IRIS:
            if ident.startswith(prefix):
                name = ident[len(prefix) :]
                member_of = self.vocab.members.get(name)
                if member_of is None:
                    self.report(where, f"{ident} is not a schema.org enumeration member")
                elif not self.vocab.is_a(member_of, ranges) and "URL" not in ranges:
                    self.report(
                        where,
                        f"{key} expects {expects}, but {name} is a {'/'.join(sorted(member_of))}",
                    )
                return
        parts = urlsplit(ident)
        if not parts.scheme or not (parts.netloc or parts.path):
            self.report(where, f"reference {ident!r} is not an absolute IRI")
        elif parts.fragment:
            self.report(where, f"reference {ident} is dangling: no node in the graph has that @id")
        elif ranges <= DATA_TYPES and "URL" not in ranges:
            self.report(where, f"{key} expects {expects}, got a reference to {ident}")

    @staticmethod
    def text(ranges: frozenset[str], value: str) -> str:
        """Why ``value`` is none of the data types in ``ranges``; empty if it is one."""
        if ranges & TEXT_TYPES:
            return ""
        reasons = []
        if "URL" in ranges:
            parts = urlsplit(value)
            if parts.scheme and (parts.netloc or parts.scheme in ("mailto", "tel", "urn")):
                return ""
            reasons.append("not an absolute URL")
        if "Date" in ranges:
            if _DATE.match(value) and _valid_date(value):
                return ""
            reasons.append("not an ISO 8601 date")
        if "DateTime" in ranges:
            try:
                dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
                if "T" in value:
                    return ""
            except ValueError:
                pass
            reasons.append("not an ISO 8601 date-time")
        if "Time" in ranges:
            if _TIME.match(value):
                return ""
            reasons.append("not an ISO 8601 time")
        if ranges & NUMBER_TYPES:
            try:
                float(value)
                return ""
            except ValueError:
                reasons.append("not a number")
        return "; ".join(reasons) or "text where a node is expected"


def _valid_date(value: str) -> bool:
    parts = [int(p) for p in value.split("-")]
    try:
        dt.date(parts[0], *(parts[1:] + [1, 1])[:2])
    except ValueError:
        return False
    return True
