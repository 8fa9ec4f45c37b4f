"""`carepress links --online`: citation URLs, DOIs and body links, checked over HTTP.

Every request goes to a server these tests start on 127.0.0.1; sockets are
allowed for that host only, and every request has a short timeout.
"""

from __future__ import annotations

import datetime as dt
import http.server
import json
import socket
import ssl
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from carepress import links
from carepress.cli import main
from carepress.frontmatter import read_text
from carepress.model import Span
from helpers import line_of

local_only = pytest.mark.allow_hosts(["127.0.0.1"])
TIMEOUT = "0.5"


class Server:
    """A tiny site with one endpoint per kind of answer; it records every request."""

    def __init__(self) -> None:
        self.requests: list[tuple[str, str, str]] = []  # (method, path, user agent)
        self.in_flight = 0
        self.most_in_flight = 0
        self.release = threading.Event()
        self._lock = threading.Lock()
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_HEAD(self) -> None:
                self.answer("HEAD")

            def do_GET(self) -> None:
                self.answer("GET")

            def answer(self, method: str) -> None:
                with server._lock:
                    server.requests.append((method, self.path, self.headers.get("User-Agent", "")))
                    server.in_flight += 1
                    server.most_in_flight = max(server.most_in_flight, server.in_flight)
                self.counted = True
                try:
                    self.route(method)
                except OSError:
                    pass  # the client gave up (the slow endpoint)
                finally:
                    self.done()

            def done(self) -> None:
                # A request stops counting just before its answer goes out:
                # once the client has the answer it may send the next one.
                if getattr(self, "counted", False):
                    self.counted = False
                    with server._lock:
                        server.in_flight -= 1

            def send(self, status: int, location: str = "") -> None:
                self.done()
                self.send_response(status)
                if location:
                    self.send_header("Location", location)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def route(self, method: str) -> None:
                path = self.path
                if path in ("/ok", "/new-home", "/also-ok", "/in-html") or path.startswith("/page"):
                    self.send(200)
                elif path == "/gone":
                    self.send(404)
                elif path == "/withdrawn":
                    self.send(410)
                elif path == "/down":
                    self.send(500)
                elif path == "/no-head":
                    self.send(405 if method == "HEAD" else 200)
                elif path == "/moved":
                    self.send(301, "/moved-again")  # relative Location
                elif path == "/moved-again":
                    self.send(301, f"http://127.0.0.1:{server.port}/new-home")
                elif path == "/elsewhere-today":
                    self.send(302, "/ok")
                elif path == "/slow":
                    server.release.wait(5)
                    self.send(200)
                elif path.startswith("/busy"):
                    time.sleep(0.1)
                    self.send(200)
                else:
                    self.send(404)

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.handle_error = lambda request, address: None  # type: ignore[method-assign]
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, args=(0.02,), daemon=True)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def paths(self) -> list[str]:
        with self._lock:
            return [path for _, path, _ in self.requests]

    def calls(self) -> list[tuple[str, str]]:
        with self._lock:
            return [(method, path) for method, path, _ in self.requests]


@pytest.fixture
def server(monkeypatch) -> Iterator[Server]:
    for name in (
        "http_proxy",
        "https_proxy",
        "HTTP_PROXY",
        "HTTPS_PROXY",
        "all_proxy",
        "ALL_PROXY",
    ):
        monkeypatch.delenv(name, raising=False)
    s = Server()
    s.thread.start()
    try:
        yield s
    finally:
        s.release.set()
        s.httpd.shutdown()
        s.httpd.server_close()
        s.thread.join(5)


def page(article: str, citations: list[tuple[str, str]], body: str = "") -> str:
    """The test article with these (id, URL) citations, each cited in the body, and more body."""
    head, rest = article.split("citations:\n", 1)
    _, tail = rest.split("revisions:\n", 1)
    items = "".join(
        f"  - id: {cid}\n    type: webpage\n    title: Source {cid}\n    URL: {url}\n"
        for cid, url in citations
    )
    tail = tail.split("# Test article", 1)[0]
    cites = " ".join(f"See [@{cid}]." for cid, _ in citations)
    return f"{head}citations:\n{items}revisions:\n{tail}# Test article\n\n{cites}\n{body}"


def run(project, *args: str, capsys) -> tuple[int, str, str]:
    code = links_main(project, *args)
    out, err = capsys.readouterr()
    return code, out, err


def links_main(project, *args: str) -> int:
    return main(
        ["links", "--config", str(project.root / "mkdocs.yml"), "--timeout", TIMEOUT, *args]
    )


def as_rows(out: str) -> list[tuple[str, str, str, int, str]]:
    return [(f["path"], f["rule"], f["severity"], f["line"], f["message"]) for f in json.loads(out)]


A = "content/articles/a.md"


# --- without --online -------------------------------------------------------


def test_without_online_it_explains_and_exits_2(project, article, capsys):
    project.write("articles/a.md", article)
    code = main(["links", "--config", str(project.root / "mkdocs.yml")])
    _, err = capsys.readouterr()
    assert code == 2
    assert err == (
        "carepress: 'links' requests every cited and linked address over the network, which "
        "builds and 'carepress check' never do. Run 'carepress links --online' to allow it.\n"
    )
    assert not (project.root / ".carepress-cache").exists()


def test_a_bad_timeout_is_a_usage_error(project, capsys):
    with pytest.raises(SystemExit) as stop:
        main(["links", "--online", "--timeout", "0", "--config", str(project.root / "mkdocs.yml")])
    assert stop.value.code == 2
    assert "--timeout: must be more than 0 seconds" in capsys.readouterr().err


# --- what each answer means --------------------------------------------------


@local_only
def test_each_answer_gives_its_finding_on_the_line_of_the_url(server, project, article, capsys):
    u = server.url
    text = page(
        article,
        [
            ("ok", u("/ok")),
            ("gone", u("/gone")),
            ("withdrawn", u("/withdrawn")),
            ("down", u("/down")),
            ("nohead", u("/no-head")),
            ("moved", u("/moved")),
            ("temp", u("/elsewhere-today")),
            ("slow", u("/slow")),
        ],
    )
    project.write("articles/a.md", text)
    code, out, _ = run(project, "--online", "--format", "json", capsys=capsys)
    assert code == 1
    assert as_rows(out) == [
        (
            A,
            "links.broken",
            "error",
            line_of(text, u("/gone")),
            f"{u('/gone')} is gone: the server answered 404 Not Found.",
        ),
        (
            A,
            "links.broken",
            "error",
            line_of(text, u("/withdrawn")),
            f"{u('/withdrawn')} is gone: the server answered 410 Gone.",
        ),
        (
            A,
            "links.unreachable",
            "warning",
            line_of(text, u("/down")),
            f"{u('/down')} could not be checked: the server answered 500 Internal Server Error.",
        ),
        (
            A,
            "links.redirected",
            "warning",
            line_of(text, u("/moved")),
            f"{u('/moved')} has moved permanently (301 Moved Permanently) and is now at "
            f"{u('/new-home')}; update the citation.",
        ),
        (
            A,
            "links.unreachable",
            "warning",
            line_of(text, u("/slow")),
            f"{u('/slow')} could not be checked: no answer within 0.5 seconds.",
        ),
    ]
    finding = json.loads(out)[0]
    assert (finding["column"], finding["end_column"]) == (10, 10 + len(u("/gone")))


@local_only
def test_a_server_that_refuses_head_is_asked_with_get(server, project, article, capsys):
    project.write("articles/a.md", page(article, [("nohead", server.url("/no-head"))]))
    code, out, _ = run(project, "--online", "--format", "json", capsys=capsys)
    assert (code, json.loads(out)) == (0, [])
    assert server.calls() == [("HEAD", "/no-head"), ("GET", "/no-head")]


@local_only
def test_redirects_are_followed_and_a_temporary_one_is_fine(server, project, article, capsys):
    project.write("articles/a.md", page(article, [("temp", server.url("/elsewhere-today"))]))
    code, out, _ = run(project, "--online", "--format", "json", capsys=capsys)
    assert (code, json.loads(out)) == (0, [])
    assert server.calls() == [("HEAD", "/elsewhere-today"), ("HEAD", "/ok")]


@local_only
def test_a_refused_connection_is_a_warning(server, project, article, capsys):
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{probe.getsockname()[1]}/x"
    text = page(article, [("closed", closed)])
    project.write("articles/a.md", text)
    code, out, _ = run(project, "--online", "--format", "json", capsys=capsys)
    assert code == 0
    assert as_rows(out) == [
        (
            A,
            "links.unreachable",
            "warning",
            line_of(text, closed),
            f"{closed} could not be checked: the connection was refused.",
        ),
    ]


@local_only
def test_warnings_fail_only_with_strict(server, project, article, capsys):
    project.write("articles/a.md", page(article, [("moved", server.url("/moved"))]))
    assert run(project, "--online", capsys=capsys)[0] == 0
    assert run(project, "--online", "--strict", capsys=capsys)[0] == 1


@local_only
def test_text_report_names_the_file_line_and_counts_the_links(server, project, article, capsys):
    text = page(article, [("gone", server.url("/gone")), ("ok", server.url("/ok"))])
    project.write("articles/a.md", text)
    code, out, _ = run(project, "--online", capsys=capsys)
    line = line_of(text, server.url("/gone"))
    assert code == 1
    assert f"  {A}:{line}:10: error [links.broken] {server.url('/gone')} is gone" in out
    assert out.endswith(
        "2 pages checked: 1 error, 0 warnings, 0 notices\n2 links: 2 requested, 0 from the cache\n"
    )


@local_only
def test_requests_name_carepress_and_the_hospital(server, project, article, capsys):
    project.write("articles/a.md", page(article, [("ok", server.url("/ok"))]))
    run(project, "--online", capsys=capsys)
    assert {agent for _, _, agent in server.requests} == {
        "carepress/0.1.0 (link check; +https://health.riverbend-hospital.example/)"
    }


# --- body links --------------------------------------------------------------


@local_only
def test_body_links_are_checked_and_code_is_skipped(server, project, article, capsys):
    u = server.url
    body = (
        f"Read [the guide]({u('/gone')}) and <{u('/page-auto')}>.\n"
        f'<a class="x" href="{u("/page-html")}">here</a>\n'
        "\n"
        f"[ref]: {u('/page-ref')}\n"
        "\n"
        "```\n"
        f"[not a link]({u('/in-code')})\n"
        "```\n"
        "\n"
        f"Inline `<{u('/in-code')}>` too, and [a mail](mailto:x@example.org).\n"
    )
    text = page(article, [], body)
    project.write("articles/a.md", text)
    code, out, _ = run(project, "--online", "--format", "json", capsys=capsys)
    assert code == 1
    assert as_rows(out) == [
        (
            A,
            "links.broken",
            "error",
            line_of(text, "[the guide]"),
            f"{u('/gone')} is gone: the server answered 404 Not Found.",
        ),
    ]
    assert json.loads(out)[0]["column"] == len("Read [the guide](") + 1
    assert sorted(server.paths()) == ["/gone", "/page-auto", "/page-html", "/page-ref"]


@local_only
def test_a_body_link_that_moved_says_update_the_link(server, project, article, capsys):
    text = page(article, [], f"See [this]({server.url('/moved')}).\n")
    project.write("articles/a.md", text)
    _, out, _ = run(project, "--online", "--format", "json", capsys=capsys)
    assert [(r[1], r[3], r[4].rsplit("; ", 1)[1]) for r in as_rows(out)] == [
        ("links.redirected", line_of(text, "See [this]"), "update the link.")
    ]


def test_collect_links_finds_citation_urls_dois_and_body_links(article):
    text = (
        article.replace(
            "    accessed: 2026-09-15\n  - id: nhlbi-hbp",
            "    DOI: doi:10.1002/(SICI)1097-4636<89::AID>3.0.CO;2-6\n    accessed: 2026-09-15\n  - id: nhlbi-hbp",
        )
        + '\n[Wikipedia](https://en.wikipedia.org/wiki/Hypertension_(disorder) "title")\n'
    )
    doc = read_text(text, Path("a.md"), "a.md").document
    found = [
        (o.kind, o.url, o.doc.span(*o.where).line if not isinstance(o.where, Span) else o.where.line)
        for o in links.collect_links(doc)
    ]
    assert found == [
        (
            "citation",
            "https://www.cdc.gov/high-blood-pressure/data-research/facts-stats/index.html",
            line_of(text, "URL: https://www.cdc.gov"),
        ),
        (
            "doi",
            "https://doi.org/10.1002/(SICI)1097-4636%3C89::AID%3E3.0.CO;2-6",
            line_of(text, "DOI:"),
        ),
        (
            "citation",
            "https://www.nhlbi.nih.gov/health/high-blood-pressure",
            line_of(text, "URL: https://www.nhlbi"),
        ),
        (
            "link",
            "https://en.wikipedia.org/wiki/Hypertension_(disorder)",
            line_of(text, "[Wikipedia]"),
        ),
    ]


# --- many pages, many links ---------------------------------------------------


@local_only
def test_a_url_on_many_pages_is_requested_once_and_reported_on_each(
    server, project, article, capsys
):
    text = page(article, [("gone", server.url("/gone"))])
    project.write("articles/a.md", text)
    project.write("articles/b.md", text)
    code, out, _ = run(project, "--online", "--format", "json", capsys=capsys)
    assert code == 1
    assert [(r[0], r[1]) for r in as_rows(out)] == [
        (A, "links.broken"),
        ("content/articles/b.md", "links.broken"),
    ]
    assert server.paths() == ["/gone"]


@local_only
def test_at_most_two_requests_at_a_time_to_one_host(server, project, article, capsys):
    project.write(
        "articles/a.md", page(article, [(f"b{i}", server.url(f"/busy/{i}")) for i in range(8)])
    )
    started = time.monotonic()
    code, _, _ = run(project, "--online", capsys=capsys)
    assert code == 0
    assert len(server.paths()) == 8
    assert server.most_in_flight == 2
    assert time.monotonic() - started >= 0.4  # 8 requests of 0.1 s, two at a time


@local_only
def test_only_the_given_pages_are_checked(server, project, article, capsys, monkeypatch):
    project.write("articles/a.md", page(article, [("ok", server.url("/ok"))]))
    project.write("articles/b.md", page(article, [("gone", server.url("/gone"))]))
    monkeypatch.chdir(project.root)
    code, out, _ = run(project, "--online", "content/articles/a.md", capsys=capsys)
    assert code == 0
    assert server.paths() == ["/ok"]
    assert "1 page checked" in out


# --- the cache -----------------------------------------------------------------


@local_only
def test_answers_are_cached_and_reused_within_max_age(server, project, article, capsys):
    project.write(
        "articles/a.md",
        page(
            article,
            [
                ("ok", server.url("/ok")),
                ("moved", server.url("/moved")),
                ("gone", server.url("/gone")),
            ],
        ),
    )
    first = run(project, "--online", "--format", "json", capsys=capsys)
    requests = len(server.requests)
    cache_file = project.root / ".carepress-cache" / "links.json"
    cache = json.loads(cache_file.read_text())
    assert sorted(cache) == sorted(server.url(p) for p in ("/ok", "/moved", "/gone"))
    entry = cache[server.url("/moved")]
    assert entry["status"] == 200 and entry["final_url"] == server.url("/new-home")
    assert entry["redirects"] == [
        {"status": 301, "url": server.url("/moved-again")},
        {"status": 301, "url": server.url("/new-home")},
    ]
    assert dt.datetime.fromisoformat(entry["checked_at"].replace("Z", "+00:00")).tzinfo is not None
    # Written atomically: no temporary file is left beside it.
    assert [p.name for p in cache_file.parent.iterdir()] == ["links.json"]

    second = run(project, "--online", "--format", "json", capsys=capsys)
    assert len(server.requests) == requests
    assert second[:2] == first[:2]


@local_only
def test_text_report_counts_cached_answers(server, project, article, capsys):
    project.write("articles/a.md", page(article, [("ok", server.url("/ok"))]))
    run(project, "--online", capsys=capsys)
    _, out, _ = run(project, "--online", capsys=capsys)
    assert out.endswith(
        "2 pages checked: 0 errors, 0 warnings, 0 notices\n1 link: 0 requested, 1 from the cache\n"
    )


@local_only
def test_an_expired_entry_is_requested_again(server, project, article):
    project.write("articles/a.md", page(article, [("ok", server.url("/ok"))]))
    files = sorted((project.root / "content").rglob("*.md"))
    cache = project.root / "cache.json"
    checker = links.LinkChecker(timeout=float(TIMEOUT))
    t0 = dt.datetime(2026, 11, 24, 9, 0, tzinfo=dt.timezone.utc)

    def at(moment: dt.datetime) -> links.LinkRun:
        return links.check_links(
            project.root, files, checker, cache, max_age_hours=24, now=lambda: moment
        )

    assert at(t0).requested == 1
    assert json.loads(cache.read_text())[server.url("/ok")]["checked_at"] == "2026-11-24T09:00:00Z"
    assert (at(t0 + dt.timedelta(hours=23, minutes=59)).requested, len(server.requests)) == (0, 1)
    assert (at(t0 + dt.timedelta(hours=24)).requested, len(server.requests)) == (1, 2)
    assert json.loads(cache.read_text())[server.url("/ok")]["checked_at"] == "2026-11-25T09:00:00Z"


@local_only
def test_passing_failures_are_not_cached(server, project, article, capsys):
    project.write(
        "articles/a.md", page(article, [("down", server.url("/down")), ("ok", server.url("/ok"))])
    )
    run(project, "--online", capsys=capsys)
    cache = json.loads((project.root / ".carepress-cache" / "links.json").read_text())
    assert list(cache) == [server.url("/ok")]
    run(project, "--online", capsys=capsys)
    assert sorted(server.paths()) == ["/down", "/down", "/ok"]


@local_only
def test_a_corrupt_cache_is_ignored_and_replaced(server, project, article, capsys):
    project.write("articles/a.md", page(article, [("ok", server.url("/ok"))]))
    cache_file = project.root / "my-cache.json"
    cache_file.write_text("{not json")
    code, _, err = run(project, "--online", "--cache", str(cache_file), capsys=capsys)
    assert code == 0
    assert err.startswith(f"carepress: ignoring the link cache {cache_file}: ")
    assert list(json.loads(cache_file.read_text())) == [server.url("/ok")]


# --- why there was no answer -----------------------------------------------------


@pytest.mark.parametrize(
    ("cause", "words"),
    [
        (TimeoutError("timed out"), "no answer within 3 seconds"),
        (
            socket.gaierror(-2, "Name or service not known"),
            "the host name could not be found (DNS)",
        ),
        (ConnectionRefusedError(111, "refused"), "the connection was refused"),
        (ConnectionResetError(104, "reset"), "the connection was dropped"),
    ],
)
def test_failures_are_described_for_editors(cause, words):
    assert links.describe_failure(cause, 3) == words


def test_a_tls_failure_is_described():
    error = ssl.SSLCertVerificationError(1, "certificate verify failed")
    error.verify_message = "certificate has expired"
    assert (
        links.describe_failure(error, 3)
        == "its TLS certificate could not be verified (certificate has expired)"
    )
