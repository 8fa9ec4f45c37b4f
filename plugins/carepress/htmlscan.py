"""Markup that runs script, found the way a browser reads it.

The standard library's HTMLParser decodes character references and quoted
attribute values as browsers do, so ``&#106;avascript:``, ``java&#x09;script:``,
``javascript&colon;``, ``<svg/onload=...>`` and ``title=">" onclick=...`` are
all seen for what they are, in one linear pass.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html.parser import HTMLParser

URL_ATTRIBUTES = frozenset({"href", "src", "action", "formaction", "xlink:href", "poster", "data", "background"})
_IGNORED_IN_SCHEME = re.compile(r"[\x00-\x20\x7f]")


def unsafe_scheme(url: str) -> str | None:
    """'javascript', 'vbscript' or 'data' when a browser would run or embed it."""
    value = _IGNORED_IN_SCHEME.sub("", url).lower()
    for scheme in ("javascript:", "vbscript:", "data:"):
        if value.startswith(scheme):
            return scheme[:-1]
    return None


@dataclass(frozen=True)
class Issue:
    kind: str  # "event-handler" or "unsafe-url"
    line: int
    column: int
    detail: str


class _Scanner(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.issues: list[Issue] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        line, offset = self.getpos()
        for name, value in attrs:
            if name.startswith("on"):
                self.issues.append(Issue("event-handler", line, offset + 1, name))
            elif name == "srcdoc":
                # An inline document of its own, scripts and all.
                self.issues.append(Issue("unsafe-url", line, offset + 1, "an inline document: in srcdoc"))
            elif name in URL_ATTRIBUTES and value and (scheme := unsafe_scheme(value)):
                self.issues.append(Issue("unsafe-url", line, offset + 1, f"{scheme}: in {name}"))

    handle_startendtag = handle_starttag


# A start tag, with quoted attribute values (which may hold ">"): possessive
# runs that stop at the next "<", so a page of unclosed tags stays linear.
_START_TAG = re.compile(r"""<[a-zA-Z](?:[^<>"']++|"[^"]*+"|'[^']*+')*+>""")


def scan(markup: str) -> list[Issue]:
    """Issues in every start tag of ``markup``, each tag parsed on its own
    (HTMLParser alone rescans unclosed tags, quadratic on hostile input)."""
    issues: list[Issue] = []
    for match in _START_TAG.finditer(markup):
        scanner = _Scanner()
        scanner.feed(match.group(0))
        scanner.close()
        if scanner.issues:
            line = markup.count("\n", 0, match.start()) + 1
            column = match.start() - markup.rfind("\n", 0, match.start())
            issues.extend(Issue(i.kind, line, column, i.detail) for i in scanner.issues)
    return issues
