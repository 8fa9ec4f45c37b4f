"""Suppressions: an approved exception must be well formed, current and specific."""

from __future__ import annotations

from collections.abc import Iterable

from ..model import Document, Finding, Severity, parse_date
from ..policy import Policy
from . import Context, finding, rule


@rule("suppress.expired", "suppress.phi-occurrence")
def suppressions(doc: Document, policy: Policy, ctx: Context) -> Iterable[Finding]:
    for i, item in enumerate(doc.meta.get("suppress") or []):
        expires = parse_date(item.get("expires"))
        if expires and expires < ctx.today:
            yield finding(
                "suppress.expired", doc, ("suppress", i, "expires"),
                f"The suppression of {item.get('rule')} expired on {expires.isoformat()}; the rule applies again.",
                "Fix what the rule reports and remove the suppression, or have it re-approved with a new expiry.",
                severity=Severity.WARNING,
            )
        if str(item.get("rule", "")).startswith("phi.") and not (item.get("line") and item.get("text")):
            yield finding(
                "suppress.phi-occurrence", doc, ("suppress", i),
                "A PHI suppression must name one occurrence: its 'line' and exact 'text'.",
                "Add 'line:' and 'text:' for the one occurrence the privacy reviewer cleared.",
            )
