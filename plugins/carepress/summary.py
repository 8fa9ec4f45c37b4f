"""What a reviewer needs to know about a page: who must sign off, what is missing."""

from __future__ import annotations

from .emit.report import PageSummary
from .model import Document
from .policy import Policy


def required_roles(doc: Document, policy: Policy) -> list[str]:
    """Approval roles the page needs, in the order policy lists them."""
    roles = list(policy.type_rules(doc.type).get("required_approvals", []))
    if doc.meta.get("sponsored"):
        roles += [r for r in policy.editorial.get("sponsored_approvals", []) if r not in roles]
    return roles


def reviewers_needed(doc: Document, policy: Policy) -> list[str]:
    line = policy.service_lines.get(str(doc.meta.get("service_line")), {})
    out = []
    for pid in line.get("owners", []):
        person = policy.people.get(pid)
        handle = f" (@{person.github})" if person and person.github else ""
        out.append(f"{person.display if person else pid}{handle}")
    credentials = line.get("required_credentials", [])
    if credentials:
        out.append("a reviewer holding " + " or ".join(credentials))
    return out


def page_summary(doc: Document, policy: Policy) -> PageSummary:
    approvals = doc.meta.get("approvals") or []
    present_roles = {a.get("role") for a in approvals}
    present = tuple(f"{a.get('role')} ({a.get('by')}, {a.get('date')})" for a in approvals)
    missing = tuple(r for r in required_roles(doc, policy) if r not in present_roles)
    return PageSummary(
        path=doc.rel_path,
        title=doc.title,
        type=doc.type,
        service_line=str(doc.meta.get("service_line", "")),
        reviewers_needed=tuple(reviewers_needed(doc, policy)),
        approvals_present=present,
        approvals_missing=missing,
        last_reviewed=str(doc.meta.get("last_reviewed", "")),
        next_review=str(doc.meta.get("next_review", "")),
    )
