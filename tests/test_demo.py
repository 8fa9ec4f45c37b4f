"""The demo hospital passes every check today and through 2028."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from carepress.checker import check_pages, discover, read_pages

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def demo_pages():
    return read_pages(ROOT, discover(ROOT / "content"))


def test_demo_has_sixteen_pages_across_all_types(demo_pages):
    types = [p.document.meta.get("type") for p in demo_pages.values()]
    assert sum(t in ("article", "myth", "story", "alert") for t in types) >= 16
    assert {"article", "myth", "story", "alert"} <= set(types)


def test_demo_spans_four_service_lines(demo_pages):
    lines = {p.document.meta.get("service_line") for p in demo_pages.values()} - {None}
    assert len(lines) >= 4


@pytest.mark.parametrize("day", ["2026-11-24", "2027-06-30", "2028-06-30", "2028-12-31"])
def test_demo_is_clean_through_2028(demo_pages, policy, day):
    result = check_pages(demo_pages, policy, dt.date.fromisoformat(day))
    problems = [f for f in result.findings if f.severity.value in ("error", "warning")]
    assert problems == []
