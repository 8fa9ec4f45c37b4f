"""The data carepress passes around: pages, citations, people and findings.

Everything here is a frozen dataclass so that rules cannot change what the
next rule sees, and so that a page parsed once can be shared by the
compliance, schema and social plugins of one build (DESIGN.md, "Parse once").
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Any, NamedTuple

# Images carepress reads for metadata and publishes as pixels only.
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".tif", ".tiff", ".webp")


class Severity(str, Enum):
    """How much a finding matters; ordered error > warning > notice."""

    ERROR = "error"
    WARNING = "warning"
    NOTICE = "notice"

    @property
    def rank(self) -> int:
        return {"error": 3, "warning": 2, "notice": 1}[self.value]


@dataclass(frozen=True, order=True)
class Finding:
    """One problem (or notice) about one place in one file.

    Lines and columns are 1-based, end exclusive, columns counted in
    characters. ``line`` 0 means "the file as a whole".
    """

    rule: str
    severity: Severity
    path: str
    line: int = 0
    column: int = 0
    end_line: int = 0
    end_column: int = 0
    message: str = ""
    hint: str = ""
    kind: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "severity": self.severity.value,
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "end_line": self.end_line,
            "end_column": self.end_column,
            "message": self.message,
            "hint": self.hint,
            "kind": self.kind,
        }

    @classmethod
    def at(
        cls, rule: str, path: str, span: Span, message: str, hint: str,
        severity: Severity = Severity.ERROR, kind: str = "",
    ) -> Finding:
        """A finding placed on a span of a file."""
        return cls(rule, severity, path, span.line, span.column, span.end_line, span.end_column, message, hint, kind)

    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.path, self.line, self.column, self.rule)


class Span(NamedTuple):
    """Where a value sits in a file: 1-based, end exclusive.

    A named tuple, not a dataclass: the reader makes one per value of every
    page, and a tuple is several times cheaper to build."""

    line: int
    column: int
    end_line: int
    end_column: int


FILE_SPAN = Span(1, 1, 1, 1)


@dataclass(frozen=True)
class Suppression:
    """An approved exception: one rule off for one page (or one PHI occurrence)."""

    rule: str
    reason: str
    approved_by: str
    expires: dt.date
    line: int | None = None
    text: str | None = None
    index: int = 0


@dataclass(frozen=True)
class Document:
    """One page of content, read and validated once per build.

    ``meta`` is the front matter exactly as the author wrote it (dates as
    ISO strings, as JSON Schema sees them); ``spans`` maps a key path such as
    ``("citations", 2, "DOI")`` to where its value sits in the file.
    ``body_line`` is the file line on which the Markdown body starts.
    """

    path: Path
    rel_path: str
    source: str
    meta: Mapping[str, Any]
    body: str
    body_line: int
    spans: Mapping[tuple[Any, ...], Span] = field(default_factory=dict)
    key_spans: Mapping[tuple[Any, ...], Span] = field(default_factory=dict)
    has_front_matter: bool = True
    digest: str = ""

    @property
    def type(self) -> str:
        value = self.meta.get("type")
        return value if isinstance(value, str) else ""

    @property
    def title(self) -> str:
        value = self.meta.get("title")
        return value if isinstance(value, str) else ""

    def span(self, *path: Any) -> Span:
        """Where the value at ``path`` is, falling back to its nearest parent."""
        key = tuple(path)
        while key:
            if key in self.spans:
                return self.spans[key]
            key = key[:-1]
        return FILE_SPAN

    def key_span(self, *path: Any) -> Span:
        """Where the key at ``path`` is written (for 'unknown key' errors)."""
        key = tuple(path)
        if key in self.key_spans:
            return self.key_spans[key]
        return self.span(*path)

    def date(self, key: str) -> dt.date | None:
        return parse_date(self.meta.get(key))

    def body_position(self, offset: int) -> tuple[int, int]:
        """File line and column (1-based) of character ``offset`` in the body."""
        line = self.body.count("\n", 0, offset)
        start = self.body.rfind("\n", 0, offset) + 1
        return self.body_line + line, offset - start + 1


def parse_date(value: Any) -> dt.date | None:
    """A date from the ISO text the front-matter reader produces, else None."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and len(value) >= 10:
        try:
            return dt.date.fromisoformat(value[:10])
        except ValueError:
            return None
    return None


def parse_datetime(value: Any) -> dt.datetime | None:
    if isinstance(value, dt.datetime):
        return value
    if isinstance(value, str):
        try:
            return dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
    return None
