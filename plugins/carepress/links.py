"""``carepress links --online``: do the cited sources and external links still work?

Builds and ``carepress check`` never touch the network (DESIGN principle 6),
so a dead citation is found here, in a command of its own that asks for
``--online``. Each distinct URL is requested once (HEAD, or GET when a server
refuses HEAD), redirects are followed by hand so the chain can be reported,
and answers are cached so that a scheduled job does not knock on a
government site's door for every page every hour.

Only a page that is gone (404, 410) is an error. A server error, a timeout,
a DNS or TLS failure is a warning: a hospital's pull request should not fail
because somebody else's site had a bad minute. Such answers are not cached,
so the next run asks again.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import html
import http.client
import json
import os
import re
import socket
import ssl
import sys
import tempfile
import threading
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from http import HTTPStatus
from itertools import zip_longest
from pathlib import Path
from typing import Any
from urllib.parse import quote, urljoin, urlsplit, urlunsplit

from . import __version__
from .checker import read_pages
from .cli import EXIT_CONFIG, _load, _pages, exit_code, resolve_today
from .emit.references import _code_ranges, _inside
from .emit.report import FORMATS, Report, render
from .model import Document, Finding, Severity, Span
from .rules import body_span, finding

DEFAULT_CACHE = Path(".carepress-cache") / "links.json"
DEFAULT_MAX_AGE_HOURS = 24.0
DEFAULT_TIMEOUT = 10.0
WORKERS = 8
PER_HOST = 2
MAX_REDIRECTS = 10

REDIRECTS = frozenset({301, 302, 303, 307, 308})
PERMANENT = frozenset({301, 308})
GONE = frozenset({404, 410})
# A server that will not answer HEAD often says so with one of these.
HEAD_REFUSED = frozenset({403, 405, 501})

Now = Callable[[], dt.datetime]


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


# --------------------------------------------------------------------------
# Where the links are


@dataclass(frozen=True)
class Occurrence:
    """One place a URL is written: a citation's URL or DOI, or a body link."""

    url: str
    doc: Document
    where: tuple[Any, ...] | Span
    kind: str  # "citation", "doi" or "link"
    written: str = ""  # the DOI as the author wrote it


_INLINE = re.compile(r"\]\(")
_REFERENCE = re.compile(r"^[ ]{0,3}\[(?!\^)[^\]\n]+\]:[ \t]*<?(?P<url>[^\s<>]+)", re.M)
_AUTOLINK = re.compile(r"<(?P<url>[A-Za-z][A-Za-z0-9+.-]{1,31}:[^\s<>]*)>")
_ANCHOR = re.compile(
    r"""<a\s[^>]*?\bhref\s*=\s*(?:"(?P<dq>[^"]*)"|'(?P<sq>[^']*)'|(?P<bare>[^\s"'<>`=]+))""",
    re.I,
)
_WEB = re.compile(r"https?://", re.I)


def _is_web(url: str) -> bool:
    return bool(_WEB.match(url))


def _destination(text: str, start: int) -> tuple[int, int]:
    """The span of an inline link's destination beginning at ``start`` (after the "(")."""
    n = len(text)
    i = start
    while i < n and text[i] in " \t":
        i += 1
    if i < n and text[i] == "<":
        end = text.find(">", i + 1)
        newline = text.find("\n", i + 1)
        if end == -1 or (newline != -1 and newline < end):
            return i, i
        return i + 1, end
    depth = 0
    j = i
    while j < n:
        c = text[j]
        if c in " \t\r\n":
            break
        if c == "\\":
            j += 2
            continue
        if c == "(":
            depth += 1
        elif c == ")":
            if depth == 0:
                break
            depth -= 1
        j += 1
    return i, min(j, n)


def body_links(body: str) -> list[tuple[str, int, int]]:
    """External http(s) links in a Markdown body: (url, start, end), in order.

    Inline links and images ``[text](https://...)``, reference definitions
    ``[id]: https://...``, autolinks ``<https://...>`` and raw ``<a href>``;
    nothing in code (fenced, indented or inline), HTML comments or <pre>.
    """
    skip = _code_ranges(body)
    found: dict[tuple[int, int], str] = {}

    def add(raw: str, start: int, end: int) -> None:
        url = html.unescape(raw.strip())
        if _is_web(url) and not _inside(skip, start, end) and (start, end) not in found:
            found[(start, end)] = url

    for m in _INLINE.finditer(body):
        if m.start() > 0 and body[m.start() - 1] == "\\":
            continue
        lo, hi = _destination(body, m.end())
        add(body[lo:hi], lo, hi)
    for m in _REFERENCE.finditer(body):
        add(m["url"].rstrip(">"), m.start("url"), m.start("url") + len(m["url"].rstrip(">")))
    for m in _AUTOLINK.finditer(body):
        add(m["url"], m.start("url"), m.end("url"))
    for m in _ANCHOR.finditer(body):
        group = next(g for g in ("dq", "sq", "bare") if m[g] is not None)
        add(m[group], m.start(group), m.end(group))
    return [(url, lo, hi) for (lo, hi), url in sorted(found.items())]


def doi_url(doi: str) -> str:
    """The resolver URL of a DOI written with or without a resolver prefix."""
    text = doi.strip()
    lowered = text.lower()
    for prefix in (
        "https://doi.org/",
        "http://doi.org/",
        "https://dx.doi.org/",
        "http://dx.doi.org/",
        "doi:",
    ):
        if lowered.startswith(prefix):
            text = text[len(prefix) :].strip()
            break
    return "https://doi.org/" + quote(text, safe="/:;()")


def collect_links(doc: Document) -> list[Occurrence]:
    """Every URL a page asks readers to follow: citations first, then the body."""
    out: list[Occurrence] = []
    citations = doc.meta.get("citations")
    for i, item in enumerate(citations if isinstance(citations, list) else []):
        if not isinstance(item, Mapping):
            continue
        url = item.get("URL")
        if isinstance(url, str) and _is_web(url.strip()):
            out.append(Occurrence(url.strip(), doc, ("citations", i, "URL"), "citation"))
        doi = item.get("DOI")
        if isinstance(doi, str) and doi.strip():
            out.append(Occurrence(doi_url(doi), doc, ("citations", i, "DOI"), "doi", doi.strip()))
    for url, lo, hi in body_links(doc.body):
        out.append(Occurrence(url, doc, body_span(doc, lo, hi), "link"))
    return out


# --------------------------------------------------------------------------
# Asking the servers


@dataclass(frozen=True)
class Redirect:
    status: int
    url: str  # where it pointed, absolute


@dataclass(frozen=True)
class LinkResult:
    """What one URL answered: its final status after redirects, or why there was none."""

    url: str
    status: int  # 0 when there was no HTTP answer
    final_url: str
    redirects: tuple[Redirect, ...] = ()
    error: str = ""  # why there was no usable answer
    checked_at: str = ""

    @property
    def moved_to(self) -> str:
        """Where the last permanent redirect points ('' when there is none)."""
        for hop in reversed(self.redirects):
            if hop.status in PERMANENT:
                return hop.url
        return ""

    @property
    def unreachable(self) -> bool:
        """No usable answer (a 404 or 410 is an answer: the page is gone).

        Such a result may be different in a minute, so it is never cached.
        """
        return (
            bool(self.error) or not self.status or (self.status >= 400 and self.status not in GONE)
        )

    def as_cache(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "final_url": self.final_url,
            "redirects": [{"status": r.status, "url": r.url} for r in self.redirects],
            "checked_at": self.checked_at,
        }

    @classmethod
    def from_cache(cls, url: str, entry: Any) -> LinkResult | None:
        try:
            return cls(
                url,
                int(entry["status"]),
                str(entry["final_url"]),
                tuple(Redirect(int(r["status"]), str(r["url"])) for r in entry["redirects"]),
                checked_at=str(entry["checked_at"]),
            )
        except (KeyError, TypeError, ValueError):
            return None


class _Failure(Exception):
    """No HTTP answer: ``cause`` says why (a timeout, DNS, TLS, a refused connection)."""

    def __init__(self, cause: BaseException | str) -> None:
        super().__init__(str(cause))
        self.cause = cause


class _EveryStatus(urllib.request.HTTPErrorProcessor):
    """Hand every response back as it is: redirects and errors are ours to read."""

    def http_response(self, request: urllib.request.Request, response: Any) -> Any:
        return response

    https_response = http_response


def describe_failure(cause: BaseException | str, timeout: float) -> str:
    """Why a request got no answer, in words a content editor can act on."""
    if isinstance(cause, str):
        return cause
    if isinstance(cause, TimeoutError):
        return f"no answer within {timeout:g} seconds"
    if isinstance(cause, socket.gaierror):
        return "the host name could not be found (DNS)"
    if isinstance(cause, ssl.SSLCertVerificationError):
        return f"its TLS certificate could not be verified ({cause.verify_message})"
    if isinstance(cause, ssl.SSLError):
        return f"the secure (TLS) connection failed ({cause.reason or cause})"
    if isinstance(cause, ConnectionRefusedError):
        return "the connection was refused"
    if isinstance(cause, ConnectionError):
        return "the connection was dropped"
    if isinstance(cause, http.client.HTTPException):
        return f"the server's answer could not be read ({type(cause).__name__})"
    if isinstance(cause, ValueError):
        return f"it is not a URL that can be requested ({cause})"
    return f"{type(cause).__name__}: {cause}"


def _as_uri(url: str) -> str:
    """An IRI as the ASCII URI that goes on the wire (IDNA host, %-encoded path)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    try:
        ascii_host = host.encode("idna").decode("ascii") if not host.isascii() else host
    except UnicodeError:
        ascii_host = host
    netloc = parts.netloc.replace(host, ascii_host, 1) if host else parts.netloc
    safe = "%/:@!$&'()*+,;=-._~"
    return urlunsplit(
        (
            parts.scheme,
            netloc,
            quote(parts.path, safe=safe),
            quote(parts.query, safe=safe + "?"),
            "",
        )
    )


class LinkChecker:
    """Requests URLs politely: a few workers, at most ``per_host`` at a time per host."""

    def __init__(
        self,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        user_agent: str = f"carepress/{__version__}",
        workers: int = WORKERS,
        per_host: int = PER_HOST,
        max_redirects: int = MAX_REDIRECTS,
    ) -> None:
        self.timeout = timeout
        self.user_agent = user_agent
        self.workers = workers
        self.per_host = per_host
        self.max_redirects = max_redirects
        self._opener = urllib.request.build_opener(_EveryStatus)
        self._hosts: dict[str, threading.BoundedSemaphore] = {}
        self._lock = threading.Lock()

    @contextlib.contextmanager
    def _slot(self, url: str) -> Iterator[None]:
        host = (urlsplit(url).hostname or "").lower()
        with self._lock:
            gate = self._hosts.setdefault(host, threading.BoundedSemaphore(self.per_host))
        with gate:
            yield

    def _open(self, url: str, method: str) -> tuple[int, str]:
        request = urllib.request.Request(
            _as_uri(url), method=method, headers={"User-Agent": self.user_agent, "Accept": "*/*"}
        )
        with self._slot(url):
            try:
                response = self._opener.open(request, timeout=self.timeout)
            except urllib.error.HTTPError as exc:  # e.g. from a proxy handler
                with contextlib.closing(exc):
                    return exc.code, exc.headers.get("Location", "") if exc.headers else ""
            except urllib.error.URLError as exc:
                raise _Failure(exc.reason) from None
            except (OSError, http.client.HTTPException, ValueError) as exc:
                raise _Failure(exc) from None
            # Status and headers are all we need; the body is never read.
            with contextlib.closing(response):
                return response.status, response.headers.get("Location", "")

    def _request(self, url: str) -> tuple[int, str]:
        """HEAD, then GET if the server refuses HEAD (by status or by hanging up)."""
        try:
            status, location = self._open(url, "HEAD")
            if status not in HEAD_REFUSED:
                return status, location
        except _Failure as exc:
            if not isinstance(exc.cause, (ConnectionError, http.client.HTTPException)):
                raise
        return self._open(url, "GET")

    def check(self, url: str) -> LinkResult:
        current = url
        hops: list[Redirect] = []
        try:
            for _ in range(self.max_redirects + 1):
                status, location = self._request(current)
                if status not in REDIRECTS or not location:
                    return LinkResult(url, status, current, tuple(hops))
                target = urljoin(current, location.strip())
                hops.append(Redirect(status, target))
                if not _is_web(target):
                    return LinkResult(
                        url, 0, target, tuple(hops), error="it redirects to a non-web address"
                    )
                current = target
            return LinkResult(
                url,
                0,
                current,
                tuple(hops),
                error=f"it redirects more than {self.max_redirects} times",
            )
        except _Failure as exc:
            return LinkResult(
                url, 0, current, tuple(hops), error=describe_failure(exc.cause, self.timeout)
            )
        except Exception as exc:  # noqa: BLE001 - one odd URL must not stop the others
            return LinkResult(
                url, 0, current, tuple(hops), error=f"carepress could not request it ({exc!r})"
            )

    def check_all(self, urls: Iterable[str]) -> dict[str, LinkResult]:
        ordered = _interleave_hosts(urls)
        if not ordered:
            return {}
        with ThreadPoolExecutor(
            max_workers=self.workers, thread_name_prefix="carepress-links"
        ) as pool:
            futures = {url: pool.submit(self.check, url) for url in ordered}
            return {url: future.result() for url, future in futures.items()}


def _interleave_hosts(urls: Iterable[str]) -> list[str]:
    """One URL per host in turn, so workers are not all waiting on one busy host."""
    by_host: dict[str, list[str]] = {}
    for url in dict.fromkeys(urls):
        by_host.setdefault((urlsplit(url).hostname or "").lower(), []).append(url)
    return [url for row in zip_longest(*by_host.values()) for url in row if url is not None]


# --------------------------------------------------------------------------
# The cache


def _stamp(moment: dt.datetime) -> str:
    return moment.astimezone(dt.timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")


def _parse_stamp(text: str) -> dt.datetime | None:
    try:
        moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.timezone.utc)


def load_cache(path: Path) -> dict[str, Any]:
    """The cache as written, or empty when it is missing or unreadable (it is only a cache)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        print(f"carepress: ignoring the link cache {path}: {exc}", file=sys.stderr)
        return {}
    return data if isinstance(data, dict) else {}


def fresh_entry(url: str, entry: Any, now: dt.datetime, max_age_hours: float) -> LinkResult | None:
    result = LinkResult.from_cache(url, entry)
    if result is None:
        return None
    checked = _parse_stamp(result.checked_at)
    if checked is None:
        return None
    age = now - checked
    if dt.timedelta(0) <= age < dt.timedelta(hours=max_age_hours):
        return result
    return None


def write_cache(path: Path, data: Mapping[str, Any]) -> None:
    """Write the whole cache to a temporary file beside it, then rename it into place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".links-", suffix=".json.tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump(dict(sorted(data.items())), out, indent=1, ensure_ascii=False)
            out.write("\n")
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


# --------------------------------------------------------------------------
# Findings


def _phrase(status: int) -> str:
    try:
        return f"{status} {HTTPStatus(status).phrase}"
    except ValueError:
        return str(status)


def _what(occ: Occurrence) -> str:
    return (
        "the DOI" if occ.kind == "doi" else "the citation" if occ.kind == "citation" else "the link"
    )


def _place(occ: Occurrence, rule: str, message: str, hint: str, severity: Severity) -> Finding:
    return finding(rule, occ.doc, occ.where, message, hint, severity)


def findings_for(occ: Occurrence, result: LinkResult) -> list[Finding]:
    name = f"DOI {occ.written} ({occ.url})" if occ.kind == "doi" else occ.url
    via = f" (redirected to {result.final_url})" if result.redirects else ""
    if result.unreachable:
        why = result.error or f"the server answered {_phrase(result.status)}"
        return [
            _place(
                occ,
                "links.unreachable",
                f"{name} could not be checked{via}: {why}.",
                "This is often a passing problem at the other site, so it is a warning and is not "
                "cached: the next 'carepress links --online' asks again. If it persists, open the "
                f"address in a browser and, if the page is gone, update {_what(occ)}.",
                Severity.WARNING,
            )
        ]
    if result.status in GONE:
        hint = (
            "Check the DOI against the publisher's page or Crossref; a mistyped DOI is the usual cause."
            if occ.kind == "doi"
            else f"Find where the page went (the publisher's site, or a web archive's copy from the date "
            f"it was accessed) and update {_what(occ)}, or cite another source."
        )
        return [
            _place(
                occ,
                "links.broken",
                f"{name} is gone{via}: the server answered {_phrase(result.status)}.",
                hint,
                Severity.ERROR,
            )
        ]
    # A DOI is the lasting address, so where it lands may move without the citation changing.
    if result.moved_to and occ.kind != "doi":
        hop = next(r for r in reversed(result.redirects) if r.status in PERMANENT)
        return [
            _place(
                occ,
                "links.redirected",
                f"{occ.url} has moved permanently ({_phrase(hop.status)}) and is now at "
                f"{result.moved_to}; update {_what(occ)}.",
                f"Replace the address with {result.moved_to} once you have checked it is the same page.",
                Severity.WARNING,
            )
        ]
    return []


# --------------------------------------------------------------------------
# The run


@dataclass
class LinkRun:
    findings: list[Finding] = field(default_factory=list)
    pages: int = 0
    links: int = 0  # distinct URLs
    requested: int = 0
    from_cache: int = 0


def check_links(
    root: Path,
    files: Sequence[Path],
    checker: LinkChecker,
    cache_path: Path,
    max_age_hours: float = DEFAULT_MAX_AGE_HOURS,
    now: Now = utc_now,
) -> LinkRun:
    """Check every link of the given pages; ``now`` is the real clock (the cache's age)."""
    run = LinkRun()
    occurrences: list[Occurrence] = []
    for parsed in read_pages(root, files).values():
        run.pages += 1
        if parsed.document is None:  # fail closed: say why the page's links were not checked
            run.findings.extend(f for f in parsed.findings if f.severity is Severity.ERROR)
            continue
        occurrences.extend(collect_links(parsed.document))
    urls = list(dict.fromkeys(occ.url for occ in occurrences))
    run.links = len(urls)

    cache = load_cache(cache_path)
    started = now()
    results: dict[str, LinkResult] = {}
    for url in urls:
        cached = fresh_entry(url, cache.get(url), started, max_age_hours)
        if cached is not None:
            results[url] = cached
    run.from_cache = len(results)
    to_check = [url for url in urls if url not in results]
    run.requested = len(to_check)
    if to_check:
        checked_at = _stamp(now())
        checked = {
            url: LinkResult(r.url, r.status, r.final_url, r.redirects, r.error, checked_at)
            for url, r in checker.check_all(to_check).items()
        }
        results.update(checked)
        # Keep what is still fresh, so the file does not grow without end.
        cache = {
            url: entry
            for url, entry in cache.items()
            if fresh_entry(url, entry, started, max_age_hours) is not None
        }
        for url, result in checked.items():
            if result.unreachable:
                cache.pop(url, None)
            else:
                cache[url] = result.as_cache()
        try:
            write_cache(cache_path, cache)
        except OSError as exc:
            print(f"carepress: could not write the link cache {cache_path}: {exc}", file=sys.stderr)

    for occ in occurrences:
        run.findings.extend(findings_for(occ, results[occ.url]))
    run.findings.sort(key=Finding.sort_key)
    return run


def _hours(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of hours") from None
    if value < 0:
        raise argparse.ArgumentTypeError("must be 0 or more hours")
    return value


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not value > 0:
        raise argparse.ArgumentTypeError("must be more than 0 seconds")
    return value


def register(
    subparsers: Any, add_common: Callable[[argparse.ArgumentParser], None]
) -> tuple[str, Callable[[argparse.Namespace], int]]:
    parser = subparsers.add_parser(
        "links",
        help="check citation URLs, DOIs and external links over the network (needs --online)",
        description="Request every citation URL, DOI and external link of the pages and report the "
        "ones that are gone (error), moved permanently or unreachable (warnings). Builds and "
        "'carepress check' never use the network; this command does, so it asks for --online.",
    )
    parser.add_argument(
        "paths", nargs="*", type=Path, metavar="PATH", help="pages or folders (default: every page)"
    )
    parser.add_argument("--online", action="store_true", help="allow network requests (required)")
    parser.add_argument(
        "--format", choices=FORMATS, default="text", help="report format (default text)"
    )
    parser.add_argument("--strict", action="store_true", help="fail on warnings too")
    parser.add_argument(
        "--max-age",
        type=_hours,
        default=DEFAULT_MAX_AGE_HOURS,
        metavar="HOURS",
        help=f"reuse cached answers younger than this (default {DEFAULT_MAX_AGE_HOURS:g}; 0 asks again)",
    )
    parser.add_argument(
        "--timeout",
        type=_seconds,
        default=DEFAULT_TIMEOUT,
        metavar="S",
        help=f"seconds to wait for each request (default {DEFAULT_TIMEOUT:g})",
    )
    parser.add_argument(
        "--cache",
        type=Path,
        metavar="FILE",
        help=f"the cache file (default {DEFAULT_CACHE.as_posix()} beside mkdocs.yml)",
    )
    add_common(parser)
    return "links", cmd_links


def cmd_links(args: argparse.Namespace, now: Now = utc_now) -> int:
    if not args.online:
        print(
            "carepress: 'links' requests every cited and linked address over the network, which "
            "builds and 'carepress check' never do. Run 'carepress links --online' to allow it.",
            file=sys.stderr,
        )
        return EXIT_CONFIG
    resolve_today(args.today)  # the same checks as every command; no rule here compares dates
    project, policy = _load(args)
    files = _pages(project, args.paths)
    cache_path = (
        args.cache if args.cache is None or args.cache.is_absolute() else Path.cwd() / args.cache
    )
    site = str(policy.hospital.get("url") or project.site_url)
    checker = LinkChecker(
        timeout=args.timeout,
        user_agent=f"carepress/{__version__} (link check; +{site})"
        if site
        else f"carepress/{__version__}",
    )
    run = check_links(
        project.root, files, checker, cache_path or project.root / DEFAULT_CACHE, args.max_age, now
    )
    report = Report(findings=run.findings, pages_checked=run.pages)
    colour = args.format == "text" and sys.stdout.isatty() and not os.environ.get("NO_COLOR")
    sys.stdout.write(render(report, args.format, colour=colour))
    if args.format == "text":
        print(
            f"{run.links} link{'' if run.links == 1 else 's'}: {run.requested} requested, "
            f"{run.from_cache} from the cache"
        )
    return exit_code(report, args.strict)
