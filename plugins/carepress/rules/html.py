"""Raw HTML in a page that would run script: refused where the author wrote it.

The post-build scan (``carepress.injection``) catches the same things in the
built site; this rule names the page's own line, so the author can fix it
before a build.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from ..model import Document, Finding
from ..policy import Policy
from . import Context, body_span, body_without_code, finding, rule

_SCRIPT = re.compile(r"<\s*script\b", re.I)
_EVENT = re.compile(r"<[a-z][^>]*?\s(on[a-z]+)\s*=", re.I | re.S)
_MD_LINK = re.compile(r"!?\[[^\]]*\]\(\s*<?\s*((?:javascript|vbscript|data)\s*:[^)\s>]*)", re.I)
_HTML_URL = re.compile(r"""\b(?:href|src|action|formaction)\s*=\s*["']?\s*((?:javascript|vbscript|data)\s*:[^"'\s>]*)""", re.I)


@rule("html.script", "html.event-handler", "html.unsafe-url", types=("article", "myth", "story", "alert", "page"))
def unsafe_html(doc: Document, policy: Policy, ctx: Context) -> Iterable[Finding]:
    body = body_without_code(doc)
    for match in _SCRIPT.finditer(body):
        yield finding(
            "html.script", doc, body_span(doc, match.start(), match.end()),
            "The page contains a raw <script> element; health pages run no scripts of their own.",
            "Remove it. To show code, put it in a code block (```).",
        )
    for match in _EVENT.finditer(body):
        yield finding(
            "html.event-handler", doc, body_span(doc, match.start(1), match.end(1)),
            f"The page's HTML has an event-handler attribute ({match.group(1)}), which runs script.",
            "Remove the attribute.",
        )
    for pattern in (_MD_LINK, _HTML_URL):
        for match in pattern.finditer(body):
            yield finding(
                "html.unsafe-url", doc, body_span(doc, match.start(1), match.end(1)),
                f"A link to {match.group(1)[:40]!r}: javascript:, vbscript: and data: links run script or hide content.",
                "Link to an https:// address instead.",
            )
