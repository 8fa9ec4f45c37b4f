"""`carepress new`: a new page has complete front matter and fails only where the author must fill in."""

from __future__ import annotations

from pathlib import Path

import pytest

from carepress.checker import check_pages
from carepress.frontmatter import read_file
from carepress.policy import load_policy
from carepress.scaffold import slugify
from helpers import TODAY, line_of, run_cli

PINNED = ["--today", "2026-11-24"]


def run(root: Path, *args: str, capsys) -> tuple[int, str, str]:
    return run_cli(root, "new", *args, capsys=capsys)


def checked(project, rel: str):
    """The page's front matter, text and findings, checked with the project's own policy."""
    path = project.root / rel
    parsed = read_file(path, rel)
    assert parsed.document is not None, parsed.findings
    policy = load_policy(project.root / "policy")
    result = check_pages({rel: parsed}, policy, TODAY)
    return parsed.document.meta, path.read_text(encoding="utf-8"), result.pages[rel].findings


def found(findings) -> list[tuple[str, int]]:
    """The findings other rules give; every REPLACE placeholder is checked apart."""
    return sorted((f.rule, f.line) for f in findings if f.rule != "frontmatter.placeholder")


def placeholder_lines(findings) -> list[int]:
    return sorted(f.line for f in findings if f.rule == "frontmatter.placeholder")


def test_every_placeholder_is_an_error_on_its_own_line(project, capsys):
    new_page(project, capsys, "story", "A story to fill", "--service-line", "heart")
    _, text, findings = checked(project, "content/stories/a-story-to-fill.md")
    lines = text.split("\n")
    expected = sorted(i for i, line in enumerate(lines, start=1) if "REPLACE" in line or "replace-" in line)
    assert placeholder_lines(findings) == expected


def new_page(project, capsys, kind: str, title: str, *extra: str) -> tuple[str, str]:
    code, out, err = run(project.root, kind, title, *extra, *PINNED, capsys=capsys)
    assert code == 0, err
    return out, err


# ------------------------------------------------------------------ each type


def test_new_article_is_written_under_articles_with_todays_dates(project, capsys):
    out, _ = new_page(project, capsys, "article", "High blood pressure: the silent condition", "--service-line", "heart")
    rel = "content/articles/high-blood-pressure-the-silent-condition.md"
    assert f"carepress: wrote {rel}" in out
    meta, _, findings = checked(project, rel)
    assert not [f for f in findings if f.rule.startswith("frontmatter.") and f.rule != "frontmatter.placeholder"]
    assert meta["type"] == "article"
    assert meta["title"] == "High blood pressure: the silent condition"
    assert meta["service_line"] == "heart" and meta["audience"] == "patient"
    assert meta["published"] == meta["last_reviewed"] == "2026-11-24"
    assert meta["next_review"] == "2029-11-24"  # 1096 days, the policy's article interval
    assert meta["authors"] == ["g-standin"]  # the first editor in people.yml
    assert meta["reviewed_by"] == ["a-placeholder"]  # the heart service line's owner
    assert meta["revisions"] == [
        {"date": "2026-11-24", "by": "g-standin", "kind": "editorial", "summary": "First draft."},
        {"date": "2026-11-24", "by": "a-placeholder", "kind": "review", "summary": "REPLACE: what the reviewer checked."},
    ]
    assert meta["approvals"] == [{"role": "clinical", "by": "replace-clinical-approver", "date": "2026-11-24"}]


def test_new_article_fails_only_on_its_placeholders(project, capsys):
    new_page(project, capsys, "article", "Hand washing", "--service-line", "infection")
    _, text, findings = checked(project, "content/articles/hand-washing.md")
    assert found(findings) == sorted([
        ("source.too-few-top-tier", line_of(text, "- id: source-1")),
        ("source.bad-scheme", line_of(text, "URL: \"REPLACE", 1)),
        ("source.bad-scheme", line_of(text, "URL: \"REPLACE", 2)),
        ("ref.unknown-person", line_of(text, "by: replace-clinical-approver")),
    ])


def test_new_myth_has_claim_verdict_and_where_it_was_seen(project, capsys):
    new_page(project, capsys, "myth", "Myth: sugar causes diabetes", "--service-line", "diabetes")
    meta, text, findings = checked(project, "content/myths/myth-sugar-causes-diabetes.md")
    assert meta["claim"].startswith("REPLACE:")
    assert meta["verdict"] == "false"
    assert meta["claim_seen"] == {
        "description": "REPLACE: where the claim appeared, such as social media posts.",
        "date": "2026-11-24",
    }
    assert meta["reviewed_by"] == ["b-sample", "c-example"]
    assert meta["next_review"] == "2029-11-24"
    assert "## The claim" in text and "## The facts" in text and "## What to do" in text
    assert found(findings) == sorted([
        ("source.too-few-top-tier", line_of(text, "- id: source-1")),
        ("source.bad-scheme", line_of(text, "URL: \"REPLACE", 1)),
        ("source.bad-scheme", line_of(text, "URL: \"REPLACE", 2)),
        ("ref.unknown-person", line_of(text, "by: replace-clinical-approver")),
    ])


def test_new_story_asks_for_the_consent_record(project, capsys):
    new_page(project, capsys, "story", "Rosa's story: finding my feet", "--service-line", "heart")
    meta, text, findings = checked(project, "content/stories/rosas-story-finding-my-feet.md")
    assert meta["consent"] == "replace-consent-id"
    assert meta["consented_names"] == []
    assert [a["role"] for a in meta["approvals"]] == ["clinical", "privacy"]
    assert found(findings) == sorted([
        ("ref.unknown-consent", line_of(text, "consent: replace-consent-id")),
        ("source.too-few-top-tier", line_of(text, "- id: source-1")),
        ("source.bad-scheme", line_of(text, "URL: \"REPLACE")),
        ("ref.unknown-person", line_of(text, "by: replace-clinical-approver")),
        ("ref.unknown-person", line_of(text, "by: replace-privacy-approver")),
    ])


def test_new_alert_fills_the_template_and_ends_in_a_week_at_8pm_local(project, capsys):
    new_page(
        project, capsys, "alert", "Boil-water notice for Riverbend",
        "--service-line", "emergency", "--template", "boil-water",
    )
    meta, text, findings = checked(project, "content/alerts/boil-water-notice-for-riverbend.md")
    assert meta["template"] == "boil-water"
    assert meta["values"] == {
        "area": 'REPLACE: The area the notice covers, for example "Riverbend".',
        "until": 'REPLACE: When the notice is expected to end, in words, for example "Sunday at noon".',
    }
    assert meta["expires"] == "2026-12-01T20:00:00-06:00"  # America/Chicago, standard time
    assert meta["published"] == meta["last_reviewed"] == "2026-11-24"
    assert meta["next_review"] == "2026-12-01"
    assert [a["role"] for a in meta["approvals"]] == [
        "clinical-lead", "communications-director", "chief-executive",
    ]
    assert {a["date"] for a in meta["approvals"]} == {"2026-11-24"}
    body = text.split("\n---\n", 1)[1]
    assert body.lstrip().startswith("# Boil-water notice for Riverbend\n\n**Boil-water notice for [REPLACE: area] until [REPLACE: until].")
    assert "## Do this now" in body
    assert found(findings) == sorted([
        ("source.too-few-top-tier", line_of(text, "- id: source-1")),
        ("source.bad-scheme", line_of(text, "URL: \"REPLACE")),
        ("ref.unknown-person", line_of(text, "by: replace-clinical-lead-approver")),
        ("ref.unknown-person", line_of(text, "by: replace-communications-director-approver")),
        ("ref.unknown-person", line_of(text, "by: replace-chief-executive-approver")),
    ])


def test_alert_end_can_be_chosen_and_takes_the_summer_offset(project, capsys):
    new_page(
        project, capsys, "alert", "Heat advisory for Riverbend", "--service-line", "emergency",
        "--template", "heat-advisory", "--ends", "2027-03-20",
    )
    meta, _, findings = checked(project, "content/alerts/heat-advisory-for-riverbend.md")
    assert meta["expires"] == "2027-03-20T20:00:00-05:00"  # daylight time from 14 March 2027
    assert meta["next_review"] == "2027-03-20"
    assert not [f for f in findings if f.rule.startswith(("frontmatter.", "review.")) and f.rule != "frontmatter.placeholder"]


def test_alert_review_stays_within_the_policy_interval_when_it_runs_longer(project, capsys):
    new_page(
        project, capsys, "alert", "Masks required in patient-care areas", "--service-line", "infection",
        "--template", "masking", "--ends", "2027-06-30",
    )
    meta, _, findings = checked(project, "content/alerts/masks-required-in-patient-care-areas.md")
    assert meta["next_review"] == "2027-03-24"  # 120 days: Riverbend's alert interval
    assert meta["expires"] == "2027-06-30T20:00:00-05:00"
    assert not [f for f in findings if f.rule.startswith(("frontmatter.", "review.")) and f.rule != "frontmatter.placeholder"]


def test_alert_body_comes_from_the_templates_body_when_it_has_one(project, capsys):
    (project.root / "policy/alert-templates/shelter.yml").write_text(
        'title: "Shelter in place in {area}"\n'
        'banner: "Shelter in place in {area}."\n'
        'body: "Stay inside in {area} until {until}."\n'
        "placeholders:\n  area: The area.\n  until: When it ends.\n",
        encoding="utf-8",
    )
    new_page(project, capsys, "alert", "Shelter in place", "--service-line", "emergency", "--template", "shelter")
    meta, text, findings = checked(project, "content/alerts/shelter-in-place.md")
    assert meta["values"] == {"area": "REPLACE: The area.", "until": "REPLACE: When it ends."}
    assert "\nStay inside in [REPLACE: area] until [REPLACE: until].\n" in text
    assert not [f for f in findings if f.rule.startswith("frontmatter.") and f.rule != "frontmatter.placeholder"]


# ------------------------------------------------------------------ what a filled-in page gives


FILLED = {
    "by: replace-clinical-approver": "by: k-specimen",
    "by: replace-privacy-approver": "by: h-dummy",
    "by: replace-clinical-lead-approver": "by: j-testcase",
    "by: replace-communications-director-approver": "by: g-standin",
    "by: replace-chief-executive-approver": "by: i-template",
    "consent: replace-consent-id": "consent: c-2026-003",
}


@pytest.mark.parametrize(
    ("kind", "extra"),
    [
        ("article", ()),
        ("myth", ()),
        ("story", ()),
        ("alert", ("--template", "masking")),
    ],
)
def test_replacing_the_flagged_placeholders_leaves_a_clean_page(project, capsys, kind, extra):
    new_page(project, capsys, kind, f"A new {kind} for testing", "--service-line", "infection", *extra)
    folder = {"article": "articles", "myth": "myths", "story": "stories", "alert": "alerts"}[kind]
    rel = f"content/{folder}/a-new-{kind}-for-testing.md"
    path = project.root / rel
    text = path.read_text(encoding="utf-8")
    for old, new in FILLED.items():
        text = text.replace(old, new)
    urls = iter(["https://www.cdc.gov/clean-hands/", "https://www.who.int/health-topics/hand-hygiene"])
    text = "\n".join(
        f"    URL: {next(urls)}" if line.startswith('    URL: "REPLACE') else line for line in text.split("\n")
    )
    path.write_text(text, encoding="utf-8")
    _, _, findings = checked(project, rel)
    assert found(findings) == []
    # What is left is exactly the author's writing, each on its line.
    assert placeholder_lines(findings) == sorted(
        i for i, line in enumerate(text.split("\n"), start=1) if "REPLACE" in line
    )


# ------------------------------------------------------------------ options


def test_prints_every_line_to_fill_in(project, capsys):
    out, _ = new_page(project, capsys, "story", "A story", "--service-line", "heart")
    rel = "content/stories/a-story.md"
    text = (project.root / rel).read_text(encoding="utf-8")
    assert f"  {rel}:{line_of(text, 'consent: replace-consent-id')}: consent: the consent record id" in out
    assert f"  {rel}:{line_of(text, 'description:')}: description: one or two sentences" in out
    assert f"  {rel}:{line_of(text, 'by: replace-privacy-approver')}: approvals[1].by: who gave the 'privacy' approval (h-dummy)" in out
    assert f"  {rel}:{line_of(text, 'REPLACE: the first lesson.')}: body: REPLACE: the first lesson." in out
    assert out.rstrip().endswith(f"Then run: carepress check {rel}")


def test_author_audience_and_path_options(project, capsys):
    new_page(
        project, capsys, "article", "Statins explained", "--service-line", "heart",
        "--author", "k-specimen", "--audience", "clinician", "--path", "content/articles/statins.md",
    )
    meta, _, findings = checked(project, "content/articles/statins.md")
    assert meta["authors"] == ["k-specimen"]
    assert meta["audience"] == "clinician"
    assert meta["revisions"][0]["by"] == "k-specimen"
    assert not (project.root / "content/articles/statins-explained.md").exists()
    assert not [f for f in findings if f.rule.startswith(("frontmatter.", "review.")) and f.rule != "frontmatter.placeholder"]


def test_reviewer_log_entry_is_not_the_author_when_another_owner_can_review(project, capsys):
    new_page(project, capsys, "article", "Insulin basics", "--service-line", "diabetes", "--author", "b-sample")
    meta, _, findings = checked(project, "content/articles/insulin-basics.md")
    assert meta["reviewed_by"] == ["b-sample", "c-example"]
    assert meta["revisions"][1]["by"] == "c-example"
    assert not [f for f in findings if f.rule.startswith(("revision.", "review."))]


def test_today_comes_from_source_date_epoch_without_today(project, capsys, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1795996800")  # 2026-11-30
    code, _, err = run(project.root, "article", "Flu season", "--service-line", "infection", capsys=capsys)
    assert code == 0, err
    meta = read_file(project.root / "content/articles/flu-season.md", "x").document.meta
    assert meta["published"] == "2026-11-30" and meta["next_review"] == "2029-11-30"


def test_slug_is_lowercase_ascii_with_hyphens():
    assert slugify("Rosa’s story: finding my feet — again!") == "rosas-story-finding-my-feet-again"
    assert slugify("Café & crème brûlée") == "cafe-creme-brulee"
    assert slugify("  COVID-19 vaccines (2026)  ") == "covid-19-vaccines-2026"


# ------------------------------------------------------------------ refusals


def test_unknown_service_line_exits_2_listing_the_service_lines(project, capsys):
    code, out, err = run(project.root, "article", "Some page", "--service-line", "hart", *PINNED, capsys=capsys)
    assert code == 2
    assert "--service-line 'hart' is not in policy/service-lines.yml; use one of: heart, diabetes," in err
    assert not (project.root / "content/articles").exists()


def test_alert_without_template_exits_2_listing_the_templates(project, capsys):
    code, _, err = run(project.root, "alert", "Some alert", "--service-line", "emergency", *PINNED, capsys=capsys)
    assert code == 2
    assert "An alert needs --template NAME" in err
    assert "boil-water, heat-advisory, masking" in err


def test_alert_with_unknown_template_exits_2_listing_the_templates(project, capsys):
    code, _, err = run(
        project.root, "alert", "Some alert", "--service-line", "emergency", "--template", "flood", *PINNED,
        capsys=capsys,
    )
    assert code == 2
    assert "--template 'flood' is not in policy/alert-templates/; use one of: boil-water, heat-advisory, masking." in err


def test_unknown_author_exits_2(project, capsys):
    code, _, err = run(
        project.root, "article", "Some page", "--service-line", "heart", "--author", "nobody", *PINNED,
        capsys=capsys,
    )
    assert code == 2 and "--author 'nobody' is not in policy/people.yml" in err


def test_alert_end_must_be_after_today(project, capsys):
    code, _, err = run(
        project.root, "alert", "Some alert", "--service-line", "emergency", "--template", "masking",
        "--ends", "2026-11-24", *PINNED, capsys=capsys,
    )
    assert code == 2 and "must be after today (2026-11-24)" in err


def test_existing_file_is_not_overwritten_without_force(project, capsys):
    existing = project.write("articles/hand-washing.md", "---\ntype: page\ntitle: Keep me\n---\n")
    code, out, err = run(project.root, "article", "Hand washing", "--service-line", "infection", *PINNED, capsys=capsys)
    assert code == 2
    assert "content/articles/hand-washing.md already exists; nothing was written. Pass --force" in err
    assert existing.read_text(encoding="utf-8") == "---\ntype: page\ntitle: Keep me\n---\n"
    code, _, err = run(
        project.root, "article", "Hand washing", "--service-line", "infection", "--force", *PINNED, capsys=capsys
    )
    assert code == 0, err
    assert existing.read_text(encoding="utf-8").startswith("---\ntype: article\n")


def test_title_without_ascii_needs_a_path(project, capsys):
    code, _, err = run(project.root, "article", "高血压", "--service-line", "heart", *PINNED, capsys=capsys)
    assert code == 2 and "pass --path FILE" in err
