"""schema.org JSON-LD for a page: what search engines read about its review.

One ``@graph`` per page, its nodes linked by ``@id``: the MedicalWebPage
(which carries ``lastReviewed`` and ``reviewedBy``: in schema.org review
belongs to the web page, not to the article), its main entity (an Article,
or a ClaimReview for a myth), the hospital as publisher, the people who wrote
and reviewed it, and a BreadcrumbList.

Every value comes from the checked front matter and the policy; nothing here
names a hospital. Only ``http``/``https`` URLs are emitted, so a
``javascript:`` URL in a citation never reaches the page; and the script
element escapes what could close it or break it (DESIGN.md principle 8).
This module is core: it imports no MkDocs.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ..model import Document, parse_date, parse_datetime
from ..policy import Person, Policy

__all__ = ["PageInfo", "build_graph", "script_tag"]

SCHEMA = "https://schema.org"
#: Google truncates longer Article headlines; ClaimReview asks for a claim under 75.
HEADLINE_MAX = 110
CLAIM_MAX = 74
#: The content types whose page is a MedicalWebPage with a main entity.
MEDICAL_TYPES = ("article", "myth", "story", "alert")
#: UN/CEFACT common code for "pixel", the unit of an image's width and height.
PIXEL = "E37"

# Front-matter audiences as schema.org medical audiences. A clinician is a
# member of the MedicalAudienceType enumeration; patients and caregivers are
# described as a MedicalAudience (schema.org's Patient is a class of Person,
# not an audience value, and it has no caregiver term).
_AUDIENCES: Mapping[str, dict[str, Any]] = {
    "patient": {"@type": "MedicalAudience", "audienceType": "Patient"},
    "caregiver": {"@type": "MedicalAudience", "audienceType": "Caregiver"},
    "clinician": {"@id": f"{SCHEMA}/Clinician"},
}

# CSL item types with a closer schema.org type than CreativeWork.
_CSL_TYPES: Mapping[str, str] = {
    "article-journal": "ScholarlyArticle",
    "paper-conference": "ScholarlyArticle",
    "article": "Article",
    "article-magazine": "Article",
    "article-newspaper": "NewsArticle",
    "webpage": "WebPage",
    "post-weblog": "BlogPosting",
    "book": "Book",
    "chapter": "Chapter",
    "report": "Report",
    "dataset": "Dataset",
    "thesis": "Thesis",
    "legislation": "Legislation",
}
_SPECIALTY = re.compile(r"^[A-Z][A-Za-z]*$")
_DOI_PREFIXES = (
    "https://doi.org/",
    "http://doi.org/",
    "https://dx.doi.org/",
    "http://dx.doi.org/",
    "doi:",
)
# U+2028 and U+2029 end a line in older JavaScript parsers; <, > and & could
# close the script element or start markup inside it.
_SCRIPT_ESCAPES = {
    ord("<"): "\\u003c",
    ord(">"): "\\u003e",
    ord("&"): "\\u0026",
    0x2028: "\\u2028",
    0x2029: "\\u2029",
}


@dataclass(frozen=True)
class PageInfo:
    """What the site adapter knows about a page that its front matter does not."""

    url: str  # absolute canonical URL of the page
    breadcrumbs: tuple[tuple[str, str], ...]  # (name, absolute url), home page to this page
    lang: str  # BCP 47 language of the page
    image: tuple[str, int, int] | None  # absolute image URL, width, height
    modified: str  # dateModified: ISO date-time with its time zone


def script_tag(graph: Mapping[str, Any]) -> str:
    """The graph as a ``<script type="application/ld+json">`` element.

    ``<``, ``>``, ``&``, U+2028 and U+2029 can only occur inside JSON strings,
    where ``\\uXXXX`` means the same character, so escaping them changes no
    value while no title can close the element (``</script>``) or open a
    comment (``<!--``) inside it.
    """
    text = json.dumps(graph, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    return f'<script type="application/ld+json">{text.translate(_SCRIPT_ESCAPES)}</script>'


def build_graph(doc: Document, policy: Policy, page: PageInfo) -> dict[str, Any]:
    """The page's schema.org graph: ``{"@context": ..., "@graph": [...]}``."""
    page_url = _http_url(page.url)
    if page_url is None:
        raise ValueError(f"PageInfo.url must be an absolute http(s) URL, not {page.url!r}")
    modified = parse_datetime(page.modified)
    if modified is None or modified.tzinfo is None:
        raise ValueError(
            f"PageInfo.modified must be an ISO date-time with a time zone, not {page.modified!r}"
        )

    hospital = policy.hospital
    site_url = _http_url(hospital.get("url")) or page_url
    hospital_id = f"{site_url}#hospital"
    webpage_id = f"{page_url}#webpage"
    breadcrumb_id = f"{page_url}#breadcrumb"
    meta = doc.meta
    medical = doc.type in MEDICAL_TYPES

    people: dict[str, dict[str, Any]] = {}

    def person_refs(key: str) -> list[dict[str, str]]:
        refs = []
        for pid in _strings(meta.get(key)):
            person = policy.people.get(pid)
            if person is None:
                continue  # ref.unknown-person reports it
            node = people.setdefault(pid, _person(person, site_url))
            refs.append({"@id": node["@id"]})
        return refs

    webpage: dict[str, Any] = {
        "@type": "MedicalWebPage" if medical else "WebPage",
        "@id": webpage_id,
        "url": page_url,
        "name": doc.title,
    }
    _put(webpage, "description", _text(meta.get("description")))
    _put(webpage, "inLanguage", page.lang)
    _put(webpage, "lastReviewed", _date(meta.get("last_reviewed")))
    _put(webpage, "reviewedBy", person_refs("reviewed_by"))
    if medical:
        _put(webpage, "medicalAudience", _AUDIENCES.get(str(meta.get("audience"))))
    claim_id = f"{page_url}#claim"
    if doc.type == "myth":
        webpage["about"] = {"@id": claim_id}
    elif medical:
        webpage["about"] = {"@type": "Thing", "name": doc.title}
    line = policy.service_lines.get(str(meta.get("service_line")), {})
    specialty = line.get("specialty") if isinstance(line, Mapping) else None
    if isinstance(specialty, str) and _SPECIALTY.match(specialty):
        webpage["specialty"] = {"@id": f"{SCHEMA}/{specialty}"}
    webpage["breadcrumb"] = {"@id": breadcrumb_id}
    webpage["publisher"] = {"@id": hospital_id}

    nodes: list[dict[str, Any]] = [webpage]
    if doc.type == "myth":
        entity = _claim_review(doc, policy, page, page_url, claim_id, hospital_id)
    elif medical:
        published = _local_midnight(doc.date("published"), hospital.get("timezone"))
        entity = _article(
            doc, page, page_url, hospital_id, person_refs("authors"), published, modified
        )
    else:
        entity = None
    if entity is not None:
        _put(entity, "citation", [c for c in map(_citation, _mappings(meta.get("citations"))) if c])
        webpage["mainEntity"] = {"@id": entity["@id"]}
        nodes.append(entity)
    nodes.append(_hospital(hospital, hospital_id, site_url))
    nodes.extend(people.values())
    nodes.append(_breadcrumbs(page.breadcrumbs, breadcrumb_id))
    return {"@context": SCHEMA, "@graph": nodes}


# --------------------------------------------------------------------------
# Nodes
# --------------------------------------------------------------------------


def _article(
    doc: Document,
    page: PageInfo,
    page_url: str,
    hospital_id: str,
    authors: list[dict[str, str]],
    published: str | None,
    modified: dt.datetime,
) -> dict[str, Any]:
    meta = doc.meta
    node: dict[str, Any] = {
        "@type": "Article",
        "@id": f"{page_url}#article",
        "url": page_url,
        "headline": _clip(doc.title, HEADLINE_MAX),
    }
    _put(node, "description", _text(meta.get("description")))
    _put(node, "author", authors)
    _put(node, "datePublished", published)
    node["dateModified"] = modified.isoformat()
    if page.image is not None:
        _put(node, "image", _image(*page.image))
    _put(node, "inLanguage", page.lang)
    node["publisher"] = {"@id": hospital_id}
    if doc.type == "alert":
        ends = parse_datetime(meta.get("expires"))
        if ends is not None:
            node["expires"] = ends.isoformat()
    return node


def _claim_review(
    doc: Document, policy: Policy, page: PageInfo, page_url: str, claim_id: str, hospital_id: str
) -> dict[str, Any]:
    meta = doc.meta
    claim_text = _clip(_text(meta.get("claim")) or doc.title, CLAIM_MAX)
    seen = meta.get("claim_seen") if isinstance(meta.get("claim_seen"), Mapping) else {}
    appearance: dict[str, Any] = {"@type": "CreativeWork"}
    _put(appearance, "description", _text(seen.get("description")))
    _put(appearance, "url", _http_url(seen.get("url")))
    claim: dict[str, Any] = {"@type": "Claim", "@id": claim_id, "name": claim_text}
    if len(appearance) > 1:
        claim["appearance"] = appearance
    _put(claim, "datePublished", _date(seen.get("date")))

    node: dict[str, Any] = {
        "@type": "ClaimReview",
        "@id": f"{page_url}#claimreview",
        "url": page_url,
        "name": doc.title,
        "claimReviewed": claim_text,
        "itemReviewed": claim,
        "reviewRating": _rating(str(meta.get("verdict", "")), policy),
        "author": {"@id": hospital_id},
    }
    _put(node, "datePublished", _date(meta.get("published")))
    _put(node, "inLanguage", page.lang)
    node["publisher"] = {"@id": hospital_id}
    return node


def _rating(verdict: str, policy: Policy) -> dict[str, Any]:
    scale = [v for v in policy.editorial.get("verdicts") or [] if isinstance(v, Mapping)]
    rating: dict[str, Any] = {"@type": "Rating"}
    match = next((v for v in scale if v.get("id") == verdict), None)
    if match is None:  # an unknown verdict is an error elsewhere; say only what is known
        _put(rating, "alternateName", verdict)
        return rating
    ratings = [v["rating"] for v in scale]
    rating["ratingValue"] = match["rating"]
    rating["bestRating"] = max(ratings)
    rating["worstRating"] = min(ratings)
    rating["alternateName"] = match["label"]
    return rating


def _hospital(hospital: Mapping[str, Any], hospital_id: str, site_url: str) -> dict[str, Any]:
    node: dict[str, Any] = {"@type": "Hospital", "@id": hospital_id, "url": site_url}
    _put(node, "name", _text(hospital.get("name")))
    logo = hospital.get("logo")
    if isinstance(logo, Mapping):
        _put(node, "logo", _image(logo.get("url"), logo.get("width"), logo.get("height")))
    address = hospital.get("address")
    if isinstance(address, Mapping):
        postal: dict[str, Any] = {"@type": "PostalAddress"}
        for key, prop in (
            ("street", "streetAddress"),
            ("locality", "addressLocality"),
            ("region", "addressRegion"),
            ("postal_code", "postalCode"),
            ("country", "addressCountry"),
        ):
            _put(postal, prop, _text(address.get(key)))
        if len(postal) > 1:
            node["address"] = postal
    _put(node, "telephone", _text(hospital.get("telephone")))
    policies = hospital.get("policies")
    if isinstance(policies, Mapping):
        _put(node, "publishingPrinciples", _http_url(policies.get("publishing_principles")))
        _put(node, "correctionsPolicy", _http_url(policies.get("corrections")))
    return node


def _person(person: Person, site_url: str) -> dict[str, Any]:
    url = _http_url(person.url)
    node: dict[str, Any] = {
        "@type": "Person",
        "@id": url or f"{site_url}#person-{person.id}",
        "name": person.name,
    }
    _put(node, "url", url)
    _put(node, "jobTitle", person.job_title)
    _put(node, "honorificSuffix", person.honorific_suffix)
    _put(
        node,
        "hasCredential",
        [
            {"@type": "EducationalOccupationalCredential", "credentialCategory": c}
            for c in person.credentials
            if c
        ],
    )
    return node


def _breadcrumbs(crumbs: Iterable[tuple[str, str]], breadcrumb_id: str) -> dict[str, Any]:
    items = []
    for name, url in crumbs:
        target = _http_url(url)
        if target is None or not name:
            continue
        items.append(
            {"@type": "ListItem", "position": len(items) + 1, "name": name, "item": {"@id": target}}
        )
    return {"@type": "BreadcrumbList", "@id": breadcrumb_id, "itemListElement": items}


def _image(url: Any, width: Any, height: Any) -> dict[str, Any] | None:
    target = _http_url(url)
    if target is None:
        return None
    node: dict[str, Any] = {"@type": "ImageObject", "url": target}
    # schema.org 30.0 ranges width and height over QuantitativeValue and
    # Distance, not Number: pixels are a QuantitativeValue with a unit code.
    for key, value in (("width", width), ("height", height)):
        if isinstance(value, int) and not isinstance(value, bool) and value > 0:
            node[key] = {"@type": "QuantitativeValue", "value": value, "unitCode": PIXEL}
    return node


# --------------------------------------------------------------------------
# Citations (CSL-JSON items)
# --------------------------------------------------------------------------


def _citation(item: Mapping[str, Any]) -> dict[str, Any] | None:
    title = _text(item.get("title"))
    if not title:
        return None
    kind = _CSL_TYPES.get(str(item.get("type")), "CreativeWork")
    node: dict[str, Any] = {"@type": kind, "name": title}
    doi = _doi(item.get("DOI"))
    doi_url = f"https://doi.org/{quote(doi, safe='/:;()._-')}" if doi else None
    pmid = str(item.get("PMID", "")).strip()
    pmid = pmid if pmid.isdigit() else ""
    pmid_url = f"https://pubmed.ncbi.nlm.nih.gov/{pmid}/" if pmid else None
    url = _http_url(item.get("URL")) or doi_url or pmid_url
    _put(node, "url", url)
    _put(node, "author", [a for a in map(_csl_name, _mappings(item.get("author"))) if a])
    _put(node, "datePublished", _csl_date(item.get("issued")))
    container = _text(item.get("container-title"))
    if container and kind == "ScholarlyArticle":
        node["isPartOf"] = {"@type": "Periodical", "name": container}
    identifiers = []
    if doi:
        identifiers.append({"@type": "PropertyValue", "propertyID": "DOI", "value": doi})
    if pmid:
        identifiers.append({"@type": "PropertyValue", "propertyID": "PMID", "value": pmid})
    pmcid = _text(item.get("PMCID"))
    if pmcid and re.fullmatch(r"PMC\d+", pmcid):
        identifiers.append({"@type": "PropertyValue", "propertyID": "PMCID", "value": pmcid})
    _put(node, "identifier", identifiers)
    _put(node, "sameAs", [u for u in (doi_url, pmid_url) if u and u != url])
    return node


def _csl_name(name: Mapping[str, Any]) -> dict[str, str] | None:
    literal = _text(name.get("literal"))
    if literal:
        return {"@type": "Organization", "name": literal}
    parts = [
        _text(name.get(k))
        for k in ("given", "dropping-particle", "non-dropping-particle", "family")
    ]
    full = " ".join(p for p in parts if p)
    suffix = _text(name.get("suffix"))
    if suffix:
        full = f"{full}, {suffix}" if name.get("comma-suffix") else f"{full} {suffix}"
    return {"@type": "Person", "name": full} if full else None


def _csl_date(value: Any) -> str | None:
    """ISO 8601 for a CSL date: YYYY-MM-DD, YYYY-MM or YYYY, as precise as given."""
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:04d}" if 1000 <= value <= 2999 else None
    if isinstance(value, str):
        day = parse_date(value)
        if day is not None:
            return day.isoformat()
        return value if re.fullmatch(r"\d{4}(-\d{2})?", value) else None
    if isinstance(value, Mapping):
        parts = value.get("date-parts")
        if isinstance(parts, list) and parts and isinstance(parts[0], list) and parts[0]:
            try:
                numbers = [int(p) for p in parts[0][:3]]
            except (TypeError, ValueError):
                return None
            try:
                dt.date(numbers[0], *(numbers[1:] + [1, 1])[:2])
            except (ValueError, TypeError):
                return None
            return "-".join([f"{numbers[0]:04d}", *(f"{n:02d}" for n in numbers[1:])])
    return None


def _doi(value: Any) -> str:
    """A DOI without its resolver prefix, its case kept (DOIs compare case-blind)."""
    text = _text(value)
    lowered = text.lower()
    for prefix in _DOI_PREFIXES:
        if lowered.startswith(prefix):
            text = text[len(prefix) :].strip()
            break
    return text if re.fullmatch(r"10\.\d{4,9}/\S+", text) else ""


# --------------------------------------------------------------------------
# Values
# --------------------------------------------------------------------------


# Whitespace and control characters (C0 and DEL) never belong in a URL we emit.
_UNSAFE_URL_CHAR = re.compile(r"[\s\x00-\x1f\x7f]")


def _http_url(value: Any) -> str | None:
    """``value`` if it is an absolute http(s) URL, else None (principle 8)."""
    if not isinstance(value, str):
        return None
    text = value.strip()
    if not text or _UNSAFE_URL_CHAR.search(text):
        return None
    try:
        parts = urlsplit(text)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    return text


def _local_midnight(day: dt.date | None, timezone: Any) -> str | None:
    """The start of ``day`` in the hospital's time zone, which Google asks for on
    Article dates (without one it assumes Googlebot's); the bare date when the
    zone is unknown."""
    if day is None:
        return None
    try:
        zone = ZoneInfo(str(timezone))
    except (ZoneInfoNotFoundError, ValueError):
        return day.isoformat()
    return dt.datetime.combine(day, dt.time(0), tzinfo=zone).isoformat()


def _date(value: Any) -> str | None:
    day = parse_date(value)
    return day.isoformat() if day else None


def _text(value: Any) -> str:
    if isinstance(value, bool) or value is None:
        return ""
    if isinstance(value, int | float | str):
        return str(value).strip()
    return ""


def _clip(text: str, limit: int) -> str:
    """``text`` cut at a word boundary to at most ``limit`` characters."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:.-\u2013\u2014") + "\u2026"


def _strings(value: Any) -> list[str]:
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def _mappings(value: Any) -> list[Mapping[str, Any]]:
    return [v for v in value if isinstance(v, Mapping)] if isinstance(value, list) else []


def _put(node: dict[str, Any], key: str, value: Any) -> None:
    """Set ``key`` unless the value is empty: schema.org has no use for nulls."""
    if value is None or value == "" or value == [] or value == {}:
        return
    node[key] = value
