"""Which pages a change touches: for pull-request checks and reviews.

``carepress check --changed-since REF`` checks the pages changed since a git
ref, the pages that link to or cite them, and every page when the policy
changed. Git is asked once; finding the referring pages reads the other
pages as bytes and looks for the changed pages' names, which costs a few
milliseconds for thousands of pages (no YAML, no Markdown).
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from .checker import MARKDOWN_SUFFIXES, discover
from .images import IMAGE_SUFFIXES


class GitError(Exception):
    """git could not answer (not a repository, unknown ref): a usage error."""


def _git(root: Path, *args: str) -> str:
    try:
        done = subprocess.run(
            ["git", "-C", str(root), *args], capture_output=True, text=True, check=False
        )
    except FileNotFoundError:
        raise GitError("git is not installed, so --changed-since cannot work.") from None
    if done.returncode != 0:
        raise GitError(done.stderr.strip() or f"git {' '.join(args)} failed")
    return done.stdout


def changed_paths(root: Path, ref: str, within: Sequence[Path] = ()) -> tuple[set[Path], set[Path]]:
    """Files changed since the merge base with ``ref`` (committed, staged,
    unstaged and untracked): the ones that exist, and the ones deleted.
    ``within``: only under these paths (a built site left untracked beside
    the pages would otherwise be thousands of new files to look at)."""
    try:
        _git(root, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}")
    except GitError:
        raise GitError(f"--changed-since {ref}: git knows no such commit or branch here.") from None
    where = ["--"]
    for path in within:
        try:
            where.append(path.resolve().relative_to(root.resolve()).as_posix() or ".")
        except ValueError:
            where = ["--"]  # outside the project: ask about everything
            break
    names = _git(root, "diff", "--name-only", "--relative", "--no-renames", f"{ref}...HEAD", *where).splitlines()
    names += _git(root, "diff", "--name-only", "--relative", "--no-renames", "HEAD", *where).splitlines()
    names += _git(root, "ls-files", "--others", "--exclude-standard", *where).splitlines()
    present, deleted = set(), set()
    for name in filter(None, names):
        path = (root / name).resolve()
        (present if path.exists() else deleted).add(path)
    return present, deleted


@dataclass(frozen=True)
class Selection:
    pages: list[Path]
    changed: list[Path]
    reason: str
    images: tuple[Path, ...] = ()


def _inside(path: Path, folder: Path) -> bool:
    try:
        path.relative_to(folder)
        return True
    except ValueError:
        return False


def select_pages(root: Path, docs_dir: Path, policy_dir: Path, ref: str) -> Selection:
    schema_dir = (root / "schema").resolve()
    present, deleted = changed_paths(root, ref, (docs_dir, policy_dir, schema_dir, root / "mkdocs.yml", root / "mkdocs.yaml"))
    images = tuple(sorted(p for p in present if p.suffix.lower() in IMAGE_SUFFIXES and _inside(p, docs_dir)))
    every = discover(docs_dir)
    config_changed = any(p.name in ("mkdocs.yml", "mkdocs.yaml") and p.parent == root.resolve() for p in present | deleted)
    if config_changed or any(_inside(p, policy_dir) or _inside(p, schema_dir) for p in present | deleted):
        return Selection(every, sorted(p for p in present if p.suffix in MARKDOWN_SUFFIXES), "the policy changed", images)
    changed = sorted(p for p in present if p.suffix in MARKDOWN_SUFFIXES and _inside(p, docs_dir))
    targets = [p for p in changed] + [p for p in deleted if p.suffix in MARKDOWN_SUFFIXES and _inside(p, docs_dir)]
    if not targets:
        return Selection([], [], "no page changed", images)
    # A page refers to another by its file name in a link, or by its
    # published slug in a citation URL; either is found as plain text.
    needles = set()
    for path in targets:
        needles.add(path.name.encode())
        slug = path.stem if path.stem != "index" else path.parent.name
        needles.add(f"/{slug}/".encode())
    pattern = re.compile(b"|".join(re.escape(n) for n in sorted(needles)))
    referring = []
    chosen = set(changed)
    for path in every:
        if path in chosen:
            continue
        try:
            if pattern.search(path.read_bytes()):
                referring.append(path)
        except OSError:
            continue
    return Selection(sorted(chosen | set(referring)), changed, "changed pages and the pages that refer to them", images)


def file_at(root: Path, ref: str, path: Path) -> str | None:
    """The text of ``path`` at the merge base with ``ref`` (None if it did not exist)."""
    try:
        base = _git(root, "merge-base", ref, "HEAD").strip()
        rel = path.resolve().relative_to(Path(_git(root, "rev-parse", "--show-toplevel").strip()).resolve())
        return _git(root, "show", f"{base}:{rel.as_posix()}")
    except (GitError, ValueError):
        return None
