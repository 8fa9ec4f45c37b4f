"""Social snippets: one post per clinical page and platform, counted as the platform
counts it, tracked, and never made for a page that may not be shared."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from carepress.checker import PageResult, check_pages
from carepress.emit.social import Snippet, make_snippets, snippets_json
from carepress.frontmatter import read_text
from carepress.model import Document, Severity
from helpers import TODAY, line_of

ROOT = Path(__file__).resolve().parents[1]
REL = "content/articles/test.md"
# A real TLD, so that X and Mastodon see the link as a URL (".example" is not one).
SITE = "https://health.riverbend-hospital.org/"
STORY_REL = "content/stories/cardiac-rehab.md"
STORY = (ROOT / STORY_REL).read_text()
HEAT_REL = "content/alerts/heat-advisory-2026.md"
HEAT = (ROOT / HEAT_REL).read_text()
SPONSOR = "sponsored:\n  partner: Example Foods\n  disclosure: Paid partnership with Example Foods\n"
LEGAL = "  - role: legal\n    by: h-dummy\n    date: 2026-09-15\n"
BIO = "Read more: link in our bio."


def page_url(doc: Document) -> str:
    return SITE + doc.rel_path.removeprefix("content/").removesuffix(".md") + "/"


URL = SITE + "articles/test/"


def link(platform: str, medium: str = "social", campaign: str = "heart", content: str = "test") -> str:
    return (
        f"{URL}?utm_source={platform}&utm_medium={medium}&utm_campaign={campaign}"
        f"&utm_content={content}"
    )


def with_front(text: str, extra: str) -> str:
    """``text`` with ``extra`` front-matter lines added just before its closing '---'."""
    end = text.index("\n---\n", 4)
    return text[: end + 1] + extra + text[end + 1 :]


def social(text: str, block: str) -> str:
    return with_front(text, "social:\n" + block)


def results(policy, pages: dict[str, str], today: dt.date = TODAY, mode: str = "build"):
    parsed = {rel: read_text(text, Path(rel), rel) for rel, text in pages.items()}
    return check_pages(parsed, policy, today, mode=mode).pages


def snip(policy, text: str, rel: str = REL, today: dt.date = TODAY, mode: str = "build"):
    return make_snippets(results(policy, {rel: text}, today, mode), policy, today, page_url)


def one(snippets: list[Snippet], platform: str) -> Snippet:
    found = [s for s in snippets if s.platform == platform]
    assert len(found) == 1, [s.platform for s in snippets]
    return found[0]


def of(findings, rule: str):
    return [f for f in findings if f.rule == rule]


def filler(n: int) -> str:
    """Plain words, exactly ``n`` characters, ending in a full stop."""
    words = "check your blood pressure every year "
    return (words * (n // len(words) + 1))[: n - 1] + "."


def own(platform: str, text: str) -> str:
    return f'  text:\n    {platform}: "{text}"\n'


# --- what gets a snippet --------------------------------------------------------------------


def test_one_snippet_per_enabled_platform(policy, article):
    snippets, findings, takedowns = snip(policy, article)
    assert [s.platform for s in snippets] == sorted(policy.platforms["platforms"])
    assert {s.page for s in snippets} == {REL}
    assert of(findings, "social.withheld") == [] and takedowns == []


def test_disabled_platform_gets_no_snippet(policy, article):
    platforms = dict(policy.platforms["platforms"])
    platforms["tiktok"] = {**platforms["tiktok"], "enabled": False}
    quiet = dataclasses.replace(policy, platforms={**policy.platforms, "platforms": platforms})
    snippets, _, _ = snip(quiet, article)
    assert "tiktok" not in {s.platform for s in snippets}
    assert len(snippets) == len(platforms) - 1


def test_plain_page_gets_no_snippet(policy):
    text = "---\ntype: page\ntitle: About the health library\n---\n\n# About\n"
    assert snip(policy, text, rel="content/about/x.md") == ([], [], [])


def test_default_text_is_title_description_hashtags_link(policy, article):
    text = social(article, "  hashtags: [BloodPressure, HeartHealth]\n")
    snippets, _, _ = snip(policy, text)
    assert one(snippets, "linkedin").text == (
        "Test article about blood pressure\n\n"
        "A short page used by the carepress tests to check one rule at a time.\n\n"
        "#BloodPressure #HeartHealth\n\n" + link("linkedin")
    )
    assert one(snippets, "linkedin").hashtags == ("BloodPressure", "HeartHealth")


def test_front_matter_text_gets_the_tracking_link(policy, article):
    snippets, _, _ = snip(policy, social(article, own("x", "Know your numbers.")))
    assert one(snippets, "x").text == "Know your numbers.\n\n" + link("x")
    assert one(snippets, "facebook").text.startswith("Test article about blood pressure\n\n")


def test_instagram_has_no_url_but_the_link_in_bio_line(policy, article):
    snippets, _, _ = snip(policy, article)
    post = one(snippets, "instagram")
    assert "http" not in post.text and "riverbend" not in post.text
    assert post.text.endswith("\n\n" + BIO)
    assert post.link == link("instagram")  # for the bio


def test_instagram_front_matter_text_gets_the_link_in_bio_line_once(policy, article):
    snippets, _, _ = snip(policy, social(article, own("instagram", f"Know your numbers. {BIO}")))
    assert one(snippets, "instagram").text == f"Know your numbers. {BIO}"


def test_tiktok_has_no_link(policy, article):
    snippets, _, _ = snip(policy, article)
    post = one(snippets, "tiktok")
    assert "http" not in post.text and BIO not in post.text
    assert post.text.endswith("check one rule at a time.")


# --- tracking links -------------------------------------------------------------------------


def test_utm_parameters_default_to_the_service_line(policy, article):
    snippets, _, _ = snip(policy, article)
    assert one(snippets, "x").link == (
        "https://health.riverbend-hospital.org/articles/test/?utm_source=x&utm_medium=social"
        "&utm_campaign=heart&utm_content=test"
    )
    assert one(snippets, "mastodon").link == link("mastodon")


def test_utm_campaign_from_front_matter(policy, article):
    snippets, _, _ = snip(policy, social(article, "  campaign: heart-month\n"))
    assert one(snippets, "bluesky").link == link("bluesky", campaign="heart-month")


def test_utm_medium_is_paid_social_for_sponsored_pages(policy, article):
    snippets, findings, _ = snip(policy, sponsored(article))
    assert [f for f in findings if f.severity is Severity.ERROR] == []
    assert one(snippets, "facebook").link == link("facebook", medium="paid-social")


def test_utm_values_are_lowercase_and_take_the_file_name(policy, article):
    rel = "content/articles/Blood-Pressure.md"
    snippets, _, _ = snip(policy, article, rel=rel)
    assert one(snippets, "x").link == (
        SITE + "articles/Blood-Pressure/?utm_source=x&utm_medium=social&utm_campaign=heart"
        "&utm_content=blood-pressure"
    )


def test_utm_never_takes_body_text(policy, article):
    text = article.replace("Get it checked each year", "utm_campaign=evil Get it checked each year")
    snippets, _, _ = snip(policy, text)
    assert one(snippets, "x").link == link("x")


# --- lengths, each platform at its boundary ------------------------------------------------


def _length_case(policy, article, platform: str, body: str):
    text = social(article, own(platform, body))
    snippets, findings, _ = snip(policy, text)
    name = policy.platforms["platforms"][platform]["name"]
    mine = [f for f in findings if f.message.startswith(f"The {name} post")]
    return text, [s for s in snippets if s.platform == platform], mine


def _overhead(policy, platform: str) -> int:
    """What carepress adds after the author's text, as the platform counts it."""
    p = policy.platforms["platforms"][platform]
    mode = p.get("links", "clickable")
    if mode == "none":
        return 0
    if mode == "bio":
        return 2 + len(p["link_in_bio_text"])
    if p["counting"]["method"] in ("twitter-v3", "mastodon") or p.get("shortens_links"):
        return 2 + p["counting"].get("url_length", 23)
    return 2 + len(link(platform))


@pytest.mark.parametrize(
    "platform, limit", [("threads", 500), ("linkedin", 3000), ("tiktok", 2200), ("instagram", 2200)]
)
def test_character_limit_exactly_passes(policy, article, platform, limit):
    body = filler(limit - _overhead(policy, platform))
    _, snippets, findings = _length_case(policy, article, platform, body)
    assert findings == []
    assert snippets[0].count == limit == snippets[0].limit


@pytest.mark.parametrize(
    "platform, limit", [("threads", 500), ("linkedin", 3000), ("tiktok", 2200), ("instagram", 2200)]
)
def test_one_character_over_the_limit_fails(policy, article, platform, limit):
    body = filler(limit - _overhead(policy, platform) + 1)
    text, snippets, findings = _length_case(policy, article, platform, body)
    name = policy.platforms["platforms"][platform]["name"]
    assert [(f.rule, f.severity, f.line) for f in findings] == [
        ("social.too-long", Severity.ERROR, line_of(text, f"    {platform}: "))
    ]
    assert findings[0].message == (
        f"The {name} post is {limit + 1} long as {name} counts it (characters); the limit is {limit}."
    )
    assert snippets == []  # never truncated, never posted


def test_x_at_280_weighted_passes(policy, article):
    body = "日" * 100 + filler(55)  # CJK weighs 2: 200 + 55, then the link (23) and "\n\n"
    _, snippets, findings = _length_case(policy, article, "x", body)
    assert findings == [] and snippets[0].count == 280


def test_x_at_281_weighted_fails(policy, article):
    body = "日" * 100 + filler(56)
    text, snippets, findings = _length_case(policy, article, "x", body)
    assert [(f.rule, f.line) for f in findings] == [("social.too-long", line_of(text, "    x: "))]
    assert "281" in findings[0].message and "280" in findings[0].message
    assert snippets == []


def test_tracking_link_counts_as_a_link_whatever_the_domain(policy, article):
    # The demo hospital's .example domain is in no TLD list; X still shortens the link.
    _, snippets, findings = _length_case(policy, article, "x", "Short post.")
    assert findings == [] and snippets[0].count == len("Short post.") + 2 + 23


def test_bluesky_counts_300_graphemes(policy, article):
    family = "\U0001f468\u200d\U0001f469\u200d\U0001f467"  # five code points, one grapheme
    room = 300 - _overhead(policy, "bluesky")
    _, snippets, findings = _length_case(policy, article, "bluesky", family * 10 + filler(room - 10))
    assert findings == [] and snippets[0].count == 300
    _, snippets, findings = _length_case(policy, article, "bluesky", family * 10 + filler(room - 9))
    assert [f.rule for f in findings] == ["social.too-long"] and "301" in findings[0].message


def test_mastodon_counts_every_url_as_23(policy, article):
    url = "https://www.heart.org/en/health-topics/high-blood-pressure/understanding-blood-pressure-readings"
    room = 500 - _overhead(policy, "mastodon") - 23 - 1
    _, snippets, findings = _length_case(policy, article, "mastodon", f"{url} {filler(room)}")
    assert findings == [] and snippets[0].count == 500
    _, snippets, findings = _length_case(policy, article, "mastodon", f"{url} {filler(room + 1)}")
    assert [f.rule for f in findings] == ["social.too-long"] and "501" in findings[0].message


def test_facebook_over_recommended_is_a_warning(policy, article):
    room = 500 - _overhead(policy, "facebook")
    _, snippets, findings = _length_case(policy, article, "facebook", filler(room))
    assert findings == [] and snippets[0].count == 500
    text, snippets, findings = _length_case(policy, article, "facebook", filler(room + 1))
    assert [(f.rule, f.severity, f.line) for f in findings] == [
        ("social.long", Severity.WARNING, line_of(text, "    facebook: "))
    ]
    assert snippets[0].count == 501  # a warning: the post is still made


def test_default_text_over_the_limit_points_at_social(policy, article):
    long_title = "Blood pressure, " + filler(100)
    text = article.replace("title: Test article about blood pressure", f"title: {long_title}")
    text = text.replace(
        "description: A short page used by the carepress tests to check one rule at a time.",
        "description: " + filler(200),
    )
    text = social(text, "  campaign: heart-month\n")
    snippets, findings, _ = snip(policy, text)
    too_long = of(findings, "social.too-long")
    assert {f.message.split(" post")[0] for f in too_long} == {"The X", "The Bluesky"}
    assert {f.line for f in too_long} == {line_of(text, "social:")}
    assert "never cuts" in too_long[0].hint


# --- hashtags -------------------------------------------------------------------------------


def test_instagram_five_hashtags_pass(policy, article):
    body = "Know your numbers. #Heart #Health #BloodPressure #Riverbend #CheckIt"
    _, snippets, findings = _length_case(policy, article, "instagram", body)
    assert findings == []
    assert snippets[0].hashtags == ("Heart", "Health", "BloodPressure", "Riverbend", "CheckIt")


def test_instagram_six_hashtags_fail(policy, article):
    body = "Know your numbers. #Heart #Health #BloodPressure #Riverbend #CheckIt #Six"
    text, snippets, findings = _length_case(policy, article, "instagram", body)
    assert [(f.rule, f.line) for f in findings] == [("social.hashtags", line_of(text, "    instagram: "))]
    assert findings[0].message == "The Instagram post has 6 hashtags; Instagram allows 5."
    assert snippets == []


def test_default_text_with_too_many_hashtags_points_at_the_list(policy, article):
    text = social(article, "  hashtags: [One, Two, Three, Four]\n")  # X allows 3
    _, findings, _ = snip(policy, text)
    assert [(f.rule, f.line) for f in of(findings, "social.hashtags")] == [
        ("social.hashtags", line_of(text, "  hashtags:"))
    ]


def test_numbers_and_url_fragments_are_not_hashtags(policy, article):
    body = "We are #1 for care: see https://www.heart.org/page#section and &#8217;"
    _, snippets, _ = _length_case(policy, article, "x", body)
    assert snippets[0].hashtags == ()


# --- media ----------------------------------------------------------------------------------


def test_media_only_platforms_warn_without_an_image(policy, article):
    _, findings, _ = snip(policy, article)
    media = of(findings, "social.no-media")
    assert [(f.severity, f.message.split(" ")[0]) for f in media] == [
        (Severity.WARNING, "Instagram"), (Severity.WARNING, "TikTok")
    ]


def test_social_image_is_carried_with_its_alt(policy, article):
    text = social(article, "  image:\n    src: cuff.jpg\n    alt: A blood pressure cuff on an arm.\n")
    snippets, findings, _ = snip(policy, text)
    assert of(findings, "social.no-media") == []
    assert one(snippets, "instagram").image == {
        "src": "cuff.jpg", "alt": "A blood pressure cuff on an arm.", "url": SITE + "articles/cuff.jpg",
    }


def test_page_image_is_used_when_there_is_no_social_image(policy, article):
    text = with_front(article, "image:\n  src: heart.png\n  alt: A drawing of a heart.\n")
    snippets, findings, _ = snip(policy, text)
    assert of(findings, "social.no-media") == []
    assert one(snippets, "tiktok").image["alt"] == "A drawing of a heart."


# --- compliance carried over ----------------------------------------------------------------


def test_expired_review_withholds_every_post(policy, article):
    text = article.replace("next_review: 2029-06-15", "next_review: 2026-11-01")
    snippets, findings, _ = snip(policy, text)
    assert snippets == []
    [notice] = of(findings, "social.withheld")
    assert notice.severity is Severity.NOTICE
    assert notice.message.startswith("No post for X, Facebook, Instagram, LinkedIn, TikTok, Threads")
    assert "withheld" in notice.message and "2026-11-01" in notice.message


def test_expired_review_in_check_mode_holds_posts_for_the_errors(policy, article):
    text = article.replace("next_review: 2029-06-15", "next_review: 2026-11-01")
    snippets, findings, _ = snip(policy, text, mode="check")
    assert snippets == []
    [notice] = of(findings, "social.withheld")
    assert "the page has errors (review.expired)" in notice.message
    assert "held by the errors rule" in notice.message


def test_post_planned_after_the_review_is_held_for_that_platform(policy, article):
    text = social(article, "  schedule:\n    - platform: x\n      at: 2029-06-16T09:00:00-05:00\n")
    snippets, findings, _ = snip(policy, text)
    assert "x" not in {s.platform for s in snippets} and "facebook" in {s.platform for s in snippets}
    [notice] = of(findings, "social.withheld")
    assert notice.message == (
        "No post for X: a post is planned on 2029-06-16, after the review due on 2029-06-15 "
        "(held by the review rule)."
    )
    assert notice.line == line_of(text, "next_review:")


def test_post_planned_on_the_review_date_is_made(policy, article):
    text = social(article, "  schedule:\n    - platform: x\n      at: 2029-06-15T09:00:00-05:00\n")
    snippets, findings, _ = snip(policy, text)
    assert one(snippets, "x").scheduled == ("2029-06-15T09:00:00-05:00",)
    assert of(findings, "social.withheld") == []


def test_consent_not_covering_a_platform_holds_that_post(policy):
    snippets, findings, _ = snip(policy, STORY, rel=STORY_REL)
    assert {"instagram", "tiktok"}.isdisjoint({s.platform for s in snippets})
    assert {"facebook", "linkedin", "x"} <= {s.platform for s in snippets}
    [notice] = of(findings, "social.withheld")
    assert notice.message == (
        "No post for Instagram, TikTok: not covered by consent c-2026-001 (held by the consent rule)."
    )
    assert notice.line == line_of(STORY, "consent: c-2026-001")


def test_consented_first_name_is_not_phi(policy):
    snippets, findings, _ = snip(policy, STORY, rel=STORY_REL)
    assert of(findings, "social.phi") == []
    assert "Rosa" in one(snippets, "facebook").text


def _consents(policy, **changes):
    record = {**policy.consents["c-2026-001"], **changes}
    return dataclasses.replace(policy, consents={**policy.consents, "c-2026-001": record})


PLANNED = (
    "    - platform: facebook\n      at: 2026-10-01T09:00:00-05:00\n"
    "    - platform: x\n      at: 2026-11-24T08:00:00-06:00\n"
    "    - platform: facebook\n      at: 2026-12-01T09:00:00-06:00\n"
)


def test_revoked_consent_lists_past_posts_to_take_down(policy):
    revoked = _consents(policy, revoked=True, revoked_on="2026-11-01")
    story = STORY.replace("social:\n", "social:\n  schedule:\n" + PLANNED)
    snippets, findings, takedowns = snip(revoked, story, rel=STORY_REL)
    assert snippets == []
    reason = "Consent c-2026-001 was withdrawn on 2026-11-01. The story is withheld: its address shows a notice."
    assert takedowns == [
        {"page": STORY_REL, "platform": "facebook", "at": "2026-10-01T09:00:00-05:00", "reason": reason},
        {"page": STORY_REL, "platform": "x", "at": "2026-11-24T08:00:00-06:00", "reason": reason},
    ]
    [notice] = of(findings, "social.withheld")
    assert "withdrawn" in notice.message


def test_expired_consent_lists_past_posts_to_take_down(policy):
    expired = _consents(policy, expires="2026-11-20")
    story = STORY.replace("social:\n", "social:\n  schedule:\n" + PLANNED)
    snippets, _, takedowns = snip(expired, story, rel=STORY_REL)
    assert snippets == []
    assert [(t["platform"], t["at"][:10]) for t in takedowns] == [("facebook", "2026-10-01"), ("x", "2026-11-24")]
    assert all("expired on 2026-11-20" in t["reason"] for t in takedowns)


def test_consent_expiring_before_a_planned_post_holds_that_post(policy):
    ending = _consents(policy, expires="2026-11-30")
    story = STORY.replace("social:\n", "social:\n  schedule:\n" + PLANNED)
    snippets, findings, takedowns = snip(ending, story, rel=STORY_REL)
    assert "facebook" not in {s.platform for s in snippets}
    assert "x" in {s.platform for s in snippets} and takedowns == []
    assert any(
        f.message == "No post for Facebook: a post is planned on 2026-12-01: Consent c-2026-001 "
        "expired on 2026-11-30 (held by the consent rule)." for f in of(findings, "social.withheld")
    )


def test_withheld_page_lists_past_posts_to_take_down(policy, article):
    text = article.replace("next_review: 2029-06-15", "next_review: 2026-11-01")
    text = social(text, "  schedule:\n    - platform: linkedin\n      at: 2026-10-20T12:00:00-05:00\n")
    _, _, takedowns = snip(policy, text)
    assert [(t["platform"], t["at"]) for t in takedowns] == [("linkedin", "2026-10-20T12:00:00-05:00")]
    assert takedowns[0]["reason"].startswith("The page was due for review on 2026-11-01")


def test_current_page_has_nothing_to_take_down(policy, article):
    text = social(article, "  schedule:\n    - platform: linkedin\n      at: 2026-10-20T12:00:00-05:00\n")
    assert snip(policy, text)[2] == []


def test_ended_alert_gets_no_posts(policy):
    snippets, findings, takedowns = snip(policy, HEAT, rel=HEAT_REL)
    assert snippets == [] and takedowns == []
    [notice] = of(findings, "social.withheld")
    assert "the alert ended on 2026-08-16T20:00:00-05:00 (held by the alert rule)" in notice.message
    assert notice.line == line_of(HEAT, "expires:")


def test_live_alert_gets_posts(policy):
    snippets, findings, _ = snip(policy, HEAT, rel=HEAT_REL, today=dt.date(2026, 8, 13))
    assert snippets and of(findings, "social.withheld") == []


def test_page_with_errors_gets_no_posts(policy, article):
    text = article.replace("reviewed_by: [a-placeholder]", "reviewed_by: [nobody-known]")
    snippets, findings, _ = snip(policy, text)
    assert snippets == []
    [notice] = of(findings, "social.withheld")
    assert "the page has errors (" in notice.message and "ref.unknown-person" in notice.message


def test_invalid_page_gets_no_posts_and_no_crash(policy):
    text = "---\ntype: article\ntitle: [unclosed\n---\n\nBody\n"
    snippets, findings, _ = snip(policy, text)
    assert snippets == [] and findings == []  # the page's own error says why


# --- sponsored pages ------------------------------------------------------------------------


def sponsored(article: str) -> str:
    text = article.replace("approvals:\n", SPONSOR + "approvals:\n")
    return text.replace("    date: 2026-09-15\n---", "    date: 2026-09-15\n" + LEGAL + "---")


def test_sponsored_default_text_starts_with_the_disclosure(policy, article):
    snippets, findings, _ = snip(policy, sponsored(article))
    assert of(findings, "social.disclosure") == []
    assert all(s.text.startswith("Paid partnership with Example Foods\n\n") for s in snippets)


def test_sponsored_front_matter_text_without_disclosure_fails(policy, article):
    text = social(sponsored(article), own("x", "Know your numbers."))
    snippets, findings, _ = snip(policy, text)
    assert [(f.rule, f.line) for f in of(findings, "social.disclosure")] == [
        ("social.disclosure", line_of(text, "    x: "))
    ]
    assert "x" not in {s.platform for s in snippets}


def test_sponsored_disclosure_within_125_characters_passes(policy, article):
    body = "Sponsored " + filler(115)
    text = social(sponsored(article), own("linkedin", body))
    snippets, findings, _ = snip(policy, text)
    assert of(findings, "social.disclosure") == []
    assert one(snippets, "linkedin").text.startswith("Sponsored check")


def test_sponsored_disclosure_after_the_first_125_characters_fails(policy, article):
    body = filler(120) + " Paid partnership with Example Foods"
    text = social(sponsored(article), own("linkedin", body))
    _, findings, _ = snip(policy, text)
    assert [f.rule for f in of(findings, "social.disclosure")] == ["social.disclosure"]
    assert "within its first 125 characters" in of(findings, "social.disclosure")[0].message


def test_rejected_disclosure_wording_fails(policy, article):
    text = social(sponsored(article), own("x", "#sp Know your numbers."))
    _, findings, _ = snip(policy, text)
    assert [f.rule for f in of(findings, "social.disclosure")] == ["social.disclosure"]


# --- PHI ------------------------------------------------------------------------------------


def unchecked(text: str, rel: str = REL) -> dict[str, PageResult]:
    """A page as if every page rule had passed: isolates the snippet's own PHI guard."""
    return {rel: PageResult(rel, read_text(text, Path(rel), rel).document, ())}


def test_phi_in_a_snippet_is_an_error_and_no_post(policy, article):
    text = social(article, own("facebook", "Ask Dana about her visit: call (217) 555-2368."))
    snippets, findings, _ = make_snippets(unchecked(text), policy, TODAY, page_url)
    [phi] = of(findings, "social.phi")
    assert (phi.severity, phi.line, phi.kind) == (Severity.ERROR, line_of(text, "    facebook: "), "phone")
    assert phi.message.startswith("The Facebook post contains what may identify a patient (phone)")
    assert "facebook" not in {s.platform for s in snippets}


def test_phi_in_a_snippet_is_caught_by_the_page_check_too(policy, article):
    text = social(article, own("facebook", "Ask Dana about her visit: call (217) 555-2368."))
    snippets, findings, _ = snip(policy, text)
    assert snippets == [] and "phi.phone" in of(findings, "social.withheld")[0].message


def test_hospital_contact_line_is_not_phi(policy, article):
    text = social(article, own("facebook", "Questions? Call the health library at +1-217-555-0100."))
    snippets, findings, _ = make_snippets(unchecked(text), policy, TODAY, page_url)
    assert of(findings, "social.phi") == []
    assert "+1-217-555-0100" in one(snippets, "facebook").text


# --- JSON -----------------------------------------------------------------------------------


def test_snippets_json_is_deterministic_and_complete(policy, article):
    text = social(article, "  schedule:\n    - platform: x\n      at: 2026-12-01T09:00:00-06:00\n")
    snippets, findings, takedowns = snip(policy, text)
    first = snippets_json(snippets, findings, takedowns)
    again = snippets_json(list(reversed(snippets)), list(reversed(findings)), takedowns)
    assert first == again
    data = json.loads(first)
    assert list(data) == ["findings", "snippets", "takedowns"]
    x = next(s for s in data["snippets"] if s["platform"] == "x")
    assert x == {
        "count": one(snippets, "x").count, "hashtags": [], "image": None, "limit": 280,
        "link": link("x"), "page": REL, "platform": "x",
        "scheduled": ["2026-12-01T09:00:00-06:00"], "text": one(snippets, "x").text,
    }
    assert [f["rule"] for f in data["findings"]] == ["social.no-media", "social.no-media"]


def test_past_post_on_a_platform_the_consent_never_covered_is_taken_down(policy):
    story = STORY.replace("social:\n", "social:\n  schedule:\n    - platform: tiktok\n      at: 2026-11-02T09:00:00-06:00\n")
    _, _, takedowns = snip(policy, story, rel=STORY_REL)
    assert takedowns == [{
        "page": STORY_REL, "platform": "tiktok", "at": "2026-11-02T09:00:00-06:00",
        "reason": "Consent c-2026-001 does not cover tiktok.",
    }]


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=4), children, max_size=3),
    max_leaves=8,
)


@given(st.dictionaries(st.text(max_size=6), st.lists(_JSON, max_size=4), max_size=4))
@settings(max_examples=300, deadline=None)
def test_snippets_json_is_written_as_json_dumps_would(data):
    from carepress.emit.social import pretty_json

    assert pretty_json(data) == json.dumps(data, sort_keys=True, indent=2, ensure_ascii=False)
