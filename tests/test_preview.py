"""Preview while writing: under `mkdocs serve` findings show on the page and
never stop the preview; a built site never shows them."""

from __future__ import annotations

import os
import subprocess
import sys

from mkdocs.commands.build import build
from mkdocs.config import load_config

from test_build import mkdocs_build


def serve_build(project):
    """What `mkdocs serve` does before serving: on_startup('serve'), then a build."""
    cwd = os.getcwd()
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = "1795478400"  # 2026-11-24, as the other builds
    os.chdir(project.root)
    try:
        config = load_config(config_file=str(project.root / "mkdocs.yml"), site_dir=str(project.root / "preview"))
        config.plugins.on_startup(command="serve", dirty=False)
        build(config)
    finally:
        os.chdir(cwd)
        if epoch is None:
            os.environ.pop("SOURCE_DATE_EPOCH", None)
        else:
            os.environ["SOURCE_DATE_EPOCH"] = epoch
    return project.root / "preview"


def test_an_error_shows_in_a_banner_and_the_preview_goes_on(project, article):
    project.write("articles/a.md", article.replace("service_line: heart", "service_line: hart"))
    site = serve_build(project)
    html = (site / "articles/a/index.html").read_text()
    assert '<div class="admonition failure cp-preview" role="status"' in html
    assert "carepress preview: 1 error, 0 warnings" in html
    assert "<code>ref.unknown-service-line</code> &#39;service_line&#39; is &#39;hart&#39;" in html


def test_unreadable_front_matter_shows_why_and_the_raw_text(project, article):
    project.write("articles/a.md", article.replace("title: Test article", "title: Test: article"))
    site = serve_build(project)
    html = (site / "articles/a/index.html").read_text()
    assert "<code>frontmatter.yaml</code>" in html
    assert "title: Test: article about blood pressure" in html


def test_a_built_site_never_shows_the_banner(project, article):
    project.write("articles/a.md", article.replace("next_review: 2029-06-15", "next_review: 2026-12-20"))
    env_site = project.root / "site"
    done = mkdocs_build(project.root, env_site)
    assert done.returncode == 1  # a warning fails --strict
    done = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--site-dir", str(env_site)],
        cwd=project.root, capture_output=True, text=True,
        env=dict(os.environ, SOURCE_DATE_EPOCH="1795478400", NO_MKDOCS_2_WARNING="1"),
    )
    assert done.returncode == 0
    assert "cp-preview" not in (env_site / "articles/a/index.html").read_text()
    assert "cp-preview" in (serve_build(project) / "articles/a/index.html").read_text()
