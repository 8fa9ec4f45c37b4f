"""The build-scoped store that the carepress plugins share (parse once).

The compliance plugin reads and checks every page once per build and keeps
the results here; the schema and social plugins read them instead of parsing
front matter again.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from .checker import CheckResult, PageResult
from .model import Document
from .policy import Policy


@dataclass
class BuildStore:
    root: Path
    docs_dir: Path
    policy: Policy
    today: dt.date
    now: dt.datetime
    site_url: str = ""
    lang: str = "en"
    result: CheckResult = field(default_factory=CheckResult)
    by_src_uri: dict[str, str] = field(default_factory=dict)
    by_dest_uri: dict[str, str] = field(default_factory=dict)

    @property
    def tz(self) -> dt.tzinfo:
        """The hospital's time zone, for dates shown and emitted."""
        from zoneinfo import ZoneInfo

        return ZoneInfo(str(self.policy.hospital.get("timezone", "UTC")))

    def page(self, src_uri: str) -> PageResult | None:
        rel = self.by_src_uri.get(src_uri)
        return self.result.pages.get(rel) if rel else None

    def withheld(self, src_uri: str) -> str:
        page = self.page(src_uri)
        return page.withheld if page else ""

    def document(self, src_uri: str) -> Document | None:
        page = self.page(src_uri)
        return page.document if page else None
