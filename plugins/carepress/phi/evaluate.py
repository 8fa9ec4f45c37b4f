"""Measure the PHI detector on a labelled corpus: recall, false errors, speed.

The corpus (``tests/phi_corpus`` in this repository) holds:

* ``stories/*.md``: patient stories. Each identifier is marked in place as
  ``⟦kind:text⟧`` (an identifier the scan must report as an error) or
  ``⟦kind?:text⟧`` (an uncertain one: a warning is right, an error is not
  wrong, and a miss is not counted).
* ``clean/*.md``: articles with no identifiers and many look-alikes; every
  error reported there is a false error.
* ``context.yml``: the hospital's policy the pages are checked against
  (staff names, public phones, e-mails, addresses and domains).

A page's own front matter adds ``consented_names`` (the first names the
consent covers) and ``type: story`` (patient context).
"""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from carepress.phi.detector import KINDS, PhiContext, PhiHit, scan

_LABEL = re.compile(r"⟦([a-z-]+)(\??):(.*?)⟧", re.S)
_FRONT_MATTER = re.compile(r"\A---\n(.*?)\n---\n", re.S)


@dataclass(frozen=True)
class Label:
    kind: str
    start: int
    end: int
    required: bool  # True: must be reported as an error


@dataclass
class Page:
    path: Path
    text: str
    ctx: PhiContext
    labels: list[Label] = field(default_factory=list)


def strip_labels(source: str) -> tuple[str, list[Label]]:
    """The text without ``⟦kind:...⟧`` markers, and the labels' offsets in it."""
    out: list[str] = []
    labels: list[Label] = []
    pos = length = 0
    for m in _LABEL.finditer(source):
        kind, optional, inner = m.group(1), m.group(2), m.group(3)
        if kind not in KINDS:
            raise ValueError(f"unknown label kind {kind!r} in {m.group()!r}")
        out.append(source[pos : m.start()])
        length += m.start() - pos
        labels.append(Label(kind, length, length + len(inner), not optional))
        out.append(inner)
        length += len(inner)
        pos = m.end()
    out.append(source[pos:])
    text = "".join(out)
    if "⟦" in text or "⟧" in text:
        raise ValueError("unbalanced label marker")
    return text, labels


def base_context(corpus: Path) -> dict[str, Any]:
    path = corpus / "context.yml"
    return yaml.safe_load(path.read_text(encoding="utf-8")) if path.exists() else {}


def load_page(path: Path, base: dict[str, Any]) -> Page:
    source = path.read_text(encoding="utf-8")
    meta: dict[str, Any] = {}
    fm = _FRONT_MATTER.match(source)
    if fm:
        meta = yaml.safe_load(fm.group(1)) or {}
        source = source[fm.end() :]
    text, labels = strip_labels(source)
    ctx = PhiContext(
        patient_context=meta.get("type") == "story",
        allowed_names=frozenset(meta.get("consented_names", ())),
        staff_names=frozenset(base.get("staff_names", ())),
        allowed_phones=frozenset(base.get("allowed_phones", ())),
        allowed_emails=frozenset(base.get("allowed_emails", ())),
        allowed_addresses=tuple(base.get("allowed_addresses", ())),
        allowed_domains=frozenset(base.get("allowed_domains", ())),
    )
    return Page(path, text, ctx, labels)


def load_corpus(corpus: Path) -> tuple[list[Page], list[Page]]:
    base = base_context(corpus)
    stories = [load_page(p, base) for p in sorted((corpus / "stories").glob("*.md"))]
    clean = [load_page(p, base) for p in sorted((corpus / "clean").glob("*.md"))]
    return stories, clean


def _overlaps(a: PhiHit | Label, b: PhiHit | Label) -> bool:
    return a.start < b.end and b.start < a.end


def found(label: Label, hits: list[PhiHit]) -> bool:
    """A label is found when an error of the same kind overlaps it."""
    return any(h.kind == label.kind and h.severity == "error" and _overlaps(h, label) for h in hits)


def megabytes_per_second(pages: list[Page], min_seconds: float = 1.0) -> float:
    """Scan speed over the pages' text in MB (10^6 UTF-8 bytes) per second.

    The pages are scanned again and again for ``min_seconds``; like
    ``timeit``, the fastest pass counts, since a shared machine only ever
    slows a pass down.
    """
    size = sum(len(p.text.encode("utf-8")) for p in pages)
    for p in pages:  # warm up: first-use costs are not throughput
        scan(p.text, p.ctx)
    best = float("inf")
    deadline = time.perf_counter() + min_seconds
    while True:
        start = time.perf_counter()
        for p in pages:
            scan(p.text, p.ctx)
        now = time.perf_counter()
        best = min(best, now - start)
        if now >= deadline:
            return size / best / 1e6


def evaluate(corpus: Path, min_seconds: float = 1.0) -> dict[str, Any]:
    """Recall on required story labels, false errors, and speed."""
    stories, clean = load_corpus(corpus)
    required = missed = 0
    misses: list[str] = []
    story_false: list[str] = []
    for page in stories:
        hits = scan(page.text, page.ctx)
        for label in page.labels:
            if not label.required:
                continue
            required += 1
            if not found(label, hits):
                missed += 1
                misses.append(f"{page.path.name}: {label.kind} {page.text[label.start:label.end]!r}")
        for h in hits:
            if h.severity == "error" and not any(_overlaps(h, lb) for lb in page.labels):
                story_false.append(f"{page.path.name}: {h.kind} {page.text[h.start:h.end]!r}")
    clean_false: list[str] = []
    for page in clean:
        for h in scan(page.text, page.ctx):
            if h.severity == "error":
                clean_false.append(f"{page.path.name}: {h.kind} {page.text[h.start:h.end]!r}")
    return {
        "stories": len(stories),
        "clean_pages": len(clean),
        "labels": required,
        "recall": round((required - missed) / required, 4) if required else 1.0,
        "false_errors_per_clean_page": round(len(clean_false) / len(clean), 4) if clean else 0.0,
        "false_errors_in_stories": len(story_false),
        "mb_per_s": round(megabytes_per_second(stories + clean, min_seconds), 2),
        "missed": misses,
        "false_errors": clean_false,
        "story_false_errors": story_false,
    }


def report(result: dict[str, Any]) -> str:
    """Human lines, then the numbers as one JSON line."""
    lines = [
        f"recall: {result['recall']:.4f} ({result['labels']} labelled identifiers in "
        f"{result['stories']} stories)",
        f"false errors per clean page: {result['false_errors_per_clean_page']:.4f} "
        f"({len(result['false_errors'])} on {result['clean_pages']} pages)",
        f"false errors in stories: {result['false_errors_in_stories']}",
        f"speed: {result['mb_per_s']:.2f} MB/s",
    ]
    lines += [f"  missed: {m}" for m in result["missed"]]
    lines += [f"  false error: {m}" for m in result["false_errors"]]
    lines += [f"  story false error: {m}" for m in result["story_false_errors"]]
    summary = {k: result[k] for k in ("recall", "false_errors_per_clean_page",
                                      "false_errors_in_stories", "mb_per_s", "labels",
                                      "stories", "clean_pages")}  # fmt: skip
    lines.append(json.dumps(summary, sort_keys=True))
    return "\n".join(lines)
