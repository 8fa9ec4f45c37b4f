"""The reader-facing parts carepress adds to a page, as HTML fragments.

Everything a reader sees about a page's review (who reviewed it and when,
when it is due again, its numbered references and revision history, a
sponsor's disclosure, a myth's verdict, an alert's status) is rendered here
from the checked front matter, through autoescaping templates, so that no
author-written text reaches the HTML unescaped.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

from ..model import Document, parse_date, parse_datetime
from ..policy import Policy
from .references import number_citations, references_html

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
    # (placeholder, HTML) when decorate() was given a placeholder prefix: the
    # HTML goes in after Markdown, where '<p>placeholder</p>' stands.
    blocks: tuple[tuple[str, str], ...] = ()


class _Blocks:
    """Raw HTML blocks for a page body: inline, or behind placeholders.

    Python-Markdown (with md_in_html) reads every raw HTML block with an HTML
    parser to find Markdown inside it; carepress's blocks hold none, and
    parsing them nearly doubles the render time of a page. A placeholder
    paragraph costs nothing, and the block goes into the HTML afterwards
    (``fill_blocks``)."""

    def __init__(self, prefix: str | None) -> None:
        self.prefix = prefix
        self.blocks: list[tuple[str, str]] = []

    def __call__(self, html: str) -> str:
        html = html.strip()
        if self.prefix is None:
            return "\n\n" + html + "\n\n"
        token = f"{self.prefix}{len(self.blocks)}"
        self.blocks.append((token, html))
        return "\n\n" + token + "\n\n"


def _block(html: str) -> str:
    """A raw HTML block that Python-Markdown passes through untouched."""
    return _Blocks(None)(html)


def fill_blocks(html: str, blocks: tuple[tuple[str, str], ...], searchable: bool | None = None) -> str:
    """Put each block where its placeholder paragraph was rendered. A
    placeholder that Markdown put somewhere else (inside a list item or a code
    block left open at the end of the body) is replaced where it stands.

    ``searchable=True`` fills only blocks the site search reads and leaves an
    HTML comment for each of the others (``data-search-exclude``), which the
    search indexer skips just as it would skip the block; ``searchable=False``
    then fills those. A search index never needs to parse what it excludes."""
    for token, block in blocks:
        excluded = "data-search-exclude" in block[: block.find(">")]
        comment, wrapped = f"<!--{token}-->", f"<p>{token}</p>"
        if searchable is not None and excluded == searchable:
            if searchable:
                html = html.replace(wrapped if wrapped in html else token, comment, 1)
            continue
        for marker in (comment, wrapped):
            at = html.find(marker)
            if at >= 0:
                end = at + len(marker)
                # Python-Markdown leaves a blank line after a raw block (not at the end); so does this.
                html = html[:at] + block + ("\n" if end < len(html) else "") + html[end:]
                break
        else:
            html = html.replace(token, block, 1)
    return html


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


def header(doc: Document, policy: Policy, now: dt.datetime, block: Any = _block) -> str:
    parts: list[str] = []
    sponsored = doc.meta.get("sponsored")
    if sponsored:
        parts.append(render("disclosure.html", disclosure=sponsored["disclosure"], partner=sponsored["partner"]))
    if doc.type == "alert":
        ends = parse_datetime(doc.meta.get("expires"))
        if ends:
            parts.append(
                render("alert-status.html", active=alert_active(doc, now), banner=alert_banner(doc, policy), expires=ends)
            )
    if doc.type == "myth":
        verdicts: Mapping[str, Any] = {v["id"]: v for v in policy.editorial["verdicts"]}
        verdict = verdicts.get(str(doc.meta.get("verdict")), {"label": doc.meta.get("verdict"), "rating": 3})
        worst = min(v["rating"] for v in verdicts.values())
        best = max(v["rating"] for v in verdicts.values())
        middle = (worst + best) / 2
        css = "failure" if verdict["rating"] < middle else "success" if verdict["rating"] > middle else "warning"
        seen = doc.meta.get("claim_seen") or {}
        parts.append(
            render(
                "claim.html", css=css, verdict=verdict["label"], claim=doc.meta.get("claim", ""),
                seen=str(seen.get("description", "")).rstrip(".").lower() if seen.get("description") else "",
                seen_date=parse_date(seen.get("date")) or now.date(),
            )
        )
    last, nxt = doc.date("last_reviewed"), doc.date("next_review")
    if last and nxt:
        parts.append(render("review.html", reviewers=_people(list(doc.meta.get("reviewed_by") or []), policy),
                            last_reviewed=last, next_review=nxt))
    return "".join(block(p) for p in parts)


def footer(doc: Document, policy: Policy, order: tuple[str, ...], block: Any = _block) -> str:
    out = ""
    items = {c["id"]: c for c in doc.meta.get("citations") or []}
    cited = [items[i] for i in order if i in items]
    if cited:
        listing = references_html(cited, list_id="reference-list")
        listing = listing.replace("<ol ", "<ol data-carepress data-search-exclude ", 1)
        out += "\n\n## References\n" + block(listing)
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
        out += block(render("revisions.html", revisions=list(reversed(revisions))))
    return out


def decorate(
    doc: Document, policy: Policy, markdown: str, now: dt.datetime, placeholder: str | None = None
) -> Decorated:
    """The page body with its review line, numbered citations, references and
    history. With a ``placeholder`` prefix, the HTML blocks are left out of the
    Markdown (see ``_Blocks``) and returned in ``blocks`` for ``fill_blocks``."""
    blocks = _Blocks(placeholder)
    known = [c["id"] for c in doc.meta.get("citations") or []]
    numbered = number_citations(markdown, known)
    body = numbered.markdown
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
    return Decorated(body + bottom, numbered.order, tuple(blocks.blocks))


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
