"""What readers see: review line, references, revision history, verdicts,
disclosures, and the notice on a withheld page (real MkDocs builds)."""

from __future__ import annotations

import json
import re

from test_build import mkdocs_build

EPOCH_2029_07_01 = "1877558400"  # after the test article's next_review (2029-06-15)


def build(project, article, epoch=None):
    project.write("articles/a.md", article)
    site = project.root / "site"
    done = mkdocs_build(project.root, site, **({"epoch": epoch} if epoch else {}))
    return done, site


def test_review_line_names_reviewer_credential_and_dates(project, article):
    done, site = build(project, article)
    assert done.returncode == 0, done.stderr
    html = (site / "articles/a/index.html").read_text()
    text = re.sub(r"<[^>]+>", "", html)
    assert "Medically reviewed by Alex Placeholder, MD on September 15, 2026 · Next review due June 15, 2029" in text


def test_citations_are_numbered_superscript_links_with_ama_references(project, article):
    done, site = build(project, article)
    html = (site / "articles/a/index.html").read_text()
    assert '<sup class="cp-cite"><a href="#ref-cdc-hbp">1</a></sup>' in html
    assert '<sup class="cp-cite"><a href="#ref-nhlbi-hbp">2</a></sup>' in html
    refs = html[html.index('id="reference-list"') :]
    assert refs.index('id="ref-cdc-hbp"') < refs.index('id="ref-nhlbi-hbp"')
    assert "Centers for Disease Control and Prevention. High Blood Pressure Facts. Accessed September 15, 2026." in refs


def test_the_site_search_reads_the_text_without_citation_numbers(project, article):
    done, site = build(project, article)
    assert done.returncode == 0, done.stderr
    index = json.loads((site / "search/search_index.json").read_text())
    text = " ".join(doc["text"] for doc in index["docs"] if doc["location"].startswith("articles/a/"))
    # "each year." not "each year.1": lunr would index "year.1" as one word.
    assert "Get it checked each year." in text
    assert "<sup" not in text and "carepress" not in text
    assert "Get it checked each year.<sup" in (site / "articles/a/index.html").read_text()


def test_revision_history_is_collapsed_newest_first(project, article):
    done, site = build(project, article)
    html = (site / "articles/a/index.html").read_text()
    block = html[html.index("<details class=\"note cp-revisions\"") :]
    block = block[: block.index("</details>")]
    assert " open" not in block.split("\n")[0]
    assert block.index("Annual clinical review.") < block.index("First published.")


def test_author_text_is_escaped(project, article):
    hostile = article.replace("summary: First published.", 'summary: "<script>alert(1)</script> First published."')
    done, site = build(project, hostile)
    assert done.returncode == 0, done.stderr
    html = (site / "articles/a/index.html").read_text()
    assert "&lt;script&gt;alert(1)&lt;/script&gt; First published." in html
    assert "<script>alert(1)</script>" not in html


def test_sponsored_page_shows_its_disclosure(project, article):
    text = article.replace(
        "approvals:\n",
        "sponsored:\n  partner: Example Foods\n  disclosure: Paid partnership with Example Foods\napprovals:\n"
        "  - role: legal\n    by: h-dummy\n    date: 2026-09-15\n",
    )
    done, site = build(project, text)
    assert done.returncode == 0, done.stderr
    html = (site / "articles/a/index.html").read_text()
    assert '<p class="admonition-title">Paid partnership with Example Foods</p>' in html


def test_expired_page_is_withheld_not_failed(project, article):
    done, site = build(project, article, epoch=EPOCH_2029_07_01)
    assert done.returncode == 0, done.stderr
    assert "[review.withheld]" in done.stderr
    html = (site / "articles/a/index.html").read_text()
    assert '<meta name="robots" content="noindex">' in html
    assert "This page is being reviewed" in html
    assert "Get it checked each year" not in html
    assert "articles/a/" not in (site / "sitemap.xml").read_text()
    index = json.loads((site / "search/search_index.json").read_text())
    assert not any(doc["location"].startswith("articles/a/") for doc in index["docs"])


def test_on_expired_fail_fails_the_build(project, article):
    policy = project.root / "policy/editorial.yml"
    policy.write_text(policy.read_text().replace("on_expired: withhold", "on_expired: fail"))
    done, site = build(project, article, epoch=EPOCH_2029_07_01)
    assert done.returncode == 1
    assert "[review.expired]" in done.stderr


def test_sitemap_lastmod_is_the_review_date(project, article):
    done, site = build(project, article)
    sitemap = (site / "sitemap.xml").read_text()
    entry = sitemap[sitemap.index("articles/a/") :]
    assert entry[: entry.index("</url>")].count("<lastmod>2026-09-15</lastmod>") == 1
