"""Compliance reports: the same findings for a terminal, a program, a CI log,
code scanning, and a reviewer reading a pull request."""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from .. import __version__
from ..model import Finding, Severity, Suppression

FORMATS = ("text", "json", "github", "sarif", "markdown")


@dataclass(frozen=True)
class PageSummary:
    """What a reviewer needs to know about one page beyond its findings."""

    path: str
    title: str = ""
    type: str = ""
    service_line: str = ""
    reviewers_needed: tuple[str, ...] = ()
    approvals_present: tuple[str, ...] = ()
    approvals_missing: tuple[str, ...] = ()
    last_reviewed: str = ""
    next_review: str = ""


@dataclass(frozen=True)
class Report:
    findings: Sequence[Finding]
    suppressions: Sequence[tuple[str, Suppression]] = ()
    pages_checked: int = 0
    pages: Mapping[str, PageSummary] = field(default_factory=dict)
    repository_url: str = ""
    ref: str = ""

    def count(self, severity: Severity) -> int:
        return sum(1 for f in self.findings if f.severity is severity)


_COLOURS = {Severity.ERROR: "\033[31m", Severity.WARNING: "\033[33m", Severity.NOTICE: "\033[36m"}
_RESET, _BOLD, _DIM = "\033[0m", "\033[1m", "\033[2m"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def summary_line(report: Report) -> str:
    errors, warnings, notices = (report.count(s) for s in Severity)
    return (
        f"{_plural(report.pages_checked, 'page')} checked: {_plural(errors, 'error')}, "
        f"{_plural(warnings, 'warning')}, {_plural(notices, 'notice')}"
        + (f", {_plural(len(report.suppressions), 'suppression')} in force" if report.suppressions else "")
    )


def render_text(report: Report, colour: bool = False) -> str:
    """Grouped by file; each finding as path:line:column so editors can jump to it."""

    def paint(text: str, code: str) -> str:
        return f"{code}{text}{_RESET}" if colour else text

    by_path: dict[str, list[Finding]] = defaultdict(list)
    for f in report.findings:
        by_path[f.path].append(f)
    lines: list[str] = []
    for path in sorted(by_path):
        lines.append(paint(path, _BOLD))
        for f in by_path[path]:
            where = visible(f"{path}:{f.line}:{f.column}" if f.line else path)
            lines.append(f"  {where}: {paint(f.severity.value, _COLOURS[f.severity])} [{f.rule}] {visible(f.message)}")
            if f.hint:
                lines.append(paint(f"      fix: {visible(f.hint)}", _DIM))
        lines.append("")
    if report.suppressions:
        lines.append(paint("Suppressions in force", _BOLD))
        for path, s in report.suppressions:
            where = f" (line {s.line}: {s.text!r})" if s.line else ""
            lines.append(
                f"  {path}: {s.rule}{where} approved by {s.approved_by} until {s.expires.isoformat()}: {s.reason}"
            )
        lines.append("")
    lines.append(summary_line(report))
    return "\n".join(lines) + "\n"


def render_json(report: Report) -> str:
    return json.dumps([f.as_dict() for f in report.findings], indent=2, ensure_ascii=False) + "\n"


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def render_github(report: Report) -> str:
    """GitHub Actions workflow commands: one annotation per finding."""
    command = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.NOTICE: "notice"}
    out = []
    for f in report.findings:
        props = [f"file={_escape_property(f.path)}"]
        if f.line:
            props.append(f"line={f.line}")
            if f.end_line:
                props.append(f"endLine={f.end_line}")
            if f.column:
                props.append(f"col={f.column}")
            if f.end_column and f.end_line == f.line:
                props.append(f"endColumn={f.end_column}")
        props.append(f"title={_escape_property(f.rule)}")
        message = visible(f.message + (f"\n{f.hint}" if f.hint else ""))
        out.append(f"::{command[f.severity]} {','.join(props)}::{_escape_data(message)}")
    return "\n".join(out) + ("\n" if out else "")


def render_sarif(report: Report) -> str:
    """SARIF 2.1.0 for code scanning."""
    level = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.NOTICE: "note"}
    rule_ids = sorted({f.rule for f in report.findings})
    index = {rid: i for i, rid in enumerate(rule_ids)}
    results: list[dict[str, Any]] = []
    for f in report.findings:
        region: dict[str, Any] = {}
        if f.line:
            region = {"startLine": f.line, "startColumn": max(f.column, 1)}
            if f.end_line:
                region["endLine"] = f.end_line
            if f.end_column:
                region["endColumn"] = f.end_column
        location: dict[str, Any] = {"artifactLocation": {"uri": quote(f.path), "uriBaseId": "%SRCROOT%"}}
        if region:
            location["region"] = region
        result: dict[str, Any] = {
            "ruleId": f.rule,
            "ruleIndex": index[f.rule],
            "level": level[f.severity],
            "message": {"text": f.message + (f" Fix: {f.hint}" if f.hint else "")},
            "locations": [{"physicalLocation": location}],
        }
        results.append(result)
    suppressed = []
    for path, s in report.suppressions:
        suppressed.append({"path": path, "rule": s.rule, "approvedBy": s.approved_by, "expires": s.expires.isoformat()})
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "carepress",
                "version": __version__,
                "informationUri": "https://pypi.org/project/carepress/",
                "rules": [
                    {"id": rid, "name": rid.replace(".", "-"), "shortDescription": {"text": rid}} for rid in rule_ids
                ],
            }
        },
        "results": results,
        "properties": {"suppressions": suppressed},
    }
    doc = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [run],
    }
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


_MD_SPECIAL = re.compile(r"([\\`*_\[\]|~])")
_INVISIBLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")


def visible(text: str) -> str:
    """Control, bidi and zero-width characters shown as escapes: a page's text
    must not clear a reviewer's terminal or reverse the rest of a line."""
    return _INVISIBLE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def _md_escape(text: str) -> str:
    """Author text as plain text in Markdown: no links, images, emphasis or HTML."""
    text = visible(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MD_SPECIAL.sub(r"\\\1", text).replace("\n", " ")


def _link(report: Report, f: Finding) -> str:
    label = f"{f.path}:{f.line}" if f.line else f.path
    if report.repository_url:
        ref = report.ref or "HEAD"
        anchor = f"#L{f.line}" if f.line else ""
        return f"[{_md_escape(label)}]({report.repository_url}/blob/{ref}/{f.path}{anchor})"
    return f"`{label}`"


def verdict(report: Report) -> str:
    errors, warnings = report.count(Severity.ERROR), report.count(Severity.WARNING)
    if errors:
        return f"**Blocked**: {_plural(errors, 'error')} must be fixed before this can merge."
    if warnings:
        return f"**Needs a look**: no errors, {_plural(warnings, 'warning')} for the reviewers to judge."
    return "**Ready for review**: every check passes."


def render_markdown(report: Report) -> str:
    """A pull-request summary: verdict first, then what each page needs from whom."""
    lines = ["## carepress compliance summary", "", verdict(report), "", summary_line(report), ""]
    by_path: dict[str, list[Finding]] = defaultdict(list)
    for f in report.findings:
        by_path[f.path].append(f)
    paths = sorted(set(report.pages) | set(by_path))
    for path in paths:
        page = report.pages.get(path)
        title = f" — {_md_escape(page.title)}" if page and page.title else ""
        lines.append(f"### `{path}`{title}")
        lines.append("")
        if page:
            lines.append("| | |")
            lines.append("|---|---|")
            lines.append(f"| Type | {page.type or '—'} |")
            lines.append(f"| Service line | {page.service_line or '—'} |")
            lines.append(f"| Reviewers needed | {', '.join(page.reviewers_needed) or '—'} |")
            lines.append(f"| Approvals present | {', '.join(page.approvals_present) or 'none'} |")
            lines.append(f"| Approvals missing | {', '.join(page.approvals_missing) or 'none'} |")
            lines.append(f"| Last reviewed | {page.last_reviewed or '—'} |")
            lines.append(f"| Next review | {page.next_review or '—'} |")
            lines.append("")
        findings = by_path.get(path, [])
        if findings:
            for f in findings:
                icon = {"error": "❌", "warning": "⚠️", "notice": "ℹ️"}[f.severity.value]
                lines.append(f"- {icon} {_link(report, f)} `{f.rule}`: {_md_escape(f.message)}")
                if f.hint:
                    lines.append(f"  - Fix: {_md_escape(f.hint)}")
        else:
            lines.append("- ✅ No findings.")
        lines.append("")
    if report.suppressions:
        lines.append("### Suppressions in force")
        lines.append("")
        lines.append("| Page | Rule | Approved by | Expires | Reason |")
        lines.append("|---|---|---|---|---|")
        for path, s in report.suppressions:
            rule = s.rule + (f" (line {s.line})" if s.line else "")
            lines.append(
                f"| `{path}` | `{rule}` | {s.approved_by} | {s.expires.isoformat()} | {_md_escape(s.reason)} |"
            )
        lines.append("")
    return "\n".join(lines)


def render(report: Report, fmt: str, colour: bool = False) -> str:
    if fmt == "text":
        return render_text(report, colour)
    if fmt == "json":
        return render_json(report)
    if fmt == "github":
        return render_github(report)
    if fmt == "sarif":
        return render_sarif(report)
    if fmt == "markdown":
        return render_markdown(report)
    raise ValueError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")


def worst(findings: Iterable[Finding]) -> Severity | None:
    ranked = sorted((f.severity for f in findings), key=lambda s: s.rank, reverse=True)
    return ranked[0] if ranked else None
