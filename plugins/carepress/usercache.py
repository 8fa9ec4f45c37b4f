"""A per-user cache of things that are slow to build and never change for
the same inputs: the syllable table, compiled schema validators.

Each entry is one ``marshal`` file under ``$XDG_CACHE_HOME/carepress`` (or
``~/.cache/carepress``), named by a digest of everything it was built from,
so a changed input is a new name, never a stale answer. Writes are atomic; a
read-only or missing home means no cache and the same answer, built again.
"""

from __future__ import annotations

import marshal
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any


def cache_dir() -> Path:
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "carepress"


def marshalled(name: str, make: Callable[[], Any], valid: Callable[[Any], bool] = lambda value: True) -> Any:
    """The value cached under ``name``, or ``make()`` (then cached)."""
    path = cache_dir() / name
    try:
        value = marshal.loads(path.read_bytes())
        if valid(value):
            return value
    except (OSError, ValueError, EOFError, TypeError):
        pass
    value = make()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        with os.fdopen(handle, "wb") as out:
            out.write(marshal.dumps(value))
        os.replace(temp, path)
    except OSError:
        pass
    return value
