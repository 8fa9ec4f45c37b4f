"""carepress/schema: structured data and sharing tags for every page.

A thin adapter: the build job (``carepress.buildjob``) renders each page's
JSON-LD and sharing tags from the front matter it already read (parse once),
once the navigation has given the page its address and trail; this plugin
hands the escaped tags to the theme layer's ``extrahead`` block through page
metadata.
"""

from __future__ import annotations

import html
from pathlib import Path

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, event_priority
from mkdocs.structure.files import Files
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page

from ..compliance.plugin import pipeline_of
from ..theme import register as register_theme
from .config import SchemaConfig


class SchemaPlugin(BasePlugin[SchemaConfig]):
    supports_multiple_instances = False

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig | None:
        if not self.config.enabled:
            return None
        register_theme(config)
        if not config.site_url:
            raise PluginError(
                "carepress/schema needs site_url in mkdocs.yml: structured data and sharing tags use absolute URLs."
            )
        return config

    @event_priority(-50)
    def on_env(self, env, *, config: MkDocsConfig, files: Files):  # noqa: ANN001, ANN201 - MkDocs' signature
        if not self.config.enabled:
            return env
        compliance = config.plugins.get("carepress/compliance")
        pipeline = pipeline_of(config, "carepress/schema")
        compliance.ask(lambda: pipeline.wait(lambda: pipeline.banner is not None))
        config.extra["carepress_banner"] = pipeline.banner
        return env

    @event_priority(-50)
    def on_page_context(self, context, *, page: Page, config: MkDocsConfig, nav: Navigation):  # noqa: ANN001, ANN201
        if not self.config.enabled:
            return context
        compliance = config.plugins.get("carepress/compliance")
        pipeline = pipeline_of(config, "carepress/schema")
        rel = compliance.by_src_uri.get(page.file.src_uri)
        made = compliance.ask(lambda: pipeline.head(rel)) if rel else None
        if made is not None and made[0] is not None:
            page.meta["carepress_head"], page.meta["carepress_lang"] = made[0], made[1]
        return context

    def on_post_page(self, output: str, *, page: Page, config: MkDocsConfig) -> str | None:
        if not self.config.enabled:
            return None
        # Written into the page now; MkDocs keeps every page's meta to the end.
        page.meta.pop("carepress_head", None)
        lang = page.meta.pop("carepress_lang", None)
        site_lang = str(config.theme.get("language") or "en")
        if lang and lang != site_lang:
            # The <html> tag sits outside Material's blocks; one replacement in
            # the first bytes of the page, not a parse.
            head, rest = output[:400], output[400:]
            output = head.replace(f'<html lang="{site_lang}"', f'<html lang="{html.escape(lang)}"', 1) + rest
        return output

    def on_post_build(self, *, config: MkDocsConfig) -> None:
        if not self.config.enabled or not self.config.robots_txt:
            return
        from ...emit.meta import robots_txt

        target = Path(config.site_dir) / "robots.txt"
        if not (Path(config.docs_dir) / "robots.txt").exists():
            target.write_text(robots_txt(config.site_url), encoding="utf-8")
