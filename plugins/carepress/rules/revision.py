"""The revision log: in order, not in the future, and consistent with the review."""

from __future__ import annotations

from collections.abc import Iterable

from ..model import Document, Finding, parse_date
from ..policy import Policy
from . import Context, finding, rule


@rule("revision.order", "revision.future")
def revision_dates(doc: Document, policy: Policy, ctx: Context) -> Iterable[Finding]:
    previous = None
    for i, entry in enumerate(doc.meta.get("revisions") or []):
        when = parse_date(entry.get("date"))
        if when is None:
            continue
        if when > ctx.today:
            yield finding(
                "revision.future", doc, ("revisions", i, "date"),
                f"Revision {i + 1} is dated {when.isoformat()}, after today ({ctx.today.isoformat()}).",
                "Date each revision on the day it was made.",
            )
        if previous and when < previous:
            yield finding(
                "revision.order", doc, ("revisions", i, "date"),
                f"Revision {i + 1} ({when.isoformat()}) is dated before the revision above it ({previous.isoformat()}).",
                "List revisions oldest first, adding new ones at the end.",
            )
        previous = when


@rule("revision.review-missing", "revision.review-mismatch")
def latest_review(doc: Document, policy: Policy, ctx: Context) -> Iterable[Finding]:
    entries = list(enumerate(doc.meta.get("revisions") or []))
    reviews = [(i, e) for i, e in entries if e.get("kind") == "review"]
    last = doc.meta.get("last_reviewed")
    if not reviews:
        yield finding(
            "revision.review-missing", doc, ("revisions",),
            "The revision log has no 'review' entry for the last review.",
            f"Add an entry with kind: review, date: {last}, by the reviewer.",
        )
        return
    newest_i, newest = max(reviews, key=lambda pair: (str(pair[1].get("date")), pair[0]))
    if str(newest.get("date")) != str(last):
        yield finding(
            "revision.review-mismatch", doc, ("revisions", newest_i, "date"),
            f"The newest review in the log is dated {newest.get('date')}, but 'last_reviewed' is {last}.",
            "Make last_reviewed and the newest review entry agree.",
        )
    if newest.get("by") not in (doc.meta.get("reviewed_by") or []):
        yield finding(
            "revision.review-mismatch", doc, ("revisions", newest_i, "by"),
            f"The newest review was logged by '{newest.get('by')}', who is not in 'reviewed_by'.",
            "Log the review under the reviewer's id, or add them to reviewed_by.",
        )


@rule("revision.clinical-unreviewed")
def clinical_changes(doc: Document, policy: Policy, ctx: Context) -> Iterable[Finding]:
    clinical_roles = set(policy.editorial["clinical_roles"])
    entries = list(doc.meta.get("revisions") or [])
    for i, entry in enumerate(entries):
        if entry.get("kind") != "clinical":
            continue
        when = str(entry.get("date"))
        reviewed = any(
            later.get("kind") == "review"
            and str(later.get("date")) >= when
            and (p := policy.people.get(later.get("by"))) is not None
            and clinical_roles & set(p.roles)
            for later in entries[i:]
        )
        if not reviewed:
            yield finding(
                "revision.clinical-unreviewed", doc, ("revisions", i),
                f"The clinical change of {when} has no later review by a clinical reviewer.",
                "A clinician reviews the change, then add a 'review' entry by them on or after that date.",
            )
