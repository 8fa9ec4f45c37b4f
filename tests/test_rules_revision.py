"""The revision log: order, dates, agreement with the review, clinical changes reviewed."""

from __future__ import annotations

import datetime as dt

from helpers import TODAY, check_text, line_of, rules

FIRST = "  - date: 2025-03-10\n    by: g-standin\n    kind: editorial\n    summary: First published.\n"
REVIEW = "  - date: 2026-09-15\n    by: a-placeholder\n    kind: review\n    summary: Annual clinical review.\n"


def of(findings, prefix="revision."):
    return [f for f in findings if f.rule.startswith(prefix)]


def after_first(article: str, entry: str) -> str:
    """The article with ``entry`` logged between first publication and the review."""
    return article.replace(FIRST, FIRST + entry)


def clinical(day: str, by: str = "g-standin") -> str:
    return f"  - date: {day}\n    by: {by}\n    kind: clinical\n    summary: Updated the blood pressure targets.\n"


def test_log_in_order_passes(article, policy):
    assert of(check_text(article, policy)) == []


def test_two_revisions_on_the_same_day_are_in_order(article, policy):
    text = after_first(article, "  - date: 2025-03-10\n    by: g-standin\n    kind: editorial\n    summary: Fixed a typo.\n")
    assert of(check_text(text, policy)) == []


def test_revision_dated_before_the_one_above(article, policy):
    text = article.replace("  - date: 2025-03-10", "  - date: 2026-10-01")
    findings = of(check_text(text, policy))
    assert rules(findings) == [("revision.order", line_of(text, "  - date: 2026-09-15"))]
    assert findings[0].message == (
        "Revision 2 (2026-09-15) is dated before the revision above it (2026-10-01)."
    )


def test_revision_dated_a_day_before_the_one_above(article, policy):
    text = after_first(article, "  - date: 2026-09-16\n    by: g-standin\n    kind: editorial\n    summary: Fixed a typo.\n")
    findings = of(check_text(text, policy))
    assert rules(findings) == [("revision.order", line_of(text, "  - date: 2026-09-15"))]


def test_revision_dated_today_passes(article, policy):
    text = article.replace(REVIEW, REVIEW + f"  - date: {TODAY.isoformat()}\n    by: g-standin\n    kind: editorial\n    summary: Fixed a typo.\n")
    assert of(check_text(text, policy)) == []


def test_revision_dated_tomorrow_is_in_the_future(article, policy):
    tomorrow = (TODAY + dt.timedelta(days=1)).isoformat()
    text = article.replace(REVIEW, REVIEW + f"  - date: {tomorrow}\n    by: g-standin\n    kind: editorial\n    summary: Fixed a typo.\n")
    findings = of(check_text(text, policy))
    assert rules(findings) == [("revision.future", line_of(text, f"  - date: {tomorrow}"))]
    assert findings[0].message == "Revision 3 is dated 2026-11-25, after today (2026-11-24)."


def test_newest_review_dated_other_than_last_reviewed(article, policy):
    text = article.replace(REVIEW, REVIEW.replace("2026-09-15", "2026-09-14"))
    findings = of(check_text(text, policy))
    assert rules(findings) == [("revision.review-mismatch", line_of(text, "  - date: 2026-09-14"))]
    assert findings[0].message == (
        "The newest review in the log is dated 2026-09-14, but 'last_reviewed' is 2026-09-15."
    )


def test_an_older_review_does_not_count_as_newest(article, policy):
    older = "  - date: 2025-09-15\n    by: a-placeholder\n    kind: review\n    summary: First review.\n"
    text = after_first(article, older)
    assert of(check_text(text, policy)) == []


def test_newest_review_by_someone_not_in_reviewed_by(article, policy):
    text = article.replace(REVIEW, REVIEW.replace("a-placeholder", "k-specimen"))
    findings = of(check_text(text, policy))
    assert rules(findings) == [("revision.review-mismatch", line_of(text, "    by: k-specimen"))]
    assert findings[0].message == (
        "The newest review was logged by 'k-specimen', who is not in 'reviewed_by'."
    )


def test_no_review_entry(article, policy):
    text = article.replace(REVIEW, REVIEW.replace("kind: review", "kind: editorial"))
    findings = of(check_text(text, policy))
    assert rules(findings) == [("revision.review-missing", line_of(text, "  - date: 2025-03-10"))]
    assert findings[0].hint == "Add an entry with kind: review, date: 2026-09-15, by the reviewer."


def test_clinical_change_reviewed_the_same_day_passes(article, policy):
    text = after_first(article, clinical("2026-09-15"))
    assert of(check_text(text, policy)) == []


def test_clinical_change_reviewed_later_passes(article, policy):
    text = after_first(article, clinical("2026-09-01"))
    assert of(check_text(text, policy)) == []


def test_clinical_change_after_the_last_review(article, policy):
    text = article.replace(REVIEW, REVIEW + clinical("2026-10-01"))
    findings = of(check_text(text, policy))
    assert rules(findings) == [("revision.clinical-unreviewed", line_of(text, "  - date: 2026-10-01"))]
    assert findings[0].message == (
        "The clinical change of 2026-10-01 has no later review by a clinical reviewer."
    )


def test_clinical_change_reviewed_only_by_a_non_clinician(article, policy):
    # g-standin (an editor) logs the review: not a clinical role.
    text = after_first(article, clinical("2026-09-01")).replace(
        "    by: a-placeholder\n    kind: review", "    by: g-standin\n    kind: review"
    ).replace("reviewed_by: [a-placeholder]", "reviewed_by: [a-placeholder, g-standin]")
    findings = of(check_text(text, policy))
    assert rules(findings) == [("revision.clinical-unreviewed", line_of(text, "  - date: 2026-09-01"))]


def test_clinical_change_with_a_review_listed_before_it(article, policy):
    # The review is above the change in the log, so it cannot have reviewed it.
    text = article.replace(REVIEW, REVIEW + clinical("2026-09-15"))
    findings = of(check_text(text, policy))
    assert rules(findings) == [("revision.clinical-unreviewed", line_of(text, "  - date: 2026-09-15", 2))]
