"""AMA references: citation numbering and the reference list.

Expected strings follow the AMA Manual of Style, 11th ed. (3.6.1 citations in
text; 3.9-3.15 reference forms).  Each reference is checked twice: as the
exact HTML carepress emits, and as its visible text against the AMA form.
"""

from __future__ import annotations

import datetime as dt
import html
import re

import markdown
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from carepress.emit import references as refs
from carepress.emit.references import (
    NumberedBody,
    format_references,
    number_citations,
    references_html,
)


def visible(fragment: str) -> str:
    """What a reader sees: tags dropped, entities decoded."""
    return html.unescape(re.sub(r"<[^>]+>", "", fragment))


def sup(*links: str) -> str:
    return '<sup class="cp-cite">' + "".join(links) + "</sup>"


def a(key: str, n: int) -> str:
    return f'<a href="#ref-{key}">{n}</a>'


# --------------------------------------------------------------------------
# Reference items (CSL-JSON as read from YAML front matter)
# --------------------------------------------------------------------------

HVIID = {
    "id": "hviid2019",
    "type": "article-journal",
    "title": "Measles, mumps, rubella vaccination and autism: a nationwide cohort study",
    "author": [
        {"family": "Hviid", "given": "Anders"},
        {"family": "Hansen", "given": "Jørgen Vinsløv"},
        {"family": "Frisch", "given": "Morten"},
        {"family": "Melbye", "given": "Mads"},
    ],
    "container-title": "Annals of Internal Medicine",
    "container-title-short": "Ann Intern Med",
    "volume": "170",
    "issue": "8",
    "page": "513-520",
    "issued": "2019-04-16",
    "DOI": "10.7326/M18-2101",
    "PMID": "30831578",
}

BADEN = {
    "id": "baden2021",
    "type": "article-journal",
    "title": "Efficacy and safety of the mRNA-1273 SARS-CoV-2 vaccine",
    "author": [
        {"family": "Baden", "given": "Lindsey R."},
        {"family": "El Sahly", "given": "Hana M."},
        {"family": "Essink", "given": "Brandon"},
        {"family": "Kotloff", "given": "Karen"},
        {"family": "Frey", "given": "Sharon"},
        {"family": "Novak", "given": "Rick"},
        {"family": "Diemert", "given": "David"},
    ],
    "container-title": "The New England Journal of Medicine",
    "journalAbbreviation": "N Engl J Med",
    "volume": 384,
    "issue": 5,
    "page": "403-16",  # as some exports abbreviate it; AMA wants 403-416
    "issued": {"date-parts": [[2021, 2, 4]]},
    "DOI": "https://doi.org/10.1056/NEJMoa2035389",
}

ZIKA = {  # AMA 11th ed. 3.15.1 example
    "id": "cdc-zika",
    "type": "webpage",
    "title": "Zika travel information",
    "author": [{"literal": "Centers for Disease Control and Prevention"}],
    "container-title": "Centers for Disease Control and Prevention",
    "issued": "2016-01-26",
    "updated": "2016-08-11",
    "accessed": "2019-06-18",
    "URL": "https://wwwnc.cdc.gov/travel/page/zika-travel-information",
}

CDC_AUTISM = {
    "id": "cdc-autism",
    "type": "webpage",
    "title": "Autism and vaccines",
    "author": [{"literal": "Centers for Disease Control and Prevention"}],
    "publisher": "Centers for Disease Control and Prevention",
    "updated": "2024-12-30",
    "accessed": "2026-09-15",
    "URL": "https://www.cdc.gov/vaccine-safety/about/autism.html",
}

WHO_GVAP = {
    "id": "who-gvap",
    "type": "report",
    "title": "Global vaccine action plan 2011-2020",
    "author": [{"literal": "World Health Organization"}],
    "publisher": "World Health Organization",
    "issued": 2013,
    "accessed": "2026-09-15",
    "URL": "https://www.who.int/publications/i/item/global-vaccine-action-plan-2011-2020",
}

HVIID_HTML = (
    "Hviid A, Hansen JV, Frisch M, Melbye M. Measles, mumps, rubella vaccination "
    "and autism: a nationwide cohort study. <i>Ann Intern Med</i>. 2019;170(8):513-520. "
    '<a href="https://doi.org/10.7326/M18-2101">doi:10.7326/M18-2101</a>'
)


# --------------------------------------------------------------------------
# format_references: known AMA references
# --------------------------------------------------------------------------


def test_journal_article_with_doi():
    [out] = format_references([HVIID])
    assert out == HVIID_HTML
    assert visible(out) == (
        "Hviid A, Hansen JV, Frisch M, Melbye M. Measles, mumps, rubella vaccination "
        "and autism: a nationwide cohort study. Ann Intern Med. 2019;170(8):513-520. "
        "doi:10.7326/M18-2101"
    )


def test_more_than_six_authors_lists_three_then_et_al():
    [out] = format_references([BADEN])
    assert out == (
        "Baden LR, El Sahly HM, Essink B, et al. Efficacy and safety of the "
        "mRNA-1273 SARS-CoV-2 vaccine. <i>N Engl J Med</i>. 2021;384(5):403-416. "
        '<a href="https://doi.org/10.1056/NEJMoa2035389">doi:10.1056/NEJMoa2035389</a>'
    )


def test_six_authors_are_all_listed():
    item = dict(BADEN, author=BADEN["author"][:6])
    [out] = format_references([item])
    assert visible(out).startswith(
        "Baden LR, El Sahly HM, Essink B, Kotloff K, Frey S, Novak R. Efficacy"
    )


def test_webpage_by_the_organisation_that_runs_the_site():
    [zika, autism] = format_references([ZIKA, CDC_AUTISM])
    url = ZIKA["URL"]
    assert zika == (
        "Zika travel information. Centers for Disease Control and Prevention. "
        "January 26, 2016. Updated August 11, 2016. Accessed June 18, 2019. "
        f'<a href="{url}">{url}</a>'
    )
    url = CDC_AUTISM["URL"]
    assert autism == (
        "Autism and vaccines. Centers for Disease Control and Prevention. "
        "Updated December 30, 2024. Accessed September 15, 2026. "
        f'<a href="{url}">{url}</a>'
    )


def test_webpage_by_a_person_keeps_the_author():
    item = dict(ZIKA, author=[{"family": "Petersen", "given": "Lyle R."}])
    del item["updated"]
    [out] = format_references([item])
    assert visible(out) == (
        "Petersen LR. Zika travel information. Centers for Disease Control and "
        "Prevention. January 26, 2016. Accessed June 18, 2019. " + ZIKA["URL"]
    )


def test_report_by_an_agency():
    [out] = format_references([WHO_GVAP])
    url = WHO_GVAP["URL"]
    assert out == (
        "World Health Organization. <i>Global Vaccine Action Plan 2011-2020</i>. "
        "World Health Organization; 2013. Accessed September 15, 2026. "
        f'<a href="{url}">{url}</a>'
    )


def test_references_keep_the_given_order_and_have_no_number():
    out = format_references([WHO_GVAP, HVIID])
    assert out[1] == HVIID_HTML
    assert out[0].startswith("World Health Organization.")
    assert format_references([]) == []


# --------------------------------------------------------------------------
# Where citeproc-py alone is wrong for AMA
# --------------------------------------------------------------------------


def test_no_double_punctuation_after_a_title_ending_in_a_mark():
    item = dict(HVIID, title="Is the MMR vaccine safe?")
    book = {
        "id": "b",
        "type": "book",
        "title": "What is safe?",
        "publisher": "Elsevier",
        "issued": "2018",
    }
    pubmed = dict(HVIID, title="A study of U.S. children.")  # PubMed's final period
    out = format_references([item, book, pubmed])
    assert "safe? <i>Ann Intern Med</i>." in out[0]
    assert out[1] == "<i>What Is Safe?</i> Elsevier; 2018."
    assert "U.S. children. <i>Ann Intern Med</i>." in out[2]


def test_titles_without_an_author_are_not_repeated():
    item = dict(WHO_GVAP)
    del item["author"]
    [out] = format_references([item])
    assert visible(out).startswith("Global Vaccine Action Plan 2011-2020. World Health")
    assert visible(out).count("Global Vaccine") == 1


def test_edited_book_lists_editors_once():
    item = {
        "id": "plotkin",
        "type": "book",
        "title": "Plotkin's vaccines",
        "editor": [
            {"family": "Plotkin", "given": "Stanley A."},
            {"family": "Orenstein", "given": "Walter A."},
            {"family": "Offit", "given": "Paul A."},
            {"family": "Edwards", "given": "Kathryn M."},
        ],
        "publisher": "Elsevier",
        "edition": 7,
        "issued": "2018",
    }
    chapter = {
        "id": "offit",
        "type": "chapter",
        "title": "Vaccine safety",
        "author": [{"family": "Offit", "given": "Paul A."}],
        "editor": item["editor"],
        "container-title": "Plotkin's vaccines",
        "publisher": "Elsevier",
        "edition": "7",
        "issued": "2018",
        "page": "1584-600",
    }
    book, chap = format_references([item, chapter])
    assert book == (
        "Plotkin SA, Orenstein WA, Offit PA, Edwards KM, eds. "
        "<i>Plotkin's Vaccines</i>. 7th ed. Elsevier; 2018."
    )
    assert chap == (
        "Offit PA. Vaccine safety. In: Plotkin SA, Orenstein WA, Offit PA, Edwards KM, "
        "eds. <i>Plotkin's Vaccines</i>. 7th ed. Elsevier; 2018:1584-1600."
    )


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        (
            "patients with cancer: a guide from the clinic",
            "Patients With Cancer: A Guide From the Clinic",
        ),
        ("what to look for", "What to Look For"),
        ("vaccines for children in the USA per year", "Vaccines for Children in the USA per Year"),
        ("mRNA vaccines and COVID-19", "mRNA Vaccines and COVID-19"),
        ("Already Title Case With The", "Already Title Case With The"),
    ],
)
def test_ama_title_case_for_books_and_reports(title, expected):
    assert refs._ama_title_case(title) == expected


@pytest.mark.parametrize(
    ("page", "expected"),
    [
        ("513-520", "513-520"),
        ("150-9", "150-159"),
        ("1234–45", "1234-1245"),
        ("S12-5", "S12-S15"),
        ("e201234", "e201234"),
        ("12-14, 20-2", "12-14, 20-22"),
    ],
)
def test_page_ranges_are_expanded(page, expected):
    assert refs._expand_pages(page) == expected


@pytest.mark.parametrize(
    "issued",
    [
        "2019-04-16",
        "2019-04-16T08:00:00Z",
        dt.date(2019, 4, 16),
        {"date-parts": [["2019", "4", "16"]]},
    ],
)
def test_date_forms(issued):
    [out] = format_references([dict(HVIID, issued=issued)])
    assert out == HVIID_HTML


@pytest.mark.parametrize("issued", [2019, "2019", {"date-parts": [[2019]]}, {"raw": "2019"}])
def test_year_only_dates(issued):
    item = dict(HVIID, issued=issued)
    [out] = format_references([item])
    assert "2019;170(8):513-520." in out


@pytest.mark.parametrize("bad", ["16/04/2019", "2019-13-01", "2019-02-30", True, ["2019"]])
def test_unreadable_date_names_the_reference(bad):
    with pytest.raises(ValueError, match="hviid2019"):
        format_references([dict(HVIID, issued=bad)])


def test_item_ids_keep_their_case_and_duplicates_are_kept_apart():
    a_ = dict(HVIID, id="Smith2020")
    b_ = dict(BADEN, id="smith2020")
    out = format_references([a_, b_])
    assert out[0] == HVIID_HTML
    assert out[1].startswith("Baden LR")


# --------------------------------------------------------------------------
# Escaping
# --------------------------------------------------------------------------


def test_hostile_title_is_escaped():
    item = {
        "id": "evil",
        "type": "article-journal",
        "title": "<script>alert(1)</script> & <img src=x onerror=alert(2)>",
        "author": [{"family": "<b>Mallory</b>", "given": "Eve"}],
        "container-title": "J <i>Hax</i>",
        "volume": "1",
        "issued": "2020",
        "page": "1-2",
        "URL": "https://example.org/",
    }
    [out] = format_references([item])
    assert out == (
        "&lt;b&gt;Mallory&lt;/b&gt; E. &lt;script&gt;alert(1)&lt;/script&gt; &amp; "
        "&lt;img src=x onerror=alert(2)&gt;. <i>J &lt;i&gt;Hax&lt;/i&gt;</i>. "
        "2020;1:1-2. "
        '<a href="https://example.org/">https://example.org/</a>'
    )
    assert "<script" not in out and "<img" not in out


def test_private_use_placeholders_in_input_do_not_leak():
    item = dict(HVIID, title="Trick \ue000script\ue001 \ue010")
    [out] = format_references([item])
    assert "<script" not in out and "\ue000" not in out and "\ue010" not in out
    assert "Trick script ." in out


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "JavaScript:alert(document.cookie)",
        "data:text/html,<b>x</b>",
        "//evil.example/x",
    ],
)
def test_non_http_urls_are_text_not_links(url):
    item = dict(ZIKA, URL=url)
    [out] = format_references([item])
    assert "<a " not in out
    assert out.endswith("Accessed June 18, 2019. " + html.escape(url, quote=False))


def test_url_with_quotes_cannot_break_out_of_href():
    url = 'https://example.org/a?x=1&y="><script>alert(1)</script>'
    [out] = format_references([dict(ZIKA, URL=url)])
    assert "<script" not in out
    assert out.endswith(
        '<a href="https://example.org/a?x=1&amp;y=&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;">'
        'https://example.org/a?x=1&amp;y="&gt;&lt;script&gt;alert(1)&lt;/script&gt;</a>'
    )


def test_doi_with_odd_characters():
    doi = "10.1002/(SICI)1097-4636(199812)43:4<359::AID-JBM2>3.0.CO;2-C"
    [out] = format_references([dict(HVIID, DOI=doi)])
    assert out.endswith(
        '<a href="https://doi.org/10.1002/(SICI)1097-4636(199812)43:4%3C359::AID-JBM2%3E3.0.CO;2-C">'
        "doi:10.1002/(SICI)1097-4636(199812)43:4&lt;359::AID-JBM2&gt;3.0.CO;2-C</a>"
    )


# --------------------------------------------------------------------------
# references_html
# --------------------------------------------------------------------------


def test_references_html_list():
    out = references_html([HVIID, WHO_GVAP])
    lines = out.split("\n")
    assert lines[0] == '<ol class="cp-references" id="references">'
    assert lines[1] == f'<li id="ref-hviid2019">{HVIID_HTML}</li>'
    assert lines[2].startswith('<li id="ref-who-gvap">World Health Organization.')
    assert lines[3] == "</ol>"
    assert references_html([]) == ""


def test_references_html_escapes_ids_and_rejects_bad_input():
    out = references_html([dict(HVIID, id='x"><script>')])
    assert '<li id="ref-x&quot;&gt;&lt;script&gt;">' in out
    with pytest.raises(ValueError, match="twice"):
        references_html([HVIID, HVIID])
    with pytest.raises(ValueError, match="without id"):
        references_html([{k: v for k, v in HVIID.items() if k != "id"}])


def test_style_is_parsed_once_per_process():
    refs._style.cache_clear()
    refs._FORMATTED.clear()
    format_references([HVIID])
    format_references([BADEN, ZIKA])
    info = refs._style.cache_info()
    assert info.misses == 1 and info.hits >= 1


def test_each_source_is_rendered_once_and_reused(monkeypatch):
    refs._FORMATTED.clear()
    calls = []
    real = refs._render
    monkeypatch.setattr(refs, "_render", lambda items: calls.append(len(items)) or real(items))
    first = format_references([HVIID, BADEN])
    again = format_references([BADEN, ZIKA, HVIID])
    assert calls == [2, 1]  # only ZIKA was new the second time
    assert again == [first[1], format_references([ZIKA])[0], first[0]]


# --------------------------------------------------------------------------
# number_citations
# --------------------------------------------------------------------------

KNOWN = {"a", "b", "c", "d", "e"}


def test_ranges_and_lists_per_ama():
    body = "One [@a; @b; @c]\nTwo [@a; @c]\nThree [@c; @b]\n"
    out = number_citations(body, KNOWN)
    assert out == NumberedBody(
        markdown=(
            f"One{sup(a('a', 1), '-', a('c', 3))}\n"
            f"Two{sup(a('a', 1), ',', a('c', 3))}\n"
            f"Three{sup(a('b', 2), ',', a('c', 3))}\n"
        ),
        order=("a", "b", "c"),
        unknown=(),
    )


def test_range_separator_can_be_an_en_dash():
    out = number_citations("x [@a; @b; @c; @e]", KNOWN, range_sep="\u2013")
    assert out.markdown == "x" + sup(a("a", 1), "\u2013", a("e", 4))


def test_two_consecutive_numbers_are_not_a_range_and_numbers_are_sorted():
    body = "[@d] then [@b; @a; @d; @c]"
    out = number_citations(body, KNOWN)
    # d=1, b=2, a=3, c=4 -> sorted 1,2,3,4 -> 1-4
    assert out.order == ("d", "b", "a", "c")
    assert out.markdown.endswith("then" + sup(a("d", 1), "-", a("c", 4)))
    out = number_citations("[@a] [@c] [@a; @b]", KNOWN)
    assert out.markdown.endswith(sup(a("a", 1), ",", a("b", 3)))


def test_repeated_citations_reuse_their_number():
    out = number_citations("First [@b]. Second [@a]. Again [@b]. [@b; @b]", KNOWN)
    assert out.order == ("b", "a")
    assert out.markdown == (
        f"First.{sup(a('b', 1))} Second.{sup(a('a', 2))} Again.{sup(a('b', 1))}{sup(a('b', 1))}"
    )


def test_superscript_goes_outside_period_and_comma_inside_colon():
    out = number_citations("Safe [@a], effective [@b]. Data [@c]: none", KNOWN)
    assert out.markdown == (
        f"Safe,{sup(a('a', 1))} effective.{sup(a('b', 2))} Data{sup(a('c', 3))}: none"
    )


def test_page_locators():
    out = number_citations("Quoted [@a, p. 21] and [@a, pp. 5-6; @b]", KNOWN)
    assert out.markdown == (
        f"Quoted{sup(a('a', 1), '(p21)')} and{sup(a('a', 1), '(pp5-6)', ',', a('b', 2))}"
    )


def test_code_is_untouched():
    body = (
        "Prose [@a].\n"
        "\n"
        "```markdown\n"
        "Write [@b] to cite.\n"
        "```\n"
        "\n"
        "~~~~\n"
        "[@b]\n"
        "~~~~\n"
        "\n"
        "    indented code [@b]\n"
        "\n"
        "Inline `[@b]` and ``[@b] with ` tick`` here.\n"
        "<!-- [@b] -->\n"
        "<pre>[@b]</pre>\n"
        "\n"
        "- item\n"
        "\n"
        "        code in a list [@b]\n"
        "\n"
        "    list paragraph [@c]\n"
        "\n"
        '!!! note "Tip"\n'
        "    ```\n"
        "    [@b]\n"
        "    ```\n"
        "    Admonition text [@d]\n"
    )
    out = number_citations(body, KNOWN)
    assert out.order == ("a", "c", "d")
    assert "[@b]" in out.markdown and out.markdown.count("[@b]") == 9
    expected = (
        body.replace("Prose [@a].", f"Prose.{sup(a('a', 1))}")
        .replace("paragraph [@c]", f"paragraph{sup(a('c', 2))}")
        .replace("text [@d]", f"text{sup(a('d', 3))}")
    )
    assert out.markdown == expected


def test_not_citations():
    body = r"Escaped \[@a], link [@a](https://x.org), email [me@x.org], [see @a], [@a.]"
    out = number_citations(body, KNOWN)
    assert out == NumberedBody(markdown=body, order=(), unknown=())


def test_unknown_ids_are_reported_with_offsets():
    body = "Known [@a]. Typo [@bb]. Mixed [@a; @zz:1; @c].\n\n`[@qq]`"
    out = number_citations(body, KNOWN)
    assert out.unknown == (("bb", body.index("@bb")), ("zz:1", body.index("@zz")))
    assert out.order == ("a", "c")
    assert out.markdown == (
        f"Known.{sup(a('a', 1))} Typo [@bb]. Mixed.{sup(a('a', 1), ',', a('c', 2))}\n\n`[@qq]`"
    )


def test_pandoc_key_syntax():
    known = {"doe:2020", "a/b#c", "x<y>&z", "odd key"}
    out = number_citations("[@doe:2020] [@a/b#c] [@x<y>&z] [@{odd key}]", known)
    assert out.order == ("doe:2020", "a/b#c", "x<y>&z")
    assert '<a href="#ref-doe:2020">1</a>' in out.markdown
    assert '<a href="#ref-a/b%23c">2</a>' in out.markdown
    assert '<a href="#ref-x%3Cy%3E%26z">3</a>' in out.markdown
    assert "[@{odd key}]" in out.markdown  # braces may not hold spaces
    out = number_citations("[@{doe:2020}].", known)
    assert out.markdown == "." + sup(a("doe:2020", 1))


def test_output_renders_as_superscript_links_in_python_markdown():
    body = "Vaccines are safe [@a; @b; @c].\n\n| Dose | Note |\n| --- | --- |\n| 1 | given [@d] |\n"
    numbered = number_citations(body, KNOWN)
    rendered = markdown.markdown(
        numbered.markdown, extensions=["md_in_html", "attr_list", "tables"]
    )
    assert (
        '<p>Vaccines are safe.<sup class="cp-cite"><a href="#ref-a">1</a>-'
        '<a href="#ref-c">3</a></sup></p>'
    ) in rendered
    assert '<td>given<sup class="cp-cite"><a href="#ref-d">4</a></sup></td>' in rendered


def test_numbering_and_list_fit_together():
    items = {i["id"]: i for i in (HVIID, BADEN, ZIKA)}
    body = "MMR does not cause autism [@hviid2019; @cdc-autism]. Travel [@cdc-zika]."
    numbered = number_citations(body, items)
    assert numbered.order == ("hviid2019", "cdc-zika")
    assert numbered.unknown == (("cdc-autism", body.index("@cdc-autism")),)
    html_list = references_html([items[k] for k in numbered.order])
    assert html_list.index('id="ref-hviid2019"') < html_list.index('id="ref-cdc-zika"')


def test_a_citation_that_wraps_onto_its_own_line_joins_the_word_before_it():
    body = "The studies were flawed\n[@a]. Since then\n\n[@a] opens a paragraph.\n"
    assert number_citations(body, {"a"}).markdown == (
        'The studies were flawed.<sup class="cp-cite"><a href="#ref-a">1</a></sup> Since then\n\n'
        '<sup class="cp-cite"><a href="#ref-a">1</a></sup> opens a paragraph.\n'
    )


_MARKDOWNISH = st.text(alphabet=st.sampled_from(list(" \t\n\r`~<>!-*1.a[@]\u2028x")), max_size=80)


@settings(max_examples=400, deadline=None)
@given(_MARKDOWNISH)
def test_code_ranges_skips_the_scan_only_where_there_can_be_no_code(text):
    assert refs._code_ranges(text) == refs._scan_code_ranges(text)


def test_code_ranges_of_a_plain_body_are_none_and_of_code_are_found():
    assert refs._code_ranges("Short words help.\n\n- a list item\n  wrapped\n") == []
    assert refs._code_ranges("Text.\n\n    indented code\n") == [(7, 25)]
    assert refs._code_ranges("Text.\n\n\tindented code\n") == [(7, 22)]
