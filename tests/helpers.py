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


def run_cli(root: Path, *args: str, capsys=None) -> tuple[int, str, str]:
    """`carepress ARGS` run from ``root``: exit code, standard output, standard error."""
    import os

    from carepress.cli import main

    cwd = os.getcwd()
    os.chdir(root)
    try:
        code = main(list(args))
    finally:
        os.chdir(cwd)
    out, err = capsys.readouterr() if capsys else ("", "")
    return code, out, err


def rules(findings: list[Finding]) -> list[tuple[str, int]]:
    return [(f.rule, f.line) for f in findings]


# A page that passes every check; tests change one thing in it.
ARTICLE = """\
---
type: article
title: Test article about blood pressure
description: A short page used by the carepress tests to check one rule at a time.
service_line: heart
audience: patient
authors: [g-standin]
reviewed_by: [a-placeholder]
published: 2025-03-10
last_reviewed: 2026-09-15
next_review: 2029-06-15
citations:
  - id: cdc-hbp
    type: webpage
    title: High Blood Pressure Facts
    author:
      - literal: Centers for Disease Control and Prevention
    URL: https://www.cdc.gov/high-blood-pressure/data-research/facts-stats/index.html
    accessed: 2026-09-15
  - id: nhlbi-hbp
    type: webpage
    title: High Blood Pressure
    author:
      - literal: National Heart, Lung, and Blood Institute
    URL: https://www.nhlbi.nih.gov/health/high-blood-pressure
    accessed: 2026-09-15
revisions:
  - date: 2025-03-10
    by: g-standin
    kind: editorial
    summary: First published.
  - date: 2026-09-15
    by: a-placeholder
    kind: review
    summary: Annual clinical review.
approvals:
  - role: clinical
    by: a-placeholder
    date: 2026-09-15
---

# Test article

High blood pressure often has no signs [@cdc-hbp]. Get it checked each year [@nhlbi-hbp].
"""
