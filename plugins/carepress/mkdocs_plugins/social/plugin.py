"""carepress/social: snippets and the content calendar from the same build.

A thin adapter: the build job (``carepress.buildjob``) makes the snippets and
calendar (``carepress.emit.social_outputs``) and writes them to
``social_dir`` (beside mkdocs.yml, never inside the site: planned posts are
not public before their time), or to ``CAREPRESS_SOCIAL_DIR`` when the
atomic build script stages it; nothing is written while a post has errors.
"""

from __future__ import annotations

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, event_priority, get_plugin_logger

from ...model import Severity
from ..compliance.plugin import format_finding, pipeline_of
from .config import SocialConfig

log = get_plugin_logger(__name__)


class SocialPlugin(BasePlugin[SocialConfig]):
    supports_multiple_instances = False

    @event_priority(-90)
    def on_post_build(self, *, config: MkDocsConfig) -> None:
        if not self.config.enabled:
            return
        compliance = config.plugins.get("carepress/compliance")
        pipeline = pipeline_of(config, "carepress/social")
        compliance.ask(lambda: pipeline.wait(lambda: pipeline.social is not None and pipeline.social_leaks is not None))
        outcome, leaks = pipeline.social, pipeline.social_leaks
        assert outcome is not None and leaks is not None
        errors = [f for f in outcome.findings if f.severity is Severity.ERROR]
        for f in outcome.findings:
            if f.severity is Severity.WARNING:
                log.warning(format_finding(f))
            elif f.severity is Severity.NOTICE:
                log.info(format_finding(f))
        if errors and compliance.serving:
            for f in errors:
                log.warning(format_finding(f))
            return  # the preview goes on; nothing is written until the posts are fixed
        if errors:
            listing = "\n".join(format_finding(f) for f in errors)
            raise PluginError(f"carepress: {len(errors)} social post error(s):\n{listing}")
        if leaks:
            listing = "\n".join(format_finding(f) for f in leaks)
            raise PluginError(f"carepress: the social posts contain protected health information:\n{listing}")
        log.info(f"wrote {outcome.written} files to {outcome.target}")
