"""Accessibility that authors control: every image says what it shows."""

from __future__ import annotations

import re
from collections.abc import Iterable

from ..model import Document, Finding
from ..policy import Policy
from . import Context, body_span, body_without_code, finding, rule

# Possessive runs that exclude the brackets they end at: linear on any input.
_MD_IMAGE = re.compile(r"!\[(?P<alt>[^\[\]]*+)\]\((?P<src>[^()\s]*+)[^()]*+\)")
_HTML_IMG = re.compile(r"<img\b(?P<attrs>[^>]*)>", re.I)
_ALT_ATTR = re.compile(r"""\balt\s*=\s*(["'])(?P<alt>.*?)\1""", re.I | re.S)


@rule("a11y.alt-text", types=("article", "myth", "story", "alert", "page"))
def alt_text(doc: Document, policy: Policy, ctx: Context) -> Iterable[Finding]:
    body = body_without_code(doc)
    for match in _MD_IMAGE.finditer(body):
        if not match.group("alt").strip():
            yield finding(
                "a11y.alt-text", doc, body_span(doc, match.start(), match.end()),
                f"The image {match.group('src') or '(no source)'} has no alt text.",
                "Describe what the image shows inside the brackets: ![A nurse checks a blood pressure cuff](...).",
            )
    for match in _HTML_IMG.finditer(body):
        alt = _ALT_ATTR.search(match.group("attrs"))
        if alt is None or not alt.group("alt").strip():
            yield finding(
                "a11y.alt-text", doc, body_span(doc, match.start(), match.end()),
                "An <img> element has no alt text.",
                'Add alt="…" describing what the image shows.',
            )
