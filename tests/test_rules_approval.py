"""Approvals: the roles each type needs, by people holding them, dated and in order."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from helpers import TODAY, check_text, line_of, rules

ROOT = Path(__file__).resolve().parents[1]
STORY = (ROOT / "content/stories/cardiac-rehab.md").read_text()
HEAT = (ROOT / "content/alerts/heat-advisory-2026.md").read_text()
ALERT_DAY = dt.date(2026, 8, 13)  # the heat advisory is live

CLINICAL = "approvals:\n  - role: clinical\n    by: a-placeholder\n    date: 2026-09-15\n"
LEGAL = "  - role: legal\n    by: h-dummy\n    date: 2026-09-15\n"
SPONSOR = "sponsored:\n  partner: Example Foods\n  disclosure: Paid partnership with Example Foods\n"
CHAIN = [
    ("clinical-lead", "j-testcase"),
    ("communications-director", "g-standin"),
    ("chief-executive", "i-template"),
]


def of(findings, prefix="approval."):
    return [f for f in findings if f.rule.startswith(prefix)]


def alert_with(approvals: list[tuple[str, str, str]]) -> str:
    block = "approvals:\n" + "".join(
        f"  - role: {role}\n    by: {by}\n    date: {day}\n" for role, by, day in approvals
    )
    start, end = HEAT.index("approvals:\n"), HEAT.index("social:\n")
    return HEAT[:start] + block + HEAT[end:]


def check_alert(text, policy):
    return of(check_text(text, policy, rel="content/alerts/x.md", today=ALERT_DAY))


# --- missing roles ------------------------------------------------------------------


def test_article_with_clinical_approval_passes(article, policy):
    assert of(check_text(article, policy)) == []


def test_article_without_clinical_approval(article, policy):
    text = article.replace(CLINICAL, "approvals:\n  - role: privacy\n    by: h-dummy\n    date: 2026-09-15\n")
    findings = of(check_text(text, policy))
    assert rules(findings) == [("approval.missing", line_of(text, "  - role: privacy"))]
    assert findings[0].message == "An article needs a 'clinical' approval; there is none."
    assert findings[0].hint.startswith("Ask a-placeholder or b-sample or ")


def test_article_with_no_approvals_at_all(article, policy):
    text = article.replace(CLINICAL, "approvals: []\n")
    findings = of(check_text(text, policy))
    assert rules(findings) == [("approval.missing", line_of(text, "approvals: []"))]


def test_sponsored_article_needs_legal(article, policy):
    text = article.replace("approvals:", SPONSOR + "approvals:")
    findings = of(check_text(text, policy))
    assert rules(findings) == [("approval.missing", line_of(text, "  - role: clinical"))]
    assert findings[0].message == (
        "An article needs a 'legal' approval (sponsored content); there is none."
    )
    assert findings[0].hint.startswith("Ask h-dummy to approve")


def test_sponsored_article_with_legal_passes(article, policy):
    text = article.replace(CLINICAL, CLINICAL + LEGAL).replace("approvals:", SPONSOR + "approvals:")
    assert of(check_text(text, policy)) == []


def test_story_with_privacy_and_clinical_passes(policy):
    assert of(check_text(STORY, policy, rel="content/stories/x.md")) == []


def test_story_without_privacy(policy):
    text = STORY.replace("  - role: privacy\n    by: h-dummy\n    date: 2026-04-13\n", "")
    findings = of(check_text(text, policy, rel="content/stories/x.md"))
    assert rules(findings) == [("approval.missing", line_of(text, "  - role: clinical"))]
    assert findings[0].message == "A story needs a 'privacy' approval; there is none."


def test_alert_without_chief_executive(policy):
    text = alert_with([(role, by, "2026-08-12") for role, by in CHAIN[:2]])
    findings = check_alert(text, policy)
    assert rules(findings) == [("approval.missing", line_of(text, "  - role: clinical-lead"))]
    assert "needs a 'chief-executive' approval" in findings[0].message


# --- who may approve ----------------------------------------------------------------


def test_approver_without_the_role(article, policy):
    text = article.replace(CLINICAL, CLINICAL.replace("a-placeholder", "g-standin"))
    findings = of(check_text(text, policy))
    assert rules(findings) == [("approval.not-authorised", line_of(text, "    by: g-standin", 2))]
    assert findings[0].message == (
        "Gray Standin, MA does not hold the 'clinical' role, so cannot give this approval."
    )


def test_privacy_officer_may_approve_legal(article, policy):
    text = article.replace(CLINICAL, CLINICAL + LEGAL).replace("approvals:", SPONSOR + "approvals:")
    assert "legal" in policy.people["h-dummy"].roles
    assert of(check_text(text, policy)) == []


# --- dates --------------------------------------------------------------------------


def test_approval_dated_today_passes(article, policy):
    text = article.replace(CLINICAL, CLINICAL.replace("2026-09-15", TODAY.isoformat()))
    assert of(check_text(text, policy)) == []


def test_approval_dated_tomorrow_is_in_the_future(article, policy):
    tomorrow = (TODAY + dt.timedelta(days=1)).isoformat()
    text = article.replace(CLINICAL, CLINICAL.replace("2026-09-15", tomorrow))
    findings = of(check_text(text, policy))
    assert rules(findings) == [("approval.future", line_of(text, f"    date: {tomorrow}"))]
    assert findings[0].message == "The 'clinical' approval is dated 2026-11-25, after today."


# --- the alert chain ----------------------------------------------------------------


def test_alert_chain_on_one_day_in_order_passes(policy):
    text = alert_with([(role, by, "2026-08-12") for role, by in CHAIN])
    assert check_alert(text, policy) == []


def test_alert_chain_on_successive_days_passes(policy):
    days = ["2026-08-10", "2026-08-11", "2026-08-12"]
    text = alert_with([(role, by, day) for (role, by), day in zip(CHAIN, days, strict=True)])
    assert check_alert(text, policy) == []


def test_alert_chain_listed_out_of_order(policy):
    order = [CHAIN[1], CHAIN[0], CHAIN[2]]
    text = alert_with([(role, by, "2026-08-12") for role, by in order])
    findings = check_alert(text, policy)
    assert rules(findings) == [("approval.order", line_of(text, "  - role: clinical-lead"))]
    assert findings[0].message == (
        "The 'clinical-lead' approval is listed after 'communications-director', but the chain "
        "clinical-lead -> communications-director -> chief-executive puts it first."
    )


def test_alert_chain_dated_out_of_order(policy):
    days = ["2026-08-12", "2026-08-11", "2026-08-12"]
    text = alert_with([(role, by, day) for (role, by), day in zip(CHAIN, days, strict=True)])
    findings = check_alert(text, policy)
    assert rules(findings) == [("approval.order", line_of(text, "  - role: communications-director"))]


def test_alert_chain_dated_out_of_order_message_is_true(policy):
    days = ["2026-08-12", "2026-08-11", "2026-08-12"]
    text = alert_with([(role, by, day) for (role, by), day in zip(CHAIN, days, strict=True)])
    (finding,) = check_alert(text, policy)
    # communications-director comes *after* clinical-lead in the chain; it is *dated* before it.
    assert finding.message == (
        "The 'communications-director' approval is dated 2026-08-11, before the 'clinical-lead' approval "
        "(2026-08-12) that comes before it in the chain clinical-lead -> communications-director -> chief-executive."
    )


def test_alert_chief_executive_dated_before_communications(policy):
    days = ["2026-08-10", "2026-08-12", "2026-08-11"]
    text = alert_with([(role, by, day) for (role, by), day in zip(CHAIN, days, strict=True)])
    findings = check_alert(text, policy)
    assert rules(findings) == [("approval.order", line_of(text, "  - role: chief-executive"))]


def test_article_approvals_have_no_order(article, policy):
    assert policy.type_rules("article")["approval_order"] is False
    extra = "  - role: privacy\n    by: h-dummy\n    date: 2026-09-01\n"
    text = article.replace(CLINICAL, CLINICAL + extra)
    assert of(check_text(text, policy)) == []
