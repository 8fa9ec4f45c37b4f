"""References from a page to policy, and from its body to its citations."""

from __future__ import annotations

from helpers import check_text, line_of, rules


def test_unknown_person(article, policy):
    text = article.replace("reviewed_by: [a-placeholder]", "reviewed_by: [a-placeholdr]")
    findings = [f for f in check_text(text, policy) if f.rule == "ref.unknown-person"]
    assert rules(findings) == [("ref.unknown-person", line_of(text, "reviewed_by:"))]
    assert "Did you mean 'a-placeholder'?" in findings[0].hint


def test_unknown_person_in_revision_log(article, policy):
    text = article.replace("    by: g-standin\n    kind: editorial", "    by: nobody\n    kind: editorial")
    findings = [f for f in check_text(text, policy) if f.rule == "ref.unknown-person"]
    assert rules(findings) == [("ref.unknown-person", line_of(text, "by: nobody"))]
    assert "revisions[0].by" in findings[0].message


def test_unknown_service_line(article, policy):
    text = article.replace("service_line: heart", "service_line: hart")
    findings = [f for f in check_text(text, policy) if f.rule.startswith("ref.")]
    assert rules(findings) == [("ref.unknown-service-line", line_of(text, "service_line:"))]
    assert "Did you mean 'heart'?" in findings[0].hint


def test_unknown_consent(policy):
    from pathlib import Path

    story = (Path(__file__).resolve().parents[1] / "content/stories/cardiac-rehab.md").read_text()
    text = story.replace("consent: c-2026-001", "consent: c-2026-999")
    findings = [f for f in check_text(text, policy, rel="content/stories/x.md") if f.rule == "ref.unknown-consent"]
    assert rules(findings) == [("ref.unknown-consent", line_of(text, "consent: c-2026-999"))]


def test_duplicate_citation_id(article, policy):
    text = article.replace("- id: nhlbi-hbp", "- id: cdc-hbp")
    findings = [f for f in check_text(text, policy) if f.rule == "ref.citation-duplicate"]
    assert rules(findings) == [("ref.citation-duplicate", line_of(text, "- id: cdc-hbp", 2))]


def test_citation_never_cited(article, policy):
    text = article.replace(" [@nhlbi-hbp]", "")
    findings = [f for f in check_text(text, policy) if f.rule.startswith("ref.")]
    assert rules(findings) == [("ref.citation-unused", line_of(text, "- id: nhlbi-hbp"))]


def test_cited_but_undefined(article, policy):
    text = article.replace("[@nhlbi-hbp]", "[@nhlbi-hbp; @who-hbp]")
    findings = [f for f in check_text(text, policy) if f.rule.startswith("ref.")]
    assert rules(findings) == [("ref.citation-undefined", line_of(text, "@who-hbp"))]
    f = findings[0]
    line = text.split("\n")[f.line - 1]
    assert line[f.column - 1 : f.end_column - 1] == "@who-hbp"


def test_citation_in_code_is_not_a_citation(article, policy):
    text = article + "\n```\n[@not-a-citation]\n```\n"
    assert check_text(text, policy) == []
