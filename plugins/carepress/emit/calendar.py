"""The content calendar: the planned posts, their checks, and the files the
communications team imports (iCalendar, scheduling-tool CSV, an HTML preview).

The plan lives in each page's ``social.schedule``; the checks read it there
(a post planned for a withheld page is still a plan to fix), while the files
are made only from snippets that passed every check in :mod:`.social`.
Nothing here reads the clock: the build date comes in as ``today``.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from itertools import pairwise
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import icalendar
from jinja2 import Environment, FileSystemLoader, select_autoescape

from ..checker import PageResult
from ..model import Document, Finding, Severity, parse_date
from ..policy import Policy
from ..rules import CONTENT_TYPES, finding
from .social import Snippet, enabled_platforms, scheduled_posts

__all__ = [
    "CsvLayout",
    "Post",
    "check_calendar",
    "hospital_tz",
    "posts_from",
    "to_csv",
    "to_html",
    "to_html_parts",
    "to_ical",
]

TEMPLATES = Path(__file__).with_name("templates")
PRODID = "-//carepress//social calendar//EN"


@dataclass(frozen=True)
class Post:
    """One planned post: a snippet at one of its scheduled times."""

    page: str
    platform: str
    platform_name: str
    at: dt.datetime  # aware, in the offset the author wrote
    title: str
    text: str
    link: str
    count: int
    limit: int
    recommended: int | None = None
    image: Mapping[str, str] | None = None

    @property
    def uid(self) -> str:
        """Stable across builds: the same page, platform and instant give the same UID."""
        key = f"{self.page}\n{self.platform}\n{self.at.astimezone(dt.timezone.utc).isoformat()}"
        return hashlib.sha256(key.encode("utf-8")).hexdigest()[:32] + "@carepress"


def hospital_tz(policy: Policy) -> dt.tzinfo:
    """The hospital's time zone (``hospital.timezone``), for weeks, days and CSV times."""
    try:
        return ZoneInfo(str(policy.hospital.get("timezone") or "UTC"))
    except (ZoneInfoNotFoundError, ValueError):
        return dt.timezone.utc


def posts_from(snippets: Iterable[Snippet], pages: Mapping[str, PageResult], policy: Policy) -> list[Post]:
    """Every scheduled time of every snippet, in time order."""
    platforms = policy.platforms["platforms"]
    out = []
    for s in snippets:
        result = pages.get(s.page)
        title = result.document.title if result is not None and result.document is not None else s.page
        platform = platforms.get(s.platform, {})
        for when in s.scheduled:
            out.append(Post(
                page=s.page,
                platform=s.platform,
                platform_name=str(platform.get("name", s.platform)),
                at=dt.datetime.fromisoformat(when),
                title=title,
                text=s.text,
                link=s.link,
                count=s.count,
                limit=s.limit,
                recommended=platform.get("recommended"),
                image=s.image,
            ))
    return sorted(out, key=_order)


def _order(post: Post) -> tuple[dt.datetime, str, str]:
    return (post.at.astimezone(dt.timezone.utc), post.platform, post.page)


# --------------------------------------------------------------------------------------------
# Checks


@dataclass(frozen=True)
class _Planned:
    doc: Document
    index: int
    platform: str
    at: dt.datetime

    def finding(self, rule: str, message: str, hint: str, severity: Severity = Severity.ERROR) -> Finding:
        return finding(rule, self.doc, ("social", "schedule", self.index, "at"), message, hint, severity)


def _planned(pages: Mapping[str, PageResult]) -> list[_Planned]:
    out = []
    for rel in sorted(pages):
        doc = pages[rel].document
        if doc is None or doc.type not in CONTENT_TYPES:
            continue
        out.extend(_Planned(doc, i, platform, at) for i, platform, at in scheduled_posts(doc))
    return out


def check_calendar(pages: Mapping[str, PageResult], policy: Policy, today: dt.date) -> list[Finding]:
    """Findings about the plan: cadence, spacing, and posts outside the page's approval,
    review or consent."""
    planned = _planned(pages)
    findings: list[Finding] = []
    platforms = enabled_platforms(policy)
    known = [p for p in planned if p.platform in platforms]
    for p in planned:
        if p.platform not in platforms:
            findings.append(p.finding(
                "calendar.platform",
                f"A post is planned on {p.platform}, which policy/platforms.yml does not enable.",
                "Remove the entry, or enable the platform in policy/platforms.yml.",
                Severity.WARNING,
            ))
        findings.extend(_page_dates(p, policy))
    tz = hospital_tz(policy)
    by_platform: dict[str, list[_Planned]] = defaultdict(list)
    for p in known:
        by_platform[p.platform].append(p)
    for pid, posts in by_platform.items():
        cadence = platforms[pid].get("cadence", {})
        posts.sort(key=lambda p: (p.at.astimezone(dt.timezone.utc), p.doc.rel_path, p.index))
        findings.extend(_gaps(posts, platforms[pid], cadence.get("min_gap_minutes", 10)))
        findings.extend(_cadence(posts, platforms[pid], cadence, tz, today))
    return sorted(findings, key=Finding.sort_key)


def _page_dates(p: _Planned, policy: Policy) -> list[Finding]:
    out = []
    day = p.at.date()  # the date where the post is made, as the author wrote its offset
    approvals = [parse_date(a.get("date")) for a in p.doc.meta.get("approvals") or [] if isinstance(a, Mapping)]
    newest = max((a for a in approvals if a), default=None)
    if newest and day < newest:
        out.append(p.finding(
            "calendar.before-approval",
            f"The {p.platform} post on {day.isoformat()} is planned before the page's latest "
            f"approval ({newest.isoformat()}).",
            "Plan it on or after the approval date: the approved version is the one to share.",
        ))
    nxt = p.doc.date("next_review")
    if nxt and day > nxt:
        out.append(p.finding(
            "calendar.after-review",
            f"The {p.platform} post on {day.isoformat()} is planned after the page's review is due "
            f"({nxt.isoformat()}).",
            "Plan it before next_review, or review the page first and move next_review.",
        ))
    if p.doc.type == "story":
        record = policy.consents.get(str(p.doc.meta.get("consent")))
        if record is not None:
            ends = [d for d in (parse_date(record.get("expires")),) if d]
            if record.get("revoked"):
                ends.append(parse_date(record.get("revoked_on")) or dt.date.min)
            end = min(ends, default=None)
            if end is not None and day > end:
                what = "was withdrawn" if record.get("revoked") else "expires"
                out.append(p.finding(
                    "calendar.after-consent",
                    f"The {p.platform} post on {day.isoformat()} is planned after consent "
                    f"{p.doc.meta['consent']} {what}"
                    f"{'' if end == dt.date.min else ' (' + end.isoformat() + ')'}.",
                    "Remove the post: a story is shared only while its consent lasts.",
                ))
    return out


def _gaps(posts: Sequence[_Planned], platform: Mapping[str, Any], minutes: int) -> list[Finding]:
    out = []
    least = dt.timedelta(minutes=minutes)
    for before, after in pairwise(posts):
        gap = after.at - before.at
        if gap < least:
            out.append(after.finding(
                "calendar.gap",
                f"Two {platform['name']} posts are {_minutes(gap)} apart ({before.at.isoformat()} "
                f"for {before.doc.rel_path}, {after.at.isoformat()} for {after.doc.rel_path}); "
                f"policy wants at least {minutes} minutes.",
                f"Move one of them {minutes} minutes or more away from the other.",
            ))
    return out


def _minutes(gap: dt.timedelta) -> str:
    seconds = int(gap.total_seconds())
    whole, rest = divmod(seconds, 60)
    return f"{whole} min {rest} s" if rest else f"{whole} min"


def _cadence(
    posts: Sequence[_Planned], platform: Mapping[str, Any], cadence: Mapping[str, Any],
    tz: dt.tzinfo, today: dt.date,
) -> list[Finding]:
    fewest, most = cadence.get("min_per_week", 3), cadence.get("max_per_week", 5)
    weeks: dict[tuple[int, int], list[_Planned]] = defaultdict(list)
    for p in posts:
        year, week, _ = p.at.astimezone(tz).isocalendar()
        weeks[(year, week)].append(p)
    out = []
    for (year, week), in_week in sorted(weeks.items()):
        if dt.date.fromisocalendar(year, week, 7) < today:
            continue  # a week that is over is history, not a plan
        n = len(in_week)
        if fewest <= n <= most:
            continue
        monday = dt.date.fromisocalendar(year, week, 1)
        where = in_week[most] if n > most else in_week[0]
        out.append(where.finding(
            "calendar.cadence",
            f"{platform['name']} has {n} post{'s' if n != 1 else ''} in the week of "
            f"{monday.isoformat()} ({year}-W{week:02d}); policy wants {fewest} to {most} a week.",
            "Spread the posts over the weeks, or change the cadence in policy/platforms.yml.",
            Severity.WARNING,
        ))
    return out


# --------------------------------------------------------------------------------------------
# iCalendar


def to_ical(posts: Iterable[Post], today: dt.date, name: str = "Social calendar") -> bytes:
    """One VEVENT per post, times in UTC; DTSTAMP is the build date, so the same plan
    gives the same bytes."""
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", name)
    stamp = dt.datetime(today.year, today.month, today.day, tzinfo=dt.timezone.utc)
    for post in sorted(posts, key=_order):
        event = icalendar.Event()
        event.add("uid", post.uid)
        event.add("dtstamp", stamp)
        event.add("dtstart", post.at.astimezone(dt.timezone.utc))
        event.add("summary", f"{post.platform_name}: {post.title}")
        description = post.text if not post.link or post.link in post.text else f"{post.text}\n\n{post.link}"
        event.add("description", description)
        if post.link:
            event.add("url", post.link)
        event.add("categories", [post.platform])
        cal.add_component(event)
    return cal.to_ical()


# --------------------------------------------------------------------------------------------
# CSV for scheduling tools


@dataclass(frozen=True)
class CsvLayout:
    """A scheduling tool's bulk-import columns (``policy/platforms.yml`` ``csv_layouts``).

    A layout without a ``platform`` column is one tool import per social profile (Sprout
    Social's bulk upload is), so its files are split by platform as well as by row count.
    """

    name: str
    columns: tuple[tuple[str, str], ...]  # (header, value)
    rows_per_file: int = 350
    date_format: str = "%m/%d/%Y"
    tz: dt.tzinfo = dt.timezone.utc

    @classmethod
    def from_policy(cls, policy: Policy, name: str) -> CsvLayout:
        layouts = policy.platforms.get("csv_layouts", {})
        if name not in layouts:
            raise KeyError(f"no CSV layout {name!r} in policy/platforms.yml (have: {', '.join(sorted(layouts))})")
        layout = layouts[name]
        return cls(
            name=name,
            columns=tuple((c["header"], c["value"]) for c in layout["columns"]),
            rows_per_file=layout.get("rows_per_file", 350),
            date_format=layout.get("date_format", "%m/%d/%Y"),
            tz=hospital_tz(policy),
        )


def _cell(post: Post, value: str, layout: CsvLayout) -> str:
    local = post.at.astimezone(layout.tz)
    image = post.image or {}
    values = {
        "date": local.strftime(layout.date_format),
        "time_24hr": local.strftime("%H:%M"),
        "datetime": post.at.isoformat(),
        "message_text": post.text,
        "link": post.link,
        "platform": post.platform,
        "page": post.page,
        "image_url": image.get("url", image.get("src", "")),
        "image_alt": image.get("alt", ""),
    }
    if value not in values:
        raise KeyError(f"unknown CSV value {value!r} in layout {layout.name!r}; known: {', '.join(values)}")
    return values[value]


def to_csv(posts: Iterable[Post], layout: CsvLayout) -> list[tuple[str, str]]:
    """``(filename, text)`` files of at most ``rows_per_file`` rows each, header included in
    every file. Names: ``<layout>[-<platform>][-<n>].csv``, numbered only when split."""
    ordered = sorted(posts, key=_order)
    per_platform = all(value != "platform" for _, value in layout.columns)
    groups: dict[str, list[Post]] = defaultdict(list)
    for post in ordered:
        groups[post.platform if per_platform else ""].append(post)
    size = max(1, layout.rows_per_file)
    files = []
    for key in sorted(groups):
        rows = groups[key]
        chunks = [rows[i : i + size] for i in range(0, len(rows), size)]
        stem = f"{layout.name}-{key}" if key else layout.name
        for n, chunk in enumerate(chunks, start=1):
            buffer = io.StringIO()
            writer = csv.writer(buffer, lineterminator="\r\n")
            writer.writerow([header for header, _ in layout.columns])
            for post in chunk:
                writer.writerow([_cell(post, value, layout) for _, value in layout.columns])
            name = f"{stem}-{n}.csv" if len(chunks) > 1 else f"{stem}.csv"
            files.append((name, buffer.getvalue()))
    return files


# --------------------------------------------------------------------------------------------
# HTML preview


@cache
def _environment() -> Environment:
    return Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html"], default_for_string=True),
        keep_trailing_newline=True,
    )


DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def _state(count: int, limit: int, recommended: int | None) -> str:
    if count > limit:
        return "over"
    if recommended and count > recommended:
        return "long"
    return "ok"


class _Listing:
    """Items made one at a time as a template loops over them."""

    def __init__(self, items: list[Any], make: Callable[[Any], Any]) -> None:
        self._items, self._make = items, make

    def __bool__(self) -> bool:
        return bool(self._items)

    def __iter__(self) -> Iterator[Any]:
        return map(self._make, self._items)


def to_html(posts: Iterable[Post], snippets: Iterable[Snippet], policy: Policy) -> str:
    """A self-contained preview: per platform, a week grid of the planned posts with each
    post's text and its count against the limit; then the snippets with no time planned."""
    return "".join(to_html_parts(posts, snippets, policy))


def to_html_parts(posts: Iterable[Post], snippets: Iterable[Snippet], policy: Policy) -> Iterator[str]:
    """``to_html`` a piece at a time, for writing as it is made (a large
    site's preview lists thousands of snippets)."""
    tz = hospital_tz(policy)
    names = {pid: p["name"] for pid, p in policy.platforms["platforms"].items()}
    recommended = {pid: p.get("recommended") for pid, p in policy.platforms["platforms"].items()}
    by_platform: dict[str, list[Post]] = defaultdict(list)
    for post in sorted(posts, key=_order):
        by_platform[post.platform].append(post)
    order = list(names) + sorted(set(by_platform) - set(names))
    sections = []
    for pid in order:
        plat_posts = by_platform.get(pid)
        if not plat_posts:
            continue
        cells: dict[dt.date, list[dict[str, Any]]] = defaultdict(list)
        for post in plat_posts:
            local = post.at.astimezone(tz)
            cells[local.date()].append({
                "time": local.strftime("%H:%M"),
                "iso": post.at.isoformat(),
                "title": post.title,
                "page": post.page,
                "text": post.text,
                "count": post.count,
                "limit": post.limit,
                "state": _state(post.count, post.limit, post.recommended),
                "image": post.image,
            })
        first, last = min(cells), max(cells)
        monday = first - dt.timedelta(days=first.weekday())
        weeks = []
        while monday <= last:
            days = [monday + dt.timedelta(days=i) for i in range(7)]
            year, week, _ = monday.isocalendar()
            weeks.append({
                "label": f"{year}-W{week:02d}",
                "monday": monday.isoformat(),
                "days": [{"date": d.isoformat(), "day": d.day, "posts": cells.get(d, [])} for d in days],
                "count": sum(len(cells.get(d, [])) for d in days),
            })
            monday += dt.timedelta(days=7)
        sections.append({"id": pid, "name": names.get(pid, pid), "weeks": weeks, "total": len(plat_posts)})
    waiting = sorted((s for s in snippets if not s.scheduled), key=lambda s: (s.page, s.platform))
    unscheduled = _Listing(waiting, lambda s: {
        "page": s.page,
        "platform": names.get(s.platform, s.platform),
        "text": s.text,
        "count": s.count,
        "limit": s.limit,
        "state": _state(s.count, s.limit, recommended.get(s.platform)),
    })
    return _environment().get_template("calendar.html").generate(
        hospital=policy.hospital.get("name", ""),
        timezone=str(policy.hospital.get("timezone") or "UTC"),
        days=DAYS,
        sections=sections,
        unscheduled=unscheduled,
    )
