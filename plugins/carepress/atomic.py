"""Replace an output folder all at once, so readers never see half of it."""

from __future__ import annotations

import shutil
from pathlib import Path


def replace_dir(staged: Path, target: Path) -> None:
    """Put ``staged`` where ``target`` is, by renames on one filesystem: the
    old folder stays whole until the new one is in place."""
    old = target.with_name(f".{target.name}.old")
    if old.exists():
        shutil.rmtree(old)
    if target.exists():
        target.rename(old)
    staged.rename(target)
    if old.exists():
        shutil.rmtree(old)
