"""Raw HTML in a page that would run script: refused where the author wrote it.

The post-build scan (``carepress.injection``) catches the same things in the
built site; this rule names the page's own line, so the author can fix it
before a build.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable

from .. import htmlscan
from ..htmlscan import unsafe_scheme
from ..model import Document, Finding
from ..policy import Policy
from . import Context, body_span, body_without_code, finding, rule

_SCRIPT = re.compile(r"<\s*script\b", re.I)
# Inline links and images ``](url)`` and reference definitions ``[id]: url``.
_MD_URL = re.compile(r"\]\(\s*<?([^)\s>]*)|^[ ]{0,3}\[[^\[\]\n]+\]:[ \t]*<?([^\s>]+)", re.M)
# Front-matter fields that become links or image addresses.
_URL_FIELDS = (("image", "src"), ("social", "image", "src"), ("claim_seen", "url"))


@rule("html.script", "html.event-handler", "html.unsafe-url", types=("article", "myth", "story", "alert", "page"))
def unsafe_html(doc: Document, policy: Policy, ctx: Context) -> Iterable[Finding]:
    body = body_without_code(doc)
    for match in _SCRIPT.finditer(body):
        yield finding(
            "html.script", doc, body_span(doc, match.start(), match.end()),
            "The page contains a raw <script> element; health pages run no scripts of their own.",
            "Remove it. To show code, put it in a code block (```).",
        )
    issues = list(htmlscan.scan(body)) if "<" in body else []
    line_starts = [0] + [m.end() for m in re.finditer("\n", body)] if issues else []
    for issue in issues:
        start = line_starts[issue.line - 1] + issue.column - 1
        if issue.kind == "event-handler":
            yield finding(
                "html.event-handler", doc, body_span(doc, start, start + 1),
                f"The page's HTML has an event-handler attribute ({issue.detail}), which runs script.",
                "Remove the attribute.",
            )
        else:
            yield finding(
                "html.unsafe-url", doc, body_span(doc, start, start + 1),
                f"A {issue.detail} address: javascript:, vbscript: and data: addresses run script or hide content.",
                "Link to an https:// address instead.",
            )
    for match in _MD_URL.finditer(body):
        group = 1 if match.group(1) is not None else 2
        scheme = unsafe_scheme(html.unescape(match.group(group)))
        if scheme:
            yield finding(
                "html.unsafe-url", doc, body_span(doc, match.start(group), match.end(group)),
                f"A link to a {scheme}: address: javascript:, vbscript: and data: links run script or hide content.",
                "Link to an https:// address instead.",
            )
    for path in _URL_FIELDS:
        value: object = doc.meta
        for part in path:
            value = value.get(part) if isinstance(value, dict) else None
        if isinstance(value, str) and (scheme := unsafe_scheme(html.unescape(value))):
            yield finding(
                "html.unsafe-url", doc, path,
                f"'{'.'.join(path)}' is a {scheme}: address, which runs script or hides content.",
                "Give a path beside the page, or an https:// address.",
            )
