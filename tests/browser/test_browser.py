"""The built demo site in headless Chromium: what readers see, search, script errors, axe.

One build, one server, one browser tab for the whole session (see conftest.py).
"""

from __future__ import annotations

import datetime as dt
import re

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.enable_socket]

ARTICLE = "articles/flu-vaccine/"
MYTH = "myths/flu-shot-gives-you-flu/"
ALERT = "alerts/heat-advisory-2026/"
STORY = "stories/cardiac-rehab/"
PAGES = {"home": "", "article": ARTICLE, "myth": MYTH, "alert": ALERT, "story": STORY}

# A word in the flu-vaccine article's body ("Cover coughs and sneezes.") and
# not in its title: search must find the article by its text.
BODY_WORD = "sneezes"

# WCAG 2.0/2.1/2.2 A and AA, plus axe's best practices: among those,
# aria-dialog-name (serious) catches Material's unnamed search dialog.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
BLOCKING = {"serious", "critical"}


def axe_violations(site, axe_path, *within: str) -> list[dict]:
    """axe-core's serious and critical violations on the page, or within CSS selectors."""
    page = site.page
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.add_script_tag(path=str(axe_path))
    result = page.evaluate(
        """([within, tags]) => axe.run(
            within.length ? {include: within} : document,
            {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})""",
        [list(within), AXE_TAGS],
    )
    return [v for v in result["violations"] if v["impact"] in BLOCKING]


def describe(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(f"{v['id']} ({v['impact']}): {v['help']}")
        for node in v["nodes"][:10]:
            why = node.get("failureSummary", "").replace("\n", " ")
            lines.append(f"    {node['target']}  {why[:240]}")
        if len(v["nodes"]) > 10:
            lines.append(f"    ... and {len(v['nodes']) - 10} more")
    return "\n".join(lines)


def search(site, word: str):
    """Type a word into Material's search box and wait for its results."""
    page = site.visit("")
    box = page.locator("input.md-search__input")
    box.click()
    box.press_sequentially(word, delay=20)
    page.locator(".md-search-result__item").first.wait_for(state="visible")
    # Until the dialog has faded in, its text is paler than it will be.
    page.wait_for_function(
        """() => {
            let opacity = 1;
            for (let e = document.querySelector('.md-search-result__item'); e; e = e.parentElement)
                opacity *= Number(getComputedStyle(e).opacity);
            return opacity === 1;
        }"""
    )
    return page


def test_review_box_is_visible_under_the_article_title(site):
    from playwright.sync_api import expect

    page = site.visit(ARTICLE)
    review = page.locator("article div.cp-review")
    expect(review).to_have_count(1)
    expect(review).to_be_visible()
    expect(review).to_be_in_viewport()
    expect(review).to_contain_text(re.compile(r"Medically reviewed by .+ on \w+ \d{1,2}, \d{4}"))
    expect(review).to_contain_text("Next review due")
    # Under the H1, before the body text.
    assert page.evaluate(
        """() => {
            const h1 = document.querySelector('article h1');
            const box = document.querySelector('article div.cp-review');
            return h1.compareDocumentPosition(box) & Node.DOCUMENT_POSITION_FOLLOWING;
        }"""
    )


def test_carepress_stylesheet_is_applied(site):
    """assets/carepress.css is linked after Material's own styles, and takes effect."""
    page = site.visit(ARTICLE)
    sheets = page.evaluate(
        "() => Array.from(document.querySelectorAll('link[rel=stylesheet]'), l => l.href)"
    )
    ours = [i for i, href in enumerate(sheets) if href.endswith("/assets/carepress.css")]
    material = [i for i, href in enumerate(sheets) if "/assets/stylesheets/" in href]
    assert ours, f"assets/carepress.css is not linked; stylesheets: {sheets}"
    assert material and ours[0] > max(material), f"carepress.css must follow Material's: {sheets}"
    # Its rules apply: the review box's thick leading border.
    width = page.locator("article div.cp-review").evaluate(
        "e => getComputedStyle(e).borderInlineStartWidth"
    )
    assert width == "4px", f"carepress.css rules not applied (review border {width})"


@pytest.mark.parametrize("name", PAGES)
def test_every_json_ld_script_parses(site, name):
    page = site.visit(PAGES[name])
    found = page.evaluate(
        """() => Array.from(
            document.querySelectorAll('script[type="application/ld+json" i]'),
            (script, i) => {
                try { JSON.parse(script.textContent); return null; }
                catch (e) { return `script ${i + 1}: ${e.message}: ${script.textContent.slice(0, 300)}`; }
            })"""
    )
    errors = [f for f in found if f]
    assert not errors, (
        f"{len(errors)} of {len(found)} JSON-LD scripts on /{PAGES[name]} do not parse:\n"
        + "\n".join(errors)
    )
    # Each clinical page carries exactly one graph; the home page is a navigation page.
    assert len(found) == (0 if name == "home" else 1)
    if name != "home":
        types = page.evaluate(
            """() => JSON.parse(document.querySelector('script[type="application/ld+json"]').textContent)
                       ['@graph'].map(node => node['@type'])"""
        )
        assert types[0] == "MedicalWebPage"


def test_search_finds_an_article_by_a_word_in_its_body(site):
    page = site.visit(ARTICLE)
    title = page.locator("article h1").inner_text()
    body = page.locator("article").inner_text()
    assert BODY_WORD not in title.lower() and BODY_WORD in body.lower(), "pick another BODY_WORD"

    page = search(site, BODY_WORD)
    hit = page.locator(f'.md-search-result__item a[href*="{ARTICLE}"]').first
    hit.wait_for(state="visible")
    assert title.split(":")[0] in page.locator(".md-search-result__list").inner_text()
    hit.click()
    page.wait_for_url(re.compile(re.escape(ARTICLE)))


def test_search_results_are_accessible(site, axe_path):
    search(site, BODY_WORD)
    violations = axe_violations(site, axe_path, ".md-search")
    assert not violations, "axe, search dialog with results:\n" + describe(violations)


def test_myth_shows_its_verdict(site):
    from playwright.sync_api import expect

    page = site.visit(MYTH)
    claim = page.locator("article div.cp-claim")
    expect(claim).to_be_visible()
    expect(claim).to_be_in_viewport()
    expect(claim.locator(".admonition-title")).to_have_text("Verdict: False")
    expect(claim).to_contain_text("The claim:")


def test_citations_link_to_their_references(site):
    page = site.visit(ARTICLE)
    cite = page.locator("article sup.cp-cite a").first
    target = cite.get_attribute("href")
    assert target and target.startswith("#ref-")
    cite.click()
    page.wait_for_url(re.compile(re.escape(target) + "$"))
    ref = page.locator(f"ol.cp-references > li{target}")
    assert ref.is_visible()
    assert page.evaluate("() => document.querySelector(':target')?.id") == target[1:]


def test_revision_history_starts_collapsed(site):
    page = site.visit(ARTICLE)
    history = page.locator("article details.cp-revisions")
    assert history.get_attribute("open") is None
    assert not history.locator("ol").is_visible()
    history.locator("summary").click()
    assert history.locator("ol > li").first.is_visible()


@pytest.mark.parametrize("name", PAGES)
def test_no_console_errors(site, name):
    page = site.visit(PAGES[name])
    page.wait_for_load_state("networkidle")  # search index, worker, late scripts
    assert not site.errors, f"/{PAGES[name]}:\n" + "\n".join(site.errors)


@pytest.mark.parametrize("name", PAGES)
def test_no_serious_accessibility_violations(site, axe_path, name):
    site.visit(PAGES[name])
    violations = axe_violations(site, axe_path)
    assert not violations, f"axe on /{PAGES[name]}:\n" + describe(violations)


def _components() -> str:
    """Every carepress box the demo may not show on the build date, from the plugin's templates."""
    from carepress.emit.page import render

    ends = dt.datetime(2026, 11, 30, 20, 0, tzinfo=dt.timezone(dt.timedelta(hours=-6)))
    seen = {"seen": "questions at our clinics", "seen_date": dt.date(2026, 10, 1)}
    parts = [
        render(
            "disclosure.html", disclosure="Sponsored content", partner="the Riverbend Heart Fund"
        ),
        render(
            "alert-status.html",
            active=True,
            banner="Boil your water before drinking it.",
            expires=ends,
        ),
        render("alert-status.html", active=False, banner="", expires=ends),
        render("claim.html", css="failure", verdict="False", claim="A claim.", **seen),
        render("claim.html", css="warning", verdict="Partly true", claim="A claim.", **seen),
        render("claim.html", css="success", verdict="True", claim="A claim.", **seen),
    ]
    withheld = render("withheld.md", title="A page", contact_line="Call +1-217-555-0100.")
    parts.append(withheld[withheld.index("<div") :])
    return "\n".join(parts)


# The site-wide banner while an alert is in effect (as carepress.emit.meta
# writes it into Material's announce block).
ALERT_BANNER = """<aside class="md-banner"><div class="md-banner__inner md-grid md-typeset">
<div class="cp-alert-banner" role="alert"><strong>Alert:</strong>
<a href="../../alerts/boil-water-notice-2026/">Boil your water before drinking it.</a> ·
<a href="../../alerts/heat-advisory-2026/">Cooling centers are open.</a></div></div></aside>"""


def test_every_carepress_box_is_accessible(site, axe_path):
    """Disclosure, active and ended alerts, each verdict, the withheld notice, the alert banner."""
    page = site.visit(ARTICLE)
    page.evaluate(
        """([html, banner]) => {
            const box = document.createElement('div');
            box.id = 'cp-components';
            box.innerHTML = html;
            document.querySelector('article h1').after(box);
            document.querySelector('[data-md-component="announce"]').innerHTML = banner;
        }""",
        [_components(), ALERT_BANNER],
    )
    assert page.locator("#cp-components > div.admonition").count() == 7
    assert page.locator(".md-banner .cp-alert-banner").is_visible()
    violations = axe_violations(site, axe_path, "#cp-components", ".md-banner")
    assert not violations, "axe, carepress boxes:\n" + describe(violations)
