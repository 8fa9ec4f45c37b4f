"""Consent for patient stories: current, not revoked, covering the site and the names."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

from carepress.checker import check_pages
from carepress.frontmatter import read_text
from carepress.model import Severity
from helpers import TODAY, check_text, line_of, rules

ROOT = Path(__file__).resolve().parents[1]
STORY = (ROOT / "content/stories/cardiac-rehab.md").read_text()
REL = "content/stories/x.md"
CONSENT = "c-2026-001"


def of(findings):
    return [f for f in findings if f.rule.startswith("consent.")]


def with_consent(policy, **fields):
    record = {**policy.consents[CONSENT], **fields}
    return dataclasses.replace(policy, consents={**policy.consents, CONSENT: record})


def with_scope(policy, **scope):
    return with_consent(policy, scope={**policy.consents[CONSENT]["scope"], **scope})


def check(policy, text=STORY, mode="check", today=TODAY):
    if mode == "check":
        return of(check_text(text, policy, rel=REL, today=today))
    result = check_pages({REL: read_text(text, Path(REL), REL)}, policy, today, mode=mode)
    return of(f for f in result.findings if f.path == REL)


def test_current_consent_passes(policy):
    assert check(policy) == []
    assert check(policy, mode="build") == []


def test_revoked_consent_lapses(policy):
    changed = with_consent(policy, revoked=True, revoked_on="2026-10-01")
    findings = check(changed)
    assert rules(findings) == [("consent.lapsed", line_of(STORY, "consent:"))]
    assert findings[0].severity is Severity.ERROR
    assert findings[0].message == "Consent c-2026-001 was withdrawn on 2026-10-01."


def test_revoked_consent_without_a_date(policy):
    findings = check(with_consent(policy, revoked=True))
    assert [f.message for f in findings] == ["Consent c-2026-001 was withdrawn."]


def test_revoked_consent_withholds_the_story_in_build(policy):
    changed = with_consent(policy, revoked=True, revoked_on="2026-10-01")
    findings = check(changed, mode="build")
    assert rules(findings) == [("consent.withheld", line_of(STORY, "consent:"))]
    assert findings[0].severity is Severity.NOTICE
    assert findings[0].message == (
        "Consent c-2026-001 was withdrawn on 2026-10-01. The story is withheld: its address shows a notice."
    )


def test_consent_expiring_today_is_current(policy):
    assert check(with_consent(policy, expires=TODAY.isoformat())) == []


def test_consent_expired_yesterday_lapses(policy):
    yesterday = (TODAY - dt.timedelta(days=1)).isoformat()
    findings = check(with_consent(policy, expires=yesterday))
    assert rules(findings) == [("consent.lapsed", line_of(STORY, "consent:"))]
    assert findings[0].message == "Consent c-2026-001 expired on 2026-11-23."


def test_expired_consent_withholds_the_story_in_build(policy):
    yesterday = (TODAY - dt.timedelta(days=1)).isoformat()
    findings = check(with_consent(policy, expires=yesterday), mode="build")
    assert rules(findings) == [("consent.withheld", line_of(STORY, "consent:"))]
    assert findings[0].severity is Severity.NOTICE


def test_consent_not_covering_the_site(policy):
    findings = check(with_scope(policy, platforms=["facebook", "instagram"]))
    assert rules(findings) == [("consent.lapsed", line_of(STORY, "consent:"))]
    assert findings[0].message == "Consent c-2026-001 does not cover site."


def test_names_when_first_name_is_not_allowed(policy):
    findings = check(with_scope(policy, first_name=False))
    assert rules(findings) == [("consent.scope", line_of(STORY, "consented_names:"))]
    assert findings[0].severity is Severity.ERROR
    assert findings[0].message == (
        "Consent c-2026-001 does not allow a first name, but the story lists Rosa."
    )


def test_no_names_when_first_name_is_not_allowed_passes(policy):
    text = STORY.replace("consented_names: [Rosa]\n", "")
    assert check(with_scope(policy, first_name=False), text=text) == []


def test_names_outside_scope_fail_the_build_too(policy):
    findings = check(with_scope(policy, first_name=False), mode="build")
    assert [(f.rule, f.severity) for f in findings] == [("consent.scope", Severity.ERROR)]


def test_image_when_photo_is_not_allowed(policy):
    text = STORY.replace(
        "consented_names: [Rosa]\n",
        "consented_names: [Rosa]\nimage:\n  src: rosa.jpg\n  alt: Rosa walking on a treadmill at cardiac rehab.\n",
    )
    findings = check(policy, text=text)
    assert rules(findings) == [("consent.scope", line_of(text, "  src: rosa.jpg"))]
    assert findings[0].message == "Consent c-2026-001 does not allow a photo, but the story has an image."
    assert check(with_scope(policy, photo=True), text=text) == []


def test_unknown_consent_is_left_to_the_reference_check(policy):
    text = STORY.replace(f"consent: {CONSENT}", "consent: c-2026-999")
    findings = check_text(text, policy, rel=REL)
    assert rules(findings) == [("ref.unknown-consent", line_of(text, "consent:"))]
