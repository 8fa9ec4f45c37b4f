"""Suppressions: an approved, current exception removes a finding; anything else does not."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from carepress.checker import check_pages
from carepress.frontmatter import read_text
from carepress.model import Severity, Suppression
from helpers import TODAY, line_of, rules

REL = "content/articles/test.md"
EXTRA_CITATION = """\
  - id: county-hbp
    type: webpage
    title: Blood pressure screening in Riverbend County
    URL: https://www.example.com/riverbend/blood-pressure
    accessed: 2026-09-15
"""
REASON = "The county page is the only source for local screening times."


def untrusted(article: str) -> str:
    """The article citing one untrusted (warning) source."""
    return article.replace("revisions:", EXTRA_CITATION + "revisions:", 1).replace(
        "[@nhlbi-hbp].", "[@nhlbi-hbp; @county-hbp]."
    )


def suppressed(text: str, *entries: str) -> str:
    return text.replace("\n---\n\n# Test", "\nsuppress:\n" + "".join(entries) + "---\n\n# Test")


def entry(rule: str, expires: dt.date | str, by: str = "a-placeholder", extra: str = "") -> str:
    return (
        f"  - rule: {rule}\n    reason: {REASON}\n    approved_by: {by}\n    expires: {expires}\n{extra}"
    )


def run(text: str, policy, today: dt.date = TODAY, mode: str = "check"):
    result = check_pages({REL: read_text(text, Path(REL), REL)}, policy, today, mode=mode)
    return result.pages[REL]


def test_unsuppressed_finding(article, policy):
    text = untrusted(article)
    page = run(text, policy)
    assert rules(page.findings) == [("source.untrusted-domain", line_of(text, "example.com"))]
    assert page.suppressions == ()


def test_approved_current_suppression_removes_the_finding(article, policy):
    text = suppressed(untrusted(article), entry("source.untrusted-domain", "2027-01-01"))
    page = run(text, policy)
    assert page.findings == ()
    assert page.suppressions == (
        Suppression(
            rule="source.untrusted-domain",
            reason=REASON,
            approved_by="a-placeholder",
            expires=dt.date(2027, 1, 1),
            index=0,
        ),
    )


def test_suppression_expiring_today_is_still_in_force(article, policy):
    text = suppressed(untrusted(article), entry("source.untrusted-domain", TODAY.isoformat()))
    page = run(text, policy)
    assert page.findings == ()
    assert [s.rule for s in page.suppressions] == ["source.untrusted-domain"]


def test_expired_suppression_stops_suppressing(article, policy):
    yesterday = (TODAY - dt.timedelta(days=1)).isoformat()
    text = suppressed(untrusted(article), entry("source.untrusted-domain", yesterday))
    page = run(text, policy)
    assert rules(page.findings) == [
        ("source.untrusted-domain", line_of(text, "example.com")),
        ("suppress.expired", line_of(text, f"expires: {yesterday}")),
    ]
    expired = page.findings[1]
    assert expired.severity is Severity.WARNING
    assert expired.message == (
        "The suppression of source.untrusted-domain expired on 2026-11-23; the rule applies again."
    )
    assert page.suppressions == ()


def test_expiry_warning_cannot_itself_be_suppressed(article, policy):
    yesterday = (TODAY - dt.timedelta(days=1)).isoformat()
    text = suppressed(
        untrusted(article),
        entry("source.untrusted-domain", yesterday),
        entry("suppress.expired", "2027-01-01"),
    )
    page = run(text, policy)
    assert [f.rule for f in page.findings] == ["source.untrusted-domain", "suppress.expired"]
    assert page.suppressions == ()


def test_unknown_approver_does_not_suppress(article, policy):
    text = suppressed(untrusted(article), entry("source.untrusted-domain", "2027-01-01", by="a-placeholdr"))
    page = run(text, policy)
    assert rules(page.findings) == [
        ("source.untrusted-domain", line_of(text, "example.com")),
        ("ref.unknown-person", line_of(text, "approved_by: a-placeholdr")),
    ]
    assert "suppress[0].approved_by" in page.findings[1].message
    assert page.suppressions == ()


def test_suppression_of_another_rule_leaves_the_finding(article, policy):
    text = suppressed(untrusted(article), entry("source.insecure-url", "2027-01-01"))
    page = run(text, policy)
    assert rules(page.findings) == [("source.untrusted-domain", line_of(text, "example.com"))]


def test_suppressing_an_error(article, policy):
    text = article.replace("authors: [g-standin]", "authors: [a-placeholder]")
    assert [f.rule for f in run(text, policy).findings] == ["review.two-person"]
    text = suppressed(text, entry("review.two-person", "2027-01-01", by="g-standin"))
    page = run(text, policy)
    assert page.findings == ()
    assert [s.rule for s in page.suppressions] == ["review.two-person"]


def test_notice_is_not_suppressed(article, policy):
    # A withheld page stays withheld: its notice is not something to switch off.
    text = article.replace("next_review: 2029-06-15", "next_review: 2026-11-23")
    text = suppressed(text, entry("review.withheld", "2027-01-01"))
    page = run(text, policy, mode="build")
    assert rules(page.findings) == [("review.withheld", line_of(text, "next_review:"))]


def test_phi_suppression_without_line_and_text(article, policy):
    text = suppressed(article, entry("phi.name", "2027-01-01"))
    page = run(text, policy)
    assert rules(page.findings) == [("suppress.phi-occurrence", line_of(text, "- rule: phi.name"))]
    assert page.findings[0].severity is Severity.ERROR
    assert page.findings[0].message == (
        "A PHI suppression must name one occurrence: its 'line' and exact 'text'."
    )


def test_phi_suppression_with_line_but_no_text(article, policy):
    text = suppressed(article, entry("phi.name", "2027-01-01", extra="    line: 40\n"))
    page = run(text, policy)
    assert rules(page.findings) == [("suppress.phi-occurrence", line_of(text, "- rule: phi.name"))]


def test_phi_suppression_naming_its_occurrence_is_well_formed(article, policy):
    text = suppressed(article, entry("phi.name", "2027-01-01", extra="    line: 40\n    text: Rosa\n"))
    page = run(text, policy)
    assert page.findings == ()
    # An unused PHI suppression is not reported as in force.
    assert page.suppressions == ()
