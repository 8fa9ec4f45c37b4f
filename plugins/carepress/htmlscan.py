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
# What browsers ignore in a URL's scheme (controls and spaces), for str.translate.
_IGNORED_IN_SCHEME = dict.fromkeys([*range(0x21), 0x7F])
_BLOCKED_SCHEMES = ("javascript:", "vbscript:", "data:")


def unsafe_scheme(url: str) -> str | None:
    """'javascript', 'vbscript' or 'data' when a browser would run or embed it."""
    value = url.translate(_IGNORED_IN_SCHEME).lower()
    for scheme in _BLOCKED_SCHEMES:
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
# What a start tag must hold for HTMLParser to find anything in it: an
# attribute name starting "on" (names follow a quote, white space or "/"), a
# srcdoc, a character reference (a value's "&#106;avascript:"), or, with the
# characters browsers ignore in a scheme taken out, a scheme carepress blocks.
# A built page has thousands of tags and nearly none of these; the rest need
# no parser (unsafe_scheme strips the same characters from a value, and a
# value without "&" is its own text in the tag).
_ON_ATTRIBUTE = re.compile(r"""on(?<=['"\s/]on)""", re.I)  # the literal first: a fast search


def _suspect(tags: str) -> bool:
    """Whether one start tag, or any of several joined, may hold an issue."""
    if "&" in tags or _ON_ATTRIBUTE.search(tags):
        return True
    folded = tags.lower()
    if "srcdoc" in folded:
        return True
    if ":" not in folded:
        return False
    compact = folded.translate(_IGNORED_IN_SCHEME)
    return any(scheme in compact for scheme in _BLOCKED_SCHEMES)


def tag_issues(tag: str) -> list[Issue]:
    """What HTMLParser finds in one start tag (line 1, column 1: the tag's own start)."""
    scanner = _Scanner()
    scanner.feed(tag)
    scanner.close()
    return scanner.issues


def scan(markup: str) -> list[Issue]:
    """Issues in every start tag of ``markup``, each tag parsed on its own
    (HTMLParser alone rescans unclosed tags, quadratic on hostile input)."""
    issues: list[Issue] = []
    # Every tag at once first (each condition of _suspect holds for the
    # joined tags if it holds for one of them): a clean page is done here.
    if not _suspect("\x01".join(_START_TAG.findall(markup))):
        return issues
    for match in _START_TAG.finditer(markup):
        tag = match.group(0)
        if not _suspect(tag):
            continue
        found = tag_issues(tag)
        if found:
            line = markup.count("\n", 0, match.start()) + 1
            column = match.start() - markup.rfind("\n", 0, match.start())
            issues.extend(Issue(i.kind, line, column, i.detail) for i in found)
    return issues
