"""Front matter beyond its shape: nothing left for the author to fill in."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Any

from ..model import Document, Finding
from ..policy import Policy
from . import Context, body_span, finding, rule

_BODY_PLACEHOLDER = re.compile(r"REPLACE:", re.I)


def _strings(value: Any, path: tuple[Any, ...]) -> Iterator[tuple[tuple[Any, ...], str]]:
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(item, path + (key,))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _strings(item, path + (i,))


def is_placeholder(text: str) -> bool:
    lowered = text.strip().lower()
    return lowered.startswith("replace:") or lowered.startswith("replace-")


_INVISIBLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_ZERO_WIDTH = re.compile("[\u200b-\u200d\u2060\ufeff]")
_EXACT_FIELDS = {"id", "URL", "DOI", "PMID", "PMCID", "by", "approved_by", "consent", "src", "url",
                 "service_line", "template"}


@rule("frontmatter.invisible-character", types=("article", "myth", "story", "alert", "page"))
def invisible_characters(doc: Document, policy: Policy, ctx: Context) -> Iterable[Finding]:
    """Control and bidi characters change what a reader (or reviewer) sees;
    zero-width characters make ids and addresses look like others."""
    head = doc.source[: len(doc.source) - len(doc.body)] if doc.source.endswith(doc.body) else doc.source
    if "\\" not in head and not _INVISIBLE.search(head) and not _ZERO_WIDTH.search(head):
        return  # the common case: no such character, and no escape that could make one
    for path, text in _strings(dict(doc.meta), ()):
        bad = _INVISIBLE.search(text)
        last = next((p for p in reversed(path) if isinstance(p, str)), "")
        if bad is None and (last in _EXACT_FIELDS or path[:1] in (("authors",), ("reviewed_by",))):
            bad = _ZERO_WIDTH.search(text)
        if bad is not None:
            yield finding(
                "frontmatter.invisible-character", doc, path,
                f"'{'.'.join(str(p) for p in path)}' contains the invisible character U+{ord(bad.group()):04X}.",
                "Retype the value; invisible characters usually come from copying text from another program.",
            )


@rule("frontmatter.placeholder", types=("article", "myth", "story", "alert", "page"))
def placeholders(doc: Document, policy: Policy, ctx: Context) -> Iterable[Finding]:
    """`carepress new` marks what the author must supply with REPLACE."""
    if "replace" not in doc.source.lower():
        return  # the common case: nothing to walk
    for path, text in _strings(dict(doc.meta), ()):
        if is_placeholder(text):
            yield finding(
                "frontmatter.placeholder", doc, path,
                f"'{'.'.join(str(p) for p in path)}' still holds a placeholder: {text.strip()[:80]!r}.",
                "Fill this in; `carepress new` left it for you.",
            )
    reported: set[int] = set()
    for match in _BODY_PLACEHOLDER.finditer(doc.body):
        line_start = doc.body.rfind("\n", 0, match.start()) + 1
        if line_start in reported:
            continue  # one finding a line
        reported.add(line_start)
        end = doc.body.find("\n", match.start())
        yield finding(
            "frontmatter.placeholder", doc, body_span(doc, match.start(), end if end >= 0 else len(doc.body)),
            "The body still holds a placeholder marked REPLACE:.",
            "Write this part of the page; `carepress new` left it for you.",
        )
