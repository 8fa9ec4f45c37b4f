"""Sponsor disclosure: accepted wordings, rejected ones, and partner credentials."""

from __future__ import annotations

import dataclasses

import pytest

from carepress.model import Severity
from carepress.policy import Person
from helpers import check_text, line_of, rules

CLINICAL = "approvals:\n  - role: clinical\n    by: a-placeholder\n    date: 2026-09-15\n"
LEGAL = "  - role: legal\n    by: h-dummy\n    date: 2026-09-15\n"


def of(findings):
    return [f for f in findings if f.rule.startswith("disclosure.")]


def sponsored(article: str, disclosure: str, advice_by: str = "") -> str:
    """The article as a sponsored page (with its legal approval) showing ``disclosure``."""
    block = f'sponsored:\n  partner: Example Foods\n  disclosure: "{disclosure}"\n'
    if advice_by:
        block += f"  advice_by: {advice_by}\n"
    return article.replace(CLINICAL, CLINICAL + LEGAL).replace("approvals:", block + "approvals:")


def with_partner(policy, **fields):
    person = Person(id="p-partner", name="Pat Partner", roles=("author",), **fields)
    return dataclasses.replace(policy, people={**policy.people, "p-partner": person})


def test_unsponsored_page_needs_no_disclosure(article, policy):
    assert of(check_text(article, policy)) == []


@pytest.mark.parametrize(
    "disclosure",
    [
        "Paid partnership with Example Foods",
        "Sponsored",
        "#ad",
        "sponsored by Example Foods",
        "PAID PARTNERSHIP WITH EXAMPLE FOODS",
        "#ad Example Foods paid for this page",
    ],
)
def test_accepted_disclosure(article, policy, disclosure):
    assert check_text(sponsored(article, disclosure), policy) == []


@pytest.mark.parametrize(
    "disclosure",
    [
        "#sp",
        "#spon",
        "#collab",
        "#partner",
        "Thanks to Example Foods",
        "Thank you to Example Foods",
        "In partnership with Example Foods",
        "",
    ],
)
def test_unclear_disclosure(article, policy, disclosure):
    text = sponsored(article, disclosure)
    findings = of(check_text(text, policy))
    assert rules(findings) == [("disclosure.missing", line_of(text, "  disclosure:"))]
    assert findings[0].severity is Severity.ERROR
    assert findings[0].message == f"The disclosure {disclosure!r} does not clearly say the page is sponsored."
    assert "for example 'Paid partnership with Example Foods'" in findings[0].hint


@pytest.mark.parametrize("disclosure", ["Sponsored #spon", "#ad #collab", "Paid partnership with Example Foods #sp"])
def test_accepted_wording_spoiled_by_a_rejected_tag(article, policy, disclosure):
    text = sponsored(article, disclosure)
    assert rules(of(check_text(text, policy))) == [("disclosure.missing", line_of(text, "  disclosure:"))]


def test_hashtag_that_only_starts_with_ad_is_not_a_disclosure(article, policy):
    text = sponsored(article, "#adventure with Example Foods")
    assert rules(of(check_text(text, policy))) == [("disclosure.missing", line_of(text, "  disclosure:"))]


def test_partner_advice_by_a_credentialed_clinician_passes(article, policy):
    assert of(check_text(sponsored(article, "Sponsored", advice_by="a-placeholder"), policy)) == []


def test_partner_advice_by_a_verified_partner_passes(article, policy):
    changed = with_partner(policy, credentials=("RD",), verified=True)
    assert of(check_text(sponsored(article, "Sponsored", advice_by="p-partner"), changed)) == []


def test_partner_advice_by_an_unverified_person(article, policy):
    changed = with_partner(policy, credentials=("RD",), verified=False)
    text = sponsored(article, "Sponsored", advice_by="p-partner")
    findings = of(check_text(text, changed))
    assert rules(findings) == [("disclosure.partner-credential", line_of(text, "advice_by:"))]
    assert findings[0].message == (
        "The partner giving health advice, Pat Partner, has no verified credential in policy/people.yml."
    )


def test_partner_advice_by_a_person_without_credentials(article, policy):
    changed = with_partner(policy, credentials=(), verified=True)
    text = sponsored(article, "Sponsored", advice_by="p-partner")
    assert rules(of(check_text(text, changed))) == [
        ("disclosure.partner-credential", line_of(text, "advice_by:"))
    ]


def test_partner_advice_by_an_unknown_person_is_a_reference_error(article, policy):
    text = sponsored(article, "Sponsored", advice_by="p-partner")
    findings = check_text(text, policy)
    assert rules(findings) == [("ref.unknown-person", line_of(text, "advice_by:"))]
