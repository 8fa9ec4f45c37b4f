"""carepress's theme layer: a few Material blocks and the sitemap.

Every carepress plugin registers this folder ahead of the theme's own
templates (but behind a site's ``custom_dir``), once per build.
"""

from __future__ import annotations

from pathlib import Path

from mkdocs.config.defaults import MkDocsConfig

THEME_DIR = str(Path(__file__).parent)
STYLESHEET = "assets/carepress.css"


def register(config: MkDocsConfig) -> None:
    dirs = config.theme.dirs
    if THEME_DIR in dirs:
        return
    custom = config.theme.custom_dir
    position = 1 if custom and dirs and dirs[0] == custom else 0
    dirs.insert(position, THEME_DIR)
    if "sitemap.xml" not in config.theme.static_templates:
        config.theme.static_templates.add("sitemap.xml")
    if STYLESHEET not in config.extra_css:
        config.extra_css.insert(0, STYLESHEET)  # first, so a site's own extra_css can override it
