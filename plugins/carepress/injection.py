"""Script injection in what a build publishes: nothing runs that we did not put there.

Authors may write raw HTML in Markdown, and templates can leak front matter,
so after a build every HTML file of ``site/`` and ``social/`` is read for
``<script>`` elements, event-handler attributes and ``javascript:`` (or
``data:``) URLs that neither the theme nor carepress's JSON-LD produced.
Hand-written: this is an allow-list of exactly what Material for MkDocs and
carepress emit, which no general HTML sanitiser knows.
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path

from . import htmlscan
from .model import Finding, Severity

_SCRIPT = re.compile(r"<script\b([^>]*)>(.*?)</script\s*>", re.S | re.I)
_OPEN_SCRIPT = re.compile(r"<script\b", re.I)
_ATTR = re.compile(r"""([a-z:-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""", re.I)



@cache
def theme_inline_scripts() -> tuple[str, ...]:
    """How the theme's own inline scripts begin, read from the installed
    Material templates (so a new Material release is allowed as it is): the
    static text of each ``<script>`` up to its first template expression."""
    try:
        import material
    except ImportError:  # pragma: no cover - carepress requires Material
        return ()
    prefixes = set()
    for template in (Path(material.__file__).parent / "templates").rglob("*.html"):
        for match in re.finditer(r"<script>(.*?)</script>", template.read_text(encoding="utf-8"), re.S):
            static = re.split(r"\{\{|\{%", match.group(1), maxsplit=1)[0].strip()
            if len(static) >= 12:
                prefixes.add(static[:60])
    return tuple(sorted(prefixes))
_THEME_SRC = re.compile(r"^(?:\.\./|\./|/)*(?:[\w.-]+/)*assets/javascripts/[\w.-]+\.js$")


def _attrs(text: str) -> dict[str, str]:
    return {m.group(1).lower(): next(g for g in m.groups()[1:] if g is not None) for m in _ATTR.finditer(text)}


def _line(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def scan_markup(text: str, rel: str) -> list[Finding]:
    findings: list[Finding] = []

    def add(offset: int, message: str, hint: str) -> None:
        findings.append(Finding("html.injection", Severity.ERROR, rel, _line(text, offset), 1, message=message, hint=hint))

    ld_json = 0
    known = set()
    for match in _SCRIPT.finditer(text):
        known.add(match.start())
        attrs = _attrs(match.group(1))
        body = match.group(2).strip()
        kind = attrs.get("type", "").lower()
        if kind in ("application/ld+json", "application/json"):
            try:
                json.loads(body)
            except ValueError:
                add(match.start(), f"A {kind} script block does not hold valid JSON, so something broke out of it.",
                    "Find the template or page text that writes into this block.")
                continue
            if kind == "application/ld+json":
                ld_json += 1
            continue
        src = attrs.get("src")
        if src is not None and not body and _THEME_SRC.match(src):
            continue
        if src is None and body.startswith(theme_inline_scripts()):
            continue
        add(match.start(), f"A <script> that neither the theme nor carepress wrote: {match.group(0)[:80]!r}.",
            "Remove raw <script> from the page (or the template that adds it); health pages run no scripts of their own.")
    for match in _OPEN_SCRIPT.finditer(text):
        if match.start() not in known:
            add(match.start(), "A <script> element that is never closed.", "Remove the raw <script> tag.")
    if ld_json > 1:
        add(0, f"The page carries {ld_json} JSON-LD blocks; carepress writes exactly one.",
            "Remove the extra <script type=\"application/ld+json\"> from the page or template.")
    for issue in htmlscan.scan(text):
        message = (
            f"An event-handler attribute ({issue.detail}) runs script."
            if issue.kind == "event-handler"
            else f"A {issue.detail} URL, which runs script or hides content."
        )
        findings.append(Finding("html.injection", Severity.ERROR, rel, issue.line, issue.column, message=message,
                                hint="Remove it; link to an https:// address, with no script."))
    return findings


def scan_folder(folder: Path, display: str) -> list[Finding]:
    return [f for rel in markup_files(folder) for f in scan_file(folder / rel, f"{display}/{rel}")]


def markup_files(folder: Path) -> list[str]:
    """The HTML files scan_folder reads, as paths inside ``folder``, in its order."""
    if not folder.is_dir():
        return []
    return [path.relative_to(folder).as_posix() for path in sorted(folder.rglob("*.htm*"))]


def scan_file(path: Path, shown: str) -> list[Finding]:
    return scan_markup(path.read_text(encoding="utf-8", errors="replace"), shown)
