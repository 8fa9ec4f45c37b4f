"""Reporters: the same findings for a terminal, a program, CI and a reviewer."""

from __future__ import annotations

import datetime as dt
import json

from carepress.emit.report import PageSummary, Report, render
from carepress.model import Finding, Severity, Suppression

ERROR = Finding("ref.unknown-person", Severity.ERROR, "content/articles/a.md", 8, 15, 8, 27,
                "'reviewed_by' names 'a-placeholdr', who is not in policy/people.yml.",
                "Did you mean 'a-placeholder'?")
WARNING = Finding("review.due-soon", Severity.WARNING, "content/articles/a.md", 11, 14, 11, 24,
                  "The page is due for review on 2026-12-01, in 7 days.", "Ask the reviewer.")
NOTICE = Finding("review.withheld", Severity.NOTICE, "content/myths/b.md", 11, 14, 11, 24, "Withheld.", "")
SUPPRESSION = Suppression("readability.grade", "Medicine names are long.", "k-specimen", dt.date(2027, 6, 30))
REPORT = Report(findings=[ERROR, WARNING, NOTICE], suppressions=[("content/myths/b.md", SUPPRESSION)], pages_checked=3)


def test_text_groups_by_file_with_locations_and_fixes():
    assert render(REPORT, "text") == (
        "content/articles/a.md\n"
        "  content/articles/a.md:8:15: error [ref.unknown-person] 'reviewed_by' names 'a-placeholdr', who is not in policy/people.yml.\n"
        "      fix: Did you mean 'a-placeholder'?\n"
        "  content/articles/a.md:11:14: warning [review.due-soon] The page is due for review on 2026-12-01, in 7 days.\n"
        "      fix: Ask the reviewer.\n"
        "\n"
        "content/myths/b.md\n"
        "  content/myths/b.md:11:14: notice [review.withheld] Withheld.\n"
        "\n"
        "Suppressions in force\n"
        "  content/myths/b.md: readability.grade approved by k-specimen until 2027-06-30: Medicine names are long.\n"
        "\n"
        "3 pages checked: 1 error, 1 warning, 1 notice, 1 suppression in force\n"
    )


def test_text_is_coloured_only_when_asked():
    coloured = render(REPORT, "text", colour=True)
    assert "\033[31merror\033[0m" in coloured
    assert "\033[" not in render(REPORT, "text")


def test_json_is_an_array_of_findings_with_design_keys():
    data = json.loads(render(REPORT, "json"))
    assert data[0] == {
        "rule": "ref.unknown-person", "severity": "error", "path": "content/articles/a.md",
        "line": 8, "column": 15, "end_line": 8, "end_column": 27,
        "message": "'reviewed_by' names 'a-placeholdr', who is not in policy/people.yml.",
        "hint": "Did you mean 'a-placeholder'?", "kind": "",
    }
    assert [d["severity"] for d in data] == ["error", "warning", "notice"]


def test_github_annotations_escape_properties_and_data():
    lines = render(REPORT, "github").splitlines()
    assert lines[0] == (
        "::error file=content/articles/a.md,line=8,endLine=8,col=15,endColumn=27,title=ref.unknown-person::"
        "'reviewed_by' names 'a-placeholdr', who is not in policy/people.yml.%0ADid you mean 'a-placeholder'?"
    )
    assert lines[1].startswith("::warning file=content/articles/a.md,line=11,")
    assert lines[2].startswith("::notice file=content/myths/b.md,")


def test_sarif_has_rules_results_and_regions():
    sarif = json.loads(render(REPORT, "sarif"))
    assert sarif["version"] == "2.1.0"
    run = sarif["runs"][0]
    assert [r["id"] for r in run["tool"]["driver"]["rules"]] == ["ref.unknown-person", "review.due-soon", "review.withheld"]
    first = run["results"][0]
    assert first["level"] == "error"
    assert first["locations"][0]["physicalLocation"] == {
        "artifactLocation": {"uri": "content/articles/a.md", "uriBaseId": "%SRCROOT%"},
        "region": {"startLine": 8, "startColumn": 15, "endLine": 8, "endColumn": 27},
    }
    assert run["results"][2]["level"] == "note"


def test_markdown_summary_starts_with_a_verdict_and_lists_what_reviewers_need():
    summary = PageSummary("content/articles/a.md", "Blood pressure", "article", "heart",
                          ("Alex Placeholder, MD (@alex-placeholder)",), ("clinical (a-placeholder, 2026-09-15)",), ("legal",),
                          "2026-09-15", "2029-06-15")
    report = Report(findings=[ERROR], pages_checked=1, pages={"content/articles/a.md": summary},
                    repository_url="https://github.com/riverbend/health", ref="abc123")
    text = render(report, "markdown")
    lines = text.splitlines()
    assert lines[0] == "## carepress compliance summary"
    assert lines[2] == "**Blocked**: 1 error must be fixed before this can merge."
    assert "| Reviewers needed | Alex Placeholder, MD (@alex-placeholder) |" in text
    assert "| Approvals missing | legal |" in text
    assert (
        "- ❌ [content/articles/a.md:8](https://github.com/riverbend/health/blob/abc123/content/articles/a.md#L8) "
        "`ref.unknown-person`: 'reviewed\\_by' names 'a-placeholdr', who is not in policy/people.yml."
    ) in text


def test_markdown_summary_shows_author_text_as_text():
    title = "![x](https://tracker.example/p.png) [click](https://example.com) **Ready** <b>x</b>"
    report = Report(findings=[], pages_checked=1, pages={"a.md": PageSummary("a.md", title)})
    heading = render(report, "markdown").splitlines()[6]
    assert heading == (
        "### `a.md` — !\\[x\\](https://tracker.example/p.png) \\[click\\](https://example.com) "
        "\\*\\*Ready\\*\\* &lt;b&gt;x&lt;/b&gt;"
    )


def test_control_and_bidi_characters_are_shown_as_escapes():
    finding = Finding("source.untrusted-domain", Severity.WARNING, "a.md", 1, 1, 1, 2,
                      "is from www.cdc.gov\u202e.evil.example \x1b[2J", "")
    text = render(Report(findings=[finding], pages_checked=1), "text")
    assert "www.cdc.gov\\u202e.evil.example \\u001b[2J" in text
    assert "\u202e" not in text and "\x1b" not in text


def test_markdown_verdict_when_clean():
    assert render(Report(findings=[], pages_checked=2), "markdown").splitlines()[2] == (
        "**Ready for review**: every check passes."
    )
