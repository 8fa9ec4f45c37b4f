"""Shared fixtures: the demo project, throwaway projects, the build date."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import textwrap
from pathlib import Path

import pytest

from carepress.policy import Policy, load_policy
from helpers import ARTICLE

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
TODAY = dt.date(2026, 11, 24)


def shared_path(*parts: str) -> Path:
    """A file in ../shared; skip without it, except under CI=true where it must exist."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        reason = f"{path} is absent (../shared is not beside the project)"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    return path


@pytest.fixture(scope="session")
def policy() -> Policy:
    return load_policy(ROOT / "policy")


MKDOCS_YML = """\
site_name: Test Hospital
site_url: https://health.riverbend-hospital.example/
docs_dir: content
theme:
  name: material
  language: en
  font: false
  features: [navigation.prune]
markdown_extensions: [attr_list, md_in_html, admonition, pymdownx.details, pymdownx.superfences]
plugins:
  - search
  - carepress/compliance
  - carepress/schema
"""


class Project:
    """A throwaway carepress project: the demo's policy, the pages a test writes."""

    def __init__(self, root: Path) -> None:
        self.root = root
        shutil.copytree(ROOT / "policy", root / "policy")
        (root / "content").mkdir()
        (root / "mkdocs.yml").write_text(MKDOCS_YML)
        self.write("index.md", "---\ntype: page\ntitle: Test home page\n---\n\n# Home\n")

    def write(self, rel: str, text: str) -> Path:
        path = self.root / "content" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text) if text.startswith("\n") else text, encoding="utf-8")
        return path

    def copy_demo(self, rel: str) -> Path:
        path = self.root / "content" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / "content" / rel, path)
        return path


@pytest.fixture
def project(tmp_path: Path) -> Project:
    return Project(tmp_path / "site-project")




@pytest.fixture
def article() -> str:
    """A page that passes every check; tests change one thing in it."""
    return ARTICLE
