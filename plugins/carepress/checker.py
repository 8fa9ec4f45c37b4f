"""Run every check on every page: read, validate, apply the rules, suppress.

Shared by ``carepress check`` and the compliance plugin, so that a page gives
the same findings in a terminal and in a build. Fail closed: a rule that
raises becomes an error naming the page and the rule; nothing is skipped
silently.
"""

from __future__ import annotations

import datetime as dt
import gc
import multiprocessing as mp
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from .frontmatter import Parsed, read_file
from .model import Document, Finding, Severity, Suppression, parse_date
from .policy import Policy
from .rules import CONTENT_TYPES, Context, all_rules

MARKDOWN_SUFFIXES = (".md", ".markdown")


@dataclass(frozen=True)
class PageResult:
    """Everything carepress knows about one page after checking it."""

    rel_path: str
    document: Document | None
    findings: tuple[Finding, ...]
    suppressions: tuple[Suppression, ...] = ()
    valid: bool = True

    @property
    def withheld(self) -> str:
        """Why the page is withheld from the site ('' when it is published)."""
        for f in self.findings:
            if f.rule.endswith(".withheld"):
                return f.message
        return ""

    @property
    def errors(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.severity is Severity.ERROR)


@dataclass
class CheckResult:
    pages: dict[str, PageResult] = field(default_factory=dict)

    @property
    def findings(self) -> list[Finding]:
        out = [f for page in self.pages.values() for f in page.findings]
        return sorted(out, key=Finding.sort_key)

    @property
    def suppressions(self) -> list[tuple[str, Suppression]]:
        return [(p.rel_path, s) for p in self.pages.values() for s in p.suppressions]

    def count(self, severity: Severity) -> int:
        return sum(1 for f in self.findings if f.severity is severity)


def discover(docs_dir: Path, paths: Sequence[Path] = ()) -> list[Path]:
    """The Markdown pages to check: the given files and folders, or the whole docs folder."""
    roots = list(paths) or [docs_dir]
    found: list[Path] = []
    for root in roots:
        if root.is_dir():
            found.extend(p for p in root.rglob("*") if p.suffix in MARKDOWN_SUFFIXES and p.is_file())
        else:
            found.append(root)
    return sorted(set(found))


def validate(parsed: Parsed) -> tuple[Document | None, list[Finding]]:
    """Front-matter schema check; a page that fails it goes no further."""
    findings = list(parsed.findings)
    doc = parsed.document
    if doc is None:
        return None, findings
    if not doc.has_front_matter:
        findings.append(
            Finding(
                "frontmatter.missing",
                Severity.ERROR,
                doc.rel_path,
                1,
                1,
                message="The page has no front matter, so carepress cannot tell what it is or who reviewed it.",
                hint="Start the file with '---', then 'type: article' (or myth, story, alert, page) "
                "and the other fields, then '---'. 'carepress new' writes a complete example.",
            )
        )
        return None, findings
    content_type = doc.meta.get("type")
    if content_type not in (*CONTENT_TYPES, "page"):
        span = doc.span("type") if "type" in doc.meta else doc.span()
        findings.append(
            Finding(
                "frontmatter.schema",
                Severity.ERROR,
                doc.rel_path,
                span.line,
                span.column,
                span.end_line,
                span.end_column,
                "Missing required field 'type'."
                if "type" not in doc.meta
                else f"'type' is {content_type!r}, which is not a content type.",
                "Set 'type:' to one of article, myth, story, alert or page.",
            )
        )
        return None, findings
    from .schemas import findings_for, frontmatter_schema  # not at the top: see load_policy

    findings.extend(
        findings_for(frontmatter_schema(str(content_type)), doc.meta, doc.rel_path, doc.spans, doc.key_spans)
    )
    if any(f.severity is Severity.ERROR for f in findings):
        return doc, findings
    return doc, findings


def run_rules(doc: Document, policy: Policy, ctx: Context) -> list[Finding]:
    out: list[Finding] = []
    for rule in all_rules():
        if doc.type not in rule.types:
            continue
        try:
            out.extend(rule.fn(doc, policy, ctx))
        except Exception as exc:  # noqa: BLE001 - fail closed, naming the page and rule
            out.append(
                Finding(
                    "carepress.rule-failed",
                    Severity.ERROR,
                    doc.rel_path,
                    1,
                    1,
                    message=f"The check {rule.name} failed on this page: {type(exc).__name__}: {exc}",
                    hint="This is a carepress bug or a page it cannot read; the page is not published "
                    "until the check passes. Report it with this page attached.",
                )
            )
    return out


def suppressions_of(doc: Document) -> list[Suppression]:
    out = []
    items = doc.meta.get("suppress")
    for index, item in enumerate(items if isinstance(items, list) else []):
        if not isinstance(item, dict) or not all(isinstance(item.get(k), str) for k in ("rule", "reason", "approved_by")):
            continue  # the schema reports it
        expires = parse_date(item.get("expires"))
        if expires is None:
            continue
        out.append(
            Suppression(
                rule=item["rule"],
                reason=item["reason"],
                approved_by=item["approved_by"],
                expires=expires,
                line=item.get("line"),
                text=item.get("text"),
                index=index,
            )
        )
    return out


def _occurrence_text(doc: Document, f: Finding) -> str:
    lines = doc.source.split("\n")
    if not (1 <= f.line <= len(lines)):
        return ""
    if f.end_line == f.line and f.end_column > f.column:
        return lines[f.line - 1][f.column - 1 : f.end_column - 1]
    return lines[f.line - 1][f.column - 1 :]


def apply_suppressions(
    doc: Document, findings: Iterable[Finding], policy: Policy, today: dt.date
) -> tuple[list[Finding], list[Suppression]]:
    """Drop findings covered by an approved, unexpired suppression.

    A PHI suppression covers one occurrence, by line and exact text: if the
    text moves or changes, the finding comes back.
    """
    active = [
        s
        for s in suppressions_of(doc)
        if s.expires >= today and s.approved_by in policy.people and not s.rule.startswith("suppress.")
    ]
    if not active:
        return list(findings), []
    kept: list[Finding] = []
    used: set[int] = set()
    for f in findings:
        covering = None
        for s in active:
            if s.rule != f.rule:
                continue
            if f.rule.startswith("phi.") and (
                s.line != f.line or not s.text or _occurrence_text(doc, f) != s.text
            ):
                continue
            covering = s
            break
        if covering is None or f.severity is Severity.NOTICE:
            kept.append(f)
        else:
            used.add(covering.index)
    return kept, [s for s in active if s.index in used or not s.rule.startswith("phi.")]


def check_document(parsed: Parsed, policy: Policy, ctx: Context) -> PageResult:
    doc, findings = validate(parsed)
    rel = parsed.document.rel_path if parsed.document else (findings[0].path if findings else "")
    if doc is None or any(f.severity is Severity.ERROR for f in findings):
        return PageResult(rel, doc, tuple(sorted(findings, key=Finding.sort_key)), valid=False)
    findings.extend(run_rules(doc, policy, ctx))
    kept, used = apply_suppressions(doc, findings, policy, ctx.today)
    return PageResult(rel, doc, tuple(sorted(kept, key=Finding.sort_key)), tuple(used))


def read_pages(root: Path, files: Iterable[Path]) -> dict[str, Parsed]:
    out: dict[str, Parsed] = {}
    for path in files:
        try:
            rel = path.resolve().relative_to(root).as_posix()
        except ValueError:
            rel = path.as_posix()
        out[rel] = read_file(path, rel)
    return out


def check_images(root: Path, images: Iterable[Path]) -> dict[str, PageResult]:
    """Images as pseudo-pages of the result: one PageResult each, findings only."""
    from .images import image_findings

    out = {}
    for path in images:
        try:
            rel = path.resolve().relative_to(root).as_posix()
        except ValueError:
            rel = path.as_posix()
        findings = image_findings(path, rel)
        if findings:
            out[rel] = PageResult(rel, None, tuple(findings), valid=False)
    return out


@contextmanager
def bulk_allocation() -> Iterator[None]:
    """Collect garbage less often while many pages are read and checked.

    Reading a page makes thousands of small objects that all live until its
    check ends; at the default threshold (700 allocations) the collector
    walks them over and over, about an eighth of the check's time. Nothing
    here makes reference cycles, so fewer collections only delay freeing.
    """
    old = gc.get_threshold()
    gc.set_threshold(50_000, old[1], old[2])
    try:
        yield
    finally:
        gc.set_threshold(*old)


def check_pages(
    parsed_pages: dict[str, Parsed], policy: Policy, today: dt.date, mode: str = "check",
    site_lang: str = "en", site_url: str = "", remember: bool = True,
) -> CheckResult:
    """Check pages; ``remember`` keeps each result for the next call in this
    process (see ``_RESULTS``), which a process that checks once and ends
    (a pool or build worker) has no use for."""
    with bulk_allocation():
        return _check_pages(parsed_pages, policy, today, mode, site_lang, site_url, remember)


def _check_pages(
    parsed_pages: dict[str, Parsed], policy: Policy, today: dt.date, mode: str, site_lang: str, site_url: str,
    remember: bool = True,
) -> CheckResult:
    documents = {rel: p.document for rel, p in parsed_pages.items() if p.document is not None}
    ctx = Context(today=today, documents=documents, mode=mode, site_lang=site_lang, site_url=site_url)
    result = CheckResult()
    for rel, parsed in parsed_pages.items():
        key = _cache_key(rel, parsed, policy, ctx) if remember else None
        entry = _RESULTS.get(key) if key else None
        if entry is None or entry[0] is not policy:
            entry = (policy, check_document(parsed, policy, ctx))
            if key:
                if len(_RESULTS) >= _CACHE_SIZE:
                    _RESULTS.pop(next(iter(_RESULTS)))
                _RESULTS[key] = entry
        result.pages[rel] = entry[1]
    return result


# -- many pages: both cores ----------------------------------------------------

PARALLEL_THRESHOLD = 300
_WORKER: tuple[Any, ...] = ()


def _prepare() -> None:
    """Load what every page needs once, before workers fork, so they share it."""
    from .readability import _syllable_table
    from .schemas import fast_validator, frontmatter_schema

    for content_type in (*sorted(CONTENT_TYPES), "page"):
        fast_validator(frontmatter_schema(content_type))
    _syllable_table()
    all_rules()


def release() -> None:
    """Let go of what only checking pages keeps, for a process that checks no
    more: the syllable table and the per-process memos (words counted,
    front-matter scalars, citation printability, source hosts). What
    it frees is used again by the steps after (heads, social posts)."""
    from . import frontmatter, readability
    from .emit import references
    from .rules import source

    readability.release()
    frontmatter.forget()
    references.forget()
    source.host.cache_clear()


def slim(page: PageResult, keep_position: Callable[[tuple[Any, ...]], bool] = lambda path: False) -> PageResult:
    """A result without the page's text (source and body), and with the
    positions of only the fields ``keep_position`` names: what a report, or a
    later step that points at a few fields, needs of a checked page."""
    doc = page.document
    if doc is None:
        return page

    def kept(spans: dict[tuple[Any, ...], Any]) -> dict[tuple[Any, ...], Any]:
        return {path: span for path, span in spans.items() if keep_position(path)}

    return replace(page, document=replace(doc, source="", body="", spans=kept(doc.spans),
                                          key_spans=kept(doc.key_spans)))


def _check_chunk(files: list[Path]) -> dict[str, PageResult]:
    root, policy, today, mode, site_lang, site_url, thin = _WORKER
    with bulk_allocation():
        result = _check_pages(read_pages(root, files), policy, today, mode, site_lang, site_url, remember=False)
    return {rel: slim(page) if thin else page for rel, page in result.pages.items()}


def check_files(
    root: Path, files: Sequence[Path], policy: Policy, today: dt.date, mode: str = "check",
    site_lang: str = "en", site_url: str = "", jobs: int | None = None, slim: bool = False,
) -> CheckResult:
    """Read and check pages, on every core for a large tree.

    Workers are forked after the policy, the compiled validators and the
    syllable table are loaded, so each starts warm. ``slim`` drops page
    bodies and positions from the results (enough for a report).
    """
    global _WORKER
    files = list(files)
    jobs = jobs or os.cpu_count() or 1
    if jobs < 2 or len(files) < PARALLEL_THRESHOLD or "fork" not in mp.get_all_start_methods():
        return check_pages(read_pages(root, files), policy, today, mode, site_lang, site_url)
    _prepare()
    _WORKER = (root, policy, today, mode, site_lang, site_url, slim)
    # Small chunks: the last one decides when the run ends, so it should be short.
    size = max(8, min(64, len(files) // (jobs * 4)))
    chunks = [files[i : i + size] for i in range(0, len(files), size)]
    result = CheckResult()
    # Frozen objects (the policy, compiled validators, syllable table) are
    # never walked by a worker's collector, so their shared pages stay shared.
    gc.freeze()
    try:
        with mp.get_context("fork").Pool(jobs) as pool:
            for part in pool.imap(_check_chunk, chunks):
                result.pages.update(part)
    finally:
        gc.unfreeze()
    return result


# Per-page results keyed by the page's content, the policy object and the
# date, so a `mkdocs serve` rebuild re-checks only the pages that changed (the
# compliance plugin keeps one policy object while its files are unchanged).
# Entries hold their policy, so an id is never reused while cached. No rule
# reads another page, so one page's result depends on nothing else.
_RESULTS: dict[tuple[str, ...], tuple[Policy, PageResult]] = {}
_CACHE_SIZE = 20_000


def _cache_key(rel: str, parsed: Parsed, policy: Policy, ctx: Context) -> tuple[str, ...] | None:
    if parsed.document is None or not policy.digest:
        return None
    return (rel, parsed.document.digest, str(id(policy)), ctx.today.isoformat(), ctx.mode, ctx.site_lang)

