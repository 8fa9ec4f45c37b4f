"""Review dates and reviewers: is the page's medical review current, and by whom."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from ..model import Document, Finding, Severity, parse_datetime
from ..policy import Policy
from . import Context, finding, rule


def alert_ended(doc: Document, today: dt.date) -> bool:
    """An alert past its ``expires`` is archived: a record, not live advice."""
    if doc.type != "alert":
        return False
    ends = parse_datetime(doc.meta.get("expires"))
    return ends is not None and ends.date() < today


@rule("review.future", "review.order", "review.interval")
def review_dates(doc: Document, policy: Policy, ctx: Context) -> Iterable[Finding]:
    published, last, nxt = doc.date("published"), doc.date("last_reviewed"), doc.date("next_review")
    if last and last > ctx.today:
        yield finding(
            "review.future", doc, ("last_reviewed",),
            f"'last_reviewed' is {last.isoformat()}, after today ({ctx.today.isoformat()}).",
            "Set it to the day the review actually happened.",
        )
    if published and last and last < published:
        yield finding(
            "review.order", doc, ("last_reviewed",),
            f"'last_reviewed' ({last.isoformat()}) is before 'published' ({published.isoformat()}).",
            "A page is reviewed before it is published: set last_reviewed to the latest review.",
        )
    if last and nxt and nxt <= last:
        yield finding(
            "review.order", doc, ("next_review",),
            f"'next_review' ({nxt.isoformat()}) is not after 'last_reviewed' ({last.isoformat()}).",
            "Set next_review to a date after the last review.",
        )
    interval = policy.type_rules(doc.type).get("review_interval_days")
    if last and nxt and interval and (nxt - last).days > interval:
        latest = last + dt.timedelta(days=interval)
        yield finding(
            "review.interval", doc, ("next_review",),
            f"'next_review' is {(nxt - last).days} days after the last review; policy allows at most "
            f"{interval} days for a{'n' if doc.type[0] in 'aeiou' else ''} {doc.type}.",
            f"Set next_review to {latest.isoformat()} or earlier.",
        )


@rule("review.expired", "review.withheld", "review.due-soon")
def review_expiry(doc: Document, policy: Policy, ctx: Context) -> Iterable[Finding]:
    nxt = doc.date("next_review")
    if nxt is None or alert_ended(doc, ctx.today):
        return
    if nxt < ctx.today:
        message = f"The page was due for review on {nxt.isoformat()} and has not been reviewed since."
        hint = ("A clinician reviews it, then update last_reviewed, next_review and the revision log.")
        if ctx.mode == "check" or policy.editorial["on_expired"] == "fail":
            yield finding("review.expired", doc, ("next_review",), message, hint)
        else:
            yield finding(
                "review.withheld", doc, ("next_review",),
                message + " It is withheld: its address shows a 'being reviewed' notice.",
                hint, severity=Severity.NOTICE,
            )
        return
    window = policy.editorial["due_soon_days"]
    ends = parse_datetime(doc.meta.get("expires")) if doc.type == "alert" else None
    if ends is not None and ends.date() <= nxt:
        return  # the alert ends before its review falls due
    if (nxt - ctx.today).days <= window:
        yield finding(
            "review.due-soon", doc, ("next_review",),
            f"The page is due for review on {nxt.isoformat()}, in {(nxt - ctx.today).days} days.",
            "Ask the reviewer to schedule the review; after that date the page is withheld.",
            severity=Severity.WARNING,
        )


@rule("review.reviewer-credential", "review.two-person")
def reviewers(doc: Document, policy: Policy, ctx: Context) -> Iterable[Finding]:
    line = policy.service_lines.get(str(doc.meta.get("service_line")))
    needed = set(line.get("required_credentials", ())) if line else set()
    reviewed_by = list(doc.meta.get("reviewed_by") or [])
    for i, pid in enumerate(reviewed_by):
        person = policy.people.get(pid)
        if person is None or not needed:
            continue
        if not (needed & set(person.credentials)) or not person.verified:
            yield finding(
                "review.reviewer-credential", doc, ("reviewed_by", i),
                f"{person.display} does not hold a verified credential the {line['name']} service line "
                f"requires ({', '.join(sorted(needed))}).",
                "Ask a reviewer with one of those credentials (see policy/service-lines.yml).",
            )
    authors = set(doc.meta.get("authors") or [])
    if policy.type_rules(doc.type).get("two_person_rule", True) and reviewed_by and set(reviewed_by) <= authors and len(authors) == 1:
        yield finding(
            "review.two-person", doc, ("reviewed_by",),
            "The only author is also the only reviewer; clinical content needs two people.",
            "Ask a second clinician of the service line to review the page.",
        )
