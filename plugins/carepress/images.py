"""Images published with the pages: no personal metadata in, none out.

A patient's photo can carry where and when it was taken and whose camera
took it. An image in the docs folder with such metadata is an error
(``phi.image-metadata``), and every image a build publishes is re-written
as pixels only.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

from .model import IMAGE_SUFFIXES, Finding, Severity
from .phi.images import image_metadata_hits, strip_metadata


def discover_images(roots: Iterable[Path]) -> list[Path]:
    found: list[Path] = []
    for root in roots:
        if root.is_dir():
            found.extend(p for p in root.rglob("*") if p.suffix.lower() in IMAGE_SUFFIXES and p.is_file())
        elif root.suffix.lower() in IMAGE_SUFFIXES:
            found.append(root)
    return sorted(set(found))


def image_findings(path: Path, rel: str) -> list[Finding]:
    try:
        hits = image_metadata_hits(path)
    except Exception as exc:  # noqa: BLE001 - an image we cannot read is not published
        return [
            Finding(
                "phi.image-metadata", Severity.ERROR, rel, 0, 0,
                message=f"The image cannot be read to check its metadata: {type(exc).__name__}: {exc}",
                hint="Re-export the image as PNG or JPEG.", kind="image",
            )
        ]
    if not hits:
        return []
    return [
        Finding(
            "phi.image-metadata", Severity.ERROR, rel, 0, 0,
            message=f"The image carries personal metadata ({', '.join(hits)}), such as where it was taken or by whom.",
            hint="Remove the metadata before adding the image: re-export it, or run "
            "`python -c \"from carepress.phi.images import strip_metadata as s; s('IN', 'OUT')\"`.",
            kind="image",
        )
    ]


def strip_in_place(path: Path) -> None:
    """Re-write a published image as pixels only (atomically)."""
    handle, temp = tempfile.mkstemp(suffix=path.suffix, dir=path.parent)
    os.close(handle)
    try:
        strip_metadata(path, temp)
        os.replace(temp, path)
    finally:
        if os.path.exists(temp):
            os.unlink(temp)
