"""Settings of the carepress/social plugin (in mkdocs.yml)."""

from __future__ import annotations

from mkdocs.config import config_options as c
from mkdocs.config.base import Config


class SocialConfig(Config):
    enabled = c.Type(bool, default=True)
    """Write snippets, the calendar and the preview into social_dir after each build."""
