"""References between a page and the policy, and between the body and its citations."""

from __future__ import annotations

import difflib
from collections.abc import Iterable

from ..emit.references import number_citations
from ..model import Document, Finding, Severity
from ..policy import Policy
from . import Context, body_span, finding, rule


def _person_paths(doc: Document) -> Iterable[tuple[tuple[object, ...], str, str]]:
    for field in ("authors", "reviewed_by"):
        for i, pid in enumerate(doc.meta.get(field) or []):
            yield (field, i), pid, field
    for field in ("revisions", "approvals"):
        for i, entry in enumerate(doc.meta.get(field) or []):
            yield (field, i, "by"), entry.get("by", ""), f"{field}[{i}].by"
    for i, entry in enumerate(doc.meta.get("suppress") or []):
        yield ("suppress", i, "approved_by"), entry.get("approved_by", ""), f"suppress[{i}].approved_by"
    sponsored = doc.meta.get("sponsored") or {}
    if sponsored.get("advice_by"):
        yield ("sponsored", "advice_by"), sponsored["advice_by"], "sponsored.advice_by"


def _suggest(value: str, known: Iterable[str]) -> str:
    close = difflib.get_close_matches(value, list(known), n=1)
    return f" Did you mean '{close[0]}'?" if close else ""


@rule("ref.unknown-person")
def unknown_person(doc: Document, policy: Policy, ctx: Context) -> Iterable[Finding]:
    for path, pid, field in _person_paths(doc):
        if pid not in policy.people:
            yield finding(
                "ref.unknown-person",
                doc,
                path,
                f"'{field}' names '{pid}', who is not in policy/people.yml.",
                "Use a person's id from policy/people.yml, or add the person there first."
                + _suggest(pid, policy.people),
            )


@rule("ref.unknown-service-line")
def unknown_service_line(doc: Document, policy: Policy, ctx: Context) -> Iterable[Finding]:
    value = doc.meta.get("service_line")
    if value not in policy.service_lines:
        yield finding(
            "ref.unknown-service-line",
            doc,
            ("service_line",),
            f"'service_line' is '{value}', which is not in policy/service-lines.yml.",
            "Use one of: " + ", ".join(policy.service_lines) + "." + _suggest(str(value), policy.service_lines),
        )


@rule("ref.unknown-consent", types=("story",))
def unknown_consent(doc: Document, policy: Policy, ctx: Context) -> Iterable[Finding]:
    value = doc.meta.get("consent")
    if value not in policy.consents:
        yield finding(
            "ref.unknown-consent",
            doc,
            ("consent",),
            f"'consent' is '{value}', which is not a consent record in policy/consents.yml.",
            "Ask the privacy office for the story's consent record id; a story cannot be "
            "published without one." + _suggest(str(value), policy.consents),
        )


@rule("ref.unknown-template", types=("alert",))
def unknown_template(doc: Document, policy: Policy, ctx: Context) -> Iterable[Finding]:
    name = doc.meta.get("template")
    template = policy.alert_templates.get(str(name))
    if template is None:
        yield finding(
            "ref.unknown-template",
            doc,
            ("template",),
            f"'template' is '{name}', which is not in policy/alert-templates/.",
            "Use one of: " + ", ".join(sorted(policy.alert_templates)) + "."
            + _suggest(str(name), policy.alert_templates),
        )
        return
    values = doc.meta.get("values") or {}
    for placeholder in template.get("placeholders", {}):
        if placeholder not in values:
            yield finding(
                "ref.template-value",
                doc,
                ("values",),
                f"The alert template '{name}' needs a value for '{placeholder}'.",
                f"Add '{placeholder}:' under 'values:' ({template['placeholders'][placeholder]}).",
            )


@rule("ref.citation-duplicate", "ref.citation-undefined", "ref.citation-unused")
def citations(doc: Document, policy: Policy, ctx: Context) -> Iterable[Finding]:
    seen: dict[str, int] = {}
    for i, item in enumerate(doc.meta.get("citations") or []):
        cid = item.get("id")
        if cid in seen:
            yield finding(
                "ref.citation-duplicate",
                doc,
                ("citations", i, "id"),
                f"Citation id '{cid}' is used twice (first as citations[{seen[cid]}]).",
                "Give each citation its own id, or delete the repeated one.",
            )
        else:
            seen[cid] = i
    numbered = number_citations(doc.body, seen)
    for cid, offset in numbered.unknown:
        yield finding(
            "ref.citation-undefined",
            doc,
            body_span(doc, offset, offset + len(cid) + 1),
            f"The body cites [@{cid}], but no citation has the id '{cid}'.",
            "Add the source under 'citations:' with this id, or fix the id."
            + _suggest(cid, seen),
        )
    cited = set(numbered.order)
    for cid, i in seen.items():
        if cid not in cited:
            yield finding(
                "ref.citation-unused",
                doc,
                ("citations", i, "id"),
                f"Citation '{cid}' is never cited in the body.",
                f"Cite it where it supports the text with [@{cid}], or remove it.",
                severity=Severity.ERROR,
            )
