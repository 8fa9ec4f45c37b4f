"""Protected health information: the Safe Harbor identifiers, in the body and
in every piece of front-matter text that reaches readers or posts."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from functools import cache
from typing import Any
from urllib.parse import urlsplit

import phonenumbers

from ..model import Document, Finding, Severity, Span
from ..phi import PhiContext, PhiHit, scan
from ..policy import Policy
from . import Context, body_span, rule

# Front-matter fields whose text readers (or followers) see.
_TEXT_FIELDS: tuple[tuple[Any, ...], ...] = (
    ("title",), ("description",), ("claim",), ("claim_seen", "description"),
    ("image", "alt"), ("image", "caption"), ("social", "image", "alt"),
    ("sponsored", "partner"),
)


def _e164(number: str, region: str = "US") -> str | None:
    try:
        parsed = phonenumbers.parse(number, region)
    except phonenumbers.NumberParseException:
        return None
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


@cache
def base_context(policy: Policy) -> PhiContext:
    """What is public for this hospital: staff, its own contact details, agencies."""
    hospital = policy.hospital
    region = str(hospital.get("address", {}).get("country", "US"))
    phones = [hospital.get("telephone", "")] + [n["number"] for n in hospital.get("public_numbers", [])]
    domains = {urlsplit(hospital["url"]).hostname or ""} | set(hospital.get("public_domains", []))
    for tier in policy.sources["tiers"]:
        domains |= set(tier.get("domains", []))
    address = hospital.get("address", {})
    return PhiContext(
        staff_names=frozenset(p.name for p in policy.people.values()),
        allowed_phones=frozenset(e for e in (_e164(p, region) for p in phones if p) if e),
        allowed_emails=frozenset([hospital.get("email", ""), *hospital.get("public_emails", [])]) - {""},
        allowed_addresses=tuple(a for a in (address.get("street"),) if a),
        allowed_domains=frozenset(d for d in domains if d),
        region=region,
    )


def page_context(doc: Document, policy: Policy) -> PhiContext:
    base = base_context(policy)
    names: frozenset[str] = frozenset()
    if doc.type == "story":
        record = policy.consents.get(str(doc.meta.get("consent")), {})
        listed = doc.meta.get("consented_names")
        if record.get("scope", {}).get("first_name") and isinstance(listed, list):
            names = frozenset(n for n in listed if isinstance(n, str))
    from dataclasses import replace

    return replace(base, patient_context=doc.type == "story", allowed_names=names)


def _get(meta: Any, path: tuple[Any, ...]) -> Any:
    for part in path:
        if isinstance(meta, dict):
            meta = meta.get(part)
        else:
            return None
    return meta


def front_matter_texts(doc: Document) -> Iterator[tuple[tuple[Any, ...], str]]:
    for path in _TEXT_FIELDS:
        value = _get(doc.meta, path)
        if isinstance(value, str) and value:
            yield path, value
    for platform, text in ((doc.meta.get("social") or {}).get("text") or {}).items():
        if isinstance(text, str):
            yield ("social", "text", platform), text
    for i, entry in enumerate(doc.meta.get("revisions") or []):
        if isinstance(entry.get("summary"), str):
            yield ("revisions", i, "summary"), entry["summary"]
    for key, value in (doc.meta.get("values") or {}).items():
        if isinstance(value, str):
            yield ("values", key), value


def _value_span(doc: Document, path: tuple[Any, ...], value: str, hit: PhiHit) -> Span:
    """Where the hit's text sits in the file: on the value's line when it is there."""
    span = doc.span(*path)
    needle = value[hit.start : hit.end]
    lines = doc.source.split("\n")
    for number in range(span.line, min(span.end_line, len(lines)) + 1):
        column = lines[number - 1].find(needle)
        if column >= 0:
            return Span(number, column + 1, number, column + 1 + len(needle))
    return span


def _finding(doc: Document, hit: PhiHit, span: Span, where: str) -> Finding:
    return Finding(
        f"phi.{hit.kind}",
        Severity.ERROR if hit.severity == "error" else Severity.WARNING,
        doc.rel_path,
        span.line,
        span.column,
        span.end_line,
        span.end_column,
        hit.message + where,
        hit.hint,
        hit.kind,
    )


@rule("phi.*", types=("article", "myth", "story", "alert", "page"))
def phi(doc: Document, policy: Policy, ctx: Context) -> Iterable[Finding]:
    context = page_context(doc, policy)
    for hit in scan(doc.body, context):
        yield _finding(doc, hit, body_span(doc, hit.start, hit.end), "")
    for path, value in front_matter_texts(doc):
        for hit in scan(value, context):
            where = " (in '" + ".".join(str(p) for p in path) + "')"
            yield _finding(doc, hit, _value_span(doc, path, value, hit), where)
