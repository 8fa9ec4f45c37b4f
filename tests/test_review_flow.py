"""The pull-request loop: changed pages, CODEOWNERS, approvals that cannot be forged."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from carepress.approvals import approving_logins
from carepress.cli import main
from helpers import run_cli

DATA = Path(__file__).resolve().parent / "data"


def git(root: Path, *args: str) -> str:
    env = dict(os.environ, GIT_AUTHOR_NAME="Test", GIT_AUTHOR_EMAIL="t@riverbend-hospital.example",
               GIT_COMMITTER_NAME="Test", GIT_COMMITTER_EMAIL="t@riverbend-hospital.example")
    return subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True, text=True, env=env).stdout


@pytest.fixture
def repo(project, article):
    """A project in git: main has three articles; b links to a, c stands alone."""
    project.write("articles/a.md", article)
    project.write("articles/b.md", article.replace("# Test article\n", "# Test article\n\nSee [the first page](a.md).\n"))
    project.write("articles/c.md", article)
    git(project.root, "init", "-q", "-b", "main")
    git(project.root, "add", "-A")
    git(project.root, "commit", "-q", "-m", "base")
    git(project.root, "checkout", "-q", "-b", "change")
    return project


def carepress(root: Path, *args: str, capsys) -> tuple[int, str]:
    code, out, _ = run_cli(root, *args, capsys=capsys)
    return code, out


def test_changed_page_and_the_pages_that_link_to_it(repo, article, capsys):
    repo.write("articles/a.md", article.replace("Get it checked each year", "Have it checked every year"))
    git(repo.root, "commit", "-qam", "edit a")
    code, out = carepress(repo.root, "check", "--changed-since", "main", "--format", "markdown",
                          "--today", "2026-11-24", capsys=capsys)
    assert code == 0
    assert "### `content/articles/a.md`" in out and "### `content/articles/b.md`" in out
    assert "content/articles/c.md" not in out
    assert "2 pages checked" in out


def test_uncommitted_changes_count_too(repo, article, capsys):
    repo.write("articles/c.md", article.replace("reviewed_by:", "reviwed_by:"))
    code, out = carepress(repo.root, "check", "--changed-since", "main", "--today", "2026-11-24", capsys=capsys)
    assert code == 1
    assert "content/articles/c.md:8:1: error [frontmatter.schema] Unknown field 'reviwed_by'." in out
    assert "1 page checked" in out


def test_only_pages_policy_and_site_settings_are_asked_about(repo, article):
    """An untracked built site or notes beside the pages are not changes to check."""
    from carepress.changes import changed_paths, select_pages

    repo.write("articles/new.md", article)
    (repo.root / "site/articles/a").mkdir(parents=True)
    (repo.root / "site/articles/a/index.html").write_text("<p>built</p>\n")
    (repo.root / "notes.md").write_text("A note.\n")
    root = repo.root.resolve()
    assert changed_paths(root, "main")[0] == {root / "content/articles/new.md", root / "site/articles/a/index.html",
                                              root / "notes.md"}
    selection = select_pages(root, root / "content", root / "policy", "main")
    assert selection.changed == [root / "content/articles/new.md"]
    assert changed_paths(root, "main", (root / "content",))[0] == {root / "content/articles/new.md"}


def test_policy_change_checks_every_page(repo, capsys):
    people = repo.root / "policy/people.yml"
    people.write_text(people.read_text() + "\n")
    code, out = carepress(repo.root, "check", "--changed-since", "main", "--today", "2026-11-24", capsys=capsys)
    assert code == 0
    assert "4 pages checked" in out


def test_unknown_ref_is_a_usage_error(repo, capsys):
    cwd = os.getcwd()
    os.chdir(repo.root)
    try:
        code = main(["check", "--changed-since", "no-such-branch"])
    finally:
        os.chdir(cwd)
    assert code == 2
    assert capsys.readouterr().err == (
        "carepress: --changed-since no-such-branch: git knows no such commit or branch here.\n"
    )


def test_codeowners_maps_pages_to_service_line_owners(repo, capsys):
    code, out = carepress(repo.root, "codeowners", capsys=capsys)
    assert code == 0
    text = (repo.root / ".github/CODEOWNERS").read_text()
    assert "/content/articles/a.md @alex-placeholder\n" in text
    code, out = carepress(repo.root, "check", "--today", "2026-11-24", capsys=capsys)
    assert code == 0


def test_stale_codeowners_fails_check(repo, article, capsys):
    carepress(repo.root, "codeowners", capsys=capsys)
    repo.write("articles/d.md", article.replace("service_line: heart", "service_line: diabetes").replace(
        "reviewed_by: [a-placeholder]", "reviewed_by: [b-sample]").replace("by: a-placeholder", "by: b-sample"))
    code, out = carepress(repo.root, "check", "--today", "2026-11-24", capsys=capsys)
    assert code == 1
    assert ".github/CODEOWNERS:1:1: error [ref.codeowners-stale]" in out
    assert carepress(repo.root, "codeowners", "--check", capsys=capsys)[0] == 1


def test_approving_logins_follow_githubs_latest_decisive_review():
    reviews = json.loads((DATA / "reviews-pr-42.json").read_text())
    assert approving_logins(reviews) == {"alex-placeholder", "gray-standin"}


def test_new_approval_by_a_reviewer_who_approved_passes(repo, article, capsys):
    repo.write("articles/a.md", article.replace("approvals:\n  - role: clinical\n    by: a-placeholder\n    date: 2026-09-15\n",
                                                "approvals:\n  - role: clinical\n    by: a-placeholder\n    date: 2026-11-20\n"))
    git(repo.root, "commit", "-qam", "re-approve")
    code, out = carepress(repo.root, "verify-approvals", "--reviews", str(DATA / "reviews-pr-42.json"),
                          "--changed-since", "main", capsys=capsys)
    assert code == 0, out


def test_forged_approval_is_an_error_on_its_line(repo, article, capsys):
    forged = article.replace(
        "approvals:\n",
        "approvals:\n  - role: privacy\n    by: h-dummy\n    date: 2026-11-20\n",
    )
    repo.write("articles/a.md", forged)
    git(repo.root, "commit", "-qam", "add privacy approval")
    code, out = carepress(repo.root, "verify-approvals", "--reviews", str(DATA / "reviews-pr-42.json"),
                          "--changed-since", "main", capsys=capsys)
    assert code == 1
    line = forged.split("\n").index("    by: h-dummy") + 1
    assert (
        f"content/articles/a.md:{line}:9: error [approval.not-on-pull-request] The 'privacy' approval names "
        "Harper Dummy, JD (@harper-dummy), who has not approved this pull request." in out
    )


def test_approvals_already_merged_are_not_judged_again(repo, capsys):
    code, out = carepress(repo.root, "verify-approvals", "--reviews", str(DATA / "reviews-pr-42.json"),
                          "--changed-since", "main", capsys=capsys)
    assert code == 0, out
