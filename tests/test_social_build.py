"""Social outputs from a real build and from the commands, and the post-build
PHI scan catching what a template leaks."""

from __future__ import annotations

import json
import os

from carepress.cli import main
from test_build import mkdocs_build

SOCIAL_YML = "  - carepress/schema\n  - carepress/social\n"


def with_social(project):
    config = project.root / "mkdocs.yml"
    config.write_text(config.read_text().replace("  - carepress/schema\n", SOCIAL_YML))


def with_image(project, article: str) -> str:
    """The article with a share image, as Instagram and TikTok need."""
    project.copy_demo("assets/cards/heart.png")
    return article.replace(
        "approvals:\n",
        "social:\n  image:\n    src: ../assets/cards/heart.png\n    alt: Riverbend share card\napprovals:\n",
    )


def test_build_writes_snippets_beside_the_site_never_inside(project, article):
    with_social(project)
    project.write("articles/a.md", with_image(project, article))
    done = mkdocs_build(project.root, project.root / "site")
    assert done.returncode == 0, done.stderr[-3000:]
    social = project.root / "social"
    assert sorted(p.name for p in social.iterdir()) == ["calendar.html", "calendar.ics", "snippets.json", "takedown.json"]
    data = json.loads((social / "snippets.json").read_text())
    x = next(s for s in data["snippets"] if s["platform"] == "x")
    assert x["link"] == (
        "https://health.riverbend-hospital.example/articles/a/"
        "?utm_source=x&utm_medium=social&utm_campaign=heart&utm_content=a"
    )
    assert not any(p.name == "snippets.json" for p in (project.root / "site").rglob("*"))


def test_snippets_command_writes_the_same_files_without_a_build(project, article, capsys):
    project.write("articles/a.md", article)
    cwd = os.getcwd()
    os.chdir(project.root)
    try:
        code = main(["snippets", "--today", "2026-11-24"])
    finally:
        os.chdir(cwd)
    out = capsys.readouterr().out
    assert code == 0, out
    assert out.strip().endswith("carepress: wrote 4 files to social/")
    assert not (project.root / "site").exists()
    data = json.loads((project.root / "social/snippets.json").read_text())
    assert {s["platform"] for s in data["snippets"]} >= {"x", "facebook", "linkedin", "threads", "bluesky", "mastodon"}


def test_snippet_error_leaves_previous_social_output_untouched(project, article, capsys):
    project.write("articles/a.md", article)
    social = project.root / "social"
    social.mkdir()
    (social / "snippets.json").write_text("previous good output")
    too_long = article.replace(
        "approvals:\n", "social:\n  text:\n    x: \"" + "word " * 60 + "\"\napprovals:\n"
    )
    project.write("articles/a.md", too_long)
    cwd = os.getcwd()
    os.chdir(project.root)
    try:
        code = main(["snippets", "--today", "2026-11-24"])
    finally:
        os.chdir(cwd)
    out = capsys.readouterr().out
    assert code == 1
    assert "error [social.too-long] The X post is 324 long as X counts it (twitter-v3); the limit is 280." in out
    assert (social / "snippets.json").read_text() == "previous good output"


def test_a_template_that_leaks_phi_fails_the_build(project, article):
    overrides = project.root / "overrides"
    overrides.mkdir()
    (overrides / "main.html").write_text(
        '{% extends "base.html" %}{% block content %}{{ super() }}'
        "<p>Patient contact: {{ config.extra.leak }}</p>{% endblock %}"
    )
    config = project.root / "mkdocs.yml"
    config.write_text(
        config.read_text().replace("  name: material\n", "  name: material\n  custom_dir: overrides\n")
        + "extra:\n  leak: jane.doe@gmail.com\n"
    )
    project.write("articles/a.md", article)
    done = mkdocs_build(project.root, project.root / "site")
    assert done.returncode == 1
    assert "site/articles/a/index.html" in done.stderr
    assert "[phi.email]" in done.stderr


def test_calendar_command_writes_ical_csv_and_preview(project, article, capsys):
    from icalendar import Calendar

    schedule = "".join(
        f"    - platform: x\n      at: 2027-02-0{day}T09:00:00-06:00\n" for day in (1, 3, 5)
    )
    project.write("articles/a.md", article.replace("approvals:\n", f"social:\n  schedule:\n{schedule}approvals:\n"))
    cwd = os.getcwd()
    os.chdir(project.root)
    try:
        code = main(["calendar", "--today", "2026-11-24"])
    finally:
        os.chdir(cwd)
    assert code == 0, capsys.readouterr().out
    social = project.root / "social"
    events = [c for c in Calendar.from_ical((social / "calendar.ics").read_bytes()).walk("VEVENT")]
    assert [e.decoded("dtstart").isoformat() for e in events] == [
        "2027-02-01T15:00:00+00:00", "2027-02-03T15:00:00+00:00", "2027-02-05T15:00:00+00:00"
    ]
    sprout = (social / "csv/sprout-social-x.csv").read_text().splitlines()
    assert sprout[0] == "Date,Time,Message"
    assert sprout[1].startswith("02/01/2027,09:00,")
    assert "Test article about blood pressure" in (social / "calendar.html").read_text()
