"""carepress/schema: structured data and sharing tags for every page.

A thin adapter over ``carepress.emit.jsonld`` and ``carepress.emit.meta``:
it reads the Documents the compliance plugin already parsed (parse once),
and hands the rendered, escaped tags to the theme layer's ``extrahead``
block through page metadata.
"""

from __future__ import annotations

import datetime as dt
import html
from pathlib import Path
from urllib.parse import urljoin

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, event_priority, get_plugin_logger
from mkdocs.structure.files import Files
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page

from ...emit.jsonld import PageInfo, build_graph, script_tag
from ...emit.meta import active_alerts_banner, image_for, meta_tags, robots_txt
from ...model import parse_date
from ...store import BuildStore
from ..theme import register as register_theme
from .config import SchemaConfig

log = get_plugin_logger(__name__)


class SchemaPlugin(BasePlugin[SchemaConfig]):
    supports_multiple_instances = False

    def _store(self, config: MkDocsConfig) -> BuildStore:
        compliance = config.plugins.get("carepress/compliance")
        store = getattr(compliance, "store", None)
        if store is None:
            raise PluginError(
                "carepress/schema needs the carepress/compliance plugin: add '- carepress/compliance' "
                "to plugins in mkdocs.yml, before carepress/schema."
            )
        return store

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
    def on_nav(self, nav: Navigation, *, config: MkDocsConfig, files: Files) -> Navigation | None:
        if not self.config.enabled:
            return None
        store = self._store(config)
        urls = {rel: urljoin(config.site_url, f.url) for f in files.documentation_pages()
                if (rel := store.by_src_uri.get(f.src_uri))}
        config.extra["carepress_banner"] = active_alerts_banner(store, urls)
        return nav

    @event_priority(-50)
    def on_page_context(self, context, *, page: Page, config: MkDocsConfig, nav: Navigation):
        if not self.config.enabled:
            return context
        store = self._store(config)
        doc = store.document(page.file.src_uri)
        result = store.page(page.file.src_uri)
        if doc is None or result is None or not result.valid or result.errors:
            return context  # only checked pages get structured data (the preview shows the rest)
        url = page.canonical_url or urljoin(config.site_url, page.url)
        lang = str(doc.meta.get("lang") or store.lang)
        crumbs = [(config.site_name, config.site_url)]
        for ancestor in reversed(page.ancestors):
            index = getattr(ancestor, "children", None) and next(
                (c for c in ancestor.children if getattr(c, "is_index", False)), None
            )
            if index is not None and index is not page:
                crumbs.append((ancestor.title, urljoin(config.site_url, index.url)))
        if not page.is_homepage:
            crumbs.append((doc.title, url))
        image = image_for(doc, store, page, config.site_url)
        last = parse_date(doc.meta.get("last_reviewed")) or store.today
        modified = dt.datetime.combine(last, dt.time(0), tzinfo=store.tz).isoformat()
        head = []
        withheld = store.withheld(page.file.src_uri)
        if doc.type in ("article", "myth", "story", "alert") and not withheld:
            info = PageInfo(url=url, breadcrumbs=tuple(crumbs), lang=lang, image=image, modified=modified)
            head.append(script_tag(build_graph(doc, store.policy, info)))
        head.append(meta_tags(doc, url, image, config.site_name, withheld=bool(withheld)))
        page.meta["carepress_head"] = "\n".join(head)
        page.meta["carepress_lang"] = lang
        return context

    def on_post_page(self, output: str, *, page: Page, config: MkDocsConfig) -> str | None:
        if not self.config.enabled:
            return None
        lang = page.meta.get("carepress_lang")
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
        target = Path(config.site_dir) / "robots.txt"
        if not (Path(config.docs_dir) / "robots.txt").exists():
            target.write_text(robots_txt(config.site_url), encoding="utf-8")
