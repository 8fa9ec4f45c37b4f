"""Readability: the body prose against the audience's target grade."""

from __future__ import annotations

from collections.abc import Iterable

from ..model import Document, Finding, Severity
from ..policy import Policy
from . import Context, finding, rule


@rule("readability.grade")
def grade(doc: Document, policy: Policy, ctx: Context) -> Iterable[Finding]:
    audience = str(doc.meta.get("audience"))
    target = policy.editorial["readability"].get(audience)
    if target is None:
        return
    lang = str(doc.meta.get("lang") or ctx.site_lang)
    if not lang.lower().startswith("en"):
        return  # Flesch-Kincaid is defined for English only.
    # textstat (and the NLTK it imports) loads only where pages are checked.
    from ..readability import measure

    result = measure(doc.body, lang)
    if result.grade > target:
        longest = "; ".join(f"\"{s[:100]}{'…' if len(s) > 100 else ''}\" ({len(s.split())} words)" for s in result.longest)
        yield finding(
            "readability.grade", doc, ("audience",),
            f"The page reads at grade {result.grade:.1f}; the target for {audience} pages is {target:g} or below.",
            f"Shorten sentences and use everyday words. Longest sentences: {longest}",
            severity=Severity.WARNING,
        )
