"""Nothing runs that carepress did not put there: at check time and after a build."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from carepress import htmlscan
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


_VALUE_PIECES = ["java", "JAVA", "script", "avascript", "vb", "data", ":", "&#106;", "&#x6A;", "&colon;", "&#58;",
                 "&#x09;", "&Tab;", "&NewLine;", "&amp;", "\t", "\n", " ", "\x00", "alert(1)", ">", "on",
                 "https://riverbend-hospital.example/", "#top", "java\tscript", "JaVa\x00ScRiPt", "da\nta", "vbscr\x7fipt"]
_ATTRIBUTE = st.tuples(
    st.sampled_from([" ", "/", "\t", "\n", "\x0c", "\x0b", "\x00", "", "  "]),
    st.sampled_from(["href", "src", "HREF", "title", "class", "onload", "ONCLICK", "onerror", "srcdoc", "SrcDoc",
                     "data-on", "aria-controls", "formaction", "xlink:href", "button", "x"]),
    st.sampled_from(['="', "='", "=", " = \"", ""]),
    st.lists(st.sampled_from(_VALUE_PIECES), max_size=6).map("".join),
).map(lambda a: a[0] + a[1] + a[2] + a[3] + ('"' if '"' in a[2] else "'" if "'" in a[2] else ""))


@settings(max_examples=3000, deadline=None)
@given(st.sampled_from(["<a", "<svg", "<img", "<iframe", "<A"]), st.lists(_ATTRIBUTE, min_size=1, max_size=4))
def test_tags_passed_over_without_the_parser_hold_nothing_it_would_find(name, attributes):
    """The scan skips HTMLParser for start tags that cannot hold an event
    handler, a srcdoc or a blocked scheme; what it finds is exactly what
    parsing every tag finds."""
    markup = name + "".join(attributes) + ">\n<p>text</p>"
    everything = []
    for match in htmlscan._START_TAG.finditer(markup):
        found = htmlscan.tag_issues(match.group(0))
        line = markup.count("\n", 0, match.start()) + 1
        column = match.start() - markup.rfind("\n", 0, match.start())
        everything += [htmlscan.Issue(i.kind, line, column, i.detail) for i in found]
    assert htmlscan.scan(markup) == everything


def test_tags_that_need_the_parser():
    """Encoded and split schemes and handlers after quotes or slashes are still read."""
    cases = {
        '<a href="&#106;avascript:alert(1)">': ["javascript: in href"],
        '<a href="java&#x09;script:alert(1)">': ["javascript: in href"],
        '<a href="java\nscript:alert(1)">': ["javascript: in href"],
        '<a href="javascript&colon;alert(1)">': ["javascript: in href"],
        '<svg/onload=alert(1)>': ["onload"],
        '<a title=">" onclick=alert(1)>': ["onclick"],
        '<a title="x"onclick=alert(1)>': ["onclick"],
        '<iframe srcdoc="&lt;script&gt;">': ["an inline document: in srcdoc"],
        '<a href="https://riverbend-hospital.example/?a=1&amp;b=2" class="md-nav__link">': [],
        '<button aria-controls="menu" data-md-component="x">': [],
    }
    for tag, details in cases.items():
        assert [i.detail for i in htmlscan.scan(tag)] == details, tag
