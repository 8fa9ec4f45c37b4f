"""The search-ready site, from real builds: structured data as built, safe
tags, languages, the alert banner, the sitemap and robots.txt."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser

import extruct
import yaml

from carepress.emit.jsonld import PageInfo, build_graph
from carepress.frontmatter import read_file
from test_build import ROOT, mkdocs_build

LD = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.S)


def built(project, article, epoch=None):
    project.write("articles/a.md", article)
    site = project.root / "site"
    done = mkdocs_build(project.root, site, **({"epoch": epoch} if epoch else {}))
    assert done.returncode == 0, done.stderr[-3000:]
    return site


def test_extruct_reads_back_exactly_the_graph_that_was_built(project, article, policy):
    site = built(project, article)
    html = (site / "articles/a/index.html").read_text()
    (data,) = extruct.extract(html, syntaxes=["json-ld"], uniform=False)["json-ld"]
    doc = read_file(project.root / "content/articles/a.md", "content/articles/a.md").document
    url = "https://health.riverbend-hospital.example/articles/a/"
    expected = build_graph(
        doc, policy,
        PageInfo(
            url=url,
            breadcrumbs=(("Test Hospital", "https://health.riverbend-hospital.example/"),
                         ("Test article about blood pressure", url)),
            lang="en",
            image=("https://health.riverbend-hospital.example/assets/riverbend-share.png", 1200, 630),
            modified="2026-09-15T00:00:00-05:00",
        ),
    )
    assert data == expected


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.scripts: list[dict[str, str | None]] = []
        self.metas: dict[str, str | None] = {}

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "script":
            self.scripts.append(attributes)
        if tag == "meta":
            key = attributes.get("property") or attributes.get("name")
            if key:
                self.metas[key] = attributes.get("content")


def test_hostile_title_and_description_stay_text(project, article):
    text = article.replace(
        "title: Test article about blood pressure",
        "title: '</script><script>alert(1)</script>'",
    ).replace(
        "description: A short page used by the carepress tests to check one rule at a time.",
        "description: 'Salt & pressure: \"quotes\" <b>and</b> ampersands & more, kept as text.'",
    )
    site = built(project, text)
    html = (site / "articles/a/index.html").read_text()
    assert "<script>alert(1)</script>" not in html
    tags = _Tags()
    tags.feed(html)
    assert [s.get("type") for s in tags.scripts].count("application/ld+json") == 1
    assert tags.metas["og:title"] == "</script><script>alert(1)</script>"
    assert tags.metas["description"] == 'Salt & pressure: "quotes" <b>and</b> ampersands & more, kept as text.'
    assert tags.metas["og:description"] == tags.metas["description"]
    (raw,) = LD.findall(html)
    assert "<" not in raw and ">" not in raw and "&" not in raw
    graph = json.loads(raw)["@graph"]
    assert graph[0]["name"] == "</script><script>alert(1)</script>"


def test_sharing_tags_and_one_canonical_link(project, article):
    site = built(project, article)
    html = (site / "articles/a/index.html").read_text()
    tags = _Tags()
    tags.feed(html)
    assert tags.metas["og:type"] == "article"
    assert tags.metas["og:url"] == "https://health.riverbend-hospital.example/articles/a/"
    assert tags.metas["og:image"] == "https://health.riverbend-hospital.example/assets/riverbend-share.png"
    assert (tags.metas["og:image:width"], tags.metas["og:image:height"]) == ("1200", "630")
    assert tags.metas["twitter:card"] == "summary_large_image"
    assert html.count('rel="canonical"') == 1
    assert html.count('name="description"') == 1


def test_page_language_sets_html_lang_and_in_language(project, article):
    site = built(project, article.replace("audience: patient\n", "audience: patient\nlang: es-US\n"))
    html = (site / "articles/a/index.html").read_text()
    assert html.lstrip().startswith("<!doctype html>\n<html lang=\"es-US\"")
    graph = json.loads(LD.findall(html)[0])["@graph"]
    assert graph[0]["inLanguage"] == "es-US"
    assert (site / "index.html").read_text().lstrip().startswith("<!doctype html>\n<html lang=\"en\"")


def test_active_alert_shows_a_site_wide_banner_until_it_expires(project):
    project.copy_demo("alerts/heat-advisory-2026.md")
    during, after = "1786708800", "1787400000"  # 2026-08-14 12:00 UTC; 2026-08-22
    site = project.root / "site"
    done = mkdocs_build(project.root, site, epoch=during)
    assert done.returncode == 0, done.stderr[-3000:]
    home = (site / "index.html").read_text()
    assert '<div class="cp-alert-banner" role="alert"><strong>Alert:</strong> <a href="https://health.riverbend-hospital.example/alerts/heat-advisory-2026/">' in home
    done = mkdocs_build(project.root, site, epoch=after)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "cp-alert-banner" not in (site / "index.html").read_text()
    assert "This alert has ended" in (site / "alerts/heat-advisory-2026/index.html").read_text()


def test_robots_txt_points_at_the_sitemap(project, article):
    site = built(project, article)
    assert (site / "robots.txt").read_text() == (
        "User-agent: *\nAllow: /\n\nSitemap: https://health.riverbend-hospital.example/sitemap.xml\n"
    )


def test_medical_disclaimer_in_every_footer(project, article, policy):
    site = built(project, article)
    for page in ("index.html", "articles/a/index.html"):
        assert f'<p class="cp-disclaimer">{policy.hospital["disclaimer"]}</p>' in (site / page).read_text()


def test_demo_theme_loads_no_web_fonts_and_prunes_navigation():
    class Loader(yaml.SafeLoader):
        pass

    Loader.add_multi_constructor("", lambda loader, suffix, node: None)
    config = yaml.load((ROOT / "mkdocs.yml").read_text(), Loader=Loader)
    assert config["theme"]["font"] is False
    assert "navigation.prune" in config["theme"]["features"]
    plugins = [p if isinstance(p, str) else next(iter(p)) for p in config["plugins"]]
    assert plugins.index("carepress/compliance") < plugins.index("carepress/schema")
