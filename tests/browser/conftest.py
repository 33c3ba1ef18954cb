"""Shared set-up for the browser tests.

They drive Debian's Chromium with Playwright against pytest-django's live server. Playwright's
own browser download is not used (it does not work on our machines): without Chromium at
CHROMIUM_PATH (default /usr/bin/chromium) the tests fail, they never skip.

A module changes the browser context (viewport, time zone) by overriding `context_options`,
and checks console errors by overriding `expected_console_errors`. Tests that need WebSockets
(chat) use `asgi_server` instead of `live_server`.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.error import URLError
from urllib.parse import quote

import pytest
from django.test import Client as DjangoClient
from playwright.sync_api import Browser, ConsoleMessage, Page, sync_playwright

# Playwright's sync API runs an event loop in this thread; Django's ORM would otherwise refuse
# to run in the test's own code (fixtures, assertions on the database).
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
RESULTS = Path(__file__).resolve().parents[2] / "test-results"

DESKTOP: dict[str, Any] = {"viewport": {"width": 1280, "height": 900}, "locale": "en-US"}
# A phone-sized page in London, so the times must move out of the business's zone.
PHONE_IN_LONDON: dict[str, Any] = {
    "viewport": {"width": 390, "height": 844},
    "locale": "en-US",
    "timezone_id": "Europe/London",
}


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(
            f"Chromium was not found at {CHROMIUM}. Install Debian's package (apt-get install chromium) "
            "or set CHROMIUM_PATH; browser tests do not skip.",
            pytrace=False,
        )
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def context_options() -> dict[str, Any]:
    """Keyword arguments for `browser.new_context`; override in a module to change them."""
    return DESKTOP


@pytest.fixture
def expected_console_errors() -> tuple[str, ...] | None:
    """None: console errors are not checked. A tuple: after the test, any console error whose
    text does not start with one of these fails it."""
    return None


@pytest.fixture
def page(
    browser: Browser,
    request: pytest.FixtureRequest,
    context_options: dict[str, Any],
    expected_console_errors: tuple[str, ...] | None,
) -> Iterator[Page]:
    """A fresh browser context per test. On failure, a full-page screenshot goes to test-results/.

    The page records `csp_violations` (Content Security Policy messages) and `problems` (the same,
    shortened, plus uncaught script errors) for the test to assert on.
    """
    context = browser.new_context(**context_options)
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.csp_violations = []  # type: ignore[attr-defined]
    page.problems = []  # type: ignore[attr-defined]
    console_errors: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text:
            page.csp_violations.append(f"{page.url}: {message.text}")  # type: ignore[attr-defined]
            page.problems.append(f"{page.url}: {message.text[:300]}")  # type: ignore[attr-defined]
        if message.type == "error":
            console_errors.append(message.text)

    page.on("console", on_console)
    page.on("pageerror", lambda error: page.problems.append(f"page error: {error}"))  # type: ignore[attr-defined]
    failed_before = request.session.testsfailed
    yield page
    if request.session.testsfailed > failed_before:
        RESULTS.mkdir(exist_ok=True)
        name = re.sub(r"[^\w.-]+", "_", request.node.nodeid)
        page.screenshot(path=str(RESULTS / f"{name}.png"), full_page=True)
    context.close()
    if expected_console_errors is not None:
        problems = [text for text in console_errors if not text.startswith(expected_console_errors)]
        assert not problems, problems


def log_in(page: Page, base: str, user: Any) -> None:
    """Log `user` in by handing the browser a Django session cookie for the live server."""
    client = DjangoClient()
    client.force_login(user)
    page.context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": base}])


# --- an ASGI server (pages, API and the events socket) -------------------------------------------
# pytest-django's live_server is WSGI only: it has no WebSocket. Chat's browser tests run the
# project's ASGI application under uvicorn in a subprocess, on the test database (the test commits:
# use it with transactional_db), with the in-memory channel layer (one process).

@dataclass
class AsgiServer:
    url: str
    process: subprocess.Popen[str]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _test_database_url() -> str:
    from django.db import connection

    db = connection.settings_dict
    if db["ENGINE"] == "django.db.backends.sqlite3":
        return f"sqlite:///{db['NAME']}"
    auth = quote(db["USER"] or "", safe="") + (f":{quote(db['PASSWORD'], safe='')}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture
def asgi_server(transactional_db: None, tmp_path: Path) -> Iterator[AsgiServer]:
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "COACHOS_", "PYTEST"))}
    for name in ("REDIS_URL", "ALLOWED_HOSTS", "CELERY_BROKER_URL"):
        env.pop(name, None)
    env.update({"DJANGO_SETTINGS_MODULE": "coachos.settings", "COACHOS_TESTING": "1", "DEBUG": "0",
                "DATABASE_URL": _test_database_url(), "EMAIL_URL": "locmem://", "LOG_LEVEL": "WARNING",
                "PUBLIC_BASE_URL": url, "PRIVATE_MEDIA_ROOT": str(tmp_path / "private")})
    process = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "coachos.asgi:application", "--host", "127.0.0.1", "--port", str(port),
         "--lifespan", "off", "--no-access-log", "--log-level", "warning"],
        cwd=Path(__file__).resolve().parents[2], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # straight to 127.0.0.1
    deadline = time.monotonic() + 30
    try:
        while True:
            if process.poll() is not None:
                output = process.stdout.read() if process.stdout else ""
                pytest.fail(f"the ASGI server exited: {output}", pytrace=False)
            try:
                with opener.open(f"{url}/healthz", timeout=2) as response:
                    if response.status == 200:
                        break
            except (URLError, ConnectionError, TimeoutError):
                pass
            if time.monotonic() > deadline:
                pytest.fail("the ASGI server did not start in 30 seconds", pytrace=False)
            time.sleep(0.1)
        yield AsgiServer(url=url, process=process)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
