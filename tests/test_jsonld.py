"""schema.org JSON-LD: valid against the vocabulary, complete for Google, safe in HTML."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

import extruct
import pytest

from carepress.emit.jsonld import PageInfo, build_graph, script_tag
from carepress.frontmatter import read_file
from carepress.model import Document
from carepress.policy import Policy
from schemaorg_vocab import Vocabulary, validate, vocabulary

ROOT = Path(__file__).resolve().parents[1]
CONTENT = ROOT / "content"
SITE = "https://health.riverbend-hospital.example/"
SECTIONS = {
    "articles": "Health articles",
    "myths": "Myths and facts",
    "stories": "Patient stories",
    "alerts": "Alerts",
}

ARTICLE = "articles/heart-attack-warning-signs.md"
MYTH = "myths/flu-shot-gives-you-flu.md"
STORY = "stories/cardiac-rehab.md"
ALERT = "alerts/heat-advisory-2026.md"
ONE_OF_EACH = (ARTICLE, MYTH, STORY, ALERT)
DEMO_PAGES = sorted(
    p.relative_to(CONTENT).as_posix() for p in CONTENT.glob("*/*.md") if p.parent.name in SECTIONS
)

TITLE_ATTACK = "</script><script>alert(1)</script>"
DESCRIPTION_TRICKY = 'She said "don\'t wait" & called 911 <now>\u2028then rested\u2029at home.'


# --------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def vocab() -> Vocabulary:
    return vocabulary()


def document(rel: str) -> Document:
    parsed = read_file(CONTENT / rel, rel)
    assert parsed.document is not None, parsed.findings
    return parsed.document


def with_meta(doc: Document, **changes: Any) -> Document:
    return dataclasses.replace(doc, meta={**doc.meta, **changes})


def page_info(rel: str, title: str) -> PageInfo:
    section = rel.split("/")[0]
    url = SITE + rel.removesuffix(".md") + "/"
    return PageInfo(
        url=url,
        breadcrumbs=(
            ("Riverbend Health Library", SITE),
            (SECTIONS[section], f"{SITE}{section}/"),
            (title, url),
        ),
        lang="en",
        image=(f"{SITE}assets/riverbend-share.png", 1200, 630),
        modified="2026-09-15T00:00:00-05:00",
    )


def graph_for(rel: str, policy: Policy, doc: Document | None = None) -> dict[str, Any]:
    doc = doc or document(rel)
    return build_graph(doc, policy, page_info(rel, doc.title))


def nodes_of(graph: dict[str, Any], type_: str) -> list[dict[str, Any]]:
    return [n for n in graph["@graph"] if n.get("@type") == type_]


def the(graph: dict[str, Any], type_: str) -> dict[str, Any]:
    (node,) = nodes_of(graph, type_)
    return node


def resolve(graph: dict[str, Any], value: Any) -> Any:
    """Follow an ``{"@id": ...}`` reference to its node in the graph."""
    if isinstance(value, dict) and set(value) == {"@id"}:
        for node in graph["@graph"]:
            if node.get("@id") == value["@id"]:
                return node
    return value


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def inner_json(tag: str) -> str:
    match = re.fullmatch(r'<script type="application/ld\+json">(.*)</script>', tag, re.S)
    assert match, tag
    return match.group(1)


def extract(tag: str) -> list[Any]:
    html = f'<!doctype html><html lang="en"><head><title>t</title>{tag}</head><body><p>x</p></body></html>'
    return extruct.extract(html, syntaxes=["json-ld"], uniform=False)["json-ld"]


# --------------------------------------------------------------------------
# (1) Valid against the schema.org vocabulary
# --------------------------------------------------------------------------


@pytest.mark.parametrize("rel", ONE_OF_EACH)
def test_every_type_and_property_is_in_the_vocabulary_with_no_domain_or_range_mismatch(
    rel: str, policy: Policy, vocab: Vocabulary
) -> None:
    assert validate(graph_for(rel, policy), vocab) == []


@pytest.mark.parametrize("rel", DEMO_PAGES)
def test_every_demo_page_validates(rel: str, policy: Policy, vocab: Vocabulary) -> None:
    assert validate(graph_for(rel, policy), vocab) == []


def test_the_page_is_a_medical_web_page_with_review_audience_specialty_and_main_entity(
    policy: Policy,
) -> None:
    graph = graph_for(ARTICLE, policy)
    page = the(graph, "MedicalWebPage")
    assert page["@id"] == f"{SITE}{ARTICLE.removesuffix('.md')}/#webpage"
    assert page["lastReviewed"] == "2026-08-20"
    (reviewer,) = [resolve(graph, r) for r in page["reviewedBy"]]
    assert reviewer["@type"] == "Person"
    assert reviewer["name"] == "Alex Placeholder"
    assert reviewer["honorificSuffix"] == "MD"
    assert reviewer["jobTitle"] == "Cardiologist"
    assert {c["credentialCategory"] for c in reviewer["hasCredential"]} == {
        "MD",
        "board-certified-cardiology",
    }
    assert page["medicalAudience"] == {"@type": "MedicalAudience", "audienceType": "Patient"}
    assert page["specialty"] == {"@id": "https://schema.org/Cardiovascular"}
    assert resolve(graph, page["mainEntity"])["@type"] == "Article"
    assert resolve(graph, page["publisher"])["@type"] == "Hospital"
    assert resolve(graph, page["breadcrumb"])["@type"] == "BreadcrumbList"
    assert "lastReviewed" not in the(graph, "Article")


def test_the_publisher_is_the_hospital_from_policy(policy: Policy) -> None:
    hospital = the(graph_for(ARTICLE, policy), "Hospital")
    assert hospital["@id"] == f"{SITE}#hospital"
    assert hospital["name"] == "Riverbend Community Hospital"
    assert hospital["url"] == SITE
    assert hospital["logo"]["url"] == f"{SITE}assets/riverbend-logo.png"
    assert hospital["address"] == {
        "@type": "PostalAddress",
        "streetAddress": "100 Example Way",
        "addressLocality": "Riverbend",
        "addressRegion": "IL",
        "postalCode": "62701",
        "addressCountry": "US",
    }
    assert hospital["telephone"] == "+1-217-555-0100"
    assert hospital["publishingPrinciples"] == f"{SITE}about/editorial-policy/"
    assert hospital["correctionsPolicy"] == f"{SITE}about/corrections/"


def test_a_citation_with_a_doi_and_pmid_carries_them_as_identifiers(policy: Policy) -> None:
    article = the(graph_for(ARTICLE, policy), "Article")
    lichtman = next(c for c in article["citation"] if c["name"].startswith("Sex Differences"))
    assert lichtman["@type"] == "ScholarlyArticle"
    assert lichtman["url"] == "https://doi.org/10.1161/CIRCULATIONAHA.117.031650"
    assert lichtman["datePublished"] == "2018-02-20"
    assert lichtman["author"][0] == {"@type": "Person", "name": "Judith H. Lichtman"}
    assert lichtman["identifier"] == [
        {
            "@type": "PropertyValue",
            "propertyID": "DOI",
            "value": "10.1161/CIRCULATIONAHA.117.031650",
        },
        {"@type": "PropertyValue", "propertyID": "PMID", "value": "29459463"},
    ]
    assert lichtman["sameAs"] == ["https://pubmed.ncbi.nlm.nih.gov/29459463/"]
    cdc = next(c for c in article["citation"] if c["name"].startswith("About Heart Attack"))
    assert cdc["@type"] == "WebPage"
    assert cdc["author"] == [
        {"@type": "Organization", "name": "Centers for Disease Control and Prevention"}
    ]
    assert "identifier" not in cdc


# --------------------------------------------------------------------------
# (2) Google's documented properties
# --------------------------------------------------------------------------


def test_claim_review_has_googles_properties(policy: Policy) -> None:
    graph = graph_for(MYTH, policy)
    review = the(graph, "ClaimReview")
    assert review["claimReviewed"] == "The flu shot can give you the flu."
    assert review["url"] == f"{SITE}myths/flu-shot-gives-you-flu/"
    assert review["datePublished"] == "2025-09-15"
    assert review["reviewRating"] == {
        "@type": "Rating",
        "ratingValue": 1,
        "bestRating": 5,
        "worstRating": 1,
        "alternateName": "False",
    }
    author = resolve(graph, review["author"])
    assert author["name"] == "Riverbend Community Hospital"
    assert author["url"] == SITE
    claim = resolve(graph, review["itemReviewed"])
    assert claim["@type"] == "Claim"
    assert claim.get("appearance") or claim.get("firstAppearance")
    assert claim["datePublished"] == "2025-10-06"
    page = the(graph, "MedicalWebPage")
    assert page["mainEntity"] == {"@id": review["@id"]}
    assert page["about"] == {"@id": claim["@id"]}


@pytest.mark.parametrize("rel", (ARTICLE, STORY, ALERT))
def test_article_has_googles_properties(rel: str, policy: Policy) -> None:
    graph = graph_for(rel, policy)
    article = the(graph, "Article")
    doc = document(rel)
    assert article["headline"] == doc.title
    assert article["image"]["url"] == f"{SITE}assets/riverbend-share.png"
    assert article["datePublished"].startswith(doc.meta["published"])
    assert article["dateModified"] == "2026-09-15T00:00:00-05:00"
    authors = [resolve(graph, a) for a in article["author"]]
    assert authors
    for author in authors:
        assert author["@type"] == "Person"
        assert author["name"]
        assert author["url"].startswith("https://")


def test_breadcrumb_items_each_have_position_name_and_item(policy: Policy) -> None:
    crumbs = the(graph_for(ARTICLE, policy), "BreadcrumbList")["itemListElement"]
    assert [(c["position"], c["name"], c["item"]) for c in crumbs] == [
        (1, "Riverbend Health Library", {"@id": SITE}),
        (2, "Health articles", {"@id": f"{SITE}articles/"}),
        (
            3,
            "Heart attack warning signs: know them and call 911",
            {"@id": f"{SITE}articles/heart-attack-warning-signs/"},
        ),
    ]
    assert all(c["@type"] == "ListItem" for c in crumbs)


def test_an_alert_says_when_it_expires(policy: Policy) -> None:
    assert the(graph_for(ALERT, policy), "Article")["expires"] == "2026-08-16T20:00:00-05:00"


# --------------------------------------------------------------------------
# (3) Escaping for the script element
# --------------------------------------------------------------------------


def test_a_hostile_title_and_description_cannot_leave_the_script_element(policy: Policy) -> None:
    doc = with_meta(document(ARTICLE), title=TITLE_ATTACK, description=DESCRIPTION_TRICKY)
    graph = graph_for(ARTICLE, policy, doc)
    tag = script_tag(graph)
    inner = inner_json(tag)
    assert tag.count("</script>") == 1
    assert not set(inner) & {"<", ">", "&", "\u2028", "\u2029"}
    assert "\\u003c/script\\u003e" in inner
    assert "\\u0026" in inner and "\\u2028" in inner and "\\u2029" in inner
    decoded = json.loads(inner)
    assert decoded == graph
    assert the(decoded, "MedicalWebPage")["name"] == TITLE_ATTACK
    assert the(decoded, "Article")["headline"] == TITLE_ATTACK
    assert the(decoded, "Article")["description"] == DESCRIPTION_TRICKY


# --------------------------------------------------------------------------
# (4) What a structured-data parser reads back
# --------------------------------------------------------------------------


@pytest.mark.parametrize("rel", ONE_OF_EACH)
def test_extruct_reads_back_exactly_the_built_graph(rel: str, policy: Policy) -> None:
    graph = graph_for(rel, policy)
    assert extract(script_tag(graph)) == [graph]


def test_extruct_reads_back_a_hostile_title_unchanged(policy: Policy) -> None:
    doc = with_meta(document(ARTICLE), title=TITLE_ATTACK, description=DESCRIPTION_TRICKY)
    graph = graph_for(ARTICLE, policy, doc)
    assert extract(script_tag(graph)) == [graph]


# --------------------------------------------------------------------------
# (5) Limits, dates and URLs
# --------------------------------------------------------------------------


@pytest.mark.parametrize("rel", [p for p in DEMO_PAGES if p.startswith("myths/")])
def test_claim_reviewed_is_under_75_characters(rel: str, policy: Policy) -> None:
    assert len(the(graph_for(rel, policy), "ClaimReview")["claimReviewed"]) < 75


def test_a_long_claim_is_cut_at_a_word_under_75_characters(policy: Policy) -> None:
    claim = "Eating sugar every day directly causes type 2 diabetes in everyone who does it, without exception."
    doc = with_meta(document(MYTH), claim=claim)
    reviewed = the(graph_for(MYTH, policy, doc), "ClaimReview")["claimReviewed"]
    assert len(reviewed) < 75
    assert reviewed.endswith("\u2026")
    assert claim.startswith(reviewed.removesuffix("\u2026"))


def test_a_long_title_makes_a_headline_of_at_most_110_characters(policy: Policy) -> None:
    title = "Heart attack warning signs " * 5
    headline = the(
        graph_for(ARTICLE, policy, with_meta(document(ARTICLE), title=title.strip())), "Article"
    )["headline"]
    assert len(headline) <= 110


@pytest.mark.parametrize("rel", (ARTICLE, STORY, ALERT))
def test_article_dates_carry_a_time_zone(rel: str, policy: Policy) -> None:
    article = the(graph_for(rel, policy), "Article")
    for key in ("dateModified", "datePublished"):
        assert dt.datetime.fromisoformat(article[key]).tzinfo is not None, key


def test_a_modified_date_without_a_time_zone_is_refused(policy: Policy) -> None:
    info = dataclasses.replace(page_info(ARTICLE, "x"), modified="2026-09-15T00:00:00")
    with pytest.raises(ValueError, match="time zone"):
        build_graph(document(ARTICLE), policy, info)


@pytest.mark.parametrize(
    "url", ["javascript:alert(1)", "JavaScript:alert(document.domain)", "data:text/html,x"]
)
def test_a_citation_url_that_is_not_http_is_not_emitted(
    url: str, policy: Policy, vocab: Vocabulary
) -> None:
    citation = {"id": "bad", "type": "webpage", "title": "A page", "URL": url}
    doc = with_meta(
        document(ARTICLE),
        citations=[citation],
        claim_seen={"description": "x", "date": "2026-01-01", "url": url},
    )
    graph = graph_for(ARTICLE, policy, doc)
    tag = script_tag(graph)
    assert url.split(":")[0].lower() not in tag.lower()
    assert the(graph, "Article")["citation"] == [{"@type": "WebPage", "name": "A page"}]
    assert validate(graph, vocab) == []


def test_a_myth_seen_at_a_javascript_url_has_an_appearance_without_it(policy: Policy) -> None:
    seen = {"description": "A viral post", "date": "2026-01-01", "url": "javascript:alert(1)"}
    graph = graph_for(MYTH, policy, with_meta(document(MYTH), claim_seen=seen))
    claim = the(graph, "ClaimReview")["itemReviewed"]
    assert claim["appearance"] == {"@type": "CreativeWork", "description": "A viral post"}
    assert "javascript" not in script_tag(graph)


# --------------------------------------------------------------------------
# The validator itself: it catches what it claims to
# --------------------------------------------------------------------------


def graph_of(*nodes: dict[str, Any]) -> dict[str, Any]:
    return {"@context": "https://schema.org", "@graph": list(nodes)}


def test_the_validator_accepts_a_property_inherited_from_a_superclass(vocab: Vocabulary) -> None:
    # name is a property of Thing; Hospital is a MedicalOrganization, an Organization, a Thing.
    assert validate(graph_of({"@type": "Hospital", "name": "H", "url": SITE}), vocab) == []


@pytest.mark.parametrize(
    ("node", "problem"),
    [
        ({"@type": "MedicalArticle2"}, "unknown type 'MedicalArticle2'"),
        ({"@type": "Article", "reviewer": "x"}, "unknown property 'reviewer'"),
        (
            {"@type": "Article", "lastReviewed": "2026-01-01"},
            "lastReviewed is not a property of Article",
        ),
        ({"@type": "Article", "author": "Alex"}, "author expects Organization, Person, got 'Alex'"),
        (
            {"@type": "Article", "author": {"@type": "MedicalCondition", "name": "A"}},
            "author expects Organization, Person, got a MedicalCondition",
        ),
        # Physician is a MedicalOrganization in schema.org, so a reviewer is a Person.
        (
            {"@type": "Physician", "name": "A", "honorificSuffix": "MD"},
            "honorificSuffix is not a property of Physician",
        ),
        (
            {"@type": "ImageObject", "url": SITE, "width": 1200},
            "width expects Distance, QuantitativeValue, got the number 1200",
        ),
        (
            {"@type": "WebPage", "specialty": {"@id": "https://schema.org/Clinician"}},
            "specialty expects Specialty, but Clinician is a MedicalAudienceType",
        ),
        (
            {"@type": "WebPage", "specialty": {"@id": "https://schema.org/Heart"}},
            "https://schema.org/Heart is not a schema.org enumeration member",
        ),
        ({"@type": "WebPage", "publisher": {"@id": f"{SITE}#nobody"}}, "is dangling"),
        ({"@type": "Article", "dateModified": "15 September 2026"}, "not an ISO 8601 date-time"),
        ({"@type": "Article", "url": "/relative/"}, "not an absolute URL"),
    ],
)
def test_the_validator_reports(node: dict[str, Any], problem: str, vocab: Vocabulary) -> None:
    problems = validate(graph_of(node), vocab)
    assert any(problem in p for p in problems), problems


def test_the_validator_checks_a_reference_by_the_type_of_what_it_refers_to(
    vocab: Vocabulary,
) -> None:
    crumbs = {"@type": "BreadcrumbList", "@id": f"{SITE}#crumbs", "itemListElement": []}
    page = {
        "@type": "WebPage",
        "publisher": {"@id": f"{SITE}#crumbs"},
        "breadcrumb": {"@id": f"{SITE}#crumbs"},
    }
    (problem,) = validate(graph_of(page, crumbs), vocab)
    assert "publisher expects Organization, Person, but" in problem


def test_the_vocabulary_skips_when_absent_and_fails_under_ci(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    missing = tmp_path / "schemaorg.jsonld"
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="is absent"):
        vocabulary(missing)
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="is absent"):
        vocabulary(missing)
