"""Write everything the communications team uses into ``social_dir``.

Shared by the carepress/social plugin (after a build) and by the
``carepress snippets`` and ``carepress calendar`` commands (without one), so
both produce the same files: snippets.json, takedown.json, calendar.ics, the
CSV layouts from policy, and an HTML preview. Files are written to a
temporary folder and swapped in, so a failed run leaves the old ones.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import tempfile
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from ..atomic import replace_dir
from ..checker import PageResult
from ..model import Document, Finding, Severity
from ..policy import Policy
from .calendar import CsvLayout, check_calendar, posts_from, to_csv, to_html_parts, to_ical
from .social import make_snippets, snippets_json_parts

# A file's bytes, or what writes its text a piece at a time (the large ones:
# a 2,000-page site's snippets.json is 11 MB, and is never whole in memory).
FileBody = bytes | Callable[[], Iterable[str]]


@dataclass(frozen=True)
class SocialRun:
    findings: list[Finding]
    files: dict[str, FileBody]


def page_url_for(docs_rel: str, site_url: str) -> str:
    """The published URL of a page (MkDocs directory URLs)."""
    path = docs_rel.rsplit(".", 1)[0]
    if path == "index":
        path = ""
    elif path.endswith("/index"):
        path = path[: -len("index")]
    else:
        path += "/"
    return site_url.rstrip("/") + "/" + path


def takedown_notices(takedowns: list[dict[str, str]], policy: Policy) -> list[Finding]:
    """Every report lists the posts to remove, as notices on their page."""
    names = {pid: p["name"] for pid, p in policy.platforms["platforms"].items()}
    return [
        Finding(
            "social.takedown", Severity.NOTICE, item["page"], 0, 0,
            message=f"Remove the {names.get(item['platform'], item['platform'])} post scheduled for "
            f"{item['at']}: {item['reason']}.",
            hint="Delete the post on the platform; social/takedown.json lists every one.",
        )
        for item in takedowns
    ]


def social_files(
    pages: Mapping[str, PageResult], policy: Policy, today: dt.date, page_url: Callable[[Document], str]
) -> SocialRun:
    snippets, findings, takedowns = make_snippets(pages, policy, today, page_url)
    findings = findings + check_calendar(pages, policy, today) + takedown_notices(takedowns, policy)
    posts = posts_from(snippets, pages, policy)
    files: dict[str, FileBody] = {
        "snippets.json": lambda: snippets_json_parts(snippets, findings, takedowns),
        "takedown.json": (json.dumps(takedowns, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode("utf-8"),
        "calendar.ics": to_ical(posts, today, name=f"{policy.hospital['name']} social calendar"),
        "calendar.html": lambda: to_html_parts(posts, snippets, policy),
    }
    for name in sorted(policy.platforms.get("csv_layouts", {})):
        for filename, text in to_csv(posts, CsvLayout.from_policy(policy, name)):
            files[f"csv/{filename}"] = text.encode("utf-8")
    return SocialRun(sorted(findings, key=Finding.sort_key), files)


def write_files(files: Mapping[str, FileBody], target: Path) -> None:
    """Replace ``target`` with exactly these files, atomically by rename."""
    target.parent.mkdir(parents=True, exist_ok=True)
    stage = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=target.parent))
    try:
        for name, body in files.items():
            path = stage / name
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(body, bytes):
                path.write_bytes(body)
                continue
            with path.open("w", encoding="utf-8", newline="") as out:
                for part in body():
                    out.write(part)
        replace_dir(stage, target)
    finally:
        if stage.exists():
            shutil.rmtree(stage, ignore_errors=True)
