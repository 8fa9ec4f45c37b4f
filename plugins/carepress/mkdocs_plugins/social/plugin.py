"""carepress/social: snippets and the content calendar from the same build.

A thin adapter over ``carepress.emit.social_outputs``. The output goes to
``social_dir`` (beside mkdocs.yml, never inside the site: planned posts are
not public before their time), or to ``CAREPRESS_SOCIAL_DIR`` when the
atomic build script stages it.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urljoin

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, event_priority, get_plugin_logger
from mkdocs.structure.files import Files

from ...emit.social_outputs import social_files, write_files
from ...model import Document, Severity
from ..compliance.plugin import format_finding
from ..leaks import leak_scan
from .config import SocialConfig

log = get_plugin_logger(__name__)


class SocialPlugin(BasePlugin[SocialConfig]):
    supports_multiple_instances = False

    def __init__(self) -> None:
        self.urls: dict[str, str] = {}

    def on_files(self, files: Files, *, config: MkDocsConfig) -> Files | None:
        if not self.config.enabled:
            return None
        compliance = config.plugins.get("carepress/compliance")
        store = getattr(compliance, "store", None)
        if store is None:
            raise PluginError("carepress/social needs the carepress/compliance plugin before it in mkdocs.yml.")
        self.urls = {
            rel: urljoin(config.site_url or "", f.url)
            for f in files.documentation_pages()
            if (rel := store.by_src_uri.get(f.src_uri))
        }
        return files

    @event_priority(-90)
    def on_post_build(self, *, config: MkDocsConfig) -> None:
        if not self.config.enabled:
            return
        compliance = config.plugins["carepress/compliance"]
        store = compliance.store
        target = Path(os.environ.get("CAREPRESS_SOCIAL_DIR") or store.root / compliance.config.social_dir)

        def page_url(doc: Document) -> str:
            return self.urls.get(doc.rel_path, config.site_url or "")

        run = social_files(store.result.pages, store.policy, store.today, page_url)
        errors = [f for f in run.findings if f.severity is Severity.ERROR]
        for f in run.findings:
            if f.severity is Severity.WARNING:
                log.warning(format_finding(f))
            elif f.severity is Severity.NOTICE:
                log.info(format_finding(f))
        if errors and getattr(compliance, "serving", False):
            for f in errors:
                log.warning(format_finding(f))
            return  # the preview goes on; nothing is written until the posts are fixed
        if errors:
            listing = "\n".join(format_finding(f) for f in errors)
            raise PluginError(f"carepress: {len(errors)} social post error(s):\n{listing}")
        write_files(run.files, target)
        leaks = leak_scan(store, social_dir=target)
        if leaks:
            listing = "\n".join(format_finding(f) for f in leaks)
            raise PluginError(f"carepress: the social posts contain protected health information:\n{listing}")
        log.info(f"carepress: wrote {len(run.files)} files to {target}")
