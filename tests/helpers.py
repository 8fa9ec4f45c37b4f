"""Small helpers the tests share."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from carepress.checker import check_pages
from carepress.frontmatter import read_text
from carepress.model import Finding
from carepress.policy import Policy

TODAY = dt.date(2026, 11, 24)


def line_of(text: str, needle: str, occurrence: int = 1) -> int:
    """The 1-based line of the n-th line containing ``needle``."""
    seen = 0
    for number, line in enumerate(text.split("\n"), start=1):
        if needle in line:
            seen += 1
            if seen == occurrence:
                return number
    raise AssertionError(f"{needle!r} not in text")


def check_text(
    text: str, policy: Policy, rel: str = "content/articles/test.md", today: dt.date = TODAY,
    others: dict[str, str] | None = None,
) -> list[Finding]:
    pages = {rel: read_text(text, Path(rel), rel)}
    for other_rel, other_text in (others or {}).items():
        pages[other_rel] = read_text(other_text, Path(other_rel), other_rel)
    result = check_pages(pages, policy, today)
    return [f for f in result.findings if f.path == rel]


def rules(findings: list[Finding]) -> list[tuple[str, int]]:
    return [(f.rule, f.line) for f in findings]
