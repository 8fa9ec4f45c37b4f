"""``carepress new``: start a page with complete front matter.

A new page is written with every field its content type needs, filled from
policy where policy knows the answer (review interval, the service line's
reviewers, the approval roles in order, the alert template's placeholders,
the hospital's time zone) and marked ``REPLACE`` where only the author
knows it. The markers are chosen so that the existing checks fail on them,
on their own line: placeholder people and consent ids are lowercase ids
that are in no policy file (``ref.unknown-person``, ``ref.unknown-consent``),
and a placeholder source's URL is not a web address (``source.bad-scheme``).
Free text marked ``REPLACE:`` (description, claim, body) passes the schema
and is listed by the command so the author can find it.

The YAML is written by hand, in the field order of the demo pages, so that
the new file reads like them; it is then read back and schema-checked before
it is written, so ``carepress new`` can never leave a page that its own
schema rejects.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import re
import sys
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from .checker import validate
from .cli import EXIT_CLEAN, EXIT_CONFIG, UsageError, _load, resolve_today
from .frontmatter import field_name, read_text
from .model import Document
from .policy import Policy
from .project import Project

TYPES = ("article", "myth", "story", "alert")
AUDIENCES = ("patient", "caregiver", "clinician")
MARK = "REPLACE"
ALERT_DAYS = 7
ALERT_END_HOUR = 20
MAX_SLUG = 80
FOLDERS = {"article": "articles", "myth": "myths", "story": "stories", "alert": "alerts"}

# Lowercase placeholder ids: the schema's id pattern accepts them and no
# policy file holds them, so the reference checks fail on their lines.
AUTHOR_PLACEHOLDER = "replace-author-id"
REVIEWER_PLACEHOLDER = "replace-reviewer-id"
CONSENT_PLACEHOLDER = "replace-consent-id"

DESCRIPTION = f"{MARK}: one or two sentences for search results and social posts (50 to 160 characters)."
SOURCE_TITLE = f"{MARK}: the source's title"
# Not a web address, so source.bad-scheme fails on this line until a real URL replaces it.
SOURCE_URL = f"{MARK}: the source's https address, such as https://www.cdc.gov/..."
REVIEW_SUMMARY = f"{MARK}: what the reviewer checked."
CLAIM = f"{MARK}: the claim, in one sentence."
CLAIM_SEEN = f"{MARK}: where the claim appeared, such as social media posts."


@dataclass(frozen=True)
class Request:
    """What the author asked for, checked against the policy."""

    type: str
    title: str
    service_line: str
    audience: str
    author: str
    today: dt.date
    template: str = ""
    ends: dt.date | None = None


# ---------------------------------------------------------------- YAML by hand

_PLAIN_UNSAFE_START = tuple("-?:,[]{}#&*!|>'\"%@`")


def scalar(value: str) -> str:
    """A YAML scalar for ``value``: plain when it reads back as the same text, else double-quoted."""
    plain = (
        value
        and value == value.strip()
        and not value.startswith(_PLAIN_UNSAFE_START)
        and ": " not in value
        and " #" not in value
        and "\n" not in value
        and MARK not in value
    )
    if plain:
        try:
            if yaml.safe_load(f"k: {value}") == {"k": value}:
                return value
        except yaml.YAMLError:
            pass
    # A JSON string is a valid YAML double-quoted scalar.
    return json.dumps(value, ensure_ascii=False)


def quoted(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)


def flow_list(items: Iterable[str]) -> str:
    return "[" + ", ".join(scalar(i) for i in items) + "]"


# ---------------------------------------------------------------- names and dates


def slugify(title: str) -> str:
    """Lowercase ASCII words joined by hyphens ("Rosa's story: rehab" -> "rosas-story-rehab")."""
    text = unicodedata.normalize("NFKD", title)
    text = text.encode("ascii", "ignore").decode("ascii").lower()
    text = re.sub(r"['\u2019]", "", text)
    text = re.sub(r"[^a-z0-9]+", "-", text).strip("-")
    if len(text) > MAX_SLUG:
        text = text[:MAX_SLUG].rsplit("-", 1)[0]
    return text


def alert_expires(ends: dt.date, timezone: str) -> str:
    """The alert's end: 20:00 on ``ends`` in the hospital's time zone, with its offset."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        zone = ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise UsageError(
            f"policy/hospital.yml names the time zone {timezone!r}, which this system does not know; "
            "use an IANA name such as America/Chicago."
        ) from None
    return dt.datetime(ends.year, ends.month, ends.day, ALERT_END_HOUR, tzinfo=zone).isoformat()


def placeholder_for_role(role: str) -> str:
    return f"replace-{role}-approver"


def template_placeholders(template: Mapping[str, Any]) -> dict[str, str]:
    """Every ``{placeholder}`` of the template: those it describes, then any its text uses."""
    out = {str(k): str(v) for k, v in (template.get("placeholders") or {}).items()}
    for key in ("title", "banner", "body"):
        for name in re.findall(r"\{([A-Za-z0-9_-]+)\}", str(template.get(key, ""))):
            out.setdefault(name, f"the value for {{{name}}}")
    return out


def show_placeholders(text: str, names: Iterable[str]) -> str:
    for name in names:
        text = text.replace("{" + name + "}", f"[{MARK}: {name}]")
    return text


# ---------------------------------------------------------------- the page


def review_interval(policy: Policy, content_type: str) -> int:
    return int(policy.type_rules(content_type).get("review_interval_days", 365))


def citation_count(policy: Policy, content_type: str) -> int:
    rules = policy.type_rules(content_type)
    return max(1, int(rules.get("min_citations", 1)), int(rules.get("min_top_tier_citations", 1)))


def reviewers(policy: Policy, service_line: str) -> list[str]:
    return list(policy.service_lines[service_line].get("owners") or []) or [REVIEWER_PLACEHOLDER]


def front_matter(req: Request, policy: Policy) -> list[str]:
    today = req.today.isoformat()
    reviewed_by = reviewers(policy, req.service_line)
    reviewer = next((r for r in reviewed_by if r != req.author), reviewed_by[0])
    if req.type == "alert":
        assert req.ends is not None
        next_review = min(req.ends, req.today + dt.timedelta(days=review_interval(policy, "alert")))
    else:
        next_review = req.today + dt.timedelta(days=review_interval(policy, req.type))
    lines = [
        f"type: {req.type}",
        f"title: {scalar(req.title)}",
        f"description: {quoted(DESCRIPTION)}",
        f"service_line: {req.service_line}",
        f"audience: {req.audience}",
        f"authors: {flow_list([req.author])}",
        f"reviewed_by: {flow_list(reviewed_by)}",
        f"published: {today}",
        f"last_reviewed: {today}",
        f"next_review: {next_review.isoformat()}",
    ]
    if req.type == "myth":
        lines += [
            f"claim: {quoted(CLAIM)}",
            'verdict: "false"',
            "claim_seen:",
            f"  description: {quoted(CLAIM_SEEN)}",
            f"  date: {today}",
        ]
    elif req.type == "story":
        lines += [f"consent: {CONSENT_PLACEHOLDER}", "consented_names: []"]
    elif req.type == "alert":
        template = policy.alert_templates[req.template]
        lines += [f"template: {req.template}", "values:"]
        for name, meaning in template_placeholders(template).items():
            lines.append(f"  {name}: {quoted(f'{MARK}: {meaning}')}")
        assert req.ends is not None
        lines.append(f"expires: {alert_expires(req.ends, str(policy.hospital.get('timezone', 'UTC')))}")
    lines.append("citations:")
    for n in range(1, citation_count(policy, req.type) + 1):
        lines += [
            f"  - id: source-{n}",
            "    type: webpage",
            f"    title: {quoted(SOURCE_TITLE)}",
            f"    URL: {quoted(SOURCE_URL)}",
            f"    accessed: {today}",
        ]
    lines += [
        "revisions:",
        f"  - date: {today}",
        f"    by: {req.author}",
        "    kind: editorial",
        "    summary: First draft.",
        f"  - date: {today}",
        f"    by: {reviewer}",
        "    kind: review",
        f"    summary: {quoted(REVIEW_SUMMARY)}",
        "approvals:",
    ]
    for role in policy.type_rules(req.type).get("required_approvals", []):
        lines += [f"  - role: {role}", f"    by: {placeholder_for_role(role)}", f"    date: {today}"]
    return lines


def citing(policy: Policy, content_type: str) -> str:
    """Every placeholder source, cited once, as the demo pages cite: `` [@a; @b]``."""
    ids = [f"@source-{n}" for n in range(1, citation_count(policy, content_type) + 1)]
    return " [" + "; ".join(ids) + "]"


def body(req: Request, policy: Policy) -> list[str]:
    cite = citing(policy, req.type)
    out = [f"# {req.title}", ""]
    if req.type == "article":
        out += [
            f"{MARK}: one or two sentences on what this page is about and who it is for.",
            "",
            "## What it is",
            "",
            f"{MARK}: explain the topic in plain words, citing the source of each medical fact{cite}.",
            "",
            "## What to do",
            "",
            f"- {MARK}: the first thing the reader should do.",
            f"- {MARK}: the next step.",
            "",
            "## When to get help",
            "",
            f"{MARK}: the signs that mean call your care team, and the signs that mean call 911.",
        ]
    elif req.type == "myth":
        out += [
            "## The claim",
            "",
            f"{MARK}: the claim as people say it, and why it can sound true.",
            "",
            "## The facts",
            "",
            f"**{MARK}: the verdict in one sentence, such as: This claim is false.**",
            "",
            f"{MARK}: what the evidence shows{cite}.",
            "",
            "## What to do",
            "",
            f"- {MARK}: the first thing the reader should do.",
            f"- {MARK}: the next step.",
        ]
    elif req.type == "story":
        out += [
            "## The story",
            "",
            f"{MARK}: the patient's story, in their words. Use only the first names the consent "
            "allows, and list them under consented_names.",
            "",
            "## A note from our clinician",
            "",
            f"{MARK}: what the clinician wants readers to know{cite}.",
            "",
            "## What you can learn",
            "",
            f"- {MARK}: the first lesson.",
            f"- {MARK}: the next lesson.",
        ]
    else:
        template = policy.alert_templates[req.template]
        names = list(template_placeholders(template))
        # Action first: the template's suggested body, else its banner in bold, as the demo alerts open.
        lead = show_placeholders(str(template.get("body") or "").strip(), names)
        if not lead:
            lead = f"**{show_placeholders(str(template['banner']).strip(), names)}**"
        out += [
            lead,
            "",
            "## Do this now",
            "",
            f"- **{MARK}: the most important action first.** {MARK}: why, or how{cite}.",
            f"- **{MARK}: the next action.**",
            "",
            "## When to get help",
            "",
            f"{MARK}: the signs that mean call your care team, and the signs that mean call 911.",
            "",
            "## When this ends",
            "",
            f"{MARK}: when the alert ends, and where readers will find updates.",
        ]
    return out


def render_page(req: Request, policy: Policy) -> str:
    return "\n".join(["---", *front_matter(req, policy), "---", "", *body(req, policy)]) + "\n"


# ---------------------------------------------------------------- what is left to do


def _is_placeholder(value: Any) -> bool:
    return isinstance(value, str) and (value.startswith(MARK) or value.startswith("replace-"))


def todo(doc: Document, policy: Policy) -> list[tuple[int, str]]:
    """(line, what to supply) for every placeholder in the page, in file order."""
    out: list[tuple[int, str]] = []
    for path, span in doc.spans.items():
        value: Any = doc.meta
        for part in path:
            value = value[part]
        if not _is_placeholder(value):
            continue
        if value == CONSENT_PLACEHOLDER:
            what = "the consent record id from the privacy office (policy/consents.yml)"
        elif value in (AUTHOR_PLACEHOLDER, REVIEWER_PLACEHOLDER):
            what = "a person's id from policy/people.yml"
        elif value.startswith("replace-") and path[0] == "approvals":
            role = doc.meta["approvals"][path[1]]["role"]
            holders = ", ".join(p.id for p in policy.people.values() if role in p.roles)
            what = f"who gave the '{role}' approval ({holders or 'nobody in policy/people.yml holds it yet'}), and its date"
        else:
            what = value.removeprefix(f"{MARK}:").strip()
        out.append((span.line, f"{field_name(path)}: {what}"))
    for offset, line in enumerate(doc.body.split("\n")):
        if MARK in line:
            text = re.sub(r"\s*\[@[^\]]*\]|\*\*", "", line).strip("- ").strip()
            out.append((doc.body_line + offset, f"body: {text}"))
    return sorted(out)


# ---------------------------------------------------------------- the command


def _request(args: argparse.Namespace, policy: Policy, today: dt.date) -> Request:
    title = " ".join(args.title.split())
    if not 3 <= len(title) <= 120:
        raise UsageError(f"The title must be 3 to 120 characters; {title!r} is {len(title)}.")
    if args.service_line not in policy.service_lines:
        raise UsageError(
            f"--service-line {args.service_line!r} is not in policy/service-lines.yml; use one of: "
            + ", ".join(policy.service_lines) + "."
        )
    if args.author is not None and args.author not in policy.people:
        raise UsageError(
            f"--author {args.author!r} is not in policy/people.yml; use one of: " + ", ".join(policy.people) + "."
        )
    author = args.author or next(
        (p.id for p in policy.people.values() if "editor" in p.roles), AUTHOR_PLACEHOLDER
    )
    templates = ", ".join(sorted(policy.alert_templates)) or "(none: add one to policy/alert-templates/)"
    ends = None
    if args.type == "alert":
        if not args.template:
            raise UsageError(f"An alert needs --template NAME; the templates in policy/alert-templates/ are: {templates}.")
        if args.template not in policy.alert_templates:
            raise UsageError(
                f"--template {args.template!r} is not in policy/alert-templates/; use one of: {templates}."
            )
        ends = today + dt.timedelta(days=ALERT_DAYS)
        if args.ends:
            try:
                ends = dt.date.fromisoformat(args.ends)
            except ValueError:
                raise UsageError(f"--ends {args.ends!r} is not a date; write it as YYYY-MM-DD.") from None
            if ends <= today:
                raise UsageError(f"--ends {args.ends} must be after today ({today.isoformat()}).")
    else:
        if args.template:
            raise UsageError("--template is for alerts only.")
        if args.ends:
            raise UsageError("--ends is for alerts only.")
    return Request(args.type, title, args.service_line, args.audience, author, today, args.template or "", ends)


def _target(args: argparse.Namespace, project: Project, req: Request) -> Path:
    if args.path:
        path = args.path if args.path.is_absolute() else Path.cwd() / args.path
        if path.suffix not in (".md", ".markdown"):
            raise UsageError(f"--path {args.path}: a page's file name ends in .md.")
        return path
    slug = slugify(req.title)
    if not slug:
        raise UsageError(f"The title {req.title!r} gives no file name in ASCII letters or digits; pass --path FILE.")
    return project.docs_dir / FOLDERS[req.type] / f"{slug}.md"


def _write(path: Path, text: str, force: bool, shown: str) -> None:
    if path.is_dir():
        raise UsageError(f"{shown} is a folder.")
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        with path.open("w" if force else "x", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
    except FileExistsError:
        raise UsageError(f"{shown} already exists; nothing was written. Pass --force to overwrite it.") from None


def cmd_new(args: argparse.Namespace) -> int:
    today = resolve_today(args.today)
    project, policy = _load(args)
    req = _request(args, policy, today)
    path = _target(args, project, req)
    shown = project.rel(path)
    text = render_page(req, policy)
    doc, problems = validate(read_text(text, path, shown))
    problems = [f for f in problems if f.rule.startswith("frontmatter.")]
    if doc is None or problems:  # pragma: no cover - a carepress bug, never the author's
        for f in problems:
            print(f"{f.path}:{f.line}:{f.column}: error [{f.rule}] {f.message}", file=sys.stderr)
        print("carepress: the new page fails its own schema; nothing was written.", file=sys.stderr)
        return EXIT_CONFIG
    _write(path, text, args.force, shown)
    print(f"carepress: wrote {shown}")
    print("Still to fill in (marked REPLACE):")
    for line, what in todo(doc, policy):
        print(f"  {shown}:{line}: {what}")
    print(f"Then run: carepress check {shown}")
    return EXIT_CLEAN


def register(
    subparsers: Any, add_common: Callable[[argparse.ArgumentParser], None]
) -> tuple[str, Callable[[argparse.Namespace], int]]:
    new = subparsers.add_parser(
        "new", help="start a page with complete front matter; REPLACE marks what the author fills in"
    )
    new.add_argument("type", choices=TYPES, help="the content type")
    new.add_argument("title", help="the page title (also gives the file name)")
    new.add_argument("--service-line", required=True, metavar="ID", help="the owning service line (policy/service-lines.yml)")
    new.add_argument("--template", metavar="NAME", help="alerts: the template in policy/alert-templates/ (required)")
    new.add_argument("--ends", metavar="DATE", help=f"alerts: the last day (YYYY-MM-DD), ending {ALERT_END_HOUR}:00; default today + {ALERT_DAYS} days")
    new.add_argument("--audience", choices=AUDIENCES, default="patient", help="who the page is for (default patient)")
    new.add_argument("--author", metavar="ID", help="the author's id in policy/people.yml (default: the first editor)")
    new.add_argument("--path", type=Path, metavar="FILE", help="where to write the page (default: <docs_dir>/<articles|myths|stories|alerts>/<slug>.md)")
    new.add_argument("--force", action="store_true", help="overwrite an existing file")
    add_common(new)
    return "new", cmd_new
