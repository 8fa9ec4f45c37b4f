"""The demo site in a real headless Chromium: built once, served locally, one page reused.

Needs Debian's Chromium (/usr/bin/chromium; never Playwright's own download) and
axe-core from npm in tests/browser/node_modules (``scripts/test`` installs both).
Without them the browser tests skip, except under CI=true, where they fail.
"""

from __future__ import annotations

import functools
import http.server
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
CHROMIUM = Path("/usr/bin/chromium")
AXE = HERE / "node_modules" / "axe-core" / "axe.min.js"
BUILD_EPOCH = "1795478400"  # 2026-11-24T00:00:00Z, the demo's build date
CHROMIUM_ARGS = [
    "--no-sandbox",  # the tests run as root
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    # the machine has no network: nothing may phone home
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def require(ok: bool, reason: str) -> None:
    """Skip without a browser prerequisite, except under CI=true, where it must be there."""
    if ok:
        return
    if os.environ.get("CI") == "true":
        pytest.fail(reason, pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def chromium_path() -> Path:
    require(
        CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK),
        f"{CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium)",
    )
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        require(False, "the Python playwright package is missing: pip install -e '.[test]'")
    return CHROMIUM


@pytest.fixture(scope="session")
def axe_path() -> Path:
    require(
        AXE.is_file(),
        f"{AXE.relative_to(ROOT)} is missing: run `npm install` in tests/browser (scripts/test does)",
    )
    return AXE


@pytest.fixture(scope="session")
def site_dir(tmp_path_factory: pytest.TempPathFactory, chromium_path: Path) -> Path:
    """The demo site, built once with `mkdocs build --strict` as of 2026-11-24."""
    out = tmp_path_factory.mktemp("site")
    env = {**os.environ, "SOURCE_DATE_EPOCH": BUILD_EPOCH, "NO_MKDOCS_2_WARNING": "1"}
    proc = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(out)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    if proc.returncode != 0:
        pytest.fail(f"mkdocs build --strict failed:\n{proc.stdout}\n{proc.stderr}", pytrace=False)
    return out


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="session")
def site_url(site_dir: Path) -> Iterator[str]:
    """The built site, served over HTTP on 127.0.0.1 at a free port."""
    handler = functools.partial(_QuietHandler, directory=str(site_dir))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, name="site-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture(scope="session")
def browser(chromium_path: Path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(chromium_path), headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield browser
        finally:
            browser.close()


@dataclass
class Site:
    """One browser tab on the demo site, reused by every test."""

    page: object
    base: str
    errors: list[str] = field(default_factory=list)

    def visit(self, path: str):
        """Open a page of the site (path relative to its root) and wait until it has loaded."""
        self.errors.clear()
        response = self.page.goto(self.base + path, wait_until="load")
        assert response is not None and response.ok, f"GET /{path}: {response and response.status}"
        return self.page


@pytest.fixture(scope="session")
def site(browser, site_url: str) -> Iterator[Site]:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, service_workers="block")
    page = context.new_page()
    page.set_default_timeout(10_000)
    tab = Site(page=page, base=site_url)

    def on_console(message) -> None:
        if message.type == "error":
            where = message.location or {}
            tab.errors.append(f"console.error: {message.text} ({where.get('url', '?')})")

    page.on("console", on_console)
    page.on("pageerror", lambda error: tab.errors.append(f"uncaught: {error}"))
    try:
        yield tab
    finally:
        context.close()
