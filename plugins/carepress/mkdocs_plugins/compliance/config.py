"""Settings of the carepress/compliance plugin (in mkdocs.yml)."""

from __future__ import annotations

from mkdocs.config import config_options as c
from mkdocs.config.base import Config


class ComplianceConfig(Config):
    enabled = c.Type(bool, default=True)
    """Turn every carepress check in the build on or off."""
    policy_dir = c.Type(str, default="policy")
    """The hospital's policy folder, relative to mkdocs.yml."""
    social_dir = c.Type(str, default="social")
    """Where social snippets and the calendar go, relative to mkdocs.yml (never inside the site)."""
    separate_process = c.Type(bool, default=True)
    """Check and describe pages in a second process while MkDocs renders
    (faster on two or more cores; more memory). Off: one process does all."""
    today = c.Optional(c.Type(str))
    """The build date (YYYY-MM-DD). Default: SOURCE_DATE_EPOCH, else today."""
