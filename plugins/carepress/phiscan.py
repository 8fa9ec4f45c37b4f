"""``carepress phi-scan``: the PHI detector over files, and over a built site.

Defence in depth: the same detector that checks each page also reads every
text file carepress publishes (HTML, JSON, the search index, snippets), so a
template that leaks front matter into a page is caught too.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from .model import Finding, Severity
from .phi import PhiContext, PhiHit, line_col, scan

if TYPE_CHECKING:  # the post-build scan runs in a process that imports no page checks
    from .policy import Policy
    from .project import Project

TEXT_SUFFIXES = {".md", ".markdown", ".txt", ".html", ".htm", ".json", ".xml", ".csv", ".ics"}


def _rel(path: Path, root: Path | None) -> str:
    if root is not None:
        try:
            return path.resolve().relative_to(root).as_posix()
        except ValueError:
            pass
    return path.as_posix()


def _files(paths: Sequence[Path]) -> list[Path]:
    out: list[Path] = []
    for path in paths:
        if path.is_dir():
            out.extend(p for p in sorted(path.rglob("*")) if p.is_file() and p.suffix.lower() in TEXT_SUFFIXES)
        else:
            out.append(path)
    return out


def scan_text(text: str, rel: str, context: PhiContext) -> list[Finding]:
    out = []
    try:
        hits = scan(text, context)
    except Exception as exc:  # noqa: BLE001 - fail closed, naming the file
        return [
            Finding(
                "phi.scan-failed", Severity.ERROR, rel, 1, 1,
                message=f"The PHI scanner failed on this file: {type(exc).__name__}: {exc}",
                hint="Nothing is published while the scan fails; report this with the file attached.",
            )
        ]
    for hit in hits:
        line, column = line_col(text, hit.start)
        end_line, end_column = line_col(text, hit.end)
        out.append(
            Finding(
                f"phi.{hit.kind}",
                Severity.ERROR if hit.severity == "error" else Severity.WARNING,
                rel, line, column, end_line, end_column, hit.message, hit.hint, hit.kind,
            )
        )
    return out


class ChunkCache:
    """PHI hits per paragraph of output text, reused across a build's files.

    A built site repeats the same navigation, header and footer on every
    page. The detector's context windows stop at a blank line, so scanning
    paragraph by paragraph finds exactly what a whole-file scan finds, and a
    paragraph seen before (in the same context) is not scanned again.
    """

    def __init__(self) -> None:
        self.hits: dict[tuple[str, PhiContext], tuple[tuple[int, int, PhiHit], ...]] = {}
        # A paragraph's answer is kept from its second sighting on: most of a
        # page's paragraphs are its own, and keeping each one's text would
        # hold the whole site's text. The first sighting leaves only a hash
        # (a collision only keeps an answer early; answers are found by text).
        self.seen: set[int] = set()


# A paragraph break: a line end, then lines holding nothing or only spaces
# and tabs (possessive: no backtracking over a page's indentation).
_PARAGRAPH_BREAKS = re.compile(r"(\n(?:[ \t]*+\n)++)")
# How much text the scans of a large file take at a time (see _by_lines).
_LINES_AT_ONCE = 1 << 18


def scan_text_chunked(
    text: str, rel: str, context: PhiContext, cache: ChunkCache, first_line: int = 1
) -> list[Finding]:
    out: list[Finding] = []
    # The text splits at blank lines (whitespace-only lines count as blank),
    # in C, in one pass; the loop below only looks things up. A large text
    # (the social calendar) is split a paragraph at a time instead, so that
    # it is never held a second time as a list of its paragraphs.
    if len(text) <= _LINES_AT_ONCE:
        pieces: Iterable[str] = _PARAGRAPH_BREAKS.split(text)
    else:
        pieces = _split_lazily(text)
    line = first_line
    hits, seen = cache.hits, cache.seen
    for index, piece in enumerate(pieces):
        if index % 2 or not piece or piece.isspace():
            line += piece.count("\n")
            continue
        key = (piece, context)
        cached = hits.get(key)
        if cached is None:
            cached = tuple((*line_col(piece, hit.start), hit) for hit in _safe_scan(piece, context, rel))
            sighting = hash(key)
            if sighting in seen:
                hits[key] = cached
            else:
                seen.add(sighting)
        for hit_line, hit_column, hit in cached:
            if hit.kind == "scan-failed":
                out.append(Finding("phi.scan-failed", Severity.ERROR, rel, line, 1, message=hit.message, hint=hit.hint))
                continue
            end_line, end_column = line_col(piece, hit.end)
            out.append(Finding(
                f"phi.{hit.kind}", Severity.ERROR if hit.severity == "error" else Severity.WARNING,
                rel, line + hit_line - 1, hit_column, line + end_line - 1, end_column,
                hit.message, hit.hint, hit.kind,
            ))
        line += piece.count("\n")
    return out


def _split_lazily(text: str) -> Iterator[str]:
    """What ``_PARAGRAPH_BREAKS.split(text)`` lists, one piece at a time."""
    start = 0
    for brk in _PARAGRAPH_BREAKS.finditer(text):
        yield text[start : brk.start()]
        yield brk.group()
        start = brk.end()
    yield text[start:]


def _safe_scan(text: str, context: PhiContext, rel: str) -> list[PhiHit]:
    try:
        return scan(text, context)
    except Exception as exc:  # noqa: BLE001 - fail closed, naming the file
        return [PhiHit("scan-failed", 0, 0, "error",
                       f"The PHI scanner failed on this file: {type(exc).__name__}: {exc}",
                       "Nothing is published while the scan fails; report this with the file attached.")]


def scan_paths(
    paths: Sequence[Path], project: Project | None, policy: Policy | None
) -> tuple[list[Finding], int]:
    """Scan Markdown pages (front matter and body) and plain text files.

    A page with front matter is read in its own context (a story as patient
    context); a loose text file could be anything, so it is read as patient
    context, the cautious choice. Returns the findings and the files read.
    """
    import dataclasses
    import datetime as dt

    from .frontmatter import read_file
    from .rules import Context
    from .rules.phi import base_context, phi

    root = project.root if project else None
    context = dataclasses.replace(base_context(policy) if policy else PhiContext(), patient_context=True)
    findings: list[Finding] = []
    files = _files(paths)
    for path in files:
        rel = _rel(path, root)
        if not path.is_file():
            findings.append(Finding("phi.unreadable", Severity.ERROR, rel, message="No such file.", hint="Check the path."))
            continue
        if path.suffix.lower() in (".md", ".markdown"):
            parsed = read_file(path, rel)
            doc = parsed.document
            if doc is None:
                findings.extend(parsed.findings)
                continue
            if doc.has_front_matter and policy is not None:
                findings.extend(phi(doc, policy, Context(today=dt.date.today())))
                continue
            findings.extend(scan_text(doc.source, rel, context))
            continue
        try:
            text = path.read_bytes().decode("utf-8-sig")
        except UnicodeDecodeError:
            findings.append(
                Finding("phi.unreadable", Severity.ERROR, rel, message="The file is not UTF-8 text.",
                        hint="phi-scan reads UTF-8 text files.")
            )
            continue
        findings.extend(scan_text(text, rel, context))
    return sorted(findings, key=Finding.sort_key), len(files)


# -- the post-build scan -------------------------------------------------------

_SCRIPT_STYLE = re.compile(r"<(script|style)\b[^>]*>.*?</\1\s*>", re.S | re.I)
_TAG = re.compile(r"<[^>]+>")


_TAG_ONE_LINE = re.compile(r"<[^>\n]*>")


def html_text(markup: str) -> str:
    """Visible text of a page, with tags replaced by spaces (a read-only scan:
    the page itself is never rewritten). Line breaks are kept so findings
    point at the right line of the output file."""
    without = _SCRIPT_STYLE.sub(lambda m: "\n" * m.group(0).count("\n"), markup)
    parts = _by_lines(lambda text: _TAG_ONE_LINE.sub(" ", text), without)  # nearly every tag, at C speed
    del without
    if any("<" in part for part in parts):  # a tag over several lines, or a lone "<"
        parts = _by_lines(html.unescape, _TAG.sub(lambda m: "\n" * m.group(0).count("\n") + " ", "".join(parts)))
    else:
        for i, part in enumerate(parts):
            parts[i] = html.unescape(part)  # no character reference spans a line end
    return "".join(parts)


def _by_lines(transform: Callable[[str], str], text: str) -> list[str]:
    """The pieces of ``transform(text)``, for a transform that never looks
    across a line end, made a quarter of a megabyte of whole lines at a
    time: a regular expression's substitution first lists every piece of its
    result, about twice the text again for a large file with a tag on every
    line (the social calendar)."""
    if len(text) <= _LINES_AT_ONCE:
        return [transform(text)]
    parts = []
    start = 0
    while start < len(text):
        end = text.find("\n", start + _LINES_AT_ONCE)
        end = len(text) if end < 0 else end + 1
        parts.append(transform(text[start:end]))
        start = end
    return parts


_GENERATED = re.compile(r"<(div|details|ol)\b[^>]*\bdata-carepress\b[^>]*>.*?</\1\s*>", re.S | re.I)


def _json_findings(path: Path, rel: str, context: PhiContext, cache: ChunkCache) -> list[Finding]:
    """Every string value of a JSON file scanned, in document order.

    The file is read as a stream of values (ijson), so a large one (the
    social snippets, 11 MB at 2,000 pages) is never in memory whole, as text
    or as Python objects. Keys are names the writers chose, not content.
    Raises ``ijson.JSONError`` when the file is not JSON."""
    import ijson

    out: list[Finding] = []
    with path.open("rb") as stream:
        for _, event, value in ijson.parse(stream):
            if event == "string":
                out.extend(scan_text_chunked(value, rel, context, cache))
    return out


def scan_output(
    folder: Path, display: str, contexts: Mapping[str, PhiContext], default: PhiContext,
    skip: Sequence[str] = ("assets/", "search/search_index.json"), share: bool = True,
) -> list[Finding]:
    """Scan every text file of a built site or social folder.

    ``contexts`` maps an output path (``articles/x/index.html``) to the PHI
    context of its source page, so a story's page is read as patient context.
    ``share``: paragraphs scanned in one file are remembered for the next (a
    site's pages repeat their navigation; the social files repeat nothing
    across files, and a large one's paragraphs would only take memory).
    """
    findings: list[Finding] = []
    cache = ChunkCache()
    for rel in output_files(folder, skip):
        if not share:
            cache = ChunkCache()
        findings.extend(scan_output_file(folder / rel, f"{display}/{rel}", contexts.get(rel, default), default, cache))
    return findings


def output_files(folder: Path, skip: Sequence[str] = ("assets/", "search/search_index.json")) -> list[str]:
    """The text files scan_output reads, as paths inside ``folder``, in its order."""
    if not folder.is_dir():
        return []
    out = []
    for path in sorted(folder.rglob("*")):
        if not path.is_file() or path.suffix.lower() not in TEXT_SUFFIXES:
            continue
        rel = path.relative_to(folder).as_posix()
        if any(rel.startswith(s) for s in skip if s.endswith("/")) or rel in skip:
            continue
        out.append(rel)
    return out


def scan_output_file(path: Path, shown: str, context: PhiContext, default: PhiContext, cache: ChunkCache) -> list[Finding]:
    """One output file, read in its page's context (``shown``: its name in findings)."""
    suffix = path.suffix.lower()
    if suffix == ".json":
        return _json_file_findings(path, shown, context, cache)
    text = path.read_text(encoding="utf-8", errors="replace")
    if suffix not in (".html", ".htm"):
        return scan_text_chunked(text, shown, context, cache)
    return scan_html(text, shown, context, default, cache)


def scan_html(text: str, shown: str, context: PhiContext, default: PhiContext, cache: ChunkCache) -> list[Finding]:
    """One HTML output file's text, read in its page's context."""
    # carepress's own blocks (review line, references, history) hold staff
    # names and review dates, never a patient's words: they are read in the
    # hospital's general context, the rest in the page's.
    blocks = list(_GENERATED.finditer(text))
    own = _GENERATED.sub(lambda m: "\n" * m.group(0).count("\n"), text) if blocks else text
    findings = scan_text_chunked(html_text(own), shown, context, cache)
    for block in blocks:
        start_line = text.count("\n", 0, block.start()) + 1
        findings.extend(scan_text_chunked(html_text(block.group(0)), shown, default, cache, start_line))
    return findings


def _json_file_findings(path: Path, rel: str, context: PhiContext, cache: ChunkCache) -> list[Finding]:
    """A JSON file's string values; a file that is not JSON is read as text."""
    import ijson

    try:
        return _json_findings(path, rel, context, cache)
    except (ijson.JSONError, UnicodeDecodeError):
        return scan_text(path.read_text(encoding="utf-8", errors="replace"), rel, context)


def search_index_findings(site: Path, contexts: Mapping[str, PhiContext], default: PhiContext) -> list[Finding]:
    """The search index holds every page's text: scan each entry in its page's context.

    Entries are read one at a time from the file (ijson): the index of a
    large site is never held whole, as text or as objects."""
    import ijson

    index = site / "search" / "search_index.json"
    if not index.is_file():
        return []
    findings: list[Finding] = []
    cache = ChunkCache()  # each page has several entries (one per section) that repeat text
    try:
        with index.open("rb") as stream:
            for entry in ijson.items(stream, "docs.item"):
                if not isinstance(entry, dict):
                    continue
                location = str(entry.get("location", "")).split("#")[0]
                page = (location.rstrip("/") + "/index.html").lstrip("/") if location else "index.html"
                text = html_text(str(entry.get("title", "")) + "\n" + str(entry.get("text", "")))
                findings.extend(scan_text_chunked(text, f"site/search/search_index.json ({location or '/'})",
                                                  contexts.get(page, default), cache))
    except (ijson.JSONError, UnicodeDecodeError):
        # Not the index MkDocs writes: read it whole, as any other text.
        return scan_text(index.read_text(encoding="utf-8", errors="replace"), "site/search/search_index.json", default)
    return findings
