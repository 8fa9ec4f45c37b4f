"""a11y.alt-text: an image without alt text is an error at check time."""

from __future__ import annotations

from helpers import check_text, line_of, rules


def test_image_with_alt_text_passes(article, policy):
    text = article + "\n![A nurse checks a blood pressure cuff](cuff.png)\n"
    assert [f for f in check_text(text, policy) if f.rule == "a11y.alt-text"] == []


def test_markdown_image_without_alt_text(article, policy):
    text = article + "\n![](cuff.png)\n"
    findings = [f for f in check_text(text, policy) if f.rule == "a11y.alt-text"]
    assert rules(findings) == [("a11y.alt-text", line_of(text, "![](cuff.png)"))]
    assert findings[0].column == 1 and findings[0].end_column == 14
    assert findings[0].message == "The image cuff.png has no alt text."


def test_whitespace_alt_text_counts_as_none(article, policy):
    text = article + "\n![   ](cuff.png)\n"
    assert rules([f for f in check_text(text, policy) if f.rule == "a11y.alt-text"]) == [
        ("a11y.alt-text", line_of(text, "![   ]"))
    ]


def test_html_img_without_alt(article, policy):
    text = article + '\n<img src="cuff.png" width="200">\n'
    findings = [f for f in check_text(text, policy) if f.rule == "a11y.alt-text"]
    assert rules(findings) == [("a11y.alt-text", line_of(text, "<img"))]


def test_html_img_with_alt_passes(article, policy):
    text = article + '\n<img src="cuff.png" alt="A blood pressure cuff">\n'
    assert [f for f in check_text(text, policy) if f.rule == "a11y.alt-text"] == []


def test_image_syntax_inside_code_is_not_an_image(article, policy):
    text = article + "\n```\n![](cuff.png)\n```\n\nUse `![](x.png)` to add an image.\n"
    assert [f for f in check_text(text, policy) if f.rule == "a11y.alt-text"] == []
