"""Sources: URL schemes and domains, identifier syntax, counts, age and retractions."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import pytest

from carepress.model import Severity
from helpers import TODAY, check_text, line_of, rules

ROOT = Path(__file__).resolve().parents[1]
NHLBI_URL = "URL: https://www.nhlbi.nih.gov/health/high-blood-pressure"
NHLBI_ACCESSED = "    accessed: 2026-09-15\nrevisions:"
NHLBI_CITATION = """\
  - id: nhlbi-hbp
    type: webpage
    title: High Blood Pressure
    author:
      - literal: National Heart, Lung, and Blood Institute
    URL: https://www.nhlbi.nih.gov/health/high-blood-pressure
    accessed: 2026-09-15
"""


def of(findings, prefix="source."):
    return [f for f in findings if f.rule.startswith(prefix)]


def with_url(article: str, url: str) -> str:
    return article.replace(NHLBI_URL, f"URL: {url}")


def with_locator(article: str, line: str) -> str:
    """The second citation located by ``line`` (a DOI, PMID, ...) instead of its URL."""
    return article.replace(NHLBI_URL, line)


# --- URLs ------------------------------------------------------------------


def test_article_with_https_government_sources_passes(article, policy):
    assert of(check_text(article, policy)) == []


def test_http_url_is_insecure(article, policy):
    text = with_url(article, "http://www.nhlbi.nih.gov/health/high-blood-pressure")
    findings = of(check_text(text, policy))
    assert rules(findings) == [("source.insecure-url", line_of(text, "URL: http://"))]
    assert findings[0].message == "Citation 'nhlbi-hbp' uses http://, not https://."
    assert findings[0].severity is Severity.ERROR


def test_upper_case_https_scheme_is_https(article, policy):
    text = with_url(article, "HTTPS://www.nhlbi.nih.gov/health/high-blood-pressure")
    assert of(check_text(text, policy)) == []


@pytest.mark.parametrize(
    ("url", "scheme"),
    [("javascript:alert(1)", "javascript"), ("data:text/html,hello", "data"), ("ftp://nih.gov/x", "ftp")],
)
def test_non_web_scheme(article, policy, url, scheme):
    text = with_url(article, url)
    findings = [f for f in check_text(text, policy) if f.rule == "source.bad-scheme"]
    assert rules(findings) == [("source.bad-scheme", line_of(text, f"URL: {url}"))]
    assert f"({scheme}:)" in findings[0].message
    assert findings[0].severity is Severity.ERROR


def test_url_without_scheme(article, policy):
    text = with_url(article, "//www.nhlbi.nih.gov/health/high-blood-pressure")
    findings = [f for f in check_text(text, policy) if f.rule == "source.bad-scheme"]
    assert rules(findings) == [("source.bad-scheme", line_of(text, "URL: //"))]
    assert "(no scheme:)" in findings[0].message


def test_blocked_domain(article, policy):
    text = with_url(article, "https://www.naturalnews.com/2026-01-01-blood-pressure.html")
    findings = [f for f in of(check_text(text, policy)) if f.rule != "source.too-few-top-tier"]
    assert rules(findings) == [("source.blocked-domain", line_of(text, "naturalnews"))]
    assert "naturalnews.com" in findings[0].message
    assert findings[0].severity is Severity.ERROR


def test_url_shortener(article, policy):
    text = with_url(article, "https://bit.ly/3xYzAbC")
    findings = [f for f in of(check_text(text, policy)) if f.rule != "source.too-few-top-tier"]
    assert rules(findings) == [("source.shortener", line_of(text, "bit.ly"))]
    assert "URL shortener bit.ly" in findings[0].message


def test_social_media_post(article, policy):
    text = with_url(article, "https://www.facebook.com/CDC/posts/123456789")
    findings = [f for f in of(check_text(text, policy)) if f.rule != "source.too-few-top-tier"]
    assert rules(findings) == [("source.social-media", line_of(text, "facebook.com"))]
    assert "social-media post (facebook.com)" in findings[0].message


def test_untrusted_domain_is_a_warning(article, policy):
    text = with_url(article, "https://www.example.com/blood-pressure")
    findings = [f for f in of(check_text(text, policy)) if f.rule != "source.too-few-top-tier"]
    assert rules(findings) == [("source.untrusted-domain", line_of(text, "example.com"))]
    assert findings[0].severity is Severity.WARNING
    assert "www.example.com" in findings[0].message


@pytest.mark.parametrize(
    "url",
    ["https://nih.gov.example.com/x", "https://evilnih.gov/x"],
)
def test_lookalike_domain_is_not_trusted(article, policy, url):
    text = with_url(article, url)
    findings = [f for f in of(check_text(text, policy)) if f.rule != "source.too-few-top-tier"]
    assert rules(findings) == [("source.untrusted-domain", line_of(text, f"URL: {url}"))]


def test_subdomain_of_listed_domain_is_trusted(article, policy):
    # www.nhlbi.nih.gov is under nih.gov: the demo article itself relies on it.
    assert "nih.gov" in policy.sources["tiers"][0]["domains"]
    assert of(check_text(article, policy)) == []


def test_untrusted_severity_comes_from_policy(article, policy):
    strict = dataclasses.replace(policy, sources={**policy.sources, "untrusted_severity": "error"})
    text = with_url(article, "https://www.example.com/blood-pressure")
    (f,) = [f for f in check_text(text, strict) if f.rule == "source.untrusted-domain"]
    assert f.severity is Severity.ERROR


def test_citation_without_any_locator(article, policy):
    text = article.replace(f"    {NHLBI_URL}\n", "")
    findings = [f for f in check_text(text, policy) if f.rule == "source.no-locator"]
    assert rules(findings) == [("source.no-locator", line_of(text, "- id: nhlbi-hbp"))]
    assert findings[0].severity is Severity.WARNING


# --- identifiers -------------------------------------------------------------


@pytest.mark.parametrize(
    "doi",
    [
        "10.7326/M18-2101",
        "https://doi.org/10.7326/M18-2101",
        "doi:10.7326/M18-2101",
        "10.1002/14651858.CD001800.pub4",
        "10.12345/abc(1)2;x",
    ],
)
def test_valid_doi(article, policy, doi):
    text = with_locator(article, f"DOI: '{doi}'")
    assert of(check_text(text, policy)) == []


@pytest.mark.parametrize("doi", ["10.123/x", "10.7326", "11.7326/M18-2101", "https://example.com/10.7326/x"])
def test_invalid_doi(article, policy, doi):
    text = with_locator(article, f"DOI: '{doi}'")
    findings = of(check_text(text, policy))
    assert rules(findings) == [("source.doi-syntax", line_of(text, "DOI:"))]
    assert findings[0].message == f"Citation 'nhlbi-hbp': {doi!r} is not a DOI."


def test_three_digit_registrant_edge(article, policy):
    # Crossref registrants have 4 to 9 digits: 10.1234 is one, 10.123 is not.
    ok = with_locator(article, "DOI: 10.1234/x")
    bad = with_locator(article, "DOI: 10.123/x")
    assert of(check_text(ok, policy)) == []
    assert rules(of(check_text(bad, policy))) == [("source.doi-syntax", line_of(bad, "DOI:"))]


@pytest.mark.parametrize("pmid", ["'30831578'", "30831578", "'1'", "'999999999'"])
def test_valid_pmid(article, policy, pmid):
    text = with_locator(article, f"PMID: {pmid}")
    assert of(check_text(text, policy)) == []


@pytest.mark.parametrize("pmid", ["'0123'", "'1234567890'", "'PMID30831578'", "'3083-1578'"])
def test_invalid_pmid(article, policy, pmid):
    text = with_locator(article, f"PMID: {pmid}")
    findings = of(check_text(text, policy))
    assert rules(findings) == [("source.pmid-syntax", line_of(text, "PMID:"))]
    assert "is not a PubMed id" in findings[0].message


@pytest.mark.parametrize("pmcid", ["PMC6712345", "PMC1"])
def test_valid_pmcid(article, policy, pmcid):
    text = article.replace(NHLBI_URL, f"{NHLBI_URL}\n    PMCID: {pmcid}")
    assert of(check_text(text, policy)) == []


@pytest.mark.parametrize("pmcid", ["'6712345'", "PMC", "pmc6712345", "PMC12345678901"])
def test_invalid_pmcid(article, policy, pmcid):
    text = article.replace(NHLBI_URL, f"{NHLBI_URL}\n    PMCID: {pmcid}")
    findings = of(check_text(text, policy))
    assert rules(findings) == [("source.pmcid-syntax", line_of(text, "PMCID:"))]
    assert "is not a PubMed Central id" in findings[0].message


# --- counts ------------------------------------------------------------------


def test_exactly_the_minimum_citations_passes(article, policy):
    rules_ = policy.type_rules("article")
    assert rules_["min_citations"] == 2 and rules_["min_top_tier_citations"] == 2
    assert len([line for line in article.split("\n") if line.startswith("  - id:")]) == 2
    assert of(check_text(article, policy)) == []


def test_one_citation_fewer_than_the_minimum(article, policy):
    text = article.replace(NHLBI_CITATION, "").replace(" [@nhlbi-hbp]", "")
    findings = of(check_text(text, policy))
    line = line_of(text, "- id: cdc-hbp")
    assert rules(findings) == [("source.too-few", line), ("source.too-few-top-tier", line)]
    assert findings[0].message == "An article needs at least 2 citations; this page has 1."
    assert findings[1].message == (
        "An article needs at least 2 top-tier citations "
        "(Government public health, Peer-reviewed research); this page has 1."
    )


def test_one_top_tier_citation_fewer_than_the_minimum(article, policy):
    # heart.org is a professional society (rank 2): still two citations, one top tier.
    text = with_url(article, "https://www.heart.org/en/health-topics/high-blood-pressure")
    findings = of(check_text(text, policy))
    assert rules(findings) == [("source.too-few-top-tier", line_of(text, "- id: cdc-hbp"))]
    assert findings[0].message.endswith("this page has 1.")


def test_second_tier_source_beside_enough_top_tier_passes(article, policy):
    extra = """\
  - id: aha-hbp
    type: webpage
    title: High Blood Pressure
    URL: https://www.heart.org/en/health-topics/high-blood-pressure
    accessed: 2026-09-15
"""
    text = article.replace("revisions:", extra + "revisions:", 1).replace(
        "[@nhlbi-hbp].", "[@nhlbi-hbp; @aha-hbp]."
    )
    assert of(check_text(text, policy)) == []


def test_citation_with_pmid_counts_as_peer_reviewed_top_tier(article, policy):
    text = with_locator(article, "PMID: '30831578'")
    assert of(check_text(text, policy)) == []


def test_story_needs_one_citation(policy):
    story = (ROOT / "content/stories/cardiac-rehab.md").read_text()
    start = story.index("  - id: dibben-2021")
    end = story.index("revisions:")
    one = story[:start] + story[end:]
    one = one.replace(" [@dibben-2021]", "")
    assert of(check_text(one, policy, rel="content/stories/x.md")) == []
    none = one[: one.index("citations:")] + "citations: []\n" + one[one.index("revisions:") :]
    none = none.replace(" [@medlineplus-cardiac-rehab]", "")
    findings = of(check_text(none, policy, rel="content/stories/x.md"))
    assert [f.rule for f in findings] == ["source.too-few", "source.too-few-top-tier"]
    assert findings[0].message == "A story needs at least 1 citations; this page has 0."


# --- age ---------------------------------------------------------------------


def aged(article: str, when: dt.date) -> str:
    return article.replace(NHLBI_ACCESSED, f"    accessed: {when.isoformat()}\nrevisions:")


def years_before(day: dt.date, years: int) -> dt.date:
    return day.replace(year=day.year - years)


def test_source_exactly_at_the_warning_age_passes(article, policy):
    limits = policy.sources["age"]["article"]
    assert limits == {"warn_years": 12, "error_years": 15}
    text = aged(article, years_before(TODAY, 12))
    assert of(check_text(text, policy)) == []


def test_source_a_day_past_the_warning_age_warns(article, policy):
    when = years_before(TODAY, 12) - dt.timedelta(days=1)
    text = aged(article, when)
    findings = of(check_text(text, policy))
    assert rules(findings) == [("source.too-old", line_of(text, f"accessed: {when.isoformat()}"))]
    assert findings[0].severity is Severity.WARNING
    assert findings[0].message == (
        f"Citation 'nhlbi-hbp' is 12.0 years old (from {when.isoformat()}); "
        "the limit for an article is 12 years."
    )


def test_source_a_day_short_of_the_error_age_warns(article, policy):
    when = years_before(TODAY, 15) + dt.timedelta(days=1)
    text = aged(article, when)
    findings = of(check_text(text, policy))
    assert [(f.rule, f.severity) for f in findings] == [("source.too-old", Severity.WARNING)]


def test_source_exactly_at_the_error_age_only_warns(article, policy):
    when = years_before(TODAY, 15)
    text = aged(article, when)
    findings = of(check_text(text, policy))
    assert [(f.rule, f.severity) for f in findings] == [("source.too-old", Severity.WARNING)]


def test_source_a_day_past_the_error_age_is_an_error(article, policy):
    when = years_before(TODAY, 15) - dt.timedelta(days=1)
    text = aged(article, when)
    findings = of(check_text(text, policy))
    assert rules(findings) == [("source.too-old", line_of(text, f"accessed: {when.isoformat()}"))]
    assert findings[0].severity is Severity.ERROR
    assert "the limit for an article is 15 years" in findings[0].message


def test_source_age_counts_from_issued_not_accessed(article, policy):
    text = article.replace(NHLBI_ACCESSED, "    accessed: 2026-09-15\n    issued: 2013\nrevisions:")
    findings = of(check_text(text, policy))
    assert rules(findings) == [("source.too-old", line_of(text, "issued: 2013"))]
    assert "(from 2013-12-31)" in findings[0].message
    # A year-only date counts from the year's end: 2014 is under 12 years old.
    assert of(check_text(text.replace("issued: 2013", "issued: 2014"), policy)) == []


def test_alert_sources_have_tighter_limits(policy):
    alert = (ROOT / "content/alerts/heat-advisory-2026.md").read_text()
    today = dt.date(2026, 8, 13)
    at_limit = years_before(today, 5)
    text = alert.replace("https://www.weather.gov/safety/heat\n    accessed: 2026-08-12",
                         f"https://www.weather.gov/safety/heat\n    accessed: {at_limit.isoformat()}")
    assert of(check_text(text, policy, rel="content/alerts/x.md", today=today)) == []
    when = at_limit - dt.timedelta(days=1)
    text = alert.replace("https://www.weather.gov/safety/heat\n    accessed: 2026-08-12",
                         f"https://www.weather.gov/safety/heat\n    accessed: {when.isoformat()}")
    findings = of(check_text(text, policy, rel="content/alerts/x.md", today=today))
    assert rules(findings) == [("source.too-old", line_of(text, f"accessed: {when.isoformat()}"))]
    assert findings[0].severity is Severity.WARNING
    assert "the limit for an alert is 5 years" in findings[0].message


# --- retractions --------------------------------------------------------------


def test_unretracted_doi_passes(article, policy):
    text = with_locator(article, "DOI: 10.1002/14651858.CD001800.pub4")
    assert of(check_text(text, policy)) == []


@pytest.mark.parametrize(
    "doi",
    [
        "10.1016/S0140-6736(97)11096-0",
        "https://doi.org/10.1016/S0140-6736(97)11096-0",
        "10.1016/s0140-6736(97)11096-0",
    ],
)
def test_retracted_doi(article, policy, doi):
    text = with_locator(article, f"DOI: '{doi}'")
    findings = of(check_text(text, policy))
    assert rules(findings) == [("source.retracted", line_of(text, "DOI:"))]
    assert findings[0].message == (
        "Citation 'nhlbi-hbp' was retracted: Retraction on 2010-02-06 "
        "(notice doi:10.1016/S0140-6736(10)60175-4)."
    )
    assert findings[0].severity is Severity.ERROR


@pytest.mark.parametrize("pmid", ["'32356626'", "32356626"])
def test_retracted_pmid(article, policy, pmid):
    text = with_locator(article, f"PMID: {pmid}")
    findings = of(check_text(text, policy))
    assert rules(findings) == [("source.retracted", line_of(text, "PMID:"))]
    assert "was retracted: Retraction on 2020-06-04" in findings[0].message
    assert "notice doi:10.1056/NEJMc2021225" in findings[0].message


def test_retracted_pmid_behind_a_clean_doi(article, policy):
    text = with_locator(article, "DOI: 10.1002/14651858.CD001800.pub4\n    PMID: '32356626'")
    findings = of(check_text(text, policy))
    assert rules(findings) == [("source.retracted", line_of(text, "PMID:"))]


def test_the_same_unprintable_citation_is_reported_on_every_page_that_cites_it(policy):
    """The answer for a citation is kept by its content: a second page citing
    it is told the same, and the same source with a real date passes."""
    broken = (ROOT / "tests/hostile/impossible-date-parts.md").read_text()
    seen = []
    for rel in ("content/articles/one.md", "content/articles/two.md"):
        seen.append([(f.rule, f.line, f.message) for f in check_text(broken, policy, rel=rel)
                     if f.rule == "source.citation-format"])
    assert seen[0] == seen[1] and len(seen[0]) == 1
    assert seen[0][0][:2] == ("source.citation-format", 13)
    assert seen[0][0][2].startswith("Citation 'cdc-hbp' cannot be printed as a reference: reference 'cdc-hbp' issued")
    fixed = broken.replace("[[2026, 13, 40]]", "[[2026, 1, 20]]")
    assert [f for f in check_text(fixed, policy) if f.rule == "source.citation-format"] == []
