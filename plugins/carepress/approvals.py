"""Approvals that cannot be forged: front matter against the pull request.

Anyone can type ``- role: clinical / by: a-placeholder`` into front matter.
``carepress verify-approvals --reviews FILE`` compares the approvals a pull
request adds with the reviews GitHub recorded on it (the JSON of the
"list reviews for a pull request" API, which the workflow fetches): an
approval by someone who did not approve the pull request is an error.
People are matched through their GitHub handle in ``policy/people.yml``.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from .checker import discover, read_pages
from .frontmatter import read_text
from .model import Document, Finding, Severity
from .policy import Policy
from .rules import finding


def approving_logins(reviews: Iterable[Mapping[str, Any]]) -> set[str]:
    """Logins whose latest decisive review approves (GitHub's own rule:
    comments do not change a reviewer's state; a later 'changes requested'
    or a dismissal cancels an approval)."""
    latest: dict[str, tuple[str, str]] = {}
    for review in reviews:
        login = str((review.get("user") or {}).get("login") or "").lower()
        state = str(review.get("state") or "").upper()
        if not login or state in ("COMMENTED", "PENDING"):
            continue
        when = str(review.get("submitted_at") or "")
        if login not in latest or when >= latest[login][0]:
            latest[login] = (when, state)
    return {login for login, (_, state) in latest.items() if state == "APPROVED"}


def _key(approval: Mapping[str, Any]) -> tuple[str, str, str]:
    return (str(approval.get("role")), str(approval.get("by")), str(approval.get("date")))


def verify(doc: Document, base: Document | None, policy: Policy, approvers: set[str]) -> list[Finding]:
    before = {_key(a) for a in (base.meta.get("approvals") or [])} if base is not None else set()
    out = []
    for i, approval in enumerate(doc.meta.get("approvals") or []):
        if _key(approval) in before:
            continue  # already merged: verified when it landed
        person = policy.people.get(str(approval.get("by")))
        role = approval.get("role")
        if person is None:
            continue  # ref.unknown-person reports it
        if not person.github:
            out.append(finding(
                "approval.unverifiable", doc, ("approvals", i, "by"),
                f"The '{role}' approval names {person.display}, who has no GitHub handle in policy/people.yml.",
                "Add their handle under 'github:' so their approval can be matched to the pull request.",
            ))
        elif person.github.lower() not in approvers:
            out.append(finding(
                "approval.not-on-pull-request", doc, ("approvals", i, "by"),
                f"The '{role}' approval names {person.display} (@{person.github}), who has not approved this pull request.",
                f"Ask @{person.github} to approve the pull request on GitHub; an approval in front matter "
                "counts only when its author approved the change.",
            ))
    return out


def register(sub: argparse._SubParsersAction, add_common) -> tuple[str, object]:
    parser = sub.add_parser(
        "verify-approvals", help="check that front-matter approvals match the pull request's approving reviews"
    )
    parser.add_argument("--reviews", type=Path, required=True, metavar="FILE",
                        help="the pull request's reviews as JSON (GitHub's list-reviews API)")
    parser.add_argument("--changed-since", metavar="REF", help="the pull request's base ref (default: every page)")
    parser.add_argument("paths", nargs="*", type=Path, metavar="PATH", help="pages to verify")
    parser.add_argument("--format", choices=("text", "json", "github", "sarif", "markdown"), default="text")
    add_common(parser)
    return "verify-approvals", run


def run(args: argparse.Namespace) -> int:
    from .changes import GitError, file_at, select_pages
    from .cli import UsageError, _load, _pages, render
    from .emit.report import Report

    project, policy = _load(args)
    try:
        reviews = json.loads(args.reviews.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise UsageError(f"--reviews {args.reviews}: cannot be read as JSON ({exc}).") from None
    if not isinstance(reviews, list):
        raise UsageError(f"--reviews {args.reviews}: expected a JSON array of reviews.")
    approvers = approving_logins(r for r in reviews if isinstance(r, dict))
    if args.changed_since:
        try:
            files = select_pages(project.root, project.docs_dir, project.policy_dir, args.changed_since).changed
        except GitError as exc:
            raise UsageError(str(exc)) from None
    else:
        files = _pages(project, args.paths) if args.paths else discover(project.docs_dir)
    findings: list[Finding] = []
    for rel, parsed in read_pages(project.root, files).items():
        if parsed.document is None:
            findings.extend(f for f in parsed.findings if f.severity is Severity.ERROR)
            continue
        base = None
        if args.changed_since:
            old = file_at(project.root, args.changed_since, parsed.document.path)
            base = read_text(old, parsed.document.path, rel).document if old is not None else None
        findings.extend(verify(parsed.document, base, policy, approvers))
    report = Report(findings=sorted(findings, key=Finding.sort_key), pages_checked=len(files))
    print(render(report, args.format), end="")
    return 1 if findings else 0
