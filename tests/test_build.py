"""Real `mkdocs build --strict` runs: the demo, and a page that must stop a build."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
EPOCH_2026_11_24 = "1795478400"


def mkdocs_build(root: Path, site: Path, epoch: str = EPOCH_2026_11_24) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, SOURCE_DATE_EPOCH=epoch, NO_MKDOCS_2_WARNING="1")
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site)],
        cwd=root, env=env, capture_output=True, text=True,
    )


@pytest.fixture(scope="session")
def demo_site(tmp_path_factory) -> Path:
    site = tmp_path_factory.mktemp("demo") / "site"
    done = mkdocs_build(ROOT, site)
    assert done.returncode == 0, done.stderr[-4000:]
    return site


def test_demo_builds_strict_with_every_page(demo_site: Path):
    pages = sorted(p.relative_to(ROOT / "content").with_suffix("") for p in (ROOT / "content").rglob("*.md"))
    for page in pages:
        target = demo_site / ("index.html" if page.name == "index" and page.parent == Path(".") else page / "index.html")
        if page.name == "index" and page.parent != Path("."):
            target = demo_site / page.parent / "index.html"
        assert target.is_file(), target


def test_front_matter_never_reaches_the_page(demo_site: Path):
    html = (demo_site / "articles/high-blood-pressure/index.html").read_text()
    assert "reviewed_by:" not in html
    assert "last_reviewed:" not in html


def test_broken_page_stops_the_build_with_file_and_line(project, article):
    project.write("articles/a.md", article.replace("reviewed_by:", "reviwed_by:"))
    done = mkdocs_build(project.root, project.root / "site")
    assert done.returncode == 1
    line = article.split("\n").index("reviewed_by: [a-placeholder]") + 1
    assert f"content/articles/a.md:{line}:1: [frontmatter.schema] Unknown field 'reviwed_by'." in done.stderr
    assert "fix: Did you mean 'reviewed_by'?" in done.stderr
    assert not (project.root / "site" / "articles").exists()


def test_yaml_error_stops_the_build_instead_of_rendering_raw_text(project, article):
    project.write("articles/a.md", article.replace("title: Test article", "title: Test: article"))
    done = mkdocs_build(project.root, project.root / "site")
    assert done.returncode == 1
    assert "content/articles/a.md:3:12: [frontmatter.yaml]" in done.stderr


def test_malformed_policy_stops_the_build(project, article):
    project.write("articles/a.md", article)
    (project.root / "policy" / "people.yml").write_text("people: [\n")
    done = mkdocs_build(project.root, project.root / "site")
    assert done.returncode == 1
    assert "policy/people.yml:2:1: [policy.invalid]" in done.stderr


def test_body_key_value_line_is_not_taken_as_metadata(project, article):
    text = article.replace("# Test article\n", "Note: this line is body text, not metadata.\n")
    project.write("articles/a.md", text)
    done = mkdocs_build(project.root, project.root / "site")
    assert done.returncode == 0, done.stderr
    html = (project.root / "site/articles/a/index.html").read_text()
    assert "Note: this line is body text" in html


def test_warnings_go_through_the_logger_and_fail_strict(project, article):
    # 2026-11-24 is within 45 days of this next_review: a review.due-soon warning.
    project.write("articles/a.md", article.replace("next_review: 2029-06-15", "next_review: 2026-12-20"))
    done = mkdocs_build(project.root, project.root / "site")
    assert done.returncode == 1
    assert "WARNING -  carepress: content/articles/a.md:11:14: [review.due-soon]" in done.stderr


def test_one_process_builds_the_same_bytes(demo_site: Path, tmp_path: Path):
    # `separate_process: false` (for hosts short of memory) runs the same job in MkDocs' process.
    config = (ROOT / "mkdocs.yml").read_text()
    option = "  - carepress/compliance:\n      policy_dir: policy\n"
    assert option in config
    (tmp_path / "mkdocs.yml").write_text(config.replace(option, option + "      separate_process: false\n"))
    for name in ("content", "policy"):
        shutil.copytree(ROOT / name, tmp_path / name)
    site = tmp_path / "site"
    done = mkdocs_build(tmp_path, site)
    assert done.returncode == 0, done.stderr[-3000:]
    files = sorted(p.relative_to(site) for p in site.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(demo_site) for p in demo_site.rglob("*") if p.is_file())
    assert [f for f in files if (site / f).read_bytes() != (demo_site / f).read_bytes()] == []
