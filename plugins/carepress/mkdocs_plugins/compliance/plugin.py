"""carepress/compliance: check every page before it is rendered.

A thin adapter: the work is a ``carepress.buildjob.BuildJob``. Under
``mkdocs build`` it runs in a second process that starts when MkDocs hands
over its file list and streams each page back in MkDocs' order, so checking
overlaps rendering. A page with errors is never rendered: the first one
stops the build with every error of the site, with the same messages as
``carepress check``. Warnings go through the plugin logger so ``mkdocs build
--strict`` counts them; notices are logged at INFO.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urljoin

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, CombinedEvent, event_priority, get_plugin_logger
from mkdocs.structure.files import Files
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page

from ...buildjob import BuildJob, JobFailed, NavPage, PageOut, Pipeline, PolicyFailed, Settings
from ...emit.blocks import fill_blocks, fill_citations, hold_blocks, hold_citations
from ...emit.report import visible
from ...model import IMAGE_SUFFIXES, Finding, Severity
from ...project import ProjectError, build_day, build_instant
from ..theme import register as register_theme
from .config import ComplianceConfig

log = get_plugin_logger(__name__)

def format_finding(f: Finding) -> str:
    where = f"{f.path}:{f.line}:{f.column}" if f.line else f.path
    text = f"{where}: [{f.rule}] {f.message}"
    return visible(text + (f"\n    fix: {f.hint}" if f.hint else ""))


def pipeline_of(config: MkDocsConfig, who: str) -> Pipeline:
    """The running job, for the schema and social plugins."""
    compliance = config.plugins.get("carepress/compliance")
    pipeline = getattr(compliance, "pipeline", None)
    if pipeline is None:
        raise PluginError(
            f"{who} needs the carepress/compliance plugin: add '- carepress/compliance' "
            f"to plugins in mkdocs.yml, before {who}."
        )
    return pipeline


class CompliancePlugin(BasePlugin[ComplianceConfig]):
    supports_multiple_instances = False

    def __init__(self) -> None:
        self.pipeline: Pipeline | None = None
        self._post_build_wait = 0.0
        self.serving = False
        self.root = Path()
        self.by_src_uri: dict[str, str] = {}
        self.images: list[str] = []
        self._current: PageOut | None = None
        self._reported = False
        self._last_page: str | None = None  # the page MkDocs writes after on_post_page
        self.separate = False

    def on_startup(self, *, command: str, dirty: bool) -> None:
        # Under `mkdocs serve` findings never stop the preview: each page
        # shows its own at its top instead (never in a built site).
        self.serving = command == "serve"

    @event_priority(100)
    def on_config(self, config: MkDocsConfig) -> MkDocsConfig | None:
        if not self.config.enabled:
            return None
        register_theme(config)
        self.root = Path(config.config_file_path).resolve().parent
        try:
            self.today = build_day(self.config.today, "carepress/compliance: today:")
        except ProjectError as exc:
            raise PluginError(str(exc)) from None
        config.extra["carepress_disclaimer"] = ""
        return config

    def _rel(self, path: str) -> str:
        resolved = Path(path).resolve()
        try:
            return resolved.relative_to(self.root).as_posix()
        except ValueError:
            return resolved.as_posix()

    def _plugin_on(self, config: MkDocsConfig, name: str) -> bool:
        plugin = config.plugins.get(name)
        return plugin is not None and bool(getattr(plugin, "config", {}).get("enabled", True))

    def _guess(self, config: MkDocsConfig) -> Callable[[], list[tuple[str, Path]]]:
        """MkDocs' page list, made in the job's process while MkDocs makes its own."""

        def guess() -> list[tuple[str, Path]]:
            import logging

            from mkdocs.structure.files import get_files

            logging.disable(logging.CRITICAL)  # MkDocs reports its own file warnings, once
            try:
                files = get_files(config)
            finally:
                logging.disable(logging.NOTSET)
            return [(self._rel(f.abs_src_path), Path(f.abs_src_path).resolve()) for f in files.documentation_pages()]

        return guess

    @event_priority(-100)
    def on_pre_build(self, *, config: MkDocsConfig) -> None:
        """Start the job as soon as every plugin is configured."""
        if not self.config.enabled:
            return
        self.close()
        self._last_page = None
        settings = Settings(
            root=self.root,
            docs_dir=Path(config.docs_dir).resolve(),
            policy_dir=self.root / self.config.policy_dir,
            today=self.today,
            now=build_instant(self.today),
            site_url=config.site_url or "",
            site_name=config.site_name,
            lang=str(config.theme.get("language") or "en"),
            social_dir=self.root / self.config.social_dir,
            serving=self.serving,
            heads=self._plugin_on(config, "carepress/schema"),
            social=self._plugin_on(config, "carepress/social"),
        )
        # A build checks in a second process while MkDocs renders; the
        # preview checks in this one, where the per-page cache stays warm
        # across rebuilds, and reports every finding before it renders.
        self.separate = self.config.separate_process and not self.serving and Pipeline.can_fork()
        job = BuildJob(settings, guess=self._guess(config) if self.separate else None)
        self.pipeline = self.ask(lambda: Pipeline(job, separate_process=self.separate))

    @event_priority(100)
    def on_files(self, files: Files, *, config: MkDocsConfig) -> Files | None:
        if not self.config.enabled or self.pipeline is None:
            return None
        pages = []
        self.by_src_uri = {}
        for file in files.documentation_pages():
            rel = self._rel(file.abs_src_path)
            pages.append((rel, Path(file.abs_src_path).resolve()))
            self.by_src_uri[file.src_uri] = rel
        images = [f for f in files.media_files() if f.src_uri.lower().endswith(IMAGE_SUFFIXES)]
        self.images = [f.abs_dest_path for f in images]
        self.pipeline.send_files(pages, [Path(f.abs_src_path) for f in images])
        if not self.separate:
            self._report()  # everything is checked here and now, before MkDocs renders
        return files

    def ask(self, thunk):  # noqa: ANN001, ANN202 - a thunk over the pipeline
        """Ask the job for something; its failures stop the build with a clear message."""
        try:
            return thunk()
        except PolicyFailed as exc:
            self.close()
            details = "\n".join(format_finding(f) for f in exc.findings)
            raise PluginError(f"carepress: the policy could not be loaded:\n{details}") from None
        except JobFailed as exc:
            self.close()
            raise PluginError(f"carepress: {exc}") from None

    def _report(self) -> None:
        """Log every finding of the site once, in order; errors stop a build."""
        assert self.pipeline is not None
        pipeline = self.pipeline
        findings = self.ask(pipeline.findings)
        errors = []
        for finding in findings:
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
            self.close()
            listing = "\n".join(format_finding(f) for f in errors)
            raise PluginError(
                f"carepress: {len(errors)} error(s) block this build:\n{listing}\n"
                "Run 'carepress check' for the full report."
            )
        self._reported = True

    @event_priority(-100)
    def on_nav(self, nav: Navigation, *, config: MkDocsConfig, files: Files) -> Navigation | None:
        """Tell the job each page's address and trail (for JSON-LD, snippets and the banner)."""
        if not self.config.enabled or self.pipeline is None:
            return None
        site_url = config.site_url or ""
        where: dict[str, NavPage] = {}
        dest_uris: dict[str, str] = {}
        for file in files.documentation_pages():
            rel = self.by_src_uri.get(file.src_uri)
            if rel is None:
                continue
            dest_uris[file.dest_uri] = rel
            page = file.page
            if page is None:
                where[rel] = NavPage(urljoin(site_url, file.url), (), file.src_uri in ("index.md", "README.md"))
                continue
            trail = []
            for ancestor in reversed(page.ancestors):
                index = getattr(ancestor, "children", None) and next(
                    (c for c in ancestor.children if getattr(c, "is_index", False)), None
                )
                if index is not None and index is not page:
                    trail.append((ancestor.title, urljoin(site_url, index.url)))
            where[rel] = NavPage(page.canonical_url or urljoin(site_url, page.url), tuple(trail), page.is_homepage)
        self.pipeline.send("nav", where, dest_uris)
        return nav

    def on_page_read_source(self, page: Page, *, config: MkDocsConfig) -> str | None:
        if not self.config.enabled or self.pipeline is None:
            return None
        rel = self.by_src_uri.get(page.file.src_uri)
        out = self.ask(lambda: self.pipeline.page(rel)) if rel else None
        self._current = out
        if out is None:
            return None
        if out.errors and not self.serving:
            self._report()  # raises, with every error of the site
        return out.source

    @event_priority(100)
    def on_page_markdown(self, markdown: str, *, page: Page, config: MkDocsConfig, files: Files) -> str | None:
        out, self._current = self._current, None
        if out is not None and out.meta is not None and self.by_src_uri.get(page.file.src_uri) == out.rel_path:
            page.meta = out.meta
            if out.blocks or out.later or out.citations:
                # For on_page_content, and on_page_context (popped there).
                page.meta["carepress_blocks"] = (out.blocks, out.later, out.citations)
        return markdown

    @event_priority(100)
    def on_page_content(self, html: str, *, page: Page, config: MkDocsConfig, files: Files) -> str | None:
        blocks = page.meta.get("carepress_blocks") if self.config.enabled else None
        if blocks is None:
            return None
        now, later, citations = blocks
        return hold_citations(hold_blocks(fill_blocks(html, now), later), citations)

    @event_priority(-100)
    def on_page_context(self, context, *, page: Page, config: MkDocsConfig, nav: Navigation):  # noqa: ANN001, ANN201
        """After the site search has read the page: the blocks it excludes."""
        if not self.config.enabled or self.pipeline is None:
            return context
        _, later, citations = page.meta.pop("carepress_blocks", None) or ((), (), ())
        rel = self.by_src_uri.get(page.file.src_uri)
        # The last to ask (the schema plugin asked before, at a higher priority).
        made = self.ask(lambda: self.pipeline.head(rel, last=True)) if rel else None
        if made is not None and later:
            page.content = fill_blocks(page.content or "", made[2])
        if citations:
            page.content = fill_citations(page.content or "", citations)
        return context

    @event_priority(-100)
    def on_post_page(self, output: str, *, page: Page, config: MkDocsConfig) -> str | None:
        """MkDocs writes a page right after this event: the page before it is written by now."""
        if self.config.enabled and self.pipeline is not None:
            if self._last_page is not None:
                pipeline, last = self.pipeline, self._last_page
                self.ask(lambda: pipeline.written(config.site_dir, last))
            self._last_page = page.file.dest_uri
        return output

    def on_env(self, env, *, config: MkDocsConfig, files: Files):  # noqa: ANN001, ANN201 - MkDocs' signature
        if not self.config.enabled or self.pipeline is None:
            return env
        if not self._reported:
            self._report()
        ready = self.pipeline.ready or {}
        config.extra["carepress_disclaimer"] = ready.get("disclaimer", "")
        return env

    @event_priority(100)
    def _on_post_build_pages_written(self, *, config: MkDocsConfig) -> None:
        """Every page is written; the site search has not yet made its index
        (MkDocs' largest moment): the scan process hands over and ends."""
        if not self.config.enabled or self.pipeline is None:
            return
        pipeline = self.pipeline
        started = time.perf_counter()
        self.ask(pipeline.pages_written)
        self._post_build_wait = time.perf_counter() - started

    @event_priority(-100)
    def _on_post_build_scan(self, *, config: MkDocsConfig) -> None:
        """Strip image metadata and read everything published a last time (defence in depth)."""
        if not self.config.enabled or self.pipeline is None:
            return
        pipeline = self.pipeline
        started = time.perf_counter()
        findings = self.ask(lambda: pipeline.finish(Path(config.site_dir), [Path(p) for p in self.images]))
        self.close()
        timings = os.environ.get("CAREPRESS_TIMINGS")
        if timings:
            # For scripts/bench: how long this build waited for the post-build scan.
            waited = self._post_build_wait + time.perf_counter() - started
            with open(timings, "a", encoding="utf-8") as handle:
                handle.write(json.dumps({"post_build_wait_s": round(waited, 3),
                                         "pages_read_early": pipeline.read_early}) + "\n")
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

    on_post_build = CombinedEvent(_on_post_build_pages_written, _on_post_build_scan)

    def close(self) -> None:
        pipeline, self.pipeline = self.pipeline, None
        self._reported = False
        if pipeline is not None:
            pipeline.close()

    def on_build_error(self, *, error: Exception) -> None:
        self.close()

    def on_shutdown(self) -> None:
        self.close()
