"""The rule registry: one module per rule family, one function per rule.

A rule is a pure function ``(Document, Policy, Context) -> Iterable[Finding]``
registered with :func:`rule`. Adding a rule is writing one function in its
family's module; adding a family is adding a module to ``FAMILIES``.
"""

from __future__ import annotations

import datetime as dt
import importlib
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ..mdcode import FENCE as _FENCE
from ..mdcode import INLINE_CODE as _INLINE_CODE
from ..model import Document, Finding, Severity, Span
from ..policy import Policy

FAMILIES = (
    "frontmatter", "ref", "source", "review", "revision", "approval", "readability", "disclosure", "consent",
    "suppress", "phi", "a11y", "html",
)


@dataclass(frozen=True)
class Context:
    """What a rule may know beyond its page: the date, the site, the mode."""

    today: dt.date
    documents: Mapping[str, Document] = field(default_factory=dict)
    mode: str = "check"  # "check", "build" or "serve"
    site_lang: str = "en"
    site_url: str = ""


RuleFn = Callable[[Document, Policy, Context], Iterable[Finding]]


@dataclass(frozen=True)
class Rule:
    ids: tuple[str, ...]
    fn: RuleFn
    types: frozenset[str]

    @property
    def name(self) -> str:
        return f"{self.fn.__module__.rsplit('.', 1)[-1]}.{self.fn.__name__}"


_REGISTRY: list[Rule] = []
CONTENT_TYPES = frozenset({"article", "myth", "story", "alert"})


def rule(*ids: str, types: Iterable[str] = CONTENT_TYPES) -> Callable[[RuleFn], RuleFn]:
    """Register a rule that may emit the given rule ids, for the given content types."""

    def register(fn: RuleFn) -> RuleFn:
        _REGISTRY.append(Rule(tuple(ids), fn, frozenset(types)))
        return fn

    return register


_loaded = False


def all_rules() -> list[Rule]:
    global _loaded
    if not _loaded:
        for family in FAMILIES:
            try:
                importlib.import_module(f"{__name__}.{family}")
            except ModuleNotFoundError as exc:
                if exc.name != f"{__name__}.{family}":
                    raise
        _loaded = True
    return list(_REGISTRY)


def finding(
    rule_id: str,
    doc: Document,
    where: tuple[Any, ...] | Span,
    message: str,
    hint: str,
    severity: Severity = Severity.ERROR,
    kind: str = "",
    key: bool = False,
) -> Finding:
    """A finding placed at a front-matter path (``("citations", 2, "URL")``) or a span."""
    if isinstance(where, Span):
        span = where
    else:
        span = doc.key_span(*where) if key else doc.span(*where)
    return Finding.at(rule_id, doc.rel_path, span, message, hint, severity, kind)


def _blank(match: re.Match[str]) -> str:
    return re.sub(r"[^\n]", " ", match.group(0))


_LAST_BLANKED: tuple[str, str] = ("", "")


def body_without_code(doc: Document) -> str:
    """The body with fenced and inline code blanked out, offsets unchanged:
    what an author shows as code is not markup. (Several rules ask for the
    same page in a row: the last answer is kept; most pages have no
    backtick or tilde at all, and then there is nothing to blank.)"""
    global _LAST_BLANKED
    body = doc.body
    if _LAST_BLANKED[0] is body:
        return _LAST_BLANKED[1]
    blanked = body
    if "```" in body or "~~~" in body:
        blanked = _FENCE.sub(_blank, blanked)
    if "`" in blanked:
        blanked = _INLINE_CODE.sub(_blank, blanked)
    _LAST_BLANKED = (body, blanked)
    return blanked


def body_span(doc: Document, start: int, end: int) -> Span:
    """The file span of body characters ``start:end``."""
    line, column = doc.body_position(start)
    end_line, end_column = doc.body_position(end)
    return Span(line, column, end_line, end_column)
