"""Approvals: the sign-offs each content type needs, by the right people, in order."""

from __future__ import annotations

from collections.abc import Iterable

from ..model import Document, Finding, parse_date
from ..policy import Policy
from ..summary import required_roles
from . import Context, finding, rule


@rule("approval.missing")
def missing(doc: Document, policy: Policy, ctx: Context) -> Iterable[Finding]:
    present = {a.get("role") for a in doc.meta.get("approvals") or []}
    for role in required_roles(doc, policy):
        if role not in present:
            holders = [p.id for p in policy.people.values() if role in p.roles]
            why = " (sponsored content)" if role in policy.editorial["sponsored_approvals"] and doc.meta.get("sponsored") else ""
            yield finding(
                "approval.missing", doc, ("approvals",),
                f"A{'n' if doc.type[0] in 'aeiou' else ''} {doc.type} needs a '{role}' approval{why}; there is none.",
                f"Ask {' or '.join(holders) or 'the person holding that role'} to approve, then add "
                f"'- role: {role}' with 'by' and 'date' under approvals.",
            )


@rule("approval.not-authorised", "approval.future")
def approvers(doc: Document, policy: Policy, ctx: Context) -> Iterable[Finding]:
    for i, approval in enumerate(doc.meta.get("approvals") or []):
        person = policy.people.get(approval.get("by"))
        role = approval.get("role")
        if person is not None and role not in person.roles:
            yield finding(
                "approval.not-authorised", doc, ("approvals", i, "by"),
                f"{person.display} does not hold the '{role}' role, so cannot give this approval.",
                f"Ask someone with the '{role}' role in policy/people.yml.",
            )
        when = parse_date(approval.get("date"))
        if when and when > ctx.today:
            yield finding(
                "approval.future", doc, ("approvals", i, "date"),
                f"The '{role}' approval is dated {when.isoformat()}, after today.",
                "Date the approval on the day it was given.",
            )


@rule("approval.order")
def order(doc: Document, policy: Policy, ctx: Context) -> Iterable[Finding]:
    rules = policy.type_rules(doc.type)
    if not rules.get("approval_order"):
        return
    chain = list(rules.get("required_approvals", []))
    approvals = [(i, a) for i, a in enumerate(doc.meta.get("approvals") or []) if a.get("role") in chain]
    previous_rank, previous_date, previous_role = -1, None, ""
    for i, approval in approvals:
        role = approval["role"]
        rank = chain.index(role)
        when = parse_date(approval.get("date"))
        if rank < previous_rank:
            yield finding(
                "approval.order", doc, ("approvals", i),
                f"The '{role}' approval is listed after '{previous_role}', but the chain "
                f"{' -> '.join(chain)} puts it first.",
                "List the approvals in the chain's order.",
            )
        elif when and previous_date and when < previous_date:
            yield finding(
                "approval.order", doc, ("approvals", i),
                f"The '{role}' approval is dated {when.isoformat()}, before the '{previous_role}' approval "
                f"({previous_date.isoformat()}) that comes before it in the chain {' -> '.join(chain)}.",
                "Each approval is given on or after the one before it in the chain.",
            )
        previous_rank, previous_date, previous_role = rank, when or previous_date, role
