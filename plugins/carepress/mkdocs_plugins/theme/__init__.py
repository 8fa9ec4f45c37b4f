"""carepress's theme layer: a few Material blocks and the sitemap.

Every carepress plugin registers this folder ahead of the theme's own
templates (but behind a site's ``custom_dir``), once per build.
"""

from __future__ import annotations

from pathlib import Path

from mkdocs.config.defaults import MkDocsConfig

THEME_DIR = str(Path(__file__).parent)


def register(config: MkDocsConfig) -> None:
    dirs = config.theme.dirs
    if THEME_DIR in dirs:
        return
    custom = config.theme.custom_dir
    position = 1 if custom and dirs and dirs[0] == custom else 0
    dirs.insert(position, THEME_DIR)
    if "sitemap.xml" not in config.theme.static_templates:
        config.theme.static_templates.add("sitemap.xml")
