"""carepress/compliance: check every page before anything is rendered.

A thin adapter: the checks live in ``carepress.checker``. Errors stop the
build before rendering, with the same messages as ``carepress check``;
warnings go through the plugin logger so ``mkdocs build --strict`` counts
them; notices are logged at INFO.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import os
import time
from pathlib import Path
from typing import Any

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, event_priority, get_plugin_logger
from mkdocs.structure.files import Files
from mkdocs.structure.pages import Page

from ...checker import check_files, check_images
from ...emit.page import decorate, preview_banner, withheld_markdown
from ...emit.report import visible
from ...images import IMAGE_SUFFIXES, strip_in_place
from ...model import Finding, Severity
from ...policy import PolicyError, load_policy
from ...project import ProjectError, build_date_from_env
from ...store import BuildStore
from ..leaks import leak_scan
from ..theme import register as register_theme
from .config import ComplianceConfig

log = get_plugin_logger(__name__)

# MkDocs parses front matter again unless the source it gets has none; an
# empty YAML block also stops it reading MultiMarkdown-style "Key: value"
# lines at the top of the body as metadata.
_EMPTY_FRONT_MATTER = "---\n{}\n---\n"


def format_finding(f: Finding) -> str:
    where = f"{f.path}:{f.line}:{f.column}" if f.line else f.path
    text = f"{where}: [{f.rule}] {f.message}"
    return visible(text + (f"\n    fix: {f.hint}" if f.hint else ""))


class CompliancePlugin(BasePlugin[ComplianceConfig]):
    supports_multiple_instances = False

    def __init__(self) -> None:
        self.store: BuildStore | None = None
        self.images: list[Any] = []
        self.serving = False

    def on_startup(self, *, command: str, dirty: bool) -> None:
        # Under `mkdocs serve` findings never stop the preview: each page
        # shows its own at its top instead (never in a built site).
        self.serving = command == "serve"

    def _now(self, today: dt.date) -> dt.datetime:
        """The build instant: SOURCE_DATE_EPOCH when set (reproducible builds)."""
        epoch = os.environ.get("SOURCE_DATE_EPOCH")
        if epoch and epoch.isdigit():
            return dt.datetime.fromtimestamp(int(epoch), tz=dt.timezone.utc)
        now = dt.datetime.now(dt.timezone.utc)
        if now.date() == today:
            return now
        return dt.datetime.combine(today, dt.time(12), tzinfo=dt.timezone.utc)

    def _today(self) -> dt.date:
        if self.config.today:
            try:
                return dt.date.fromisoformat(self.config.today)
            except ValueError:
                raise PluginError(f"carepress/compliance: today: {self.config.today!r} is not a YYYY-MM-DD date.") from None
        try:
            from_env = build_date_from_env()
        except ProjectError as exc:
            raise PluginError(str(exc)) from None
        return dt.date.fromisoformat(from_env) if from_env else dt.date.today()

    @event_priority(100)
    def on_config(self, config: MkDocsConfig) -> MkDocsConfig | None:
        if not self.config.enabled:
            return None
        register_theme(config)
        root = Path(config.config_file_path).resolve().parent
        try:
            policy = load_policy(root / self.config.policy_dir, display_root=root)
        except PolicyError as exc:
            details = "\n".join(format_finding(f) for f in exc.findings)
            raise PluginError(f"carepress: the policy could not be loaded:\n{details}") from None
        if self.store is not None and self.store.policy.digest == policy.digest:
            policy = self.store.policy  # unchanged files: keep the object the result cache knows
        config.extra["carepress_disclaimer"] = html.escape(str(policy.hospital.get("disclaimer", "")))
        self.store = BuildStore(
            root=root,
            docs_dir=Path(config.docs_dir).resolve(),
            policy=policy,
            today=(today := self._today()),
            now=self._now(today),
            site_url=config.site_url or "",
            lang=str(config.theme.get("language") or "en"),
        )
        return config

    @event_priority(100)
    def on_files(self, files: Files, *, config: MkDocsConfig) -> Files | None:
        if not self.config.enabled or self.store is None:
            return None
        store = self.store
        store.by_src_uri.clear()
        store.by_dest_uri.clear()
        paths = []
        for file in files.documentation_pages():
            path = Path(file.abs_src_path).resolve()
            try:
                rel = path.relative_to(store.root).as_posix()
            except ValueError:
                rel = path.as_posix()
            paths.append(path)
            store.by_src_uri[file.src_uri] = rel
            store.by_dest_uri[file.dest_uri] = rel
        # A large site is read and checked on every core before rendering;
        # under `mkdocs serve` one process keeps the per-page cache warm, so
        # a rebuild re-checks only the pages that changed.
        store.result = check_files(
            store.root, paths, store.policy, store.today, mode="build", site_lang=store.lang,
            site_url=store.site_url, jobs=1 if self.serving else None,
        )
        self.images = [f for f in files.media_files() if f.src_uri.lower().endswith(IMAGE_SUFFIXES)]
        store.result.pages.update(check_images(store.root, (Path(f.abs_src_path) for f in self.images)))
        errors: list[Finding] = []
        for finding in store.result.findings:
            if finding.severity is Severity.ERROR:
                errors.append(finding)
            elif finding.severity is Severity.WARNING:
                log.warning(format_finding(finding))
            else:
                log.info(format_finding(finding))
        if errors and self.serving:
            for f in errors:
                log.warning(format_finding(f))
        elif errors:
            listing = "\n".join(format_finding(f) for f in errors)
            raise PluginError(
                f"carepress: {len(errors)} error(s) block this build:\n{listing}\n"
                "Run 'carepress check' for the full report."
            )
        return files

    def on_page_read_source(self, page: Page, *, config: MkDocsConfig) -> str | None:
        if not self.config.enabled or self.store is None:
            return None
        doc = self.store.document(page.file.src_uri)
        if self.serving:
            result = self.store.page(page.file.src_uri)
            if result is not None and (doc is None or not result.valid):
                # The page could not be read: show why, then its raw text.
                source = doc.source if doc is not None else Path(page.file.abs_src_path).read_text(
                    encoding="utf-8", errors="replace")
                fence = "~" * 8
                return _EMPTY_FRONT_MATTER + preview_banner(result.findings) + f"\n{fence}\n{source}\n{fence}\n"
        if doc is None:
            return None
        if self.store.withheld(page.file.src_uri) and not self.serving:
            return _EMPTY_FRONT_MATTER + withheld_markdown(doc, self.store.policy)
        return _EMPTY_FRONT_MATTER + doc.body

    @event_priority(100)
    def on_page_markdown(self, markdown: str, *, page: Page, config: MkDocsConfig, files: Files) -> str | None:
        if not self.config.enabled or self.store is None:
            return None
        store = self.store
        doc = store.document(page.file.src_uri)
        if doc is None:
            return markdown
        meta: dict[str, Any] = dict(doc.meta)
        # Material writes the description (and, in the navigation, the title)
        # into every page unescaped; what reaches its templates is escaped.
        # This runs for every page before any template is rendered.
        for key, quote in (("description", True), ("title", False)):
            if isinstance(meta.get(key), str):
                meta[key] = html.escape(meta[key], quote=quote)
        if doc.type == "alert":
            # 'template' names the alert template, not a MkDocs page template.
            meta["alert_template"] = meta.pop("template", None)
        result = store.page(page.file.src_uri)
        if self.serving and result is not None and not result.valid:
            return markdown
        if store.withheld(page.file.src_uri) and not self.serving:
            # Out of search and out of search engines until it is reviewed.
            meta["search"] = {"exclude": True}
            meta["robots"] = "noindex"
            meta["carepress_withheld"] = True
            page.meta = meta
            return markdown
        page.meta = meta
        if doc.type in ("article", "myth", "story", "alert") and not (result and result.errors):
            # A page with errors never reaches a build; in the preview it is
            # shown plainly under its findings, not decorated from bad data.
            markdown = decorate(doc, store.policy, markdown, store.now).markdown
        if self.serving and result is not None and result.findings:
            markdown = preview_banner(result.findings) + markdown
        return markdown

    @event_priority(-100)
    def on_post_build(self, *, config: MkDocsConfig) -> None:
        """Read everything published for PHI a last time (defence in depth)."""
        if not self.config.enabled or self.store is None:
            return
        for image in self.images:
            # Every published image is written as pixels only.
            strip_in_place(Path(image.abs_dest_path))
        started = time.perf_counter()
        findings = leak_scan(self.store, Path(config.site_dir))
        timings = os.environ.get("CAREPRESS_TIMINGS")
        if timings:
            # For scripts/bench: the scan's own cost inside this build.
            with open(timings, "a", encoding="utf-8") as handle:
                handle.write(json.dumps({"leak_scan_s": round(time.perf_counter() - started, 3)}) + "\n")
        if findings and self.serving:
            for f in findings:
                log.warning(format_finding(f))
        elif findings:
            listing = "\n".join(format_finding(f) for f in findings[:50])
            more = f"\n... and {len(findings) - 50} more" if len(findings) > 50 else ""
            raise PluginError(
                f"carepress: the built site contains protected health information or script that no page "
                f"check caught (a template, plugin or raw HTML put it there):\n{listing}{more}"
            )
