"""Sources: where evidence may come from, whether its locators are well formed,
how old it is, and whether it has been retracted."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from functools import cache, lru_cache
from typing import Any
from urllib.parse import urlsplit

from ..model import Document, Finding, Severity, parse_date
from ..policy import Policy, normalise_doi
from . import Context, finding, rule

# Crossref's recommended pattern for modern DOIs (matches 74.4M of 74.9M).
DOI_PATTERN = re.compile(r"^10\.\d{4,9}/[-._;()/:A-Z0-9]+$", re.I)
PMID_PATTERN = re.compile(r"^[1-9]\d{0,8}$")
PMCID_PATTERN = re.compile(r"^PMC\d{1,9}$")


@lru_cache(maxsize=8192)  # a site cites the same sources on many pages
def host(url: str) -> str:
    try:
        return (urlsplit(url.strip()).hostname or "").lower().rstrip(".")
    except ValueError:
        return ""


def domain_in(hostname: str, domains: Iterable[str]) -> str | None:
    """The listed domain that ``hostname`` is, or is a subdomain of."""
    for domain in domains:
        d = domain.lower()
        if hostname == d or hostname.endswith("." + d):
            return domain
    return None


@cache
def _tier_table(policy: Policy) -> tuple[tuple[str, int, tuple[str, ...], bool], ...]:
    return tuple(
        (t["name"], t["rank"], tuple(t.get("domains", ())), bool(t.get("peer_reviewed")))
        for t in sorted(policy.sources["tiers"], key=lambda t: t["rank"])
    )


def tier_of(item: Mapping[str, Any], policy: Policy) -> tuple[str, int] | None:
    """The best tier a citation belongs to, by its URL's domain or its DOI/PMID."""
    hostname = host(str(item.get("URL", "")))
    has_id = bool(item.get("DOI") or item.get("PMID"))
    for name, rank, domains, peer_reviewed in _tier_table(policy):
        if hostname and domain_in(hostname, domains):
            return name, rank
        if peer_reviewed and has_id:
            return name, rank
    return None


@rule(
    "source.bad-scheme", "source.insecure-url", "source.blocked-domain", "source.shortener",
    "source.social-media", "source.untrusted-domain", "source.no-locator",
)
def source_urls(doc: Document, policy: Policy, ctx: Context) -> Iterable[Finding]:
    sources = policy.sources
    for i, item in enumerate(doc.meta.get("citations") or []):
        url = str(item.get("URL", "")).strip()
        where = ("citations", i, "URL")
        if not url:
            if not (item.get("DOI") or item.get("PMID") or item.get("PMCID")):
                yield finding(
                    "source.no-locator", doc, ("citations", i, "id"),
                    f"Citation '{item.get('id')}' has no URL, DOI or PMID, so readers cannot find it.",
                    "Add the source's https URL, or its DOI or PMID.",
                    severity=Severity.WARNING,
                )
            continue
        scheme = url.split(":", 1)[0].lower() if ":" in url else ""
        if scheme in ("http", "https") and not host(url):
            yield finding(
                "source.bad-scheme", doc, where,
                f"Citation '{item.get('id')}' has a URL with no site name: {url!r}.",
                "Write the full address, such as https://www.cdc.gov/... (two slashes after https:).",
            )
            continue
        if scheme not in ("http", "https"):
            yield finding(
                "source.bad-scheme", doc, where,
                f"Citation '{item.get('id')}' has a URL that is not a web address ({scheme or 'no scheme'}:).",
                "Give the source's https:// address.",
            )
            continue
        if scheme != "https":
            yield finding(
                "source.insecure-url", doc, where,
                f"Citation '{item.get('id')}' uses http://, not https://.",
                "Use the https:// address of the source (most sites serve both).",
            )
        hostname = host(url)
        if blocked := domain_in(hostname, sources["blocked_domains"]):
            yield finding(
                "source.blocked-domain", doc, where,
                f"Citation '{item.get('id')}' is from {blocked}, which the hospital's policy does not accept as evidence.",
                "Cite a government, peer-reviewed or professional-society source instead.",
            )
        elif shortener := domain_in(hostname, sources["shorteners"]):
            yield finding(
                "source.shortener", doc, where,
                f"Citation '{item.get('id')}' uses the URL shortener {shortener}, which hides the real source.",
                "Open the link and cite the address it leads to.",
            )
        elif social := domain_in(hostname, sources["social_media"]):
            yield finding(
                "source.social-media", doc, where,
                f"Citation '{item.get('id')}' is a social-media post ({social}); posts are not evidence.",
                "Cite the study or agency page the post is about.",
            )
        elif tier_of(item, policy) is None:
            yield finding(
                "source.untrusted-domain", doc, where,
                f"Citation '{item.get('id')}' is from {hostname}, which is in none of the source tiers in policy/sources.yml.",
                "Prefer a government, peer-reviewed or professional-society source, or ask the "
                "editorial lead to add this domain to a tier.",
                severity=Severity(sources["untrusted_severity"]),
            )


@rule("source.doi-syntax", "source.pmid-syntax", "source.pmcid-syntax")
def identifiers(doc: Document, policy: Policy, ctx: Context) -> Iterable[Finding]:
    for i, item in enumerate(doc.meta.get("citations") or []):
        if "DOI" in item:
            doi = normalise_doi(str(item["DOI"]))
            if not DOI_PATTERN.match(doi):
                yield finding(
                    "source.doi-syntax", doc, ("citations", i, "DOI"),
                    f"Citation '{item.get('id')}': {item['DOI']!r} is not a DOI.",
                    "A DOI looks like 10.7326/M18-2101 (a https://doi.org/ prefix is fine).",
                )
        if "PMID" in item and not PMID_PATTERN.match(str(item["PMID"]).strip()):
            yield finding(
                "source.pmid-syntax", doc, ("citations", i, "PMID"),
                f"Citation '{item.get('id')}': {item['PMID']!r} is not a PubMed id.",
                "A PMID is digits only, such as \"30831578\".",
            )
        if "PMCID" in item and not PMCID_PATTERN.match(str(item["PMCID"]).strip()):
            yield finding(
                "source.pmcid-syntax", doc, ("citations", i, "PMCID"),
                f"Citation '{item.get('id')}': {item['PMCID']!r} is not a PubMed Central id.",
                "A PMCID is PMC followed by digits, such as PMC6712345.",
            )


@rule("source.too-few", "source.too-few-top-tier")
def citation_counts(doc: Document, policy: Policy, ctx: Context) -> Iterable[Finding]:
    rules = policy.type_rules(doc.type)
    items = doc.meta.get("citations") or []
    minimum = rules.get("min_citations", 0)
    if len(items) < minimum:
        yield finding(
            "source.too-few", doc, ("citations",),
            f"A{'n' if doc.type[0] in 'aeiou' else ''} {doc.type} needs at least {minimum} citations; this page has {len(items)}.",
            "Cite the sources that support the page's medical statements.",
        )
    top_rank = policy.sources["top_tier_rank"]
    top = sum(1 for item in items if (t := tier_of(item, policy)) and t[1] <= top_rank)
    need = rules.get("min_top_tier_citations", 0)
    if top < need:
        names = ", ".join(name for name, rank, _, _ in _tier_table(policy) if rank <= top_rank)
        yield finding(
            "source.too-few-top-tier", doc, ("citations",),
            f"A{'n' if doc.type[0] in 'aeiou' else ''} {doc.type} needs at least {need} top-tier citations ({names}); this page has {top}.",
            "Add government public-health or peer-reviewed sources (with a DOI or PMID).",
        )


def source_date(item: Mapping[str, Any]) -> dt.date | None:
    """The date a source's age counts from: when issued, else when accessed."""
    for key in ("issued", "accessed"):
        value = item.get(key)
        if isinstance(value, int):
            return dt.date(value, 12, 31)
        if isinstance(value, dict) and value.get("date-parts"):
            try:
                parts = [int(p) for p in value["date-parts"][0]]
                # A year alone counts from its last day, as an integer year does.
                year, month, day = (parts + [12, 31])[:3] if len(parts) == 1 else (parts + [28])[:3]
                return dt.date(year, month, day)
            except (ValueError, OverflowError, TypeError, IndexError):
                return None  # source.citation-format names the problem
        if (parsed := parse_date(value)) is not None:
            return parsed
    return None


def years_after(when: dt.date, years: float) -> dt.date:
    """The calendar date ``years`` after ``when`` (29 February becomes the 28th)."""
    whole = int(years)
    try:
        moved = when.replace(year=when.year + whole)
    except ValueError:
        moved = when.replace(year=when.year + whole, day=28)
    return moved + dt.timedelta(days=round((years - whole) * 365.25))


@rule("source.too-old")
def source_age(doc: Document, policy: Policy, ctx: Context) -> Iterable[Finding]:
    limits = policy.sources["age"].get(doc.type, {})
    for i, item in enumerate(doc.meta.get("citations") or []):
        when = source_date(item)
        if when is None:
            continue
        years = (ctx.today - when).days / 365.25
        key = "issued" if "issued" in item else "accessed"
        if when > ctx.today:
            yield finding(
                "source.future-date", doc, ("citations", i, key),
                f"Citation '{item.get('id')}' is dated {when.isoformat()}, after today ({ctx.today.isoformat()}).",
                "Give the date the source was issued (or last read).",
            )
            continue
        for level, severity in (("error_years", Severity.ERROR), ("warn_years", Severity.WARNING)):
            limit = limits.get(level)
            # Calendar years: a source exactly at the limit is within it.
            if limit is not None and ctx.today > years_after(when, limit):
                yield finding(
                    "source.too-old", doc, ("citations", i, key),
                    f"Citation '{item.get('id')}' is {years:.1f} years old (from {when.isoformat()}); "
                    f"the limit for a{'n' if doc.type[0] in 'aeiou' else ''} {doc.type} is {limit} years.",
                    "Cite a current source, or re-read the web page and update 'accessed'.",
                    severity=severity,
                )
                break


@rule("source.citation-format")
def citation_format(doc: Document, policy: Policy, ctx: Context) -> Iterable[Finding]:
    """Every citation must be one the references section can print: the same
    conversion the page's AMA list uses, run at check time (fail early, not
    in the build)."""
    from ..emit.references import csl_problem

    for i, item in enumerate(doc.meta.get("citations") or []):
        problem = csl_problem(item, f"item{i}")
        if problem is not None:
            yield finding(
                "source.citation-format", doc, ("citations", i),
                f"Citation '{item.get('id')}' cannot be printed as a reference: {problem}.",
                "Give dates as YYYY-MM-DD, a year, or date-parts such as [[2019, 4, 16]] with a real month and day; "
                "give authors as family and given names, or literal for an organisation.",
            )


@rule("source.retracted")
def retracted(doc: Document, policy: Policy, ctx: Context) -> Iterable[Finding]:
    for i, item in enumerate(doc.meta.get("citations") or []):
        hit = None
        key = "DOI"
        if "DOI" in item:
            hit = policy.retractions_by_doi.get(normalise_doi(str(item["DOI"])))
        if hit is None and "PMID" in item:
            hit = policy.retractions_by_pmid.get(str(item["PMID"]).strip())
            key = "PMID"
        if hit is not None:
            notice = f" (notice doi:{hit.retraction_doi})" if hit.retraction_doi else ""
            yield finding(
                "source.retracted", doc, ("citations", i, key),
                f"Citation '{item.get('id')}' was retracted: {hit.nature} on {hit.date}{notice}.",
                "Remove the retracted work and cite current evidence instead.",
            )
