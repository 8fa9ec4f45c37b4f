"""Consent for patient stories: current, not revoked, covering the site."""

from __future__ import annotations

from collections.abc import Iterable

from ..model import Document, Finding, Severity, parse_date
from ..policy import Policy
from . import Context, finding, rule


def consent_problem(doc: Document, policy: Policy, ctx: Context, platform: str = "site") -> str:
    """Why the story's consent does not cover ``platform`` today ('' when it does)."""
    record = policy.consents.get(str(doc.meta.get("consent")))
    if record is None:
        return ""
    if record.get("revoked"):
        when = record.get("revoked_on")
        return f"Consent {doc.meta['consent']} was withdrawn{' on ' + str(when) if when else ''}."
    expires = parse_date(record.get("expires"))
    if expires and expires < ctx.today:
        return f"Consent {doc.meta['consent']} expired on {expires.isoformat()}."
    if platform not in record["scope"].get("platforms", []):
        return f"Consent {doc.meta['consent']} does not cover {platform}."
    return ""


@rule("consent.lapsed", "consent.withheld", "consent.scope", types=("story",))
def consent(doc: Document, policy: Policy, ctx: Context) -> Iterable[Finding]:
    record = policy.consents.get(str(doc.meta.get("consent")))
    if record is None:
        return  # ref.unknown-consent says so
    problem = consent_problem(doc, policy, ctx)
    if problem:
        hint = "Take the story down, or ask the privacy office for a renewed consent record."
        if ctx.mode == "check":
            yield finding("consent.lapsed", doc, ("consent",), problem, hint)
        else:
            yield finding(
                "consent.withheld", doc, ("consent",),
                problem + " The story is withheld: its address shows a notice.", hint,
                severity=Severity.NOTICE,
            )
    scope = record["scope"]
    names = doc.meta.get("consented_names") or []
    if names and not scope.get("first_name"):
        yield finding(
            "consent.scope", doc, ("consented_names",),
            f"Consent {doc.meta['consent']} does not allow a first name, but the story lists {', '.join(names)}.",
            "Remove the names from the story and from consented_names.",
        )
    if doc.meta.get("image") and not scope.get("photo"):
        yield finding(
            "consent.scope", doc, ("image",),
            f"Consent {doc.meta['consent']} does not allow a photo, but the story has an image.",
            "Remove the image, or use an illustration that shows no patient.",
        )
