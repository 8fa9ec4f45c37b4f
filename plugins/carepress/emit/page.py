"""The reader-facing parts carepress adds to a page, as HTML fragments.

Everything a reader sees about a page's review (who reviewed it and when,
when it is due again, its numbered references and revision history, a
sponsor's disclosure, a myth's verdict, an alert's status) is rendered here
from the checked front matter, through autoescaping templates, so that no
author-written text reaches the HTML unescaped.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import cache, partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

from ..model import Document, parse_date, parse_datetime
from .references import number_citations, references_html

if TYPE_CHECKING:
    from ..policy import Policy

TEMPLATES = Path(__file__).with_name("templates")


def longdate(value: dt.date | dt.datetime) -> str:
    return f"{value:%B} {value.day}, {value.year}"


def monthyear(value: dt.date) -> str:
    return f"{value:%B} {value.year}"


def longdatetime(value: dt.datetime) -> str:
    hour = value.hour % 12 or 12
    suffix = "a.m." if value.hour < 12 else "p.m."
    minutes = f":{value.minute:02d}" if value.minute else ""
    return f"{longdate(value)}, {hour}{minutes} {suffix}"


@cache
def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html", "md"], default_for_string=True),
        keep_trailing_newline=True,
    )
    env.filters.update(longdate=longdate, monthyear=monthyear, longdatetime=longdatetime)
    return env


def render(name: str, **values: Any) -> str:
    return environment().get_template(name).render(**values)


@dataclass(frozen=True)
class Decorated:
    """A page body with its carepress parts, ready for Markdown."""

    markdown: str
    reference_ids: tuple[str, ...]
    # With a placeholder prefix (see _Blocks): (placeholder, HTML) for the
    # blocks that go in right after Markdown, and (placeholder, maker) for the
    # ones the site search excludes, made later (make_blocks).
    blocks: tuple[tuple[str, str], ...] = ()
    deferred: tuple[tuple[str, Callable[[], str]], ...] = ()
    # (word, superscript) for the numbered citations outside titles.
    citations: tuple[tuple[str, str], ...] = ()


class _Blocks:
    """Raw HTML blocks for a page body: inline, or behind placeholders.

    Python-Markdown (with md_in_html) reads every raw HTML block with an HTML
    parser to find Markdown inside it; carepress's blocks hold none, and
    parsing them nearly doubles the render time of a page. A placeholder
    paragraph costs nothing: a block the site search reads goes into the HTML
    right after Markdown (``fill_blocks``); one it excludes (the review line,
    references, revision history) is made only when the page is written, so a
    build can render the page before its reference list is formatted."""

    def __init__(self, prefix: str | None) -> None:
        self.prefix = prefix
        self.blocks: list[tuple[str, str]] = []
        self.deferred: list[tuple[str, Callable[[], str]]] = []
        self.citations: list[tuple[str, str]] = []

    def __call__(self, make: Callable[[], str], searchable: bool) -> str:
        if self.prefix is None:
            return "\n\n" + make().strip() + "\n\n"
        token = f"{self.prefix}{len(self.blocks) + len(self.deferred)}"
        if searchable:
            self.blocks.append((token, make().strip()))
        else:
            self.deferred.append((token, make))
        return "\n\n" + token + "\n\n"


    def citation(self, html: str) -> str:
        """A word standing for a citation's superscript (see ``emit.blocks.hold_citations``)."""
        token = f"{self.prefix}c{len(self.citations)}x"
        self.citations.append((token, html))
        return token


# A numbered citation, as number_citations writes it.
_CITATION = re.compile(r'<sup class="cp-cite">.*?</sup>')
# Lines whose text Markdown does not simply put in the page: headings (their
# text also makes the anchor and the table of contents), admonition, details
# and tab titles. A citation there stays inline HTML.
_TITLE_LINE = re.compile(r" {0,3}#|[ \t]*(?:!!!|\?\?\?|===)")
_SETEXT = re.compile(r" {0,3}(?:=+|-+)[ \t]*$")


def _hold_citations(body: str, blocks: _Blocks) -> str:
    """Each numbered citation behind a word: inline HTML makes Python-Markdown
    parse the tags, a fifth of a page's render. The superscripts go back in
    after the site search has read the page, so its index has "stay home."
    where it had "stay home.1", a word no one searches for."""

    def hold(m: re.Match[str]) -> str:
        start = body.rfind("\n", 0, m.start()) + 1
        end = body.find("\n", m.end())
        after = ""  # the next line
        if end >= 0:
            stop = body.find("\n", end + 1)
            after = body[end + 1 : stop if stop >= 0 else len(body)]
        if _TITLE_LINE.match(body, start) or _SETEXT.match(after):
            return m.group(0)
        return blocks.citation(m.group(0))

    return _CITATION.sub(hold, body)


def _block(html: str) -> str:
    """A raw HTML block that Python-Markdown passes through untouched."""
    return _Blocks(None)(lambda: html, True)


def make_blocks(deferred: Iterable[tuple[str, Callable[[], str]]]) -> tuple[tuple[str, str], ...]:
    return tuple((token, make().strip()) for token, make in deferred)


def alert_banner(doc: Document, policy: Policy) -> str:
    template = policy.alert_templates.get(str(doc.meta.get("template")), {})
    text = str(template.get("banner", doc.title))
    for key, value in (doc.meta.get("values") or {}).items():
        text = text.replace("{" + str(key) + "}", str(value))
    return text


def alert_active(doc: Document, now: dt.datetime) -> bool:
    ends = parse_datetime(doc.meta.get("expires"))
    published = parse_date(doc.meta.get("published"))
    return bool(ends and ends > now and (published is None or published <= now.date()))


def _people(ids: list[str], policy: Policy) -> list[Any]:
    return [policy.people[i] for i in ids if i in policy.people]


def header(doc: Document, policy: Policy, now: dt.datetime, block: _Blocks | None = None) -> str:
    block = block or _Blocks(None)
    parts: list[str] = []
    sponsored = doc.meta.get("sponsored")
    if sponsored:
        parts.append(block(partial(render, "disclosure.html", disclosure=sponsored["disclosure"],
                                   partner=sponsored["partner"]), True))
    if doc.type == "alert":
        ends = parse_datetime(doc.meta.get("expires"))
        if ends:
            parts.append(block(partial(render, "alert-status.html", active=alert_active(doc, now),
                                       banner=alert_banner(doc, policy), expires=ends), False))
    if doc.type == "myth":
        verdicts: Mapping[str, Any] = {v["id"]: v for v in policy.editorial["verdicts"]}
        verdict = verdicts.get(str(doc.meta.get("verdict")), {"label": doc.meta.get("verdict"), "rating": 3})
        worst = min(v["rating"] for v in verdicts.values())
        best = max(v["rating"] for v in verdicts.values())
        middle = (worst + best) / 2
        css = "failure" if verdict["rating"] < middle else "success" if verdict["rating"] > middle else "warning"
        seen = doc.meta.get("claim_seen") or {}
        parts.append(block(partial(
            render, "claim.html", css=css, verdict=verdict["label"], claim=doc.meta.get("claim", ""),
            seen=str(seen.get("description", "")).rstrip(".").lower() if seen.get("description") else "",
            seen_date=parse_date(seen.get("date")) or now.date(),
        ), True))
    last, nxt = doc.date("last_reviewed"), doc.date("next_review")
    if last and nxt:
        parts.append(block(partial(render, "review.html", reviewers=_people(list(doc.meta.get("reviewed_by") or []), policy),
                                   last_reviewed=last, next_review=nxt), False))
    return "".join(parts)


def _reference_list(cited: list[dict[str, Any]]) -> str:
    listing = references_html(cited, list_id="reference-list")
    return listing.replace("<ol ", "<ol data-carepress data-search-exclude ", 1)


def footer(doc: Document, policy: Policy, order: tuple[str, ...], block: _Blocks | None = None) -> str:
    block = block or _Blocks(None)
    out = ""
    items = {c["id"]: c for c in doc.meta.get("citations") or []}
    cited = [items[i] for i in order if i in items]
    if cited:
        out += "\n\n## References\n" + block(partial(_reference_list, cited), False)
    revisions = []
    for entry in doc.meta.get("revisions") or []:
        person = policy.people.get(entry.get("by"))
        revisions.append({
            "date": parse_date(entry.get("date")),
            "summary": entry.get("summary", ""),
            "kind_label": {"clinical": "clinical update", "editorial": "editorial", "review": "review"}.get(entry.get("kind"), entry.get("kind")),
            "by": person.display if person else entry.get("by"),
        })
    if revisions:
        out += block(partial(render, "revisions.html", revisions=list(reversed(revisions))), False)
    return out


def decorate(
    doc: Document, policy: Policy, markdown: str, now: dt.datetime, placeholder: str | None = None
) -> Decorated:
    """The page body with its review line, numbered citations, references and
    history. With a ``placeholder`` prefix, the HTML blocks are left out of the
    Markdown (see ``_Blocks``): ``blocks`` for ``fill_blocks`` right after
    Markdown, ``deferred`` for ``make_blocks`` when the page is written."""
    blocks = _Blocks(placeholder)
    known = [c["id"] for c in doc.meta.get("citations") or []]
    numbered = number_citations(markdown, known)
    body = numbered.markdown
    if placeholder is not None and "cp-cite" in body:
        body = _hold_citations(body, blocks)
    top = header(doc, policy, now, blocks)
    lines = body.split("\n")
    # The review line goes under the page's H1 when there is one.
    insert_at = 0
    for i, line in enumerate(lines[:5]):
        if line.startswith("# "):
            insert_at = i + 1
            break
    body = "\n".join(lines[:insert_at]) + top + "\n".join(lines[insert_at:])
    bottom = footer(doc, policy, numbered.order, blocks)
    return Decorated(body + bottom, numbered.order, tuple(blocks.blocks), tuple(blocks.deferred), tuple(blocks.citations))


def preview_banner(findings) -> str:
    """The findings of a page, at its top, while an author previews it."""
    from ..model import Severity

    items = sorted(findings, key=lambda f: (-f.severity.rank, f.line, f.column))
    count = {s: sum(1 for f in items if f.severity is s) for s in Severity}
    return _block(
        render("preview.html", findings=items, errors=count[Severity.ERROR],
               warnings=count[Severity.WARNING], notices=count[Severity.NOTICE])
    )


def withheld_markdown(doc: Document, policy: Policy) -> str:
    return render("withheld.md", title=doc.title, contact_line=policy.hospital["contact_line"])
