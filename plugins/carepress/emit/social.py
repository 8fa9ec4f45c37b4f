"""Ready-to-post social snippets: one per clinical page and enabled platform.

A post is the page leaving the reviewed site, so everything that keeps a page
off the site keeps its posts off the platforms too: errors, withholding, an
expired review or consent, an ended alert. Whatever is held back gets a
``social.withheld`` notice saying why and for which platforms (DESIGN.md,
"Fail closed"). A post is counted as its platform counts it and is never
truncated: an over-long post is an error for its author to rewrite.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urljoin, urlsplit

from ..checker import PageResult, suppressions_of
from ..model import Document, Finding, Severity, Span, parse_datetime
from ..phi import scan
from ..policy import Policy
from ..rules import CONTENT_TYPES, Context, finding
from ..rules.consent import consent_problem
from ..rules.disclosure import accepted_disclosure
from ..rules.phi import page_context
from ..rules.review import alert_ended
from .textcount import Counting, count

__all__ = [
    "Snippet",
    "enabled_platforms",
    "hashtags_in",
    "make_snippets",
    "scheduled_posts",
    "snippets_json",
    "snippets_json_parts",
    "tracking_link",
]

# A hashtag as the platforms link it: '#', then word characters, at least one not a digit,
# not glued to a word, an '&' (HTML entity) or a '/' (URL fragment) before it.
_HASHTAG = re.compile(r"(?<![\w&#/])#(\w*[^\W\d]\w*)")


@dataclass(frozen=True, slots=True)  # a site has a snippet per page and platform: no dict for each
class Snippet:
    """One post, ready for one platform: its text exactly as it is to be posted."""

    page: str
    platform: str
    text: str
    link: str
    count: int
    limit: int
    image: dict[str, str] | None
    scheduled: tuple[str, ...]
    hashtags: tuple[str, ...]

    def as_dict(self) -> dict[str, Any]:
        return {
            "page": self.page,
            "platform": self.platform,
            "text": self.text,
            "link": self.link,
            "count": self.count,
            "limit": self.limit,
            "image": dict(self.image) if self.image else None,
            "scheduled": sorted(self.scheduled),
            "hashtags": list(self.hashtags),
        }


def enabled_platforms(policy: Policy) -> dict[str, Mapping[str, Any]]:
    """The platforms policy makes snippets for, in policy order."""
    return {pid: p for pid, p in policy.platforms["platforms"].items() if p.get("enabled", True)}


def hashtags_in(text: str) -> tuple[str, ...]:
    """The hashtags a platform would link in ``text``, without '#', in order."""
    return tuple(sys.intern(m.group(1)) for m in _HASHTAG.finditer(text))  # the same few tags on every post


def slug(doc: Document) -> str:
    """The page's file name without suffix: its ``utm_content``."""
    name = doc.rel_path.rsplit("/", 1)[-1]
    return name.rsplit(".", 1)[0].lower()


def tracking_link(doc: Document, platform: str, policy: Policy, page_url: str) -> str:
    """The page URL with UTM parameters; values from front matter and policy, never the body."""
    utm = policy.platforms.get("utm", {})
    medium = utm.get("paid_medium", "paid-social") if doc.meta.get("sponsored") else utm.get("medium", "social")
    social = doc.meta.get("social") or {}
    campaign = social.get("campaign") or doc.meta.get("service_line") or ""
    params = [
        ("utm_source", platform),
        ("utm_medium", medium),
        ("utm_campaign", campaign),
        ("utm_content", slug(doc)),
    ]
    query = "&".join(f"{key}={quote(str(value).lower(), safe='-_.')}" for key, value in params)
    base, _, fragment = page_url.partition("#")
    joined = f"{base}{'&' if '?' in base else '?'}{query}"
    return f"{joined}#{fragment}" if fragment else joined


def scheduled_posts(doc: Document) -> list[tuple[int, str, dt.datetime]]:
    """``(index, platform, at)`` of every readable entry of ``social.schedule``."""
    out = []
    for i, item in enumerate((doc.meta.get("social") or {}).get("schedule") or []):
        if not isinstance(item, Mapping):
            continue
        at = parse_datetime(item.get("at"))
        if at is not None:
            out.append((i, str(item.get("platform", "")), at))
    return out


def image_of(doc: Document, page_url: str) -> dict[str, str] | None:
    """``social.image``, else the page's ``image``: its ``src``, ``alt`` and absolute ``url``."""
    image = (doc.meta.get("social") or {}).get("image") or doc.meta.get("image")
    if not isinstance(image, Mapping) or not image.get("src"):
        return None
    src = str(image["src"])
    return {"src": src, "alt": str(image.get("alt", "")), "url": _image_url(doc, src, page_url)}


def _image_url(doc: Document, src: str, page_url: str) -> str:
    """Where a page-relative image is served: beside the page's source file.

    With MkDocs' directory URLs ``articles/flu.md`` is served at ``articles/flu/``, so its
    folder is one level up; an ``index.md`` and a ``.html`` URL sit in their folder.
    """
    if urlsplit(src).scheme in ("http", "https"):
        return src
    name = doc.rel_path.rsplit("/", 1)[-1].lower()
    base = page_url.split("#", 1)[0].split("?", 1)[0]
    if base.endswith("/") and name not in ("index.md", "readme.md"):
        base = urljoin(base, "..")
    joined = urljoin(base, src)
    # A javascript: or data: "image" is never published (html.unsafe-url says so).
    return joined if urlsplit(joined).scheme in ("http", "https") else ""


# --------------------------------------------------------------------------------------------
# Why a page's posts are held back


@dataclass(frozen=True)
class _Hold:
    """One reason to hold posts back: the rule that holds them, and where it points."""

    rule: str
    message: str
    where: tuple[Any, ...]


def _page_hold(result: PageResult, doc: Document, today: dt.date) -> _Hold | None:
    """A reason that holds every platform's post (the first one, in order of weight)."""
    if result.errors:
        ids = ", ".join(sorted({f.rule for f in result.errors}))
        return _Hold("errors", f"the page has errors ({ids})", ("title",))
    if result.withheld:
        return _Hold("withheld", f"the page is withheld: {result.withheld}", ("title",))
    if alert_ended(doc, today):  # archived: a record, not something to share
        return _Hold("alert", f"the alert ended on {doc.meta.get('expires')}", ("expires",))
    nxt = doc.date("next_review")
    if nxt is not None and nxt < today:
        return _Hold("review", f"its review was due on {nxt.isoformat()}", ("next_review",))
    return None


def _platform_hold(
    doc: Document, policy: Policy, platform: str, today: dt.date, dates: Sequence[dt.date]
) -> _Hold | None:
    """A reason that holds this platform's post: consent scope, or a post planned after the
    review, the consent or the alert ends."""
    if doc.type == "story" and consent_problem(doc, policy, Context(today=today), platform):
        # Revoked or expired consent withholds the page (see _page_hold); what is left is scope.
        problem = consent_problem(doc, policy, Context(today=today))
        return _Hold(
            "consent", problem.rstrip(".") if problem else
            f"not covered by consent {doc.meta.get('consent')}", ("consent",),
        )
    nxt = doc.date("next_review")
    for day in sorted(set(dates)):
        planned = f"a post is planned on {day.isoformat()}"
        if nxt is not None and day > nxt:
            return _Hold("review", f"{planned}, after the review due on {nxt.isoformat()}", ("next_review",))
        if doc.type == "story":
            problem = consent_problem(doc, policy, Context(today=day), platform)
            if problem:
                return _Hold("consent", f"{planned}: {problem.rstrip('.')}", ("consent",))
        if alert_ended(doc, day):
            return _Hold("alert", f"{planned}, after the alert ends", ("expires",))
    return None


def _withheld(doc: Document, hold: _Hold, platforms: Sequence[str], names: Mapping[str, str]) -> Finding:
    which = ", ".join(names[p] for p in platforms)
    return finding(
        "social.withheld", doc, hold.where,
        f"No post for {which}: {hold.message} (held by the {hold.rule} rule).",
        "Nothing to do if that is intended; the posts come back once the page is current.",
        severity=Severity.NOTICE,
    )


def _takedowns(result: PageResult, doc: Document, policy: Policy, today: dt.date) -> list[dict[str, str]]:
    """Posts that may already be out for a page that must not be shared any more."""
    page_reason = result.withheld
    nxt = doc.date("next_review")
    if not page_reason and nxt is not None and nxt < today and not alert_ended(doc, today):
        page_reason = f"The page was due for review on {nxt.isoformat()}."
    out = []
    for _, platform, at in scheduled_posts(doc):
        # The build knows only its date: a post due today may have gone out already.
        if at.date() > today:
            continue
        reason = page_reason
        if not reason and doc.type == "story":
            reason = consent_problem(doc, policy, Context(today=today), platform)
        if reason:
            out.append({"page": doc.rel_path, "platform": platform, "at": at.isoformat(), "reason": reason})
    return out


# --------------------------------------------------------------------------------------------
# Composing and checking one post


def _default_text(doc: Document, platform: Mapping[str, Any], link: str) -> str:
    parts = []
    sponsored = doc.meta.get("sponsored")
    if sponsored:
        parts.append(str(sponsored.get("disclosure", "")).strip())
    parts.append(doc.title.strip())
    description = str(doc.meta.get("description") or "").strip()
    if description:
        parts.append(description)
    tags = (doc.meta.get("social") or {}).get("hashtags") or []
    if tags:
        parts.append(" ".join(f"#{tag}" for tag in tags))
    return _with_link("\n\n".join(p for p in parts if p), platform, link)


def _with_link(text: str, platform: Mapping[str, Any], link: str) -> str:
    """The post with the tracking link, or the link-in-bio line, where the platform allows."""
    mode = platform.get("links", "clickable")
    if mode == "clickable":
        return f"{text}\n\n{link}"
    if mode == "bio":
        line = str(platform.get("link_in_bio_text", "Link in bio."))
        return text if line in text else f"{text}\n\n{line}"
    return text


def _page_place(doc: Document) -> Span:
    """Where a finding about the page's posts as a whole goes: the 'social:' key, else the title."""
    return doc.key_span("social") if doc.meta.get("social") else doc.span("title")


def _phi_suppressed(doc: Document, policy: Policy, today: dt.date) -> set[tuple[str, str]]:
    """(rule, text) of PHI occurrences the privacy reviewer cleared for this page."""
    return {
        (s.rule, s.text)
        for s in suppressions_of(doc)
        if s.rule.startswith("phi.") and s.text and s.expires >= today and s.approved_by in policy.people
    }


_COUNTED_LINK = "https://t.co/carepress"


def measured_length(text: str, link: str, platform: Mapping[str, Any], counting: Counting) -> int:
    """The post's length as the platform counts it.

    The tracking link carepress appends is always a link: X and Mastodon
    count it as ``url_length`` whatever the hospital's domain (a test domain
    such as .example is in no TLD list, so the counter would not see it as
    one), and a platform that shortens links (``shortens_links``) shows at
    most ``url_length`` characters of it.
    """
    if link and link in text:
        if counting.method in ("twitter-v3", "mastodon"):
            text = text.replace(link, _COUNTED_LINK)
        elif platform.get("shortens_links"):
            text = text.replace(link, "x" * counting.url_length)
    return count(text, counting)


def _check_post(
    doc: Document, policy: Policy, today: dt.date, pid: str, platform: Mapping[str, Any],
    text: str, own_text: bool, link: str = "",
) -> tuple[int, list[Finding]]:
    name = platform["name"]
    where: tuple[Any, ...] | Span = ("social", "text", pid) if own_text else _page_place(doc)
    rewrite = (
        f"Shorten social.text.{pid}." if own_text
        else f"Write a shorter post for {name} in social.text.{pid}, or shorten the description."
    )
    counting = Counting.from_policy(platform["counting"])
    length = measured_length(text, link, platform, counting)
    out: list[Finding] = []
    limit = platform["limit"]
    if length > limit:
        out.append(finding(
            "social.too-long", doc, where,
            f"The {name} post is {length} long as {name} counts it ({counting.method}); "
            f"the limit is {limit}.",
            rewrite + " carepress never cuts a post short.",
        ))
    elif platform.get("recommended") and length > platform["recommended"]:
        out.append(finding(
            "social.long", doc, where,
            f"The {name} post is {length} long; {name} posts do best under {platform['recommended']}.",
            rewrite, severity=Severity.WARNING,
        ))
    tags = hashtags_in(text)
    most = platform.get("max_hashtags")
    if most is not None and len(tags) > most:
        out.append(finding(
            "social.hashtags", doc, where if own_text else (("social", "hashtags") if tags else where),
            f"The {name} post has {len(tags)} hashtags; {name} allows {most}.",
            f"Keep at most {most} hashtags in the {name} post.",
        ))
    sponsored = doc.meta.get("sponsored")
    first = policy.editorial["disclosures"]["first_characters"]
    if sponsored and not accepted_disclosure(text[:first], policy):
        accepted = ", ".join(f"'{w}'" for w in policy.editorial["disclosures"]["accepted"])
        out.append(finding(
            "social.disclosure", doc, where if own_text else ("sponsored", "disclosure"),
            f"The sponsored {name} post does not start with a disclosure within its first "
            f"{first} characters.",
            f"Start the post with the page's disclosure ({sponsored.get('disclosure')!r}); "
            f"accepted wordings: {accepted}.",
        ))
    context = page_context(doc, policy)
    cleared = _phi_suppressed(doc, policy, today)
    for hit in scan(text, context):
        found = text[hit.start : hit.end]
        if (f"phi.{hit.kind}", found) in cleared:
            continue
        out.append(finding(
            "social.phi", doc, where,
            f"The {name} post contains what may identify a patient ({hit.kind}): {hit.message}",
            hit.hint, kind=hit.kind,
        ))
    return length, out


def _photo_problem(doc: Document, policy: Policy) -> Finding | None:
    """A story's social image needs a consent that allows a photo (the page image is
    checked by the consent rule)."""
    image = (doc.meta.get("social") or {}).get("image")
    record = policy.consents.get(str(doc.meta.get("consent")))
    if doc.type != "story" or not image or record is None or record["scope"].get("photo"):
        return None
    return finding(
        "social.photo-consent", doc, ("social", "image"),
        f"Consent {doc.meta['consent']} does not allow a photo, but the story has a social image.",
        "Remove social.image, or use an illustration that shows no patient.",
    )


# --------------------------------------------------------------------------------------------


def make_snippets(
    pages: Mapping[str, PageResult], policy: Policy, today: dt.date,
    page_url: Callable[[Document], str],
) -> tuple[list[Snippet], list[Finding], list[dict[str, str]]]:
    """Snippets for every clinical page and enabled platform, the findings about them, and
    the posts to take down (already scheduled in the past for a page that must not be shared).
    """
    platforms = enabled_platforms(policy)
    names = {pid: p["name"] for pid, p in policy.platforms["platforms"].items()}
    snippets: list[Snippet] = []
    findings: list[Finding] = []
    takedowns: list[dict[str, str]] = []
    for rel in sorted(pages):
        result = pages[rel]
        doc = result.document
        if doc is None or doc.type not in CONTENT_TYPES:
            continue
        takedowns.extend(_takedowns(result, doc, policy, today))
        hold = _page_hold(result, doc, today)
        if hold is not None:
            if platforms:
                findings.append(_withheld(doc, hold, list(platforms), names))
            continue
        photo = _photo_problem(doc, policy)
        if photo is not None:
            findings.append(photo)
            continue
        made, found = _page_snippets(doc, policy, today, page_url(doc), platforms, names)
        snippets.extend(made)
        findings.extend(found)
    snippets.sort(key=lambda s: (s.page, s.platform))
    findings.sort(key=Finding.sort_key)
    takedowns.sort(key=lambda t: (t["page"], t["platform"], t["at"]))
    return snippets, findings, takedowns


def _page_snippets(
    doc: Document, policy: Policy, today: dt.date, url: str,
    platforms: Mapping[str, Mapping[str, Any]], names: Mapping[str, str],
) -> tuple[list[Snippet], list[Finding]]:
    schedule = scheduled_posts(doc)
    own_texts = (doc.meta.get("social") or {}).get("text") or {}
    image = image_of(doc, url)
    held: dict[_Hold, list[str]] = {}
    snippets: list[Snippet] = []
    findings: list[Finding] = []
    for pid, platform in platforms.items():
        times = sorted(at for _, p, at in schedule if p == pid)
        hold = _platform_hold(doc, policy, pid, today, [at.date() for at in times])
        if hold is not None:
            held.setdefault(hold, []).append(pid)
            continue
        link = tracking_link(doc, pid, policy, url)
        own = own_texts.get(pid)
        if own:
            text = _with_link(str(own).strip(), platform, link)
        else:
            text = _default_text(doc, platform, link)
        length, problems = _check_post(doc, policy, today, pid, platform, text, bool(own), link)
        if platform.get("media_only") and image is None:
            problems.append(finding(
                "social.no-media", doc, _page_place(doc),
                f"{platform['name']} posts only images and video, and the page has no image.",
                "Add social.image (or the page's image) with its alt text.",
                severity=Severity.WARNING,
            ))
        findings.extend(problems)
        if any(f.severity is Severity.ERROR for f in problems):
            continue  # the error says why; a post that fails a check is not ready to post
        snippets.append(Snippet(
            page=doc.rel_path,
            platform=pid,
            text=text,
            link=link,
            count=length,
            limit=platform["limit"],
            image=image,
            scheduled=tuple(at.isoformat() for at in times),
            hashtags=hashtags_in(text),
        ))
    for hold, which in held.items():
        findings.append(_withheld(doc, hold, which, names))
    return snippets, findings


def snippets_json(
    snippets: Iterable[Snippet], findings: Iterable[Finding], takedowns: Iterable[Mapping[str, str]]
) -> str:
    """Everything the social build produced, as deterministic JSON (sorted keys and lists)."""
    return "".join(snippets_json_parts(snippets, findings, takedowns))


def snippets_json_parts(
    snippets: Iterable[Snippet], findings: Iterable[Finding], takedowns: Iterable[Mapping[str, str]]
) -> Iterator[str]:
    """``snippets_json``, a piece at a time, to be written as it is made: a
    large site's file (11 MB at 2,000 pages) is never whole in memory."""
    ordered = sorted(snippets, key=lambda s: (s.page, s.platform))
    data = {
        "snippets": (ordered, Snippet.as_dict),
        "findings": (sorted(findings, key=lambda f: (*f.sort_key(), f.message)), Finding.as_dict),
        "takedowns": (sorted(takedowns, key=lambda t: (t["page"], t["platform"], t["at"])), dict),
    }
    yield from _pretty_json_parts(data)
    yield "\n"


def pretty_json(data: Mapping[str, list[Any]]) -> str:
    """``json.dumps(data, sort_keys=True, indent=2, ensure_ascii=False)`` for a
    mapping of lists, one list item at a time: the same text, without the
    encoder's millions of small pieces for a large site all alive at once."""
    return "".join(_pretty_json_parts({key: (items, _same) for key, items in data.items()}))


def _same(item: Any) -> Any:
    return item


def _pretty_json_parts(data: Mapping[str, tuple[Sequence[Any], Callable[[Any], Any]]]) -> Iterator[str]:
    if not data:
        yield "{}"
        return
    yield "{\n"
    for n, key in enumerate(sorted(data)):
        items, as_json = data[key]
        yield ("  " if n == 0 else ",\n  ") + json.dumps(key, ensure_ascii=False) + ": "
        if not items:
            yield "[]"
            continue
        yield "[\n"
        for i, item in enumerate(items):
            text = json.dumps(as_json(item), sort_keys=True, indent=2, ensure_ascii=False).replace("\n", "\n    ")
            yield ("    " if i == 0 else ",\n    ") + text
        yield "\n  ]"
    yield "\n}"
