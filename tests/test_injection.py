"""Nothing runs that carepress did not put there: at check time and after a build."""

from __future__ import annotations

from carepress.injection import scan_markup
from helpers import check_text, line_of, rules
from test_build import mkdocs_build


def html_rules(findings):
    return [(f.rule, f.line) for f in findings if f.rule.startswith("html.")]


def test_raw_script_in_a_page_is_an_error_on_its_line(article, policy):
    text = article + "\n<script>alert(1)</script>\n"
    assert html_rules(check_text(text, policy)) == [("html.script", line_of(text, "<script>"))]


def test_event_handler_and_javascript_links(article, policy):
    text = article + '\n<img src="x.png" alt="A cuff" onerror="alert(1)">\n\n[Click](javascript:alert(1))\n'
    assert html_rules(check_text(text, policy)) == [
        ("html.event-handler", line_of(text, "onerror")),
        ("html.unsafe-url", line_of(text, "[Click]")),
    ]


def test_code_blocks_may_show_markup(article, policy):
    text = article + "\n```html\n<script>alert(1)</script>\n```\n"
    assert html_rules(check_text(text, policy)) == []
    assert rules([f for f in check_text(text, policy) if f.rule.startswith("html.")]) == []


def test_the_theme_and_json_ld_scripts_are_allowed():
    page = (
        '<script src="../../assets/javascripts/bundle.a5f9d56c.min.js"></script>\n'
        "<script>__md_scope=new URL(\"../..\",location)</script>\n"
        '<script id="__config" type="application/json">{"base": "../.."}</script>\n'
        '<script type="application/ld+json">{"@context": "https://schema.org"}</script>\n'
    )
    assert scan_markup(page, "site/a/index.html") == []


def test_foreign_script_handler_and_url_in_output():
    page = (
        '<p>Hi</p>\n<script>steal()</script>\n<a href="javascript:go()">x</a>\n'
        '<div onclick="go()">y</div>\n<script type="application/ld+json">{"a": 1}</script>'
        '<script type="application/ld+json">{"b": 2}</script>\n'
    )
    assert sorted((f.rule, f.line) for f in scan_markup(page, "site/a/index.html")) == [
        ("html.injection", 1), ("html.injection", 2), ("html.injection", 3), ("html.injection", 4),
    ]


def test_json_ld_that_something_broke_out_of(tmp_path):
    page = '<script type="application/ld+json">{"name": "x</script><script>alert(1)</script>"}</script>'
    messages = [f.message for f in scan_markup(page, "site/a/index.html")]
    assert any("does not hold valid JSON" in m for m in messages)


def test_a_template_that_adds_a_script_fails_the_build(project, article):
    overrides = project.root / "overrides"
    overrides.mkdir()
    (overrides / "main.html").write_text(
        '{% extends "base.html" %}{% block content %}{{ super() }}<script>track()</script>{% endblock %}'
    )
    config = project.root / "mkdocs.yml"
    config.write_text(config.read_text().replace("  name: material\n", "  name: material\n  custom_dir: overrides\n"))
    project.write("articles/a.md", article)
    done = mkdocs_build(project.root, project.root / "site")
    assert done.returncode == 1
    assert "[html.injection] A <script> that neither the theme nor carepress wrote: '<script>track()</script>'." in done.stderr


def test_an_iframe_with_an_inline_document_is_refused(article, policy):
    text = article + '\n<iframe srcdoc="&lt;script&gt;alert(1)&lt;/script&gt;"></iframe>\n'
    assert html_rules(check_text(text, policy)) == [("html.unsafe-url", line_of(text, "<iframe"))]
    assert [f.rule for f in scan_markup('<iframe srcdoc="&lt;b&gt;x&lt;/b&gt;"></iframe>', "site/a.html")] == [
        "html.injection"
    ]
