"""Browser tests: the pages served by a real uvicorn on a free port, driven in Debian's chromium.

Playwright drives /usr/bin/chromium (or $CEASEFIRE_CHROMIUM) through `executable_path`: the
Playwright browser download does not work on a mission network. Without chromium the tests fail
with the command that installs it; they never skip. Each test leaves a screenshot of its last page
in artifacts/screenshots/ (look at them).

The server's database is the dialect under test, migrated, with the 2016 replay and the demo
accounts (password ceasefire-demo-2016) loaded once per test worker; tests add their own records.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
import uvicorn
from playwright.sync_api import Browser, Page, expect, sync_playwright
from sqlalchemy import Engine

from ceasefire.app import create_app
from ceasefire.cli.demo import DEMO_PASSWORD, ensure_demo_accounts
from ceasefire.db.engine import session_factory, transaction
from ceasefire.interchange import load_replay
from ceasefire.kernel.actor import SYSTEM
from ceasefire.settings import Settings
from tests.conftest import TEST_KEY, migrated_database

ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]

pytestmark = pytest.mark.browser


def chromium_path() -> str:
    """Debian's chromium, or fail loudly with how to install it."""
    path = os.environ.get("CEASEFIRE_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(path).exists():
        pytest.fail(
            "the browser tests need Debian's chromium: apt-get install chromium "
            "(or set CEASEFIRE_CHROMIUM to a Chromium binary)",
            pytrace=False,
        )
    return path


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def server_engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    """The served database: migrated, the 2016 replay and the demo accounts loaded."""
    with migrated_database(tmp_path_factory.mktemp("browser-db")) as eng:
        with transaction(session_factory(eng)) as sess:
            load_replay(sess, actor=SYSTEM)
            ensure_demo_accounts(sess)
        yield eng


@pytest.fixture(scope="session")
def live_server(server_engine: Engine, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The application served by uvicorn in a thread; its base URL."""
    data_dir = tmp_path_factory.mktemp("browser-data")
    settings = Settings(  # type: ignore[call-arg]
        data_dir=data_dir,
        encryption_keys=[TEST_KEY],
        login_rate_limit="10000/minute",
        public_report_rate_limit="10000/minute",
        receipt_rate_limit="10000/minute",
        max_evidence_bytes=5 * 1024 * 1024,
        _env_file=None,
    )
    port = _free_port()
    config = uvicorn.Config(
        create_app(settings, engine=server_engine), host="127.0.0.1", port=port, log_level="warning"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("the test server did not start", pytrace=False)
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Debian's chromium, headless, through Playwright."""
    executable = chromium_path()
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS)
        yield instance
        instance.close()


@pytest.fixture
def page(browser: Browser, live_server: str, request: pytest.FixtureRequest) -> Iterator[Page]:
    """A fresh browser context (no cookies) on the live server; a screenshot is kept at the end."""
    context = browser.new_context(base_url=live_server, viewport={"width": 1280, "height": 860})
    context.set_default_timeout(15_000)
    tab = context.new_page()
    errors: list[str] = []
    # A page answered 401 or 404 on purpose logs "Failed to load resource": only sub-resources count.
    tab.on(
        "console",
        lambda msg: (
            errors.append(msg.text)
            if msg.type == "error" and not msg.text.startswith("Failed to load resource")
            else None
        ),
    )
    tab.on("pageerror", lambda exc: errors.append(str(exc)))
    tab.on(
        "response",
        lambda r: (
            errors.append(f"{r.status} {r.url}")
            if r.status >= 400 and r.request.resource_type != "document"
            else None
        ),
    )
    yield tab
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name)
    try:
        tab.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
    finally:
        context.close()
    # Scripts must not fail in the browser (a CSP violation or a JavaScript error shows up here).
    assert not errors, f"errors in the browser console: {errors}"


@pytest.fixture
def phone(browser: Browser, live_server: str, request: pytest.FixtureRequest) -> Iterator[Page]:
    """A small phone screen (360×740, touch), as a witness would use."""
    context = browser.new_context(
        base_url=live_server, viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True
    )
    context.set_default_timeout(15_000)
    tab = context.new_page()
    yield tab
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name)
    try:
        tab.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
    finally:
        context.close()


def sign_in_as(tab: Page, username: str, password: str = DEMO_PASSWORD, then: str = "/") -> None:
    """Sign a browser tab in through the sign-in page, landing on `then`."""
    tab.goto(f"/login?next={quote(then, safe='/')}")
    tab.fill("#username", username)
    tab.fill("#password", password)
    tab.click("button[type=submit]")
    expect(tab.locator(".sign-out .who")).to_be_visible()


SignIn = Callable[[Page, str], None]
