"""Sponsor disclosure: a partner page says so, in words readers understand."""

from __future__ import annotations

from collections.abc import Iterable

from ..model import Document, Finding
from ..policy import Policy
from . import Context, finding, rule


def _starts_with_word(text: str, word: str) -> bool:
    """``text`` starts with ``word`` as a whole word ('#ad', not '#adventure')."""
    return text.startswith(word) and (len(text) == len(word) or not text[len(word)].isalnum())


def _uses(text: str, word: str) -> bool:
    return any(_starts_with_word(text[i:], word) and (i == 0 or not text[i - 1].isalnum())
               for i in range(len(text)) if text.startswith(word, i))


def accepted_disclosure(text: str, policy: Policy) -> bool:
    """True when ``text`` starts with an accepted wording and uses no rejected one anywhere."""
    words = policy.editorial["disclosures"]
    lowered = text.strip().lower()
    if any(_uses(lowered, bad.lower()) for bad in words["rejected"]):
        return False
    return any(_starts_with_word(lowered, ok.lower()) for ok in words["accepted"])


@rule("disclosure.missing", "disclosure.partner-credential")
def disclosure(doc: Document, policy: Policy, ctx: Context) -> Iterable[Finding]:
    sponsored = doc.meta.get("sponsored")
    if not sponsored:
        return
    text = str(sponsored.get("disclosure", ""))
    if not accepted_disclosure(text, policy):
        accepted = ", ".join(f"'{w}'" for w in policy.editorial["disclosures"]["accepted"])
        yield finding(
            "disclosure.missing", doc, ("sponsored", "disclosure"),
            f"The disclosure {text!r} does not clearly say the page is sponsored.",
            f"Start it with an accepted wording: {accepted} (for example 'Paid partnership with "
            f"{sponsored.get('partner', 'the partner')}').",
        )
    adviser = sponsored.get("advice_by")
    if adviser:
        person = policy.people.get(adviser)
        if person is not None and (not person.verified or not person.credentials):
            yield finding(
                "disclosure.partner-credential", doc, ("sponsored", "advice_by"),
                f"The partner giving health advice, {person.display}, has no verified credential in policy/people.yml.",
                "Verify the partner's credentials and record them in policy/people.yml, or remove the advice.",
            )
