"""Settings of the carepress/schema plugin (in mkdocs.yml)."""

from __future__ import annotations

from mkdocs.config import config_options as c
from mkdocs.config.base import Config


class SchemaConfig(Config):
    enabled = c.Type(bool, default=True)
    """Emit JSON-LD, Open Graph and Twitter card tags, the alert banner and robots.txt."""
    robots_txt = c.Type(bool, default=True)
    """Write robots.txt pointing at the sitemap (unless the docs folder has its own)."""
