"""Review dates, expiry (check and build), due-soon warnings and reviewers."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

from carepress.checker import check_pages
from carepress.frontmatter import read_text
from carepress.model import Severity
from carepress.policy import Person
from helpers import TODAY, check_text, line_of, rules

ROOT = Path(__file__).resolve().parents[1]
HEAT = (ROOT / "content/alerts/heat-advisory-2026.md").read_text()
ALERT = "content/alerts/x.md"


def of(findings, prefix="review."):
    return [f for f in findings if f.rule.startswith(prefix)]


def check_mode(text, policy, mode, rel="content/articles/test.md", today=TODAY):
    result = check_pages({rel: read_text(text, Path(rel), rel)}, policy, today, mode=mode)
    return [f for f in result.findings if f.path == rel]


def reviewed(article: str, last: dt.date | str, nxt: dt.date | str | None = None) -> str:
    """The article reviewed on ``last`` (log and approval too), next due on ``nxt``."""
    last = str(last)
    text = article.replace("last_reviewed: 2026-09-15", f"last_reviewed: {last}")
    text = text.replace("  - date: 2026-09-15\n    by: a-placeholder", f"  - date: {last}\n    by: a-placeholder")
    text = text.replace("    by: a-placeholder\n    date: 2026-09-15", f"    by: a-placeholder\n    date: {last}")
    if nxt is not None:
        text = text.replace("next_review: 2029-06-15", f"next_review: {nxt}")
    return text


def due(article: str, nxt: dt.date) -> str:
    return article.replace("next_review: 2029-06-15", f"next_review: {nxt.isoformat()}")


# --- last_reviewed in the future ---------------------------------------------------


def test_reviewed_today_passes(article, policy):
    text = reviewed(article, TODAY)
    assert check_text(text, policy) == []


def test_reviewed_tomorrow_is_in_the_future(article, policy):
    tomorrow = TODAY + dt.timedelta(days=1)
    text = reviewed(article, tomorrow)
    findings = of(check_text(text, policy))
    assert rules(findings) == [("review.future", line_of(text, "last_reviewed:"))]
    assert findings[0].message == "'last_reviewed' is 2026-11-25, after today (2026-11-24)."


def test_reviewed_before_published(article, policy):
    text = article.replace("published: 2025-03-10", "published: 2026-09-16")
    findings = of(check_text(text, policy))
    assert rules(findings) == [("review.order", line_of(text, "last_reviewed:"))]


# --- next_review after last_reviewed, within the interval ----------------------------


def test_next_review_a_day_after_last_review_is_in_order(article, policy):
    text = reviewed(article, "2026-11-23", "2026-11-24")
    assert [f.rule for f in of(check_text(text, policy))] == ["review.due-soon"]


def test_next_review_on_last_review_day_is_out_of_order(article, policy):
    text = reviewed(article, "2026-11-24", "2026-11-24")
    findings = [f for f in check_text(text, policy) if f.rule == "review.order"]
    assert rules(findings) == [("review.order", line_of(text, "next_review:"))]
    assert findings[0].message == "'next_review' (2026-11-24) is not after 'last_reviewed' (2026-11-24)."


def test_next_review_before_last_review_is_out_of_order(article, policy):
    text = reviewed(article, "2026-11-24", "2026-11-20")
    findings = [f for f in check_text(text, policy) if f.rule == "review.order"]
    assert rules(findings) == [("review.order", line_of(text, "next_review:"))]


def test_article_interval_of_exactly_1096_days_passes(article, policy):
    assert policy.type_rules("article")["review_interval_days"] == 1096
    last = dt.date(2026, 9, 15)
    text = reviewed(article, last, last + dt.timedelta(days=1096))
    assert of(check_text(text, policy)) == []


def test_article_interval_of_1097_days_is_too_long(article, policy):
    last = dt.date(2026, 9, 15)
    text = reviewed(article, last, last + dt.timedelta(days=1097))
    findings = of(check_text(text, policy))
    assert rules(findings) == [("review.interval", line_of(text, "next_review:"))]
    assert findings[0].message == (
        "'next_review' is 1097 days after the last review; policy allows at most 1096 days for an article."
    )
    assert findings[0].hint == "Set next_review to 2029-09-15 or earlier."


def test_alert_interval_comes_from_policy(policy):
    assert policy.type_rules("alert")["review_interval_days"] == 120
    live = dt.date(2026, 8, 13)
    last = dt.date(2026, 8, 12)
    at = HEAT.replace("next_review: 2026-08-16", f"next_review: {last + dt.timedelta(days=120)}")
    assert of(check_text(at, policy, rel=ALERT, today=live)) == []
    over = HEAT.replace("next_review: 2026-08-16", f"next_review: {last + dt.timedelta(days=121)}")
    findings = of(check_text(over, policy, rel=ALERT, today=live))
    assert rules(findings) == [("review.interval", line_of(over, "next_review:"))]
    assert "at most 120 days for an alert" in findings[0].message


# --- expiry in check mode -----------------------------------------------------------


def test_next_review_today_is_not_expired(article, policy):
    text = due(article, TODAY)
    findings = of(check_text(text, policy))
    assert [f.rule for f in findings] == ["review.due-soon"]


def test_next_review_yesterday_is_expired(article, policy):
    text = due(article, TODAY - dt.timedelta(days=1))
    findings = of(check_text(text, policy))
    assert rules(findings) == [("review.expired", line_of(text, "next_review:"))]
    assert findings[0].severity is Severity.ERROR
    assert findings[0].message == (
        "The page was due for review on 2026-11-23 and has not been reviewed since."
    )


# --- expiry in build mode -----------------------------------------------------------


def test_expired_page_is_withheld_in_build(article, policy):
    assert policy.editorial["on_expired"] == "withhold"
    text = due(article, TODAY - dt.timedelta(days=1))
    findings = of(check_mode(text, policy, "build"))
    assert rules(findings) == [("review.withheld", line_of(text, "next_review:"))]
    assert findings[0].severity is Severity.NOTICE
    assert "It is withheld" in findings[0].message


def test_page_due_today_is_not_withheld_in_build(article, policy):
    text = due(article, TODAY)
    assert [f.rule for f in of(check_mode(text, policy, "build"))] == ["review.due-soon"]


def test_expired_page_fails_the_build_when_policy_says_fail(article, policy):
    failing = dataclasses.replace(policy, editorial={**policy.editorial, "on_expired": "fail"})
    text = due(article, TODAY - dt.timedelta(days=1))
    findings = of(check_mode(text, failing, "build"))
    assert rules(findings) == [("review.expired", line_of(text, "next_review:"))]
    assert findings[0].severity is Severity.ERROR


# --- due soon -----------------------------------------------------------------------


def test_due_in_exactly_the_window_warns(article, policy):
    assert policy.editorial["due_soon_days"] == 45
    nxt = TODAY + dt.timedelta(days=45)
    text = due(article, nxt)
    findings = of(check_text(text, policy))
    assert rules(findings) == [("review.due-soon", line_of(text, "next_review:"))]
    assert findings[0].severity is Severity.WARNING
    assert findings[0].message == f"The page is due for review on {nxt.isoformat()}, in 45 days."


def test_due_a_day_after_the_window_is_quiet(article, policy):
    text = due(article, TODAY + dt.timedelta(days=46))
    assert of(check_text(text, policy)) == []


# --- alerts that have ended ---------------------------------------------------------


def test_ended_alert_is_archived_not_expired(policy):
    # The heat advisory ended on 2026-08-16; its next_review (the same day) has passed.
    assert of(check_text(HEAT, policy, rel=ALERT)) == []
    assert of(check_mode(HEAT, policy, "build", rel=ALERT)) == []


def test_ended_alert_the_day_after_it_ends(policy):
    assert of(check_text(HEAT, policy, rel=ALERT, today=dt.date(2026, 8, 17))) == []


def test_live_alert_past_next_review_is_expired(policy):
    text = HEAT.replace("expires: 2026-08-16T20:00:00-05:00", "expires: 2026-12-16T20:00:00-05:00")
    findings = of(check_text(text, policy, rel=ALERT))
    assert rules(findings) == [("review.expired", line_of(text, "next_review:"))]


def test_alert_ending_today_is_still_live(policy):
    text = HEAT.replace("expires: 2026-08-16T20:00:00-05:00", "expires: 2026-11-24T20:00:00-05:00")
    findings = of(check_text(text, policy, rel=ALERT))
    assert rules(findings) == [("review.expired", line_of(text, "next_review:"))]


# --- reviewers ----------------------------------------------------------------------


def test_reviewer_with_the_service_line_credential_passes(article, policy):
    # k-specimen is a PharmD, which the heart service line accepts.
    text = article.replace("reviewed_by: [a-placeholder]", "reviewed_by: [k-specimen]")
    assert of(check_text(text, policy)) == []


def test_reviewer_without_the_service_line_credential(article, policy):
    text = article.replace("authors: [g-standin]", "authors: [a-placeholder]").replace(
        "reviewed_by: [a-placeholder]", "reviewed_by: [g-standin]"
    )
    findings = of(check_text(text, policy))
    assert rules(findings) == [("review.reviewer-credential", line_of(text, "reviewed_by:"))]
    assert findings[0].message == (
        "Gray Standin, MA does not hold a verified credential the Heart and Vascular service line "
        "requires (DO, MD, PharmD)."
    )


def test_second_reviewer_without_credential_is_placed_on_that_reviewer(article, policy):
    text = article.replace("reviewed_by: [a-placeholder]", "reviewed_by:\n  - a-placeholder\n  - g-standin")
    findings = of(check_text(text, policy))
    assert rules(findings) == [("review.reviewer-credential", line_of(text, "  - g-standin"))]


def test_reviewer_with_unverified_credential(article, policy):
    unverified = dataclasses.replace(
        policy.people["a-placeholder"], verified=False
    )
    assert isinstance(unverified, Person)
    changed = dataclasses.replace(policy, people={**policy.people, "a-placeholder": unverified})
    findings = of(check_text(article, changed))
    assert rules(findings) == [("review.reviewer-credential", line_of(article, "reviewed_by:"))]


def test_sole_author_as_sole_reviewer_breaks_two_person_rule(article, policy):
    text = article.replace("authors: [g-standin]", "authors: [a-placeholder]")
    findings = of(check_text(text, policy))
    assert rules(findings) == [("review.two-person", line_of(text, "reviewed_by:"))]
    assert findings[0].message == (
        "The only author is also the only reviewer; clinical content needs two people."
    )


def test_co_author_reviewing_passes_two_person_rule(article, policy):
    text = article.replace("authors: [g-standin]", "authors: [a-placeholder, g-standin]")
    assert of(check_text(text, policy)) == []


def test_sole_author_with_a_second_reviewer_passes(article, policy):
    text = article.replace("authors: [g-standin]", "authors: [a-placeholder]").replace(
        "reviewed_by: [a-placeholder]", "reviewed_by: [a-placeholder, k-specimen]"
    )
    assert of(check_text(text, policy)) == []
