"""The ``carepress`` command.

Exit codes everywhere: 0 clean, 1 findings at or above the failing severity,
2 usage or configuration error (a missing or malformed policy file included).
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from . import __version__
from .checker import MARKDOWN_SUFFIXES, CheckResult, check_files, check_images, discover
from .codeowners import codeowners_result
from .emit.report import FORMATS, Report, render
from .images import discover_images
from .model import Severity
from .policy import Policy, PolicyError, load_policy
from .project import Project, ProjectError, build_day, load_project
from .summary import page_summary

EXIT_CLEAN, EXIT_FINDINGS, EXIT_CONFIG = 0, 1, 2
EXTENSION_COMMANDS: tuple[str, ...] = ("codeowners", "approvals", "scaffold", "links")


class UsageError(Exception):
    """A bad argument: exit 2 with the message."""


def resolve_today(value: str | None) -> dt.date:
    """The build date: --today, else SOURCE_DATE_EPOCH, else the clock."""
    try:
        return build_day(value, "--today")
    except ProjectError as exc:
        raise UsageError(str(exc)) from None


def _add_common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--today", metavar="DATE", help="the build date (YYYY-MM-DD); default SOURCE_DATE_EPOCH or today")
    parser.add_argument("--config", metavar="FILE", type=Path, help="mkdocs.yml to use (default: found from the working directory)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="carepress",
        description="Check, publish and share a hospital's health-education pages.",
    )
    parser.add_argument("--version", action="version", version=f"carepress {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True

    check = sub.add_parser("check", help="check pages against the editorial policy (renders no site)")
    check.add_argument("paths", nargs="*", type=Path, metavar="PATH", help="pages or folders (default: every page)")
    check.add_argument("--format", choices=FORMATS, default="text", help="report format (default text)")
    check.add_argument("--strict", action="store_true", help="fail on warnings too")
    check.add_argument("--output", "-o", type=Path, metavar="FILE", help="write the report to FILE instead of standard output")
    check.add_argument("--changed-since", metavar="REF", help="check only pages changed since this git ref, the pages that refer to them, and every page when the policy changed")
    _add_common(check)

    phi = sub.add_parser("phi-scan", help="scan pages or text files for protected health information")
    phi.add_argument("paths", nargs="+", type=Path, metavar="PATH", help="Markdown pages, text files or folders")
    phi.add_argument("--format", choices=("text", "json"), default="text", help="report format (default text)")
    _add_common(phi)

    for name, text in (
        ("snippets", "write social snippets (and the calendar) into social_dir, without building the site"),
        ("calendar", "write the content calendar (and the snippets) into social_dir, without building the site"),
    ):
        command = sub.add_parser(name, help=text)
        command.add_argument("--format", choices=FORMATS, default="text", help="report format for findings (default text)")
        command.add_argument("--strict", action="store_true", help="fail on warnings too")
        _add_common(command)

    # Commands that live in their own modules: each has
    # register(subparsers, add_common) -> (name, handler).
    for module_name in EXTENSION_COMMANDS:
        module = importlib.import_module(f"carepress.{module_name}")
        name, handler = module.register(sub, _add_common)
        COMMANDS[name] = handler
    return parser


def _load(args: argparse.Namespace) -> tuple[Project, Policy]:
    project = load_project(config_file=args.config) if args.config else load_project(Path.cwd())
    policy = load_policy(project.policy_dir, display_root=project.root)
    return project, policy


def _report_policy_error(exc: PolicyError) -> int:
    for f in exc.findings:
        where = f"{f.path}:{f.line}:{f.column}" if f.line else f.path
        print(f"{where}: error [{f.rule}] {f.message}", file=sys.stderr)
        if f.hint:
            print(f"    fix: {f.hint}", file=sys.stderr)
    print("carepress: the policy could not be loaded; nothing was checked.", file=sys.stderr)
    return EXIT_CONFIG


def _affects_every_page(project: Project, path: Path) -> bool:
    """A policy, schema or site-config file: a change there can change any page's findings."""
    if path == project.config_file:
        return True
    for folder in (project.policy_dir, project.root / "schema"):
        try:
            path.relative_to(folder.resolve())
            return True
        except ValueError:
            continue
    return False


def _pages(project: Project, paths: Sequence[Path]) -> list[Path]:
    """The Markdown pages to check for the PATHs given: a policy or config
    file means every page; other files that are not pages (images) are
    checked as images, not read as pages."""
    if not paths:
        return discover(project.docs_dir)
    resolved = []
    for path in paths:
        full = path if path.is_absolute() else Path.cwd() / path
        if not full.exists():
            raise UsageError(f"{path}: no such file or folder.")
        full = full.resolve()
        if _affects_every_page(project, full):
            return discover(project.docs_dir)
        if full.is_dir() or full.suffix in MARKDOWN_SUFFIXES:
            resolved.append(full)
    return discover(project.docs_dir, resolved) if resolved else []


def run_check(
    project: Project, policy: Policy, files: Sequence[Path], today: dt.date, image_roots: Sequence[Path] = ()
) -> CheckResult:
    result = check_files(project.root, files, policy, today, mode="check", site_lang=project.lang,
                         site_url=project.site_url, slim=True)
    result.pages.update(check_images(project.root, discover_images(image_roots)))
    return result


def make_report(result: CheckResult, policy: Policy) -> Report:
    pages = {
        rel: page_summary(page.document, policy)
        for rel, page in result.pages.items()
        if page.document is not None and page.valid and page.document.type not in ("", "page")
    }
    return Report(
        findings=result.findings,
        suppressions=result.suppressions,
        pages_checked=len(result.pages),
        pages=pages,
        repository_url=os.environ.get("GITHUB_SERVER_URL", "") + "/" + os.environ["GITHUB_REPOSITORY"]
        if os.environ.get("GITHUB_REPOSITORY")
        else "",
        ref=os.environ.get("GITHUB_SHA", ""),
    )


def exit_code(report: Report, strict: bool) -> int:
    if report.count(Severity.ERROR):
        return EXIT_FINDINGS
    if strict and report.count(Severity.WARNING):
        return EXIT_FINDINGS
    return EXIT_CLEAN


def _emit(text: str, output: Path | None) -> None:
    if output:
        output.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)


def cmd_check(args: argparse.Namespace) -> int:
    today = resolve_today(args.today)
    project, policy = _load(args)
    if args.changed_since:
        from .changes import GitError, select_pages

        if args.paths:
            raise UsageError("give either PATHs or --changed-since, not both.")
        try:
            selection = select_pages(project.root, project.docs_dir, project.policy_dir, args.changed_since)
        except GitError as exc:
            raise UsageError(str(exc)) from None
        files, roots = selection.pages, list(selection.images)
    else:
        files = _pages(project, args.paths)
        roots = [p if p.is_absolute() else Path.cwd() / p for p in args.paths] or [project.docs_dir]
    result = run_check(project, policy, files, today, image_roots=roots)
    # CODEOWNERS follows the pages' service lines: checked on every full run
    # and on every pull-request run (a new page changes it).
    if not args.paths or args.changed_since:
        result.pages.update(codeowners_result(project, policy))
    report = make_report(result, policy)
    colour = args.format == "text" and args.output is None and sys.stdout.isatty() and not os.environ.get("NO_COLOR")
    _emit(render(report, args.format, colour=colour), args.output)
    return exit_code(report, args.strict)


def cmd_phi_scan(args: argparse.Namespace) -> int:
    from .phiscan import scan_paths

    resolve_today(args.today)
    try:
        project, policy = _load(args)
    except ProjectError:
        project, policy = None, None  # a loose file: no hospital allow-lists
    findings, count = scan_paths([p if p.is_absolute() else Path.cwd() / p for p in args.paths], project, policy)
    report = Report(findings=findings, pages_checked=count)
    if args.format == "json":
        sys.stdout.write(render(report, "json"))
    else:
        sys.stdout.write(render(report, "text", colour=sys.stdout.isatty() and not os.environ.get("NO_COLOR")))
    return EXIT_FINDINGS if report.count(Severity.ERROR) else EXIT_CLEAN


def cmd_social(args: argparse.Namespace) -> int:
    from .emit.social_outputs import page_url_for, social_files, write_files

    today = resolve_today(args.today)
    project, policy = _load(args)
    result = run_check(project, policy, discover(project.docs_dir), today)
    docs_prefix = project.rel(project.docs_dir) + "/"

    def page_url(doc) -> str:
        return page_url_for(doc.rel_path.removeprefix(docs_prefix), project.site_url)

    run = social_files(result.pages, policy, today, page_url)
    report = Report(findings=sorted(run.findings, key=lambda f: f.sort_key()), pages_checked=len(result.pages))
    code = exit_code(report, args.strict)
    if code == EXIT_CLEAN:
        write_files(run.files, project.social_dir)
    colour = args.format == "text" and sys.stdout.isatty() and not os.environ.get("NO_COLOR")
    sys.stdout.write(render(report, args.format, colour=colour))
    if args.format == "text":
        if code == EXIT_CLEAN:
            print(f"carepress: wrote {len(run.files)} files to {project.rel(project.social_dir)}/")
        else:
            print(f"carepress: nothing written; {project.rel(project.social_dir)}/ is unchanged.")
    return code


COMMANDS = {"check": cmd_check, "phi-scan": cmd_phi_scan, "snippets": cmd_social, "calendar": cmd_social}


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except UsageError as exc:
        print(f"carepress: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    except ProjectError as exc:
        print(f"carepress: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    except PolicyError as exc:
        return _report_policy_error(exc)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
