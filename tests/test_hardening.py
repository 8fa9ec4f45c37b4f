"""Fail closed, atomic output, reproducible builds, no network."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from mkdocs.commands.build import build
from mkdocs.config import load_config
from mkdocs.exceptions import Abort, PluginError

from carepress import rules as rule_registry
from test_build import EPOCH_2026_11_24

ROOT = Path(__file__).resolve().parents[1]
SOCIAL = "  - carepress/schema\n  - carepress/social\n"


def with_social(project, article):
    config = project.root / "mkdocs.yml"
    config.write_text(config.read_text().replace("  - carepress/schema\n", SOCIAL))
    project.copy_demo("assets/cards/heart.png")
    project.write("articles/a.md", article.replace(
        "approvals:\n", "social:\n  image:\n    src: ../assets/cards/heart.png\n    alt: A share card\napprovals:\n"))


def tree_digest(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*")) if p.is_file()
    }


def atomic_build(project) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, SOURCE_DATE_EPOCH=EPOCH_2026_11_24)
    return subprocess.run(
        [sys.executable, str(ROOT / "scripts/atomic_build.py"), "--project", str(project.root)],
        capture_output=True, text=True, env=env,
    )


def test_a_rule_that_raises_fails_the_build_and_names_the_page(project, article, monkeypatch, caplog):
    project.write("articles/a.md", article)

    def broken(doc, policy, ctx):
        raise RuntimeError("unexpected value")

    monkeypatch.setattr(rule_registry, "_REGISTRY", [*rule_registry.all_rules(),
                                                      rule_registry.Rule(("test.broken",), broken, frozenset({"article"}))])
    cwd = os.getcwd()
    os.chdir(project.root)
    try:
        config = load_config(config_file=str(project.root / "mkdocs.yml"), site_dir=str(project.root / "site"))
        with pytest.raises((PluginError, Abort)) as caught:
            build(config)
    finally:
        os.chdir(cwd)
    message = str(caught.value) + caplog.text
    assert "content/articles/a.md:1:1: [carepress.rule-failed] The check test_hardening.broken failed on this page: RuntimeError: unexpected value" in message
    assert not (project.root / "site/articles/a/index.html").exists()


def test_a_failed_build_leaves_the_previous_site_and_social_exactly_as_they_were(project, article):
    with_social(project, article)
    first = atomic_build(project)
    assert first.returncode == 0, first.stderr[-3000:]
    site, social = tree_digest(project.root / "site"), tree_digest(project.root / "social")
    assert "articles/a/index.html" in site and "snippets.json" in social
    project.write("articles/a.md", article.replace("reviewed_by:", "reviwed_by:"))
    second = atomic_build(project)
    assert second.returncode == 1
    assert "carepress: the build failed; site/ and social/ are unchanged." in second.stderr
    assert tree_digest(project.root / "site") == site
    assert tree_digest(project.root / "social") == social
    assert not list(project.root.glob(".build-*"))


def test_two_builds_of_the_same_commit_are_byte_identical(project, article):
    with_social(project, article)
    assert atomic_build(project).returncode == 0
    site, social = tree_digest(project.root / "site"), tree_digest(project.root / "social")
    assert atomic_build(project).returncode == 0
    assert tree_digest(project.root / "site") == site
    assert tree_digest(project.root / "social") == social


def test_the_build_opens_no_network_connection(project, article, tmp_path):
    """Every socket connect and name lookup in the build process is refused and recorded."""
    hooks = tmp_path / "hooks"
    hooks.mkdir()
    attempts = tmp_path / "attempts.txt"
    (hooks / "sitecustomize.py").write_text(textwrap.dedent(f"""
        import socket
        def _refuse(*args, **kwargs):
            with open({str(attempts)!r}, "a") as f:
                f.write(repr(args[:2]) + "\\n")
            raise OSError("network use in a carepress build")
        socket.socket.connect = _refuse
        socket.socket.connect_ex = _refuse
        socket.getaddrinfo = _refuse
        socket.create_connection = _refuse
    """))
    with_social(project, article)
    env = dict(os.environ, SOURCE_DATE_EPOCH=EPOCH_2026_11_24, NO_MKDOCS_2_WARNING="1",
               PYTHONPATH=str(hooks) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    done = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict"], cwd=project.root,
                          capture_output=True, text=True, env=env)
    assert done.returncode == 0, done.stderr[-3000:]
    assert not attempts.exists(), attempts.read_text()
