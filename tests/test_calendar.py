"""The content calendar: the plan's checks, and the files it is exported as."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
from pathlib import Path

import icalendar
import pytest

from carepress.checker import check_pages
from carepress.emit.calendar import (
    CsvLayout,
    Post,
    check_calendar,
    posts_from,
    to_csv,
    to_html,
    to_ical,
)
from carepress.emit.social import make_snippets
from carepress.frontmatter import read_text
from carepress.model import Severity
from helpers import TODAY, line_of

ROOT = Path(__file__).resolve().parents[1]
REL = "content/articles/test.md"
SITE = "https://health.riverbend-hospital.org/"
STORY_REL = "content/stories/cardiac-rehab.md"
STORY = (ROOT / STORY_REL).read_text()
CHICAGO_WINTER = dt.timezone(dt.timedelta(hours=-6))


def page_url(doc) -> str:
    return SITE + doc.rel_path.removeprefix("content/").removesuffix(".md") + "/"


def planned(*entries: tuple[str, str]) -> str:
    return "  schedule:\n" + "".join(
        f"    - platform: {platform}\n      at: {at}\n" for platform, at in entries
    )


def with_schedule(text: str, *entries: tuple[str, str]) -> str:
    if "\nsocial:\n" in text:
        return text.replace("\nsocial:\n", "\nsocial:\n" + planned(*entries), 1)
    end = text.index("\n---\n", 4)
    return text[: end + 1] + "social:\n" + planned(*entries) + text[end + 1 :]


def pages(policy, texts: dict[str, str], today: dt.date = TODAY):
    parsed = {rel: read_text(text, Path(rel), rel) for rel, text in texts.items()}
    return check_pages(parsed, policy, today, mode="build").pages


def calendar(policy, text: str, rel: str = REL, today: dt.date = TODAY):
    return check_calendar(pages(policy, {rel: text}, today), policy, today)


def of(findings, rule: str):
    return [f for f in findings if f.rule == rule]


def week(day: str, n: int, platform: str = "linkedin") -> list[tuple[str, str]]:
    """``n`` posts a day apart from ``day`` (a Monday), at 09:00 Chicago time."""
    start = dt.date.fromisoformat(day)
    return [(platform, f"{start + dt.timedelta(days=i)}T09:00:00-06:00") for i in range(n)]


# --- cadence --------------------------------------------------------------------------------


@pytest.mark.parametrize("n", [3, 4, 5])
def test_cadence_within_three_to_five_a_week_passes(policy, article, n):
    assert of(calendar(policy, with_schedule(article, *week("2026-11-30", n))), "calendar.cadence") == []


@pytest.mark.parametrize("n", [2, 6])
def test_cadence_outside_three_to_five_a_week_warns(policy, article, n):
    text = with_schedule(article, *week("2026-11-30", n))
    [warning] = of(calendar(policy, text), "calendar.cadence")
    assert warning.severity is Severity.WARNING
    assert warning.message == (
        f"LinkedIn has {n} posts in the week of 2026-11-30 (2026-W49); policy wants 3 to 5 a week."
    )
    entry = 5 if n == 6 else 0  # the post that breaks the limit, or the week's first
    assert warning.line == line_of(text, "      at: ", entry + 1)


def test_cadence_counts_each_platform_on_its_own(policy, article):
    text = with_schedule(article, *week("2026-11-30", 3), *week("2026-11-30", 3, "x"))
    assert of(calendar(policy, text), "calendar.cadence") == []


def test_past_weeks_are_history_not_cadence(policy, article):
    text = with_schedule(article, *week("2026-11-09", 1))  # that week ended on 2026-11-15
    assert of(calendar(policy, text), "calendar.cadence") == []


def test_the_current_week_still_counts(policy, article):
    text = with_schedule(article, *week("2026-11-23", 1))  # ends 2026-11-29, after today
    assert len(of(calendar(policy, text), "calendar.cadence")) == 1


def test_weeks_are_the_hospitals_weeks(policy, article):
    # Sunday 23:30 in Chicago is Monday in UTC: the post belongs to the week that ends that Sunday.
    posts = week("2026-11-30", 2) + [("linkedin", "2026-12-06T23:30:00-06:00")]
    assert of(calendar(policy, with_schedule(article, *posts)), "calendar.cadence") == []


# --- spacing --------------------------------------------------------------------------------


def test_posts_ten_minutes_apart_pass(policy, article):
    text = with_schedule(
        article, ("x", "2026-12-01T09:00:00-06:00"), ("x", "2026-12-01T09:10:00-06:00")
    )
    assert of(calendar(policy, text), "calendar.gap") == []


def test_posts_under_ten_minutes_apart_fail(policy, article):
    text = with_schedule(
        article, ("x", "2026-12-01T09:00:00-06:00"), ("x", "2026-12-01T09:09:59-06:00")
    )
    [gap] = of(calendar(policy, text), "calendar.gap")
    assert (gap.severity, gap.line) == (Severity.ERROR, line_of(text, "      at: ", 2))
    assert gap.message.startswith("Two X posts are 9 min 59 s apart")
    assert gap.message.endswith("policy wants at least 10 minutes.")


def test_gap_compares_instants_across_offsets_and_pages(policy, article):
    other = with_schedule(article, ("x", "2026-12-01T15:05:00+00:00"))  # 09:05 in Chicago
    text = with_schedule(article, ("x", "2026-12-01T09:00:00-06:00"))
    found = check_calendar(
        pages(policy, {REL: text, "content/articles/other.md": other}), policy, TODAY
    )
    [gap] = of(found, "calendar.gap")
    assert gap.path == "content/articles/other.md"


def test_gap_is_per_platform(policy, article):
    text = with_schedule(
        article, ("x", "2026-12-01T09:00:00-06:00"), ("facebook", "2026-12-01T09:00:00-06:00")
    )
    assert of(calendar(policy, text), "calendar.gap") == []


# --- dates of the page ----------------------------------------------------------------------


def test_post_before_the_latest_approval_fails(policy, article):
    text = with_schedule(article, ("x", "2026-09-14T09:00:00-05:00"))
    [f] = of(calendar(policy, text), "calendar.before-approval")
    assert f.line == line_of(text, "      at: ")
    assert f.message == (
        "The x post on 2026-09-14 is planned before the page's latest approval (2026-09-15)."
    )


def test_post_on_the_approval_day_passes(policy, article):
    text = with_schedule(article, ("x", "2026-09-15T09:00:00-05:00"))
    assert of(calendar(policy, text), "calendar.before-approval") == []


def test_post_after_next_review_fails(policy, article):
    text = with_schedule(article, ("x", "2029-06-16T09:00:00-05:00"))
    [f] = of(calendar(policy, text), "calendar.after-review")
    assert f.severity is Severity.ERROR
    assert "after the page's review is due (2029-06-15)" in f.message


def test_post_on_the_review_date_passes(policy, article):
    text = with_schedule(article, ("x", "2029-06-15T09:00:00-05:00"))
    assert of(calendar(policy, text), "calendar.after-review") == []


def _consent(policy, **changes):
    record = {**policy.consents["c-2026-001"], **changes}
    return dataclasses.replace(policy, consents={**policy.consents, "c-2026-001": record})


def test_post_after_the_consent_expires_fails(policy):
    ending = _consent(policy, expires="2027-06-30")
    text = with_schedule(
        STORY, ("facebook", "2027-06-30T09:00:00-05:00"), ("facebook", "2027-07-01T09:00:00-05:00")
    )
    [f] = of(calendar(ending, text, rel=STORY_REL), "calendar.after-consent")
    assert f.line == line_of(text, "      at: ", 2)
    assert f.message == (
        "The facebook post on 2027-07-01 is planned after consent c-2026-001 expires (2027-06-30)."
    )


def test_post_after_consent_is_withdrawn_fails(policy):
    revoked = _consent(policy, revoked=True, revoked_on="2026-11-01")
    text = with_schedule(STORY, ("facebook", "2026-12-01T09:00:00-06:00"))
    [f] = of(calendar(revoked, text, rel=STORY_REL), "calendar.after-consent")
    assert "after consent c-2026-001 was withdrawn (2026-11-01)" in f.message


def test_post_on_a_platform_policy_does_not_enable_warns(policy, article):
    platforms = dict(policy.platforms["platforms"])
    platforms["tiktok"] = {**platforms["tiktok"], "enabled": False}
    quiet = dataclasses.replace(policy, platforms={**policy.platforms, "platforms": platforms})
    text = with_schedule(article, ("tiktok", "2026-12-01T09:00:00-06:00"))
    [f] = of(calendar(quiet, text), "calendar.platform")
    assert f.severity is Severity.WARNING


# --- iCalendar ------------------------------------------------------------------------------


def _posts(policy, text: str, rel: str = REL):
    result = pages(policy, {rel: text})
    snippets, _, _ = make_snippets(result, policy, TODAY, page_url)
    return posts_from(snippets, result, policy), snippets


def test_ical_parses_back_with_one_event_per_post(policy, article):
    text = with_schedule(
        article, ("x", "2026-12-01T09:00:00-06:00"), ("linkedin", "2026-12-02T10:30:00-06:00")
    )
    posts, snippets = _posts(policy, text)
    data = to_ical(posts, TODAY)
    cal = icalendar.Calendar.from_ical(data)
    events = list(cal.walk("VEVENT"))
    assert [str(e["SUMMARY"]) for e in events] == [
        "X: Test article about blood pressure", "LinkedIn: Test article about blood pressure",
    ]
    assert [e.decoded("DTSTART") for e in events] == [
        dt.datetime(2026, 12, 1, 15, 0, tzinfo=dt.timezone.utc),
        dt.datetime(2026, 12, 2, 16, 30, tzinfo=dt.timezone.utc),
    ]
    x = next(s for s in snippets if s.platform == "x")
    assert str(events[0]["DESCRIPTION"]) == x.text and x.link in x.text
    assert str(events[0]["URL"]) == x.link
    assert all(e.decoded("DTSTAMP") == dt.datetime(2026, 11, 24, tzinfo=dt.timezone.utc) for e in events)
    assert len({str(e["UID"]) for e in events}) == 2
    assert str(cal["VERSION"]) == "2.0" and "carepress" in str(cal["PRODID"])


def test_ical_is_reproducible_and_uids_are_stable(policy, article):
    text = with_schedule(article, ("x", "2026-12-01T09:00:00-06:00"))
    posts, _ = _posts(policy, text)
    assert to_ical(posts, TODAY) == to_ical(list(reversed(posts)), TODAY)
    same_instant = dataclasses.replace(posts[0], at=posts[0].at.astimezone(dt.timezone.utc), text="edited")
    assert same_instant.uid == posts[0].uid


def test_ical_description_adds_the_link_when_the_text_has_none(policy, article):
    text = with_schedule(article, ("instagram", "2026-12-01T09:00:00-06:00"))
    posts, _ = _posts(policy, text)
    [event] = icalendar.Calendar.from_ical(to_ical(posts, TODAY)).walk("VEVENT")
    assert str(event["DESCRIPTION"]).endswith("Read more: link in our bio.\n\n" + posts[0].link)


# --- CSV ------------------------------------------------------------------------------------


def post(i: int, platform: str = "x", text: str = "Know your numbers.") -> Post:
    at = dt.datetime(2027, 1, 1, 9, 0, tzinfo=CHICAGO_WINTER) + dt.timedelta(hours=i)
    return Post(
        page=REL, platform=platform, platform_name=platform.title(), at=at, title="Test",
        text=text, link=SITE + "articles/test/?utm_source=x", count=len(text), limit=280,
    )


def rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def test_sprout_social_headers_and_values(policy):
    layout = CsvLayout.from_policy(policy, "sprout-social")
    [(name, text)] = to_csv([post(0, text="Line one,\n\"quoted\" line two")], layout)
    assert name == "sprout-social-x.csv"
    assert text.split("\r\n")[0] == "Date,Time,Message"
    assert rows(text) == [["Date", "Time", "Message"], ["01/01/2027", "09:00", "Line one,\n\"quoted\" line two"]]


def test_sprout_social_times_are_in_the_hospitals_time_zone(policy):
    layout = CsvLayout.from_policy(policy, "sprout-social")
    utc = dataclasses.replace(post(0), at=dt.datetime(2027, 7, 1, 14, 5, tzinfo=dt.timezone.utc))
    [(_, text)] = to_csv([utc], layout)
    assert rows(text)[1][:2] == ["07/01/2027", "09:05"]  # Chicago in summer is UTC-5


def test_sprout_social_splits_at_350_rows(policy):
    layout = CsvLayout.from_policy(policy, "sprout-social")
    files = to_csv([post(i) for i in range(351)], layout)
    assert [name for name, _ in files] == ["sprout-social-x-1.csv", "sprout-social-x-2.csv"]
    assert [len(rows(text)) - 1 for _, text in files] == [350, 1]
    assert all(rows(text)[0] == ["Date", "Time", "Message"] for _, text in files)


def test_sprout_social_350_rows_is_one_file(policy):
    layout = CsvLayout.from_policy(policy, "sprout-social")
    assert [name for name, _ in to_csv([post(i) for i in range(350)], layout)] == ["sprout-social-x.csv"]


def test_sprout_social_gets_one_file_per_platform(policy):
    layout = CsvLayout.from_policy(policy, "sprout-social")
    files = to_csv([post(0, "x"), post(1, "facebook")], layout)
    assert [name for name, _ in files] == ["sprout-social-facebook.csv", "sprout-social-x.csv"]


def test_generic_layout_has_every_column_in_one_file(policy):
    layout = CsvLayout.from_policy(policy, "generic")
    image = {"src": "cuff.jpg", "alt": "A cuff.", "url": SITE + "articles/cuff.jpg"}
    [(name, text)] = to_csv([post(0, "x"), dataclasses.replace(post(1, "facebook"), image=image)], layout)
    assert name == "generic.csv"
    assert rows(text) == [
        ["platform", "datetime", "text", "link", "page", "image_url", "image_alt"],
        ["x", "2027-01-01T09:00:00-06:00", "Know your numbers.", SITE + "articles/test/?utm_source=x", REL, "", ""],
        ["facebook", "2027-01-01T10:00:00-06:00", "Know your numbers.", SITE + "articles/test/?utm_source=x",
         REL, SITE + "articles/cuff.jpg", "A cuff."],
    ]


def test_unknown_layout_is_a_clear_error(policy):
    with pytest.raises(KeyError, match="no CSV layout 'hootsuite'"):
        CsvLayout.from_policy(policy, "hootsuite")


# --- HTML preview ---------------------------------------------------------------------------


def test_html_preview_shows_each_post_with_its_count_against_the_limit(policy, article):
    text = with_schedule(
        article, ("x", "2026-12-01T09:00:00-06:00"), ("linkedin", "2026-12-09T10:30:00-06:00")
    )
    posts, snippets = _posts(policy, text)
    html = to_html(posts, snippets, policy)
    x = next(p for p in posts if p.platform == "x")
    assert f"{x.count} / 280" in html
    assert '<section id="platform-x">' in html and '<section id="platform-linkedin">' in html
    assert "2026-W49" in html and "2026-W50" in html
    assert '<time datetime="2026-12-01T09:00:00-06:00">09:00</time>' in html
    assert "Ready, not planned" in html  # the other platforms' snippets


def test_html_preview_escapes_post_text(policy):
    evil = post(0, text='<script>alert("x")</script> & more')
    html = to_html([evil], [], policy)
    assert "<script>" not in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; more" in html


def test_html_preview_is_self_contained(policy):
    html = to_html([post(0)], [], policy)
    assert "<style>" in html
    assert "<link" not in html and "<script" not in html and "@import" not in html
    assert "url(" not in html


def test_html_preview_marks_over_long_posts(policy):
    long = dataclasses.replace(post(0), count=281)
    html = to_html([long], [], policy)
    assert 'class="post over"' in html and "281 / 280" in html
